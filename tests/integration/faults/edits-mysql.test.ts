/**
 * Edits and deletes with a Redis and a MariaDB of this file's own, two hubs,
 * streams kept only until MySQL has their messages (retention 0): changes
 * reach MySQL exactly once, also when MySQL was down and when the change
 * came before the original row was written; a deleted message's text is
 * gone from Redis and from MySQL; a message only MySQL still has can be
 * edited, and history pages show it as it is now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { startMariaDb, startRedis, type ServiceHandle } from '../setup/services.js';
import { createTestDatabase, eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { MysqlHistoryStore } from '../../../packages/server/src/adapters/mysql/mysql-history-store.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';

let redisSvc: ServiceHandle;
let maria: ServiceHandle;
let store: MysqlHistoryStore;
let redis: Redis;
const prefix = randomPrefix();
const keys = new RedisKeys(prefix);
const hubs: HubProcess[] = [];
const clients: TestClient[] = [];

interface Row {
  id: string;
  text: string;
  edited: boolean;
  deleted: boolean;
}

async function rows(groupId: string): Promise<Row[]> {
  const r = (await store
    .knex('messages')
    .select('ms', 'seq', 'text', 'edited_at', 'deleted_at')
    .where('group_id', groupId)
    .orderBy(['ms', 'seq'])) as { ms: number; seq: number; text: string; edited_at: string | null; deleted_at: string | null }[];
  return r.map((x) => ({ id: `${x.ms}-${x.seq}`, text: x.text, edited: x.edited_at !== null, deleted: x.deleted_at !== null }));
}

async function connect(h: HubProcess, user: string): Promise<TestClient> {
  const c = await TestClient.connect(h.url, user);
  clients.push(c);
  return c;
}

/** Every value under the prefix, as text: streams, hashes, sets, strings. */
async function everythingInRedis(): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'string') out.push((await redis.get(key)) ?? '');
  }
  return out.join('\n');
}

beforeAll(async () => {
  [redisSvc, maria] = await Promise.all([startRedis(), startMariaDb()]);
  const mysqlUrl = await createTestDatabase(maria.url);
  store = new MysqlHistoryStore(mysqlUrl, { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) });
  redis = new Redis(redisSvc.url);
  for (const i of [0, 1]) {
    hubs.push(
      await startHub(
        hubEnv({
          redisUrl: redisSvc.url,
          mysqlUrl,
          prefix,
          instanceId: `${prefix}-hub${i}`,
          extra: { NEXT_CHAT_HISTORY_FLUSH_MS: '50', NEXT_CHAT_HISTORY_CLAIM_IDLE_MS: '2000', NEXT_CHAT_STREAM_RETENTION_MS: '0', NEXT_CHAT_GROUP_CREATE_LIMIT: '0' },
        }),
      ),
    );
  }
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.kill9()));
  redis?.disconnect();
  await store?.close();
  await Promise.all([redisSvc?.dispose(), maria?.dispose()]);
});

describe('edits and deletes reach MySQL', () => {
  it('while MySQL is down, changes before their rows were written: once back, every row once, as it is now; deleted text gone everywhere', async () => {
    const g = uid('down');
    const a = await connect(hubs[0]!, uid('a'));
    const b = await connect(hubs[1]!, uid('b'));
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    await b.call('group.join', { groupId: g });
    await maria.stop();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await (i % 2 ? b : a).call<{ message: Message }>('message.send', { groupId: g, text: `row ${i}`, clientMessageId: `c${i}` })).message.id);
    await a.call('message.edit', { groupId: g, messageId: ids[0], text: 'row 0 v2' });
    await a.call('message.edit', { groupId: g, messageId: ids[0], text: 'row 0 v3' });
    await b.call('message.edit', { groupId: g, messageId: ids[1], text: 'classified 1' });
    await b.call('message.delete', { groupId: g, messageId: ids[1] });
    await a.call('message.delete', { groupId: g, messageId: ids[4] });
    // History meanwhile comes from Redis, as it is now.
    const h = await b.call<{ messages: Message[] }>('message.history', { groupId: g });
    expect(h.messages.map((m) => m.text)).toEqual(['row 0 v3', '', 'row 2', 'row 3', '', 'row 5', 'row 6', 'row 7', 'row 8', 'row 9']);
    await maria.restart();
    await eventually(async () => {
      const r = await rows(g);
      return r.length === 10 && r[0]!.text === 'row 0 v3' && r[1]!.deleted && r[4]!.deleted;
    }, 45_000, 'changes written after MySQL came back');
    const r = await rows(g);
    expect(r.map((x) => x.id)).toEqual(ids);
    expect(r[0]).toMatchObject({ text: 'row 0 v3', edited: true, deleted: false });
    expect(r[1]).toMatchObject({ text: '', deleted: true });
    expect(r[4]).toMatchObject({ text: '', deleted: true });
    expect(r[2]).toMatchObject({ text: 'row 2', edited: false, deleted: false });
    // Once the writer is through, Redis holds neither deleted text (nor the edit before the delete).
    await eventually(async () => (await redis.xlen(keys.history())) === 0, 20_000, 'history stream drained');
    const all = await everythingInRedis();
    expect(all).not.toContain('row 1');
    expect(all).not.toContain('classified 1');
    expect(all).not.toContain('row 4');
    expect(all).toContain('row 0 v3');
  }, 120_000);

  it('a message only MySQL still has is edited and deleted; pages show it as it is now; the change reaches MySQL once', async () => {
    const g = uid('old');
    const a = await connect(hubs[1]!, uid('old-a'));
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await a.call<{ message: Message }>('message.send', { groupId: g, text: `old ${i}` })).message.id);
    await eventually(async () => (await rows(g)).length === 30, 30_000, 'written');
    // A send trims what MySQL has; the first messages are then in MySQL only.
    await a.call('message.send', { groupId: g, text: 'trims' });
    expect(await redis.xrange(keys.stream(g), ids[0]!, ids[0]!)).toEqual([]);
    const edited = await a.call<{ message: Message }>('message.edit', { groupId: g, messageId: ids[0], text: 'old 0 fixed' });
    expect(edited.message).toMatchObject({ id: ids[0], text: 'old 0 fixed' });
    await a.call('message.delete', { groupId: g, messageId: ids[2] });
    const page = await a.call<{ messages: Message[] }>('message.history', { groupId: g, before: ids[5], limit: 5 });
    expect(page.messages.map((m) => m.text)).toEqual(['old 0 fixed', 'old 1', '', 'old 3', 'old 4']);
    const all = await a.call<{ messages: Message[] }>('message.history', { groupId: g, limit: 100 });
    expect(all.messages).toHaveLength(31);
    expect(all.messages[2]).toMatchObject({ id: ids[2], text: '' });
    await eventually(async () => {
      const r = await rows(g);
      return r[0]!.text === 'old 0 fixed' && r[2]!.deleted;
    }, 30_000, 'changes written');
    expect((await rows(g)).length).toBe(31);
    expect(await a.request('message.edit', { groupId: g, messageId: '1-0', text: 'x' })).toMatchObject({ error: { code: 4044 } });
  }, 90_000);
});
