import { compareMessageIds, type Ban, type Conversation, type Group, type Invitation, type Role, type Visibility } from '@next-chat/core';
import type { MemoryLog } from './memory-log.js';
import {
  NO_CREATE_QUOTA,
  type Access,
  type BanResult,
  type CreateQuota,
  type CreateResult,
  type DeleteResult,
  type GroupStore,
  type InviteResult,
  type JoinResult,
  type LeaveResult,
  type MemberRecord,
  type MembershipRecord,
  type Membership,
  type OpenDirectResult,
  type Page,
  type ReadResult,
  type RemoveResult,
  type RoomPatch,
  type RoomSpec,
  type SetRoleResult,
  type UpdateResult,
} from '../../ports/group-store.js';
import { SortedIds } from './sorted-ids.js';

interface BanState {
  ban: Ban;
  /** When it ends (ms), or null: until unbanned. */
  untilMs: number | null;
}

interface InvitationState {
  invitation: Invitation;
  atMs: number;
}

interface GroupState {
  id: string;
  kind: 'room' | 'direct';
  visibility: Visibility;
  title: string;
  topic: string;
  createdBy: string;
  createdAt: string;
  ownerId: string | null;
  capacity: number;
  peers?: [string, string];
  memberIds: SortedIds;
  joinedAt: Map<string, string>;
  /** Members with the admin role (the owner's role comes from `ownerId`). */
  admins: Set<string>;
  /** Pending invitations by invitee. */
  invitations: Map<string, InvitationState>;
  bannedIds: SortedIds;
  bans: Map<string, BanState>;
}

/** A cursor of `invitations`: the position (time, group) of the last item of a page, opaque to callers. */
function encodeInvitationCursor(atMs: number, groupId: string): string {
  return Buffer.from(`${atMs}:${groupId}`, 'utf8').toString('base64url');
}

function decodeInvitationCursor(cursor: string): { atMs: number; groupId: string } | null {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  const i = s.indexOf(':');
  if (i <= 0) return null;
  const atMs = Number(s.slice(0, i));
  if (!Number.isSafeInteger(atMs)) return null;
  return { atMs, groupId: s.slice(i + 1) };
}

/** Newest first; equal times by group id. */
function newestFirst(a: InvitationState, b: InvitationState): number {
  if (a.atMs !== b.atMs) return b.atMs - a.atMs;
  return a.invitation.groupId < b.invitation.groupId ? -1 : a.invitation.groupId > b.invitation.groupId ? 1 : 0;
}

/**
 * In-process groups, members, roles, invitations, bans, direct conversations
 * and blocks. Single-threaded JS makes every method atomic. Bans are in force
 * while `until` is null or after this process's clock (Date.now()).
 */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, GroupState>();
  /** Public rooms, for `list`. */
  private readonly publicIds = new SortedIds();
  /** Private rooms by member, for `list`. */
  private readonly privateByUser = new Map<string, SortedIds>();
  /** Pending invitations by invitee: groupId → invitation. */
  private readonly inbox = new Map<string, Map<string, InvitationState>>();
  /** Users each user blocks. */
  private readonly blocks = new Map<string, SortedIds>();
  /** Groups each user has created, and their current quota window (fixed windows, as in the Redis script). */
  private readonly created = new Map<string, number>();
  private readonly windows = new Map<string, { endsAtMs: number; used: number }>();

  constructor(
    /** Message numbers for read markers (the in-process log). */
    private readonly log?: MemoryLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Each member's read marker per group: the id, and its number in the log. */
  private readonly marks = new Map<string, Map<string, { id: string; n: number }>>();

  /** The author's marker moves to their own message (MemoryBroker.publish). */
  markRead(groupId: string, userId: string, id: string, n: number): void {
    let m = this.marks.get(groupId);
    if (!m) this.marks.set(groupId, (m = new Map()));
    m.set(userId, { id, n });
  }

  async read(groupId: string, userId: string, messageId: string): Promise<ReadResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    if (!g.joinedAt.has(userId)) return { status: 'not_member' };
    const count = this.log?.count(groupId) ?? 0;
    const newest = count > 0 ? this.log?.newestMessage(groupId) : undefined;
    if (newest === undefined || compareMessageIds(messageId, newest) > 0) return { status: 'too_new' };
    const mark = this.marks.get(groupId)?.get(userId);
    if (mark && compareMessageIds(mark.id, messageId) >= 0) return { status: 'read', moved: false, readUpTo: mark.id, unread: count - mark.n };
    const n = this.log?.numberOf(groupId, messageId) ?? 0;
    this.markRead(groupId, userId, messageId, n);
    return { status: 'read', moved: true, readUpTo: messageId, unread: count - n };
  }

  private view(g: GroupState): Group {
    const group: Group = {
      id: g.id,
      kind: g.kind,
      visibility: g.visibility,
      title: g.title,
      topic: g.topic,
      createdBy: g.createdBy,
      createdAt: g.createdAt,
      ownerId: g.ownerId,
      memberCount: g.joinedAt.size,
      capacity: g.capacity,
    };
    if (g.peers) group.peers = [g.peers[0], g.peers[1]];
    return group;
  }

  /** The role of a member, or of the owner before joining; null for anyone else. */
  private roleOf(g: GroupState, userId: string): Role | null {
    if (g.kind === 'room' && g.ownerId === userId) return 'owner';
    if (!g.joinedAt.has(userId)) return null;
    return g.admins.has(userId) ? 'admin' : 'member';
  }

  /** The user's ban when in force; an expired one is dropped. */
  private banInForce(g: GroupState, userId: string): BanState | null {
    const b = g.bans.get(userId);
    if (!b) return null;
    if (b.untilMs !== null && b.untilMs <= this.now()) {
      g.bans.delete(userId);
      g.bannedIds.delete(userId);
      return null;
    }
    return b;
  }

  private listed(g: GroupState, userId: string): SortedIds | null {
    if (g.kind !== 'room') return null;
    if (g.visibility === 'public') return this.publicIds;
    let s = this.privateByUser.get(userId);
    if (!s) {
      s = new SortedIds();
      this.privateByUser.set(userId, s);
    }
    return s;
  }

  private addMember(g: GroupState, userId: string, joinedAt: string): void {
    g.joinedAt.set(userId, joinedAt);
    g.memberIds.add(userId);
    if (g.kind === 'room' && g.visibility === 'private') this.listed(g, userId)?.add(g.id);
  }

  /** Ends a membership (with any admin role); false when the user was no member. */
  private removeMember(g: GroupState, userId: string): boolean {
    if (!g.joinedAt.delete(userId)) return false;
    g.memberIds.delete(userId);
    g.admins.delete(userId);
    if (g.kind === 'room' && g.visibility === 'private') this.unlistPrivate(g.id, userId);
    return true;
  }

  private unlistPrivate(groupId: string, userId: string): void {
    const s = this.privateByUser.get(userId);
    if (!s) return;
    s.delete(groupId);
    if (s.size === 0) this.privateByUser.delete(userId);
  }

  private dropInvitation(g: GroupState, userId: string): boolean {
    if (!g.invitations.delete(userId)) return false;
    const box = this.inbox.get(userId);
    box?.delete(g.id);
    if (box && box.size === 0) this.inbox.delete(userId);
    return true;
  }

  private newGroup(fields: Omit<GroupState, 'memberIds' | 'joinedAt' | 'admins' | 'invitations' | 'bannedIds' | 'bans'>): GroupState {
    return { ...fields, memberIds: new SortedIds(), joinedAt: new Map(), admins: new Set(), invitations: new Map(), bannedIds: new SortedIds(), bans: new Map() };
  }

  async create(spec: RoomSpec, quota: CreateQuota = NO_CREATE_QUOTA): Promise<CreateResult> {
    const { groupId, createdBy } = spec;
    if (this.groups.has(groupId)) return { status: 'exists' };
    const total = this.created.get(createdBy) ?? 0;
    if (quota.total > 0 && total >= quota.total) return { status: 'quota', quota: 'total', retryAfterMs: quota.windowMs };
    if (quota.perWindow > 0) {
      const now = this.now();
      let w = this.windows.get(createdBy);
      if (!w || w.endsAtMs <= now) {
        w = { endsAtMs: now + quota.windowMs, used: 0 };
        this.windows.set(createdBy, w);
      }
      if (w.used >= quota.perWindow) return { status: 'quota', quota: 'window', retryAfterMs: w.endsAtMs - now };
      w.used++;
    }
    this.created.set(createdBy, total + 1);
    const g = this.newGroup({
      id: groupId,
      kind: 'room',
      visibility: spec.visibility,
      title: spec.title,
      topic: spec.topic,
      createdBy,
      createdAt: new Date(spec.atMs).toISOString(),
      ownerId: createdBy,
      capacity: spec.capacity,
    });
    this.groups.set(groupId, g);
    if (g.visibility === 'public') this.publicIds.add(groupId);
    return { status: 'created', group: this.view(g) };
  }

  async get(groupId: string): Promise<Group | null> {
    const g = this.groups.get(groupId);
    return g ? this.view(g) : null;
  }

  // A scan of every group: the embedded engine's groups fit in one process,
  // and a join or leave then has no second index to keep.
  async memberships(userId: string): Promise<MembershipRecord[]> {
    const out: MembershipRecord[] = [];
    for (const g of this.groups.values()) {
      const joinedAt = g.joinedAt.get(userId);
      if (joinedAt === undefined) continue;
      const last = this.log?.newestMessage(g.id) ?? '0-0';
      out.push({ groupId: g.id, joinedAtMs: Date.parse(joinedAt), last: last === '0-0' ? null : last });
    }
    return out;
  }

  async lastAtOrBefore(groupId: string, at: string): Promise<string | null> {
    return this.log?.atOrBefore(groupId, at) ?? null;
  }

  async conversations(userId: string, groupIds: readonly string[]): Promise<(Conversation | null)[]> {
    return groupIds.map((groupId) => {
      const g = this.groups.get(groupId);
      if (!g || !g.joinedAt.has(userId)) return null;
      const count = this.log?.count(groupId) ?? 0;
      const mark = this.marks.get(groupId)?.get(userId);
      const last = this.log?.newestMessage(groupId) ?? '0-0';
      return {
        group: this.view(g),
        role: this.roleOf(g, userId) as Role,
        readUpTo: mark?.id ?? null,
        unread: count - (mark?.n ?? 0),
        lastMessage: last === '0-0' ? null : (this.log?.find(groupId, last) ?? null),
      };
    });
  }

  async access(groupId: string, userId: string): Promise<Access | null> {
    const g = this.groups.get(groupId);
    if (!g) return null;
    return {
      group: this.view(g),
      role: this.roleOf(g, userId),
      member: g.joinedAt.has(userId),
      invited: g.invitations.has(userId),
      ban: this.banInForce(g, userId)?.ban ?? null,
    };
  }

  async list(opts: { userId: string; after?: string; prefix?: string; limit: number }): Promise<Page<Group>> {
    const page = { after: opts.after, prefix: opts.prefix, limit: opts.limit };
    const pub = this.publicIds.page(page);
    const priv = this.privateByUser.get(opts.userId)?.page(page) ?? { items: [], next: null };
    // Disjoint (a room is public or private): merge the two sorted pages.
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < pub.items.length || j < priv.items.length) {
      const a = pub.items[i];
      const b = priv.items[j];
      if (b === undefined || (a !== undefined && a < b)) {
        merged.push(a as string);
        i++;
      } else {
        merged.push(b);
        j++;
      }
    }
    const items = merged.slice(0, opts.limit);
    const more = merged.length > opts.limit || pub.next !== null || priv.next !== null;
    return { items: items.map((id) => this.view(this.groups.get(id) as GroupState)), next: more ? (items[items.length - 1] ?? null) : null };
  }

  async join(groupId: string, userId: string, capacity: number, atMs: number, byOperator = false): Promise<JoinResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    if (g.kind === 'direct') {
      const at = g.joinedAt.get(userId);
      return at === undefined ? { status: 'not_member' } : { status: 'already', group: this.view(g), joinedAt: at, role: 'member' };
    }
    const ban = this.banInForce(g, userId);
    if (ban) return { status: 'banned', until: ban.ban.until };
    const existing = g.joinedAt.get(userId);
    if (existing !== undefined) return { status: 'already', group: this.view(g), joinedAt: existing, role: this.roleOf(g, userId) as Role };
    if (g.visibility === 'private' && g.ownerId !== userId && !g.invitations.has(userId) && !byOperator) return { status: 'invitation_required' };
    const max = Math.min(capacity, g.capacity);
    if (g.joinedAt.size >= max) return { status: 'full', capacity: max };
    const joinedAt = new Date(atMs).toISOString();
    this.addMember(g, userId, joinedAt);
    this.dropInvitation(g, userId);
    return { status: 'joined', group: this.view(g), joinedAt, role: g.ownerId === userId ? 'owner' : 'member' };
  }

  async leave(groupId: string, userId: string): Promise<LeaveResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    if (g.kind === 'direct') return { status: 'direct' };
    if (!g.joinedAt.has(userId)) return { status: 'not_member' };
    if (g.ownerId === userId && g.joinedAt.size > 1) return { status: 'owner_cannot_leave' };
    this.removeMember(g, userId);
    return { status: 'left' };
  }

  async membership(groupId: string, userId: string): Promise<Membership> {
    return this.isMemberNow(groupId, userId);
  }

  /** When the group with this id was created (ms), for the broker's dedupe: records older than it belong to a deleted group. */
  createdAtMs(groupId: string): number {
    const g = this.groups.get(groupId);
    return g ? Date.parse(g.createdAt) : 0;
  }

  /** Synchronous membership, for the in-process broker's atomic publish. */
  isMemberNow(groupId: string, userId: string): Membership {
    const g = this.groups.get(groupId);
    if (!g) return 'group_not_found';
    return g.joinedAt.has(userId) ? 'member' : 'not_member';
  }

  async members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null> {
    const g = this.groups.get(groupId);
    if (!g) return null;
    const { items, next } = g.memberIds.page(opts);
    const marks = this.marks.get(groupId);
    return {
      items: items.map((userId) => ({ userId, joinedAt: g.joinedAt.get(userId) as string, role: this.roleOf(g, userId) as Role, readUpTo: marks?.get(userId)?.id ?? null })),
      next,
    };
  }

  async update(groupId: string, patch: RoomPatch): Promise<UpdateResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    if (patch.capacity !== undefined && patch.capacity < g.joinedAt.size) return { status: 'capacity_below_members', memberCount: g.joinedAt.size };
    if (patch.title !== undefined) g.title = patch.title;
    if (patch.topic !== undefined) g.topic = patch.topic;
    if (patch.capacity !== undefined) g.capacity = patch.capacity;
    if (patch.visibility !== undefined && patch.visibility !== g.visibility && g.kind === 'room') {
      g.visibility = patch.visibility;
      if (g.visibility === 'private') {
        this.publicIds.delete(g.id);
        for (const userId of g.joinedAt.keys()) this.listed(g, userId)?.add(g.id);
      } else {
        for (const userId of g.joinedAt.keys()) this.unlistPrivate(g.id, userId);
        this.publicIds.add(g.id);
      }
    }
    return { status: 'updated', group: this.view(g) };
  }

  async setRole(groupId: string, userId: string, role: Role): Promise<SetRoleResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    const joinedAt = g.joinedAt.get(userId);
    if (joinedAt === undefined) return { status: 'not_member' };
    const current = this.roleOf(g, userId) as Role;
    const changes: { userId: string; role: Role }[] = [];
    if (role === 'owner') {
      if (current !== 'owner') {
        const old = g.ownerId;
        g.ownerId = userId;
        g.admins.delete(userId);
        changes.push({ userId, role: 'owner' });
        if (old !== null && g.joinedAt.has(old)) {
          g.admins.add(old);
          changes.push({ userId: old, role: 'admin' });
        }
      }
    } else if (current === 'owner') {
      // A room always has an owner: only a hand-over (role 'owner' to someone else) ends ownership.
      return { status: 'set', role: 'owner', changes: [], joinedAt, readUpTo: this.marks.get(groupId)?.get(userId)?.id ?? null };
    } else if (current !== role) {
      if (role === 'admin') g.admins.add(userId);
      else g.admins.delete(userId);
      changes.push({ userId, role });
    }
    return { status: 'set', role, changes, joinedAt, readUpTo: this.marks.get(groupId)?.get(userId)?.id ?? null };
  }

  async invite(groupId: string, userId: string, invitedBy: string, atMs: number): Promise<InviteResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    const ban = this.banInForce(g, userId);
    if (ban) return { status: 'banned', until: ban.ban.until };
    if (g.joinedAt.has(userId)) return { status: 'already_member' };
    const pending = g.invitations.get(userId);
    if (pending) return { status: 'already_invited', invitation: { ...pending.invitation } };
    const state: InvitationState = { invitation: { groupId, userId, invitedBy, at: new Date(atMs).toISOString() }, atMs };
    g.invitations.set(userId, state);
    let box = this.inbox.get(userId);
    if (!box) {
      box = new Map();
      this.inbox.set(userId, box);
    }
    box.set(groupId, state);
    return { status: 'invited', invitation: { ...state.invitation }, group: this.view(g) };
  }

  async decline(groupId: string, userId: string): Promise<boolean> {
    const g = this.groups.get(groupId);
    return g ? this.dropInvitation(g, userId) : false;
  }

  async invitations(userId: string, opts: { after?: string; limit: number }): Promise<Page<{ invitation: Invitation; group: Group }>> {
    const all = [...(this.inbox.get(userId)?.values() ?? [])].sort(newestFirst);
    let start = 0;
    if (opts.after !== undefined) {
      const c = decodeInvitationCursor(opts.after);
      if (!c) return { items: [], next: null };
      start = all.findIndex((s) => s.atMs < c.atMs || (s.atMs === c.atMs && s.invitation.groupId > c.groupId));
      if (start < 0) start = all.length;
    }
    const slice = all.slice(start, start + opts.limit);
    const last = slice[slice.length - 1];
    const next = start + slice.length < all.length && last ? encodeInvitationCursor(last.atMs, last.invitation.groupId) : null;
    return {
      items: slice.map((s) => ({ invitation: { ...s.invitation }, group: this.view(this.groups.get(s.invitation.groupId) as GroupState) })),
      next,
    };
  }

  async kick(groupId: string, userId: string): Promise<RemoveResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    return { status: 'removed', wasMember: this.removeMember(g, userId) };
  }

  async ban(groupId: string, userId: string, by: string, atMs: number, untilMs: number | null, reason: string): Promise<BanResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    const wasMember = this.removeMember(g, userId);
    this.dropInvitation(g, userId);
    const ban: Ban = { groupId, userId, by, at: new Date(atMs).toISOString(), until: untilMs === null ? null : new Date(untilMs).toISOString(), reason };
    g.bans.set(userId, { ban, untilMs });
    g.bannedIds.add(userId);
    return { status: 'banned', ban: { ...ban }, wasMember };
  }

  async unban(groupId: string, userId: string): Promise<boolean> {
    const g = this.groups.get(groupId);
    if (!g || !this.banInForce(g, userId)) return false;
    g.bans.delete(userId);
    g.bannedIds.delete(userId);
    return true;
  }

  async bans(groupId: string, opts: { after?: string; limit: number }): Promise<Page<Ban> | null> {
    const g = this.groups.get(groupId);
    if (!g) return null;
    for (const userId of [...g.bans.keys()]) this.banInForce(g, userId);
    const { items, next } = g.bannedIds.page(opts);
    return { items: items.map((userId) => ({ ...(g.bans.get(userId) as BanState).ban })), next };
  }

  async delete(groupId: string): Promise<DeleteResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    const members = [...g.joinedAt.keys()].sort();
    for (const userId of members) this.removeMember(g, userId);
    this.marks.delete(groupId);
    for (const userId of [...g.invitations.keys()]) this.dropInvitation(g, userId);
    this.publicIds.delete(groupId);
    this.groups.delete(groupId);
    return { status: 'deleted', members };
  }

  async openDirect(groupId: string, a: string, b: string, atMs: number): Promise<OpenDirectResult> {
    if (this.blocks.get(b)?.has(a)) return { status: 'blocked' };
    const existing = this.groups.get(groupId);
    if (existing) return { status: 'exists', group: this.view(existing) };
    const createdAt = new Date(atMs).toISOString();
    const peers: [string, string] = a < b ? [a, b] : [b, a];
    const g = this.newGroup({
      id: groupId,
      kind: 'direct',
      visibility: 'private',
      title: '',
      topic: '',
      createdBy: a,
      createdAt,
      ownerId: null,
      capacity: 2,
      peers,
    });
    this.groups.set(groupId, g);
    for (const u of peers) this.addMember(g, u, createdAt);
    return { status: 'created', group: this.view(g) };
  }

  async block(userId: string, blocked: string): Promise<void> {
    let s = this.blocks.get(userId);
    if (!s) {
      s = new SortedIds();
      this.blocks.set(userId, s);
    }
    s.add(blocked);
  }

  async unblock(userId: string, blocked: string): Promise<boolean> {
    const s = this.blocks.get(userId);
    if (!s || !s.delete(blocked)) return false;
    if (s.size === 0) this.blocks.delete(userId);
    return true;
  }

  async blocked(userId: string, opts: { after?: string; limit: number }): Promise<Page<string>> {
    return this.blocks.get(userId)?.page(opts) ?? { items: [], next: null };
  }

  async isBlocked(userId: string, blocked: string): Promise<boolean> {
    return this.blocks.get(userId)?.has(blocked) ?? false;
  }
}
