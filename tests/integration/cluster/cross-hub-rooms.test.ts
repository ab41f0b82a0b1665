/**
 * Protocol 1.1 effects across hubs: three hub processes on one Redis and one
 * MariaDB. A kick on one hub takes effect on every hub before the group's
 * next message; personal notifications reach a user's connections on every
 * hub, whatever they joined; a deleted room's history leaves MySQL too.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import mysql from 'mysql2/promise';
import { compareMessageIds, type Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { createTestDatabase, eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';

let hubs: HubProcess[] = [];
let mysqlUrl: string;
const clients: TestClient[] = [];

async function connect(hub: HubProcess, user: string): Promise<TestClient> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const prefix = randomPrefix();
  hubs = await Promise.all(
    [0, 1, 2].map((i) =>
      startHub(hubEnv({ redisUrl: inject('redisUrl'), mysqlUrl, prefix, instanceId: `${prefix}-hub${i}`, extra: { NEXT_CHAT_GROUP_CREATE_LIMIT: '0', NEXT_CHAT_HISTORY_FLUSH_MS: '50', NEXT_CHAT_HISTORY_CLAIM_IDLE_MS: '1000' } })),
    ),
  );
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.stop()));
});

describe('1.1 across hubs', () => {
  it('a kick on one hub: the kicked user on the others gets no message sent after the result', async () => {
    const g = uid('xkick');
    const owner = await connect(hubs[0]!, uid('owner'));
    const victim = uid('victim');
    const onHub1 = await connect(hubs[1]!, victim);
    const onHub2 = await connect(hubs[2]!, victim);
    const bystander = await connect(hubs[2]!, uid('by'));
    await owner.call('group.create', { groupId: g });
    for (const c of [owner, onHub1, onHub2, bystander]) await c.call('group.join', { groupId: g });
    // Traffic before the kick, so the fan-out is warm on every hub.
    for (let i = 0; i < 20; i++) await owner.call('message.send', { groupId: g, text: `before ${i}` });
    await owner.call('group.kick', { groupId: g, userId: victim });
    const after: string[] = [];
    for (let i = 0; i < 20; i++) after.push((await owner.call<{ message: Message }>('message.send', { groupId: g, text: `after ${i}` })).message.id);
    await bystander.waitForMessages(g, 40);
    for (const c of [onHub1, onHub2]) {
      expect((await c.waitFor((f) => f.method === 'conversation.removed')).params).toMatchObject({ groupId: g, reason: 'kicked' });
      expect(c.messages(g).filter((m) => after.includes(m.id))).toEqual([]);
    }
  });

  it('a kick during heavy traffic from two hubs: nothing sent after the result reaches the kicked user anywhere', async () => {
    const g = uid('xbusy');
    const owner = await connect(hubs[0]!, uid('owner'));
    const talker = await connect(hubs[1]!, uid('talker'));
    const victim = uid('victim');
    const vs = await Promise.all(hubs.map((h) => connect(h, victim)));
    await owner.call('group.create', { groupId: g });
    for (const c of [owner, talker, ...vs]) await c.call('group.join', { groupId: g });
    let kickedAt: string | null = null;
    const sentAfter: string[] = [];
    let stop = false;
    const traffic = (c: TestClient, name: string) =>
      (async () => {
        for (let i = 0; i < 400 && !stop; i++) {
          // Sent after the kick's result: decided when the send leaves, not when its answer comes back.
          const afterKick = kickedAt !== null;
          const r = await c.call<{ message: Message }>('message.send', { groupId: g, text: `${name} ${i}` });
          if (afterKick) sentAfter.push(r.message.id);
        }
      })();
    const loops = [traffic(owner, 'o'), traffic(talker, 't')];
    await new Promise((r) => setTimeout(r, 150));
    await owner.call('group.kick', { groupId: g, userId: victim });
    kickedAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(loops);
    expect(sentAfter.length).toBeGreaterThan(0);
    // Let every delivery land, then look.
    await new Promise((r) => setTimeout(r, 500));
    for (const c of vs) expect(c.messages(g).filter((m) => sentAfter.includes(m.id))).toEqual([]);
  });

  it('direct.open from both sides at the same instant on different hubs makes one conversation', async () => {
    const ann = uid('ann');
    const bob = uid('bob');
    const a = await connect(hubs[0]!, ann);
    const b = await connect(hubs[2]!, bob);
    const [ra, rb] = await Promise.all([a.call<{ group: { id: string; memberCount: number } }>('direct.open', { userId: bob }), b.call<{ group: { id: string; memberCount: number } }>('direct.open', { userId: ann })]);
    expect(ra.group.id).toBe(rb.group.id);
    expect(ra.group.memberCount).toBe(2);
    const sent = await a.call<{ message: Message }>('message.send', { groupId: ra.group.id, text: 'one room' });
    await b.waitFor((f) => f.method === 'message' && (f.params as Message).id === sent.message.id);
  });

  it('typing crosses hubs, and its throttle holds across them', async () => {
    const g = uid('xtype');
    const typist = uid('typist');
    const onA = await connect(hubs[0]!, typist);
    const onB = await connect(hubs[1]!, typist);
    const watcher = await connect(hubs[2]!, uid('watch'));
    await onA.call('group.create', { groupId: g });
    for (const c of [onA, onB, watcher]) await c.call('group.join', { groupId: g });
    await onA.call('typing', { groupId: g });
    await onB.call('typing', { groupId: g });
    await watcher.waitFor((f) => f.method === 'typing');
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.notifications.filter((f) => f.method === 'typing')).toHaveLength(1);
  });

  it("a user's read marker syncs across their connections on different hubs", async () => {
    const g = uid('xread');
    const writer = await connect(hubs[0]!, uid('writer'));
    const reader = uid('reader');
    const onB = await connect(hubs[1]!, reader);
    const onC = await connect(hubs[2]!, reader);
    await writer.call('group.create', { groupId: g });
    await writer.call('group.join', { groupId: g });
    await onB.call('group.join', { groupId: g });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await writer.call<{ message: Message }>('message.send', { groupId: g, text: `r${i}` })).message.id);
    expect(await onB.call('message.read', { groupId: g, messageId: ids[4] })).toEqual({ readUpTo: ids[4], unread: 1 });
    expect((await onC.waitFor((f) => f.method === 'read')).params).toEqual({ groupId: g, readUpTo: ids[4], unread: 1 });
    // The marker is one, whichever hub is asked.
    expect(await onC.call('message.read', { groupId: g, messageId: ids[2] })).toEqual({ readUpTo: ids[4], unread: 1 });
  });

  it('personal notifications reach every connection of the user on every hub', async () => {
    const g = uid('xinv');
    const owner = await connect(hubs[0]!, uid('owner'));
    const guest = uid('guest');
    const conns = await Promise.all(hubs.map((h) => connect(h, guest)));
    await owner.call('group.create', { groupId: g, visibility: 'private' });
    await owner.call('group.join', { groupId: g });
    await owner.call('group.invite', { groupId: g, userId: guest });
    for (const c of conns) expect((await c.waitFor((f) => f.method === 'invited')).params).toMatchObject({ invitation: { groupId: g } });
    // A direct conversation opened on hub 1 is announced on the others.
    const other = await connect(hubs[1]!, uid('dm'));
    const { group } = await other.call<{ group: { id: string } }>('direct.open', { userId: guest });
    for (const c of conns) expect((await c.waitFor((f) => f.method === 'conversation.added')).params).toMatchObject({ group: { id: group.id } });
  });

  it('group.delete removes the history from MySQL too, and a room created again with the id starts empty', async () => {
    const g = uid('xdel');
    const owner = await connect(hubs[0]!, uid('owner'));
    await owner.call('group.create', { groupId: g });
    await owner.call('group.join', { groupId: g });
    for (let i = 0; i < 30; i++) await owner.call('message.send', { groupId: g, text: `doomed ${i}` });
    const db = await mysql.createConnection(mysqlUrl);
    try {
      const count = async () => Number(((await db.query('SELECT COUNT(*) AS n FROM messages WHERE group_id = ?', [g])) as [{ n: number }[], unknown])[0][0]?.n);
      await eventually(async () => (await count()) === 30, 20_000, 'history written');
      await owner.call('group.delete', { groupId: g });
      await eventually(async () => (await count()) === 0, 30_000, 'history removed from MySQL');
      await owner.call('group.create', { groupId: g });
      const joined = await owner.call<{ history: Message[] }>('group.join', { groupId: g });
      expect(joined.history).toEqual([]);
      await owner.call('message.send', { groupId: g, text: 'new life' });
      await eventually(async () => (await count()) === 1, 20_000, 'the new message written');
    } finally {
      await db.end();
    }
  });
});

describe('1.1 read state and edits across hubs', () => {
  it('read markers sync across the connections of a user on different hubs, by message.read and by a send', async () => {
    const g = uid('xread');
    const sender = await connect(hubs[2]!, uid('sender'));
    const reader = uid('reader');
    const r0 = await connect(hubs[0]!, reader);
    const r1 = await connect(hubs[1]!, reader); // joined to nothing
    await sender.call('group.create', { groupId: g });
    await sender.call('group.join', { groupId: g });
    await r0.call('group.join', { groupId: g });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await sender.call<{ message: Message }>('message.send', { groupId: g, text: `r${i}` })).message.id);
    expect(await r0.call('message.read', { groupId: g, messageId: ids[2] })).toEqual({ readUpTo: ids[2], unread: 5 });
    expect((await r1.waitFor((f) => f.method === 'read')).params).toEqual({ groupId: g, readUpTo: ids[2], unread: 5 });
    const mine = (await r0.call<{ message: Message }>('message.send', { groupId: g, text: 'me too' })).message;
    expect((await r1.waitFor((f) => f.method === 'read' && (f.params as { readUpTo: string }).readUpTo === mine.id)).params).toEqual({ groupId: g, readUpTo: mine.id, unread: 0 });
    const conv = (await r1.call<{ conversations: { group: { id: string }; unread: number; readUpTo: string }[] }>('me.conversations', {})).conversations.find((c) => c.group.id === g);
    expect(conv).toMatchObject({ unread: 0, readUpTo: mine.id });
  });

  it('edits and deletes under traffic: every hub delivers the same sequence, in id/cursor order, each once', async () => {
    const g = uid('xedit');
    const writer = await connect(hubs[0]!, uid('writer'));
    const watchers = [await connect(hubs[1]!, uid('w1')), await connect(hubs[2]!, uid('w2')), await connect(hubs[0]!, uid('w0'))];
    await writer.call('group.create', { groupId: g });
    for (const c of [writer, ...watchers]) await c.call('group.join', { groupId: g });
    const ids: string[] = [];
    let changes = 0;
    for (let i = 0; i < 60; i++) {
      ids.push((await writer.call<{ message: Message }>('message.send', { groupId: g, text: `t${i}` })).message.id);
      if (i % 4 === 3) {
        await writer.call('message.edit', { groupId: g, messageId: ids[i - 2], text: `t${i - 2}*` });
        changes++;
      }
      if (i % 10 === 9) {
        await writer.call('message.delete', { groupId: g, messageId: ids[i - 1] });
        changes++;
      }
    }
    const seq = (c: TestClient) =>
      c.notifications.filter((f) => (f.method === 'message' || f.method === 'message.updated') && JSON.stringify(f.params).includes(g)).map((f) => (f.method === 'message' ? (f.params as Message).id : `${(f.params as { cursor: string }).cursor}`));
    await eventually(async () => watchers.every((w) => seq(w).length === 60 + changes), 20_000, 'every event delivered');
    const first = seq(watchers[0]!);
    for (const w of watchers) expect(seq(w)).toEqual(first);
    for (let i = 1; i < first.length; i++) expect(compareMessageIds(first[i]!, first[i - 1]!)).toBeGreaterThan(0);
  });
});
