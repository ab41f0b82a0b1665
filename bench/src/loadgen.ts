/**
 * Load generator, run as a child process (child_process.fork) so load and
 * servers never share an event loop. Driven over IPC by main.ts:
 *
 *   setup  → connect every client, create and join its group  → ready (join latencies)
 *   run    → reset counters; senders send with an in-flight window → sent
 *            (editEvery n: every nth of a sender's messages is a
 *            message.edit of one of its own recent messages instead; its
 *            message.updated reaches every member like a message)
 *   report → receipts and end-to-end latency so far              → report
 *   history→ message.history pages with random cursors          → history
 *   close  → close everything and exit
 *
 * Every message text starts with the send time (process.hrtime, the
 * machine's monotonic clock, the same in every process) in µs; receivers
 * compute the latency from it. A sender's window counts messages it sent
 * whose own copy has not come back yet (senders are members of their
 * group), so a sender can never run ahead of the fan-out it causes.
 */
import WebSocket from 'ws';
import { io as sioConnect, type Socket } from 'socket.io-client';
import { Histogram } from './stats.js';

export type Protocol = 'jsonrpc' | 'sio';

export interface ClientSpec {
  url: string;
  user: string;
  group: string;
  /** Receipts of this client are counted (false: the fan-out sender, whose own copies only drive its window). */
  count: boolean;
  /**
   * Source address of the socket (127.0.0.x): the kernel's ephemeral ports
   * (~28k in ip_local_port_range) are per source address, so 100,000
   * connections to one hub port need several. Unset: the kernel picks.
   */
  localAddress?: string;
}

export type Command =
  | { cmd: 'setup'; protocol: Protocol; clients: ClientSpec[]; create: { url: string; groups: string[] } | null; joinLimit: number; concurrency: number; timeoutMs: number }
  | { cmd: 'run'; senders: 'all' | 'none' | number[]; window: number; durationMs: number; maxMessages: number; textBytes: number; drainMs: number; ratePerSender?: number; editEvery?: number }
  | { cmd: 'report' }
  | { cmd: 'reset'; trackLast: boolean }
  | { cmd: 'join'; group: string; clients: 'all' | number[]; concurrency: number; timeoutMs: number }
  | { cmd: 'blast'; client: number; group: string; messages: number; gapMs: number; textBytes: number }
  | { cmd: 'history'; durationMs: number; concurrency: number; limit: number; maxRequests: number; ranges: Record<string, [number, number]> }
  | { cmd: 'close' };

type HistJSON = ReturnType<Histogram['toJSON']>;

export type Event =
  | { ev: 'ready'; connected: number; failed: number; join: HistJSON; connect: HistJSON; errors: string[] }
  | { ev: 'sent'; sent: number; acked: number; ackErrors: number; echoTimeouts: number; sendMs: number; edits: number; ackErrorSamples: string[] }
  | { ev: 'report'; received: number; latency: HistJSON; lastAtMs: number; closed: number; lastByMessage: [number, number][] }
  | { ev: 'joined'; joined: number; failed: number; join: HistJSON; errors: string[] }
  | { ev: 'blasted'; sent: number; acked: number; ackErrors: number; errors: string[] }
  | { ev: 'history'; requests: number; pages: number; errors: number; latency: HistJSON; rows: number }
  | { ev: 'error'; message: string };

function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

interface Client {
  spec: ClientSpec;
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** Resolves with the result: `{message}` for the hub, whatever the ack carries for Socket.IO. */
  send(group: string, text: string): Promise<unknown>;
  onMessage: (authorId: string, text: string) => void;
  readonly closed: boolean;
  close(): void;
}

/**
 * Pulls authorId and the leading send time out of a message frame without
 * parsing the whole frame: the same cheap path for every system under test
 * (hub and ws frames `{"jsonrpc":"2.0","method":"message","params":{...}}`,
 * Socket.IO frames `42["message",{...}]`), so load generators cost little
 * and the same for all.
 */
function deliver(frame: string, onMessage: (authorId: string, text: string) => void): void {
  const a = frame.indexOf('"authorId":"');
  const t = frame.indexOf('"text":"');
  if (a < 0 || t < 0) return;
  const aEnd = frame.indexOf('"', a + 12);
  onMessage(frame.slice(a + 12, aEnd), frame.slice(t + 8, t + 40));
}

const MESSAGE_PREFIX = '{"jsonrpc":"2.0","method":"message",';
/** An edit's (or delete's) notification: params `{cursor, message}`, the message's authorId and text read the same way. */
const UPDATED_PREFIX = '{"jsonrpc":"2.0","method":"message.updated",';

class RpcClient implements Client {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onMessage: (authorId: string, text: string) => void = () => {};
  closed = false;

  private constructor(
    readonly spec: ClientSpec,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const s = (data as Buffer).toString();
      if (s.startsWith(MESSAGE_PREFIX) || s.startsWith(UPDATED_PREFIX)) return deliver(s, this.onMessage);
      const f = JSON.parse(s) as { id?: number; result?: unknown; error?: { code: number; message: string } };
      if (f.id === undefined) return;
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      if (f.error) p.reject(new Error(`${f.error.code} ${f.error.message}`));
      else p.resolve(f.result);
    });
    ws.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('closed'));
      this.pending.clear();
    });
    ws.on('error', () => {});
  }

  static connect(spec: ClientSpec): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(spec.url, { headers: { Authorization: spec.user }, perMessageDeflate: false, skipUTF8Validation: true, ...(spec.localAddress ? { localAddress: spec.localAddress } : {}) });
      const c = new RpcClient(spec, ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  call(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  send(group: string, text: string): Promise<unknown> {
    return this.call('message.send', { groupId: group, text });
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Socket.IO over a plain ws socket (Engine.IO v4, WebSocket transport, the
 * wire format socket.io-client speaks): `40{auth}` connects the default
 * namespace, `42<ack>["event",...]` emits with an ack, the server answers
 * `43<ack>[result]`, pings `2` get `3`. Same cheap receive path as the hub
 * client. BENCH_SIO_CLIENT=official uses socket.io-client instead.
 */
class RawSioClient implements Client {
  private nextAck = 1;
  private readonly pending = new Map<number, (v: unknown) => void>();
  onMessage: (authorId: string, text: string) => void = () => {};
  closed = false;

  private constructor(
    readonly spec: ClientSpec,
    private readonly ws: WebSocket,
    connected: () => void,
  ) {
    ws.on('message', (data) => {
      const s = (data as Buffer).toString();
      if (s.startsWith('42["message"')) return deliver(s, this.onMessage);
      if (s.startsWith('43')) {
        const open = s.indexOf('[');
        const id = Number(s.slice(2, open));
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        p((JSON.parse(s.slice(open)) as unknown[])[0]);
      } else if (s === '2') ws.send('3');
      else if (s.startsWith('0{')) ws.send(`40${JSON.stringify({ user: spec.user })}`);
      else if (s.startsWith('40')) connected();
    });
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => {});
  }

  static connect(spec: ClientSpec): Promise<RawSioClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${spec.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false, skipUTF8Validation: true });
      const c: RawSioClient = new RawSioClient(spec, ws, () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  private emit(event: string, arg: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('closed'));
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(`42${id}${JSON.stringify([event, arg])}`);
    });
  }

  call(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (method === 'group.create') return Promise.resolve({});
    if (method === 'group.join') return this.emit('join', params.groupId);
    if (method === 'message.send') return this.emit('send', { groupId: params.groupId, text: params.text });
    return Promise.reject(new Error(`${method} is not offered by the Socket.IO peer`));
  }

  send(group: string, text: string): Promise<unknown> {
    return this.emit('send', { groupId: group, text });
  }

  close(): void {
    this.ws.terminate();
  }
}

class SioClient implements Client {
  onMessage: (authorId: string, text: string) => void = () => {};

  private constructor(
    readonly spec: ClientSpec,
    private readonly socket: Socket,
  ) {
    socket.on('message', (m: { authorId: string; text: string }) => this.onMessage(m.authorId, m.text));
  }

  get closed(): boolean {
    return !this.socket.connected;
  }

  static connect(spec: ClientSpec): Promise<SioClient> {
    return new Promise((resolve, reject) => {
      const socket = sioConnect(spec.url, { transports: ['websocket'], auth: { user: spec.user }, reconnection: false, forceNew: true, timeout: 20_000 });
      socket.once('connect', () => resolve(new SioClient(spec, socket)));
      socket.once('connect_error', (e) => reject(e));
    });
  }

  call(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (method === 'group.create') return Promise.resolve({});
    if (method === 'group.join') return this.socket.timeout(20_000).emitWithAck('join', params.groupId);
    if (method === 'message.send') return this.socket.timeout(20_000).emitWithAck('send', { groupId: params.groupId, text: params.text });
    return Promise.reject(new Error(`${method} is not offered by the Socket.IO peer`));
  }

  send(group: string, text: string): Promise<unknown> {
    return this.socket.emitWithAck('send', { groupId: group, text });
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; bounded by the item count. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

let clients: Client[] = [];
let received = 0;
let lastAtMs = 0;
let latency = new Histogram();
/**
 * With trackLast (reset command): per sent message (its send time, µs, as
 * carried in the text), the latency of its last receipt here: the fan-out
 * time of one message to everyone is the max of this over all generators.
 * Off for the throughput scenarios, whose millions of messages would fill it.
 */
let lastByMessage: Map<number, number> | null = null;

function send(e: Event): void {
  process.send?.(e);
}

async function setup(c: Extract<Command, { cmd: 'setup' }>): Promise<void> {
  const join = new Histogram();
  const connect = new Histogram();
  const errors: string[] = [];
  const officialSio = process.env.BENCH_SIO_CLIENT === 'official';
  const connectOne = (spec: ClientSpec): Promise<Client> =>
    c.protocol === 'jsonrpc' ? RpcClient.connect(spec) : officialSio ? SioClient.connect(spec) : RawSioClient.connect(spec);
  const deadline = Date.now() + c.timeoutMs;
  if (c.create && c.protocol === 'jsonrpc') {
    const admin = await RpcClient.connect({ url: c.create.url, user: 'bench-admin', group: '', count: false });
    await pool(c.create.groups, 16, async (g) => {
      await admin.call('group.create', { groupId: g }).catch((e: Error) => {
        if (!e.message.startsWith('4009')) throw e;
      });
    });
    admin.close();
  }
  const made: (Client | undefined)[] = new Array(c.clients.length);
  let failed = 0;
  await pool(c.clients, c.concurrency, async (spec, i) => {
    if (Date.now() > deadline) {
      failed++;
      return;
    }
    try {
      const t0 = nowUs();
      const client = await connectOne(spec);
      const t1 = nowUs();
      connect.record(t1 - t0);
      client.onMessage = receiver(client);
      await client.call('group.join', { groupId: spec.group, limit: c.joinLimit });
      join.record(nowUs() - t1);
      made[i] = client;
    } catch (e) {
      failed++;
      if (errors.length < 5) errors.push(`${spec.user}: ${(e as Error).message}`);
    }
  });
  // A second setup adds to the clients of the first (connections-100k connects in two waves).
  const fresh = made.filter((x): x is Client => x !== undefined);
  clients = clients.length ? [...clients, ...fresh] : fresh;
  send({ ev: 'ready', connected: fresh.length, failed, join: join.toJSON(), connect: connect.toJSON(), errors });
}

/** Per client: counts and times receipts, and frees a window slot on the sender's own copy. */
const echo = new Map<Client, () => void>();
function receiver(client: Client): (authorId: string, text: string) => void {
  const user = client.spec.user;
  const counting = client.spec.count;
  return (authorId, text) => {
    if (counting) {
      const now = nowUs();
      const sentUs = parseFloat(text);
      latency.record(now - sentUs);
      received++;
      lastAtMs = now / 1000;
      if (lastByMessage) lastByMessage.set(sentUs, Math.max(lastByMessage.get(sentUs) ?? 0, now - sentUs));
    }
    if (authorId === user) echo.get(client)?.();
  };
}

async function run(c: Extract<Command, { cmd: 'run' }>): Promise<void> {
  received = 0;
  lastAtMs = 0;
  latency = new Histogram();
  const senders = c.senders === 'all' ? clients : c.senders === 'none' ? [] : c.senders.map((i) => clients[i]).filter(Boolean);
  if (senders.length === 0) return;
  const pad = 'x'.repeat(Math.max(0, c.textBytes - 20));
  const perSender = Math.max(1, Math.floor(c.maxMessages / senders.length));
  let sent = 0;
  let acked = 0;
  let ackErrors = 0;
  let echoTimeouts = 0;
  let edits = 0;
  const ackErrorSamples: string[] = [];
  const failed = (e: Error) => {
    ackErrors++;
    if (ackErrorSamples.length < 5) ackErrorSamples.push(e.message);
  };
  const editEvery = c.editEvery && c.editEvery > 1 ? Math.floor(c.editEvery) : 0;
  const started = Date.now();
  const stopAt = started + c.durationMs;
  await Promise.all(
    senders.map(
      (client) =>
        new Promise<void>((resolve) => {
          let inflight = 0;
          let mine = 0;
          let stopped = false;
          let finished = false;
          const finish = () => {
            if (finished) return;
            finished = true;
            clearTimeout(paceTimer);
            echo.delete(client);
            clearTimeout(stopTimer);
            clearTimeout(drainTimer);
            resolve();
          };
          let drainTimer: NodeJS.Timeout | undefined;
          const stop = () => {
            stopped = true;
            if (inflight === 0) return finish();
            drainTimer = setTimeout(() => {
              echoTimeouts += inflight;
              finish();
            }, c.drainMs);
          };
          const stopTimer = setTimeout(stop, c.durationMs);
          // Paced senders (ratePerSender > 0) send on a fixed schedule, still within the window.
          const gapMs = c.ratePerSender ? 1000 / c.ratePerSender : 0;
          let nextAt = Date.now();
          let paceTimer: NodeJS.Timeout | undefined;
          // Ids of this sender's latest answered messages (edits pick one of them).
          const recent: string[] = [];
          // A random phase per sender: an edit share of 1/editEvery however few operations a sender makes in a run.
          const phase = editEvery ? Math.floor(Math.random() * editEvery) : 0;
          const remember = (r: unknown) => {
            const id = (r as { message?: { id?: unknown } } | null)?.message?.id;
            if (typeof id !== 'string') return;
            recent.push(id);
            if (recent.length > 8) recent.shift();
          };
          const pump = () => {
            while (!stopped && inflight < c.window && mine < perSender) {
              if (client.closed || Date.now() >= stopAt) return stop();
              if (gapMs > 0) {
                const now = Date.now();
                if (now < nextAt) {
                  if (!paceTimer) paceTimer = setTimeout(() => ((paceTimer = undefined), pump()), nextAt - now);
                  return;
                }
                nextAt = Math.max(nextAt + gapMs, now - 50);
              }
              inflight++;
              mine++;
              sent++;
              const text = `${nowUs().toFixed(1)}:${pad}`;
              // Every editEvery-th operation edits one of the sender's recent messages (a send until one was answered).
              if (editEvery && (mine + phase) % editEvery === 0 && recent.length > 0) {
                edits++;
                const messageId = recent[Math.floor(Math.random() * recent.length)];
                client
                  .call('message.edit', { groupId: client.spec.group, messageId, text })
                  .then(() => acked++)
                  .catch(failed);
              } else {
                client
                  .send(client.spec.group, text)
                  .then((r) => {
                    acked++;
                    if (editEvery) remember(r);
                  })
                  .catch(failed);
              }
            }
            if (!stopped && mine >= perSender) stop();
          };
          echo.set(client, () => {
            inflight--;
            if (stopped) {
              if (inflight <= 0) finish();
            } else pump();
          });
          pump();
        }),
    ),
  );
  // Acks of the last sends may still be on their way; wait for them briefly (bounded).
  for (let i = 0; i < 100 && acked + ackErrors < sent; i++) await new Promise((r) => setTimeout(r, 20));
  send({ ev: 'sent', sent, acked, ackErrors, echoTimeouts, sendMs: Date.now() - started, edits, ackErrorSamples });
}

async function history(c: Extract<Command, { cmd: 'history' }>): Promise<void> {
  const h = new Histogram();
  let requests = 0;
  let pages = 0;
  let errors = 0;
  let rows = 0;
  const stopAt = Date.now() + c.durationMs;
  const workers = clients.slice(0, c.concurrency);
  await Promise.all(
    workers.map(async (client) => {
      const range = c.ranges[client.spec.group];
      if (!range) return;
      while (Date.now() < stopAt && requests < c.maxRequests) {
        requests++;
        // A random page: `before` anywhere in the group's id range.
        const ms = range[0] + c.limit + Math.floor(Math.random() * (range[1] - range[0] - c.limit));
        const t0 = nowUs();
        try {
          const r = (await client.call('message.history', { groupId: client.spec.group, before: `${ms}-0`, limit: c.limit })) as { messages: unknown[] };
          h.record(nowUs() - t0);
          pages++;
          rows += r.messages.length;
        } catch {
          errors++;
        }
      }
    }),
  );
  send({ ev: 'history', requests, pages, errors, latency: h.toJSON(), rows });
}

/** Every chosen client joins one more group (the clients stay members of the groups they had). */
async function joinMore(c: Extract<Command, { cmd: 'join' }>): Promise<void> {
  const join = new Histogram();
  const errors: string[] = [];
  const chosen = c.clients === 'all' ? clients : c.clients.map((i) => clients[i]).filter((x): x is Client => x !== undefined);
  const deadline = Date.now() + c.timeoutMs;
  let joined = 0;
  let failed = 0;
  await pool(chosen, c.concurrency, async (client) => {
    if (Date.now() > deadline) {
      failed++;
      return;
    }
    const t0 = nowUs();
    try {
      await client.call('group.join', { groupId: c.group, limit: 0 });
      join.record(nowUs() - t0);
      joined++;
    } catch (e) {
      failed++;
      if (errors.length < 5) errors.push(`${client.spec.user}: ${(e as Error).message}`);
    }
  });
  send({ ev: 'joined', joined, failed, join: join.toJSON(), errors });
}

/**
 * One client sends `messages` messages to `group`, one every gapMs whatever
 * the fan-out is doing (no window: each message is timed on its own).
 */
async function blast(c: Extract<Command, { cmd: 'blast' }>): Promise<void> {
  const client = clients[c.client];
  if (!client) throw new Error(`blast: no client ${c.client}`);
  const pad = 'x'.repeat(Math.max(0, c.textBytes - 20));
  let acked = 0;
  let ackErrors = 0;
  const errors: string[] = [];
  const acks: Promise<void>[] = [];
  for (let i = 0; i < c.messages; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, c.gapMs));
    acks.push(
      client.send(c.group, `${nowUs().toFixed(1)}:${pad}`).then(
        () => void acked++,
        (e: Error) => {
          ackErrors++;
          if (errors.length < 5) errors.push(e.message);
        },
      ),
    );
  }
  await Promise.all(acks);
  send({ ev: 'blasted', sent: c.messages, acked, ackErrors, errors });
}

process.on('message', (m: Command) => {
  const go = async () => {
    switch (m.cmd) {
      case 'setup':
        return setup(m);
      case 'run':
        return run(m);
      case 'report':
        return send({ ev: 'report', received, latency: latency.toJSON(), lastAtMs, closed: clients.filter((c) => c.closed).length, lastByMessage: lastByMessage ? [...lastByMessage] : [] });
      case 'reset':
        received = 0;
        lastAtMs = 0;
        latency = new Histogram();
        lastByMessage = m.trackLast ? new Map() : null;
        return;
      case 'join':
        return joinMore(m);
      case 'blast':
        return blast(m);
      case 'history':
        return history(m);
      case 'close':
        for (const c of clients) c.close();
        setTimeout(() => process.exit(0), 100);
        return;
    }
  };
  go().catch((e: Error) => send({ ev: 'error', message: e.stack ?? e.message }));
});
process.on('disconnect', () => process.exit(0));
