import type { Ban, Conversation, Group, Invitation, Role, Visibility } from '@next-chat/core';

/** Per-creator limits on group.create; 0 turns one off. */
export interface CreateQuota {
  /** Most creations per window. */
  perWindow: number;
  windowMs: number;
  /** Most creations in all. */
  total: number;
}

export const NO_CREATE_QUOTA: CreateQuota = { perWindow: 0, windowMs: 1, total: 0 };

export interface RoomSpec {
  groupId: string;
  createdBy: string;
  atMs: number;
  visibility: Visibility;
  title: string;
  topic: string;
  capacity: number;
}

export type CreateResult =
  | { status: 'created'; group: Group }
  | { status: 'exists' }
  /** Over a quota: `retryAfterMs` until the window frees a slot (for `total`, the window length: waiting does not help). */
  | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number };

export type JoinResult =
  | { status: 'joined' | 'already'; group: Group; joinedAt: string; role: Role }
  | { status: 'full'; capacity: number }
  | { status: 'banned'; until: string | null }
  /** A private room, and the user is no member, no invitee and not its owner. */
  | { status: 'invitation_required' }
  /** A direct conversation of two others. */
  | { status: 'not_member' }
  | { status: 'group_not_found' };

export type LeaveResult =
  | { status: 'left' }
  | { status: 'not_member' }
  | { status: 'group_not_found' }
  /** The owner, while other members remain. */
  | { status: 'owner_cannot_leave' }
  /** Direct conversations cannot be left. */
  | { status: 'direct' };

export type Membership = 'member' | 'not_member' | 'group_not_found';

/** What the hub's policy needs to know about the caller and a group, read in one step. */
export interface Access {
  group: Group;
  /** The caller's role: their member role, `owner` for the owner even before joining, or null. */
  role: Role | null;
  member: boolean;
  invited: boolean;
  /** The caller's ban, when one is in force. */
  ban: Ban | null;
}

export interface MemberRecord {
  userId: string;
  joinedAt: string;
  role: Role;
  /** The member's read marker, or null. */
  readUpTo: string | null;
}

export type ReadResult =
  /** `moved`: the marker went forward to `readUpTo`; otherwise it stayed where it was. */
  | { status: 'read'; moved: boolean; readUpTo: string | null; unread: number }
  /** Newer than the group's newest message. */
  | { status: 'too_new' }
  | { status: 'not_member' }
  | { status: 'group_not_found' };

export interface MembershipRecord {
  groupId: string;
  joinedAtMs: number;
  last: string | null;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface RoomPatch {
  title?: string;
  topic?: string;
  visibility?: Visibility;
  capacity?: number;
}

export type UpdateResult = { status: 'updated'; group: Group } | { status: 'group_not_found' } | { status: 'capacity_below_members'; memberCount: number };

export type SetRoleResult =
  /** One entry per user whose role changed (a hand-over: two). */
  | { status: 'set'; role: Role; changes: { userId: string; role: Role }[]; joinedAt: string; readUpTo: string | null }
  | { status: 'not_member' }
  | { status: 'group_not_found' };

export type InviteResult =
  | { status: 'invited'; invitation: Invitation; group: Group }
  /** The same invitation again: the first `invitedBy` stays, nobody is told twice. */
  | { status: 'already_invited'; invitation: Invitation }
  | { status: 'already_member' }
  | { status: 'banned'; until: string | null }
  | { status: 'group_not_found' };

export type RemoveResult =
  /** `wasMember`: whether the user was a member (who must be told and unsubscribed). */
  | { status: 'removed'; wasMember: boolean }
  | { status: 'group_not_found' };

export type BanResult = { status: 'banned'; ban: Ban; wasMember: boolean } | { status: 'group_not_found' };

export type DeleteResult = { status: 'deleted'; members: string[] } | { status: 'group_not_found' };

export type OpenDirectResult = { status: 'created' | 'exists'; group: Group } | { status: 'blocked' };

/**
 * Groups, their members, roles, invitations and bans, direct conversations
 * and blocks. Each method is one atomic step on any number of instances
 * (one Lua script on Redis): `join` checks ban, access and capacity and
 * consumes the invitation together, `ban` removes the member, drops the
 * invitation and records the ban together, and so on. Who may call what is
 * not decided here (hub/policy.ts); the store keeps the state consistent.
 * Membership is persistent until it ends (leave, kick, ban, delete).
 */
export interface GroupStore {
  /** Creates a room (its creator is its owner, not a member) unless the id is taken or the creator is over `quota`. */
  create(spec: RoomSpec, quota?: CreateQuota): Promise<CreateResult>;
  get(groupId: string): Promise<Group | null>;
  /** The group and the user's standing in it, in one read. */
  access(groupId: string, userId: string): Promise<Access | null>;
  /**
   * Rooms sorted by id: every public room, and the private rooms `userId` is
   * a member of; never direct conversations. `next` is the last id of the
   * page when more follow.
   */
  list(opts: { userId: string; after?: string; prefix?: string; limit: number }): Promise<Page<Group>>;
  /** `byOperator`: added through the HTTP API, so a private room needs no invitation (bans still hold). */
  /** `capacity`: the most members allowed now (the hub's NEXT_CHAT_MAX_GROUP_MEMBERS); the room's own capacity applies below it. */
  join(groupId: string, userId: string, capacity: number, atMs: number, byOperator?: boolean): Promise<JoinResult>;
  leave(groupId: string, userId: string): Promise<LeaveResult>;
  membership(groupId: string, userId: string): Promise<Membership>;
  /** Sorted by user id; `next` is the last id of the page when more follow. */
  members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null>;
  update(groupId: string, patch: RoomPatch): Promise<UpdateResult>;
  /** `role: 'owner'` hands ownership over: the old owner becomes an admin if a member, else keeps no role. */
  setRole(groupId: string, userId: string, role: Role): Promise<SetRoleResult>;
  invite(groupId: string, userId: string, invitedBy: string, atMs: number): Promise<InviteResult>;
  /** False when there was no invitation. */
  decline(groupId: string, userId: string): Promise<boolean>;
  /** The user's pending invitations, newest first; the cursor is opaque. */
  invitations(userId: string, opts: { after?: string; limit: number }): Promise<Page<{ invitation: Invitation; group: Group }>>;
  /** Ends a membership (no ban). */
  kick(groupId: string, userId: string): Promise<RemoveResult>;
  /** Ends a membership if any, drops a pending invitation, records the ban (replacing an older one). */
  ban(groupId: string, userId: string, by: string, atMs: number, untilMs: number | null, reason: string): Promise<BanResult>;
  /** False when there was no ban in force. */
  unban(groupId: string, userId: string): Promise<boolean>;
  /** Bans in force, sorted by user id. */
  bans(groupId: string, opts: { after?: string; limit: number }): Promise<Page<Ban> | null>;
  /** Removes the group with its members, roles, invitations and bans; the id may be created again. History is the HistoryStore's. */
  delete(groupId: string): Promise<DeleteResult>;
  /**
   * The one direct conversation of `a` and `b` (`groupId` made by the hub
   * from the two ids), created the first time with both as members; refused
   * while `b` blocks `a`.
   */
  openDirect(groupId: string, a: string, b: string, atMs: number): Promise<OpenDirectResult>;
  /**
   * Moves the user's read marker forward to `messageId` (never back).
   * `unread`: the group's messages after the marker, counted by their
   * numbers (O(1)). A send moves the sender's marker too (Broker.publish).
   */
  read(groupId: string, userId: string, messageId: string): Promise<ReadResult>;
  /** Every group the user is a member of: when they joined (ms) and the newest message's id (null: none). */
  memberships(userId: string): Promise<MembershipRecord[]>;
  /** The id of the group's newest message (deleted ones included) at or before `at`, or null. */
  lastAtOrBefore(groupId: string, at: string): Promise<string | null>;
  /** The user's entries of these groups, in order (null: not a member any more, or gone). O(1) each. */
  conversations(userId: string, groupIds: readonly string[]): Promise<(Conversation | null)[]>;
  block(userId: string, blocked: string): Promise<void>;
  /** False when `blocked` was not blocked. */
  unblock(userId: string, blocked: string): Promise<boolean>;
  /** Sorted by user id. */
  blocked(userId: string, opts: { after?: string; limit: number }): Promise<Page<string>>;
  isBlocked(userId: string, blocked: string): Promise<boolean>;
}
