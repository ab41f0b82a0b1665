/**
 * Protocol 1.1 (PROTOCOL.md §8-§10, §12, §13) over the public protocol:
 * private rooms, invitations, roles, kick and ban, settings, delete, direct
 * conversations and blocking, with the notifications each one sends; and,
 * with several hubs, kick and invite across every ordered pair of instances.
 */
import type { Group, Message, Results, RpcErrorObject } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, expectEqual, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short, sleep } from '../rpc.js';
import { checkBan, checkError, checkGroup11, checkInvitation, checkMember11, ISO_MS_RE } from '../shapes.js';
import { orderedPairs } from '../stats.js';
import { join, send } from './basic.js';

type R<M extends keyof Results> = Results[M];
type P = Record<string, unknown>;

/**
 * How long "never" is: after a bystander received a message sent after a
 * kick (or a delete), the kicked user's connections get this much longer to
 * (wrongly) receive it too.
 */
const GRACE_MS = 300;

const isObj = (v: unknown): v is P => typeof v === 'object' && v !== null && !Array.isArray(v);

interface RoomOptions {
  visibility?: 'public' | 'private';
  title?: string;
  topic?: string;
  capacity?: number;
}

/** group.create with 1.1 params; the result is a room owned by its creator, nobody a member yet. */
async function createRoom(conn: RpcConnection, groupId: string, opts: RoomOptions = {}): Promise<Group> {
  const r = await conn.call<R<'group.create'>>('group.create', { groupId, ...opts });
  return checkGroup11(r?.group, `group.create of ${groupId}${Object.keys(opts).length > 0 ? ` with ${short(opts)}` : ''}`, {
    id: groupId,
    kind: 'room',
    visibility: opts.visibility ?? 'public',
    title: opts.title ?? '',
    topic: opts.topic ?? '',
    createdBy: conn.userId,
    ownerId: conn.userId,
    memberCount: 0,
    ...(opts.capacity !== undefined ? { capacity: opts.capacity } : {}),
  });
}

/** group.join, checked as v1 does plus the 1.1 Group fields. */
async function join11(conn: RpcConnection, groupId: string): Promise<R<'group.join'>> {
  const r = await join(conn, groupId);
  checkGroup11(r.group, `group.join ${groupId} by ${conn.userId}: result.group`, { id: groupId });
  return r;
}

/** A fresh room of the owner's (created and joined), with every other user connected (the i-th to instance i+1) and joined. */
async function room(ctx: CheckContext, owner: string, others: string[], opts: RoomOptions = {}): Promise<{ g: string; o: RpcConnection; conns: RpcConnection[] }> {
  const g = ctx.group();
  const o = await ctx.connect(ctx.user(owner), 0);
  await createRoom(o, g, opts);
  await join11(o, g);
  const conns: RpcConnection[] = [];
  for (const [i, name] of others.entries()) {
    const c = await ctx.connect(ctx.user(name), i + 1);
    if (opts.visibility === 'private') await o.call('group.invite', { groupId: g, userId: c.userId });
    await join11(c, g);
    conns.push(c);
  }
  return { g, o, conns };
}

/** Calls and expects the error `code` (with the table's reason, and `data.field` when given). */
async function refused(conn: RpcConnection, method: string, params: P, code: number, what: string, field?: string): Promise<RpcErrorObject> {
  const e = await conn.callExpectError(method, params, what);
  checkError(e, code, what, field);
  return e;
}

/** A 4033 whose data.required names the role that would have allowed it. */
async function forbidden(conn: RpcConnection, method: string, params: P, required: string | undefined, what: string): Promise<RpcErrorObject> {
  const e = await refused(conn, method, params, 4033, what);
  if (required !== undefined && e.data?.required !== required) fail(`${what}: expected error.data.required '${required}' (the role needed), got ${short(e.data)}`);
  return e;
}

/** The notifications of `method` received so far whose params match. */
function notes(conn: RpcConnection, method: string, pred: (p: P) => boolean = () => true): P[] {
  return conn.frames.filter((f) => f.method === method && f.id === undefined && isObj(f.params) && pred(f.params)).map((f) => f.params as P);
}

async function note(conn: RpcConnection, method: string, pred: (p: P) => boolean, what: string): Promise<P> {
  return (await conn.waitNotification(method, pred, what)).params as P;
}

function expectAt(p: P, what: string): void {
  expect(typeof p.at === 'string' && ISO_MS_RE.test(p.at), `${what}: 'at' must be ISO-8601 UTC with ms, got ${short(p.at)} in ${short(p)}`);
}

/** `conversation.removed {groupId, reason, by}` on a connection of the removed user. */
async function expectRemoved(conn: RpcConnection, groupId: string, reason: string, by: string, which: string): Promise<void> {
  const p = await note(conn, 'conversation.removed', (x) => x.groupId === groupId, `conversation.removed of ${groupId} on ${which}`);
  expect(p.reason === reason && p.by === by, `conversation.removed on ${which}: expected {groupId: ${groupId}, reason: '${reason}', by: ${by}}, got ${short(p)}`);
}

/** `member.left {groupId, userId, at, reason, by}` on a subscribed connection. */
async function expectLeft(conn: RpcConnection, groupId: string, userId: string, reason: string, by: string): Promise<void> {
  const p = await note(conn, 'member.left', (x) => x.groupId === groupId && x.userId === userId, `member.left of ${userId} in ${groupId} at ${conn.label}`);
  expect(p.reason === reason && p.by === by, `member.left of ${userId} at ${conn.label}: expected reason '${reason}' and by ${by}, got ${short(p)}`);
  expectAt(p, `member.left at ${conn.label}`);
}

async function waitMessageId(conn: RpcConnection, groupId: string, id: string): Promise<void> {
  const list = conn.messages(groupId);
  await conn.waitUntil(
    () => list.some((m) => m.id === id),
    () => `the message notification of ${id} in ${groupId} (got ${list.length}: ${short(list.map((m) => m.id))})`,
  );
}

/**
 * `sent` reached the bystander; after GRACE_MS more, none of `conns` (the
 * removed user's) may have it.
 */
async function expectNeverReaches(sent: Message, bystander: RpcConnection, conns: RpcConnection[], after: string): Promise<void> {
  await waitMessageId(bystander, sent.groupId, sent.id);
  await sleep(GRACE_MS);
  for (const c of conns) {
    if (c.messages(sent.groupId).some((m) => m.id === sent.id)) {
      fail(`${c.label} received message ${sent.id} of ${sent.groupId}, sent after ${after}: a removed user's connections must get nothing more of the group`);
    }
  }
}

async function inbox(conn: RpcConnection): Promise<R<'me.invitations'>['invitations']> {
  const r = await conn.call<R<'me.invitations'>>('me.invitations', {});
  if (!r || !Array.isArray(r.invitations)) fail(`me.invitations: expected {invitations, next}, got ${short(r)}`);
  r.invitations.forEach((x, i) => {
    checkInvitation(x?.invitation, `me.invitations[${i}].invitation`, { userId: conn.userId });
    checkGroup11(x.group, `me.invitations[${i}].group`, { id: x.invitation.groupId });
  });
  return r.invitations;
}

async function members(conn: RpcConnection, groupId: string): Promise<Array<[string, string]>> {
  const r = await conn.call<R<'group.members'>>('group.members', { groupId, limit: 200 });
  if (!r || !Array.isArray(r.members)) fail(`group.members ${groupId}: expected {members, next}, got ${short(r)}`);
  r.members.forEach((m, i) => checkMember11(m, `group.members ${groupId} [${i}]`));
  return r.members.map((m) => [m.userId, m.role]);
}

async function getGroup(conn: RpcConnection, groupId: string, what: string, expected: Partial<Group> = {}): Promise<R<'group.get'>> {
  const r = await conn.call<R<'group.get'>>('group.get', { groupId });
  if (!r || typeof r !== 'object') fail(`${what}: expected {group, role}, got ${short(r)}`);
  checkGroup11(r.group, `${what}: result.group`, { id: groupId, ...expected });
  if (r.role !== null && r.role !== 'owner' && r.role !== 'admin' && r.role !== 'member') fail(`${what}: role must be 'owner', 'admin', 'member' or null, got ${short(r.role)}`);
  return r;
}

const needsTwo = (ctx: CheckContext) => (ctx.endpoints.length < 2 ? 'needs 2 or more hub URLs or pods' : null);

export const roomChecks: Check[] = [
  {
    name: 'private-room',
    group: 'rooms',
    description: 'a private room is invisible to a stranger (group.list, group.get and group.join 4013), visible to its owner before joining; dm- ids are reserved',
    async run(ctx) {
      const o = await ctx.connect(ctx.user('owner'), 0);
      const s = await ctx.connect(ctx.user('stranger'), 1);
      const g = ctx.group('secret');
      const title = `Secret plans ${ctx.runId}`;
      await createRoom(o, g, { visibility: 'private', title, topic: 'q4 ✓', capacity: 5 });
      const own = await getGroup(o, g, 'group.get of a private room by its owner before joining', { visibility: 'private', title, topic: 'q4 ✓', capacity: 5, memberCount: 0, ownerId: o.userId });
      expect(own.role === 'owner', `group.get of a private room by its owner before joining: expected role 'owner', got ${short(own.role)}`);
      const eg = await refused(s, 'group.get', { groupId: g }, 4013, 'group.get of a private room by a stranger');
      expect(!JSON.stringify(eg).includes(title), `the 4013 refusal of group.get must not reveal the private room's title, got ${short(eg)}`);
      await refused(s, 'group.join', { groupId: g }, 4013, 'group.join of a private room by a stranger without an invitation');
      const sl = await s.call<R<'group.list'>>('group.list', { prefix: g });
      expect(!sl.groups.some((x) => x.id === g), `group.list by a stranger must not list the private room ${g}, got ${short(sl.groups.map((x) => x.id))}`);
      // The owner joins without an invitation; a private room is listed to its members.
      const j = await join11(o, g);
      expect(j.group.memberCount === 1, `group.join of a private room by its owner: expected memberCount 1, got ${short(j.group)}`);
      const ol = await o.call<R<'group.list'>>('group.list', { prefix: g });
      expectEqual(ol.groups.map((x) => x.id), [g], 'group.list by the owner once a member of the private room');
      checkGroup11(ol.groups[0], 'group.list[0] (the private room, to its member)', { id: g, visibility: 'private', title });
      expectEqual(await members(o, g), [[o.userId, 'owner']], 'group.members of the private room after its owner joined ([userId, role])');
      await refused(s, 'group.join', { groupId: g }, 4013, 'group.join of a private room by a stranger once its owner is a member');
      expect(!(await s.call<R<'group.list'>>('group.list', { prefix: g })).groups.some((x) => x.id === g), `group.list by a stranger must not list the private room ${g} once it has a member`);
      // A public room: anyone may look (role null) and it is listed.
      const pub = ctx.group('open');
      await createRoom(o, pub, { title: 'Open' });
      const sg = await getGroup(s, pub, 'group.get of a public room by a stranger', { visibility: 'public', title: 'Open' });
      expect(sg.role === null, `group.get of a public room by someone who is not a member: expected role null, got ${short(sg.role)}`);
      expectEqual((await s.call<R<'group.list'>>('group.list', { prefix: pub })).groups.map((x) => x.id), [pub], 'group.list by a stranger of a public room');
      const dm = `dm-${g}`.slice(0, 64);
      await refused(o, 'group.create', { groupId: dm }, -32602, `group.create of '${dm}' (ids beginning with 'dm-' are reserved for direct conversations)`, 'groupId');
      await refused(o, 'group.create', { groupId: ctx.group(), visibility: 'secret' }, -32602, "group.create with visibility 'secret'", 'visibility');
      return { detail: 'private room: 4013 to a stranger, owner role before joining; dm- refused' };
    },
  },
  {
    name: 'invitations',
    group: 'rooms',
    description: 'an invitation reaches every connection of the invitee; joining consumes it; a repeat keeps the first invitedBy and is not sent again; who may invite',
    async run(ctx) {
      const owner = ctx.user('host');
      const guest = ctx.user('guest');
      const o = await ctx.connect(owner, 0);
      const a = await ctx.connect(ctx.user('adm'), 1);
      const g1 = await ctx.connect(guest, 1);
      const g2 = await ctx.connect(guest, 2); // joined to nothing
      const g = ctx.group('party');
      await createRoom(o, g, { visibility: 'private', title: 'Party' });
      await join11(o, g);
      const r = await o.call<R<'group.invite'>>('group.invite', { groupId: g, userId: guest });
      checkInvitation(r?.invitation, 'group.invite by the owner: result.invitation', { groupId: g, userId: guest, invitedBy: owner });
      for (const [c, which] of [
        [g1, "the invitee's first connection"],
        [g2, "the invitee's second connection (joined to nothing)"],
      ] as const) {
        const p = await note(c, 'invited', (x) => isObj(x.invitation) && x.invitation.groupId === g, `the invited notification of ${g} on ${which}`);
        checkInvitation(p.invitation, `invited.invitation on ${which}`, { groupId: g, userId: guest, invitedBy: owner });
        checkGroup11(p.group, `invited.group on ${which}`, { id: g, visibility: 'private', title: 'Party' });
      }
      const look = await getGroup(g1, g, 'group.get of a private room by an invitee', { visibility: 'private' });
      expect(look.role === null, `group.get by an invitee who has not joined: expected role null, got ${short(look.role)}`);
      const box = await inbox(g1);
      expect(box.some((x) => x.invitation.groupId === g && x.invitation.invitedBy === owner), `me.invitations of the invitee must list the invitation to ${g} by ${owner}, got ${short(box)}`);
      // An admin invites again: one invitation, the first invitedBy, nobody told twice.
      await o.call('group.invite', { groupId: g, userId: a.userId });
      await join11(a, g);
      await o.call('group.setRole', { groupId: g, userId: a.userId, role: 'admin' });
      const again = await a.call<R<'group.invite'>>('group.invite', { groupId: g, userId: guest });
      checkInvitation(again?.invitation, 'a repeated group.invite (by an admin) of a pending invitee', { groupId: g, userId: guest, invitedBy: owner });
      // Sentinel: an invitation to another room, after which a repeated `invited` would have come.
      const other = ctx.group('other');
      await createRoom(o, other, { visibility: 'private' });
      await join11(o, other);
      await o.call('group.invite', { groupId: other, userId: guest });
      await note(g2, 'invited', (x) => isObj(x.invitation) && x.invitation.groupId === other, `the invited notification of ${other} (sentinel)`);
      await sleep(GRACE_MS);
      for (const c of [g1, g2]) {
        const n = notes(c, 'invited', (x) => isObj(x.invitation) && x.invitation.groupId === g).length;
        expect(n === 1, `a repeated invitation must not send invited again: ${c.label} got ${n} invited notifications of ${g}`);
      }
      // Joining consumes it.
      const j = await join11(g1, g);
      expect(j.group.memberCount === 3, `group.join by the invitee: expected memberCount 3 (owner, admin, invitee), got ${short(j.group)}`);
      const box2 = await inbox(g1);
      expect(!box2.some((x) => x.invitation.groupId === g), `me.invitations after joining ${g} must no longer list its invitation, got ${short(box2)}`);
      expect(box2.some((x) => x.invitation.groupId === other), `me.invitations must still list the pending invitation to ${other}, got ${short(box2)}`);
      // Who may invite: in a private room owner and admins, not members; a member is answered null.
      await forbidden(g1, 'group.invite', { groupId: g, userId: ctx.user('x') }, 'admin', 'group.invite in a private room by a plain member');
      const nul = await o.call<R<'group.invite'>>('group.invite', { groupId: g, userId: guest });
      expectEqual(nul, { invitation: null }, 'group.invite of a user who is already a member');
      // In a public room members may invite; others get 4003.
      const pub = ctx.group('pub');
      await createRoom(o, pub);
      await join11(g1, pub);
      const pi = await g1.call<R<'group.invite'>>('group.invite', { groupId: pub, userId: ctx.user('y') });
      checkInvitation(pi?.invitation, 'group.invite in a public room by a plain member', { groupId: pub, userId: ctx.user('y'), invitedBy: guest });
      await refused(a, 'group.invite', { groupId: pub, userId: ctx.user('z') }, 4003, 'group.invite in a public room by a non-member');
      return { detail: 'invited on 2 connections, consumed by join, first invitedBy kept' };
    },
  },
  {
    name: 'invitation-decline',
    group: 'rooms',
    description: 'a declined invitation is gone: declined true then false, not listed, group.join 4013',
    async run(ctx) {
      const o = await ctx.connect(ctx.user('host'), 0);
      const c = await ctx.connect(ctx.user('guest'), 1);
      const g = ctx.group('nope');
      await createRoom(o, g, { visibility: 'private' });
      await join11(o, g);
      await o.call('group.invite', { groupId: g, userId: c.userId });
      await note(c, 'invited', (x) => isObj(x.invitation) && x.invitation.groupId === g, `the invited notification of ${g}`);
      expectEqual(await c.call('invitation.decline', { groupId: g }), { declined: true }, 'invitation.decline of a pending invitation');
      expectEqual(await c.call('invitation.decline', { groupId: g }), { declined: false }, 'invitation.decline again');
      const box = await inbox(c);
      expect(!box.some((x) => x.invitation.groupId === g), `me.invitations after declining must not list ${g}, got ${short(box)}`);
      await refused(c, 'group.join', { groupId: g }, 4013, 'group.join of a private room after declining its invitation');
      await refused(c, 'group.get', { groupId: g }, 4013, 'group.get of a private room after declining its invitation');
    },
  },
  {
    name: 'roles',
    group: 'rooms',
    description: 'setRole sends member.role to subscribers; who may kick or set roles (4033, data.required); a hand-over sends two member.role',
    async run(ctx) {
      const { g, o, conns } = await room(ctx, 'own', ['adm', 'adm2', 'mem', 'watch']);
      const [m, a2, x, w] = conns;
      const r = await o.call<R<'group.setRole'>>('group.setRole', { groupId: g, userId: m.userId, role: 'admin' });
      checkMember11(r?.member, 'group.setRole admin: result.member', { userId: m.userId, role: 'admin' });
      for (const c of [o, w, m]) {
        const p = await note(c, 'member.role', (y) => y.groupId === g && y.userId === m.userId, `member.role of ${m.userId} at ${c.label}`);
        expect(p.role === 'admin' && p.by === o.userId, `member.role at ${c.label}: expected {userId: ${m.userId}, role: 'admin', by: ${o.userId}}, got ${short(p)}`);
        expectAt(p, `member.role at ${c.label}`);
      }
      await o.call('group.setRole', { groupId: g, userId: a2.userId, role: 'admin' });
      await note(w, 'member.role', (y) => y.groupId === g && y.userId === a2.userId && y.role === 'admin', `member.role of ${a2.userId} to admin`);
      const roles = new Map(await members(o, g));
      expectEqual(
        [o, m, a2, x, w].map((c) => roles.get(c.userId)),
        ['owner', 'admin', 'admin', 'member', 'member'],
        'group.members roles of owner, admin, admin, member, member',
      );
      // Permission rows.
      await forbidden(x, 'group.kick', { groupId: g, userId: w.userId }, 'admin', 'group.kick by a plain member');
      await forbidden(m, 'group.kick', { groupId: g, userId: o.userId }, undefined, 'group.kick of the owner by an admin');
      await forbidden(m, 'group.kick', { groupId: g, userId: a2.userId }, undefined, 'group.kick of an admin by an admin (admins kick members only)');
      await forbidden(o, 'group.kick', { groupId: g, userId: o.userId }, undefined, 'group.kick of the owner by the owner (self)');
      await forbidden(m, 'group.setRole', { groupId: g, userId: x.userId, role: 'admin' }, 'owner', 'group.setRole by an admin');
      await forbidden(x, 'group.setRole', { groupId: g, userId: w.userId, role: 'admin' }, 'owner', 'group.setRole by a plain member');
      await refused(o, 'group.setRole', { groupId: g, userId: ctx.user('ghost'), role: 'admin' }, 4003, 'group.setRole of a user who is not a member');
      await refused(o, 'group.setRole', { groupId: g, userId: x.userId, role: 'king' }, -32602, "group.setRole with role 'king'", 'role');
      // Hand-over: two member.role (the new owner, the old owner now an admin), then a sentinel.
      const before = notes(w, 'member.role', (y) => y.groupId === g).length;
      const h = await o.call<R<'group.setRole'>>('group.setRole', { groupId: g, userId: m.userId, role: 'owner' });
      checkMember11(h?.member, 'group.setRole owner (hand-over): result.member', { userId: m.userId, role: 'owner' });
      await m.call('group.setRole', { groupId: g, userId: x.userId, role: 'admin' });
      await note(w, 'member.role', (y) => y.groupId === g && y.userId === x.userId && y.role === 'admin', `member.role of ${x.userId} to admin by the new owner (sentinel)`);
      const seen = notes(w, 'member.role', (y) => y.groupId === g).slice(before).filter((y) => y.userId !== x.userId);
      const pairs = seen.map((y) => `${String(y.userId)}=${String(y.role)} by ${String(y.by)}`).sort();
      expectEqual(pairs, [`${m.userId}=owner by ${o.userId}`, `${o.userId}=admin by ${o.userId}`].sort(), 'member.role notifications of a hand-over (exactly two)');
      const got = await getGroup(o, g, 'group.get by the old owner after the hand-over', { ownerId: m.userId });
      expect(got.role === 'admin', `the old owner, a member, becomes an admin on a hand-over: expected role 'admin', got ${short(got.role)}`);
      await forbidden(o, 'group.setRole', { groupId: g, userId: w.userId, role: 'admin' }, 'owner', 'group.setRole by the old owner after the hand-over');
      return { detail: 'admin, permission rows, hand-over with two member.role' };
    },
  },
  {
    name: 'kick',
    group: 'rooms',
    description: 'a kicked user is told on every connection, subscribers get member.left {reason: kicked, by}, no later message reaches them; history and members 4003',
    async run(ctx) {
      const { g, o, conns } = await room(ctx, 'own', ['adm', 'vic', 'by']);
      const [a, v1, b] = conns;
      const v2 = await ctx.connect(v1.userId, 3); // another connection of the victim, joined to nothing
      await o.call('group.setRole', { groupId: g, userId: a.userId, role: 'admin' });
      const before = await send(o, g, 'before the kick');
      await waitMessageId(v1, g, before.id);
      expectEqual(await a.call('group.kick', { groupId: g, userId: v1.userId }), { kicked: true }, 'group.kick of a member by an admin');
      const sent = await send(o, g, 'after the kick');
      await expectRemoved(v1, g, 'kicked', a.userId, "the kicked user's subscribed connection");
      await expectRemoved(v2, g, 'kicked', a.userId, "the kicked user's connection joined to nothing");
      for (const c of [o, b]) await expectLeft(c, g, v1.userId, 'kicked', a.userId);
      await expectNeverReaches(sent, b, [v1, v2], "the kick's result");
      await refused(v1, 'message.history', { groupId: g }, 4003, 'message.history by a kicked user');
      await refused(v1, 'group.members', { groupId: g }, 4003, 'group.members by a kicked user');
      await refused(v2, 'message.send', { groupId: g, text: 'still here?' }, 4003, 'message.send by a kicked user');
      expectEqual(await a.call('group.kick', { groupId: g, userId: v1.userId }), { kicked: false }, 'group.kick of a user who is no longer a member');
      const got = await getGroup(b, g, 'group.get after the kick');
      expect(got.group.memberCount === 3, `memberCount after the kick (owner, admin, bystander remain): expected 3, got ${got.group.memberCount}`);
      const ids = (await members(o, g)).map(([u]) => u);
      expect(!ids.includes(v1.userId), `group.members after the kick must not list ${v1.userId}, got ${short(ids)}`);
      return { detail: `conversation.removed on 2 connections; nothing delivered ${GRACE_MS} ms past the bystander` };
    },
  },
  {
    name: 'ban',
    group: 'rooms',
    description: 'ban ends the membership; join 4031 with data.until; invitations 4031 and a pending one dropped; group.bans lists; unban then join works; a timed ban ends',
    budgetMs: (o) => Math.max(40_000, o.timeoutMs * 6),
    async run(ctx) {
      const { g, o, conns } = await room(ctx, 'own', ['vic', 'watch']);
      const [v, w] = conns;
      const r = await o.call<R<'group.ban'>>('group.ban', { groupId: g, userId: v.userId, reason: 'spam' });
      checkBan(r?.ban, 'group.ban of a member: result.ban', { groupId: g, userId: v.userId, by: o.userId, until: null, reason: 'spam' });
      await expectRemoved(v, g, 'banned', o.userId, "the banned user's connection");
      await expectLeft(w, g, v.userId, 'banned', o.userId);
      const ej = await refused(v, 'group.join', { groupId: g }, 4031, 'group.join by a banned user');
      expect(isObj(ej.data) && 'until' in ej.data && ej.data.until === null, `4031 of a ban without duration: expected data.until null, got ${short(ej.data)}`);
      await refused(o, 'group.invite', { groupId: g, userId: v.userId }, 4031, 'group.invite of a banned user');
      await refused(v, 'message.send', { groupId: g, text: 'banned?' }, 4003, 'message.send by a banned user');
      const bans = await o.call<R<'group.bans'>>('group.bans', { groupId: g });
      if (!bans || !Array.isArray(bans.bans)) fail(`group.bans: expected {bans, next}, got ${short(bans)}`);
      bans.bans.forEach((b, i) => checkBan(b, `group.bans[${i}]`, { groupId: g }));
      expectEqual(bans.bans.map((b) => b.userId), [v.userId], 'group.bans user ids');
      expect(bans.next === null, `group.bans of one ban: expected next null, got ${short(bans.next)}`);
      await forbidden(w, 'group.bans', { groupId: g }, 'admin', 'group.bans by a plain member');
      await forbidden(w, 'group.ban', { groupId: g, userId: ctx.user('nobody') }, 'admin', 'group.ban by a plain member');
      expectEqual(await o.call('group.unban', { groupId: g, userId: v.userId }), { unbanned: true }, 'group.unban of a banned user');
      expectEqual(await o.call('group.unban', { groupId: g, userId: v.userId }), { unbanned: false }, 'group.unban of a user who is not banned');
      await join11(v, g);
      expectEqual((await o.call<R<'group.bans'>>('group.bans', { groupId: g })).bans, [], 'group.bans after the unban');
      // A timed ban of someone who is not a member.
      const s = await ctx.connect(ctx.user('s'), 1);
      const t = await o.call<R<'group.ban'>>('group.ban', { groupId: g, userId: s.userId, durationSec: 1 });
      const tb = checkBan(t?.ban, 'group.ban of a non-member for 1 s: result.ban', { groupId: g, userId: s.userId, by: o.userId, reason: '' });
      const span = Date.parse(String(tb.until)) - Date.parse(tb.at);
      expect(span >= 900 && span <= 2000, `group.ban with durationSec 1: expected until about 1 s after at, got at ${tb.at}, until ${short(tb.until)}`);
      const et = await refused(s, 'group.join', { groupId: g }, 4031, 'group.join during a timed ban');
      expect(et.data?.until === tb.until, `4031 of a timed ban: expected data.until ${tb.until}, got ${short(et.data)}`);
      await sleep(1500);
      const after = await s.request('group.join', { groupId: g });
      expect(after.result !== undefined, `group.join 1.5 s after a ban of 1 s (until ${tb.until}) must work, got ${short(after.error)}`);
      // A ban drops a pending invitation.
      const p = ctx.group('priv');
      await createRoom(o, p, { visibility: 'private' });
      await join11(o, p);
      const inv = await ctx.connect(ctx.user('inv'), 2);
      await o.call('group.invite', { groupId: p, userId: inv.userId });
      await o.call('group.ban', { groupId: p, userId: inv.userId });
      const box = await inbox(inv);
      expect(!box.some((x) => x.invitation.groupId === p), `a ban must drop the pending invitation to ${p}, but me.invitations lists it: ${short(box)}`);
      await o.call('group.unban', { groupId: p, userId: inv.userId });
      await refused(inv, 'group.join', { groupId: p }, 4013, 'group.join of a private room after a ban dropped the invitation and an unban');
      return { detail: 'ban, 4031 with until, unban, timed ban ended, invitation dropped' };
    },
  },
  {
    name: 'room-settings',
    group: 'rooms',
    description: 'owner leave while others remain 4034; group.update by a member 4033; capacity below memberCount -32602; group.updated to subscribers; visibility and capacity take effect',
    async run(ctx) {
      const { g, o, conns } = await room(ctx, 'own', ['m', 'n']);
      const [m, n] = conns;
      await refused(o, 'group.leave', { groupId: g }, 4034, 'group.leave by the owner while others remain');
      await forbidden(m, 'group.update', { groupId: g, title: 'mine now' }, 'admin', 'group.update by a plain member');
      await refused(o, 'group.update', { groupId: g, capacity: 2 }, -32602, 'group.update of capacity 2 with memberCount 3', 'capacity');
      await refused(o, 'group.update', { groupId: g, title: 'x'.repeat(101) }, -32602, 'group.update with a title of 101 code points', 'title');
      const u1 = await o.call<R<'group.update'>>('group.update', { groupId: g, capacity: 3 });
      checkGroup11(u1?.group, 'group.update capacity 3 (= memberCount)', { id: g, capacity: 3, memberCount: 3 });
      const u2 = await o.call<R<'group.update'>>('group.update', { groupId: g, title: 'Renamed ✓', topic: 'the topic' });
      checkGroup11(u2?.group, 'group.update title and topic', { id: g, title: 'Renamed ✓', topic: 'the topic', capacity: 3, visibility: 'public' });
      for (const c of [m, n]) {
        const p = await note(c, 'group.updated', (x) => isObj(x.group) && x.group.id === g && x.group.title === 'Renamed ✓', `group.updated of ${g} with the new title at ${c.label}`);
        checkGroup11(p.group, `group.updated at ${c.label}`, { id: g, title: 'Renamed ✓', topic: 'the topic', capacity: 3 });
      }
      const late = await ctx.connect(ctx.user('late'), 0);
      await refused(late, 'group.join', { groupId: g }, 4010, 'group.join of a room at its own capacity (3 of 3)');
      // An admin may update too; private from then on: a stranger no longer sees it, members still do.
      await o.call('group.setRole', { groupId: g, userId: m.userId, role: 'admin' });
      const u3 = await m.call<R<'group.update'>>('group.update', { groupId: g, visibility: 'private' });
      checkGroup11(u3?.group, 'group.update visibility private by an admin', { id: g, visibility: 'private' });
      await refused(late, 'group.get', { groupId: g }, 4013, 'group.get by a stranger of a room made private');
      const still = await getGroup(n, g, 'group.get by a member of a room made private', { visibility: 'private' });
      expect(still.role === 'member', `group.get by a member: expected role 'member', got ${short(still.role)}`);
      // Once alone, the owner may leave.
      for (const c of [m, n]) {
        expectEqual(await c.call('group.leave', { groupId: g }), { left: true }, `group.leave by ${c.userId}`);
        await expectLeft(o, g, c.userId, 'left', c.userId);
      }
      expectEqual(await o.call('group.leave', { groupId: g }), { left: true }, 'group.leave by the owner once the last member');
      return { detail: '4034, 4033, -32602 capacity, group.updated to 2 subscribers' };
    },
  },
  {
    name: 'room-delete',
    group: 'rooms',
    description: 'delete: owner only; conversation.removed (deleted) to every member connection; subscriptions end; 4004; created again with an empty history',
    async run(ctx) {
      const { g, o, conns } = await room(ctx, 'own', ['m']);
      const [m1] = conns;
      const m2 = await ctx.connect(m1.userId, 2); // joined to nothing
      await send(o, g, 'old');
      await forbidden(m1, 'group.delete', { groupId: g }, 'owner', 'group.delete by a plain member');
      expectEqual(await o.call('group.delete', { groupId: g }), { deleted: true }, 'group.delete by the owner');
      await expectRemoved(m1, g, 'deleted', o.userId, "a member's subscribed connection");
      await expectRemoved(m2, g, 'deleted', o.userId, "a member's connection joined to nothing");
      await expectRemoved(o, g, 'deleted', o.userId, "the owner's own connection");
      await refused(m1, 'group.get', { groupId: g }, 4004, 'group.get of a deleted room');
      await refused(m1, 'message.send', { groupId: g, text: 'hello?' }, 4004, 'message.send in a deleted room');
      await refused(m1, 'group.join', { groupId: g }, 4004, 'group.join of a deleted room');
      expect(!(await m1.call<R<'group.list'>>('group.list', { prefix: g })).groups.some((x) => x.id === g), `group.list must not list the deleted room ${g}`);
      // Created again: a new room, its history empty; the old subscriptions are over.
      await createRoom(m1, g);
      const j = await join11(m1, g);
      expectEqual(j.history, [], 'history of a room created again after a delete');
      expect(j.complete === true && j.group.memberCount === 1 && j.group.ownerId === m1.userId, `join of the room created again: expected complete true, memberCount 1, ownerId ${m1.userId}, got ${short(j)}`);
      expectEqual((await m1.call<R<'message.history'>>('message.history', { groupId: g })).messages, [], 'message.history of the room created again');
      const got = await getGroup(o, g, 'group.get by the old owner of the room created again', { ownerId: m1.userId });
      expect(got.role === null, `the old owner of a deleted room has no role in the new one: expected role null, got ${short(got.role)}`);
      const sent = await send(m1, g, 'new room');
      await expectNeverReaches(sent, m1, [o], 'the room was deleted and created again (the old subscription must have ended)');
      return { detail: 'removed on 3 connections, 4004, recreated empty' };
    },
  },
  {
    name: 'direct-open',
    group: 'direct',
    description: 'direct.open: one dm- conversation from either side, both members, the other told; not listed; no room management (4033); others 4003; self -32602',
    async run(ctx) {
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const a = await ctx.connect(ann, 0);
      const b1 = await ctx.connect(bob, 1);
      const b2 = await ctx.connect(bob, 2); // joined to nothing
      const peers = [ann, bob].sort();
      const opened = await a.call<R<'direct.open'>>('direct.open', { userId: bob });
      if (!opened || typeof opened !== 'object') fail(`direct.open: expected {group, history, complete}, got ${short(opened)}`);
      const dg = checkGroup11(opened.group, 'direct.open result.group', { kind: 'direct', visibility: 'private', ownerId: null, capacity: 2, memberCount: 2, peers: peers as [string, string], createdBy: ann });
      const dm = dg.id;
      expect(dm.startsWith('dm-'), `the id of a direct conversation must begin with 'dm-', got ${dm}`);
      expect(Array.isArray(opened.history) && opened.history.length === 0 && opened.complete === true, `direct.open of a new conversation: expected history [] and complete true, got ${short(opened)}`);
      for (const [c, which] of [
        [b1, "the other user's first connection"],
        [b2, "the other user's second connection"],
      ] as const) {
        const p = await note(c, 'conversation.added', (x) => isObj(x.group) && x.group.id === dm, `conversation.added of ${dm} on ${which}`);
        expect(p.by === ann, `conversation.added on ${which}: expected by ${ann}, got ${short(p)}`);
        checkGroup11(p.group, `conversation.added.group on ${which}`, { id: dm, kind: 'direct', peers: peers as [string, string] });
      }
      const fromBob = await b1.call<R<'direct.open'>>('direct.open', { userId: ann });
      checkGroup11(fromBob?.group, 'direct.open from the other side', { id: dm, kind: 'direct', memberCount: 2 });
      const sent = await send(a, dm, 'hi bob');
      await waitMessageId(b1, dm, sent.id);
      const again = await a.call<R<'direct.open'>>('direct.open', { userId: bob });
      expect(again?.group?.id === dm, `direct.open a second time must return the same conversation ${dm}, got ${short(again?.group)}`);
      expectEqual(again.history.map((x) => x.id), [sent.id], 'history of direct.open of an existing conversation');
      expectEqual((await members(a, dm)).sort(), peers.map((u) => [u, 'member']), 'group.members of a direct conversation ([userId, role])');
      const got = await getGroup(a, dm, 'group.get of a direct conversation by a peer', { kind: 'direct' });
      expect(got.role === 'member', `group.get of a direct conversation by a peer: expected role 'member', got ${short(got.role)}`);
      const listed = await a.call<R<'group.list'>>('group.list', { prefix: 'dm-', limit: 200 });
      const directs = listed.groups.filter((x) => x.id === dm || (x as Partial<Group>).kind === 'direct');
      expectEqual(directs.map((x) => x.id), [], "direct conversations in group.list with prefix 'dm-' (they are never listed)");
      const eve = await ctx.connect(ctx.user('eve'), 1);
      for (const [method, params] of [
        ['group.leave', { groupId: dm }],
        ['group.invite', { groupId: dm, userId: eve.userId }],
        ['group.kick', { groupId: dm, userId: bob }],
        ['group.ban', { groupId: dm, userId: bob }],
        ['group.update', { groupId: dm, title: 'ours' }],
        ['group.delete', { groupId: dm }],
      ] as const) {
        await refused(a, method, params, 4033, `${method} of a direct conversation by a peer`);
      }
      await refused(eve, 'group.join', { groupId: dm }, 4003, 'group.join of a direct conversation by a third user');
      await refused(eve, 'message.send', { groupId: dm, text: 'psst' }, 4003, 'message.send in a direct conversation by a third user');
      await refused(a, 'direct.open', { userId: ann }, -32602, 'direct.open with oneself', 'userId');
      await refused(a, 'direct.open', { userId: 'not a user id!' }, -32602, "direct.open with userId 'not a user id!'", 'userId');
      return { detail: `${dm}: same id from both sides, conversation.added on 2 connections` };
    },
  },
  {
    name: 'direct-block',
    group: 'direct',
    description: 'while A blocks B, B can neither direct.open A nor send in their conversation (4033); me.blocked lists; rooms unaffected; unblock restores',
    async run(ctx) {
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const carol = ctx.user('carol');
      const a = await ctx.connect(ann, 0);
      const b = await ctx.connect(bob, 1);
      const c = await ctx.connect(carol, 2);
      const opened = await b.call<R<'direct.open'>>('direct.open', { userId: ann });
      const dm = checkGroup11(opened?.group, 'direct.open', { kind: 'direct' }).id;
      await a.call('direct.open', { userId: bob }); // ann's connection subscribes too
      expectEqual(await a.call('user.block', { userId: bob }), { blocked: true }, 'user.block');
      const bl = await a.call<R<'me.blocked'>>('me.blocked', {});
      expectEqual(bl, { users: [bob], next: null }, 'me.blocked after blocking one user');
      await forbidden(b, 'direct.open', { userId: ann }, undefined, 'direct.open by a blocked user of the user who blocks them');
      await forbidden(b, 'message.send', { groupId: dm, text: 'let me in' }, undefined, 'message.send by a blocked user in the direct conversation');
      const own = await a.request('message.send', { groupId: dm, text: 'why' });
      expect(own.result !== undefined, `message.send by the blocking user in the direct conversation must work (a block is one-way), got ${short(own.error)}`);
      // Rooms are unaffected.
      const g = ctx.group('room');
      await createRoom(a, g);
      await join11(a, g);
      await join11(b, g);
      const rm = await send(b, g, 'in a room');
      await waitMessageId(a, g, rm.id);
      // A block before any conversation: no direct.open either.
      await a.call('user.block', { userId: carol });
      await forbidden(c, 'direct.open', { userId: ann }, undefined, 'direct.open by a blocked user who never had a conversation with the blocker');
      expectEqual([...(await a.call<R<'me.blocked'>>('me.blocked', {})).users].sort(), [bob, carol].sort(), 'me.blocked after blocking two users');
      expectEqual(await a.call('user.unblock', { userId: bob }), { unblocked: true }, 'user.unblock of a blocked user');
      expectEqual(await a.call('user.unblock', { userId: bob }), { unblocked: false }, 'user.unblock of a user who is not blocked');
      expectEqual((await a.call<R<'me.blocked'>>('me.blocked', {})).users, [carol], 'me.blocked after unblocking one');
      const back = await send(b, dm, 'thanks');
      await waitMessageId(a, dm, back.id);
      const reopened = await b.call<R<'direct.open'>>('direct.open', { userId: ann });
      expect(reopened?.group?.id === dm, `direct.open after the unblock: expected the same conversation ${dm}, got ${short(reopened?.group)}`);
      return { detail: 'blocked: 4033 on open and send; unblocked: both work' };
    },
  },
];

/** With several hubs: the removal and the invitation cross instances, for every ordered pair. */
export const roomCrossChecks: Check[] = [
  {
    name: 'cross-kick',
    group: 'cross',
    description: "for every ordered pair (A,B): a kick via A reaches the kicked user's connection on B (conversation.removed) and no later message does",
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const pairs = orderedPairs(ctx.endpoints.length);
      const problems: string[] = [];
      for (const [a, b] of pairs) {
        const name = `${ctx.endpoints[a].name} -> ${ctx.endpoints[b].name}`;
        try {
          const o = await ctx.connect(ctx.user(`o${a}${b}`), a);
          const v = await ctx.connect(ctx.user(`v${a}${b}`), b);
          const w = await ctx.connect(ctx.user(`w${a}${b}`), b);
          const g = ctx.group(`k${a}${b}-`);
          await createRoom(o, g);
          for (const c of [o, v, w]) await join11(c, g);
          expectEqual(await o.call('group.kick', { groupId: g, userId: v.userId }), { kicked: true }, 'group.kick');
          const sent = await send(o, g, `after the kick ${name}`);
          await expectRemoved(v, g, 'kicked', o.userId, `the kicked user's connection on ${ctx.endpoints[b].name}`);
          await expectLeft(w, g, v.userId, 'kicked', o.userId);
          await expectNeverReaches(sent, w, [v], `the kick's result on ${ctx.endpoints[a].name}`);
        } catch (e) {
          problems.push(`kick via ${name}: ${(e as Error).message}`);
        }
      }
      if (problems.length > 0) fail(`${problems.length} of ${pairs.length} ordered pairs failed: ${problems.join('; ')}`);
      return { detail: `${pairs.length} ordered pairs over ${ctx.endpoints.length} instances` };
    },
  },
  {
    name: 'cross-invite',
    group: 'cross',
    description: "for every ordered pair (A,B): an invitation via A reaches the invitee's connection on B, which then joins",
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const pairs = orderedPairs(ctx.endpoints.length);
      const problems: string[] = [];
      for (const [a, b] of pairs) {
        const name = `${ctx.endpoints[a].name} -> ${ctx.endpoints[b].name}`;
        try {
          const o = await ctx.connect(ctx.user(`o${a}${b}`), a);
          const guest = await ctx.connect(ctx.user(`g${a}${b}`), b); // joined to nothing
          const g = ctx.group(`i${a}${b}-`);
          await createRoom(o, g, { visibility: 'private' });
          await join11(o, g);
          await o.call('group.invite', { groupId: g, userId: guest.userId });
          const p = await note(guest, 'invited', (x) => isObj(x.invitation) && x.invitation.groupId === g, `the invited notification of ${g} on ${ctx.endpoints[b].name}`);
          checkInvitation(p.invitation, `invited.invitation on ${ctx.endpoints[b].name}`, { groupId: g, userId: guest.userId, invitedBy: o.userId });
          await join11(guest, g);
          await note(o, 'member.joined', (x) => x.groupId === g && x.userId === guest.userId, `member.joined of the invitee at the owner on ${ctx.endpoints[a].name}`);
        } catch (e) {
          problems.push(`invite via ${name}: ${(e as Error).message}`);
        }
      }
      if (problems.length > 0) fail(`${problems.length} of ${pairs.length} ordered pairs failed: ${problems.join('; ')}`);
      return { detail: `${pairs.length} ordered pairs over ${ctx.endpoints.length} instances` };
    },
  },
];
