/**
 * A real moderation hook for the tests: node:http on a free port, recording
 * every request it gets and answering as the running test tells it to.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookCall {
  headers: IncomingHttpHeaders;
  /** The body exactly as received (what the signature covers). */
  raw: string;
  body: Record<string, unknown>;
  /** The hub's end of the TCP connection: the same port on every call means the connection was kept alive. */
  remotePort: number | undefined;
}

export interface HookAnswer {
  status?: number;
  /** An object is sent as JSON; a string as it is. */
  body: unknown;
  /** Answer only after this long (the hub's timeout may abort first). */
  delayMs?: number;
  /** Send the headers and the first half of the body at once, and never the rest. */
  stall?: boolean;
}

export type Behaviour = (call: HookCall) => HookAnswer;

export interface HookServer {
  url: string;
  calls: HookCall[];
  /** What the hook answers from now on. */
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

export async function startHookServer(initial: Behaviour = () => ({ body: { action: 'allow' } })): Promise<HookServer> {
  let behaviour = initial;
  const calls: HookCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* recorded as {} */
      }
      const call = { headers: req.headers, raw, body, remotePort: req.socket.remotePort };
      calls.push(call);
      const a = behaviour(call);
      const send = () => {
        if (res.destroyed) return;
        const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        if (a.stall) res.write(text.slice(0, text.length >> 1));
        else res.end(text);
      };
      if (a.delayMs) {
        const t = setTimeout(send, a.delayMs);
        res.once('close', () => clearTimeout(t));
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/moderate`,
    calls,
    behave(b) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL nothing listens on: a port that was free a moment ago. */
export async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/moderate`;
}
