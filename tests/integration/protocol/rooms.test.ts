/**
 * Protocol 1.1, rooms and direct conversations, through a real hub (both
 * engines: project integration and protocol-redis): visibility, roles,
 * invitations, kick and ban, delete, direct conversations and blocking,
 * with the notifications each one sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group, Invitation, Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';

let hub: HubProcess;
const clients: TestClient[] = [];
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0', NEXT_CHAT_GROUP_CREATE_LIMIT: '0' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
});

async function connect(user: string): Promise<TestClient> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return c;
}

function notes(c: TestClient, method: string): Frame[] {
  return c.notifications.filter((f) => f.method === method);
}

async function code(c: TestClient, method: string, params: unknown): Promise<number | undefined> {
  return (await c.request(method, params)).error?.code;
}

describe('rooms: visibility', () => {
  it('a private room is invisible to others: not listed, get and join 4013; its owner sees it before joining', async () => {
    const owner = uid('owner');
    const o = await connect(owner);
    const stranger = await connect(uid('stranger'));
    const g = uid('secret');
    const { group } = await o.call<{ group: Group }>('group.create', { groupId: g, visibility: 'private', title: 'Secret plans', topic: 'q4', capacity: 5 });
    expect(group).toMatchObject({ id: g, kind: 'room', visibility: 'private', title: 'Secret plans', topic: 'q4', ownerId: owner, createdBy: owner, memberCount: 0, capacity: 5 });
    expect(await o.call('group.get', { groupId: g })).toMatchObject({ group: { id: g }, role: 'owner' });
    expect(await code(stranger, 'group.get', { groupId: g })).toBe(4013);
    expect(await code(stranger, 'group.join', { groupId: g })).toBe(4013);
    const listed = await stranger.call<{ groups: Group[] }>('group.list', { prefix: g });
    expect(listed.groups).toEqual([]);
    // The owner lists it once a member.
    await o.call('group.join', { groupId: g });
    expect((await o.call<{ groups: Group[] }>('group.list', { prefix: g })).groups.map((x) => x.id)).toEqual([g]);
    // Errors say nothing of its title.
    const refused = await stranger.request('group.get', { groupId: g });
    expect(JSON.stringify(refused.error)).not.toContain('Secret plans');
  });

  it('public rooms are listed and readable by anyone; dm- ids are reserved', async () => {
    const o = await connect(uid('pub'));
    const g = uid('open');
    await o.call('group.create', { groupId: g, title: 'Open' });
    const other = await connect(uid('reader'));
    expect(await other.call('group.get', { groupId: g })).toMatchObject({ group: { id: g, visibility: 'public', title: 'Open' }, role: null });
    expect((await o.request('group.create', { groupId: `dm-${uid('x')}` })).error).toMatchObject({ code: -32602, data: { field: 'groupId' } });
  });
});

describe('rooms: invitations', () => {
  it('invite reaches every connection of the invitee; join consumes it; a repeat keeps the first', async () => {
    const owner = uid('host');
    const guest = uid('guest');
    const o = await connect(owner);
    const admin = uid('adm');
    const a = await connect(admin);
    const g1 = await connect(guest);
    const g2 = await connect(guest); // joined to nothing
    const g = uid('party');
    await o.call('group.create', { groupId: g, visibility: 'private' });
    await o.call('group.join', { groupId: g });
    const { invitation } = await o.call<{ invitation: Invitation }>('group.invite', { groupId: g, userId: guest });
    expect(invitation).toMatchObject({ groupId: g, userId: guest, invitedBy: owner });
    for (const c of [g1, g2]) {
      const f = await c.waitFor((x) => x.method === 'invited');
      expect(f.params).toMatchObject({ invitation: { groupId: g, userId: guest }, group: { id: g, visibility: 'private' } });
    }
    // The invitee may look before joining.
    expect(await g1.call('group.get', { groupId: g })).toMatchObject({ group: { id: g }, role: null });
    const inbox = await g1.call<{ invitations: { invitation: Invitation; group: Group }[] }>('me.invitations', {});
    expect(inbox.invitations.map((i) => i.invitation.groupId)).toContain(g);
    // An admin invites again: the first invitation stands, nobody is told twice.
    await o.call('group.invite', { groupId: g, userId: admin });
    await a.call('group.join', { groupId: g });
    await o.call('group.setRole', { groupId: g, userId: admin, role: 'admin' });
    const again = await a.call<{ invitation: Invitation }>('group.invite', { groupId: g, userId: guest });
    expect(again.invitation.invitedBy).toBe(owner);
    await g1.call('group.join', { groupId: g });
    expect((await g1.call<{ invitations: unknown[] }>('me.invitations', {})).invitations.some((i) => JSON.stringify(i).includes(g))).toBe(false);
    expect(notes(g2, 'invited')).toHaveLength(1);
    // Members of a private room may not invite; members of a public one may.
    expect((await g1.request('group.invite', { groupId: g, userId: uid('x') })).error).toMatchObject({ code: 4033, data: { required: 'admin' } });
    // Inviting a member answers null.
    expect(await o.call('group.invite', { groupId: g, userId: guest })).toEqual({ invitation: null });
  });

  it('an invitation can be declined', async () => {
    const o = await connect(uid('host'));
    const guest = uid('guest');
    const c = await connect(guest);
    const g = uid('nope');
    await o.call('group.create', { groupId: g, visibility: 'private' });
    await o.call('group.join', { groupId: g });
    await o.call('group.invite', { groupId: g, userId: guest });
    expect(await c.call('invitation.decline', { groupId: g })).toEqual({ declined: true });
    expect(await c.call('invitation.decline', { groupId: g })).toEqual({ declined: false });
    expect(await code(c, 'group.join', { groupId: g })).toBe(4013);
  });
});

describe('rooms: roles, kick, ban', () => {
  async function room() {
    const owner = uid('own');
    const o = await connect(owner);
    const g = uid('club');
    await o.call('group.create', { groupId: g });
    await o.call('group.join', { groupId: g });
    const join = async (name: string) => {
      const user = uid(name);
      const c = await connect(user);
      await c.call('group.join', { groupId: g });
      return { user, c };
    };
    return { owner, o, g, join };
  }

  it('setRole sends member.role; a hand-over sends two and the old owner becomes an admin', async () => {
    const { owner, o, g, join } = await room();
    const m = await join('m');
    await o.call('group.setRole', { groupId: g, userId: m.user, role: 'admin' });
    const f = await o.waitFor((x) => x.method === 'member.role');
    expect(f.params).toMatchObject({ groupId: g, userId: m.user, role: 'admin', by: owner });
    const before = notes(o, 'member.role').length;
    const r = await o.call('group.setRole', { groupId: g, userId: m.user, role: 'owner' });
    expect(r).toMatchObject({ member: { userId: m.user, role: 'owner' } });
    await o.waitFor(() => notes(o, 'member.role').length >= before + 2);
    const roles = notes(o, 'member.role').slice(before).map((x) => x.params as { userId: string; role: string });
    expect(roles).toEqual(expect.arrayContaining([expect.objectContaining({ userId: m.user, role: 'owner' }), expect.objectContaining({ userId: owner, role: 'admin' })]));
    expect(await o.call('group.get', { groupId: g })).toMatchObject({ group: { ownerId: m.user }, role: 'admin' });
    // Not a member: 4003.
    expect(await code(m.c, 'group.setRole', { groupId: g, userId: uid('ghost'), role: 'admin' })).toBe(4003);
  });

  it('kick: only permitted roles; the kicked user is told on every connection, leaves at once, and gets nothing more of the group', async () => {
    const { owner, o, g, join } = await room();
    const admin = await join('a');
    const victim = await join('v');
    const bystander = await join('b');
    const victim2 = await connect(victim.user); // another connection, joined to nothing
    await o.call('group.setRole', { groupId: g, userId: admin.user, role: 'admin' });
    expect((await bystander.c.request('group.kick', { groupId: g, userId: victim.user })).error).toMatchObject({ code: 4033, data: { required: 'admin' } });
    expect((await admin.c.request('group.kick', { groupId: g, userId: owner })).error).toMatchObject({ code: 4033 });
    expect(await code(o, 'group.kick', { groupId: g, userId: owner })).toBe(4033);
    expect(await admin.c.call('group.kick', { groupId: g, userId: victim.user })).toEqual({ kicked: true });
    const sent = await o.call<{ message: Message }>('message.send', { groupId: g, text: 'after the kick' });
    await bystander.c.waitFor((x) => x.method === 'message' && (x.params as Message).id === sent.message.id);
    for (const c of [victim.c, victim2]) {
      const f = await c.waitFor((x) => x.method === 'conversation.removed');
      expect(f.params).toEqual({ groupId: g, reason: 'kicked', by: admin.user });
    }
    expect(victim.c.messages(g).some((m) => m.id === sent.message.id)).toBe(false);
    const left = await bystander.c.waitFor((x) => x.method === 'member.left' && (x.params as { userId: string }).userId === victim.user);
    expect(left.params).toMatchObject({ reason: 'kicked', by: admin.user });
    expect(await code(victim.c, 'message.history', { groupId: g })).toBe(4003);
    expect(await code(victim.c, 'group.members', { groupId: g })).toBe(4003);
    expect(await admin.c.call('group.kick', { groupId: g, userId: victim.user })).toEqual({ kicked: false });
  });

  it('ban: ends the membership, refuses join (4031 with until) and invitations, lists, unbans; a timed ban ends', async () => {
    const { o, g, join } = await room();
    const v = await join('v');
    const { ban } = await o.call<{ ban: { until: string | null; reason: string } }>('group.ban', { groupId: g, userId: v.user, reason: 'spam' });
    expect(ban).toMatchObject({ groupId: g, userId: v.user, until: null, reason: 'spam' });
    expect((await v.c.waitFor((x) => x.method === 'conversation.removed')).params).toMatchObject({ reason: 'banned' });
    expect((await v.c.request('group.join', { groupId: g })).error).toMatchObject({ code: 4031, data: { until: null } });
    expect(await code(o, 'group.invite', { groupId: g, userId: v.user })).toBe(4031);
    expect((await o.call<{ bans: { userId: string }[] }>('group.bans', { groupId: g })).bans.map((b) => b.userId)).toEqual([v.user]);
    expect(await o.call('group.unban', { groupId: g, userId: v.user })).toEqual({ unbanned: true });
    await v.c.call('group.join', { groupId: g });
    // Banning someone who is not a member, for one second.
    const stranger = uid('s');
    const sc = await connect(stranger);
    const timed = await o.call<{ ban: { until: string } }>('group.ban', { groupId: g, userId: stranger, durationSec: 1 });
    expect(Date.parse(timed.ban.until)).toBeGreaterThan(Date.now() - 1000);
    expect(await code(sc, 'group.join', { groupId: g })).toBe(4031);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await sc.request('group.join', { groupId: g })).result).toBeDefined();
  });

  it('the owner cannot leave while others remain (4034); update checks roles and capacity, and tells subscribers', async () => {
    const { o, g, join } = await room();
    const m = await join('m');
    expect(await code(o, 'group.leave', { groupId: g })).toBe(4034);
    expect((await m.c.request('group.update', { groupId: g, title: 'x' })).error).toMatchObject({ code: 4033, data: { required: 'admin' } });
    expect((await o.request('group.update', { groupId: g, capacity: 1 + 0 })).error?.code).toBe(-32602);
    expect((await o.request('group.update', { groupId: g, capacity: 2 })).result).toBeDefined();
    const r = await o.call<{ group: Group }>('group.update', { groupId: g, title: 'Renamed', topic: 't' });
    expect(r.group).toMatchObject({ title: 'Renamed', topic: 't', capacity: 2 });
    const f = await m.c.waitFor((x) => x.method === 'group.updated' && (x.params as { group: Group }).group.title === 'Renamed');
    expect(f.params).toMatchObject({ group: { id: g, title: 'Renamed' } });
    // Full at the room's own capacity.
    expect(await code(await connect(uid('late')), 'group.join', { groupId: g })).toBe(4010);
  });

  it('delete: owner only; every member is told, the id is unknown and may be created again, empty', async () => {
    const { o, g, join } = await room();
    const m = await join('m');
    await o.call('message.send', { groupId: g, text: 'old' });
    await m.c.call('message.send', { groupId: g, text: 'old, with an id', clientMessageId: 'cm-1' });
    expect(await code(m.c, 'group.delete', { groupId: g })).toBe(4033);
    expect(await o.call('group.delete', { groupId: g })).toEqual({ deleted: true });
    expect((await m.c.waitFor((x) => x.method === 'conversation.removed')).params).toMatchObject({ groupId: g, reason: 'deleted' });
    expect(await code(m.c, 'group.get', { groupId: g })).toBe(4004);
    expect(await code(m.c, 'message.send', { groupId: g, text: 'hello?' })).toBe(4004);
    await m.c.call('group.create', { groupId: g });
    const joined = await m.c.call<{ group: Group; history: Message[] }>('group.join', { groupId: g });
    expect(joined.history).toEqual([]);
    // A clientMessageId used in the deleted room is a new message in the new one.
    const fresh = await m.c.call<{ message: Message }>('message.send', { groupId: g, text: 'new room', clientMessageId: 'cm-1' });
    expect(fresh.message.text).toBe('new room');
    expect(joined.group).toMatchObject({ memberCount: 1, ownerId: expect.any(String) });
  });
});

describe('direct conversations and blocking', () => {
  it('direct.open: one conversation from either side, both members, the other told; never listed; no room management', async () => {
    const ann = uid('ann');
    const bob = uid('bob');
    const a = await connect(ann);
    const b = await connect(bob);
    const opened = await a.call<{ group: Group; history: Message[]; complete: boolean }>('direct.open', { userId: bob });
    expect(opened.group).toMatchObject({ kind: 'direct', visibility: 'private', ownerId: null, capacity: 2, memberCount: 2, peers: [ann, bob].sort() });
    expect(opened.group.id.startsWith('dm-')).toBe(true);
    const added = await b.waitFor((x) => x.method === 'conversation.added');
    expect(added.params).toMatchObject({ group: { id: opened.group.id }, by: ann });
    const fromBob = await b.call<{ group: Group }>('direct.open', { userId: ann });
    expect(fromBob.group.id).toBe(opened.group.id);
    const sent = await a.call<{ message: Message }>('message.send', { groupId: opened.group.id, text: 'hi bob' });
    await b.waitFor((x) => x.method === 'message' && (x.params as Message).id === sent.message.id);
    expect((await a.call<{ groups: Group[] }>('group.list', { prefix: 'dm-' })).groups).toEqual([]);
    for (const [method, params] of [
      ['group.leave', { groupId: opened.group.id }],
      ['group.invite', { groupId: opened.group.id, userId: uid('c') }],
      ['group.kick', { groupId: opened.group.id, userId: bob }],
      ['group.update', { groupId: opened.group.id, title: 'x' }],
      ['group.delete', { groupId: opened.group.id }],
    ] as const) {
      expect(await code(a, method, params), method).toBe(4033);
    }
    const eve = await connect(uid('eve'));
    expect(await code(eve, 'group.join', { groupId: opened.group.id })).toBe(4003);
    expect((await a.request('direct.open', { userId: ann })).error).toMatchObject({ code: -32602, data: { field: 'userId' } });
  });

  it('while A blocks B, B can neither open nor send in their conversation; unblocking ends it', async () => {
    const ann = uid('ann');
    const bob = uid('bob');
    const a = await connect(ann);
    const b = await connect(bob);
    const { group } = await b.call<{ group: Group }>('direct.open', { userId: ann });
    expect(await a.call('user.block', { userId: bob })).toEqual({ blocked: true });
    expect((await a.call<{ users: string[] }>('me.blocked', {})).users).toEqual([bob]);
    expect(await code(b, 'direct.open', { userId: ann })).toBe(4033);
    expect(await code(b, 'message.send', { groupId: group.id, text: 'let me in' })).toBe(4033);
    // A may still write.
    expect((await a.request('message.send', { groupId: group.id, text: 'why' })).result).toBeDefined();
    expect(await a.call('user.unblock', { userId: bob })).toEqual({ unblocked: true });
    expect((await b.request('message.send', { groupId: group.id, text: 'thanks' })).result).toBeDefined();
  });
});

describe('an outsider learns nothing of a private room', () => {
  it('every method, as someone who is no member, invitee or owner: refused, and no answer holds its title, topic, members or messages', async () => {
    const owner = uid('keeper');
    const o = await connect(owner);
    const insider = uid('insider');
    const i = await connect(insider);
    const g = uid('vault');
    await o.call('group.create', { groupId: g, visibility: 'private', title: 'TITLE-SECRET', topic: 'TOPIC-SECRET' });
    await o.call('group.join', { groupId: g });
    await o.call('group.invite', { groupId: g, userId: insider });
    await i.call('group.join', { groupId: g });
    const { message } = await o.call<{ message: Message }>('message.send', { groupId: g, text: 'TEXT-SECRET' });
    const outsider = await connect(uid('outsider'));
    const probes: [string, Record<string, unknown>][] = [
      ['group.get', { groupId: g }],
      ['group.join', { groupId: g }],
      ['group.join', { groupId: g, since: '0-0' }],
      ['group.members', { groupId: g }],
      ['message.history', { groupId: g }],
      ['message.history', { groupId: g, before: message.id }],
      ['message.send', { groupId: g, text: 'let me in' }],
      ['group.leave', { groupId: g }],
      ['group.update', { groupId: g, title: 'mine' }],
      ['group.setRole', { groupId: g, userId: insider, role: 'admin' }],
      ['group.invite', { groupId: g, userId: uid('friend') }],
      ['group.kick', { groupId: g, userId: insider }],
      ['group.ban', { groupId: g, userId: insider }],
      ['group.unban', { groupId: g, userId: insider }],
      ['group.bans', { groupId: g }],
      ['group.delete', { groupId: g }],
      ['invitation.decline', { groupId: g }],
      ['group.create', { groupId: g }],
    ];
    for (const [method, params] of probes) {
      const f = await outsider.request(method, params);
      const text = JSON.stringify(f);
      for (const secret of ['TITLE-SECRET', 'TOPIC-SECRET', 'TEXT-SECRET', insider]) expect(text, `${method} leaks ${secret}`).not.toContain(secret);
      if (method === 'group.leave' || method === 'invitation.decline' || method === 'group.kick' || method === 'group.unban') continue;
      expect(f.error, method).toBeDefined();
    }
    for (const [method, params] of [
      ['group.list', {}],
      ['group.list', { prefix: g }],
      ['me.invitations', {}],
    ] as const) {
      const text = JSON.stringify(await outsider.call(method, params));
      expect(text).not.toContain(g);
    }
    // Nothing of it reached the outsider as a notification either.
    expect(JSON.stringify(outsider.frames)).not.toContain('SECRET');
    // And the room is intact.
    expect((await i.call<{ messages: Message[] }>('message.history', { groupId: g })).messages.map((m) => m.text)).toEqual(['TEXT-SECRET']);
  });
});

describe('typing', () => {
  it("reaches the group's other subscribed connections, not the typist's own; at most one per user per 2 s; members only", async () => {
    const ann = uid('ann');
    const a1 = await connect(ann);
    const a2 = await connect(ann);
    const b = await connect(uid('bob'));
    const g = uid('chat');
    await a1.call('group.create', { groupId: g });
    for (const c of [a1, a2, b]) await c.call('group.join', { groupId: g });
    for (let i = 0; i < 5; i++) expect(await a1.call('typing', { groupId: g })).toEqual({});
    const f = await b.waitFor((x) => x.method === 'typing');
    expect(f.params).toEqual({ groupId: g, userId: ann, at: expect.any(String) });
    // Answered every time, passed on once; and never to ann's own connections.
    await b.call('group.list', { limit: 1 });
    expect(notes(b, 'typing')).toHaveLength(1);
    expect(notes(a1, 'typing')).toHaveLength(0);
    expect(notes(a2, 'typing')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 2100));
    await a2.call('typing', { groupId: g });
    await b.waitFor(() => notes(b, 'typing').length >= 2);
    expect(await code(await connect(uid('outsider')), 'typing', { groupId: g })).toBe(4003);
    // Never stored: a late joiner gets no typing replayed.
    const late = await connect(uid('late'));
    await late.call('group.join', { groupId: g });
    await late.call('group.list', { limit: 1 });
    expect(notes(late, 'typing')).toHaveLength(0);
  });
});

describe('read state', () => {
  it('message.read moves the marker forward only, counts unread exactly, and tells every connection of the reader', async () => {
    const reader = uid('reader');
    const r1 = await connect(reader);
    const r2 = await connect(reader); // joined to nothing
    const writer = await connect(uid('writer'));
    const g = uid('reading');
    await writer.call('group.create', { groupId: g });
    await writer.call('group.join', { groupId: g });
    await r1.call('group.join', { groupId: g });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await writer.call<{ message: Message }>('message.send', { groupId: g, text: `m${i}` })).message.id);
    expect(await r1.call('message.read', { groupId: g, messageId: ids[3] })).toEqual({ readUpTo: ids[3], unread: 6 });
    for (const c of [r1, r2]) {
      const f = await c.waitFor((x) => x.method === 'read' && (x.params as { readUpTo: string }).readUpTo === ids[3]);
      expect(f.params).toEqual({ groupId: g, readUpTo: ids[3], unread: 6 });
    }
    // Never back: an older id answers the state as it is, and tells nobody.
    expect(await r1.call('message.read', { groupId: g, messageId: ids[1] })).toEqual({ readUpTo: ids[3], unread: 6 });
    expect(await r2.call('message.read', { groupId: g, messageId: ids[9] })).toEqual({ readUpTo: ids[9], unread: 0 });
    // A burst after reading: unread counts it exactly.
    for (let i = 0; i < 5; i++) await writer.call('message.send', { groupId: g, text: `more ${i}` });
    expect(await r1.call('message.read', { groupId: g, messageId: ids[9] })).toEqual({ readUpTo: ids[9], unread: 5 });
    // Newer than the newest message: -32602 naming messageId.
    expect((await r1.request('message.read', { groupId: g, messageId: '99999999999999-0' })).error).toMatchObject({ code: -32602, data: { field: 'messageId' } });
    // Members only, and group.members shows the markers.
    expect(await code(await connect(uid('stranger')), 'message.read', { groupId: g, messageId: ids[0] })).toBe(4003);
    const { members } = await writer.call<{ members: { userId: string; readUpTo: string | null }[] }>('group.members', { groupId: g });
    expect(members.find((m) => m.userId === reader)?.readUpTo).toBe(ids[9]);
  });

  it("a send moves the sender's marker to it and tells the sender's connections; in a direct conversation the peer gets member.read", async () => {
    const ann = uid('ann');
    const bob = uid('bob');
    const a1 = await connect(ann);
    const a2 = await connect(ann);
    const b = await connect(bob);
    const { group } = await a1.call<{ group: Group }>('direct.open', { userId: bob });
    await b.call('direct.open', { userId: ann });
    const sent = await b.call<{ message: Message }>('message.send', { groupId: group.id, text: 'hello ann' });
    expect((await b.waitFor((x) => x.method === 'read')).params).toEqual({ groupId: group.id, readUpTo: sent.message.id, unread: 0 });
    const peerRead = await a1.waitFor((x) => x.method === 'member.read');
    expect(peerRead.params).toMatchObject({ groupId: group.id, userId: bob, readUpTo: sent.message.id });
    expect(await a1.call('message.read', { groupId: group.id, messageId: sent.message.id })).toEqual({ readUpTo: sent.message.id, unread: 0 });
    await a2.waitFor((x) => x.method === 'read' && (x.params as { groupId: string }).groupId === group.id);
    const seen = await b.waitFor((x) => x.method === 'member.read' && (x.params as { userId: string }).userId === ann);
    expect(seen.params).toMatchObject({ readUpTo: sent.message.id });
  });
});
