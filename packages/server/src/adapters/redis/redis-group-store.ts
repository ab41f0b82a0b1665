/**
 * GroupStore on Redis. Changes (create, join, leave) are Lua scripts, so
 * capacity holds across any number of hubs; reads are plain commands.
 */
import type { Group } from '@next-chat/core';
import type { Redis } from 'ioredis';
import { NO_CREATE_QUOTA, type CreateQuota, type CreateResult, type GroupStore, type JoinResult, type LeaveResult, type MemberRecord, type Membership, type Page } from '../../ports/group-store.js';
import type { Metrics } from '../../observability/metrics.js';
import { guarded } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

/** Sorts after every character a group id may contain (all ASCII below 0x7f). */
const PREFIX_END = '\x7f';

export class RedisGroupStore implements GroupStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
    private readonly metrics: Metrics,
  ) {}

  async create(groupId: string, createdBy: string, atMs: number, quota: CreateQuota = NO_CREATE_QUOTA): Promise<CreateResult> {
    const createdAt = new Date(atMs).toISOString();
    const r = await guarded(this.metrics, () => this.scripts.create(groupId, createdBy, createdAt, quota));
    return r.status === 'created' ? { status: 'created', group: { id: groupId, createdBy, createdAt, memberCount: 0 } } : r;
  }

  async get(groupId: string): Promise<Group | null> {
    const groups = await this.fetch([groupId]);
    return groups[0] ?? null;
  }

  async list(opts: { after?: string; prefix?: string; limit: number }): Promise<Page<Group>> {
    let min = '-';
    if (opts.prefix) min = `[${opts.prefix}`;
    if (opts.after !== undefined && (!opts.prefix || opts.after >= opts.prefix)) min = `(${opts.after}`;
    const max = opts.prefix ? `(${opts.prefix}${PREFIX_END}` : '+';
    const ids = await guarded(this.metrics, () => this.redis.zrangebylex(this.keys.groups(), min, max, 'LIMIT', 0, opts.limit + 1));
    const more = ids.length > opts.limit;
    const page = more ? ids.slice(0, opts.limit) : ids;
    const groups = await this.fetch(page);
    return { items: groups.filter((g): g is Group => g !== null), next: more ? page[page.length - 1] : null };
  }

  async join(groupId: string, userId: string, capacity: number, atMs: number): Promise<JoinResult> {
    const r = await guarded(this.metrics, () => this.scripts.join(groupId, userId, capacity, new Date(atMs).toISOString()));
    if (r.status === 'group_not_found') return r;
    if (r.status === 'full') return r;
    return {
      status: r.status,
      joinedAt: r.joinedAt,
      group: { id: groupId, createdBy: r.createdBy, createdAt: r.createdAt, memberCount: r.memberCount },
    };
  }

  async leave(groupId: string, userId: string): Promise<LeaveResult> {
    return guarded(this.metrics, () => this.scripts.leave(groupId, userId));
  }

  async membership(groupId: string, userId: string): Promise<Membership> {
    const [exists, score] = await guarded(this.metrics, async () =>
      unwrap(await this.redis.pipeline().exists(this.keys.meta(groupId)).zscore(this.keys.members(groupId), userId).exec()),
    );
    if (Number(exists) === 0) return 'group_not_found';
    return score === null ? 'not_member' : 'member';
  }

  async members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null> {
    const min = opts.after !== undefined ? `(${opts.after}` : '-';
    const [exists, idsRaw] = await guarded(this.metrics, async () =>
      unwrap(
        await this.redis
          .pipeline()
          .exists(this.keys.meta(groupId))
          .zrangebylex(this.keys.members(groupId), min, '+', 'LIMIT', 0, opts.limit + 1)
          .exec(),
      ),
    );
    if (Number(exists) === 0) return null;
    const ids = idsRaw as string[];
    const more = ids.length > opts.limit;
    const page = more ? ids.slice(0, opts.limit) : ids;
    if (page.length === 0) return { items: [], next: null };
    const joined = await guarded(this.metrics, () => this.redis.hmget(this.keys.joined(groupId), ...page));
    return {
      items: page.map((userId, i) => ({ userId, joinedAt: joined[i] ?? new Date(0).toISOString() })),
      next: more ? page[page.length - 1] : null,
    };
  }

  /** Groups by id in one round trip; null for ids that do not exist. */
  private async fetch(ids: string[]): Promise<(Group | null)[]> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hmget(this.keys.meta(id), 'createdBy', 'createdAt').zcard(this.keys.members(id));
    const replies = await guarded(this.metrics, async () => unwrap(await p.exec()));
    return ids.map((id, i) => {
      const [createdBy, createdAt] = replies[2 * i] as (string | null)[];
      if (createdBy === null || createdAt === null) return null;
      return { id, createdBy, createdAt, memberCount: Number(replies[2 * i + 1]) };
    });
  }
}

/** Pipeline replies as values; the first error is thrown (and becomes 4503 in guarded callers). */
export function unwrap(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('pipeline was not executed (connection closed)');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
