/**
 * Who may do what in a group (docs/protocol.md, "Rooms"): every permission
 * of the protocol, decided here and nowhere else. Each rule takes what the
 * store read about the caller (and the target) and answers the protocol
 * error to refuse with, or null. The methods in hub.ts ask before they act;
 * the stores keep the state consistent, they do not decide permissions.
 */
import { errors, type Role, type RpcError } from '@next-chat/core';
import type { Access } from '../ports/group-store.js';

export type RoomAction = 'update' | 'setRole' | 'invite' | 'kick' | 'ban' | 'unban' | 'bans' | 'delete';

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

function atLeast(role: Role | null, needed: Role): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}

/** Who may see a group (group.get, and whether it exists for the caller). */
export function canSee(a: Access): RpcError | null {
  if (a.group.visibility === 'public') return null;
  if (a.member || a.invited || a.role === 'owner') return null;
  return errors.invitationRequired(a.group.id);
}

/** What a direct conversation refuses: everything of rooms' management. */
function direct(action: string): RpcError {
  return errors.forbidden(`a direct conversation cannot be ${action}`);
}

const DIRECT_WORDS: Record<RoomAction, string> = {
  update: 'updated',
  setRole: 'given roles',
  invite: 'invited to',
  kick: 'kicked from',
  ban: 'banned in',
  unban: 'unbanned in',
  bans: 'banned in',
  delete: 'deleted',
};

/**
 * A management action on the group by the caller. `target` is the role the
 * target user has in the group (null: not a member) and whether it is the
 * caller, for the actions that have one.
 */
export function mayManage(action: RoomAction, a: Access, target?: { role: Role | null; self: boolean }): RpcError | null {
  const g = a.group.id;
  if (a.group.kind === 'direct') return direct(DIRECT_WORDS[action]);
  switch (action) {
    case 'update':
    case 'unban':
    case 'bans':
      return atLeast(a.role, 'admin') ? null : errors.forbidden(`only the owner or an admin of '${g}' may do that`, 'admin');
    case 'delete':
      return a.role === 'owner' ? null : errors.forbidden(`only the owner of '${g}' may delete it`, 'owner');
    case 'setRole':
      if (a.role !== 'owner') return errors.forbidden(`only the owner of '${g}' may change roles`, 'owner');
      // The owner's own role changes only by handing ownership over.
      if (target?.self) return errors.forbidden('the owner changes their own role only by making another member the owner');
      return null;
    case 'invite':
      if (a.group.visibility === 'private') {
        return atLeast(a.role, 'admin') && (a.member || a.role === 'owner') ? null : errors.forbidden(`only the owner or an admin may invite to the private group '${g}'`, 'admin');
      }
      return a.member ? null : errors.notAMember(g);
    case 'kick':
    case 'ban': {
      if (target?.self) return errors.forbidden(`you cannot ${action} yourself`);
      if (a.role === 'owner') return null;
      if (a.role === 'admin' && a.member) {
        // Admins act on members (and, for bans, on users who are not members); never on admins or the owner.
        if (target?.role === 'admin' || target?.role === 'owner') return errors.forbidden(`only the owner may ${action} an admin or the owner`, 'owner');
        return null;
      }
      return errors.forbidden(`only the owner or an admin of '${g}' may ${action}`, 'admin');
    }
  }
}

/** Sending, reading history, listing members: members only, in every kind of group. */
export function mayParticipate(a: { member: boolean; groupId: string }): RpcError | null {
  return a.member ? null : errors.notAMember(a.groupId);
}

/**
 * Deleting someone else's message: a room's owner or admin who is a member.
 * Editing is the author's alone, and neither works on a deleted message
 * for editing (the stores enforce authorship and deletion atomically; this
 * says who may go past authorship, and what a refusal says).
 */
export function mayDeleteOthers(a: Access): boolean {
  return a.group.kind === 'room' && a.member && atLeast(a.role, 'admin');
}

export function changeRefused(action: 'edit' | 'delete', why: 'not_author' | 'deleted'): RpcError {
  if (why === 'deleted') return errors.forbidden('a deleted message cannot be edited');
  return action === 'edit'
    ? errors.forbidden('only its author may edit a message')
    : errors.forbidden("only its author, or the room's owner or an admin, may delete a message", 'admin');
}
