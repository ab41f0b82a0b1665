/**
 * Senders for the scenarios that time message.send on one hub (moderation,
 * wait): a JSON-RPC connection that answers by id, and a phase of sends
 * with a window of them in flight on each connection.
 */
import WebSocket from 'ws';
import type { Histogram } from './stats.js';

const CALL_TIMEOUT_MS = 10_000;

export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

/** One JSON-RPC connection with its requests in flight. */
export class Conn {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (ok: boolean) => void; timer: NodeJS.Timeout }>();
  /** The first few errors, for the scenario's report. */
  errors: string[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { id?: number; error?: { code: number; message: string } };
      if (typeof f.id !== 'number') return;
      const w = this.waiting.get(f.id);
      if (!w) return;
      this.waiting.delete(f.id);
      clearTimeout(w.timer);
      if (f.error && this.errors.length < 5) this.errors.push(`${f.error.code} ${f.error.message}`);
      w.resolve(f.error === undefined);
    });
  }

  static open(url: string, user: string): Promise<Conn> {
    const ws = new WebSocket(url, { headers: { Authorization: user } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Conn(ws)));
      ws.once('error', reject);
    });
  }

  /** True when answered with a result; false for an error or no answer in time. */
  call(method: string, params: unknown): Promise<boolean> {
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        if (this.errors.length < 5) this.errors.push(`${method}: no answer within ${CALL_TIMEOUT_MS} ms`);
        resolve(false);
      }, CALL_TIMEOUT_MS);
      this.waiting.set(id, { resolve, timer });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** `sends` per client, `window` in flight on each, all clients at once; each round trip into `hist` (µs). */
export async function sendPhase(
  clients: readonly { conn: Conn; groupId: string }[],
  text: string,
  sends: number,
  window: number,
  hist: Histogram | null,
): Promise<{ ok: number; failed: number; seconds: number }> {
  let ok = 0;
  let failed = 0;
  const t0 = nowUs();
  await Promise.all(
    clients.map(async ({ conn, groupId }) => {
      let left = sends;
      const lane = async () => {
        while (left > 0) {
          left--;
          const s = nowUs();
          const good = await conn.call('message.send', { groupId, text });
          hist?.record(nowUs() - s);
          if (good) ok++;
          else failed++;
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
    }),
  );
  return { ok, failed, seconds: (nowUs() - t0) / 1e6 };
}
