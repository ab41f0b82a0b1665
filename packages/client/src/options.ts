import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect.js';
import type { WebSocketConstructor } from './transport.js';
import { normalizeHubUrl } from './url.js';

/** Automatic reconnect settings. */
export interface ReconnectOptions extends BackoffOptions {
  /**
   * Attempts after a lost connection before giving up (the client then emits
   * `close` with `willReconnect: false`).
   * @default Infinity
   */
  maxAttempts?: number;
}

/** Options of {@link NextChatClient}. */
export interface ClientOptions {
  /**
   * The hub's endpoint, e.g. `ws://localhost:5000/next-chat`. `http(s)://`
   * becomes `ws(s)://`; a URL without a path gets `/next-chat`.
   */
  url: string;
  /**
   * Identity. In the hub's `trust` mode the token is the user id, in `jwt`
   * mode a JWT. A function is called before every (re)connect, so a JWT can be
   * refreshed.
   * @default undefined (the hub refuses the upgrade with 401)
   */
  token?: string | (() => string | Promise<string>);
  /**
   * Where the token travels: the `Authorization: Bearer` header, or the
   * `access_token` query parameter (the only way for browsers).
   * @default 'header' with the `ws` package in Node, 'query' otherwise
   */
  tokenIn?: 'header' | 'query';
  /**
   * A WHATWG WebSocket constructor. Without it Node uses the `ws` package and
   * other platforms `globalThis.WebSocket`.
   * @default undefined
   */
  WebSocket?: WebSocketConstructor;
  /**
   * How long a request waits for its response before it rejects with
   * `RequestTimeoutError`.
   * @default 10000
   */
  requestTimeoutMs?: number;
  /**
   * How long opening the WebSocket may take.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Drop a connection on which nothing, not even the hub's ping (every 25 s),
   * arrived for this long, and reconnect. 0 disables. Only with `ws` in Node.
   * @default 60000
   */
  idleTimeoutMs?: number;
  /**
   * Automatic reconnect with exponential backoff and full jitter; `false`
   * disables it.
   * @default true (with the defaults of ReconnectOptions)
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Send a request again after `data.retryAfterMs` when the hub refuses it
   * with 4029 for a rate (`data.limit` "rate" or "user_rate"). Refusals that
   * waiting does not cure soon ("groups_per_connection", "group_create")
   * reject at once.
   * @default true
   */
  retryRateLimited?: boolean;
  /**
   * How many times one request is retried after 4029.
   * @default 3
   */
  maxRateLimitRetries?: number;
  /**
   * Check params with the shared zod schemas before sending, so a bad call
   * rejects at once with the same -32602 RpcError the hub would send.
   * @default true
   */
  validateParams?: boolean;
  /**
   * Page size (`limit`) of the re-join and history calls made to resume.
   * @default 200
   */
  resumePageLimit?: number;
  /**
   * Most missed messages fetched per group on resume; beyond that the client
   * reports a gap (`resumed` with `complete: false`).
   * @default 10000
   */
  resumeMaxMessages?: number;
}

export interface ResolvedOptions {
  url: string;
  token: ClientOptions['token'];
  tokenIn: 'header' | 'query' | undefined;
  WebSocket: WebSocketConstructor | undefined;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  reconnect: Required<ReconnectOptions> | false;
  retryRateLimited: boolean;
  maxRateLimitRetries: number;
  validateParams: boolean;
  resumePageLimit: number;
  resumeMaxMessages: number;
}

/** Merges defaults once and rejects nonsense by name. */
export function resolveOptions(o: ClientOptions): ResolvedOptions {
  if (!o || typeof o.url !== 'string') throw new TypeError('options.url is required');
  const num = (name: string, v: number | undefined, def: number, min: number): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || Number.isNaN(v) || v < min) throw new TypeError(`options.${name} must be a number >= ${min}`);
    return v;
  };
  let reconnect: Required<ReconnectOptions> | false = false;
  if (o.reconnect !== false) {
    const r = typeof o.reconnect === 'object' ? o.reconnect : {};
    reconnect = {
      initialDelayMs: num('reconnect.initialDelayMs', r.initialDelayMs, DEFAULT_BACKOFF.initialDelayMs, 0),
      maxDelayMs: num('reconnect.maxDelayMs', r.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs, 0),
      factor: num('reconnect.factor', r.factor, DEFAULT_BACKOFF.factor, 1),
      maxAttempts: num('reconnect.maxAttempts', r.maxAttempts, Infinity, 0),
    };
  }
  return {
    url: normalizeHubUrl(o.url),
    token: o.token,
    tokenIn: o.tokenIn,
    WebSocket: o.WebSocket,
    requestTimeoutMs: num('requestTimeoutMs', o.requestTimeoutMs, 10_000, 1),
    connectTimeoutMs: num('connectTimeoutMs', o.connectTimeoutMs, 10_000, 1),
    idleTimeoutMs: num('idleTimeoutMs', o.idleTimeoutMs, 60_000, 0),
    reconnect,
    retryRateLimited: o.retryRateLimited ?? true,
    maxRateLimitRetries: num('maxRateLimitRetries', o.maxRateLimitRetries, 3, 0),
    validateParams: o.validateParams ?? true,
    resumePageLimit: num('resumePageLimit', o.resumePageLimit, 200, 1),
    resumeMaxMessages: num('resumeMaxMessages', o.resumeMaxMessages, 10_000, 0),
  };
}
