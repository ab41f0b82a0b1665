#!/usr/bin/env node
// Writes helm/next-chat/values.schema.json from values.yaml: one node per value
// with the type of its default, the description of its `## @param` line and the
// default; objects without a @param refuse unknown keys; CONSTRAINTS below adds
// enums and bounds, the hub's own for its settings (hub.config), read from the
// built server's config metadata. `--check` only compares and exits 1 when the
// file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const CHART = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helm/next-chat');

/**
 * The hub's options (key, type, bounds, meaning) as packages/server/src/config.ts
 * declares them, read from the built server: `npm run build` runs first in
 * `npm test` and CI.
 */
async function hubConfigOptions() {
  const built = new URL('../packages/server/dist/config.js', import.meta.url);
  let mod;
  try {
    mod = await import(built.href);
  } catch (err) {
    throw new Error(`chart-schema.mjs reads the hub's options from packages/server/dist/config.js: run npm run build first (${err.message})`);
  }
  return mod.configOptions();
}
const HUB_OPTIONS = await hubConfigOptions();

/** The user id form and the webhook event types, from the built @next-chat/core (the hub's own). */
async function coreContract() {
  const built = new URL('../packages/core/dist/index.js', import.meta.url);
  try {
    return await import(built.href);
  } catch (err) {
    throw new Error(`chart-schema.mjs reads user ids and webhook events from packages/core/dist/index.js: run npm run build first (${err.message})`);
  }
}
const { USER_ID_RE, WEBHOOK_EVENT_TYPES } = await coreContract();
const hubOption = (key) => {
  const o = HUB_OPTIONS.find((x) => x.key === key);
  if (!o) throw new Error(`chart-schema.mjs: ${key} is not a hub config key any more`);
  return o;
};

/**
 * Set by the chart itself (ports, URLs, auth, identity, the typed hub.config
 * values; the API, webhooks and moderation hook from `api.*`, `webhooks.*` and
 * `moderation.*`, whose keys and signing secret live in Secrets, never in the
 * ConfigMap that hub.config.extra fills), or not offered (key-based JWT).
 */
const NOT_EXTRA = [
  'port', 'metricsPort', 'host', 'redisUrl', 'mysqlUrl', 'authMode', 'jwtSecret', 'jwtPreviousSecret', 'jwtPublicKey', 'jwksUrl', 'instanceId',
  'logLevel', 'rateLimit', 'maxGroupMembers', 'drainTimeoutMs',
  'apiPort', 'apiKeys', 'apiSystemUser',
  'webhooks', 'webhookSecret', 'webhookRetrySeconds', 'webhookTimeoutMs', 'webhookPartitions',
  'moderationUrl', 'moderationTimeoutMs', 'moderationFailure',
  // Redis through Sentinel from externalRedis.sentinel.*, a Redis Cluster from externalRedis.cluster.* (passwords in Secrets), WAIT from hub.config.
  'redisSentinels', 'redisSentinelName', 'redisUsername', 'redisPassword', 'redisSentinelPassword', 'redisTls',
  'redisClusterNodes',
  'redisWaitReplicas', 'redisWaitTimeoutMs',
];
for (const k of NOT_EXTRA) hubOption(k);

/** The hub's own bounds of a typed hub.config value. */
function typedConstraint(key) {
  const o = hubOption(key);
  if (o.type === 'enum') return { enum: [...o.values] };
  if (o.type === 'integer') return { minimum: o.minimum, maximum: o.maximum };
  throw new Error(`chart-schema.mjs: hub.config.${key} is a ${o.type}; give it a constraint here`);
}

/** A hub.config.extra value: what the hub accepts, as a YAML value or a string (the ConfigMap quotes them all). */
function extraNode(o) {
  const description = `${o.env}: ${o.description}`;
  if (o.type === 'integer') return { description, type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: o.minimum, maximum: o.maximum };
  if (o.type === 'boolean') return { description, type: ['boolean', 'string'], pattern: '^(true|false|1|0|yes|no)$' };
  if (o.type === 'enum') return { description, type: 'string', enum: [...o.values] };
  return { description, type: 'string', minLength: 1 };
}

/** What hub.config.extra may set: every other hub setting. */
const EXTRA = HUB_OPTIONS.filter((o) => !NOT_EXTRA.includes(o.key));
// hub.config.extra fills the ConfigMap: a secret the hub gains needs a Secret of the chart's, not a place there.
for (const o of EXTRA) {
  if (o.sensitive) throw new Error(`chart-schema.mjs: the hub's ${o.key} is sensitive; give it a chart Secret (like api.keys) and list it in NOT_EXTRA`);
}

/** NEXT_CHAT_API_KEYS: each key as packages/server/src/config.ts accepts it (tests/unit/chart checks both agree). */
const API_KEY_PATTERN = '^[A-Za-z0-9._~+/=-]{16,256}$';
/** A webhook endpoint of NEXT_CHAT_WEBHOOKS, as the hub's readWebhooks accepts it (names unique: checked at render time). */
const webhookEndpoint = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    url: { type: 'string', pattern: '^https?://[^\\s]+$' },
    events: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...WEBHOOK_EVENT_TYPES] } },
  },
};
/** Names of a key in a Secret. */
const secretKey = { pattern: '^[-._a-zA-Z0-9]+$' };
/** The same, or empty for "not used". */
const optionalSecretKey = { pattern: '^[-._a-zA-Z0-9]*$' };
/**
 * A sentinel of NEXT_CHAT_REDIS_SENTINELS or a seed node of NEXT_CHAT_REDIS_CLUSTER_NODES: host:port
 * (IPv6 in brackets), port 1-65535, as the hub's hostPortsProblem accepts it (tests/unit/chart/sentinel.test.ts
 * and cluster.test.ts check both agree; templates/_helpers.tpl checks cluster nodes with the same pattern).
 */
const HOST_PORT_PATTERN =
  '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
/** NEXT_CHAT_REDIS_SENTINEL_NAME as the hub accepts it. */
const SENTINEL_NAME_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

const pullPolicy = { enum: ['Always', 'IfNotPresent', 'Never'] };
const intOrPercent = { type: ['integer', 'string'], pattern: '^[0-9]+%?$' };
const CONSTRAINTS = {
  'auth.mode': { enum: ['jwt', 'trust'] },
  'hub.replicaCount': { minimum: 0 },
  'hub.updateStrategy.type': { enum: ['RollingUpdate', 'Recreate'] },
  'hub.updateStrategy.rollingUpdate.maxSurge': intOrPercent,
  'hub.updateStrategy.rollingUpdate.maxUnavailable': intOrPercent,
  'hub.containerPort': { minimum: 1, maximum: 65535 },
  'hub.metrics.port': { minimum: 1, maximum: 65535 },
  'hub.config.logLevel': typedConstraint('logLevel'),
  'hub.config.rateLimit': typedConstraint('rateLimit'),
  'hub.config.maxGroupMembers': typedConstraint('maxGroupMembers'),
  'hub.config.drainTimeoutMs': typedConstraint('drainTimeoutMs'),
  'hub.config.redisWaitReplicas': typedConstraint('redisWaitReplicas'),
  'hub.config.redisWaitTimeoutMs': typedConstraint('redisWaitTimeoutMs'),
  'hub.config.extra': {
    propertyNames: { enum: EXTRA.map((o) => o.key) },
    properties: Object.fromEntries(EXTRA.map((o) => [o.key, extraNode(o)])),
  },
  'hub.preStopSleepSeconds': { minimum: 0 },
  'hub.terminationGracePeriodSeconds': { minimum: 1 },
  'hub.topologySpread.maxSkew': { minimum: 1 },
  'hub.topologySpread.whenUnsatisfiable': { enum: ['ScheduleAnyway', 'DoNotSchedule'] },
  'hub.service.type': { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
  'hub.service.port': { minimum: 1, maximum: 65535 },
  'hub.pdb.minAvailable': { type: ['integer', 'string'], pattern: '^([0-9]+%?)?$' },
  'hub.pdb.maxUnavailable': intOrPercent,
  'hub.autoscaling.minReplicas': { minimum: 1 },
  'hub.autoscaling.maxReplicas': { minimum: 1 },
  'hub.autoscaling.targetCPU': { minimum: 1, maximum: 100 },
  'hub.autoscaling.targetMemory': { type: ['integer', 'string'], pattern: '^$', minimum: 1, maximum: 100 },
  'api.port': { minimum: 1, maximum: 65535 },
  'api.keys': { items: { type: 'string', pattern: API_KEY_PATTERN }, uniqueItems: true },
  'api.existingSecretKey': secretKey,
  'api.systemUser': { pattern: USER_ID_RE.source },
  'api.service.type': { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
  'api.service.port': { minimum: 1, maximum: 65535 },
  'webhooks.endpoints': { items: webhookEndpoint },
  'webhooks.secret': { pattern: '^([\\s\\S]{16,})?$' },
  'webhooks.existingSecretKey': secretKey,
  'webhooks.retrySeconds': typedConstraint('webhookRetrySeconds'),
  'webhooks.timeoutMs': typedConstraint('webhookTimeoutMs'),
  'webhooks.partitions': typedConstraint('webhookPartitions'),
  'moderation.url': { pattern: '^(https?://[^\\s]+)?$' },
  'moderation.timeoutMs': typedConstraint('moderationTimeoutMs'),
  'moderation.failure': typedConstraint('moderationFailure'),
  'ingress.pathType': { enum: ['Prefix', 'Exact', 'ImplementationSpecific'] },
  'ingress.timeoutSeconds': { minimum: 60 },
  'redis.appendfsync': { enum: ['always', 'everysec', 'no'] },
  'externalRedis.sentinel.nodes': { items: { type: 'string', pattern: HOST_PORT_PATTERN }, uniqueItems: true },
  'externalRedis.sentinel.masterName': { pattern: SENTINEL_NAME_PATTERN },
  'externalRedis.sentinel.existingSecretPasswordKey': optionalSecretKey,
  'externalRedis.sentinel.existingSecretSentinelPasswordKey': optionalSecretKey,
  'externalRedis.cluster.nodes': { items: { type: 'string', pattern: HOST_PORT_PATTERN }, uniqueItems: true },
  'externalRedis.cluster.existingSecretPasswordKey': optionalSecretKey,
  'configurator.backoffLimit': { minimum: 0 },
  'configurator.waitTimeoutSeconds': { minimum: 1 },
  'configurator.activeDeadlineSeconds': { minimum: 1 },
  'tests.args': { items: { type: 'string' } },
  'global.imagePullSecrets': { items: { type: 'string' } },
};
for (const k of ['hub', 'redis', 'mysql', 'configurator', 'tests']) CONSTRAINTS[`${k}.image.pullPolicy`] = pullPolicy;
for (const k of ['redis', 'mysql']) {
  CONSTRAINTS[`${k}.persistence.size`] = { pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$' };
  CONSTRAINTS[`${k}.persistence.accessModes`] = { items: { enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] }, minItems: 1 };
}
/** JSON Schema type of a default value. */
function typeOf(v) {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function buildSchema(valuesText) {
  const values = YAML.parse(valuesText);
  const params = new Map([...valuesText.matchAll(/^\s*## @param (\S+) (.*)$/gm)].map((m) => [m[1], m[2].trim()]));
  const used = new Set();
  const node = (v, at) => {
    const description = params.get(at);
    const n = { type: typeOf(v) };
    if (description !== undefined) {
      used.add(at);
      // A documented value, leaf or free-form map (labels, security contexts, resources).
      n.description = description;
      n.default = v;
    } else if (n.type === 'object') {
      n.additionalProperties = false;
      n.properties = Object.fromEntries(Object.entries(v).map(([k, c]) => [k, node(c, at ? `${at}.${k}` : k)]));
    } else {
      throw new Error(`values.yaml: ${at} has no ## @param line`);
    }
    return Object.assign(n, CONSTRAINTS[at]);
  };
  const root = node(values, '');
  for (const p of params.keys()) if (!used.has(p)) throw new Error(`values.yaml: @param ${p} names no value`);
  for (const p of Object.keys(CONSTRAINTS)) if (!params.has(p)) throw new Error(`chart-schema.mjs: constraint for unknown value ${p}`);
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'next-chat chart values', ...root }, null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = path.join(CHART, 'values.schema.json');
  const next = buildSchema(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));
  const now = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (next !== now) {
      console.error('helm/next-chat/values.schema.json is out of date: run node scripts/chart-schema.mjs');
      process.exit(1);
    }
  } else if (next !== now) {
    fs.writeFileSync(file, next);
    console.log('updated helm/next-chat/values.schema.json');
  }
}
