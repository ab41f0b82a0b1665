/**
 * ioredis connections of the production engine and the mapping of their
 * failures to protocol errors. Request-path commands time out after a few
 * seconds and are retried at most once, so a paused or dead Redis becomes
 * RpcError 4503 instead of a hang; background loops reconnect forever.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { errors, RpcError } from '@next-chat/core';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { Reachability } from '../../observability/reachability.js';
import type { RedisTarget, SentinelTarget } from '../../config.js';

export type { RedisTarget };

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

export function connectRedis(target: RedisTarget, role: ConnectionRole, deps: { logger: Logger; metrics: Metrics }, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    connectionName: `next-chat:${role}`,
    connectTimeout: 3000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Reconnect forever, backing off to 2 s between attempts.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    lazyConnect: false,
    ...(typeof target === 'string' ? {} : targetOptions(target)),
    ...extra,
  };
  const redis = typeof target === 'string' ? new Redis(target, options) : new Redis(options);
  const reach = new Reachability(deps.logger, 'redis', 'requests that need it get 4503 until it returns; reconnecting');
  redis.on('error', (err: Error) => {
    deps.metrics.backendErrors.inc({ backend: 'redis' });
    reach.failed(err, { role });
  });
  redis.on('ready', () => reach.ok({ role }));
  return redis;
}

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|NOSCRIPT)/;

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
