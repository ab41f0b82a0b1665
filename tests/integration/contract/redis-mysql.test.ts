/**
 * The production engine with MySQL: the port contract, plus the tiering of
 * history (recent pages from the stream, older ones from MySQL after the
 * stream was trimmed) and the history writer's idempotent, ack-after-commit
 * writes.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Message } from '@next-chat/core';
import { createProductionEngine } from '../../../packages/server/src/adapters/production-engine.js';
import { decodeMessage } from '../../../packages/server/src/events/codec.js';
import { MysqlHistoryStore } from '../../../packages/server/src/adapters/mysql/mysql-history-store.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { parseConfig } from '../../../packages/server/src/config.js';
import type { Engine } from '../../../packages/server/src/ports/engine.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';
import { createTestDatabase, eventually, randomPrefix } from '../setup/engine-env.js';
import { engineContract, type EngineFactory } from './engine-contract.js';
import { roomsContract } from './rooms-contract.js';
import { loseUnread } from './redis-gap.js';

let prefix = randomPrefix();
let mysqlUrl = '';
let k = 0;

function make(env: Record<string, string> = {}): Promise<Engine> {
  return createProductionEngine(
    parseConfig({
      NEXT_CHAT_REDIS_URL: inject('redisUrl'),
      NEXT_CHAT_MYSQL_URL: mysqlUrl,
      NEXT_CHAT_REDIS_PREFIX: prefix,
      NEXT_CHAT_INSTANCE_ID: `${prefix}-${k++}`,
      NEXT_CHAT_HISTORY_FLUSH_MS: '20',
      ...env,
    }),
    { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) },
  );
}

beforeAll(async () => {
  mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
});

// The contract's engines keep the first prefix (the tiering tests below take another).
const contractKeys = new RedisKeys(prefix);
const redisMysql: EngineFactory = {
  name: 'redis + mysql',
  create: () => make(),
  peer: () => make(),
  gap: { provoke: async (groupId) => void (await loseUnread(inject('redisUrl'), contractKeys, groupId)) },
};
engineContract(redisMysql);
roomsContract(redisMysql);

describe('history tiering: Redis streams in front of MySQL', () => {
  let engine: Engine;
  let store: MysqlHistoryStore;
  let redis: Redis;
  let keys: RedisKeys;
  const T0 = Date.parse('2026-11-22T10:00:00.000Z');

  beforeAll(async () => {
    // A prefix of its own: entries left unwritten by the contract engines above
    // (closed without a flush) would hold back trimming until they are claimed.
    prefix = randomPrefix();
    keys = new RedisKeys(prefix);
    // Retention 0: every message already in MySQL may be trimmed from its stream.
    engine = await make({ NEXT_CHAT_STREAM_RETENTION_MS: '0', NEXT_CHAT_HISTORY_BATCH_SIZE: '7' });
    store = new MysqlHistoryStore(mysqlUrl, { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) });
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await engine?.close();
    await store?.close();
    redis?.disconnect();
  });

  async function send(g: string, n: number, from = 0): Promise<Message[]> {
    const out: Message[] = [];
    for (let i = from; i < from + n; i++) {
      const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text: `m${i} ✓ 😀`, clientMessageId: i % 3 === 0 ? `c${i}` : undefined, sentAtMs: T0 + i });
      if (r.status !== 'published') throw new Error(r.status);
      out.push(decodeMessage(r.message.json));
    }
    return out;
  }

  it('writes every message to MySQL once, then trims the stream, and still reads the whole log', async () => {
    const g = `tier-${Date.now().toString(36)}`;
    await engine.groups.create({ groupId: g, createdBy: 'ann', atMs: T0, visibility: 'public', title: '', topic: '', capacity: 10 });
    await engine.groups.join(g, 'ann', 10, T0);
    const sent = await send(g, 250);
    await eventually(async () => (await store.count(g)) === 250, 20_000, 'all 250 messages in MySQL');
    // The next publish trims what MySQL already has, in whole stream nodes (XTRIM MINID ~).
    sent.push(...(await send(g, 1, 250)));
    expect(await redis.xlen(keys.stream(g))).toBeLessThan(251);
    const newest = await engine.history.latest(g, undefined, 200);
    expect(newest).toEqual(sent.slice(-200));
    expect(await engine.history.latest(g, newest[0].id, 200)).toEqual(sent.slice(0, -200));
    // Keyset pages across the boundary.
    const firstInStream = ((await redis.xrange(keys.stream(g), '-', '+', 'COUNT', 1)) as [string, string[]][])[0][0];
    const boundary = sent.findIndex((m) => m.id === firstInStream);
    expect(boundary).toBeGreaterThan(0);
    const page = await engine.history.latest(g, sent[boundary + 5].id, 10);
    expect(page).toEqual(sent.slice(boundary - 5, boundary + 5));
    expect(await engine.history.latest(g, sent[3].id, 10)).toEqual(sent.slice(0, 3));
    expect((await engine.history.latest(g, sent[200].id, 200)).length).toBe(200);
    await eventually(async () => (await store.count(g)) === 251, 20_000, 'the last message in MySQL');
    await eventually(async () => (await redis.xlen(keys.history())) === 0, 20_000, 'an empty history stream');
  });

  it('writes idempotently: the same rows twice leave one copy', async () => {
    const g = `idem-${Date.now().toString(36)}`;
    const row = { groupId: g, id: '1700000000000-3', authorId: 'ann', text: 'x', sentAt: '2026-11-22T10:00:00.123Z' };
    await store.insert([row]);
    await store.insert([row, { ...row, id: '1700000000000-4' }]);
    expect(await store.count(g)).toBe(2);
    expect(await store.latest(g, undefined, 10)).toEqual([
      { id: '1700000000000-3', groupId: g, authorId: 'ann', text: 'x', sentAt: '2026-11-22T10:00:00.123Z' },
      { id: '1700000000000-4', groupId: g, authorId: 'ann', text: 'x', sentAt: '2026-11-22T10:00:00.123Z' },
    ]);
  });

  it('splits batches too big for one statement', async () => {
    const g = `big-${Date.now().toString(36)}`;
    const text = '😀'.repeat(4000);
    const rows = Array.from({ length: 1200 }, (_, i) => ({ groupId: g, id: `1700000000000-${i}`, authorId: 'ann', text, sentAt: '2026-11-22T10:00:00.000Z' }));
    await store.insert(rows);
    expect(await store.count(g)).toBe(1200);
    const last = await store.latest(g, undefined, 1);
    expect(last[0].text).toBe(text);
  });

  it('keeps case-distinct group ids apart', async () => {
    const base = `Case${Date.now().toString(36)}`;
    const row = { groupId: base, id: '1700000000000-0', authorId: 'ann', text: 'upper', sentAt: '2026-11-22T10:00:00.000Z' };
    await store.insert([row, { ...row, groupId: base.toLowerCase(), text: 'lower' }]);
    expect((await store.latest(base, undefined, 5)).map((m) => m.text)).toEqual(['upper']);
    expect((await store.latest(base.toLowerCase(), undefined, 5)).map((m) => m.text)).toEqual(['lower']);
  });
});
