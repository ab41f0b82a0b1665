/**
 * The hub's configuration, as data: each option's meaning (`.describe()`),
 * default (`.default()`) and validation are declared once, in the zod schema
 * below. Its environment variable (`NEXT_CHAT_PORT`, docs/protocol.md §7) and
 * flag (`--port`) derive from the key. configOptions() reads it all back for
 * `next-chat-server --help`, for the README checks of
 * tests/unit/server/config.test.ts and for the chart's values.schema.json
 * (scripts/chart-schema.mjs imports the built module). Parsed and validated
 * once at start-up into a frozen object; nothing else reads process.env.
 * Errors name the variable and say what was wrong, and whatever would stop
 * the hub later at start-up (a URL its adapter cannot use, a key jose cannot
 * import) is an error here already.
 */
import { createPublicKey } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_PORT, USER_ID_RE, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@next-chat/core';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

function int(min: number, max: number, what = 'an integer') {
  const range = { error: `must be ${what} from ${min} to ${max}` };
  return z.coerce
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, range)
    .max(max, range);
}

/** A string option; `problem` says what is wrong with a value (a phrase after the variable's name), or nothing. */
function checked(problem: (s: string) => string | undefined) {
  return z.string().superRefine((s, ctx) => {
    const p = problem(s);
    if (p !== undefined) ctx.addIssue({ code: 'custom', message: p });
  });
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

const isPort = (s: string) => /^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535;

/** Why `new URL(s)` refused s: its port, when that is the trouble. */
function notAUrl(s: string, form: string): string {
  const port = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#@]*):([^/?#]*)/.exec(s)?.[1];
  if (port !== undefined && port !== '' && !isPort(port)) return `has the port '${port}', which must be a number from 1 to 65535 (${form})`;
  return `is not a URL: expected ${form}`;
}

/** Where NEXT_CHAT_MYSQL_URL points. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const MYSQL_FORM = 'mysql://USER:PASSWORD@HOST:PORT/DATABASE';
/** The database names the configurator creates (configurator/src/configure.ts). */
const DATABASE_RE = /^[A-Za-z0-9_$-]{1,64}$/;

/** A MySQL URL as the hub's MySQL adapter uses it, or what is wrong with it. */
function readMysqlUrl(s: string): MysqlTarget | string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return notAUrl(s, MYSQL_FORM);
  }
  if (u.protocol !== 'mysql:') return `must start with mysql:// (${MYSQL_FORM})`;
  if (u.port !== '' && !isPort(u.port)) return `has the port ${u.port}, which must be a number from 1 to 65535 (${MYSQL_FORM})`;
  if (u.search !== '' || u.hash !== '') return `takes no ?options or #fragment, the hub would ignore them (${MYSQL_FORM})`;
  const user = decode(u.username || 'root');
  const password = decode(u.password);
  const database = decode(u.pathname.replace(/^\//, ''));
  if (user === undefined || password === undefined || database === undefined) return 'has a malformed %-escape (write a % in the user, password or database as %25)';
  if (database === '') return `must name the database in its path (${MYSQL_FORM})`;
  if (!DATABASE_RE.test(database)) return `names the database '${database}', which must be 1-64 characters of A-Z a-z 0-9 _ $ - (${MYSQL_FORM})`;
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: u.port ? Number(u.port) : 3306, user, password, database };
}

/** NEXT_CHAT_MYSQL_URL as the hub's MySQL adapter uses it; throws for a URL parseConfig would refuse. */
export function parseMysqlUrl(url: string): MysqlTarget {
  const t = readMysqlUrl(url);
  if (typeof t === 'string') throw new Error(`NEXT_CHAT_MYSQL_URL ${t}`);
  return t;
}

const REDIS_FORM = 'redis://USER:PASSWORD@HOST:PORT/DB or rediss://..., all but HOST optional';

/** What ioredis would choke on, at start-up or at its first command. */
function redisUrlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return notAUrl(s, REDIS_FORM);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `must start with redis:// or rediss:// (${REDIS_FORM})`;
  if (u.port !== '' && !isPort(u.port)) return `has the port ${u.port}, which must be a number from 1 to 65535 (${REDIS_FORM})`;
  if (decode(u.username) === undefined || decode(u.password) === undefined) return 'has a malformed %-escape (write a % in the user or password as %25)';
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) return `names the database '${db}', which must be a number (${REDIS_FORM})`;
  return undefined;
}

function httpUrlProblem(s: string): string | undefined {
  try {
    if (['http:', 'https:'].includes(new URL(s).protocol)) return undefined;
  } catch {
    // below
  }
  return 'must be a URL starting with http:// or https://';
}

/** NEXT_CHAT_WEB_TOKEN_URL: an absolute http(s) URL, or a path on the hub's own host (a login service behind the same Ingress). */
function tokenUrlProblem(s: string): string | undefined {
  if (s.startsWith('/') && !s.startsWith('//')) return /[\s"'<>\\]/.test(s) ? 'must be a path without spaces, quotes, < > or backslashes' : undefined;
  const p = httpUrlProblem(s);
  return p === undefined ? undefined : 'must be a URL starting with http:// or https://, or a path starting with /';
}

const HOST_NAME_RE = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function hostProblem(h: string): string | undefined {
  if (net.isIP(h) !== 0 || HOST_NAME_RE.test(h)) return undefined;
  return 'must be an IP address or a host name, without brackets, scheme or port (the port is NEXT_CHAT_PORT)';
}

/** What importSPKI in gateway/auth.ts, and jose's RS256/ES256 checks after it, would refuse. */
function publicKeyProblem(s: string): string | undefined {
  const pem = s.replace(/\\n/g, '\n'); // as gateway/auth.ts reads it
  if (!pem.includes('-----BEGIN PUBLIC KEY-----')) return 'must be a PEM public key in SPKI form (-----BEGIN PUBLIC KEY-----; \\n may stand for line breaks)';
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    return 'is not a readable PEM public key';
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return (details.modulusLength ?? 0) < 2048 ? 'is an RSA key shorter than 2048 bits, which RS256 refuses' : undefined;
  if (key.asymmetricKeyType === 'ec') return details.namedCurve === 'prime256v1' ? undefined : `is an EC key on ${details.namedCurve ?? 'an unknown curve'}; ES256 needs P-256`;
  return `is an ${key.asymmetricKeyType ?? 'unknown'} key; the hub verifies RS256 (RSA) or ES256 (EC P-256)`;
}

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` (IPv6 in brackets: `[::1]:26379`). */
function readHostPorts(s: string): HostPort[] {
  return s.split(',').map((part) => {
    const m = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})\s*$/.exec(part)!;
    return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
  });
}

function hostPortsProblem(s: string): string | undefined {
  for (const part of s.split(',')) {
    const m = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})\s*$/.exec(part);
    if (!m || !isPort(m[3] as string) || hostProblem((m[1] ?? m[2]) as string) !== undefined) return `must be host:port pairs separated by commas (sentinel-0.example:26379,sentinel-1.example:26379), got '${part.trim().slice(0, 60)}'`;
  }
  return undefined;
}

/** A webhook endpoint of NEXT_CHAT_WEBHOOKS. */
export interface WebhookEndpoint {
  /** Names its consumer group and its metrics: 1-64 characters of A-Z a-z 0-9 . _ -, unique. */
  name: string;
  url: string;
  /** The event types it receives. */
  events: readonly WebhookEventType[];
}

const API_KEY_RE = /^[A-Za-z0-9._~+/=-]{16,256}$/;

function apiKeysProblem(s: string): string | undefined {
  const keys = s.split(',').map((k) => k.trim());
  if (keys.some((k) => !API_KEY_RE.test(k))) return 'must be keys of 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -, separated by commas';
  if (new Set(keys).size !== keys.length) return 'names the same key twice';
  return undefined;
}

const ENDPOINT_NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** NEXT_CHAT_WEBHOOKS read, or what is wrong with it. */
function readWebhooks(s: string): WebhookEndpoint[] | string {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch {
    return 'must be a JSON array of {"name","url","events"} objects';
  }
  if (!Array.isArray(raw)) return 'must be a JSON array of {"name","url","events"} objects';
  const out: WebhookEndpoint[] = [];
  for (const [i, e] of raw.entries()) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return `entry ${i} must be an object {"name","url","events"}`;
    const { name, url, events } = e as Record<string, unknown>;
    if (typeof name !== 'string' || !ENDPOINT_NAME_RE.test(name)) return `entry ${i}: "name" must be 1-64 characters of A-Z a-z 0-9 . _ -`;
    if (out.some((o) => o.name === name)) return `entry ${i}: the name '${name}' is taken by an earlier entry`;
    if (typeof url !== 'string' || httpUrlProblem(url) !== undefined) return `entry ${i}: "url" must be a URL starting with http:// or https://`;
    if (events !== undefined && (!Array.isArray(events) || events.length === 0 || events.some((k) => !(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(k)))) {
      return `entry ${i}: "events" must be a non-empty array of ${WEBHOOK_EVENT_TYPES.join(', ')}`;
    }
    out.push({ name, url, events: (events as WebhookEventType[] | undefined) ?? WEBHOOK_EVENT_TYPES });
  }
  return out;
}

function webhooksProblem(s: string): string | undefined {
  const r = readWebhooks(s);
  return typeof r === 'string' ? r : undefined;
}

const ID_CHARS = (max: number) => new RegExp(`^[A-Za-z0-9._:-]{1,${max}}$`);

/**
 * Every option: its validation, default and meaning. `.meta()` adds
 * `shownDefault` (the default as documented, when it is computed) and
 * `sensitive` (never echoed in errors).
 */
const schema = z.object({
  port: int(0, 65535, 'a port number').default(DEFAULT_PORT).describe('listen port; 0 picks a free one (printed at start)'),
  host: checked(hostProblem).default('0.0.0.0').describe('listen address'),
  redisUrl: checked(redisUrlProblem)
    .optional()
    .describe('redis://HOST:PORT/DB (or rediss://): the Redis engine, for any number of hubs. Unset: the in-process engine, one instance only'),
  redisSentinels: checked(hostPortsProblem)
    .transform((s) => readHostPorts(s))
    .optional()
    .describe('Redis Sentinel instead of NEXT_CHAT_REDIS_URL: comma-separated host:port of the sentinels; the hubs follow the primary they name through failovers'),
  redisClusterNodes: checked(hostPortsProblem)
    .transform((s) => readHostPorts(s))
    .optional()
    .describe('Redis Cluster instead of NEXT_CHAT_REDIS_URL: comma-separated host:port of some of its nodes (seeds); the hubs learn the rest and follow slot moves and failovers'),
  redisSentinelName: z
    .string()
    .regex(ID_CHARS(128), { error: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
    .default('mymaster')
    .describe('the master name the sentinels monitor (with NEXT_CHAT_REDIS_SENTINELS)'),
  redisUsername: z.string().min(1).optional().describe('Redis ACL user (with NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES; a URL carries its own)'),
  redisPassword: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Redis password (with NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES; a URL carries its own)', sensitive: true }),
  redisSentinelPassword: z.string().min(1).optional().meta({ description: 'password of the sentinels themselves, when they require one', sensitive: true }),
  redisTls: bool.default(false).describe('TLS to Redis and the sentinels or cluster nodes (with NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES; a URL says it with rediss://)'),
  redisWaitReplicas: int(0, 16)
    .default(0)
    .describe('replicas that must have each message, edit and delete (Redis WAIT) before message.send, message.edit or message.delete is answered; fewer within NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS answers 4503. 0: answered once the primary has it (a failover may lose the newest; docs/architecture.md)'),
  redisWaitTimeoutMs: int(10, 60_000).default(500).describe('ms a write waits for NEXT_CHAT_REDIS_WAIT_REPLICAS replicas before it is answered with 4503'),
  mysqlUrl: checked((s) => {
    const t = readMysqlUrl(s);
    return typeof t === 'string' ? t : undefined;
  })
    .optional()
    .describe(`${MYSQL_FORM}: history in MySQL (needs NEXT_CHAT_REDIS_URL; the configurator creates the schema). Unset: history stays in the messaging layer (with Redis: in the streams, nothing trimmed)`),
  authMode: z
    .enum(['trust', 'jwt'], { error: "must be 'trust' or 'jwt'" })
    .default('trust')
    .describe("'trust' (the token is the user id: development only) or 'jwt'"),
  jwtSecret: z.string().min(1).optional().meta({ description: 'HS256 shared secret (jwt mode)', sensitive: true }),
  jwtPreviousSecret: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'the HS256 secret being rotated out: still accepted beside NEXT_CHAT_JWT_SECRET, so rotation drops no one', sensitive: true }),
  jwtPublicKey: checked(publicKeyProblem).optional().describe('PEM public key (SPKI) for RS256 or ES256 (jwt mode)'),
  jwksUrl: checked(httpUrlProblem).optional().describe('JWKS URL the RS256/ES256 keys come from (jwt mode)'),
  jwtIssuer: z.string().min(1).optional().describe('expected `iss` claim, when set'),
  jwtAudience: z.string().min(1).optional().describe('expected `aud` claim, when set'),
  jwtRequireExp: bool.default(true).describe('refuse JWTs without `exp` (a token minted by mistake would never expire)'),
  jwtMaxTtlSeconds: int(0, 10 * 365 * 86_400)
    .default(86_400)
    .describe('longest accepted JWT lifetime in seconds (`exp` minus `iat`, and `exp` from now); 0 = no limit'),
  jwtClockSkewSeconds: int(0, 3600).default(30).describe('seconds `iat` and `nbf` may lie in the future (clock skew); `exp` is exact'),
  maxGroupMembers: int(1, 10_000_000).default(10_000).describe('capacity of a group'),
  instanceId: z
    .string()
    .regex(ID_CHARS(128), { error: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
    .default(() => `${os.hostname()}-${process.pid}`)
    .meta({ description: "this instance's name in Redis (presence, history consumer): unique per running hub", shownDefault: '<hostname>-<pid>' }),
  rateLimit: int(0, 1_000_000)
    .default(50)
    .describe('frames per second per connection (every frame, parsed or not), bursts to twice that; more get 4029; 0 = off (the per-user limit too, unless NEXT_CHAT_USER_RATE_LIMIT is set)'),
  userRateLimit: int(0, 1_000_000)
    .default(100)
    .describe('frames per second per user on this instance, over all their connections, bursts to twice that; 0 = off (also when NEXT_CHAT_RATE_LIMIT=0 and this is unset)'),
  rateLimitCloseAfterSeconds: int(1, 3600)
    .default(10)
    .describe('a connection whose refused frames pile up past this many seconds of its rate (decaying at the rate) is closed with 1008'),
  maxRequestsInFlight: int(1, 10_000)
    .default(32)
    .describe('requests of one connection being handled at once; past it the hub stops reading that socket until one completes'),
  maxFrameBytes: int(1024, 16 * 1024 * 1024).default(64 * 1024).describe('largest accepted frame; bigger closes the connection with 1009'),
  pingIntervalMs: int(100, 3_600_000).default(25_000).describe('ms between server pings; two missed pongs drop the connection'),
  maxBufferedBytes: int(16 * 1024, 1024 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('outgoing bytes a connection may have queued; above it the hub stops reading the socket, and a buffer that stays above it for NEXT_CHAT_SLOW_CONSUMER_MS without draining closes the connection with 1008'),
  slowConsumerMs: int(100, 600_000)
    .default(10_000)
    .describe('ms a connection\'s outgoing buffer may stay above NEXT_CHAT_MAX_BUFFERED_BYTES without draining before it is closed with 1008'),
  maxBufferedHardBytes: int(16 * 1024, 4 * 1024 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe("hard ceiling of one connection's outgoing buffer: passing it closes the connection with 1008 at once"),
  maxUserBufferedBytes: int(16 * 1024, 16 * 1024 * 1024 * 1024)
    .default(32 * 1024 * 1024)
    .describe("outgoing bytes queued over all of one user's connections on this instance; the connection that passes it is closed with 1008"),
  maxConnectionsPerUser: int(0, 1_000_000)
    .default(20)
    .describe("open connections per user per instance (a person's devices and tabs); more get HTTP 429; 0 = unlimited"),
  maxGroupsPerConnection: int(0, 1_000_000)
    .default(1000)
    .describe('groups one connection may be subscribed to (joins in flight count); more get 4029; 0 = unlimited'),
  // Generous enough for a client that pages through hundreds of its own rooms,
  // tight enough that one account cannot squat names by the hundred thousand.
  groupCreateLimit: int(0, 1_000_000)
    .default(1000)
    .describe('groups one user may create per NEXT_CHAT_GROUP_CREATE_WINDOW_SECONDS; more get 4029; 0 = unlimited'),
  groupCreateWindowSeconds: int(1, 30 * 86_400).default(3600).describe('the window of NEXT_CHAT_GROUP_CREATE_LIMIT, in seconds'),
  maxGroupsPerUser: int(0, 100_000_000).default(10_000).describe('groups one user may create in all; 0 = unlimited'),
  handshakeTimeoutMs: int(100, 600_000).default(10_000).describe('ms a WebSocket upgrade (the HTTP request before it included) may take'),
  redisPrefix: z
    .string()
    .regex(ID_CHARS(64), { error: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
    .default('next-chat')
    .describe('key prefix in Redis: hubs with the same prefix serve the same groups'),
  drainTimeoutMs: int(0, 600_000).default(10_000).describe('ms a SIGTERM drain may take before the process exits anyway'),
  historyBatchSize: int(1, 10_000).default(500).describe('most messages per MySQL history insert'),
  historyFlushMs: int(1, 60_000).default(200).describe('ms a partial history batch may wait for more'),
  streamRetentionMs: int(0, 30 * 24 * 3_600_000)
    .default(600_000)
    .describe("ms messages already written to MySQL stay in their group's Redis stream for fast recent reads"),
  presenceTtlMs: int(1000, 3_600_000)
    .default(30_000)
    .describe("ms a dead instance's presence entries count (its users stay online); refreshed every third of it"),
  historyClaimIdleMs: int(1000, 3_600_000)
    .default(30_000)
    .describe('ms a history entry read by an instance may stay unwritten before another instance claims it'),
  metricsPort: int(0, 65535, 'a port number')
    .optional()
    .describe('serve /metrics only on this port (keep it off the public Service and Ingress). Unset: /metrics is served on NEXT_CHAT_PORT'),
  web: z
    .enum(['on', 'off'], { error: "must be 'on' or 'off'" })
    .default('on')
    .describe("'on': the web app (packages/web) is served at / on NEXT_CHAT_PORT; 'off': / answers 404, only the WebSocket and the probes are served"),
  webTokenUrl: checked(tokenUrlProblem)
    .optional()
    .describe(
      "jwt mode: where the web app fetches a person's token, sending the browser's cookies (answer: JSON {token} or the token as text); an http(s) URL or a path on this host. Unset: the token comes in the page's address (#token=...)",
    ),
  apiPort: int(0, 65535, 'a port number')
    .optional()
    .describe('serve the HTTP API (/api/v1, docs/api.md) on this port, with NEXT_CHAT_API_KEYS; 0 picks a free one. Unset: no API (it is never on NEXT_CHAT_PORT, so the public Service cannot expose it by accident)'),
  apiKeys: checked(apiKeysProblem)
    .transform((s) => s.split(',').map((k) => k.trim()))
    .optional()
    .meta({
      description: 'API keys, comma-separated (Authorization: Bearer <key>); two at once while one is rotated out. Each 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -',
      sensitive: true,
    }),
  apiSystemUser: z
    .string()
    .regex(USER_ID_RE, { error: 'must be a user id matching ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' })
    .default('system')
    .describe('author id of the messages the API posts without an author (and the `by` of its moderation); keep your identity provider from issuing it to a person'),
  webhooks: checked(webhooksProblem)
    .transform((s) => readWebhooks(s) as WebhookEndpoint[])
    .optional()
    .describe(
      'webhook endpoints as JSON: [{"name":"crm","url":"https://crm.example/hooks","events":["message.created","member.joined"]}] (events: any of message.created, message.updated, member.joined, member.left, member.kicked, member.banned, room.created, room.updated, room.deleted; omitted: all). Signed with NEXT_CHAT_WEBHOOK_SECRET',
    ),
  webhookSecret: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .meta({ description: 'the HMAC-SHA256 key that signs every webhook request (webhook-signature header, docs/api.md)', sensitive: true }),
  webhookRetrySeconds: int(1, 30 * 86_400)
    .default(86_400)
    .describe('seconds after an event during which a failing delivery is retried (backoff from 1 s doubling to 5 min); then it goes to the dead-letter stream'),
  webhookTimeoutMs: int(100, 120_000).default(5000).describe('ms a webhook receiver has to answer one delivery (a 2xx) before the attempt counts as failed'),
  webhookPartitions: int(1, 1024)
    .default(16)
    .describe('webhook event streams; a room\'s events stay in one, delivered in order, while streams are delivered in parallel by whichever hubs hold them. The same on every hub'),
  moderationUrl: checked(httpUrlProblem)
    .optional()
    .describe('called before each message.send and message.edit is stored, answering allow, reject or replace (docs/api.md); unset: no hook'),
  moderationTimeoutMs: int(10, 10_000).default(500).describe('ms the moderation hook has to answer before NEXT_CHAT_MODERATION_FAILURE decides'),
  moderationFailure: z
    .enum(['open', 'closed'], { error: "must be 'open' or 'closed'" })
    .default('open')
    .describe("when the moderation hook fails or times out: 'open' stores the message as sent, 'closed' refuses it with 4503"),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level of the JSON lines on stdout'),
});

export type Config = Readonly<z.output<typeof schema>>;
export type ConfigInput = z.input<typeof schema>;
export type ConfigKey = keyof typeof schema.shape;

/** `NEXT_CHAT_MAX_GROUP_MEMBERS` for `maxGroupMembers`. */
export function envName(key: string): string {
  return `NEXT_CHAT_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `--max-group-members` for `maxGroupMembers`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export const CONFIG_KEYS = Object.keys(schema.shape) as ConfigKey[];

/** One option of the hub, read from the schema: for `--help`, docs checks and the chart. */
export interface ConfigOption {
  readonly key: ConfigKey;
  /** `NEXT_CHAT_MAX_GROUP_MEMBERS` */
  readonly env: string;
  /** `--max-group-members` */
  readonly flag: string;
  readonly type: 'integer' | 'boolean' | 'string' | 'enum';
  /** The accepted values of an enum. */
  readonly values?: readonly string[];
  /** Bounds of an integer. */
  readonly minimum?: number;
  readonly maximum?: number;
  /** The value when the option is not set; undefined: the option stays unset. */
  readonly default: string | number | boolean | undefined;
  /** The default as the docs show it: `5000`, `<hostname>-<pid>` (computed), `unset`. */
  readonly defaultText: string;
  readonly description: string;
  /** A secret: never echoed in errors or logs. */
  readonly sensitive: boolean;
}

function typeOf(key: string, s: z.ZodType): Pick<ConfigOption, 'type' | 'values' | 'minimum' | 'maximum'> {
  if (s instanceof z.ZodNumber && s.isInt) return { type: 'integer', minimum: s.minValue ?? undefined, maximum: s.maxValue ?? undefined };
  if (s instanceof z.ZodEnum) return { type: 'enum', values: s.options.map(String) };
  if (s instanceof z.ZodString) return { type: 'string' };
  // A string read into something else (NEXT_CHAT_API_KEYS, NEXT_CHAT_WEBHOOKS) is a string to set.
  if (s instanceof z.ZodPipe && s.in instanceof z.ZodString) return { type: 'string' };
  if (s === bool) return { type: 'boolean' };
  throw new Error(`config.ts: ${key} has a type configOptions() does not know`);
}

let options: readonly ConfigOption[] | undefined;

/** Every option with its variable, flag, type, default and meaning, in schema order. */
export function configOptions(): readonly ConfigOption[] {
  return (options ??= (() => {
    const defaults = schema.parse({}) as Record<string, unknown>;
    return Object.freeze(
      CONFIG_KEYS.map((key): ConfigOption => {
        const field = schema.shape[key] as z.ZodType;
        const meta = field.meta() ?? {};
        if (typeof meta.description !== 'string' || meta.description === '') throw new Error(`config.ts: ${key} has no description`);
        let inner = field;
        while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
        const dflt = defaults[key] as ConfigOption['default'];
        const shown = typeof meta.shownDefault === 'string' ? meta.shownDefault : dflt === undefined ? 'unset' : String(dflt);
        return Object.freeze({
          key,
          env: envName(key),
          flag: flagName(key),
          ...typeOf(key, inner),
          default: dflt,
          defaultText: shown,
          description: meta.description,
          sensitive: meta.sensitive === true,
        });
      }),
    );
  })());
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A refused value as an error shows it: secrets not at all, URL passwords masked, long values cut. */
function shown(key: string, v: unknown): string {
  if (configOptions().find((o) => o.key === key)?.sensitive) return '';
  let s = String(v).replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/?#]*:)[^@/?#]*@/, '$1***@');
  if (s.length > 100) s = `${s.slice(0, 60)}...`;
  return `, got '${s}'`;
}

/**
 * Builds the config from an env map and already-parsed flags (flags win).
 * Throws ConfigError listing every problem at once, one per variable.
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
    const seen = new Set<string>();
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(`${envName(key)} ${issue.message}${shown(key, raw[key])}`);
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
  if (c.webTokenUrl !== undefined && c.authMode !== 'jwt') problems.push('NEXT_CHAT_WEB_TOKEN_URL only makes sense with NEXT_CHAT_AUTH_MODE=jwt (in trust mode the web app asks for a user id)');
  if (c.webTokenUrl !== undefined && c.web === 'off') problems.push('NEXT_CHAT_WEB_TOKEN_URL is for the web app, which NEXT_CHAT_WEB=off turns off');
  if (c.apiPort !== undefined && c.apiKeys === undefined) problems.push('NEXT_CHAT_API_PORT needs NEXT_CHAT_API_KEYS: the API refuses every request without a key');
  if (c.apiPort !== undefined && c.apiPort !== 0 && (c.apiPort === c.port || c.apiPort === c.metricsPort)) problems.push('NEXT_CHAT_API_PORT must differ from NEXT_CHAT_PORT and NEXT_CHAT_METRICS_PORT');
  if (c.webhooks !== undefined && c.webhooks.length > 0 && c.webhookSecret === undefined) problems.push('NEXT_CHAT_WEBHOOKS needs NEXT_CHAT_WEBHOOK_SECRET: every delivery is signed');
  const redisForms = [c.redisUrl && 'NEXT_CHAT_REDIS_URL', c.redisSentinels && 'NEXT_CHAT_REDIS_SENTINELS', c.redisClusterNodes && 'NEXT_CHAT_REDIS_CLUSTER_NODES'].filter(Boolean);
  if (redisForms.length > 1) problems.push(`set only one of ${redisForms.join(', ')}`);
  const withoutUrl = c.redisSentinels || c.redisClusterNodes;
  const notForUrl = { redisUsername: c.redisUsername, redisPassword: c.redisPassword, redisTls: c.redisTls ? true : undefined };
  for (const [key, v] of Object.entries(notForUrl)) {
    if (v !== undefined && !withoutUrl) problems.push(`${envName(key)} is for NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES (a NEXT_CHAT_REDIS_URL carries its user, password and rediss:// itself)`);
  }
  // Not on a cluster yet: webhook partitions and WAIT both assume every key is on one primary (docs/architecture.md).
  if (c.redisClusterNodes && c.webhooks !== undefined && c.webhooks.length > 0) problems.push('NEXT_CHAT_WEBHOOKS is not supported on NEXT_CHAT_REDIS_CLUSTER_NODES yet (use NEXT_CHAT_REDIS_URL or NEXT_CHAT_REDIS_SENTINELS)');
  if (c.redisClusterNodes && c.redisWaitReplicas > 0) problems.push('NEXT_CHAT_REDIS_WAIT_REPLICAS is not supported on NEXT_CHAT_REDIS_CLUSTER_NODES yet (use NEXT_CHAT_REDIS_SENTINELS for confirmed writes)');
  if (c.redisSentinelPassword !== undefined && !c.redisSentinels) problems.push('NEXT_CHAT_REDIS_SENTINEL_PASSWORD is for NEXT_CHAT_REDIS_SENTINELS');
  const anyRedis = c.redisUrl || withoutUrl;
  if (c.redisWaitReplicas > 0 && !anyRedis) problems.push('NEXT_CHAT_REDIS_WAIT_REPLICAS needs Redis (NEXT_CHAT_REDIS_URL, NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES)');
  if (c.mysqlUrl && !anyRedis) problems.push('NEXT_CHAT_MYSQL_URL needs NEXT_CHAT_REDIS_URL (or NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES): history is written from the Redis streams');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(c);
}

/** A primary found through Redis Sentinel (NEXT_CHAT_REDIS_SENTINELS). */
export interface SentinelTarget {
  sentinels: readonly HostPort[];
  name: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  tls: boolean;
}

/** A Redis Cluster found from seed nodes (NEXT_CHAT_REDIS_CLUSTER_NODES). */
export interface ClusterTarget {
  cluster: readonly HostPort[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** Where the production engine's Redis is: a URL (NEXT_CHAT_REDIS_URL), a primary behind sentinels, or a cluster. */
export type RedisTarget = string | SentinelTarget | ClusterTarget;

/** The Redis the config names, or undefined for the embedded engine: the one place that decides it. */
export function redisTargetOf(config: Config): RedisTarget | undefined {
  if (config.redisUrl) return config.redisUrl;
  if (config.redisClusterNodes) return { cluster: config.redisClusterNodes, username: config.redisUsername, password: config.redisPassword, tls: config.redisTls };
  if (!config.redisSentinels) return undefined;
  return {
    sentinels: config.redisSentinels,
    name: config.redisSentinelName,
    username: config.redisUsername,
    password: config.redisPassword,
    sentinelPassword: config.redisSentinelPassword,
    tls: config.redisTls,
  };
}
