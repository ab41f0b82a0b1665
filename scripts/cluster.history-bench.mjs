#!/usr/bin/env node
/**
 * Measures the history writer (adapters/mysql/history-writer.ts): how fast
 * one writer drains the history stream into MySQL at several batch sizes.
 * Needs a Redis and a migrated MySQL database, e.g. those `npm run cluster`
 * prints:
 *
 *   node scripts/cluster.history-bench.mjs redis://127.0.0.1:PORT mysql://root@127.0.0.1:PORT/nextchat [messages]
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../packages/server/dist/adapters/redis/keys.js';
import { Scripts } from '../packages/server/dist/adapters/redis/scripts.js';
import { MysqlHistoryStore } from '../packages/server/dist/adapters/mysql/mysql-history-store.js';
import { RedisHistoryWriter } from '../packages/server/dist/adapters/mysql/history-writer.js';
import { Metrics } from '../packages/server/dist/observability/metrics.js';
import { silentLogger } from '../packages/server/dist/observability/logger.js';

const [redisUrl, mysqlUrl, countArg] = process.argv.slice(2);
if (!redisUrl || !mysqlUrl) {
  process.stderr.write('usage: node scripts/cluster.history-bench.mjs REDIS_URL MYSQL_URL [messages]\n');
  process.exit(2);
}
const total = Number(countArg ?? 20000);
const redis = new Redis(redisUrl);
const logger = silentLogger();
const rows = [];

for (const batchSize of [1, 50, 500, 2000]) {
  const prefix = `hbench-${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const scripts = new Scripts(redis, keys);
  const g = 'bench';
  await scripts.create(g, 'u', new Date().toISOString());
  await scripts.join(g, 'u', 10, new Date().toISOString());
  const n = batchSize === 1 ? Math.min(total, 2000) : total;
  // Publish everything first, so the writer's drain rate is measured alone.
  for (let i = 0; i < n; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, n - i) }, (_, j) =>
        scripts.publish({ groupId: g, authorId: 'u', text: `message ${i + j} of the history benchmark`, sentAt: new Date().toISOString(), clientMessageId: undefined, dedupeSeconds: 600, withHistory: true, retentionMs: 600000, notify: false }),
      ),
    );
  }
  const metrics = new Metrics({ defaultMetrics: false });
  const store = new MysqlHistoryStore(mysqlUrl, { logger, metrics });
  const writer = new RedisHistoryWriter({ url: redisUrl, commands: redis, keys, scripts, store, instanceId: `${prefix}-w`, logger, metrics, batchSize, flushMs: 200 });
  const t0 = process.hrtime.bigint();
  writer.start();
  for (let i = 0; i < 100_000 && (await redis.xlen(keys.history())) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await writer.close();
  const batches = (await metrics.historyBatches.get()).values.find((v) => v.labels.outcome === 'ok')?.value ?? 0;
  rows.push({ batchSize, messages: n, seconds: seconds.toFixed(2), 'messages/s': Math.round(n / seconds), batches, 'in MySQL': await store.count(g) });
  await store.knex('messages').where('group_id', g).del();
  await store.close();
  const leftover = await redis.keys(`${prefix}:*`);
  if (leftover.length > 0) await redis.del(...leftover);
}
console.table(rows);
redis.disconnect();
