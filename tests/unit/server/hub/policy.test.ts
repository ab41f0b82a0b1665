import { describe, expect, it } from 'vitest';
import type { Group, Role } from '@next-chat/core';
import { canSee, mayManage, mayParticipate, type RoomAction } from '../../../../packages/server/src/hub/policy.js';
import type { Access } from '../../../../packages/server/src/ports/group-store.js';

function group(over: Partial<Group> = {}): Group {
  return { id: 'g', kind: 'room', visibility: 'public', title: '', topic: '', createdBy: 'o', createdAt: '2026-12-02T10:00:00.000Z', ownerId: 'o', memberCount: 3, capacity: 10, ...over };
}
function access(role: Role | null, over: Partial<Access> = {}, g: Partial<Group> = {}): Access {
  return { group: group(g), role, member: role !== null, invited: false, ban: null, ...over };
}
const code = (e: { code: number } | null) => e?.code ?? null;

describe('who may see a group', () => {
  it('public: anyone; private: members, invitees and the owner, others 4013', () => {
    expect(canSee(access(null))).toBeNull();
    expect(code(canSee(access(null, {}, { visibility: 'private' })))).toBe(4013);
    expect(canSee(access('member', {}, { visibility: 'private' }))).toBeNull();
    expect(canSee(access(null, { invited: true }, { visibility: 'private' }))).toBeNull();
    expect(canSee(access('owner', { member: false }, { visibility: 'private' }))).toBeNull();
  });
});

describe('who may manage a room (every row of the protocol table)', () => {
  const cases: [RoomAction, Role | null, boolean][] = [
    // action, caller role, allowed
    ['update', 'owner', true],
    ['update', 'admin', true],
    ['update', 'member', false],
    ['update', null, false],
    ['unban', 'admin', true],
    ['unban', 'member', false],
    ['bans', 'admin', true],
    ['bans', 'member', false],
    ['delete', 'owner', true],
    ['delete', 'admin', false],
    ['setRole', 'owner', true],
    ['setRole', 'admin', false],
  ];
  it.each(cases)('%s by %s: %s', (action, role, allowed) => {
    const e = mayManage(action, access(role));
    if (allowed) expect(e).toBeNull();
    else expect(e).toMatchObject({ code: 4033, data: { reason: 'forbidden', required: expect.stringMatching(/^(admin|owner)$/) } });
  });

  it('the owner changes their own role only by handing ownership over', () => {
    expect(code(mayManage('setRole', access('owner'), { role: 'owner', self: true }))).toBe(4033);
    expect(mayManage('setRole', access('owner'), { role: 'member', self: false })).toBeNull();
  });

  it('invite: private rooms owner and admins (others 4033), public rooms members (others 4003)', () => {
    const priv = { visibility: 'private' as const };
    expect(mayManage('invite', access('owner', {}, priv))).toBeNull();
    expect(mayManage('invite', access('owner', { member: false }, priv))).toBeNull();
    expect(mayManage('invite', access('admin', {}, priv))).toBeNull();
    expect(code(mayManage('invite', access('member', {}, priv)))).toBe(4033);
    expect(code(mayManage('invite', access(null, {}, priv)))).toBe(4033);
    expect(mayManage('invite', access('member'))).toBeNull();
    expect(code(mayManage('invite', access(null)))).toBe(4003);
  });

  it('kick and ban: the owner anyone but self, admins members (and non-members for bans) only', () => {
    for (const action of ['kick', 'ban'] as const) {
      expect(mayManage(action, access('owner'), { role: 'admin', self: false })).toBeNull();
      expect(code(mayManage(action, access('owner'), { role: 'owner', self: true }))).toBe(4033);
      expect(mayManage(action, access('admin'), { role: 'member', self: false })).toBeNull();
      expect(mayManage(action, access('admin'), { role: null, self: false })).toBeNull();
      expect(mayManage(action, access('admin'), { role: 'admin', self: false })).toMatchObject({ code: 4033, data: { required: 'owner' } });
      expect(code(mayManage(action, access('admin'), { role: 'owner', self: false }))).toBe(4033);
      expect(mayManage(action, access('member'), { role: 'member', self: false })).toMatchObject({ code: 4033, data: { required: 'admin' } });
      expect(code(mayManage(action, access(null), { role: 'member', self: false }))).toBe(4033);
    }
  });

  it('a direct conversation refuses every management action with 4033', () => {
    for (const action of ['update', 'setRole', 'invite', 'kick', 'ban', 'unban', 'bans', 'delete'] as const) {
      expect(code(mayManage(action, access('member', {}, { kind: 'direct', visibility: 'private', ownerId: null }), { role: 'member', self: false }))).toBe(4033);
    }
  });
});

describe('participation', () => {
  it('members only (4003)', () => {
    expect(mayParticipate({ member: true, groupId: 'g' })).toBeNull();
    expect(code(mayParticipate({ member: false, groupId: 'g' }))).toBe(4003);
  });
});
