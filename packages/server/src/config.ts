/**
 * The hub's configuration: environment variables `NEXT_CHAT_*` (docs/protocol.md
 * §7), or flags of the same names (`--port` for NEXT_CHAT_PORT). Parsed and
 * validated once at start-up into a frozen object; nothing else reads
 * process.env. Errors name the variable and say what was wrong.
 */
import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_PORT } from '@next-chat/core';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

function int(min: number, max: number, what = 'an integer') {
  return z.coerce
    .number({ error: `must be ${what}` })
    .refine((n) => Number.isInteger(n), { error: `must be ${what}` })
    .refine((n) => n >= min && n <= max, { error: `must be ${what} from ${min} to ${max}` });
}

function url(protocols: string[]) {
  return z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
}

/** Every option with its default; the README's config table mirrors this. */
const schema = z.object({
  /** @default 5000 — listen port; 0 picks a free one (printed at start). */
  port: int(0, 65535, 'a port number').default(DEFAULT_PORT),
  /** @default "0.0.0.0" */
  host: z.string().min(1).default('0.0.0.0'),
  /** Unset: in-process engine, one instance only. */
  redisUrl: url(['redis:', 'rediss:']).optional(),
  /** Unset: in-process history (with Redis: messages stay in the streams). */
  mysqlUrl: url(['mysql:']).optional(),
  /** @default "trust" */
  authMode: z.enum(['trust', 'jwt'], { error: "must be 'trust' or 'jwt'" }).default('trust'),
  /** HS256 shared secret (jwt mode). */
  jwtSecret: z.string().min(1).optional(),
  /** The HS256 secret being rotated out: still accepted, so rotation drops no one. */
  jwtPreviousSecret: z.string().min(1).optional(),
  /** PEM public key (SPKI) for RS256/ES256 (jwt mode). */
  jwtPublicKey: z.string().min(1).optional(),
  /** JWKS URL (jwt mode). */
  jwksUrl: url(['http:', 'https:']).optional(),
  /** Expected `iss` claim, when set. */
  jwtIssuer: z.string().min(1).optional(),
  /** Expected `aud` claim, when set. */
  jwtAudience: z.string().min(1).optional(),
  /** @default true — refuse JWTs without `exp` (a token minted by mistake would never expire). */
  jwtRequireExp: bool.default(true),
  /** @default 86400 — longest accepted JWT lifetime in seconds (`exp` minus `iat`, and `exp` from now); 0 = no limit. */
  jwtMaxTtlSeconds: int(0, 10 * 365 * 86_400).default(86_400),
  /** @default 30 — seconds of clock skew tolerated for `exp`, `nbf` and `iat`. */
  jwtClockSkewSeconds: int(0, 3600).default(30),
  /** @default 10000 */
  maxGroupMembers: int(1, 10_000_000).default(10_000),
  /** @default "<hostname>-<pid>" */
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
    .default(`${os.hostname()}-${process.pid}`),
  /** @default 50 — frames per second per connection (every frame, parsed or not), bursts to twice that; 0 = off. */
  rateLimit: int(0, 1_000_000).default(50),
  /** @default 100 — frames per second per user on this instance, over all their connections, bursts to twice that; 0 = off (also when NEXT_CHAT_RATE_LIMIT=0 and this is unset). */
  userRateLimit: int(0, 1_000_000).default(100),
  /** @default 10 — a connection whose refused frames pile up past this many seconds of its rate (decaying at the rate) is closed with 1008. */
  rateLimitCloseAfterSeconds: int(1, 3600).default(10),
  /** @default 32 — requests of one connection being handled at once; past it the hub stops reading that socket until one completes. */
  maxRequestsInFlight: int(1, 10_000).default(32),
  /** @default 65536 — largest accepted frame; bigger closes with 1009. */
  maxFrameBytes: int(1024, 16 * 1024 * 1024).default(64 * 1024),
  /** @default 25000 */
  pingIntervalMs: int(100, 3_600_000).default(25_000),
  /** @default 1048576 — outgoing bytes a connection may have queued; above it the hub stops reading the socket, and a buffer that stays above it for NEXT_CHAT_SLOW_CONSUMER_MS without draining closes the connection with 1008. */
  maxBufferedBytes: int(16 * 1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /** @default 10000 — ms a connection's outgoing buffer may stay above NEXT_CHAT_MAX_BUFFERED_BYTES without draining before it is closed with 1008. */
  slowConsumerMs: int(100, 600_000).default(10_000),
  /** @default 16777216 — hard ceiling of one connection's outgoing buffer: passing it closes the connection with 1008 at once. */
  maxBufferedHardBytes: int(16 * 1024, 4 * 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  /** @default 33554432 — outgoing bytes queued over all of one user's connections on this instance; the connection that passes it is closed with 1008. */
  maxUserBufferedBytes: int(16 * 1024, 16 * 1024 * 1024 * 1024).default(32 * 1024 * 1024),
  /** @default 20 — open connections per user per instance (a person's devices and tabs); 0 = unlimited. */
  maxConnectionsPerUser: int(0, 1_000_000).default(20),
  /** @default 1000 — groups one connection may be subscribed to; 0 = unlimited. */
  maxGroupsPerConnection: int(0, 1_000_000).default(1000),
  /** @default 60 — groups one user may create per NEXT_CHAT_GROUP_CREATE_WINDOW_SECONDS; 0 = unlimited. */
  groupCreateLimit: int(0, 1_000_000).default(60),
  /** @default 3600 — the window of NEXT_CHAT_GROUP_CREATE_LIMIT, in seconds. */
  groupCreateWindowSeconds: int(1, 30 * 86_400).default(3600),
  /** @default 1000 — groups one user may create in all; 0 = unlimited. */
  maxGroupsPerUser: int(0, 100_000_000).default(1000),
  /** @default 10000 — ms a WebSocket upgrade may take. */
  handshakeTimeoutMs: int(100, 600_000).default(10_000),
  /** @default "next-chat" — key prefix in Redis. */
  redisPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
    .default('next-chat'),
  /** @default 10000 — ms a SIGTERM drain may take before the process exits anyway. */
  drainTimeoutMs: int(0, 600_000).default(10_000),
  /** @default 500 — most messages per history insert. */
  historyBatchSize: int(1, 10_000).default(500),
  /** @default 200 — ms a partial history batch may wait. */
  historyFlushMs: int(1, 60_000).default(200),
  /** @default 600000 — ms written messages stay in a group's stream for recent reads. */
  streamRetentionMs: int(0, 30 * 24 * 3_600_000).default(600_000),
  /** @default "notify" — fan-out reader of the Redis engine: "notify" (pub/sub wake-ups, reads only groups with news) or "block" (one blocking XREAD over every subscribed stream). */
  fanout: z.enum(['notify', 'block'], { error: "must be 'notify' or 'block'" }).default('notify'),
  /** @default 30000 — ms a dead instance's presence entries count; refreshed every third of it. */
  presenceTtlMs: int(1000, 3_600_000).default(30_000),
  /** @default 30000 — ms a history entry read by an instance may stay unwritten before another instance claims it. */
  historyClaimIdleMs: int(1000, 3_600_000).default(30_000),
  /** Unset: /metrics is served on NEXT_CHAT_PORT. Set: only on this port (keep it off the public Service and Ingress). */
  metricsPort: int(0, 65535, 'a port number').optional(),
  /** @default "info" */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** @default false — pretty logs are for people; JSON lines otherwise. */
  logPretty: bool.default(false),
});

export type Config = Readonly<z.output<typeof schema>>;
export type ConfigInput = z.input<typeof schema>;

/** `NEXT_CHAT_MAX_GROUP_MEMBERS` for `maxGroupMembers`. */
export function envName(key: string): string {
  return `NEXT_CHAT_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the config from an env map and already-parsed flags (flags win).
 * Throws ConfigError listing every problem at once.
 */
export function parseConfig(env: Record<string, string | undefined>, flags: Record<string, unknown> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = flags[key] ?? env[envName(key)];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const r = schema.safeParse(raw);
  const problems: string[] = [];
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${envName(key)} ${issue.message}, got '${String(raw[key])}'`);
    }
    throw new ConfigError(problems);
  }
  const c = r.data;
  // NEXT_CHAT_RATE_LIMIT=0 means "no rate limits" (docs/protocol.md): the
  // per-user one follows unless it is set on its own.
  if (c.rateLimit === 0 && raw.userRateLimit === undefined) c.userRateLimit = 0;
  if (c.authMode === 'jwt') {
    const sources = [c.jwtSecret, c.jwtPublicKey, c.jwksUrl].filter((x) => x !== undefined).length;
    if (sources === 0) problems.push('NEXT_CHAT_AUTH_MODE=jwt needs one of NEXT_CHAT_JWT_SECRET, NEXT_CHAT_JWT_PUBLIC_KEY or NEXT_CHAT_JWKS_URL');
    if (c.jwtPreviousSecret !== undefined && c.jwtSecret === undefined)
      problems.push('NEXT_CHAT_JWT_PREVIOUS_SECRET only makes sense beside NEXT_CHAT_JWT_SECRET');
    if (sources > 1) problems.push('set only one of NEXT_CHAT_JWT_SECRET, NEXT_CHAT_JWT_PUBLIC_KEY and NEXT_CHAT_JWKS_URL');
  }
  if (c.metricsPort !== undefined && c.metricsPort !== 0 && c.metricsPort === c.port)
    problems.push('NEXT_CHAT_METRICS_PORT must differ from NEXT_CHAT_PORT (leave it unset to serve /metrics on the main port)');
  if (c.mysqlUrl && !c.redisUrl) problems.push('NEXT_CHAT_MYSQL_URL needs NEXT_CHAT_REDIS_URL: history is written from the Redis streams');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(c);
}

/** Config of a hub, for docs and `--help`: variable, default, meaning. */
export function describeConfig(): { key: string; env: string; default: unknown }[] {
  const defaults = schema.parse({});
  return CONFIG_KEYS.map((key) => ({ key, env: envName(key), default: (defaults as Record<string, unknown>)[key] }));
}
