/**
 * Faults with a Redis and a MariaDB of this file's own: MySQL stopped and
 * back (history catches up, exactly once), a hub killed with kill -9 while
 * its client is joined (the client resumes on another hub and sees every
 * message exactly once; no ghost presence), and a hub killed while it holds
 * unwritten history (the survivors claim it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { compareMessageIds, type Message } from '@next-chat/core';
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
let mysqlUrl: string;
let store: MysqlHistoryStore;
let redis: Redis;
const prefix = randomPrefix();
const keys = new RedisKeys(prefix);
const hubs: HubProcess[] = [];
const clients: TestClient[] = [];

function hub(i: number): Promise<HubProcess> {
  return startHub(
    hubEnv({
      redisUrl: redisSvc.url,
      mysqlUrl,
      prefix,
      instanceId: `${prefix}-hub${i}`,
      // Retention 0: streams keep only what MySQL lacks, so old pages come from MySQL.
      extra: { NEXT_CHAT_PRESENCE_TTL_MS: '3000', NEXT_CHAT_HISTORY_CLAIM_IDLE_MS: '2000', NEXT_CHAT_HISTORY_FLUSH_MS: '50', NEXT_CHAT_STREAM_RETENTION_MS: '0' },
    }),
  ).then((h) => {
    hubs.push(h);
    return h;
  });
}

async function connect(h: HubProcess, user: string): Promise<TestClient> {
  const c = await TestClient.connect(h.url, user);
  clients.push(c);
  return c;
}

async function idsInMysql(groupId: string): Promise<string[]> {
  const rows = (await store.knex('messages').select('ms', 'seq').where('group_id', groupId).orderBy(['ms', 'seq'])) as { ms: number; seq: number }[];
  return rows.map((r) => `${r.ms}-${r.seq}`);
}

beforeAll(async () => {
  [redisSvc, maria] = await Promise.all([startRedis(), startMariaDb()]);
  mysqlUrl = await createTestDatabase(maria.url);
  store = new MysqlHistoryStore(mysqlUrl, { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) });
  redis = new Redis(redisSvc.url);
  await Promise.all([0, 1, 2].map((i) => hub(i)));
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.kill9()));
  redis?.disconnect();
  await store?.close();
  await Promise.all([redisSvc?.dispose(), maria?.dispose()]);
});

describe('faults', () => {
  it('chat goes on while MySQL is down; history catches up exactly once when it is back', async () => {
    const g = uid('mysql-down');
    const a = await connect(hubs[0], uid('a'));
    const b = await connect(hubs[1], uid('b'));
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    await b.call('group.join', { groupId: g });
    await maria.stop();
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await (i % 2 ? a : b).call<{ message: Message }>('message.send', { groupId: g, text: `while down ${i}` });
      sent.push(r.message.id);
    }
    await b.waitForMessages(g, 60);
    // Recent history is served from the stream meanwhile.
    const h = await a.call<{ messages: Message[] }>('message.history', { groupId: g, limit: 100 });
    expect(h.messages.map((m) => m.id)).toEqual(sent);
    expect(await redis.xlen(keys.history())).toBeGreaterThanOrEqual(1);
    await maria.restart();
    await eventually(async () => (await idsInMysql(g)).length === 60, 45_000, 'history written after MySQL came back');
    expect(await idsInMysql(g)).toEqual(sent);
    // Each hub's writer said so in its log: unreachable (error), then reachable again.
    const lines = hubs.flatMap((h) => h.logs).filter((l) => l.includes('"backend":"mysql"'));
    expect(lines.some((l) => l.includes('"level":"error"') && l.includes('mysql unreachable'))).toBe(true);
    expect(lines.some((l) => l.includes('mysql reachable again'))).toBe(true);
  }, 90_000);

  it('a room deleted while MySQL is down by a hub then killed: its history still leaves MySQL once MySQL is back', async () => {
    const g = uid('doomed');
    // The deleting hub is a fresh one, killed right after the delete; the others finish its work.
    const doomedHub = await hub(3);
    const a = await connect(doomedHub, uid('owner'));
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    for (let i = 0; i < 40; i++) await a.call('message.send', { groupId: g, text: `old ${i}` });
    await eventually(async () => (await idsInMysql(g)).length === 40, 30_000, 'history written');
    await maria.stop();
    expect(await a.call('group.delete', { groupId: g })).toEqual({ deleted: true });
    await doomedHub.kill9();
    await maria.restart();
    await eventually(async () => (await idsInMysql(g)).length === 0, 45_000, "the deleted room's rows gone");
  }, 120_000);

  it('old pages fail with 4503 while MySQL is paused, and work again after', async () => {
    const g = uid('mysql-pause');
    const a = await connect(hubs[1], uid('a'));
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    const sent: string[] = [];
    for (let i = 0; i < 250; i++) sent.push((await a.call<{ message: Message }>('message.send', { groupId: g, text: `p${i}` })).message.id);
    await eventually(async () => (await idsInMysql(g)).length === 250, 30_000, 'written');
    sent.push((await a.call<{ message: Message }>('message.send', { groupId: g, text: 'trims' })).message.id);
    expect(await redis.xlen(keys.stream(g))).toBeLessThan(251);
    // A burst the writer cannot have written yet: each publish keeps what is still unwritten, so
    // these stay in the stream whatever the trim's node boundaries (a page of 1 reads 2 entries).
    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => a.call<{ message: Message }>('message.send', { groupId: g, text: `recent ${i}` })));
    const newest = burst.map((r) => r.message.id).sort(compareMessageIds).at(-1);
    maria.pause();
    try {
      const r = await a.request('message.history', { groupId: g, before: sent[50], limit: 20 });
      expect(r.error?.code).toBe(4503);
      // Recent pages come from the stream and still work.
      const recent = await a.call<{ messages: Message[] }>('message.history', { groupId: g, limit: 1 });
      expect(recent.messages.map((m) => m.id)).toEqual([newest]);
    } finally {
      maria.resume();
    }
    await eventually(async () => (await a.request('message.history', { groupId: g, before: sent[50], limit: 20 })).result !== undefined, 30_000, 'old pages again');
    const page = await a.call<{ messages: Message[] }>('message.history', { groupId: g, before: sent[50], limit: 20 });
    expect(page.messages.map((m) => m.id)).toEqual(sent.slice(30, 50));
  }, 90_000);

  it('a client of a hub killed with kill -9 resumes on another hub and sees every message once', async () => {
    const g = uid('kill');
    const victimUser = uid('victim');
    const ghostUser = uid('ghost');
    const sender = await connect(hubs[1], uid('sender'));
    const observer = await connect(hubs[2], uid('observer'));
    await sender.call('group.create', { groupId: g });
    await sender.call('group.join', { groupId: g });
    await observer.call('group.join', { groupId: g });
    const victim = await connect(hubs[0], victimUser);
    const v0 = await victim.call<{ history: Message[] }>('group.join', { groupId: g });
    const ghost = await connect(hubs[0], ghostUser);
    await ghost.call('group.join', { groupId: g });
    expect(v0.history).toEqual([]);

    const total = 200;
    const sent: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < total; i++) {
        const r = await sender.call<{ message: Message }>('message.send', { groupId: g, text: `k${i}` });
        sent.push(r.message.id);
      }
    })();
    await victim.waitForMessages(g, 30);
    await hubs[0].kill9();
    await victim.closed;
    const before = victim.messages(g).map((m) => m.id);
    const last = before[before.length - 1];

    const again = await connect(hubs[2], victimUser);
    const r = await again.call<{ history: Message[]; complete: boolean }>('group.join', { groupId: g, since: last, limit: 200 });
    expect(r.complete).toBe(true);
    await sending;
    const missed = total - before.length - r.history.length;
    const live = missed > 0 ? await again.waitForMessages(g, missed) : [];
    const seen = [...before, ...r.history.map((m) => m.id), ...live.map((m) => m.id)];
    expect(seen).toEqual(sent);

    // The ghost's only connection died with hub 0: offline within the presence TTL.
    await eventually(
      async () => {
        const m = await observer.call<{ members: { userId: string; online: boolean }[] }>('group.members', { groupId: g, limit: 200 });
        return m.members.find((x) => x.userId === ghostUser)?.online === false;
      },
      15_000,
      'ghost offline',
    );
    const m = await observer.call<{ members: { userId: string; online: boolean }[] }>('group.members', { groupId: g, limit: 200 });
    expect(m.members.find((x) => x.userId === victimUser)?.online).toBe(true);
  }, 90_000);

  it('unwritten history of a killed hub is claimed and written by the survivors', async () => {
    const extra = await hub(3);
    const g = uid('claim');
    const c = await connect(extra, uid('c'));
    await c.call('group.create', { groupId: g });
    await c.call('group.join', { groupId: g });
    await maria.stop();
    // Send until the killed-to-be hub's writer holds entries it cannot write.
    const sent: string[] = [];
    const extraConsumer = `${prefix}-hub3`;
    let holding = false;
    for (let i = 0; i < 100 && !holding; i++) {
      for (let j = 0; j < 3; j++) {
        const r = await c.call<{ message: Message }>('message.send', { groupId: g, text: `c${i}.${j}` });
        sent.push(r.message.id);
      }
      await new Promise((res) => setTimeout(res, 100));
      const consumers = (await redis.call('XINFO', 'CONSUMERS', keys.history(), 'history')) as unknown[][];
      holding = consumers.some((x) => x[1] === extraConsumer && Number(x[3]) > 0);
    }
    expect(holding).toBe(true);
    await extra.kill9();
    await maria.restart();
    await eventually(async () => (await idsInMysql(g)).length === sent.length, 45_000, 'claimed history written');
    expect(await idsInMysql(g)).toEqual(sent);
    await eventually(async () => (await redis.xlen(keys.history())) === 0, 20_000, 'history stream drained');
  }, 90_000);
});
