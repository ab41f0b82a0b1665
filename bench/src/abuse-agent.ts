/**
 * Child process of the abuse scenario (abuse.ts), forked once per role and
 * phase so the bystander, the attacker and the hub never share an event
 * loop. Driven over IPC:
 *
 *   bystander-setup → connect as its own user, create and join a group → ready
 *   bystander-run   → sequential group.list {limit: 1}, one in flight, paced,
 *                     each round trip timed (5 s timeout)             → bystander
 *   attack-setup    → open the phase's attacking connections (if any) → ready
 *   attack-run      → flood for the phase, stop, collect what came back → attack
 *   close           → close everything and exit
 *
 * Everything connects to 127.0.0.1 only (the hub's URL and port come from
 * the parent, which started the hub there). Every loop is bounded in count
 * and in time.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { Histogram } from './stats.js';

export type FloodPhase = 'garbage-one-write' | 'garbage-steady' | 'pipelined-valid' | 'create-flood';
export type Phase = 'quiet' | FloodPhase;

export type AgentCommand =
  | { cmd: 'bystander-setup'; url: string; user: string; group: string }
  | { cmd: 'bystander-run'; durationMs: number; intervalMs: number; timeoutMs: number }
  | { cmd: 'attack-setup'; phase: FloodPhase; url: string; port: number; user: string; group: string }
  | { cmd: 'attack-run'; durationMs: number }
  | { cmd: 'close' };

type HistJSON = ReturnType<Histogram['toJSON']>;

/** What came back to a role's connections. */
export interface Tally {
  /** Answers (frames that are not notifications). */
  answers: number;
  /** Answers with a result. */
  ok: number;
  parseErrors: number;
  rateLimited: number;
  /** 4029 answers by data.limit. */
  limits: Record<string, number>;
  /** Error answers by code. */
  errorCodes: Record<string, number>;
  notifications: number;
  notificationBytes: number;
  bytesRead: number;
}

export interface BystanderResult {
  sent: number;
  answered: number;
  /** Of the answered, how many were errors (codes in `errorCodes`). */
  errorAnswers: number;
  errorCodes: Record<string, number>;
  timedOut: number;
  /** Requests lost to a closed connection, or not sent because it could not reconnect. */
  failed: number;
  /** Round trips of the answered requests, and the timed-out ones at the timeout. */
  latency: HistJSON;
  /** Closes by the hub during the run, ms after the run started. */
  closes: { code: number; atMs: number }[];
  reconnects: number;
  /** Refused reconnects, by HTTP status or error. */
  refused: Record<string, number>;
  notifications: number;
  notificationBytes: number;
}

export interface AttackResult {
  connectionsOpened: number;
  /** Upgrades the hub refused, by HTTP status (or error). */
  upgradesRefused: Record<string, number>;
  framesSent: number;
  bytesSent: number;
  tally: Tally;
  /** Requests that waited 5 s without an answer (pipelined-valid). */
  timeouts: number;
  /** Requests whose connection closed (or was dropped at the end) before an answer. */
  unanswered: number;
  /** Connections closed by the hub, by close code; raw sockets that ended without a close frame read: ECONNRESET, tcp-end. */
  closes: Record<string, number>;
  openAtEnd: number;
}

export type AgentEvent =
  | { ev: 'ready'; connected: number; errors: string[] }
  | { ev: 'bystander'; result: BystanderResult }
  | { ev: 'attack'; result: AttackResult }
  | { ev: 'error'; message: string };

const MAX_BUFFERED = 1024 * 1024;
/** Bytes a raw garbage connection reads before it stops reading (it "never reads much"). */
const RAW_READ_BUDGET = 256 * 1024;
const GARBAGE_FRAMES = 300_000;
const GARBAGE_EVERY_MS = 2000;
const STEADY_CONNECTIONS = 4;
const PIPELINED_CONNECTIONS = 6;
const PIPELINE_DEPTH = 100;
const CREATE_MAX_IN_FLIGHT = 5000;
/** Reopens of one attacking connection slot after the hub closed it. */
const MAX_REOPENS = 20;
const REQUEST_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const immediate = () => new Promise<void>((r) => setImmediate(r));

function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

function newTally(): Tally {
  return { answers: 0, ok: 0, parseErrors: 0, rateLimited: 0, limits: {}, errorCodes: {}, notifications: 0, notificationBytes: 0, bytesRead: 0 };
}

function bump(m: Record<string, number>, key: string | number, by = 1): void {
  m[String(key)] = (m[String(key)] ?? 0) + by;
}

function send(e: AgentEvent): void {
  process.send?.(e);
}

type Outcome = { kind: 'result' } | { kind: 'error'; code: number } | { kind: 'timeout' } | { kind: 'closed' };

interface Answer {
  id?: number | string | null;
  result?: unknown;
  error?: { code?: number; data?: { limit?: string } };
}

const NOTIFICATION_PREFIX = Buffer.from('{"jsonrpc":"2.0","method":"');

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Counts one answer frame's text into `t`; the parsed answer when it carries an id. */
function countAnswer(t: Tally, text: Buffer): Answer | undefined {
  t.answers++;
  // Parse errors (id null) come by the thousand in the garbage phases: counted without JSON.parse.
  if (text.includes('"id":null') && text.includes('"code":-32700')) {
    t.parseErrors++;
    bump(t.errorCodes, -32700);
    return undefined;
  }
  let a: Answer;
  try {
    a = JSON.parse(text.toString()) as Answer;
  } catch {
    bump(t.errorCodes, 'unparsable');
    return undefined;
  }
  if (a.error) {
    const code = a.error.code ?? 0;
    bump(t.errorCodes, code);
    if (code === -32700) t.parseErrors++;
    if (code === 4029) {
      t.rateLimited++;
      bump(t.limits, a.error.data?.limit ?? '?');
    }
  } else t.ok++;
  return a;
}

/** A JSON-RPC connection over the ws package, for the bystander and the well-formed attackers. */
class RpcConn {
  private nextId = 1;
  private readonly pending = new Map<number, (o: Outcome) => void>();
  closed = false;
  private selfClosed = false;
  onClose: (code: number) => void = () => {};

  private constructor(
    readonly ws: WebSocket,
    private readonly tally: () => Tally,
  ) {
    ws.on('message', (data: WebSocket.RawData) => {
      const buf = toBuffer(data);
      const t = this.tally();
      t.bytesRead += buf.length;
      if (buf.length >= NOTIFICATION_PREFIX.length && buf.subarray(0, NOTIFICATION_PREFIX.length).equals(NOTIFICATION_PREFIX)) {
        t.notifications++;
        t.notificationBytes += buf.length;
        return;
      }
      const a = countAnswer(t, buf);
      if (!a || typeof a.id !== 'number') return;
      const done = this.pending.get(a.id);
      if (done) done(a.error ? { kind: 'error', code: a.error.code ?? 0 } : { kind: 'result' });
    });
    ws.on('close', (code: number) => {
      this.closed = true;
      for (const done of [...this.pending.values()]) done({ kind: 'closed' });
      this.pending.clear();
      if (!this.selfClosed) this.onClose(code);
    });
    ws.on('error', () => {});
  }

  /** Opens a connection as `user`; a string says why not (HTTP status or error). */
  static open(url: string, user: string, tally: () => Tally, timeoutMs = 5000): Promise<RpcConn | string> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { headers: { Authorization: user }, perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
      const conn = new RpcConn(ws, tally);
      let settled = false;
      const settle = (v: RpcConn | string) => {
        if (settled) return;
        settled = true;
        resolve(v);
      };
      ws.once('open', () => settle(conn));
      ws.once('unexpected-response', (req, res) => {
        settle(`http-${res.statusCode ?? 0}`);
        req.destroy();
      });
      ws.once('error', (e: Error & { code?: string }) => settle(e.code ?? 'error'));
      ws.once('close', () => settle('closed'));
    });
  }

  get inflight(): number {
    return this.pending.size;
  }

  /** The hub has started closing it (a close frame came in) but the TCP connection is not gone yet. */
  get closing(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.CLOSING;
  }

  get writable(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a request (params already JSON); resolves with its outcome. timeoutMs 0: no timeout. */
  call(method: string, paramsJson: string, timeoutMs: number): Promise<Outcome> {
    if (!this.writable) return Promise.resolve({ kind: 'closed' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (o: Outcome) => {
        if (timer) clearTimeout(timer);
        this.pending.delete(id);
        resolve(o);
      };
      if (timeoutMs > 0) timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      this.pending.set(id, done);
      this.ws.send(`{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${paramsJson}}`);
    });
  }

  terminate(): void {
    this.selfClosed = true;
    this.ws.terminate();
  }
}

/**
 * A WebSocket client written by hand on a raw TCP socket: the upgrade, then
 * whatever bytes the attacker likes. Reads and parses server frames until
 * RAW_READ_BUDGET, then stops reading (the hub's answers pile up on its
 * side); finish() reads again briefly to see how the hub ended it.
 */
class RawConn {
  private head: Buffer | null = Buffer.alloc(0);
  private pending = Buffer.alloc(0);
  private read = 0;
  private draining = false;
  closeCode: number | null = null;
  endedBy: string | null = null;
  closed = false;
  private onClosed: () => void = () => {};

  private constructor(
    readonly socket: net.Socket,
    private readonly tally: Tally,
    private readonly upgraded: (status: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => (this.endedBy ??= 'tcp-end'));
    socket.on('error', (e: Error & { code?: string }) => (this.endedBy ??= e.code ?? 'error'));
    socket.on('close', () => {
      this.closed = true;
      this.upgraded('closed');
      this.onClosed();
    });
  }

  static open(port: number, user: string, tally: Tally, timeoutMs = 5000): Promise<RawConn | string> {
    return new Promise((resolve) => {
      let conn: RawConn | undefined = undefined;
      let settled = false;
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      const settle = (status: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (status === '101' && conn) resolve(conn);
        else {
          socket.destroy();
          resolve(status === 'closed' ? 'closed' : `http-${status}`);
        }
      };
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET /next-chat HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: ${user}\r\n\r\n`,
        );
      });
      socket.setNoDelay(true);
      conn = new RawConn(socket, tally, settle);
    });
  }

  private onData(chunk: Buffer): void {
    this.read += chunk.length;
    this.tally.bytesRead += chunk.length;
    let data = chunk;
    if (this.head) {
      const h = Buffer.concat([this.head, data]);
      const end = h.indexOf('\r\n\r\n');
      if (end < 0) {
        this.head = h.length > 16_384 ? null : h;
        return;
      }
      this.head = null;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(h.subarray(0, end).toString('latin1'))?.[1] ?? '0';
      this.upgraded(status);
      if (status !== '101') return;
      data = h.subarray(end + 4);
    }
    this.frames(data);
    if (!this.draining && this.read > RAW_READ_BUDGET) this.socket.pause();
  }

  /** Server frames are unmasked; text frames are counted as answers, a close frame's code kept. */
  private frames(data: Buffer): void {
    if (data.length === 0) return;
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    let p = 0;
    for (let i = 0; i < 10_000_000; i++) {
      const rem = buf.length - p;
      if (rem < 2) break;
      const opcode = buf[p] & 0x0f;
      let len = buf[p + 1] & 0x7f;
      let hl = 2;
      if (len === 126) {
        if (rem < 4) break;
        len = buf.readUInt16BE(p + 2);
        hl = 4;
      } else if (len === 127) {
        if (rem < 10) break;
        len = Number(buf.readBigUInt64BE(p + 2));
        hl = 10;
      }
      if (buf[p + 1] & 0x80) hl += 4;
      if (rem < hl + len) break;
      const payload = buf.subarray(p + hl, p + hl + len);
      if (opcode === 0x1) countAnswer(this.tally, payload);
      else if (opcode === 0x8) this.closeCode ??= payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      p += hl + len;
    }
    // Keep an incomplete frame for the next chunk (hub frames are small; a
    // runaway length is dropped rather than buffered).
    const left = buf.subarray(p);
    this.pending = left.length > 4 * 1024 * 1024 ? Buffer.alloc(0) : Buffer.from(left);
  }

  /** Reads again for up to `ms` to see the hub's close, then drops the socket. */
  async finish(ms: number): Promise<void> {
    this.draining = true;
    if (!this.closed && this.closeCode === null) {
      const closed = new Promise<void>((r) => (this.onClosed = r));
      this.socket.resume();
      await Promise.race([closed, sleep(ms)]);
    }
    this.socket.destroy();
  }
}

// ---- bystander -------------------------------------------------------------

interface BystanderState {
  url: string;
  user: string;
  group: string;
  conn: RpcConn | undefined;
  tally: Tally;
  closes: { code: number; atMs: number }[];
  runStartedAt: number;
}

let bystander: BystanderState | undefined;

async function bystanderConnect(b: BystanderState): Promise<string | undefined> {
  const c = await RpcConn.open(b.url, b.user, () => b.tally);
  if (typeof c === 'string') return c;
  c.onClose = (code) => b.closes.push({ code, atMs: Date.now() - b.runStartedAt });
  const j = await c.call('group.join', JSON.stringify({ groupId: b.group, limit: 0 }), REQUEST_TIMEOUT_MS);
  if (j.kind !== 'result') {
    c.terminate();
    return `join-${j.kind === 'error' ? j.code : j.kind}`;
  }
  b.conn = c;
  return undefined;
}

async function bystanderSetup(c: Extract<AgentCommand, { cmd: 'bystander-setup' }>): Promise<void> {
  const b: BystanderState = { url: c.url, user: c.user, group: c.group, conn: undefined, tally: newTally(), closes: [], runStartedAt: Date.now() };
  bystander = b;
  const admin = await RpcConn.open(c.url, c.user, () => b.tally);
  if (typeof admin === 'string') return send({ ev: 'ready', connected: 0, errors: [`bystander: ${admin}`] });
  const made = await admin.call('group.create', JSON.stringify({ groupId: c.group }), REQUEST_TIMEOUT_MS);
  admin.terminate();
  if (made.kind !== 'result' && !(made.kind === 'error' && made.code === 4009)) {
    return send({ ev: 'ready', connected: 0, errors: [`bystander: group.create ${made.kind === 'error' ? made.code : made.kind}`] });
  }
  const err = await bystanderConnect(b);
  send({ ev: 'ready', connected: err ? 0 : 1, errors: err ? [`bystander: ${err}`] : [] });
}

async function bystanderRun(c: Extract<AgentCommand, { cmd: 'bystander-run' }>): Promise<void> {
  const b = bystander;
  if (!b) throw new Error('bystander-run before bystander-setup');
  b.tally = newTally();
  b.closes = [];
  b.runStartedAt = Date.now();
  const latency = new Histogram();
  const r: BystanderResult = { sent: 0, answered: 0, errorAnswers: 0, errorCodes: {}, timedOut: 0, failed: 0, latency: latency.toJSON(), closes: [], reconnects: 0, refused: {}, notifications: 0, notificationBytes: 0 };
  const params = JSON.stringify({ limit: 1 });
  const stopAt = Date.now() + c.durationMs;
  const maxRequests = Math.ceil(c.durationMs / Math.max(1, c.intervalMs)) + 10;
  let next = Date.now();
  for (let i = 0; i < maxRequests && Date.now() < stopAt; i++) {
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    if (Date.now() >= stopAt) break;
    next = Date.now() + c.intervalMs;
    if (!b.conn || !b.conn.writable) {
      b.conn = undefined;
      if (r.reconnects >= 10) {
        r.failed++;
        continue;
      }
      r.reconnects++;
      const err = await bystanderConnect(b);
      if (err) {
        bump(r.refused, err);
        r.failed++;
        await sleep(100);
        continue;
      }
    }
    const conn = b.conn;
    if (!conn) {
      r.failed++;
      continue;
    }
    r.sent++;
    const t0 = nowUs();
    const o = await conn.call('group.list', params, c.timeoutMs);
    const us = nowUs() - t0;
    if (o.kind === 'result' || o.kind === 'error') {
      r.answered++;
      latency.record(us);
      if (o.kind === 'error') {
        r.errorAnswers++;
        bump(r.errorCodes, o.code);
      }
    } else if (o.kind === 'timeout') {
      // Counted at its timeout: a request that never came back is at least
      // that slow, and leaving it out would make a stalled phase look fast.
      r.timedOut++;
      latency.record(c.timeoutMs * 1000);
    } else r.failed++;
  }
  r.latency = latency.toJSON();
  r.closes = b.closes;
  r.notifications = b.tally.notifications;
  r.notificationBytes = b.tally.notificationBytes;
  send({ ev: 'bystander', result: r });
}

// ---- attacker --------------------------------------------------------------

interface Attack {
  phase: FloodPhase;
  url: string;
  port: number;
  user: string;
  group: string;
  slots: (RpcConn | undefined)[];
  /** Every connection opened, for the tally of how each ended. */
  all: RpcConn[];
  reopens: number[];
  raw: RawConn[];
  r: AttackResult;
}

let attack: Attack | undefined;

function newAttackResult(): AttackResult {
  return { connectionsOpened: 0, upgradesRefused: {}, framesSent: 0, bytesSent: 0, tally: newTally(), timeouts: 0, unanswered: 0, closes: {}, openAtEnd: 0 };
}

/** Opens slot `i` (joining the group for pipelined-valid); undefined when refused. */
async function openSlot(a: Attack, i: number): Promise<RpcConn | undefined> {
  const c = await RpcConn.open(a.url, a.user, () => a.r.tally);
  if (typeof c === 'string') {
    bump(a.r.upgradesRefused, c);
    return undefined;
  }
  a.r.connectionsOpened++;
  a.all.push(c);
  c.onClose = (code) => bump(a.r.closes, code);
  if (a.phase === 'pipelined-valid') {
    const j = await c.call('group.join', JSON.stringify({ groupId: a.group, limit: 0 }), REQUEST_TIMEOUT_MS);
    if (j.kind !== 'result') {
      bump(a.r.upgradesRefused, `join-${j.kind === 'error' ? j.code : j.kind}`);
      if (c.writable) a.slots[i] = c;
      return c.writable ? c : undefined;
    }
  }
  a.slots[i] = c;
  return c;
}

/** Slot `i`, reopened (after a pause, at most MAX_REOPENS times) when the hub closed it. */
async function ensureSlot(a: Attack, i: number): Promise<RpcConn | undefined> {
  const c = a.slots[i];
  if (c && c.writable) return c;
  a.slots[i] = undefined;
  if (a.reopens[i] >= MAX_REOPENS) return undefined;
  a.reopens[i]++;
  await sleep(100);
  return openSlot(a, i);
}

async function attackSetup(c: Extract<AgentCommand, { cmd: 'attack-setup' }>): Promise<void> {
  const n = c.phase === 'garbage-steady' ? STEADY_CONNECTIONS : c.phase === 'pipelined-valid' ? PIPELINED_CONNECTIONS : c.phase === 'create-flood' ? 1 : 0;
  const a: Attack = { phase: c.phase, url: c.url, port: c.port, user: c.user, group: c.group, slots: new Array<RpcConn | undefined>(n).fill(undefined), all: [], reopens: new Array<number>(n).fill(0), raw: [], r: newAttackResult() };
  attack = a;
  await Promise.all(Array.from({ length: n }, (_, i) => openSlot(a, i)));
  const connected = a.slots.filter((s) => s?.writable).length;
  send({ ev: 'ready', connected, errors: connected === n ? [] : [`attacker: ${connected}/${n} connected (${JSON.stringify(a.r.upgradesRefused)})`] });
}

/** 300,000 masked one-byte text frames `x`: 0x81, 0x81 (mask bit, length 1), 4 mask bytes, the masked byte. */
function garbageFrames(n: number): Buffer {
  const b = Buffer.allocUnsafe(n * 7);
  const masks = randomBytes(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 7;
    b[o] = 0x81;
    b[o + 1] = 0x81;
    masks.copy(b, o + 2, i * 4, i * 4 + 4);
    b[o + 6] = 0x78 ^ masks[i * 4];
  }
  return b;
}

async function garbageOneWrite(a: Attack, stopAt: number): Promise<void> {
  const frames = garbageFrames(GARBAGE_FRAMES);
  for (let i = 0; i < 20 && Date.now() < stopAt; i++) {
    const startedAt = Date.now();
    const c = await RawConn.open(a.port, a.user, a.r.tally);
    if (typeof c === 'string') bump(a.r.upgradesRefused, c);
    else {
      a.r.connectionsOpened++;
      a.raw.push(c);
      c.socket.write(frames);
      a.r.framesSent += GARBAGE_FRAMES;
      a.r.bytesSent += frames.length;
    }
    const wait = Math.min(stopAt, startedAt + GARBAGE_EVERY_MS) - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

async function garbageSteady(a: Attack, stopAt: number): Promise<void> {
  const x = Buffer.from('x');
  await Promise.all(
    a.slots.map(async (_, i) => {
      for (let iter = 0; iter < 10_000_000 && Date.now() < stopAt; iter++) {
        const c = await ensureSlot(a, i);
        if (!c) {
          await sleep(50);
          continue;
        }
        let n = 0;
        while (n < 2000 && c.writable && c.ws.bufferedAmount < MAX_BUFFERED) {
          c.ws.send(x, { binary: false });
          n++;
        }
        a.r.framesSent += n;
        a.r.bytesSent += n * 7;
        if (c.ws.bufferedAmount >= MAX_BUFFERED) await sleep(1);
        else await immediate();
      }
    }),
  );
}

async function pipelinedValid(a: Attack, stopAt: number): Promise<void> {
  // 4000 code points, 16,000 bytes of UTF-8: the longest text the protocol allows.
  const params = JSON.stringify({ groupId: a.group, text: '\u{1F600}'.repeat(4000) });
  const frameBytes = Buffer.byteLength(params) + 60;
  await Promise.all(
    a.slots.map(async (_, i) => {
      for (let round = 0; round < 1000 && Date.now() < stopAt; round++) {
        const c = await ensureSlot(a, i);
        if (!c) {
          await sleep(50);
          continue;
        }
        const outcomes: Promise<void>[] = [];
        for (let k = 0; k < PIPELINE_DEPTH; k++) {
          a.r.framesSent++;
          a.r.bytesSent += frameBytes;
          outcomes.push(
            c.call('message.send', params, REQUEST_TIMEOUT_MS).then((o) => {
              if (o.kind === 'timeout') a.r.timeouts++;
              else if (o.kind === 'closed') a.r.unanswered++;
            }),
          );
        }
        await Promise.all(outcomes);
      }
    }),
  );
}

async function createFlood(a: Attack, stopAt: number): Promise<void> {
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let k = 0;
  for (let iter = 0; iter < 10_000_000 && Date.now() < stopAt; iter++) {
    const c = await ensureSlot(a, 0);
    if (!c) {
      await sleep(50);
      continue;
    }
    let n = 0;
    while (n < 500 && c.writable && c.inflight < CREATE_MAX_IN_FLIGHT && c.ws.bufferedAmount < MAX_BUFFERED) {
      const params = `{"groupId":"cf-${tag}-${k++}"}`;
      a.r.bytesSent += params.length + 60;
      void c.call('group.create', params, 0).then((o) => {
        if (o.kind === 'closed') a.r.unanswered++;
      });
      n++;
    }
    a.r.framesSent += n;
    if (n === 0) await sleep(1);
    else await immediate();
  }
}

async function attackRun(c: Extract<AgentCommand, { cmd: 'attack-run' }>): Promise<void> {
  const a = attack;
  if (!a) throw new Error('attack-run before attack-setup');
  // Only what the flood itself caused is counted.
  const opened = a.r.connectionsOpened;
  a.r = newAttackResult();
  a.r.connectionsOpened = opened;
  a.all = a.all.filter((s) => s.writable);
  const stopAt = Date.now() + c.durationMs;
  if (a.phase === 'garbage-one-write') await garbageOneWrite(a, stopAt);
  else if (a.phase === 'garbage-steady') await garbageSteady(a, stopAt);
  else if (a.phase === 'pipelined-valid') await pipelinedValid(a, stopAt);
  else await createFlood(a, stopAt);
  // A short grace for answers still on their way (bounded), then everything is dropped.
  for (let i = 0; i < 25 && a.slots.some((s) => s && s.writable && s.inflight > 0); i++) await sleep(20);
  await Promise.all(a.raw.map((r) => r.finish(500)));
  for (const r of a.raw) {
    if (r.closeCode !== null) bump(a.r.closes, r.closeCode);
    else if (r.endedBy !== null) bump(a.r.closes, r.endedBy);
    else a.r.openAtEnd++;
  }
  // Connections the hub is closing (it sent a close frame, and holds the
  // socket until its close grace ends) get a moment to finish; the rest are
  // counted as 'closing' (the code is only known once the socket closes).
  for (let i = 0; i < 50 && a.all.some((s) => s.closing); i++) await sleep(20);
  for (const s of a.all) {
    if (s.writable) {
      a.r.openAtEnd++;
      s.terminate();
    } else if (s.closing) {
      bump(a.r.closes, 'closing');
      s.terminate();
    }
  }
  send({ ev: 'attack', result: a.r });
}

process.on('message', (m: AgentCommand) => {
  const go = async () => {
    switch (m.cmd) {
      case 'bystander-setup':
        return bystanderSetup(m);
      case 'bystander-run':
        return bystanderRun(m);
      case 'attack-setup':
        return attackSetup(m);
      case 'attack-run':
        return attackRun(m);
      case 'close':
        bystander?.conn?.terminate();
        for (const s of attack?.all ?? []) s.terminate();
        for (const r of attack?.raw ?? []) r.socket.destroy();
        setTimeout(() => process.exit(0), 50);
        return;
    }
  };
  go().catch((e: Error) => send({ ev: 'error', message: e.stack ?? e.message }));
});
process.on('disconnect', () => process.exit(0));
