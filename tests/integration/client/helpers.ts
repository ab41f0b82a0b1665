import { createServer } from 'node:net';
import { NextChatClient, type ClientEvents, type ClientOptions } from '../../../packages/client/src/index.js';

/** Resolves with the next `event` of `client` (rejects after `timeoutMs`). */
export function nextEvent<K extends keyof ClientEvents>(
  client: NextChatClient,
  event: K,
  filter: (p: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (p) => {
      if (!filter(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

const open = new Set<NextChatClient>();

/** A client that `closeAll()` closes after the test. */
export function makeClient(url: string, token: string | undefined, opts: Partial<ClientOptions> = {}): NextChatClient {
  const c = new NextChatClient({ url, token, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...opts });
  open.add(c);
  return c;
}

export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((c) => c.close()));
  open.clear();
}

/** A port that was free a moment ago (for restarting a hub on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let seq = 0;
/** A group id unique to this run. */
export function gid(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}
