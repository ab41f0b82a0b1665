/**
 * One WebSocket connection, whatever the platform: the `ws` package in Node
 * (it can send the Authorization header and reports the HTTP status of a
 * refused upgrade), or any WHATWG-style WebSocket constructor (browsers, Deno,
 * Node's own global) which can only carry the token in the query string.
 *
 * The transport reports `open` at most once and `close` exactly once, whether
 * the socket ever opened or not; everything above it is a state machine fed by
 * those two calls.
 */
import { ConnectError } from './errors.js';
import { withAccessToken } from './url.js';

/** The part of a WHATWG WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
}

/** A WHATWG WebSocket constructor, e.g. `globalThis.WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface TransportHandlers {
  open(): void;
  message(text: string): void;
  /** `failure` is set when the socket never opened. */
  close(code: number, reason: string, failure?: ConnectError): void;
}

export interface TransportOptions {
  url: string;
  token: string | undefined;
  tokenIn: 'header' | 'query' | undefined;
  WebSocket: WebSocketConstructor | undefined;
  connectTimeoutMs: number;
  /** Close when nothing (not even a ping) arrived for this long; 0 disables. Node only. */
  idleTimeoutMs: number;
}

export interface Transport {
  send(text: string): void;
  /** Polite close (close frame). */
  close(code: number, reason: string): void;
  /** Drops the connection without a close handshake. */
  terminate(): void;
  readonly isOpen: boolean;
}

const OPEN = 1;
const MAX_ERROR_BODY = 4096;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

type WsModule = typeof import('ws');
let wsModule: Promise<WsModule> | undefined;
function loadWs(): Promise<WsModule> {
  // Imported lazily so that bundles for browsers never need `ws`.
  wsModule ??= import('ws');
  return wsModule;
}

/** Opens a connection; handlers are called asynchronously. */
export async function openTransport(opts: TransportOptions, handlers: TransportHandlers): Promise<Transport> {
  if (opts.WebSocket === undefined && isNode()) {
    const ws = await loadWs();
    return openWs(ws, opts, handlers);
  }
  const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new TypeError('No WebSocket implementation: pass the WebSocket option.');
  return openWhatwg(Ctor, opts, handlers);
}

function openWs(mod: WsModule, opts: TransportOptions, h: TransportHandlers): Transport {
  const tokenInQuery = opts.tokenIn === 'query';
  const url = opts.token !== undefined && tokenInQuery ? withAccessToken(opts.url, opts.token) : opts.url;
  const headers: Record<string, string> = {};
  if (opts.token !== undefined && !tokenInQuery) headers.authorization = `Bearer ${opts.token}`;
  const ws = new mod.WebSocket(url, { headers, handshakeTimeout: opts.connectTimeoutMs });

  let opened = false;
  let status: number | undefined;
  let body: string | undefined;
  let lastError: (Error & { code?: string }) | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const touch = () => {
    if (opts.idleTimeoutMs <= 0) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => ws.terminate(), opts.idleTimeoutMs);
    // Never keep a process alive only to watch an idle socket.
    idleTimer.unref?.();
  };

  ws.on('unexpected-response', (req, res) => {
    status = res.statusCode;
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    });
    const done = () => {
      body = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
      ws.terminate();
    };
    res.on('end', done);
    res.on('error', done);
    void req;
  });
  ws.on('open', () => {
    opened = true;
    touch();
    h.open();
  });
  ws.on('message', (data, isBinary) => {
    touch();
    if (isBinary) return;
    h.message(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
  });
  ws.on('ping', touch);
  ws.on('error', (err: Error & { code?: string }) => {
    lastError = err;
  });
  ws.on('close', (code, reasonBuf) => {
    if (idleTimer) clearTimeout(idleTimer);
    if (opened) {
      h.close(code, reasonBuf.toString('utf8'));
      return;
    }
    const failure = new ConnectError(opts.url, {
      status,
      body,
      errno: lastError?.code,
      cause: lastError,
    });
    h.close(code, reasonBuf.toString('utf8'), failure);
  });

  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    get isOpen() {
      return ws.readyState === OPEN;
    },
  };
}

function openWhatwg(Ctor: WebSocketConstructor, opts: TransportOptions, h: TransportHandlers): Transport {
  const url = opts.token !== undefined && opts.tokenIn !== 'header' ? withAccessToken(opts.url, opts.token) : opts.url;
  const ws = new Ctor(url);
  let opened = false;
  let closed = false;
  const timer = setTimeout(() => {
    if (!opened) ws.close();
  }, opts.connectTimeoutMs);

  ws.addEventListener('open', () => {
    opened = true;
    clearTimeout(timer);
    h.open();
  });
  ws.addEventListener('message', (ev: { data: unknown }) => {
    if (typeof ev.data === 'string') h.message(ev.data);
  });
  ws.addEventListener('close', (ev: { code: number; reason: string }) => {
    clearTimeout(timer);
    if (closed) return;
    closed = true;
    if (opened) h.close(ev.code, ev.reason);
    // Browsers hide why a handshake failed (refused, 401, ...) on purpose.
    else h.close(ev.code, ev.reason, new ConnectError(opts.url, {}));
  });

  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    // A WHATWG socket has no abrupt close; 4000 is an application code.
    terminate: () => ws.close(4000, 'terminated by client'),
    get isOpen() {
      return ws.readyState === OPEN;
    },
  };
}
