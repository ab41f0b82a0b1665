/**
 * Every hub restarted (and Redis too, from its append-only file): groups,
 * memberships and the whole history are intact, in Redis and in MySQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { startMariaDb, startRedis, type ServiceHandle } from '../setup/services.js';
import { createTestDatabase, eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { MysqlHistoryStore } from '../../../packages/server/src/adapters/mysql/mysql-history-store.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';

let redisSvc: ServiceHandle;
let maria: ServiceHandle;
let mysqlUrl: string;
const prefix = randomPrefix();
const live: HubProcess[] = [];
const clients: TestClient[] = [];

function startThree(): Promise<HubProcess[]> {
  return Promise.all(
    [0, 1, 2].map((i) =>
      startHub(
        hubEnv({ redisUrl: redisSvc.url, mysqlUrl, prefix, instanceId: `${prefix}-hub${i}`, extra: { NEXT_CHAT_STREAM_RETENTION_MS: '0' } }),
      ).then((h) => {
        live.push(h);
        return h;
      }),
    ),
  );
}

beforeAll(async () => {
  [redisSvc, maria] = await Promise.all([startRedis(), startMariaDb()]);
  mysqlUrl = await createTestDatabase(maria.url);
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(live.map((h) => h.kill9()));
  await Promise.all([redisSvc?.dispose(), maria?.dispose()]);
});

it('keeps groups, members and history across a restart of every hub and of Redis', async () => {
  let hubs = await startThree();
  const g = uid('restart');
  const user = uid('u');
  const a = await TestClient.connect(hubs[0].url, user);
  const b_user = uid('v');
  const b = await TestClient.connect(hubs[1].url, b_user);
  clients.push(a, b);
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  const sent: Message[] = [];
  for (let i = 0; i < 260; i++) sent.push((await (i % 2 ? a : b).call<{ message: Message }>('message.send', { groupId: g, text: `r${i}` })).message);
  // Changes and read markers are group state too.
  sent[3] = (await a.call<{ message: Message }>('message.edit', { groupId: g, messageId: sent[3]!.id, text: 'r3 edited' })).message;
  sent[5] = (await a.call<{ message: Message }>('message.delete', { groupId: g, messageId: sent[5]!.id })).message;
  // b's own last send moved b's marker there; an older id leaves it.
  expect(await b.call('message.read', { groupId: g, messageId: sent[200]!.id })).toEqual({ readUpTo: sent[258]!.id, unread: 1 });
  a.close();
  b.close();

  // SIGTERM drains: each hub flushes what it owes to history and exits 0.
  const codes = await Promise.all(hubs.map((h) => h.stop()));
  expect(codes).toEqual([0, 0, 0]);
  await redisSvc.stop();
  await redisSvc.restart();
  hubs = await startThree();

  const again = await TestClient.connect(hubs[2].url, user);
  clients.push(again);
  // Still a member without joining again.
  const pages: Message[] = [];
  let before: string | undefined;
  for (let i = 0; i < 10; i++) {
    const p: { messages: Message[]; next: string | null } = await again.call('message.history', { groupId: g, limit: 100, ...(before ? { before } : {}) });
    pages.unshift(...p.messages);
    if (!p.next) break;
    before = p.next;
  }
  expect(pages).toEqual(sent);
  const j = await again.call<{ group: { memberCount: number }; history: Message[]; complete: boolean }>('group.join', { groupId: g, since: sent[9].id, limit: 200 });
  expect(j.group.memberCount).toBe(2);
  expect(j.complete).toBe(false);
  expect(j.history).toEqual(sent.slice(-200));
  expect((j as unknown as { updates: Message[] }).updates).toEqual([sent[3], sent[5]]);
  const bAgain = await TestClient.connect(hubs[0].url, b_user);
  clients.push(bAgain);
  const conv = (await bAgain.call<{ conversations: { group: { id: string }; readUpTo: string; unread: number }[] }>('me.conversations', {})).conversations.find((c) => c.group.id === g);
  expect(conv).toMatchObject({ readUpTo: sent[258]!.id, unread: 1 });

  const store = new MysqlHistoryStore(mysqlUrl, { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) });
  try {
    await eventually(async () => (await store.count(g)) === 260, 20_000, 'all messages in MySQL');
  } finally {
    await store.close();
  }
}, 120_000);
