/**
 * ioredis connections of the production engine and the mapping of their
 * failures to protocol errors. Request-path commands time out after a few
 * seconds and are retried at most once, so a paused or dead Redis becomes
 * RpcError 4503 instead of a hang; background loops reconnect forever.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { errors, RpcError } from '@next-chat/core';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { Reachability } from '../../observability/reachability.js';
import type { ClusterTarget, RedisTarget, SentinelTarget } from '../../config.js';

export type { RedisTarget };

/**
 * A connection of the production engine: one Redis (a URL or a Sentinel
 * primary) or a Redis Cluster. Both take the same commands; what differs
 * (pub/sub commands, which keys may share a command) is decided by
 * {@link isCluster} in the few places that care.
 */
export type RedisClient = Redis | Cluster;

export function isCluster(r: RedisClient): r is Cluster {
  return (r as { isCluster?: boolean }).isCluster === true;
}

export function isClusterTarget(t: RedisTarget): t is ClusterTarget {
  return typeof t !== 'string' && 'cluster' in t;
}

/** @default 3000 — ms a request-path command may take before the request fails with 4503. */
export const COMMAND_TIMEOUT_MS = 3000;

export type ConnectionRole = 'commands' | 'reader' | 'subscriber' | 'history' | 'durable' | 'webhooks';

function targetOptions(t: SentinelTarget): RedisOptions {
  return {
    sentinels: t.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: t.name,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.sentinelPassword !== undefined ? { sentinelPassword: t.sentinelPassword } : {}),
    ...(t.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    // After a failover the old primary may answer as a replica for a while: READONLY means "ask the sentinels again".
    reconnectOnError: (err) => /^READONLY/.test(err.message),
    sentinelRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
}

/** @default 2000 — ms between refreshes of a cluster client's slot map. */
export const SLOTS_REFRESH_MS = 2000;

/**
 * A Redis Cluster client. Sharded subscribers (one connection per primary,
 * SSUBSCRIBE) for the subscriber role, so announcements travel only within
 * their shard. The slot map is refreshed every {@link SLOTS_REFRESH_MS}:
 * a subscriber client sends no command that a MOVED would correct, and when
 * a slot moves Redis drops its channels' subscriptions; ioredis subscribes
 * them again on the new owner when its map changes. No auto-pipelining: a
 * pipeline that meets MOVED for some of its commands (a slot moved, a
 * failover) hands the MOVED to the callers instead of following it.
 */
function connectCluster(t: ClusterTarget, role: ConnectionRole, node: RedisOptions): Cluster {
  const options: ClusterOptions = {
    redisOptions: {
      ...node,
      ...(t.username !== undefined ? { username: t.username } : {}),
      ...(t.password !== undefined ? { password: t.password } : {}),
      ...(t.tls ? { tls: {} } : {}),
    },
    // Managed clusters over TLS announce names the certificate covers: keep them, do not resolve to addresses.
    ...(t.tls ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) } : {}),
    enableOfflineQueue: true,
    shardedSubscribers: role === 'subscriber',
    slotsRefreshInterval: SLOTS_REFRESH_MS,
    scaleReads: 'master',
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  return new Cluster(
    t.cluster.map((n) => ({ host: n.host, port: n.port })),
    options,
  );
}

export function connectRedis(target: RedisTarget, role: ConnectionRole, deps: { logger: Logger; metrics: Metrics }, extra: RedisOptions = {}): RedisClient {
  const options: RedisOptions = {
    connectionName: `next-chat:${role}`,
    connectTimeout: 3000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Reconnect forever, backing off to 2 s between attempts.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    lazyConnect: false,
    ...(typeof target === 'string' || isClusterTarget(target) ? {} : targetOptions(target)),
    ...extra,
  };
  const redis = isClusterTarget(target) ? connectCluster(target, role, options) : typeof target === 'string' ? new Redis(target, options) : new Redis(options);
  const reach = new Reachability(deps.logger, 'redis', 'requests that need it get 4503 until it returns; reconnecting');
  redis.on('error', (err: Error) => {
    deps.metrics.backendErrors.inc({ backend: 'redis' });
    reach.failed(err, { role });
  });
  redis.on('ready', () => reach.ok({ role }));
  return redis;
}

// MOVED and ASK reach a caller only when a cluster's slot is between owners for longer than ioredis follows redirections.
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|NOSCRIPT|MOVED|ASK)/;

/**
 * Turns a Redis failure into RpcError 4503 (unreachable, timed out, loading)
 * and leaves other errors (a bug in a script) as they are.
 */
export function toRpcError(err: unknown): unknown {
  if (err instanceof RpcError) return err;
  const e = err as { name?: string; message?: string };
  if (e?.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(e.message ?? '')) return err;
  return errors.unavailable('messaging layer');
}

/** Runs a request-path Redis call, rejecting with RpcError 4503 when Redis is unreachable. */
export async function guarded<T>(metrics: Metrics, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    metrics.backendErrors.inc({ backend: 'redis' });
    throw toRpcError(err);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
