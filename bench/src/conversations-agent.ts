/**
 * Child process of the conversations scenario (conversations.ts), forked
 * once per engine so the client and the hub never share an event loop.
 * Driven over IPC:
 *
 *   seed  → the author creates the rooms, the user joins them (on seeding
 *           connections, closed again), the peers open direct
 *           conversations with the user, and everyone but the user writes
 *           `messages` messages into each conversation           → seeded
 *   list  → me.conversations from the user's measuring connection, one
 *           call at a time: the first page `repeat` times, or (walk) every
 *           page until `next` is null, `repeat` times; every answer is
 *           checked against what the agent knows                  → list
 *   calls → message.read (message `k` of every conversation, for each k of
 *           a range, so every read moves the marker by one) or
 *           message.send (a round over every conversation), pipelined with
 *           `window` in flight on the measuring connection; answers
 *           checked                                              → calls
 *   close → close everything and exit
 *
 * The measuring connection joins nothing: it is a client showing its
 * conversation list. Every loop is bounded in count and in time; every call
 * has a timeout.
 */
import WebSocket from 'ws';
import { Histogram } from './stats.js';

export type ConvCommand =
  | { cmd: 'seed'; url: string; user: string; author: string; rooms: number; directs: number; messages: number; textBytes: number; window: number; timeoutMs: number }
  | { cmd: 'list'; limit: number; walk: boolean; repeat: number; maxMs: number }
  | { cmd: 'calls'; method: 'message.read'; from: number; to: number; window: number; maxMs: number }
  | { cmd: 'calls'; method: 'message.send'; rounds: number; window: number; textBytes: number; maxMs: number }
  | { cmd: 'close' };

type HistJSON = ReturnType<Histogram['toJSON']>;

export type ConvEvent =
  | { ev: 'seeded'; conversations: number; rooms: number; directs: number; messages: number; seconds: number; sendSeconds: number; errors: string[] }
  | { ev: 'list'; calls: number; errors: number; latency: HistJSON; walks: number; walk: HistJSON; pagesPerWalk: number; seen: number; bytes: number; problems: string[] }
  | { ev: 'calls'; calls: number; errors: number; latency: HistJSON; seconds: number; problems: string[] }
  | { ev: 'error'; message: string };

const CALL_TIMEOUT_MS = 30_000;
const MAX_PROBLEMS = 10;

function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

function send(e: ConvEvent): void {
  process.send?.(e);
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${code} ${message}`);
  }
}

/** A JSON-RPC connection; answers parsed, notifications only counted. */
class Conn {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: { result: unknown; bytes: number }) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  notifications = 0;
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      if (s.startsWith('{"jsonrpc":"2.0","method":')) {
        this.notifications++;
        return;
      }
      const f = JSON.parse(s) as { id?: number; result?: unknown; error?: { code: number; message: string } };
      if (typeof f.id !== 'number') return;
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.error) p.reject(new RpcError(f.error.code, f.error.message));
      else p.resolve({ result: f.result, bytes: data.length });
    });
    ws.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('closed'));
      }
      this.pending.clear();
    });
    ws.on('error', () => {});
  }

  static open(url: string, user: string): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { Authorization: user }, perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10_000 });
      const c = new Conn(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** The result and the size of the answer frame in bytes. */
  callRaw(method: string, params: Record<string, unknown>): Promise<{ result: unknown; bytes: number }> {
    if (this.closed) return Promise.reject(new Error('closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    return (await this.callRaw(method, params)).result as T;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; stops taking new items after `deadline`. */
async function pool<T>(items: readonly T[], limit: number, deadline: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

interface Msg {
  id: string;
  authorId: string;
}

interface WireMessage {
  id: string;
  groupId: string;
  authorId: string;
  text: string;
}

interface WireConversation {
  group: { id: string; kind: string };
  role: string;
  readUpTo: string | null;
  unread: number;
  lastMessage: WireMessage | null;
}

/** What the agent knows of each conversation, to check every answer against. */
interface Known {
  kind: 'room' | 'direct';
  /** The group's messages in order: the seeded ones, then the user's sends. */
  msgs: Msg[];
  /** How many of `msgs` the user's marker covers (it points at msgs[read - 1]). */
  read: number;
}

let user = '';
let conn: Conn | undefined;
const others: Conn[] = [];
/** Conversations in a fixed order (rooms, then directs): the order reads and sends go round. */
let order: string[] = [];
const known = new Map<string, Known>();

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

async function seed(c: Extract<ConvCommand, { cmd: 'seed' }>): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + c.timeoutMs;
  const errors: string[] = [];
  const note = (e: unknown) => {
    if (errors.length < MAX_PROBLEMS) errors.push((e as Error).message);
  };
  user = c.user;
  const rooms = Array.from({ length: c.rooms }, (_, i) => `conv-${String(i).padStart(4, '0')}`);
  // At most NEXT_CHAT_MAX_GROUPS_PER_CONNECTION (1,000) subscriptions per connection: joins go over connections of 500.
  const PER_CONN = 500;
  const chunks = Math.ceil(rooms.length / PER_CONN);
  const authorConns = await Promise.all(Array.from({ length: chunks }, () => Conn.open(c.url, c.author)));
  others.push(...authorConns);
  const creator = authorConns[0] as Conn;
  await pool(rooms, 32, deadline, async (g, i) => {
    await creator.call('group.create', { groupId: g, title: `Room ${i}`, topic: 'conversations bench' }).catch(note);
  });
  // The user joins every room (membership outlives the connection), then the author does.
  const userSeeders = await Promise.all(Array.from({ length: chunks }, () => Conn.open(c.url, c.user)));
  await pool(rooms, 32, deadline, async (g, i) => {
    await (userSeeders[Math.floor(i / PER_CONN)] as Conn).call('group.join', { groupId: g, limit: 0 }).catch(note);
  });
  for (const s of userSeeders) s.close();
  await pool(rooms, 32, deadline, async (g, i) => {
    await (authorConns[Math.floor(i / PER_CONN)] as Conn).call('group.join', { groupId: g, limit: 0 }).catch(note);
  });
  const writerOf = new Map<string, Conn>();
  rooms.forEach((g, i) => {
    writerOf.set(g, authorConns[Math.floor(i / PER_CONN)] as Conn);
    known.set(g, { kind: 'room', msgs: [], read: 0 });
  });
  // Direct conversations: each peer opens one with the user (both are members from then on).
  const directs: string[] = [];
  for (let p = 0; p < c.directs; p++) {
    const peer = await Conn.open(c.url, `${c.author}-peer-${p}`);
    others.push(peer);
    try {
      const r = await peer.call<{ group: { id: string } }>('direct.open', { userId: c.user, limit: 0 });
      directs.push(r.group.id);
      writerOf.set(r.group.id, peer);
      known.set(r.group.id, { kind: 'direct', msgs: [], read: 0 });
    } catch (e) {
      note(e);
    }
  }
  order = [...rooms, ...directs];
  // Messages: round k writes message k of every conversation, so no two sends to one group are in flight at once.
  const s0 = Date.now();
  const pad = 'x'.repeat(Math.max(0, c.textBytes - 24));
  const items: { g: string; k: number }[] = [];
  for (let k = 0; k < c.messages; k++) for (const g of order) items.push({ g, k });
  let messages = 0;
  await pool(items, c.window, deadline, async ({ g, k }) => {
    try {
      const r = await (writerOf.get(g) as Conn).call<{ message: WireMessage }>('message.send', { groupId: g, text: `seed ${k} ${g} ${pad}` });
      (known.get(g) as Known).msgs[k] = { id: r.message.id, authorId: r.message.authorId };
      messages++;
    } catch (e) {
      note(e);
    }
  });
  const sendSeconds = (Date.now() - s0) / 1000;
  // Nobody but the user stays connected: what follows measures the user's calls alone.
  for (const o of others.splice(0)) o.close();
  conn = await Conn.open(c.url, c.user);
  send({ ev: 'seeded', conversations: order.length, rooms: rooms.length, directs: directs.length, messages, seconds: (Date.now() - t0) / 1000, sendSeconds, errors });
}

/** Checks one page against what the agent knows; problems are appended (bounded). */
function checkPage(page: { conversations: WireConversation[]; next: string | null }, limit: number, problems: string[], seen: Set<string>, prevLast: { id: string; g: string } | null): { id: string; g: string } | null {
  const bad = (s: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(s);
  };
  if (!Array.isArray(page.conversations)) {
    bad('conversations is not an array');
    return prevLast;
  }
  if (page.conversations.length > limit) bad(`page of ${page.conversations.length} for limit ${limit}`);
  let last = prevLast;
  for (const c of page.conversations) {
    const g = c.group?.id;
    const k = known.get(g);
    if (!k) {
      bad(`unknown conversation ${g}`);
      continue;
    }
    if (seen.has(g)) bad(`${g} listed twice`);
    seen.add(g);
    const newest = k.msgs[k.msgs.length - 1];
    if (c.group.kind !== k.kind) bad(`${g}: kind ${c.group.kind}, expected ${k.kind}`);
    if (c.role !== 'member') bad(`${g}: role ${c.role}`);
    const wantUnread = k.msgs.length - k.read;
    if (c.unread !== wantUnread) bad(`${g}: unread ${c.unread}, expected ${wantUnread}`);
    const wantRead = k.read > 0 ? (k.msgs[k.read - 1] as Msg).id : null;
    if (c.readUpTo !== wantRead) bad(`${g}: readUpTo ${c.readUpTo}, expected ${wantRead}`);
    if (!newest || !c.lastMessage) bad(`${g}: lastMessage ${JSON.stringify(c.lastMessage)}, expected ${newest?.id}`);
    else if (c.lastMessage.id !== newest.id || c.lastMessage.authorId !== newest.authorId || c.lastMessage.groupId !== g)
      bad(`${g}: lastMessage ${c.lastMessage.id} by ${c.lastMessage.authorId}, expected ${newest.id} by ${newest.authorId}`);
    // Latest activity first (every conversation has messages: activity is its newest message); equal ones by group id.
    if (newest && last) {
      const cmp = compareIds(newest.id, last.id);
      if (cmp > 0 || (cmp === 0 && g < last.g)) bad(`order: ${g} (${newest.id}) after ${last.g} (${last.id})`);
    }
    if (newest) last = { id: newest.id, g };
  }
  return last;
}

async function list(c: Extract<ConvCommand, { cmd: 'list' }>): Promise<void> {
  const me = conn as Conn;
  const latency = new Histogram();
  const walk = new Histogram();
  const problems: string[] = [];
  let calls = 0;
  let errors = 0;
  let walks = 0;
  let pagesPerWalk = 0;
  let seen = 0;
  let bytes = 0;
  const stopAt = Date.now() + c.maxMs;
  for (let r = 0; r < c.repeat && Date.now() < stopAt; r++) {
    const names = new Set<string>();
    let after: string | null = null;
    let last: { id: string; g: string } | null = null;
    let pages = 0;
    const w0 = nowUs();
    let failed = false;
    // A walk is bounded by the number of conversations (a page holds at least one unless it is the last).
    for (let p = 0; p <= order.length; p++) {
      const t0 = nowUs();
      let page: { conversations: WireConversation[]; next: string | null };
      try {
        const a = await me.callRaw('me.conversations', after === null ? { limit: c.limit } : { after, limit: c.limit });
        page = a.result as typeof page;
        bytes = Math.max(bytes, a.bytes);
      } catch (e) {
        errors++;
        failed = true;
        if (problems.length < MAX_PROBLEMS) problems.push(`me.conversations: ${(e as Error).message}`);
        break;
      }
      latency.record(nowUs() - t0);
      calls++;
      pages++;
      last = checkPage(page, c.limit, problems, names, last);
      if (!c.walk) {
        const want = Math.min(c.limit, order.length);
        if (page.conversations.length !== want && problems.length < MAX_PROBLEMS) problems.push(`first page holds ${page.conversations.length}, expected ${want}`);
        break;
      }
      if (page.next === null) break;
      if (page.conversations.length === 0 && problems.length < MAX_PROBLEMS) problems.push('an empty page with a next cursor');
      after = page.next;
    }
    if (c.walk && !failed) {
      walk.record(nowUs() - w0);
      walks++;
      pagesPerWalk = pages;
      if (names.size !== order.length && problems.length < MAX_PROBLEMS) problems.push(`a walk saw ${names.size} conversations, expected ${order.length}`);
    }
    seen = names.size;
  }
  send({ ev: 'list', calls, errors, latency: latency.toJSON(), walks, walk: walk.toJSON(), pagesPerWalk, seen, bytes, problems });
}

async function calls(c: Extract<ConvCommand, { cmd: 'calls' }>): Promise<void> {
  const me = conn as Conn;
  const latency = new Histogram();
  const problems: string[] = [];
  const bad = (s: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(s);
  };
  let n = 0;
  let errors = 0;
  const deadline = Date.now() + c.maxMs;
  const t0 = nowUs();
  if (c.method === 'message.read') {
    // Message k of every conversation, k by k: each read moves the marker by one.
    const items: { g: string; k: number }[] = [];
    for (let k = c.from; k < c.to; k++) for (const g of order) if ((known.get(g) as Known).msgs[k]) items.push({ g, k });
    await pool(items, c.window, deadline, async ({ g, k }) => {
      const kn = known.get(g) as Known;
      const m = kn.msgs[k] as Msg;
      const s = nowUs();
      try {
        const r = await me.call<{ readUpTo: string | null; unread: number }>('message.read', { groupId: g, messageId: m.id });
        latency.record(nowUs() - s);
        n++;
        kn.read = Math.max(kn.read, k + 1);
        const wantUnread = kn.msgs.length - kn.read;
        if (r.readUpTo !== m.id || r.unread !== wantUnread) bad(`${g}: read ${m.id} answered readUpTo ${r.readUpTo} unread ${r.unread}, expected ${m.id} and ${wantUnread}`);
      } catch (e) {
        errors++;
        bad(`message.read ${g} ${m.id}: ${(e as Error).message}`);
      }
    });
  } else {
    const pad = 'y'.repeat(Math.max(0, c.textBytes - 20));
    const items: string[] = [];
    for (let r = 0; r < c.rounds; r++) items.push(...order);
    await pool(items, c.window, deadline, async (g) => {
      const kn = known.get(g) as Known;
      const s = nowUs();
      try {
        const r = await me.call<{ message: WireMessage }>('message.send', { groupId: g, text: `${s.toFixed(1)}:${pad}` });
        latency.record(nowUs() - s);
        n++;
        kn.msgs.push({ id: r.message.id, authorId: r.message.authorId });
        // A send moves the sender's marker to it.
        kn.read = kn.msgs.length;
        if (r.message.authorId !== user || r.message.groupId !== g) bad(`${g}: send answered ${JSON.stringify(r.message).slice(0, 120)}`);
      } catch (e) {
        errors++;
        bad(`message.send ${g}: ${(e as Error).message}`);
      }
    });
  }
  send({ ev: 'calls', calls: n, errors, latency: latency.toJSON(), seconds: (nowUs() - t0) / 1e6, problems });
}

process.on('message', (m: ConvCommand) => {
  const go = async () => {
    switch (m.cmd) {
      case 'seed':
        return seed(m);
      case 'list':
        return list(m);
      case 'calls':
        return calls(m);
      case 'close':
        conn?.close();
        for (const o of others) o.close();
        setTimeout(() => process.exit(0), 100);
        return;
    }
  };
  go().catch((e: Error) => send({ ev: 'error', message: e.stack ?? e.message }));
});
process.on('disconnect', () => process.exit(0));
