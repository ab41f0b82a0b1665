import type { Group } from '@next-chat/core';
import { NO_CREATE_QUOTA, type CreateQuota, type CreateResult, type GroupStore, type JoinResult, type LeaveResult, type MemberRecord, type Membership, type Page } from '../../ports/group-store.js';
import { SortedIds } from './sorted-ids.js';

interface GroupState {
  id: string;
  createdBy: string;
  createdAt: string;
  memberIds: SortedIds;
  joinedAt: Map<string, string>;
}

/** In-process groups and members. Single-threaded JS makes every method atomic. */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, GroupState>();
  private readonly ids = new SortedIds();
  /** Groups each user has created, and their current quota window (fixed windows, as in the Redis script). */
  private readonly created = new Map<string, number>();
  private readonly windows = new Map<string, { endsAtMs: number; used: number }>();

  private view(g: GroupState): Group {
    return { id: g.id, createdBy: g.createdBy, createdAt: g.createdAt, memberCount: g.joinedAt.size };
  }

  async create(groupId: string, createdBy: string, atMs: number, quota: CreateQuota = NO_CREATE_QUOTA): Promise<CreateResult> {
    if (this.groups.has(groupId)) return { status: 'exists' };
    const total = this.created.get(createdBy) ?? 0;
    if (quota.total > 0 && total >= quota.total) return { status: 'quota', quota: 'total', retryAfterMs: quota.windowMs };
    if (quota.perWindow > 0) {
      const now = Date.now();
      let w = this.windows.get(createdBy);
      if (!w || w.endsAtMs <= now) {
        w = { endsAtMs: now + quota.windowMs, used: 0 };
        this.windows.set(createdBy, w);
      }
      if (w.used >= quota.perWindow) return { status: 'quota', quota: 'window', retryAfterMs: w.endsAtMs - now };
      w.used++;
    }
    this.created.set(createdBy, total + 1);
    const g: GroupState = {
      id: groupId,
      createdBy,
      createdAt: new Date(atMs).toISOString(),
      memberIds: new SortedIds(),
      joinedAt: new Map(),
    };
    this.groups.set(groupId, g);
    this.ids.add(groupId);
    return { status: 'created', group: this.view(g) };
  }

  async get(groupId: string): Promise<Group | null> {
    const g = this.groups.get(groupId);
    return g ? this.view(g) : null;
  }

  async list(opts: { after?: string; prefix?: string; limit: number }): Promise<Page<Group>> {
    const { items, next } = this.ids.page(opts);
    return { items: items.map((id) => this.view(this.groups.get(id) as GroupState)), next };
  }

  async join(groupId: string, userId: string, capacity: number, atMs: number): Promise<JoinResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    const existing = g.joinedAt.get(userId);
    if (existing !== undefined) return { status: 'already', group: this.view(g), joinedAt: existing };
    if (g.joinedAt.size >= capacity) return { status: 'full', capacity };
    const joinedAt = new Date(atMs).toISOString();
    g.joinedAt.set(userId, joinedAt);
    g.memberIds.add(userId);
    return { status: 'joined', group: this.view(g), joinedAt };
  }

  async leave(groupId: string, userId: string): Promise<LeaveResult> {
    const g = this.groups.get(groupId);
    if (!g) return { status: 'group_not_found' };
    if (!g.joinedAt.delete(userId)) return { status: 'not_member' };
    g.memberIds.delete(userId);
    return { status: 'left' };
  }

  async membership(groupId: string, userId: string): Promise<Membership> {
    const g = this.groups.get(groupId);
    if (!g) return 'group_not_found';
    return g.joinedAt.has(userId) ? 'member' : 'not_member';
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
    return { items: items.map((userId) => ({ userId, joinedAt: g.joinedAt.get(userId) as string })), next };
  }
}
