import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { CallError, TestClient, uid } from '../setup/ws-client.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MSG_ID = /^\d+-\d+$/;

let hub: HubProcess;
let alice: TestClient;
let bob: TestClient;

beforeAll(async () => {
  hub = await startHub();
  alice = await TestClient.connect(hub.url, 'alice');
  bob = await TestClient.connect(hub.url, 'Bearer bob');
});
afterAll(async () => {
  alice?.close();
  bob?.close();
  await hub?.stop();
});

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CallError) return e.code;
    throw e;
  }
  throw new Error('expected an error');
}

describe('group.create', () => {
  it('creates a group with no members, not even its creator', async () => {
    const id = uid('create');
    const { group } = await alice.call('group.create', { groupId: id });
    expect(group).toEqual({ id, kind: 'room', visibility: 'public', title: '', topic: '', createdBy: 'alice', createdAt: expect.stringMatching(ISO_MS), ownerId: 'alice', memberCount: 0, capacity: 10_000 });
    const members = await alice.request('group.members', { groupId: id });
    expect(members.error?.code).toBe(4003);
  });

  it('refuses an existing id with 4009 group_exists', async () => {
    const id = uid('dup');
    await alice.call('group.create', { groupId: id });
    const f = await bob.request('group.create', { groupId: id });
    expect(f.error).toMatchObject({ code: 4009, data: { reason: 'group_exists' } });
  });
});

describe('group.list', () => {
  it('pages groups sorted by id with prefix, after, limit and next', async () => {
    const prefix = uid('list');
    const ids = ['c', 'a', 'e', 'b', 'd'].map((s) => `${prefix}-${s}`);
    for (const id of ids) await alice.call('group.create', { groupId: id });
    const sorted = [...ids].sort();
    const p1 = await bob.call('group.list', { prefix, limit: 2 });
    expect(p1.groups.map((g: { id: string }) => g.id)).toEqual(sorted.slice(0, 2));
    expect(p1.next).toBe(sorted[1]);
    const p2 = await bob.call('group.list', { prefix, limit: 2, after: p1.next });
    expect(p2.groups.map((g: { id: string }) => g.id)).toEqual(sorted.slice(2, 4));
    const p3 = await bob.call('group.list', { prefix, limit: 2, after: p2.next });
    expect(p3.groups.map((g: { id: string }) => g.id)).toEqual(sorted.slice(4));
    expect(p3.next).toBeNull();
    const all = await bob.call('group.list', { prefix });
    expect(all.groups).toHaveLength(5);
    expect(all.groups[0]).toMatchObject({ id: sorted[0], createdBy: 'alice', createdAt: expect.stringMatching(ISO_MS), memberCount: 0 });
  });

  it('works without params', async () => {
    const r = await bob.call('group.list');
    expect(Array.isArray(r.groups)).toBe(true);
    expect(r.groups.length).toBeLessThanOrEqual(50);
  });
});

describe('group.join / group.leave', () => {
  it('join: 4004 for a missing group; result has group, history, complete', async () => {
    expect(await code(alice.call('group.join', { groupId: uid('nope') }))).toBe(4004);
    const id = uid('join');
    await alice.call('group.create', { groupId: id });
    const r = await alice.call('group.join', { groupId: id });
    expect(r).toEqual({ group: expect.objectContaining({ id, memberCount: 1 }), history: [], complete: true });
    const again = await alice.call('group.join', { groupId: id });
    expect(again.group.memberCount).toBe(1);
  });

  it('leave: true for a member, false otherwise, 4004 for a missing group', async () => {
    const id = uid('leave');
    await alice.call('group.create', { groupId: id });
    await bob.call('group.join', { groupId: id });
    expect(await bob.call('group.leave', { groupId: id })).toEqual({ left: true });
    expect(await bob.call('group.leave', { groupId: id })).toEqual({ left: false });
    expect(await code(bob.call('group.leave', { groupId: uid('nope') }))).toBe(4004);
    expect(await code(bob.call('message.send', { groupId: id, text: 'x' }))).toBe(4003);
  });

  it('membership persists across disconnects', async () => {
    const id = uid('persist');
    const carol = await TestClient.connect(hub.url, 'carol');
    await carol.call('group.create', { groupId: id });
    await carol.call('group.join', { groupId: id });
    carol.close();
    await carol.closed;
    const carol2 = await TestClient.connect(hub.url, 'carol');
    // Still a member: may send without joining again.
    const { message } = await carol2.call('message.send', { groupId: id, text: 'still here' });
    expect(message.authorId).toBe('carol');
    carol2.close();
  });
});

describe('message.send and notifications', () => {
  it('returns the stored message and notifies every member connection, the sender included', async () => {
    const id = uid('send');
    await alice.call('group.create', { groupId: id });
    await alice.call('group.join', { groupId: id });
    await bob.call('group.join', { groupId: id });
    const before = bob.frames.length;
    const { message } = await alice.call('message.send', { groupId: id, text: 'hello 👋' });
    expect(message).toEqual({ id: expect.stringMatching(MSG_ID), groupId: id, authorId: 'alice', text: 'hello 👋', sentAt: expect.stringMatching(ISO_MS) });
    const seen = await bob.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === message.id, 5000, before);
    expect(seen.params).toEqual(message);
    await alice.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === message.id);
  });

  it('needs membership (4003) and an existing group (4004)', async () => {
    const id = uid('nomember');
    await alice.call('group.create', { groupId: id });
    expect(await code(bob.call('message.send', { groupId: id, text: 'hi' }))).toBe(4003);
    expect(await code(bob.call('message.send', { groupId: uid('missing'), text: 'hi' }))).toBe(4004);
    expect(await code(bob.call('message.history', { groupId: id }))).toBe(4003);
    expect(await code(bob.call('group.members', { groupId: id }))).toBe(4003);
    expect(await code(bob.call('message.history', { groupId: uid('missing') }))).toBe(4004);
  });

  it('ids strictly increase in delivery order', async () => {
    const id = uid('order');
    await alice.call('group.create', { groupId: id });
    await alice.call('group.join', { groupId: id });
    await bob.call('group.join', { groupId: id });
    const sends = Array.from({ length: 50 }, (_, i) => alice.call('message.send', { groupId: id, text: `m${i}` }));
    await Promise.all(sends);
    const got = await bob.waitForMessages(id, 50);
    const parse = (s: string) => s.split('-').map(Number) as [number, number];
    for (let i = 1; i < got.length; i++) {
      const [a1, a2] = parse(got[i - 1]!.id);
      const [b1, b2] = parse(got[i]!.id);
      expect(b1 > a1 || (b1 === a1 && b2 > a2)).toBe(true);
    }
    expect(got.map((m) => m.text).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
  });

  it('dedupes a retry with the same clientMessageId: original returned, nothing delivered again', async () => {
    const id = uid('dedupe');
    await alice.call('group.create', { groupId: id });
    await alice.call('group.join', { groupId: id });
    await bob.call('group.join', { groupId: id });
    const first = await alice.call('message.send', { groupId: id, text: 'once', clientMessageId: 'c-1' });
    const retry = await alice.call('message.send', { groupId: id, text: 'once', clientMessageId: 'c-1' });
    expect(retry.message).toEqual(first.message);
    expect(first.message.clientMessageId).toBe('c-1');
    // Another author may use the same clientMessageId.
    const other = await bob.call('message.send', { groupId: id, text: 'mine', clientMessageId: 'c-1' });
    expect(other.message.id).not.toBe(first.message.id);
    const marker = await alice.call('message.send', { groupId: id, text: 'marker' });
    await bob.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === marker.message.id);
    expect(bob.messages(id).filter((m) => m.text === 'once')).toHaveLength(1);
  });
});

describe('message.history', () => {
  it('pages backwards with before/next, oldest first within a page', async () => {
    const id = uid('hist');
    await alice.call('group.create', { groupId: id });
    await alice.call('group.join', { groupId: id });
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push((await alice.call('message.send', { groupId: id, text: `h${i}` })).message.id);
    const p1 = await alice.call('message.history', { groupId: id, limit: 3 });
    expect(p1.messages.map((m: { id: string }) => m.id)).toEqual(sent.slice(4));
    expect(p1.next).toBe(sent[4]);
    const p2 = await alice.call('message.history', { groupId: id, limit: 3, before: p1.next });
    expect(p2.messages.map((m: { id: string }) => m.id)).toEqual(sent.slice(1, 4));
    const p3 = await alice.call('message.history', { groupId: id, limit: 3, before: p2.next });
    expect(p3.messages.map((m: { id: string }) => m.id)).toEqual(sent.slice(0, 1));
    expect(p3.next).toBeNull();
    const all = await alice.call('message.history', { groupId: id });
    expect(all.messages).toHaveLength(7);
    expect(all.next).toBeNull();
  });
});

describe('group.members and presence', () => {
  it('lists members sorted by id with joinedAt and online, paged by after', async () => {
    const id = uid('members');
    await alice.call('group.create', { groupId: id });
    const users = ['m-c', 'm-a', 'm-b'];
    const clients = await Promise.all(users.map((u) => TestClient.connect(hub.url, u)));
    for (const c of clients) await c.call('group.join', { groupId: id });
    const p1 = await clients[0]!.call('group.members', { groupId: id, limit: 2 });
    expect(p1.members).toEqual([
      { userId: 'm-a', joinedAt: expect.stringMatching(ISO_MS), online: true, role: 'member', readUpTo: null },
      { userId: 'm-b', joinedAt: expect.stringMatching(ISO_MS), online: true, role: 'member', readUpTo: null },
    ]);
    expect(p1.next).toBe('m-b');
    const p2 = await clients[0]!.call('group.members', { groupId: id, after: 'm-b' });
    expect(p2).toEqual({ members: [{ userId: 'm-c', joinedAt: expect.any(String), online: true, role: 'member', readUpTo: null }], next: null });
    clients[1]!.close(); // m-a goes offline but stays a member
    await clients[1]!.closed;
    await expect.poll(async () => (await clients[0]!.call('group.members', { groupId: id })).members[0], { timeout: 5000 }).toEqual({
      userId: 'm-a',
      joinedAt: expect.any(String),
      online: false,
      role: 'member',
      readUpTo: null,
    });
    for (const c of clients) c.close();
  });

  it('a user with two connections stays online until both close; both receive messages', async () => {
    const id = uid('multi');
    await alice.call('group.create', { groupId: id });
    const d1 = await TestClient.connect(hub.url, 'dave');
    const d2 = await TestClient.connect(hub.url, 'dave');
    await d1.call('group.join', { groupId: id });
    await d2.call('group.join', { groupId: id });
    const { message } = await d1.call('message.send', { groupId: id, text: 'to both tabs' });
    await d1.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === message.id);
    await d2.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === message.id);
    d1.close();
    await d1.closed;
    expect((await d2.call('group.members', { groupId: id })).members).toEqual([expect.objectContaining({ userId: 'dave', online: true })]);
    d2.close();
  });
});

describe('member notifications', () => {
  it('member.joined and member.left reach subscribed connections, not on an idempotent re-join', async () => {
    const id = uid('events');
    await alice.call('group.create', { groupId: id });
    await alice.call('group.join', { groupId: id });
    const erin = await TestClient.connect(hub.url, 'erin');
    await erin.call('group.join', { groupId: id });
    const joined = await alice.waitFor((f) => f.method === 'member.joined' && (f.params as { userId: string; groupId: string }).userId === 'erin' && (f.params as { groupId: string }).groupId === id);
    expect(joined.params).toEqual({ groupId: id, userId: 'erin', at: expect.stringMatching(ISO_MS) });
    await erin.call('group.join', { groupId: id }); // idempotent
    await erin.call('group.leave', { groupId: id });
    const left = await alice.waitFor((f) => f.method === 'member.left' && (f.params as { groupId: string }).groupId === id);
    expect(left.params).toEqual({ groupId: id, userId: 'erin', at: expect.stringMatching(ISO_MS), reason: 'left', by: 'erin' });
    expect(alice.memberEvents('member.joined').filter((e) => e.groupId === id && e.userId === 'erin')).toHaveLength(1);
    erin.close();
  });
});
