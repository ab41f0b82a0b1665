/**
 * A tiny raw-WebSocket JSON-RPC 2.0 client of the suite's own, so the suite
 * stays black-box: it speaks exactly PROTOCOL.md and nothing of the SDK.
 * Every wait has a timeout and says what it waited for.
 */
import WebSocket from 'ws';
import type { Message, RpcErrorObject, RpcId } from '@next-chat/core';

export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/** A JSON-RPC error response, as an exception. */
export class RpcCallError extends Error {
  override name = 'RpcCallError';
  constructor(
    readonly method: string,
    readonly error: RpcErrorObject,
  ) {
    super(`${method} failed: ${error.code} ${error.message}${error.data ? ` ${JSON.stringify(error.data)}` : ''}`);
  }
  get code(): number {
    return this.error.code;
  }
}

export interface Frame {
  jsonrpc?: unknown;
  id?: RpcId;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: RpcErrorObject;
  [k: string]: unknown;
}

export interface UpgradeRefusal {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ConnectOptions {
  url: string;
  /** Sent as `Authorization: Bearer <token>`; omitted when undefined. */
  token?: string;
  /** Put the token into the `access_token` query parameter instead. */
  tokenInQuery?: boolean;
  timeoutMs: number;
  label?: string;
  /** The user this connection is for (checks compare it with authorId, createdBy...). */
  userId?: string;
}

/** Attempts to upgrade and expects an HTTP refusal; resolves with it. */
export function expectRefusal(opts: ConnectOptions): Promise<UpgradeRefusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(buildUrl(opts), { headers: authHeaders(opts), handshakeTimeout: opts.timeoutMs });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new CheckFailure(`no answer to the upgrade of ${opts.url} within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        ws.terminate();
      };
      res.once('end', done);
      res.once('error', done);
      res.once('close', done);
    });
    ws.on('open', () => {
      clearTimeout(timer);
      ws.close();
      reject(new CheckFailure(`expected the upgrade of ${opts.url} to be refused, but it was accepted`));
    });
    let refused = false;
    ws.once('unexpected-response', () => (refused = true));
    ws.on('error', (e) => {
      // 'unexpected-response' handles refusals; other errors are failures.
      if (!refused && !/Unexpected server response/.test(e.message)) {
        clearTimeout(timer);
        reject(new CheckFailure(`upgrade of ${opts.url}: ${e.message}`));
      }
    });
  });
}

function buildUrl(opts: ConnectOptions): string {
  if (!opts.tokenInQuery || opts.token === undefined) return opts.url;
  const u = new URL(opts.url);
  u.searchParams.set('access_token', opts.token);
  return u.toString();
}

function authHeaders(opts: ConnectOptions): Record<string, string> {
  return opts.token !== undefined && !opts.tokenInQuery ? { Authorization: `Bearer ${opts.token}` } : {};
}

type Waiter = { check: () => boolean };

export class RpcConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (f: Frame) => void; method: string }>();
  private readonly waiters = new Set<Waiter>();
  /** Every frame that is not the response to a call() (notifications, id-null errors, strays). */
  readonly frames: Frame[] = [];
  /** `message` notifications per group, in arrival order. */
  private readonly messagesByGroup = new Map<string, Message[]>();
  /** Called synchronously on every `message` notification (load check timestamps). */
  onMessage: ((m: Message) => void) | undefined;
  closed: { code: number; reason: string } | null = null;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
    readonly label: string,
    readonly timeoutMs: number,
    readonly userId: string,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(isBinary ? '<binary>' : data.toString()));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
      for (const [, p] of this.pending) p.resolve({ error: { code: -1, message: `connection closed (${code})` } });
      this.pending.clear();
    });
    ws.on('error', () => {
      /* close follows */
    });
  }

  static connect(opts: ConnectOptions): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(buildUrl(opts), {
        headers: authHeaders(opts),
        handshakeTimeout: opts.timeoutMs,
        perMessageDeflate: false,
      });
      const label = opts.label ?? opts.url;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new CheckFailure(`${label}: connecting to ${opts.url} took over ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      let refused = false;
      ws.once('unexpected-response', (_req, res) => {
        refused = true;
        clearTimeout(timer);
        const chunks: Buffer[] = [];
        const done = () => {
          reject(
            new CheckFailure(
              `${label}: upgrade of ${opts.url} refused with HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
            ),
          );
          ws.terminate();
        };
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', done);
        res.once('error', done);
        res.once('close', done);
      });
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new RpcConnection(ws, opts.url, label, opts.timeoutMs, opts.userId ?? opts.token ?? ''));
      });
      ws.on('error', (e) => {
        if (refused || /Unexpected server response/.test(e.message)) return;
        clearTimeout(timer);
        reject(new CheckFailure(`${label}: cannot connect to ${opts.url}: ${e.message}`));
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private onFrame(text: string): void {
    let f: Frame;
    try {
      const v: unknown = JSON.parse(text);
      f = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Frame) : { _raw: text };
    } catch {
      f = { _raw: text };
    }
    if (typeof f.id === 'number' && f.method === undefined && this.pending.has(f.id)) {
      const p = this.pending.get(f.id)!;
      this.pending.delete(f.id);
      p.resolve(f);
    } else {
      this.frames.push(f);
      if (f.method === 'message' && f.params && typeof f.params === 'object') {
        const m = f.params as Message;
        let list = this.messagesByGroup.get(m.groupId);
        if (!list) this.messagesByGroup.set(m.groupId, (list = []));
        list.push(m);
        this.onMessage?.(m);
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w.check();
  }

  /** Sends a request and resolves with the raw response frame (result or error). */
  request(method: string, params?: unknown, timeoutMs = this.timeoutMs): Promise<Frame> {
    const id = this.nextId++;
    const frame: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (params !== undefined) frame.params = params;
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new CheckFailure(`${this.label}: cannot call ${method}: connection is not open${this.closedText()}`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CheckFailure(`${this.label}: no response to ${method} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (f) => {
          clearTimeout(timer);
          if (f.error?.code === -1 && f.result === undefined && f.jsonrpc === undefined) {
            reject(new CheckFailure(`${this.label}: ${method}: ${f.error.message} before the response`));
          } else resolve(f);
        },
      });
      this.ws.send(JSON.stringify(frame));
    });
  }

  /**
   * Calls a method; resolves with `result`, rejects with RpcCallError.
   * 4029 (rate limited) is honoured: waits `data.retryAfterMs` and retries,
   * at most `maxRetries` times.
   */
  async call<T = unknown>(method: string, params?: unknown, opts: { maxRetries?: number } = {}): Promise<T> {
    const maxRetries = opts.maxRetries ?? 20;
    for (let attempt = 0; ; attempt++) {
      const f = await this.request(method, params);
      if (f.error) {
        if (isRetryable(f.error) && attempt < maxRetries) {
          const wait = Math.min(Math.max(Number(f.error.data?.retryAfterMs) || 100, 1), 5000);
          await sleep(wait);
          continue;
        }
        throw new RpcCallError(method, f.error);
      }
      if (!('result' in f)) throw new CheckFailure(`${this.label}: ${method}: response has neither result nor error: ${short(f)}`);
      return f.result as T;
    }
  }

  /** Calls and expects an error; returns it. */
  async callExpectError(method: string, params: unknown, what: string): Promise<RpcErrorObject> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const f = await this.request(method, params);
      if (f.error && isRetryable(f.error)) {
        await sleep(Math.min(Math.max(Number(f.error.data?.retryAfterMs) || 100, 1), 5000));
        continue;
      }
      if (!f.error) throw new CheckFailure(`${what}: expected an error from ${method}, got result ${short(f.result)}`);
      return f.error;
    }
    throw new CheckFailure(`${what}: still rate limited after 20 retries`);
  }

  /** Sends a raw text frame (bad JSON, batches...). */
  sendRaw(text: string): void {
    if (!this.isOpen) throw new CheckFailure(`${this.label}: cannot send: connection is not open${this.closedText()}`);
    this.ws.send(text);
  }

  /** Resolves when `cond()` is true, re-checked on every frame; rejects after the timeout naming `what`. */
  waitUntil(cond: () => boolean, what: string | (() => string), timeoutMs = this.timeoutMs): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          let ok = false;
          try {
            ok = cond();
          } catch (e) {
            finish();
            reject(e as Error);
            return false;
          }
          if (ok) {
            finish();
            resolve();
          } else if (this.closed) {
            finish();
            reject(new CheckFailure(`${this.label}: connection closed${this.closedText()} while waiting for ${describe(what)}`));
          }
          return ok;
        },
      };
      const timer = setTimeout(() => {
        finish();
        reject(new CheckFailure(`${this.label}: timed out after ${timeoutMs} ms waiting for ${describe(what)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** The `message` notifications received so far for a group (live array). */
  messages(groupId: string): Message[] {
    let list = this.messagesByGroup.get(groupId);
    if (!list) this.messagesByGroup.set(groupId, (list = []));
    return list;
  }

  /** Waits until at least `n` message notifications for the group have arrived; returns them. */
  async waitMessages(groupId: string, n: number, timeoutMs = this.timeoutMs): Promise<Message[]> {
    const list = this.messages(groupId);
    await this.waitUntil(
      () => list.length >= n,
      () => `${n} message notification(s) in group ${groupId} (got ${list.length})`,
      timeoutMs,
    );
    return list;
  }

  /** Waits for a frame (not a call response) matching `pred`, among those received so far or later. */
  async waitFrame(pred: (f: Frame) => boolean, what: string, timeoutMs = this.timeoutMs): Promise<Frame> {
    let found: Frame | undefined;
    await this.waitUntil(
      () => (found = this.frames.find(pred)) !== undefined,
      () => `${what} (frames so far: ${this.frames.slice(-5).map(short).join(' | ') || 'none'})`,
      timeoutMs,
    );
    return found!;
  }

  /** Waits for a notification of `method` matching `pred`. */
  waitNotification(method: string, pred: (p: Record<string, unknown>) => boolean, what: string, timeoutMs = this.timeoutMs) {
    return this.waitFrame(
      (f) => f.method === method && f.id === undefined && typeof f.params === 'object' && f.params !== null && pred(f.params as Record<string, unknown>),
      what,
      timeoutMs,
    );
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.ws.close(1000);
      } catch {
        clearTimeout(timer);
        this.ws.terminate();
        resolve();
      }
    });
  }

  private closedText(): string {
    return this.closed ? ` (closed with ${this.closed.code}${this.closed.reason ? ` ${this.closed.reason}` : ''})` : '';
  }
}

/**
 * A 4029 worth waiting for. PROTOCOL.md: wait data.retryAfterMs and send it
 * again. Except the groups-per-connection limit (docs/protocol.md), which
 * does not go away by waiting: the suite reports that one instead.
 */
export function isRetryable(e: RpcErrorObject): boolean {
  return e.code === 4029 && e.data?.limit !== 'groups_per_connection';
}

function describe(what: string | (() => string)): string {
  return typeof what === 'function' ? what() : what;
}

export function short(v: unknown, max = 300): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
