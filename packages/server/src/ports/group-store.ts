import type { Group } from '@next-chat/core';

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
  /** Returns null when the id is taken. */
  create(groupId: string, createdBy: string, atMs: number): Promise<Group | null>;
  get(groupId: string): Promise<Group | null>;
  /** Sorted by id; `next` is the last id of the page when more follow. */
  list(opts: { after?: string; prefix?: string; limit: number }): Promise<Page<Group>>;
  join(groupId: string, userId: string, capacity: number, atMs: number): Promise<JoinResult>;
  leave(groupId: string, userId: string): Promise<LeaveResult>;
  membership(groupId: string, userId: string): Promise<Membership>;
  /** Sorted by user id; `next` is the last id of the page when more follow. */
  members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null>;
}
