import type { Group } from '@next-chat/core';

/** Per-creator limits on group.create; 0 turns one off. */
export interface CreateQuota {
  /** Most creations per window. */
  perWindow: number;
  windowMs: number;
  /** Most creations in all. */
  total: number;
}

export const NO_CREATE_QUOTA: CreateQuota = { perWindow: 0, windowMs: 1, total: 0 };

export type CreateResult =
  | { status: 'created'; group: Group }
  | { status: 'exists' }
  /** Over a quota: `retryAfterMs` until the window frees a slot (for `total`, the window length: waiting does not help). */
  | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number };

export type JoinResult =
  | { status: 'joined' | 'already'; group: Group; joinedAt: string }
  | { status: 'full'; capacity: number }
  | { status: 'group_not_found' };

export type LeaveResult = { status: 'left' | 'not_member' } | { status: 'group_not_found' };

export type Membership = 'member' | 'not_member' | 'group_not_found';

export interface MemberRecord {
  userId: string;
  joinedAt: string;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * Groups and their members. Each method is atomic: `join` checks capacity
 * and adds the member as one step, so concurrent joins from any number of
 * instances never overshoot `capacity`. Membership is persistent until
 * `leave`; nothing here expires.
 */
export interface GroupStore {
  /** Creates unless the id is taken or the creator is over `quota` (checked and counted atomically with the creation). */
  create(groupId: string, createdBy: string, atMs: number, quota?: CreateQuota): Promise<CreateResult>;
  get(groupId: string): Promise<Group | null>;
  /** Sorted by id; `next` is the last id of the page when more follow. */
  list(opts: { after?: string; prefix?: string; limit: number }): Promise<Page<Group>>;
  join(groupId: string, userId: string, capacity: number, atMs: number): Promise<JoinResult>;
  leave(groupId: string, userId: string): Promise<LeaveResult>;
  membership(groupId: string, userId: string): Promise<Membership>;
  /** Sorted by user id; `next` is the last id of the page when more follow. */
  members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null>;
}
