/**
 * The protocol 1.1 methods of sections 9-10 (rooms: settings, roles,
 * moderation; direct conversations and blocking) through a scripted
 * WebSocket: the method and params each convenience call puts on the wire,
 * the typed result it hands back, the new notifications as typed events,
 * and what they do to resume (conversation.removed: no re-join; a direct
 * conversation: re-joined by id like a room).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  NextChatClient,
  ResumeError,
  type Ban,
  type ClientEvents,
  type Group,
  type Invitation,
  type Member,
  type Message,
} from '../../../packages/client/src/index.js';
import { FakeSocket, type SentRequest } from './fake-socket.js';

const at = '2026-11-22T10:00:00.000Z';
const msg = (id: string, groupId = 'g'): Message => ({ id, groupId, authorId: 'bob', text: `m${id}`, sentAt: at });
const room = (id = 'g', extra: Partial<Group> = {}): Group => ({
  id,
  kind: 'room',
  visibility: 'public',
  title: '',
  topic: '',
  createdBy: 'alice',
  createdAt: at,
  ownerId: 'alice',
  memberCount: 1,
  capacity: 10_000,
  ...extra,
});
const DM = 'dm-alice-bob';
const direct = (): Group => ({ ...room(DM), kind: 'direct', visibility: 'private', ownerId: null, memberCount: 2, capacity: 2, peers: ['alice', 'bob'] });
const member: Member = { userId: 'bob', joinedAt: at, online: true, role: 'admin', readUpTo: null };
const invitation: Invitation = { groupId: 'g', userId: 'bob', invitedBy: 'alice', at };
const ban: Ban = { groupId: 'g', userId: 'carol', by: 'alice', at, until: '2026-11-22T10:10:00.000Z', reason: 'spam' };

function client(): NextChatClient {
  return new NextChatClient({ url: 'ws://hub.test:5000/next-chat', token: 'alice', WebSocket: FakeSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 2 } });
}

function next<K extends keyof ClientEvents>(c: NextChatClient, event: K): Promise<ClientEvents[K]> {
  return new Promise((resolve) => c.once(event, resolve));
}

function nextSocket(): Promise<FakeSocket> {
  return new Promise((resolve) => (FakeSocket.onCreate = resolve));
}

function nextRequest(s: FakeSocket): Promise<SentRequest> {
  return new Promise((resolve) => s.serve(resolve));
}

async function connected(c: NextChatClient): Promise<FakeSocket> {
  const created = nextSocket();
  const p = c.connect();
  const s = await created;
  s.open();
  await p;
  return s;
}

/** Answers every request with `answers[method]` (a value, or a function of the params). */
function serveAll(s: FakeSocket, answers: Record<string, unknown>): void {
  s.serve((req) => {
    const a = answers[req.method];
    if (a === undefined) throw new Error(`unexpected ${req.method}`);
    s.reply(req.id, typeof a === 'function' ? (a as (p: Record<string, unknown>) => unknown)(req.params) : a);
  });
}

/** Drops the connection, opens the next one, and resolves with it and the first request sent on it. */
async function dropAndReconnect(c: NextChatClient, s: FakeSocket): Promise<{ s: FakeSocket; first: Promise<SentRequest> }> {
  const created = nextSocket();
  s.drop(1006);
  const s2 = await created;
  const first = nextRequest(s2);
  const opened = next(c, 'open');
  s2.open();
  expect(await opened).toEqual({ reconnected: true });
  return { s: s2, first };
}

afterEach(() => FakeSocket.reset());

describe('protocol 1.1 methods on the wire', () => {
  it('createGroup keeps createGroup(id) and createGroup(id, {timeoutMs}), and sends the new settings', async () => {
    const c = client();
    const s = await connected(c);
    serveAll(s, { 'group.create': (p: Record<string, unknown>) => ({ group: room(p.groupId as string, { visibility: (p.visibility as 'private') ?? 'public' }) }) });
    expect((await c.createGroup('a')).id).toBe('a');
    await c.createGroup('b', { timeoutMs: 5000 });
    const g: Group = await c.createGroup('c', { visibility: 'private', title: 'Design', topic: 'UI', capacity: 12 }, { timeoutMs: 5000 });
    expect(g.visibility).toBe('private');
    await c.createGroup('d', {});
    expect(s.sent.map((r) => r.params)).toEqual([
      { groupId: 'a' },
      { groupId: 'b' },
      { groupId: 'c', visibility: 'private', title: 'Design', topic: 'UI', capacity: 12 },
      { groupId: 'd' },
    ]);
  });

  it('checks the new params locally with the shared schemas', async () => {
    const c = client();
    const s = await connected(c);
    await expect(c.createGroup('dm-x')).rejects.toMatchObject({ code: -32602, data: { field: 'groupId' } });
    await expect(c.createGroup('x', { capacity: 1 })).rejects.toMatchObject({ code: -32602, data: { field: 'capacity' } });
    await expect(c.updateGroup('x', { title: 't'.repeat(101) })).rejects.toMatchObject({ code: -32602, data: { field: 'title' } });
    await expect(c.setRole('x', 'bob', 'king' as never)).rejects.toMatchObject({ code: -32602, data: { field: 'role' } });
    await expect(c.ban('x', 'bob', { durationSec: 0 })).rejects.toMatchObject({ code: -32602, data: { field: 'durationSec' } });
    await expect(c.openDirect('not a user!')).rejects.toMatchObject({ code: -32602, data: { field: 'userId' } });
    expect(s.sent).toHaveLength(0);
  });

  it('every room and direct call sends its method and params and resolves with its typed result', async () => {
    const c = client();
    const s = await connected(c);
    serveAll(s, {
      'group.get': { group: room('g', { visibility: 'private' }), role: 'admin' },
      'group.update': { group: room('g', { title: 'T', capacity: 50 }) },
      'group.setRole': { member },
      'group.invite': { invitation },
      'group.kick': { kicked: true },
      'group.ban': { ban },
      'group.unban': { unbanned: false },
      'group.bans': { bans: [ban], next: null },
      'me.invitations': { invitations: [{ invitation, group: room('g') }], next: 'g' },
      'invitation.decline': { declined: true },
      'user.block': { blocked: true },
      'user.unblock': { unblocked: false },
      'me.blocked': { users: ['bob', 'carol'], next: null },
    });

    const got = await c.getGroup('g');
    expect(got.role).toBe('admin');
    expect(got.group.visibility).toBe('private');
    const updated: Group = await c.updateGroup('g', { title: 'T', capacity: 50 });
    expect(updated).toMatchObject({ title: 'T', capacity: 50 });
    const m: Member = await c.setRole('g', 'bob', 'admin');
    expect(m.role).toBe('admin');
    const inv: Invitation | null = await c.invite('g', 'bob');
    expect(inv).toEqual(invitation);
    expect(await c.kick('g', 'carol')).toBe(true);
    const b: Ban = await c.ban('g', 'carol', { durationSec: 600, reason: 'spam' });
    expect(b.until).toBe(ban.until);
    expect(await c.unban('g', 'carol')).toBe(false);
    expect(await c.bans('g', { limit: 10 })).toEqual({ bans: [ban], next: null });
    const invs = await c.invitations({ after: 'a' });
    expect(invs.invitations[0].group.id).toBe('g');
    expect(invs.next).toBe('g');
    expect(await c.declineInvitation('g')).toBe(true);
    expect(await c.block('bob')).toBe(true);
    expect(await c.unblock('bob')).toBe(false);
    expect(await c.blockedUsers()).toEqual({ users: ['bob', 'carol'], next: null });

    expect(s.sent.map((r) => [r.method, r.params])).toEqual([
      ['group.get', { groupId: 'g' }],
      ['group.update', { groupId: 'g', title: 'T', capacity: 50 }],
      ['group.setRole', { groupId: 'g', userId: 'bob', role: 'admin' }],
      ['group.invite', { groupId: 'g', userId: 'bob' }],
      ['group.kick', { groupId: 'g', userId: 'carol' }],
      ['group.ban', { groupId: 'g', userId: 'carol', durationSec: 600, reason: 'spam' }],
      ['group.unban', { groupId: 'g', userId: 'carol' }],
      ['group.bans', { groupId: 'g', limit: 10 }],
      ['me.invitations', { after: 'a' }],
      ['invitation.decline', { groupId: 'g' }],
      ['user.block', { userId: 'bob' }],
      ['user.unblock', { userId: 'bob' }],
      ['me.blocked', {}],
    ]);
  });

  it('invite resolves with null when the user is already a member', async () => {
    const c = client();
    const s = await connected(c);
    serveAll(s, { 'group.invite': { invitation: null } });
    expect(await c.invite('g', 'bob')).toBeNull();
  });

  it('deleteGroup sends group.delete and forgets the group for resume', async () => {
    const c = client();
    const s = await connected(c);
    serveAll(s, { 'group.join': { group: room(), history: [msg('1-0')], complete: true }, 'group.delete': { deleted: true } });
    await c.join('g');
    expect(c.joinedGroups).toEqual(['g']);
    expect(await c.deleteGroup('g')).toBe(true);
    expect(s.sent.at(-1)).toMatchObject({ method: 'group.delete', params: { groupId: 'g' } });
    expect(c.joinedGroups).toEqual([]);
    expect(c.lastSeenId('g')).toBeUndefined();
  });

  it('openDirect sends direct.open, is a join (cursor, joinedGroups, live messages)', async () => {
    const c = client();
    const s = await connected(c);
    const got: string[] = [];
    c.on('message', (m) => got.push(`${m.groupId}:${m.id}`));
    serveAll(s, { 'direct.open': { group: direct(), history: [msg('1-0', DM), msg('2-0', DM)], complete: true } });
    const r = await c.openDirect('bob', { limit: 20 });
    expect(s.sent[0]).toMatchObject({ method: 'direct.open', params: { userId: 'bob', limit: 20 } });
    expect(r.group.kind).toBe('direct');
    expect(r.group.peers).toEqual(['alice', 'bob']);
    expect(c.joinedGroups).toEqual([DM]);
    expect(c.lastSeenId(DM)).toBe('2-0');
    for (const id of ['2-0', '3-0']) s.push({ jsonrpc: '2.0', method: 'message', params: msg(id, DM) });
    expect(got).toEqual([`${DM}:3-0`]);
  });
});

describe('protocol 1.1 notifications', () => {
  it('are typed events, not `notification`', async () => {
    const c = client();
    const s = await connected(c);
    const other: string[] = [];
    c.on('notification', (n) => other.push(n.method));
    const events = {
      updated: next(c, 'group.updated'),
      role: next(c, 'member.role'),
      invited: next(c, 'invited'),
      added: next(c, 'conversation.added'),
      left: next(c, 'member.left'),
    };
    s.push({ jsonrpc: '2.0', method: 'group.updated', params: { group: room('g', { title: 'New' }) } });
    s.push({ jsonrpc: '2.0', method: 'member.role', params: { groupId: 'g', userId: 'bob', role: 'admin', by: 'alice', at } });
    s.push({ jsonrpc: '2.0', method: 'invited', params: { invitation, group: room('g', { visibility: 'private' }) } });
    s.push({ jsonrpc: '2.0', method: 'conversation.added', params: { group: direct(), by: 'bob' } });
    s.push({ jsonrpc: '2.0', method: 'member.left', params: { groupId: 'g', userId: 'carol', at, reason: 'kicked', by: 'alice' } });
    expect((await events.updated).group.title).toBe('New');
    expect(await events.role).toEqual({ groupId: 'g', userId: 'bob', role: 'admin', by: 'alice', at });
    expect((await events.invited).invitation.invitedBy).toBe('alice');
    expect(await events.added).toMatchObject({ by: 'bob', group: { id: DM, kind: 'direct' } });
    const left = await events.left;
    expect([left.reason, left.by]).toEqual(['kicked', 'alice']);
    expect(other).toEqual([]);
  });

  it('conversation.removed forgets a joined group, so it is not re-joined after a reconnect', async () => {
    const c = client();
    let s = await connected(c);
    serveAll(s, {
      'group.join': (p: Record<string, unknown>) => ({ group: room(p.groupId as string), history: [msg('1-0', p.groupId as string)], complete: true }),
    });
    await c.join('g');
    await c.join('kept');
    expect(c.joinedGroups).toEqual(['g', 'kept']);

    const removed = next(c, 'conversation.removed');
    let joinedWhenEmitted: string[] = [];
    c.once('conversation.removed', () => (joinedWhenEmitted = c.joinedGroups));
    s.push({ jsonrpc: '2.0', method: 'conversation.removed', params: { groupId: 'g', reason: 'kicked', by: 'bob' } });
    expect(await removed).toEqual({ groupId: 'g', reason: 'kicked', by: 'bob' });
    expect(joinedWhenEmitted).toEqual(['kept']);
    expect(c.joinedGroups).toEqual(['kept']);
    expect(c.lastSeenId('g')).toBeUndefined();

    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    const resumed = next(c, 'resumed');
    s.reply(req.id, { group: room('kept'), history: [], complete: true });
    expect(await resumed).toMatchObject({ groupId: 'kept' });
    // Only `kept` was re-joined.
    expect(s.sent.map((x) => [x.method, x.params.groupId])).toEqual([['group.join', 'kept']]);
  });

  it('conversation.removed for a group never joined here is still emitted and changes nothing', async () => {
    const c = client();
    const s = await connected(c);
    const removed = next(c, 'conversation.removed');
    s.push({ jsonrpc: '2.0', method: 'conversation.removed', params: { groupId: 'elsewhere', reason: 'deleted', by: 'alice' } });
    expect(await removed).toMatchObject({ groupId: 'elsewhere', reason: 'deleted' });
    expect(c.joinedGroups).toEqual([]);
  });

  it('a group removed while its resume is in flight is not reported as resumed and keeps no cursor', async () => {
    const c = client();
    let s = await connected(c);
    serveAll(s, { 'group.join': { group: room(), history: [msg('1-0')], complete: true } });
    await c.join('g');
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    let resumed = 0;
    let errors = 0;
    c.on('resumed', () => resumed++);
    c.on('error', () => errors++);
    const got: string[] = [];
    c.on('message', (m) => got.push(m.id));
    // The re-join is answered, then the removal comes while the missed messages are paged:
    // the group is dropped quietly, with nothing more delivered for it.
    const page = nextRequest(s);
    s.reply(req.id, { group: room(), history: [msg('5-0'), msg('6-0')], complete: false });
    const p = await page;
    expect(p.method).toBe('message.history');
    s.push({ jsonrpc: '2.0', method: 'conversation.removed', params: { groupId: 'g', reason: 'banned', by: 'bob' } });
    s.fail(p.id, { code: 4003, message: 'not a member', data: { reason: 'not_a_member', groupId: 'g' } });
    await new Promise((res) => setTimeout(res, 5));
    expect([resumed, errors]).toEqual([0, 0]);
    expect(c.joinedGroups).toEqual([]);
    expect(c.lastSeenId('g')).toBeUndefined();
    expect(got).toEqual([]);
  });
});

describe('resume of protocol 1.1 conversations', () => {
  it('a direct conversation is resumed like a room: group.join by id with since, gap-free', async () => {
    const c = client();
    let s = await connected(c);
    serveAll(s, { 'direct.open': { group: direct(), history: [msg('1-0', DM), msg('2-0', DM)], complete: true } });
    await c.openDirect('bob');
    const got: string[] = [];
    c.on('message', (m) => got.push(m.id));

    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    // Not direct.open: that is refused while bob blocks us, group.join by a peer never is.
    expect(req).toMatchObject({ method: 'group.join', params: { groupId: DM, since: '2-0', limit: 200 } });
    const resumed = next(c, 'resumed');
    s.push({ jsonrpc: '2.0', method: 'message', params: msg('4-0', DM) }); // live, held back until the resume is out
    s.reply(req.id, { group: direct(), history: [msg('3-0', DM)], complete: true });
    expect(await resumed).toEqual({ groupId: DM, missed: 2, complete: true });
    expect(got).toEqual(['3-0', '4-0']);
    expect(c.joinedGroups).toEqual([DM]);
  });

  it.each([
    [4013, 'invitation_required'],
    [4031, 'banned'],
    [4004, 'group_not_found'],
  ])('a resume refused with %i (put out while away) forgets the group and says why', async (code, reason) => {
    const c = client();
    let s = await connected(c);
    serveAll(s, { 'group.join': { group: room('g', { visibility: 'private' }), history: [], complete: true } });
    await c.join('g');
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    const error = next(c, 'error');
    s.fail(req.id, { code, message: 'no', data: { reason, groupId: 'g' } });
    const e = await error;
    expect(e).toBeInstanceOf(ResumeError);
    expect(e).toMatchObject({ groupId: 'g', cause: { code } });
    expect(c.joinedGroups).toEqual([]);
  });
});
