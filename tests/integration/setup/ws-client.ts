/**
 * A raw JSON-RPC-over-WebSocket test client: frames exactly as the protocol
 * page shows them, no SDK in between, so protocol tests test the hub alone.
 */
import WebSocket from 'ws';
import type { Message, MemberEvent } from '@next-chat/core';

export interface RpcErrorShape {
  code: number;
  message: string;
  data?: { reason: string; field?: string; retryAfterMs?: number; [k: string]: unknown };
}

export interface Frame {
  jsonrpc: '2.0';
  id?: string | number | null;
  result?: unknown;
  error?: RpcErrorShape;
  method?: string;
  params?: unknown;
}

export class CallError extends Error {
  constructor(readonly error: RpcErrorShape) {
    super(`${error.code} ${error.message}`);
  }
  get code(): number {
    return this.error.code;
  }
}

export class TestClient {
  readonly frames: Frame[] = [];
  readonly notifications: Frame[] = [];
  private nextId = 1;
  private readonly pending = new Map<string | number, { resolve: (f: Frame) => void }>();
  private readonly waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as Frame));
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
  }

  static async connect(url: string, token?: string, opts: { query?: boolean } = {}): Promise<TestClient> {
    const target = token !== undefined && opts.query ? `${url}?access_token=${encodeURIComponent(token)}` : url;
    const headers = token !== undefined && !opts.query ? { Authorization: token } : undefined;
    const ws = new WebSocket(target, { headers });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  private onFrame(f: Frame): void {
    this.frames.push(f);
    if (f.method !== undefined && f.id === undefined) this.notifications.push(f);
    if (f.id !== undefined && f.id !== null && this.pending.has(f.id)) {
      const p = this.pending.get(f.id);
      this.pending.delete(f.id);
      p?.resolve(f);
    }
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i] as (typeof this.waiters)[number];
      if (w.pred(f)) {
        this.waiters.splice(i, 1);
        w.resolve(f);
      } else i++;
    }
  }

  /** Sends a request and resolves with the whole response frame. */
  request(method: string, params?: unknown): Promise<Frame> {
    const id = this.nextId++;
    const frame: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (params !== undefined) frame.params = params;
    return this.sendFrame(frame, id);
  }

  sendFrame(frame: unknown, id: string | number): Promise<Frame> {
    const p = new Promise<Frame>((resolve) => this.pending.set(id, { resolve }));
    this.ws.send(JSON.stringify(frame));
    return p;
  }

  /** Resolves with the result, rejects with CallError. */
  async call<T = any>(method: string, params?: unknown): Promise<T> {
    const f = await this.request(method, params);
    if (f.error) throw new CallError(f.error);
    return f.result as T;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame (already received or future) that matches, in arrival order. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 10_000, fromIndex = 0): Promise<Frame> {
    const seen = this.frames.slice(fromIndex).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  messages(groupId?: string): Message[] {
    return this.notifications
      .filter((f) => f.method === 'message' && (groupId === undefined || (f.params as Message).groupId === groupId))
      .map((f) => f.params as Message);
  }

  memberEvents(kind: 'member.joined' | 'member.left'): MemberEvent[] {
    return this.notifications.filter((f) => f.method === kind).map((f) => f.params as MemberEvent);
  }

  /** Resolves once `n` messages of `groupId` have arrived. */
  async waitForMessages(groupId: string, n: number, timeoutMs = 15_000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages(groupId).length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`got ${this.messages(groupId).length} of ${n} messages in ${groupId}`);
      await this.waitFor((f) => f.method === 'message', left, this.frames.length).catch(() => undefined);
    }
    return this.messages(groupId);
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with the HTTP status and body of a refused upgrade. */
export function upgradeRefusal(url: string, headers?: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

let counter = 0;
/** A group or user id unique to this run. */
export function uid(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
