/**
 * What the engines answer when they refuse (the statuses of the GroupStore
 * and Broker ports, and so of the Lua scripts), as protocol errors: decided
 * here once, for every method and both engines, as BullMQ maps its scripts'
 * codes in one ErrorCode table.
 */
import { errors, type RpcError } from '@next-chat/core';
import type { CreateQuota } from '../ports/group-store.js';

export type Refusal =
  | { status: 'group_not_found' }
  | { status: 'not_member' }
  | { status: 'exists' }
  | { status: 'full'; capacity: number }
  | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number }
  | { status: 'banned'; until: string | null }
  | { status: 'invitation_required' }
  | { status: 'owner_cannot_leave' }
  | { status: 'direct' };

export function refusalError(groupId: string, r: Refusal, quota?: CreateQuota): RpcError {
  switch (r.status) {
    case 'group_not_found':
      return errors.groupNotFound(groupId);
    case 'not_member':
      return errors.notAMember(groupId);
    case 'exists':
      return errors.groupExists(groupId);
    case 'full':
      return errors.groupFull(groupId, r.capacity);
    case 'quota':
      return errors.createQuota(r.quota, r.quota === 'window' ? (quota?.perWindow ?? 0) : (quota?.total ?? 0), r.retryAfterMs);
    case 'banned':
      return errors.banned(groupId, r.until);
    case 'invitation_required':
      return errors.invitationRequired(groupId);
    case 'owner_cannot_leave':
      return errors.ownerCannotLeave(groupId);
    case 'direct':
      return errors.forbidden('a direct conversation cannot be left');
  }
}
