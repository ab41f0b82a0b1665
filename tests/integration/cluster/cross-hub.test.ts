/**
 * Three hub processes on one Redis (and one MySQL): delivery across hubs in
 * the same order at every receiver, gap-free join across hubs under load,
 * the capacity race, member events and presence across hubs.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { createTestDatabase, hubEnv, randomPrefix } from '../setup/engine-env.js';

let hubs: HubProcess[] = [];
const clients: TestClient[] = [];

async function connect(hub: HubProcess, user: string): Promise<TestClient> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const prefix = randomPrefix();
  hubs = await Promise.all(
    [0, 1, 2].map((i) =>
      startHub(hubEnv({ redisUrl: inject('redisUrl'), mysqlUrl, prefix, instanceId: `${prefix}-hub${i}`, extra: { NEXT_CHAT_MAX_GROUP_MEMBERS: '5' } })),
    ),
  );
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.stop()));
});

describe('three hubs on one Redis', () => {
  it('delivers every message to members on every hub, in the same order', async () => {
    const g = uid('cross');
    const users = hubs.map((_, i) => uid(`u${i}`));
    const cs = await Promise.all(hubs.map((h, i) => connect(h, users[i])));
    await cs[0].call('group.create', { groupId: g });
    for (const c of cs) await c.call('group.join', { groupId: g });
    const perSender = 30;
    const sent = await Promise.all(
      cs.map(async (c, i) => {
        const ids: string[] = [];
        for (let k = 0; k < perSender; k++) {
          const r = await c.call<{ message: Message }>('message.send', { groupId: g, text: `m${i}-${k}` });
          ids.push(r.message.id);
        }
        return ids;
      }),
    );
    const total = perSender * cs.length;
    const seen = await Promise.all(cs.map((c) => c.waitForMessages(g, total)));
    const order0 = seen[0].map((m) => m.id);
    for (const s of seen) expect(s.map((m) => m.id)).toEqual(order0);
    expect(new Set(order0).size).toBe(total);
    expect([...order0].sort(cmp)).toEqual(order0);
    expect(new Set(sent.flat())).toEqual(new Set(order0));
  });

  it('a joiner on another hub misses nothing while senders on two other hubs keep sending', async () => {
    const g = uid('gapfree');
    const observer = await connect(hubs[0], uid('observer'));
    await observer.call('group.create', { groupId: g });
    await observer.call('group.join', { groupId: g });
    const senders = [await connect(hubs[0], uid('s0')), await connect(hubs[2], uid('s2'))];
    for (const s of senders) await s.call('group.join', { groupId: g });
    const perSender = 80;
    let sentCount = 0;
    const sending = Promise.all(
      senders.map(async (s, i) => {
        for (let k = 0; k < perSender; k++) {
          await s.call('message.send', { groupId: g, text: `s${i}-${k}` });
          sentCount++;
        }
      }),
    );
    // Join while both are mid-stream.
    await observer.waitForMessages(g, 40);
    const joiner = await connect(hubs[1], uid('joiner'));
    const r = await joiner.call<{ history: Message[]; complete: boolean }>('group.join', { groupId: g, limit: 200 });
    expect(r.complete).toBe(true);
    await sending;
    expect(sentCount).toBe(2 * perSender);
    const order = (await observer.waitForMessages(g, 2 * perSender)).map((m) => m.id);
    const live = await joiner.waitForMessages(g, 2 * perSender - r.history.length);
    expect([...r.history.map((m) => m.id), ...live.map((m) => m.id)]).toEqual(order);
    // A re-join with since = a mid-stream id on yet another hub returns exactly the rest.
    const again = await connect(hubs[2], uid('rejoiner'));
    await again.call('group.join', { groupId: g });
    const back = await again.call<{ history: Message[]; complete: boolean }>('group.join', { groupId: g, since: order[99], limit: 200 });
    expect(back.history.map((m) => m.id)).toEqual(order.slice(100));
    expect(back.complete).toBe(true);
  });

  it('joins during heavy traffic never repeat or skip a message', async () => {
    const g = uid('busy');
    const observer = await connect(hubs[1], uid('observer'));
    await observer.call('group.create', { groupId: g });
    await observer.call('group.join', { groupId: g });
    const senders = [await connect(hubs[0], uid('s0')), await connect(hubs[1], uid('s1')), await connect(hubs[2], uid('s2'))];
    for (const s of senders) await s.call('group.join', { groupId: g });
    const perSender = 120;
    const sending = Promise.all(
      senders.map(async (s, i) => {
        // Pipelined, 4 in flight per sender: appends race the joins below.
        for (let k = 0; k < perSender; k += 4) {
          await Promise.all([0, 1, 2, 3].map((j) => s.call('message.send', { groupId: g, text: `s${i}-${k + j}` })));
        }
      }),
    );
    const joins: { client: TestClient; history: string[] }[] = [];
    // One user, many connections (the group holds 5 members in this file).
    const joinerUser = uid('joiner');
    for (let i = 0; i < 12; i++) {
      await observer.waitForMessages(g, 20 * (i + 1));
      const c = await connect(hubs[i % 3], joinerUser);
      const r = await c.call<{ history: Message[] }>('group.join', { groupId: g, limit: 200 });
      joins.push({ client: c, history: r.history.map((m) => m.id) });
    }
    await sending;
    const total = 3 * perSender;
    const order = (await observer.waitForMessages(g, total)).map((m) => m.id);
    for (const j of joins) {
      // History holds at most the latest 200; from its first id on, the joiner sees the log exactly.
      const from = j.history.length > 0 ? order.indexOf(j.history[0]) : order.length - total;
      const expected = order.slice(from);
      const live = await j.client.waitForMessages(g, expected.length - j.history.length);
      expect([...j.history, ...live.map((m) => m.id)]).toEqual(expected);
    }
  });

  it('deduplicates a clientMessageId retried on another hub', async () => {
    const g = uid('dedupe');
    const user = uid('retrier');
    const first = await connect(hubs[0], user);
    const watcher = await connect(hubs[2], uid('watcher'));
    await first.call('group.create', { groupId: g });
    await first.call('group.join', { groupId: g });
    await watcher.call('group.join', { groupId: g });
    const a = await first.call<{ message: Message }>('message.send', { groupId: g, text: 'once', clientMessageId: 'retry-1' });
    const second = await connect(hubs[1], user);
    const b = await second.call<{ message: Message }>('message.send', { groupId: g, text: 'once', clientMessageId: 'retry-1' });
    expect(b.message).toEqual(a.message);
    await first.call('message.send', { groupId: g, text: 'next' });
    const seen = await watcher.waitForMessages(g, 2);
    expect(seen.map((m) => m.text)).toEqual(['once', 'next']);
  });

  it('never lets concurrent joins on three hubs overshoot the capacity', async () => {
    const g = uid('cap');
    const owner = await connect(hubs[0], uid('owner'));
    await owner.call('group.create', { groupId: g });
    const joiners = await Promise.all(Array.from({ length: 12 }, (_, i) => connect(hubs[i % 3], uid(`j${i}`))));
    const results = await Promise.all(joiners.map((c) => c.request('group.join', { groupId: g })));
    const ok = results.filter((f) => f.result !== undefined);
    const full = results.filter((f) => f.error?.code === 4010);
    expect(ok.length).toBe(5);
    expect(full.length).toBe(7);
    const group = await owner.call<{ groups: { id: string; memberCount: number }[] }>('group.list', { prefix: g });
    expect(group.groups[0].memberCount).toBe(5);
  });

  it('sends member events and presence across hubs', async () => {
    const g = uid('events');
    const a = await connect(hubs[0], uid('alice'));
    const bUser = uid('bob');
    await a.call('group.create', { groupId: g });
    await a.call('group.join', { groupId: g });
    const b = await connect(hubs[2], bUser);
    await b.call('group.join', { groupId: g });
    const ev = await a.waitFor((f) => f.method === 'member.joined' && (f.params as { userId: string }).userId === bUser);
    expect(ev.params).toMatchObject({ groupId: g, userId: bUser });
    const members = await a.call<{ members: { userId: string; online: boolean }[] }>('group.members', { groupId: g });
    expect(members.members.find((m) => m.userId === bUser)?.online).toBe(true);
    await b.call('group.leave', { groupId: g });
    const left = await a.waitFor((f) => f.method === 'member.left' && (f.params as { userId: string }).userId === bUser);
    expect(left.params).toMatchObject({ groupId: g, userId: bUser });
    b.close();
    await b.closed;
    // Offline at once on a clean disconnect, wherever it is asked.
    const c = await connect(hubs[1], uid('carol'));
    await c.call('group.join', { groupId: g });
    const again = await connect(hubs[2], bUser);
    await again.call('group.join', { groupId: g });
    again.close();
    await again.closed;
    const after = await c.call<{ members: { userId: string; online: boolean }[] }>('group.members', { groupId: g });
    expect(after.members.find((m) => m.userId === bUser)?.online).toBe(false);
  });
});

function cmp(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
