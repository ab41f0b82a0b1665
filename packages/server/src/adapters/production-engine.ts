/**
 * The production engine: Redis for messaging, groups and presence, MySQL
 * (optional) for durable history. Any number of hubs on one Redis serve one
 * set of groups as if they were one. main.ts loads this module only when
 * NEXT_CHAT_REDIS_URL is set. docs/architecture.md explains the design.
 */
import { redisTargetOf, type Config } from '../config.js';
import { setTimeout } from 'node:timers/promises';
import type { BackendStatus, Engine } from '../ports/engine.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { connectRedis, isClusterTarget } from './redis/connection.js';
import { RedisKeys } from './redis/keys.js';
import { Scripts } from './redis/scripts.js';
import { RedisBroker } from './redis/redis-broker.js';
import { RedisGroupStore } from './redis/redis-group-store.js';
import { RedisPresence } from './redis/redis-presence.js';
import { RedisHistoryReader } from './redis/redis-history-reader.js';
import { MysqlHistoryStore } from './mysql/mysql-history-store.js';
import { RedisHistoryWriter } from './mysql/history-writer.js';
import { createRedisWebhooks } from './redis/redis-webhooks.js';

export interface ProductionEngineOptions {
  /** Presence heartbeat and TTL, ms (tests shorten them). */
  presenceHeartbeatMs?: number;
  presenceTtlMs?: number;
  /** ms an unacknowledged history entry of another hub waits before it is claimed. */
  historyClaimIdleMs?: number;
}

const PROBE_TIMEOUT_MS = 1000;

async function probe(name: BackendStatus['name'], ping: () => Promise<unknown>): Promise<BackendStatus> {
  const t0 = performance.now();
  try {
    await Promise.race([ping(), setTimeout(PROBE_TIMEOUT_MS).then(() => Promise.reject(new Error('timeout')))]);
    return { name, reachable: true, latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch {
    return { name, reachable: false };
  }
}

export async function createProductionEngine(
  config: Config,
  deps: { logger: Logger; metrics: Metrics },
  opts: ProductionEngineOptions = {},
): Promise<Engine> {
  const redis = redisTargetOf(config);
  if (redis === undefined) throw new Error('createProductionEngine needs NEXT_CHAT_REDIS_URL, NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES');
  const logger = deps.logger.child({ component: 'engine' });
  const d = { logger, metrics: deps.metrics };
  const keys = new RedisKeys(config.redisPrefix, isClusterTarget(redis));
  const commands = connectRedis(redis, 'commands', d);
  const scripts = new Scripts(commands, keys);
  const mysql = config.mysqlUrl ? new MysqlHistoryStore(config.mysqlUrl, d) : null;
  // The live hubs (presence, made below) set each hub's share of the webhook partitions.
  const webhooks = createRedisWebhooks(config, { commands, keys, scripts, logger, metrics: deps.metrics, liveHubs: async () => (await presence.instances()).length });

  const historyWriter = mysql
    ? new RedisHistoryWriter({
        url: redis,
        commands,
        keys,
        scripts,
        store: mysql,
        instanceId: config.instanceId,
        logger,
        metrics: deps.metrics,
        batchSize: config.historyBatchSize,
        flushMs: config.historyFlushMs,
        claimIdleMs: opts.historyClaimIdleMs ?? config.historyClaimIdleMs,
        claimIntervalMs: Math.min(5000, Math.max(250, Math.floor((opts.historyClaimIdleMs ?? config.historyClaimIdleMs) / 4))),
      })
    : undefined;

  const broker = new RedisBroker({
    url: redis,
    commands,
    keys,
    scripts,
    logger,
    metrics: deps.metrics,
    withHistory: mysql !== null,
    streamRetentionMs: config.streamRetentionMs,
    instanceId: config.instanceId,
    ...(historyWriter ? { wroteHistory: (groupId: string) => historyWriter.touch(groupId) } : {}),
    ...(webhooks ? { webhooks } : {}),
    ...(config.redisWaitReplicas > 0 ? { durable: { replicas: config.redisWaitReplicas, timeoutMs: config.redisWaitTimeoutMs } } : {}),
  });
  const groups = new RedisGroupStore(commands, keys, scripts, deps.metrics);
  const presence = new RedisPresence({
    redis: commands,
    keys,
    instanceId: config.instanceId,
    logger,
    metrics: deps.metrics,
    heartbeatMs: opts.presenceHeartbeatMs ?? Math.max(250, Math.floor(config.presenceTtlMs / 3)),
    ttlMs: opts.presenceTtlMs ?? config.presenceTtlMs,
  });
  const history = new RedisHistoryReader(commands, keys, scripts, deps.metrics, mysql);
  // Started here so history is written even if the caller forgets; start() is idempotent.
  historyWriter?.start();

  logger.info(
    { redisPrefix: config.redisPrefix, waitReplicas: config.redisWaitReplicas, history: mysql ? 'mysql' : 'redis streams only (nothing trimmed)' },
    'production engine configured',
  );

  return {
    name: mysql ? 'redis+mysql' : 'redis',
    broker,
    groups,
    presence,
    history,
    historyWriter,
    ...(webhooks ? { webhooks } : {}),
    async backends() {
      return Promise.all([probe('redis', () => commands.ping()), ...(mysql ? [probe('mysql', () => mysql.knex.raw('SELECT 1'))] : [])]);
    },
    async close() {
      await webhooks?.close();
      await historyWriter?.close();
      await presence.close();
      await broker.close();
      await mysql?.close();
      commands.disconnect();
    },
  };
}
