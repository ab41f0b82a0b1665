/**
 * Per-file isolation on the shared test servers: a random Redis key prefix
 * and a database of its own (created and migrated by the configurator).
 */
import { randomBytes } from 'node:crypto';
import { configure } from '../../../configurator/src/configure.js';

export function randomPrefix(): string {
  return `nct-${randomBytes(5).toString('hex')}`;
}

/** Creates `nc_<random>` on the server of `serverUrl` (no database in its path), migrated; returns its URL. */
export async function createTestDatabase(serverUrl: string): Promise<string> {
  const url = `${serverUrl.replace(/\/$/, '')}/nc_${randomBytes(5).toString('hex')}`;
  await configure({ mysqlUrl: url, waitTimeoutMs: 30_000 });
  return url;
}

/** Env for a hub process of the production engine. */
export function hubEnv(o: { redisUrl: string; mysqlUrl?: string; prefix: string; instanceId?: string; extra?: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {
    NEXT_CHAT_REDIS_URL: o.redisUrl,
    NEXT_CHAT_REDIS_PREFIX: o.prefix,
    NEXT_CHAT_RATE_LIMIT: '0',
    NEXT_CHAT_LOG_LEVEL: 'info',
    ...o.extra,
  };
  if (o.mysqlUrl) env.NEXT_CHAT_MYSQL_URL = o.mysqlUrl;
  if (o.instanceId) env.NEXT_CHAT_INSTANCE_ID = o.instanceId;
  return env;
}

/** Polls `check` until it returns true, at most `timeoutMs`; for state with no event to await (MySQL rows, Redis keys). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, Math.min(50 * (i + 1), 500)));
  }
}
