/**
 * The GroupStore contract of protocol 1.1 (PROTOCOL.md §8-§10, ports/group-store.ts):
 * rooms with visibility, roles, settings, invitations, bans and deletion;
 * direct conversations and blocks. Every engine runs it through the same
 * factory as engine-contract.ts, so the adapters agree on what the port promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group } from '@next-chat/core';
import type { Engine } from '../../../packages/server/src/ports/engine.js';
import type { GroupStore, RoomSpec } from '../../../packages/server/src/ports/group-store.js';
import type { EngineFactory } from './engine-contract.js';

let n = 0;
const id = (p: string) => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** The hub's NEXT_CHAT_MAX_GROUP_MEMBERS in these tests, unless a test says otherwise. */
const MAX = 100;

export function roomsContract(factory: EngineFactory): void {
  describe(`rooms contract (GroupStore 1.1): ${factory.name}`, () => {
    let engine: Engine;
    let groups: GroupStore;

    beforeAll(async () => {
      engine = await factory.create();
      groups = engine.groups;
    });
    afterAll(async () => {
      await engine?.close();
    });

    function spec(over: Partial<RoomSpec> = {}): RoomSpec {
      return { groupId: id('r'), createdBy: id('owner'), atMs: T0, visibility: 'public', title: '', topic: '', capacity: MAX, ...over };
    }

    /** A room made by `spec`, then joined in order by `members`. */
    async function roomWith(over: Partial<RoomSpec>, ...members: string[]): Promise<{ g: string; owner: string }> {
      const s = spec(over);
      const r = await groups.create(s);
      if (r.status !== 'created') throw new Error(`create: ${r.status}`);
      for (const m of members) {
        if (s.visibility === 'private' && m !== s.createdBy) await groups.invite(s.groupId, m, s.createdBy, T0);
        const j = await groups.join(s.groupId, m, MAX, T0);
        if (j.status !== 'joined' && j.status !== 'already') throw new Error(`join ${m}: ${j.status}`);
      }
      return { g: s.groupId, owner: s.createdBy };
    }

    async function memberIds(g: string): Promise<string[]> {
      return (await groups.members(g, { limit: 200 }))?.items.map((m) => m.userId) ?? [];
    }

    async function listIds(userId: string, prefix: string): Promise<string[]> {
      return (await groups.list({ userId, prefix, limit: 200 })).items.map((g) => g.id);
    }

    describe('create, get, access', () => {
      it('creates a room with its settings; the creator owns it without being a member', async () => {
        const s = spec({ visibility: 'private', title: 'Café ☕', topic: 'beans', capacity: 12, atMs: T0 + 7 });
        const group: Group = {
          id: s.groupId,
          kind: 'room',
          visibility: 'private',
          title: 'Café ☕',
          topic: 'beans',
          createdBy: s.createdBy,
          createdAt: '2026-11-22T10:00:00.007Z',
          ownerId: s.createdBy,
          memberCount: 0,
          capacity: 12,
        };
        expect(await groups.create(s)).toEqual({ status: 'created', group });
        expect(await groups.get(s.groupId)).toEqual(group);
        expect(await groups.create({ ...s, createdBy: 'someone' })).toEqual({ status: 'exists' });
        expect(await groups.membership(s.groupId, s.createdBy)).toBe('not_member');
        expect(await memberIds(s.groupId)).toEqual([]);
        expect(await groups.access(s.groupId, s.createdBy)).toEqual({ group, role: 'owner', member: false, invited: false, ban: null });
        expect(await groups.access(s.groupId, id('stranger'))).toEqual({ group, role: null, member: false, invited: false, ban: null });
        expect(await groups.access(id('missing'), 'ann')).toBeNull();
        expect(await groups.get(id('missing'))).toBeNull();
      });

      it('reports the standing of members, admins, invitees and the banned', async () => {
        const { g, owner } = await roomWith({}, 'ann', 'bob');
        await groups.setRole(g, 'bob', 'admin');
        await groups.invite(g, 'cat', 'ann', T0);
        await groups.ban(g, 'dan', owner, T0, null, 'spam');
        expect(await groups.access(g, 'ann')).toMatchObject({ role: 'member', member: true, invited: false, ban: null, group: { id: g, memberCount: 2 } });
        expect(await groups.access(g, 'bob')).toMatchObject({ role: 'admin', member: true, invited: false, ban: null });
        expect(await groups.access(g, 'cat')).toMatchObject({ role: null, member: false, invited: true, ban: null });
        expect(await groups.access(g, 'dan')).toMatchObject({
          role: null,
          member: false,
          invited: false,
          ban: { groupId: g, userId: 'dan', by: owner, at: iso(T0), until: null, reason: 'spam' },
        });
      });
    });

    describe('list', () => {
      it('lists every public room and only the private rooms the user is a member of, sorted, paged', async () => {
        const p = id('lst');
        const owner = id('owner');
        const mk = (suffix: string, visibility: 'public' | 'private') => groups.create(spec({ groupId: `${p}.${suffix}`, createdBy: owner, visibility }));
        await mk('a', 'public');
        await mk('b', 'private');
        await mk('c', 'public');
        await mk('d', 'private');
        await mk('e', 'private');
        await mk('f', 'public');
        // ann is a member of b and e; d has members, but not ann; the owner has joined none.
        for (const [g, u] of [
          ['b', 'ann'],
          ['e', 'ann'],
          ['d', 'bob'],
        ] as const) {
          await groups.invite(`${p}.${g}`, u, owner, T0);
          expect(await groups.join(`${p}.${g}`, u, MAX, T0)).toMatchObject({ status: 'joined' });
        }
        await groups.invite(`${p}.d`, 'ann', owner, T0); // an invitation does not list it

        expect(await listIds('ann', `${p}.`)).toEqual(['a', 'b', 'c', 'e', 'f'].map((s) => `${p}.${s}`));
        expect(await listIds('bob', `${p}.`)).toEqual(['a', 'c', 'd', 'f'].map((s) => `${p}.${s}`));
        expect(await listIds(owner, `${p}.`)).toEqual(['a', 'c', 'f'].map((s) => `${p}.${s}`));
        expect(await listIds(id('stranger'), `${p}.`)).toEqual(['a', 'c', 'f'].map((s) => `${p}.${s}`));

        // Pages across public and private rooms.
        const p1 = await groups.list({ userId: 'ann', prefix: `${p}.`, limit: 2 });
        expect(p1.items.map((g) => g.id)).toEqual([`${p}.a`, `${p}.b`]);
        expect(p1.next).toBe(`${p}.b`);
        const p2 = await groups.list({ userId: 'ann', prefix: `${p}.`, after: p1.next!, limit: 2 });
        expect(p2.items.map((g) => g.id)).toEqual([`${p}.c`, `${p}.e`]);
        expect(p2.next).toBe(`${p}.e`);
        const p3 = await groups.list({ userId: 'ann', prefix: `${p}.`, after: p2.next!, limit: 2 });
        expect(p3.items.map((g) => g.id)).toEqual([`${p}.f`]);
        expect(p3.next).toBeNull();
        const exact = await groups.list({ userId: 'ann', prefix: `${p}.`, limit: 5 });
        expect(exact.items).toHaveLength(5);
        expect(exact.next).toBeNull();
        // A page ending on the last private room, with only public ones after it.
        const q = await groups.list({ userId: 'ann', prefix: `${p}.`, after: `${p}.c`, limit: 1 });
        expect(q).toMatchObject({ items: [{ id: `${p}.e`, visibility: 'private', memberCount: 1 }], next: `${p}.e` });

        // Leaving a private room takes it off the user's list.
        expect(await groups.leave(`${p}.e`, 'ann')).toEqual({ status: 'left' });
        expect(await listIds('ann', `${p}.`)).toEqual(['a', 'b', 'c', 'f'].map((s) => `${p}.${s}`));
      });

      it('the owner sees a private room once joined', async () => {
        const p = id('lst');
        const owner = id('owner');
        await groups.create(spec({ groupId: `${p}.x`, createdBy: owner, visibility: 'private' }));
        expect(await listIds(owner, `${p}.`)).toEqual([]);
        await groups.join(`${p}.x`, owner, MAX, T0);
        expect(await listIds(owner, `${p}.`)).toEqual([`${p}.x`]);
      });

      it('never lists direct conversations', async () => {
        const a = id('ann');
        const b = id('bob');
        const dm = `dm-${id('x')}`;
        expect(await groups.openDirect(dm, a, b, T0)).toMatchObject({ status: 'created' });
        expect(await listIds(a, 'dm-')).toEqual([]);
        expect(await listIds(b, 'dm-')).toEqual([]);
        expect((await groups.list({ userId: a, after: 'dm-', limit: 200 })).items.map((g) => g.id)).not.toContain(dm);
      });
    });

    describe('join', () => {
      it('refuses a private room without an invitation; the owner joins without one; an invitation is consumed', async () => {
        const { g, owner } = await roomWith({ visibility: 'private' });
        expect(await groups.join(g, 'ann', MAX, T0)).toEqual({ status: 'invitation_required' });
        const o = await groups.join(g, owner, MAX, T0 + 1);
        expect(o).toMatchObject({ status: 'joined', role: 'owner', joinedAt: iso(T0 + 1), group: { id: g, memberCount: 1, ownerId: owner } });

        await groups.invite(g, 'ann', owner, T0);
        expect(await groups.access(g, 'ann')).toMatchObject({ invited: true });
        expect((await groups.invitations('ann', { limit: 50 })).items.map((i) => i.invitation.groupId)).toContain(g);
        expect(await groups.join(g, 'ann', MAX, T0 + 2)).toMatchObject({ status: 'joined', role: 'member', joinedAt: iso(T0 + 2), group: { memberCount: 2 } });
        // Consumed: gone from the room and from the inbox.
        expect(await groups.access(g, 'ann')).toMatchObject({ member: true, invited: false });
        expect((await groups.invitations('ann', { limit: 50 })).items.map((i) => i.invitation.groupId)).not.toContain(g);
        expect(await groups.decline(g, 'ann')).toBe(false);
        // A re-join is "already", and needs no invitation.
        expect(await groups.join(g, 'ann', MAX, T0 + 9)).toMatchObject({ status: 'already', role: 'member', joinedAt: iso(T0 + 2) });
        // Having left, an invitation is needed again.
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'left' });
        expect(await groups.join(g, 'ann', MAX, T0)).toEqual({ status: 'invitation_required' });
      });

      it('consumes an invitation to a public room too', async () => {
        const { g } = await roomWith({}, 'ann');
        await groups.invite(g, 'bob', 'ann', T0);
        expect(await groups.join(g, 'bob', MAX, T0)).toMatchObject({ status: 'joined' });
        expect(await groups.access(g, 'bob')).toMatchObject({ invited: false, member: true });
        expect((await groups.invitations('bob', { limit: 50 })).items.map((i) => i.invitation.groupId)).not.toContain(g);
      });

      it('answers a missing group', async () => {
        expect(await groups.join(id('missing'), 'ann', MAX, T0)).toEqual({ status: 'group_not_found' });
      });

      it('applies the smaller of the room capacity and the hub capacity', async () => {
        const { g } = await roomWith({ capacity: 3 }, 'ann', 'bob');
        expect(await groups.join(g, 'cat', 2, T0)).toEqual({ status: 'full', capacity: 2 });
        expect(await groups.join(g, 'cat', MAX, T0)).toMatchObject({ status: 'joined', group: { memberCount: 3, capacity: 3 } });
        expect(await groups.join(g, 'dan', MAX, T0)).toEqual({ status: 'full', capacity: 3 });
        // A member re-joining a full room is "already".
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'already' });
      });

      it('admits exactly the capacity under 20 concurrent joins', async () => {
        const { g } = await roomWith({ capacity: 5 });
        const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => groups.join(g, `u${i}`, MAX, T0)));
        expect(rs.filter((r) => r.status === 'joined')).toHaveLength(5);
        expect(rs.filter((r) => r.status === 'full')).toHaveLength(15);
        for (const r of rs) if (r.status === 'full') expect(r.capacity).toBe(5);
        expect((await groups.get(g))?.memberCount).toBe(5);
        expect(await memberIds(g)).toHaveLength(5);
      });

      it('admits exactly the capacity under concurrent joins of a private room by invitees', async () => {
        const { g, owner } = await roomWith({ capacity: 5, visibility: 'private' });
        const users = Array.from({ length: 12 }, (_, i) => `i${i}`);
        for (const u of users) await groups.invite(g, u, owner, T0);
        const rs = await Promise.all(users.map((u) => groups.join(g, u, MAX, T0)));
        expect(rs.filter((r) => r.status === 'joined')).toHaveLength(5);
        expect(rs.filter((r) => r.status === 'full')).toHaveLength(7);
        // Only the joiners' invitations were consumed.
        const invited = await Promise.all(users.map(async (u) => (await groups.access(g, u))?.invited));
        expect(invited.filter((x) => x === true)).toHaveLength(7);
      });
    });

    describe('leave', () => {
      it('lets members leave; the owner may not while others remain', async () => {
        const { g, owner } = await roomWith({}, 'ann');
        await groups.join(g, owner, MAX, T0);
        expect(await groups.leave(g, owner)).toEqual({ status: 'owner_cannot_leave' });
        expect(await groups.membership(g, owner)).toBe('member');
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'left' });
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'not_member' });
        expect(await groups.leave(id('missing'), 'ann')).toEqual({ status: 'group_not_found' });
        // The last member leaving is the owner: allowed, and the room keeps its owner.
        expect(await groups.leave(g, owner)).toEqual({ status: 'left' });
        expect(await groups.get(g)).toMatchObject({ ownerId: owner, memberCount: 0 });
        expect(await groups.access(g, owner)).toMatchObject({ role: 'owner', member: false });
        expect(await groups.join(g, owner, MAX, T0)).toMatchObject({ status: 'joined', role: 'owner' });
      });

      it('ends an admin role with the membership', async () => {
        const { g } = await roomWith({}, 'ann');
        await groups.setRole(g, 'ann', 'admin');
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'left' });
        expect(await groups.access(g, 'ann')).toMatchObject({ role: null, member: false });
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'joined', role: 'member' });
      });
    });

    describe('members and roles', () => {
      it('pages members sorted by user id with their roles', async () => {
        const { g, owner } = await roomWith({}, 'dan', 'bob', 'eve', 'ann');
        await groups.join(g, owner, MAX, T0 + 3);
        await groups.setRole(g, 'dan', 'admin');
        const all = await groups.members(g, { limit: 200 });
        expect(all?.items).toEqual(
          [
            { userId: 'ann', joinedAt: iso(T0), role: 'member', readUpTo: null },
            { userId: 'bob', joinedAt: iso(T0), role: 'member', readUpTo: null },
            { userId: 'dan', joinedAt: iso(T0), role: 'admin', readUpTo: null },
            { userId: 'eve', joinedAt: iso(T0), role: 'member', readUpTo: null },
            { userId: owner, joinedAt: iso(T0 + 3), role: 'owner', readUpTo: null },
          ].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
        );
        const p1 = await groups.members(g, { limit: 2 });
        expect(p1?.items.map((m) => m.userId)).toEqual(all?.items.slice(0, 2).map((m) => m.userId));
        expect(p1?.next).toBe(all?.items[1].userId);
        expect(await groups.members(id('missing'), { limit: 2 })).toBeNull();
      });

      it('sets and clears the admin role; the same role again changes nothing', async () => {
        const { g } = await roomWith({}, 'ann', 'bob');
        expect(await groups.setRole(g, 'ann', 'admin')).toEqual({ status: 'set', role: 'admin', changes: [{ userId: 'ann', role: 'admin' }], joinedAt: iso(T0), readUpTo: null });
        expect(await groups.access(g, 'ann')).toMatchObject({ role: 'admin' });
        expect(await groups.setRole(g, 'ann', 'admin')).toEqual({ status: 'set', role: 'admin', changes: [], joinedAt: iso(T0), readUpTo: null });
        expect(await groups.setRole(g, 'bob', 'member')).toEqual({ status: 'set', role: 'member', changes: [], joinedAt: iso(T0), readUpTo: null });
        expect(await groups.setRole(g, 'ann', 'member')).toEqual({ status: 'set', role: 'member', changes: [{ userId: 'ann', role: 'member' }], joinedAt: iso(T0), readUpTo: null });
        expect(await groups.access(g, 'ann')).toMatchObject({ role: 'member' });
        expect(await groups.setRole(g, 'cat', 'admin')).toEqual({ status: 'not_member' });
        expect(await groups.setRole(id('missing'), 'ann', 'admin')).toEqual({ status: 'group_not_found' });
      });

      it('hands ownership over to a member: the old owner, a member, becomes an admin', async () => {
        const { g, owner } = await roomWith({}, 'ann', 'bob');
        await groups.join(g, owner, MAX, T0);
        await groups.setRole(g, 'ann', 'admin');
        const r = await groups.setRole(g, 'ann', 'owner');
        expect(r).toEqual({
          status: 'set',
          role: 'owner',
          changes: [
            { userId: 'ann', role: 'owner' },
            { userId: owner, role: 'admin' },
          ],
          joinedAt: iso(T0),
          readUpTo: null,
        });
        expect(await groups.get(g)).toMatchObject({ ownerId: 'ann', createdBy: owner });
        expect(await groups.access(g, 'ann')).toMatchObject({ role: 'owner' });
        expect(await groups.access(g, owner)).toMatchObject({ role: 'admin', member: true });
        const roles = Object.fromEntries((await groups.members(g, { limit: 200 }))!.items.map((m) => [m.userId, m.role]));
        expect(roles).toEqual({ ann: 'owner', bob: 'member', [owner]: 'admin' });
        // The old owner may leave now; the new one may not.
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'owner_cannot_leave' });
        expect(await groups.leave(g, owner)).toEqual({ status: 'left' });
        // Owner to the owner: nothing changes.
        expect(await groups.setRole(g, 'ann', 'owner')).toEqual({ status: 'set', role: 'owner', changes: [], joinedAt: iso(T0), readUpTo: null });
      });

      it('hands ownership over when the old owner is no member: only the new owner changes', async () => {
        const { g, owner } = await roomWith({}, 'ann');
        expect(await groups.setRole(g, 'ann', 'owner')).toEqual({ status: 'set', role: 'owner', changes: [{ userId: 'ann', role: 'owner' }], joinedAt: iso(T0), readUpTo: null });
        expect(await groups.get(g)).toMatchObject({ ownerId: 'ann' });
        expect(await groups.access(g, owner)).toMatchObject({ role: null, member: false });
        // Ownership of a private room lets the new owner back in without an invitation; the old owner needs one.
        await groups.update(g, { visibility: 'private' });
        expect(await groups.join(g, owner, MAX, T0)).toEqual({ status: 'invitation_required' });
        await groups.leave(g, 'ann');
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'joined', role: 'owner' });
      });
    });

    describe('update', () => {
      it('changes title, topic and capacity; not below the member count', async () => {
        const { g } = await roomWith({ title: 'old', topic: 'old topic' }, 'ann', 'bob', 'cat');
        const r = await groups.update(g, { title: 'new', topic: '' });
        expect(r).toMatchObject({ status: 'updated', group: { id: g, title: 'new', topic: '', capacity: MAX, memberCount: 3 } });
        expect(await groups.update(g, { capacity: 2 })).toEqual({ status: 'capacity_below_members', memberCount: 3 });
        expect(await groups.get(g)).toMatchObject({ capacity: MAX, title: 'new' });
        // Refused as a whole: nothing of the patch applies.
        expect(await groups.update(g, { capacity: 2, title: 'ignored' })).toEqual({ status: 'capacity_below_members', memberCount: 3 });
        expect(await groups.get(g)).toMatchObject({ title: 'new' });
        expect(await groups.update(g, { capacity: 3 })).toMatchObject({ status: 'updated', group: { capacity: 3 } });
        expect(await groups.join(g, 'dan', MAX, T0)).toEqual({ status: 'full', capacity: 3 });
        expect(await groups.update(g, {})).toMatchObject({ status: 'updated', group: { title: 'new', capacity: 3 } });
        expect(await groups.update(id('missing'), { title: 'x' })).toEqual({ status: 'group_not_found' });
      });

      it('moves a room between public and private listing', async () => {
        const p = id('vis');
        const { g } = await roomWith({ groupId: `${p}.r` }, 'ann');
        const other = id('stranger');
        expect(await listIds(other, `${p}.`)).toEqual([g]);
        expect(await groups.update(g, { visibility: 'private' })).toMatchObject({ status: 'updated', group: { visibility: 'private' } });
        expect(await listIds(other, `${p}.`)).toEqual([]);
        expect(await listIds('ann', `${p}.`)).toEqual([g]);
        expect(await groups.join(g, other, MAX, T0)).toEqual({ status: 'invitation_required' });
        expect(await groups.update(g, { visibility: 'public' })).toMatchObject({ status: 'updated', group: { visibility: 'public' } });
        expect(await listIds(other, `${p}.`)).toEqual([g]);
        expect(await listIds('ann', `${p}.`)).toEqual([g]);
        expect(await groups.join(g, other, MAX, T0)).toMatchObject({ status: 'joined' });
      });
    });

    describe('invitations', () => {
      it('invites once: a repeated invitation keeps the first invitedBy', async () => {
        const { g, owner } = await roomWith({ visibility: 'private' }, 'ann');
        const r = await groups.invite(g, 'bob', 'ann', T0 + 1);
        const invitation = { groupId: g, userId: 'bob', invitedBy: 'ann', at: iso(T0 + 1) };
        expect(r).toMatchObject({ status: 'invited', invitation, group: { id: g, visibility: 'private', memberCount: 1 } });
        expect(await groups.invite(g, 'bob', owner, T0 + 2)).toEqual({ status: 'already_invited', invitation });
        expect((await groups.invitations('bob', { limit: 50 })).items).toEqual([{ invitation, group: await groups.get(g) }]);
        expect(await groups.invite(g, 'ann', owner, T0)).toEqual({ status: 'already_member' });
        expect(await groups.invite(id('missing'), 'bob', owner, T0)).toEqual({ status: 'group_not_found' });
      });

      it('declines: the invitation is gone, once', async () => {
        const { g, owner } = await roomWith({ visibility: 'private' });
        const u = id('u');
        await groups.invite(g, u, owner, T0);
        expect(await groups.decline(g, u)).toBe(true);
        expect(await groups.decline(g, u)).toBe(false);
        expect(await groups.access(g, u)).toMatchObject({ invited: false });
        expect(await groups.invitations(u, { limit: 50 })).toEqual({ items: [], next: null });
        expect(await groups.join(g, u, MAX, T0)).toEqual({ status: 'invitation_required' });
        expect(await groups.decline(id('missing'), u)).toBe(false);
        // Invited again after declining: a new invitation.
        expect(await groups.invite(g, u, 'someone', T0 + 5)).toMatchObject({ status: 'invited', invitation: { invitedBy: 'someone', at: iso(T0 + 5) } });
      });

      it('pages a user’s invitations newest first with a cursor that survives new arrivals', async () => {
        const u = id('u');
        const rooms: string[] = [];
        for (let i = 1; i <= 5; i++) {
          const { g, owner } = await roomWith({ visibility: i % 2 ? 'private' : 'public' });
          await groups.invite(g, u, owner, T0 + i * 1000);
          rooms.push(g);
        }
        const p1 = await groups.invitations(u, { limit: 2 });
        expect(p1.items.map((i) => i.invitation.groupId)).toEqual([rooms[4], rooms[3]]);
        expect(p1.items[0]).toEqual({ invitation: { groupId: rooms[4], userId: u, invitedBy: expect.any(String), at: iso(T0 + 5000) }, group: await groups.get(rooms[4]) });
        expect(p1.next).not.toBeNull();
        // A newer invitation arrives between pages: it is before the cursor, the next page goes on where it was.
        const { g: newest, owner: o6 } = await roomWith({});
        await groups.invite(newest, u, o6, T0 + 6000);
        const p2 = await groups.invitations(u, { after: p1.next!, limit: 2 });
        expect(p2.items.map((i) => i.invitation.groupId)).toEqual([rooms[2], rooms[1]]);
        expect(p2.next).not.toBeNull();
        const p3 = await groups.invitations(u, { after: p2.next!, limit: 2 });
        expect(p3.items.map((i) => i.invitation.groupId)).toEqual([rooms[0]]);
        expect(p3.next).toBeNull();
        const all = await groups.invitations(u, { limit: 6 });
        expect(all.items.map((i) => i.invitation.groupId)).toEqual([newest, ...[...rooms].reverse()]);
        expect(all.next).toBeNull();
        // A deleted room's invitation is gone.
        expect(await groups.delete(rooms[2])).toMatchObject({ status: 'deleted' });
        expect((await groups.invitations(u, { limit: 50 })).items.map((i) => i.invitation.groupId)).toEqual([newest, rooms[4], rooms[3], rooms[1], rooms[0]]);
      });

      it('pages invitations of the same instant without losing or repeating any', async () => {
        const u = id('u');
        const rooms: string[] = [];
        for (let i = 0; i < 5; i++) {
          const { g, owner } = await roomWith({});
          await groups.invite(g, u, owner, T0);
          rooms.push(g);
        }
        const seen: string[] = [];
        let after: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const p = await groups.invitations(u, { after, limit: 2 });
          seen.push(...p.items.map((i) => i.invitation.groupId));
          if (p.next === null) break;
          after = p.next;
        }
        expect([...seen].sort()).toEqual([...rooms].sort());
      });

      it('has no invitations for a user never invited', async () => {
        expect(await groups.invitations(id('nobody'), { limit: 10 })).toEqual({ items: [], next: null });
      });
    });

    describe('kick', () => {
      it('ends a membership without a ban', async () => {
        const { g } = await roomWith({}, 'ann', 'bob');
        await groups.setRole(g, 'ann', 'admin');
        expect(await groups.kick(g, 'ann')).toEqual({ status: 'removed', wasMember: true });
        expect(await groups.membership(g, 'ann')).toBe('not_member');
        expect(await groups.get(g)).toMatchObject({ memberCount: 1 });
        expect(await groups.access(g, 'ann')).toMatchObject({ role: null, ban: null });
        expect(await groups.kick(g, 'ann')).toEqual({ status: 'removed', wasMember: false });
        expect(await groups.kick(id('missing'), 'ann')).toEqual({ status: 'group_not_found' });
        // Not banned: may join again, as a plain member.
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'joined', role: 'member' });
        expect(await groups.bans(g, { limit: 10 })).toEqual({ items: [], next: null });
      });
    });

    describe('bans', () => {
      it('ends the membership, drops the invitation and refuses join and invite until unbanned', async () => {
        const { g, owner } = await roomWith({ visibility: 'private' }, 'ann', 'bob');
        await groups.setRole(g, 'ann', 'admin');
        await groups.invite(g, 'cat', owner, T0);
        const ban = { groupId: g, userId: 'ann', by: owner, at: iso(T0 + 1), until: null, reason: 'rude' };
        expect(await groups.ban(g, 'ann', owner, T0 + 1, null, 'rude')).toEqual({ status: 'banned', ban, wasMember: true });
        expect(await groups.membership(g, 'ann')).toBe('not_member');
        expect(await groups.get(g)).toMatchObject({ memberCount: 1 });
        expect(await listIds('ann', g)).toEqual([]);
        expect(await groups.access(g, 'ann')).toEqual({ group: await groups.get(g), role: null, member: false, invited: false, ban });
        expect(await groups.join(g, 'ann', MAX, T0)).toEqual({ status: 'banned', until: null });
        expect(await groups.invite(g, 'ann', owner, T0)).toEqual({ status: 'banned', until: null });

        // A banned invitee loses the invitation.
        expect(await groups.ban(g, 'cat', owner, T0, null, '')).toMatchObject({ status: 'banned', wasMember: false });
        expect(await groups.access(g, 'cat')).toMatchObject({ invited: false, ban: { userId: 'cat' } });
        expect((await groups.invitations('cat', { limit: 50 })).items.map((i) => i.invitation.groupId)).not.toContain(g);

        expect(await groups.unban(g, 'ann')).toBe(true);
        expect(await groups.unban(g, 'ann')).toBe(false);
        expect(await groups.access(g, 'ann')).toMatchObject({ ban: null });
        // The ban took the admin role and the membership; a private room still needs an invitation.
        expect(await groups.join(g, 'ann', MAX, T0)).toEqual({ status: 'invitation_required' });
        expect(await groups.invite(g, 'ann', owner, T0)).toMatchObject({ status: 'invited' });
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'joined', role: 'member' });
      });

      it('bans a non-member, and a new ban replaces the old one', async () => {
        const { g, owner } = await roomWith({});
        const u = id('u');
        const until = Date.now() + 3_600_000;
        expect(await groups.ban(g, u, owner, T0, until, 'first')).toEqual({
          status: 'banned',
          ban: { groupId: g, userId: u, by: owner, at: iso(T0), until: iso(until), reason: 'first' },
          wasMember: false,
        });
        expect(await groups.join(g, u, MAX, Date.now())).toEqual({ status: 'banned', until: iso(until) });
        expect(await groups.ban(g, u, 'admin-x', T0 + 5, null, 'second')).toMatchObject({ status: 'banned', ban: { until: null, reason: 'second', by: 'admin-x' } });
        expect(await groups.bans(g, { limit: 10 })).toEqual({ items: [{ groupId: g, userId: u, by: 'admin-x', at: iso(T0 + 5), until: null, reason: 'second' }], next: null });
        expect(await groups.join(g, u, MAX, Date.now())).toEqual({ status: 'banned', until: null });
        expect(await groups.ban(id('missing'), u, owner, T0, null, '')).toEqual({ status: 'group_not_found' });
        expect(await groups.unban(id('missing'), u)).toBe(false);
        expect(await groups.bans(id('missing'), { limit: 10 })).toBeNull();
      });

      it('ends at its time: join works again, and the ban is no longer listed', async () => {
        const { g, owner } = await roomWith({}, 'ann');
        const until = Date.now() + 400;
        expect(await groups.ban(g, 'ann', owner, Date.now(), until, 'cool off')).toMatchObject({ status: 'banned', wasMember: true });
        expect(await groups.join(g, 'ann', MAX, Date.now())).toEqual({ status: 'banned', until: iso(until) });
        expect((await groups.bans(g, { limit: 10 }))?.items.map((b) => b.userId)).toEqual(['ann']);
        await sleep(until - Date.now() + 150);
        expect(await groups.access(g, 'ann')).toMatchObject({ ban: null });
        expect(await groups.bans(g, { limit: 10 })).toEqual({ items: [], next: null });
        expect(await groups.unban(g, 'ann')).toBe(false);
        expect(await groups.join(g, 'ann', MAX, Date.now())).toMatchObject({ status: 'joined' });
      });

      it('an expired ban no longer refuses an invitation', async () => {
        const { g, owner } = await roomWith({ visibility: 'private' });
        const until = Date.now() + 300;
        await groups.ban(g, 'bob', owner, Date.now(), until, '');
        expect(await groups.invite(g, 'bob', owner, Date.now())).toEqual({ status: 'banned', until: iso(until) });
        await sleep(until - Date.now() + 150);
        expect(await groups.invite(g, 'bob', owner, Date.now())).toMatchObject({ status: 'invited' });
      });

      it('pages bans in force sorted by user id', async () => {
        const { g, owner } = await roomWith({});
        for (const u of ['dan', 'ann', 'cat', 'bob']) await groups.ban(g, u, owner, T0, null, '');
        const p1 = await groups.bans(g, { limit: 3 });
        expect(p1?.items.map((b) => b.userId)).toEqual(['ann', 'bob', 'cat']);
        expect(p1?.next).toBe('cat');
        const p2 = await groups.bans(g, { after: 'cat', limit: 3 });
        expect(p2).toEqual({ items: [{ groupId: g, userId: 'dan', by: owner, at: iso(T0), until: null, reason: '' }], next: null });
        await groups.unban(g, 'bob');
        expect((await groups.bans(g, { limit: 10 }))?.items.map((b) => b.userId)).toEqual(['ann', 'cat', 'dan']);
      });
    });

    describe('delete', () => {
      it('removes the room with everything in it; the id starts empty when created again', async () => {
        const p = id('del');
        const g = `${p}.r`;
        const owner = id('owner');
        await groups.create(spec({ groupId: g, createdBy: owner, visibility: 'private', title: 't', capacity: 10 }));
        for (const u of ['cat', 'ann', 'bob']) {
          await groups.invite(g, u, owner, T0);
          await groups.join(g, u, MAX, T0);
        }
        await groups.join(g, owner, MAX, T0);
        await groups.setRole(g, 'ann', 'admin');
        await groups.invite(g, 'dan', owner, T0);
        await groups.ban(g, 'eve', owner, T0, null, '');

        expect(await groups.delete(g)).toEqual({ status: 'deleted', members: ['ann', 'bob', 'cat', owner].sort() });
        expect(await groups.get(g)).toBeNull();
        expect(await groups.access(g, 'ann')).toBeNull();
        expect(await groups.membership(g, 'ann')).toBe('group_not_found');
        expect(await groups.members(g, { limit: 10 })).toBeNull();
        expect(await groups.bans(g, { limit: 10 })).toBeNull();
        expect(await groups.join(g, 'ann', MAX, T0)).toEqual({ status: 'group_not_found' });
        expect(await groups.leave(g, 'ann')).toEqual({ status: 'group_not_found' });
        expect(await groups.invite(g, 'zed', owner, T0)).toEqual({ status: 'group_not_found' });
        expect(await groups.decline(g, 'dan')).toBe(false);
        expect((await groups.invitations('dan', { limit: 50 })).items.map((i) => i.invitation.groupId)).not.toContain(g);
        expect(await listIds('ann', `${p}.`)).toEqual([]);
        expect(await groups.delete(g)).toEqual({ status: 'group_not_found' });

        // Created again, by someone else, public: nothing of the old room remains.
        const again = await groups.create(spec({ groupId: g, createdBy: 'zed', atMs: T0 + 9 }));
        expect(again).toMatchObject({ status: 'created', group: { id: g, ownerId: 'zed', memberCount: 0, visibility: 'public', title: '', capacity: MAX } });
        expect(await groups.members(g, { limit: 10 })).toEqual({ items: [], next: null });
        expect(await groups.bans(g, { limit: 10 })).toEqual({ items: [], next: null });
        for (const u of ['ann', 'dan', 'eve', owner]) {
          expect(await groups.access(g, u)).toMatchObject({ role: null, member: false, invited: false, ban: null });
          expect(await groups.membership(g, u)).toBe('not_member');
        }
        expect(await groups.join(g, 'eve', MAX, T0)).toMatchObject({ status: 'joined', role: 'member' });
        expect(await groups.join(g, 'ann', MAX, T0)).toMatchObject({ status: 'joined', role: 'member' });
        expect(await listIds('ann', `${p}.`)).toEqual([g]);
        expect(await listIds(id('stranger'), `${p}.`)).toEqual([g]);
      });

      it('deleting a private room takes it off its members’ lists and a re-created public one lists for all', async () => {
        const p = id('del');
        const { g } = await roomWith({ groupId: `${p}.r`, visibility: 'private' }, 'ann');
        expect(await listIds('ann', `${p}.`)).toEqual([g]);
        await groups.delete(g);
        await groups.create(spec({ groupId: g, visibility: 'private' }));
        expect(await listIds('ann', `${p}.`)).toEqual([]);
      });
    });

    describe('direct conversations', () => {
      it('creates the conversation with both as members, the same from either side', async () => {
        const a = id('zoe');
        const b = id('adam');
        const dm = `dm-${id('x')}`;
        const group: Group = {
          id: dm,
          kind: 'direct',
          visibility: 'private',
          title: '',
          topic: '',
          createdBy: a,
          createdAt: iso(T0 + 4),
          ownerId: null,
          memberCount: 2,
          capacity: 2,
          peers: [b, a].sort() as [string, string],
        };
        expect(await groups.openDirect(dm, a, b, T0 + 4)).toEqual({ status: 'created', group });
        expect(await groups.openDirect(dm, b, a, T0 + 99)).toEqual({ status: 'exists', group });
        expect(await groups.openDirect(dm, a, b, T0 + 99)).toEqual({ status: 'exists', group });
        expect(await groups.get(dm)).toEqual(group);
        expect((await groups.members(dm, { limit: 10 }))?.items).toEqual(
          [a, b].sort().map((userId) => ({ userId, joinedAt: iso(T0 + 4), role: 'member', readUpTo: null })),
        );
        expect(await groups.membership(dm, a)).toBe('member');
        expect(await groups.membership(dm, b)).toBe('member');
        expect(await groups.access(dm, a)).toEqual({ group, role: 'member', member: true, invited: false, ban: null });
        expect(await groups.access(dm, id('other'))).toEqual({ group, role: null, member: false, invited: false, ban: null });
      });

      it('lets only its peers join, and none leave', async () => {
        const a = id('a');
        const b = id('b');
        const dm = `dm-${id('x')}`;
        await groups.openDirect(dm, a, b, T0);
        expect(await groups.join(dm, b, MAX, T0 + 50)).toMatchObject({ status: 'already', role: 'member', joinedAt: iso(T0), group: { id: dm, kind: 'direct' } });
        expect(await groups.join(dm, id('c'), MAX, T0)).toEqual({ status: 'not_member' });
        expect(await groups.leave(dm, a)).toEqual({ status: 'direct' });
        expect(await groups.membership(dm, a)).toBe('member');
        expect(await groups.get(dm)).toMatchObject({ memberCount: 2 });
      });

      it('is refused while the other blocks the opener, even when it exists; the blocker may still open it', async () => {
        const a = id('a');
        const b = id('b');
        const dm = `dm-${id('x')}`;
        await groups.block(b, a);
        expect(await groups.openDirect(dm, a, b, T0)).toEqual({ status: 'blocked' });
        expect(await groups.get(dm)).toBeNull();
        await groups.unblock(b, a);
        expect(await groups.openDirect(dm, a, b, T0)).toMatchObject({ status: 'created' });
        await groups.block(b, a);
        expect(await groups.openDirect(dm, a, b, T0)).toEqual({ status: 'blocked' });
        expect(await groups.openDirect(dm, b, a, T0)).toMatchObject({ status: 'exists', group: { id: dm } });
        // Blocking does not end the conversation's membership.
        expect(await groups.membership(dm, a)).toBe('member');
      });
    });

    describe('blocks', () => {
      it('blocks, unblocks and pages blocked users sorted', async () => {
        const u = id('u');
        for (const x of ['dan', 'ann', 'cat', 'bob']) await groups.block(u, x);
        await groups.block(u, 'ann');
        expect(await groups.isBlocked(u, 'ann')).toBe(true);
        expect(await groups.isBlocked('ann', u)).toBe(false);
        const p1 = await groups.blocked(u, { limit: 3 });
        expect(p1).toEqual({ items: ['ann', 'bob', 'cat'], next: 'cat' });
        expect(await groups.blocked(u, { after: 'cat', limit: 3 })).toEqual({ items: ['dan'], next: null });
        expect(await groups.unblock(u, 'bob')).toBe(true);
        expect(await groups.unblock(u, 'bob')).toBe(false);
        expect(await groups.isBlocked(u, 'bob')).toBe(false);
        expect(await groups.blocked(u, { limit: 10 })).toEqual({ items: ['ann', 'cat', 'dan'], next: null });
        expect(await groups.blocked(id('nobody'), { limit: 10 })).toEqual({ items: [], next: null });
        expect(await groups.unblock(id('nobody'), 'ann')).toBe(false);
      });
    });
  });
}
