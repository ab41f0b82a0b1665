/**
 * A scripted WHATWG-style WebSocket for driving NextChatClient through the
 * `WebSocket` option (the browser path): the test opens, answers, pushes
 * notifications and drops connections by hand.
 */
import type { WebSocketLike } from '../../../packages/client/src/index.js';

type Listener = (event: never) => void;

export interface SentRequest {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params: Record<string, unknown>;
}

export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  static onCreate: ((s: FakeSocket) => void) | undefined;
  readyState = 0;
  readonly url: string;
  readonly sent: SentRequest[] = [];
  #listeners = new Map<string, Listener[]>();
  #onSend: ((req: SentRequest) => void) | undefined;

  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
    queueMicrotask(() => FakeSocket.onCreate?.(this));
  }

  static reset(): void {
    FakeSocket.instances = [];
    FakeSocket.onCreate = undefined;
  }

  static get last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  addEventListener(type: string, listener: Listener): void {
    const l = this.#listeners.get(type) ?? [];
    l.push(listener);
    this.#listeners.set(type, l);
  }

  #fire(type: string, event: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }

  send(data: string): void {
    const req = JSON.parse(data) as SentRequest;
    this.sent.push(req);
    this.#onSend?.(req);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.#fire('close', { code, reason }));
  }

  // ---- test controls ----

  open(): void {
    this.readyState = 1;
    this.#fire('open', {});
  }

  /** Answers requests with `handler` from now on. */
  serve(handler: (req: SentRequest) => void): void {
    this.#onSend = handler;
  }

  reply(id: number, result: unknown): void {
    this.push({ jsonrpc: '2.0', id, result });
  }

  fail(id: number, error: { code: number; message: string; data?: Record<string, unknown> }): void {
    this.push({ jsonrpc: '2.0', id, error });
  }

  push(frame: unknown): void {
    this.#fire('message', { data: JSON.stringify(frame) });
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.#fire('close', { code, reason });
  }
}
