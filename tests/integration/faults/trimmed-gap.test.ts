/**
 * A hub that falls behind its stream by more than the retention window (here:
 * frozen with SIGSTOP while another hub keeps the chat going, retention 0) may
 * find messages trimmed before it read them. It must not skip them silently:
 * it sends the group's subscribers away (1001), and their re-join with
 * `since` recovers every message, exactly once, from MySQL.
 */
import { afterAll, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { compareMessageIds, type Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { createTestDatabase, eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startRedis, type ServiceHandle } from '../setup/services.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';

const hubs: HubProcess[] = [];
const clients: TestClient[] = [];
let redis: Redis | undefined;
const services: ServiceHandle[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) h.proc.kill('SIGCONT');
  await Promise.all(hubs.map((h) => h.stop()));
  redis?.disconnect();
  await Promise.all(services.map((x) => x.dispose()));
});

it.each(['notify', 'block'])('a hub (%s fan-out) that missed trimmed messages sends its subscribers to resync, and they lose nothing', async (fanout) => {
  const prefix = randomPrefix();
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  // A Redis of its own: the test cuts every pub/sub connection of it.
  const redisSvc = await startRedis();
  services.push(redisSvc);
  redis = new Redis(redisSvc.url);
  const env = (i: number) =>
    hubEnv({
      redisUrl: redisSvc.url,
      mysqlUrl,
      prefix,
      instanceId: `${prefix}-hub${i}`,
      extra: { NEXT_CHAT_FANOUT: fanout, NEXT_CHAT_STREAM_RETENTION_MS: '0', NEXT_CHAT_HISTORY_FLUSH_MS: '20', NEXT_CHAT_HISTORY_CLAIM_IDLE_MS: '1000' },
    });
  const [a, b] = await Promise.all([startHub(env(1)), startHub(env(2))]);
  hubs.push(a, b);
  const group = uid('gap');
  const reader = await TestClient.connect(a.url, 'reader');
  const sender = await TestClient.connect(b.url, 'sender');
  clients.push(reader, sender);
  await sender.call('group.create', { groupId: group });
  await sender.call('group.join', { groupId: group });
  await reader.call('group.join', { groupId: group });
  const texts: string[] = [];
  const send = async (text: string) => {
    texts.push(text);
    await sender.call('message.send', { groupId: group, text });
  };
  for (let i = 0; i < 5; i++) await send(`before ${i}`);
  const seen = await reader.waitForMessages(group, 5);
  const lastSeen = seen[seen.length - 1]!.id;
  let firstUnseen = '';

  a.proc.kill('SIGSTOP');
  // The frozen hub's announcements must be lost too: announcements carry the
  // entries, so with them the notify reader would just deliver everything
  // late. Its subscriber connection is cut while it cannot reconnect.
  await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  // Trimming is approximate (whole stream nodes of 100 entries), so it takes a few hundred.
  await send('while frozen');
  firstUnseen = (await sender.call<{ messages: Message[] }>('message.history', { groupId: group, limit: 1 })).messages[0]!.id;
  expect(compareMessageIds(firstUnseen, lastSeen)).toBeGreaterThan(0);
  await Promise.all(
    Array.from({ length: 300 }, (_, i) => i).map(async (i) => {
      texts[6 + i] = `while frozen ${i}`;
      await sender.call('message.send', { groupId: group, text: `while frozen ${i}` });
    }),
  );
  // Each send trims what MySQL already has; keep sending until the stream lost entries past the reader's cursor.
  const stream = new RedisKeys(prefix).stream(group);
  let n = 0;
  await eventually(
    async () => {
      await send(`nudge ${n++}`);
      // Trimmed past the reader: the stream's first entry is newer than the first one it has not seen.
      const first = (await redis!.xrange(stream, '-', '+', 'COUNT', 1))[0]?.[0];
      return first !== undefined && compareMessageIds(first, firstUnseen) > 0;
    },
    30_000,
    'trim past the frozen hub',
  );
  a.proc.kill('SIGCONT');
  await send('after');

  const closed = await Promise.race([
    reader.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the hub never sent its subscriber away: messages were skipped silently')), 20_000)),
  ]);
  expect(closed.code).toBe(1001);
  expect(closed.reason).toMatch(/since/);

  // The client does what docs/protocol.md says: reconnect, re-join with the last id it saw.
  const back = await TestClient.connect(b.url, 'reader');
  clients.push(back);
  const since = reader.messages(group).at(-1)!.id;
  const r = await back.call<{ history: Message[]; complete: boolean }>('group.join', { groupId: group, since, limit: 200 });
  let missed = r.history;
  // More were missed than one page holds: page back to `since` (complete: false).
  for (let page = 0; !r.complete && page < 10 && compareMessageIds(missed[0]!.id, since) > 0; page++) {
    const older = await back.call<{ messages: Message[] }>('message.history', { groupId: group, before: missed[0]!.id, limit: 200 });
    missed = [...older.messages.filter((m) => compareMessageIds(m.id, since) > 0), ...missed];
    if (older.messages.length === 0 || compareMessageIds(older.messages[0]!.id, since) <= 0) break;
  }
  const all = [...reader.messages(group), ...missed].map((m) => m.text);
  expect(all).toEqual(texts);
}, 90_000);
