/**
 * GroupStore on Redis. Every change is one Lua script (packages/server/lua),
 * so capacity, invitations, bans and roles hold across any number of hubs;
 * reads are plain commands, each a single pipeline where the port promises
 * one read (access), two where the second needs the first's ids.
 */
import { compareMessageIds, fromSortableId, sortableId, type Ban, type Conversation, type Group, type Invitation, type Role } from '@next-chat/core';
import { decodeMessage } from '../../events/codec.js';
import { readReply } from './scripts.js';
import type { RedisClient } from './connection.js';
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
import type { Metrics } from '../../observability/metrics.js';
import { batch } from './batch.js';
import { guarded } from './connection.js';
import { META_FIELDS, groupFromMeta, roleIn } from './group-meta.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

/** Sorts after every character a group id may contain (all ASCII below 0x7f). */
const PREFIX_END = '\x7f';

/** A ban as stored in the bans hash (keys.ts). */
interface StoredBan {
  by: string;
  at: string;
  untilMs: number | null;
  reason: string;
}

/** An invitation as stored in the invitations hash (keys.ts). */
interface StoredInvitation {
  invitedBy: string;
  at: string;
  atMs: number;
}

export class RedisGroupStore implements GroupStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Three slots, in an order a crash cannot make wrong: the id taken? (a
   * read, so a taken id answers 4009 before any quota), the creator's quota
   * (their slot; given back when the id turns out to be taken meanwhile),
   * the public index entry (a leftover names a group that does not exist,
   * or a private one: group.list checks), then the group.
   */
  async create(spec: RoomSpec, quota: CreateQuota = NO_CREATE_QUOTA): Promise<CreateResult> {
    const createdAt = new Date(spec.atMs).toISOString();
    const r = await guarded(this.metrics, async (): Promise<CreateResult | { status: 'created' }> => {
      if ((await this.redis.exists(this.keys.meta(spec.groupId))) === 1) return { status: 'exists' };
      const limited = quota.perWindow > 0 || quota.total > 0;
      if (limited) {
        const q = await this.scripts.createQuota(spec.createdBy, quota, 'take');
        if (q.status === 'quota') return q;
      }
      if (spec.visibility === 'public') await this.redis.zadd(this.keys.groups(), 0, spec.groupId);
      const made = await this.scripts.create(spec.groupId, spec.createdBy, createdAt, { visibility: spec.visibility, title: spec.title, topic: spec.topic, capacity: spec.capacity });
      if (made === 'exists') {
        if (limited) await this.scripts.createQuota(spec.createdBy, quota, 'refund');
        return { status: 'exists' };
      }
      return { status: 'created' };
    });
    if (r.status !== 'created') return r;
    return {
      status: 'created',
      group: {
        id: spec.groupId,
        kind: 'room',
        visibility: spec.visibility,
        title: spec.title,
        topic: spec.topic,
        createdBy: spec.createdBy,
        createdAt,
        ownerId: spec.createdBy,
        memberCount: 0,
        capacity: spec.capacity,
      },
    };
  }

  async get(groupId: string): Promise<Group | null> {
    const groups = await this.fetch([groupId]);
    return groups[0] ?? null;
  }

  async access(groupId: string, userId: string): Promise<Access | null> {
    const k = this.keys;
    const [meta, count, score, admin, invited, ban] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p
          .hmget(k.meta(groupId), ...META_FIELDS)
          .zcard(k.members(groupId))
          .zscore(k.members(groupId), userId)
          .sismember(k.admins(groupId), userId)
          .hexists(k.invites(groupId), userId)
          .hget(k.bans(groupId), userId)
          ),
    );
    const group = groupFromMeta(groupId, metaRecord(meta as (string | null)[]), Number(count));
    if (!group) return null;
    const member = score !== null;
    const role = roleIn(group, userId, member, Number(admin) === 1);
    return {
      group,
      role,
      member,
      invited: Number(invited) === 1,
      ban: inForce(groupId, userId, ban as string | null, Date.now()),
    };
  }

  async list(opts: { userId: string; after?: string; prefix?: string; limit: number }): Promise<Page<Group>> {
    let min = '-';
    if (opts.prefix) min = `[${opts.prefix}`;
    if (opts.after !== undefined && (!opts.prefix || opts.after >= opts.prefix)) min = `(${opts.after}`;
    const max = opts.prefix ? `(${opts.prefix}${PREFIX_END}` : '+';
    const n = opts.limit + 1;
    const [open, own] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p
          .zrangebylex(this.keys.groups(), min, max, 'LIMIT', 0, n)
          .zrangebylex(this.keys.userRooms(opts.userId), min, max, 'LIMIT', 0, n)
          ),
    );
    // Both are sorted the same way (group ids are ASCII: byte order = code unit order).
    const ids = [...new Set([...(open as string[]), ...(own as string[])])].sort().slice(0, n);
    const more = ids.length > opts.limit;
    const page = more ? ids.slice(0, opts.limit) : ids;
    const groups = (await this.fetch(page)).filter((g): g is Group => g !== null && g.kind === 'room');
    // The indexes are not the truth (they are written beside the group, in
    // other slots, and a crash can leave an entry behind): a private room is
    // listed only to a member, whatever index named it.
    const secret = groups.filter((g) => g.visibility === 'private');
    const member = new Set<string>();
    if (secret.length > 0) {
      const scores = await guarded(this.metrics, () => batch(this.redis, (p) => secret.forEach((g) => p.zscore(this.keys.members(g.id), opts.userId))));
      secret.forEach((g, i) => scores[i] !== null && member.add(g.id));
    }
    return { items: groups.filter((g) => g.visibility === 'public' || member.has(g.id)), next: more ? (page[page.length - 1] as string) : null };
  }

  /**
   * A membership has two sides in two slots: the group's (the truth) and the
   * user's indexes (conversations, rooms). The user's side is written first
   * and undone when the join is refused; a crash in between leaves an entry
   * for a group the user is not in, which every reader checks against the
   * group and skips (list, conversations), never a member missing from
   * their own lists. docs/architecture.md, "One slot per script".
   */
  async join(groupId: string, userId: string, capacity: number, atMs: number, byOperator = false): Promise<JoinResult> {
    return guarded(this.metrics, async () => {
      const added = await this.scripts.userJoinIntent(userId, groupId, atMs);
      // A failure of the group's step leaves the intent: whether the join happened is unknown, and a stale entry is the safe side.
      const r = await this.scripts.join(groupId, userId, capacity, new Date(atMs).toISOString(), byOperator);
      if (r.status === 'joined' || r.status === 'already') {
        const fixes: Promise<unknown>[] = [];
        if (r.invited) fixes.push(this.redis.zrem(this.keys.userInvitations(userId), groupId));
        if (r.status === 'already' && added[1] === '1') {
          // A member whose entry was missing got it from the intent: with the time they really joined.
          fixes.push(this.redis.zadd(this.keys.userConversations(userId), 'XX', Date.parse(r.joinedAt), groupId));
        } else if (r.status === 'joined' && added !== '11') {
          // The entries were there before the intent: a membership that just
          // ended, whose leave may still remove them (it compares the join
          // time), or a crash's leftovers. This membership's own replace them.
          fixes.push(this.scripts.userJoinOwn(userId, groupId, Date.parse(r.joinedAt)));
        }
        await Promise.all(fixes);
        return { status: r.status, group: r.group, joinedAt: r.joinedAt, role: r.role };
      }
      if (added !== '00') await this.scripts.userJoinUndo(userId, groupId, atMs, added);
      if (r.status === 'banned') return { status: 'banned', until: isoOrNull(r.untilMs) };
      return r;
    });
  }

  async leave(groupId: string, userId: string): Promise<LeaveResult> {
    return guarded(this.metrics, async () => {
      const r = await this.scripts.leave(groupId, userId);
      if (r.status === 'left') await this.userLeft(userId, groupId, r.joinedAt);
      return { status: r.status };
    });
  }

  /** The user's side of an ended membership, after the group's: kept when a join that came between wrote its own. */
  private userLeft(userId: string, groupId: string, joinedAt: string): Promise<void> {
    const ms = Date.parse(joinedAt);
    return this.scripts.userLeave(userId, groupId, Number.isFinite(ms) ? ms : '');
  }

  async membership(groupId: string, userId: string): Promise<Membership> {
    const [exists, score] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p.exists(this.keys.meta(groupId)).zscore(this.keys.members(groupId), userId)),
    );
    if (Number(exists) === 0) return 'group_not_found';
    return score === null ? 'not_member' : 'member';
  }

  async members(groupId: string, opts: { after?: string; limit: number }): Promise<Page<MemberRecord> | null> {
    const k = this.keys;
    const min = opts.after !== undefined ? `(${opts.after}` : '-';
    const [meta, idsRaw] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p
          .hmget(k.meta(groupId), 'createdBy', 'kind', 'ownerId')
          .zrangebylex(k.members(groupId), min, '+', 'LIMIT', 0, opts.limit + 1)
          ),
    );
    const [createdBy, kind, ownerId] = meta as (string | null)[];
    if (!createdBy) return null;
    const owner = kind === 'direct' ? null : ownerId || createdBy;
    const ids = idsRaw as string[];
    const more = ids.length > opts.limit;
    const page = more ? ids.slice(0, opts.limit) : ids;
    if (page.length === 0) return { items: [], next: null };
    const [joined, admins, marks] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p
          .hmget(k.joined(groupId), ...page)
          .smismember(k.admins(groupId), ...page)
          .hmget(k.meta(groupId), ...page.map((u) => `read:${u}`))
          ),
    );
    const items: MemberRecord[] = [];
    page.forEach((userId, i) => {
      const joinedAt = (joined as (string | null)[])[i];
      // Gone between the two reads.
      if (joinedAt === null || joinedAt === undefined) return;
      const role: Role = userId === owner ? 'owner' : kind !== 'direct' && Number((admins as number[])[i]) === 1 ? 'admin' : 'member';
      // read:<user> is "<n> <id>" (read-3.lua, publish-7.lua).
      const mark = (marks as (string | null)[])[i];
      items.push({ userId, joinedAt, role, readUpTo: mark ? mark.slice(mark.indexOf(' ') + 1) : null });
    });
    return { items, next: more ? (page[page.length - 1] as string) : null };
  }

  /**
   * The group first; a change of visibility then moves the room in or out of
   * the public index and its members' room sets (their slots). A crash in
   * between leaves an index entry that group.list checks against the room.
   */
  async update(groupId: string, patch: RoomPatch): Promise<UpdateResult> {
    return guarded(this.metrics, async () => {
      const r = await this.scripts.update(groupId, patch);
      if (r.status !== 'updated') return r;
      if (r.moved) {
        const { visibility, members } = r.moved;
        await (visibility === 'public' ? this.redis.zadd(this.keys.groups(), 0, groupId) : this.redis.zrem(this.keys.groups(), groupId));
        // A private room is listed through its members' sets, so each member gets the entry (a public one needs none).
        if (visibility === 'private') await Promise.all(members.map((u) => this.redis.zadd(this.keys.userRooms(u), 0, groupId)));
      }
      return { status: 'updated', group: r.group };
    });
  }

  async setRole(groupId: string, userId: string, role: Role): Promise<SetRoleResult> {
    return guarded(this.metrics, () => this.scripts.setRole(groupId, userId, role));
  }

  async invite(groupId: string, userId: string, invitedBy: string, atMs: number): Promise<InviteResult> {
    const at = new Date(atMs).toISOString();
    const stored: StoredInvitation = { invitedBy, at, atMs };
    // The inbox entry first (the user's slot), taken back when the room refuses: as for a join.
    const inbox = this.keys.userInvitations(userId);
    const r = await guarded(this.metrics, async () => {
      const added = Number(await this.redis.zadd(inbox, 'NX', atMs, groupId)) === 1;
      const reply = await this.scripts.invite(groupId, userId, JSON.stringify(stored), atMs);
      if (reply.status !== 'invited' && reply.status !== 'already_invited' && added) await this.redis.zrem(inbox, groupId);
      return reply;
    });
    if (r.status === 'invited') return { status: 'invited', invitation: { groupId, userId, invitedBy, at }, group: r.group };
    if (r.status === 'already_invited') {
      const s = JSON.parse(r.invitation) as StoredInvitation;
      return { status: 'already_invited', invitation: { groupId, userId, invitedBy: s.invitedBy, at: s.at } };
    }
    if (r.status === 'banned') return { status: 'banned', until: isoOrNull(r.untilMs) };
    return r;
  }

  async decline(groupId: string, userId: string): Promise<boolean> {
    return guarded(this.metrics, async () => {
      const declined = await this.scripts.decline(groupId, userId);
      // Whatever the room said: an inbox entry without an invitation is stale.
      await this.redis.zrem(this.keys.userInvitations(userId), groupId);
      return declined;
    });
  }

  async invitations(userId: string, opts: { after?: string; limit: number }): Promise<Page<{ invitation: Invitation; group: Group }>> {
    const inbox = this.keys.userInvitations(userId);
    const n = opts.limit + 1;
    let entries: { groupId: string; atMs: number }[];
    if (opts.after === undefined) {
      const raw = await guarded(this.metrics, () => this.redis.zrevrange(inbox, 0, n - 1, 'WITHSCORES'));
      entries = scored(raw);
    } else {
      const cursor = decodeCursor(opts.after);
      if (!cursor) return { items: [], next: null };
      // Newest first, and among invitations of the same ms by id descending
      // (ZREVRANGE's order): after the cursor come that ms's smaller ids, then older ms.
      const [same, older] = await guarded(this.metrics, async () =>
        await batch(this.redis, (p) => p
            .zrangebyscore(inbox, cursor.atMs, cursor.atMs)
            .zrevrangebyscore(inbox, `(${cursor.atMs}`, '-inf', 'WITHSCORES', 'LIMIT', 0, n)
            ),
      );
      const ties = (same as string[])
        .filter((g) => g < cursor.groupId)
        .reverse()
        .map((groupId) => ({ groupId, atMs: cursor.atMs }));
      entries = ties.concat(scored(older as string[])).slice(0, n);
    }
    const more = entries.length > opts.limit;
    const page = more ? entries.slice(0, opts.limit) : entries;
    if (page.length === 0) return { items: [], next: null };
    const replies = await guarded(this.metrics, () =>
      batch(this.redis, (p) => page.forEach((e) => p.hmget(this.keys.meta(e.groupId), ...META_FIELDS).zcard(this.keys.members(e.groupId)).hget(this.keys.invites(e.groupId), userId))),
    );
    const items: { invitation: Invitation; group: Group }[] = [];
    page.forEach((e, i) => {
      const group = groupFromMeta(e.groupId, metaRecord(replies[3 * i] as (string | null)[]), Number(replies[3 * i + 1]));
      const json = replies[3 * i + 2] as string | null;
      // The group was deleted, or the invitation ended, since the inbox was read.
      if (!group || json === null) return;
      const s = JSON.parse(json) as StoredInvitation;
      items.push({ invitation: { groupId: e.groupId, userId, invitedBy: s.invitedBy, at: s.at }, group });
    });
    const last = page[page.length - 1] as { groupId: string; atMs: number };
    return { items, next: more ? encodeCursor(last) : null };
  }

  async kick(groupId: string, userId: string): Promise<RemoveResult> {
    return guarded(this.metrics, async () => {
      const r = await this.scripts.kick(groupId, userId);
      if (r.status === 'group_not_found') return r;
      if (r.wasMember) await this.userLeft(userId, groupId, r.joinedAt);
      return { status: 'removed', wasMember: r.wasMember };
    });
  }

  async ban(groupId: string, userId: string, by: string, atMs: number, untilMs: number | null, reason: string): Promise<BanResult> {
    const at = new Date(atMs).toISOString();
    const stored: StoredBan = { by, at, untilMs, reason };
    const r = await guarded(this.metrics, async () => {
      const b = await this.scripts.ban(groupId, userId, JSON.stringify(stored));
      if (b.status === 'group_not_found') return b;
      // The ban dropped any invitation and ended any membership: the user's side follows.
      await Promise.all([this.redis.zrem(this.keys.userInvitations(userId), groupId), b.wasMember ? this.userLeft(userId, groupId, b.joinedAt) : undefined]);
      return b;
    });
    if (r.status === 'group_not_found') return r;
    return { status: 'banned', ban: { groupId, userId, by, at, until: isoOrNull(untilMs), reason }, wasMember: r.wasMember };
  }

  async unban(groupId: string, userId: string): Promise<boolean> {
    return guarded(this.metrics, () => this.scripts.unban(groupId, userId, Date.now()));
  }

  async bans(groupId: string, opts: { after?: string; limit: number }): Promise<Page<Ban> | null> {
    const [exists, all] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p.exists(this.keys.meta(groupId)).hgetall(this.keys.bans(groupId))),
    );
    if (Number(exists) === 0) return null;
    const now = Date.now();
    const after = opts.after;
    const bans = Object.entries(all as Record<string, string>)
      .filter(([userId]) => after === undefined || userId > after)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([userId, json]) => inForce(groupId, userId, json, now))
      .filter((b): b is Ban => b !== null);
    const more = bans.length > opts.limit;
    const items = more ? bans.slice(0, opts.limit) : bans;
    return { items, next: more ? (items[items.length - 1] as Ban).userId : null };
  }

  /** The group first; then the index entry, each member's entries (kept for a newer membership of a group made again) and each invitee's inbox entry. */
  async delete(groupId: string): Promise<DeleteResult> {
    return guarded(this.metrics, async () => {
      const r = await this.scripts.delete(groupId);
      if (r.status !== 'deleted') return r;
      await Promise.all([
        this.redis.zrem(this.keys.groups(), groupId),
        ...r.members.map((m) => this.userLeft(m.userId, groupId, m.joinedAt)),
        ...r.invitees.map((u) => this.redis.zrem(this.keys.userInvitations(u), groupId)),
      ]);
      return { status: 'deleted', members: r.members.map((m) => m.userId) };
    });
  }

  /**
   * Refused while `b` blocks `a` (read from b's slot just before: a block set
   * in the same instant may come too late, as with any request in flight).
   * Both users' conversation entries are written before the group, as for a
   * join; an existing conversation whose entry was missing gets it back.
   */
  async openDirect(groupId: string, a: string, b: string, atMs: number): Promise<OpenDirectResult> {
    const peers = (a < b ? [a, b] : [b, a]) as [string, string];
    return guarded(this.metrics, async () => {
      if ((await this.redis.zscore(this.keys.userBlocks(b), a)) !== null) return { status: 'blocked' as const };
      const added = await Promise.all(peers.map((u) => this.redis.zadd(this.keys.userConversations(u), 'NX', atMs, groupId)));
      const r = await this.scripts.openDirect(groupId, a, b, new Date(atMs).toISOString(), peers);
      if (r.status === 'exists') {
        const since = Date.parse(r.group.createdAt);
        await Promise.all(peers.map((u, i) => (Number(added[i]) === 1 ? this.redis.zadd(this.keys.userConversations(u), 'XX', since, groupId) : undefined)));
      }
      return r;
    });
  }

  async read(groupId: string, userId: string, messageId: string): Promise<ReadResult> {
    return guarded(this.metrics, () => this.scripts.read(groupId, userId, messageId));
  }

  async memberships(userId: string): Promise<MembershipRecord[]> {
    const raw = (await guarded(this.metrics, () => this.redis.zrange(this.keys.userConversations(userId), 0, -1, 'WITHSCORES'))) as string[];
    const groups: { groupId: string; joinedAtMs: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) groups.push({ groupId: raw[i] as string, joinedAtMs: Number(raw[i + 1]) });
    if (groups.length === 0) return [];
    const lasts = (await guarded(this.metrics, () => batch(this.redis, (p) => groups.forEach((g) => p.hmget(this.keys.meta(g.groupId), 'last'))))) as (string | null)[][];
    return groups.map((g, i) => ({ ...g, last: lasts[i]?.[0] ?? null }));
  }

  async lastAtOrBefore(groupId: string, at: string): Promise<string | null> {
    // Deleted messages count: their place in the log did not go with their text.
    const [entries, deleted] = await guarded(this.metrics, async () =>
      await batch(this.redis, (p) => p
          .xrevrange(this.keys.stream(groupId), at, '-', 'COUNT', 64)
          .zrevrangebylex(this.keys.deleted(groupId), `[${sortableId(at)}`, '-', 'LIMIT', 0, 1)
          ),
    );
    let best: string | null = null;
    // The newest message entry (field `d`); edits and deletes (`u`) are no message.
    for (const [id, fields] of entries as [string, string[]][]) {
      if (fields.some((f, i) => i % 2 === 0 && f === 'd')) {
        best = id;
        break;
      }
    }
    const d = (deleted as string[])[0];
    if (d !== undefined) {
      const id = fromSortableId(d);
      if (best === null || compareMessageIds(id, best) > 0) best = id;
    }
    return best;
  }

  async conversations(userId: string, groupIds: readonly string[]): Promise<(Conversation | null)[]> {
    const replies = await guarded(this.metrics, () => Promise.all(groupIds.map((g) => this.scripts.conversation(g, userId))));
    return replies.map((reply, i) => {
      const groupId = groupIds[i] as string;
      const r = readReply(reply, ['found', 'group_not_found'] as const);
      if (r.status !== 'found' || r.fields.member !== '1') return null;
      const f = r.fields;
      const group = groupFromMeta(groupId, f, Number(f.memberCount));
      if (!group) return null;
      const mark = f.mark ?? '';
      const space = mark.indexOf(' ');
      const msgs = Number(f.msgs);
      return {
        group,
        role: roleIn(group, userId, true, f.admin === '1') as Role,
        readUpTo: space > 0 ? mark.slice(space + 1) : null,
        unread: space > 0 ? msgs - Number(mark.slice(0, space)) : msgs,
        lastMessage: f.last ? decodeMessage(f.last) : null,
      };
    });
  }

  async block(userId: string, blocked: string): Promise<void> {
    await guarded(this.metrics, () => this.redis.zadd(this.keys.userBlocks(userId), 0, blocked));
  }

  async unblock(userId: string, blocked: string): Promise<boolean> {
    return (await guarded(this.metrics, () => this.redis.zrem(this.keys.userBlocks(userId), blocked))) > 0;
  }

  async blocked(userId: string, opts: { after?: string; limit: number }): Promise<Page<string>> {
    const min = opts.after !== undefined ? `(${opts.after}` : '-';
    const ids = await guarded(this.metrics, () => this.redis.zrangebylex(this.keys.userBlocks(userId), min, '+', 'LIMIT', 0, opts.limit + 1));
    const more = ids.length > opts.limit;
    const items = more ? ids.slice(0, opts.limit) : ids;
    return { items, next: more ? (items[items.length - 1] as string) : null };
  }

  async isBlocked(userId: string, blocked: string): Promise<boolean> {
    return (await guarded(this.metrics, () => this.redis.zscore(this.keys.userBlocks(userId), blocked))) !== null;
  }

  /** Groups by id in one round trip; null for ids that do not exist. */
  private async fetch(ids: string[]): Promise<(Group | null)[]> {
    if (ids.length === 0) return [];
    const replies = await guarded(this.metrics, () => batch(this.redis, (p) => ids.forEach((id) => p.hmget(this.keys.meta(id), ...META_FIELDS).zcard(this.keys.members(id)))));
    return ids.map((id, i) => groupFromMeta(id, metaRecord(replies[2 * i] as (string | null)[]), Number(replies[2 * i + 1])));
  }
}

/** HMGET of {@link META_FIELDS} by name. */
function metaRecord(values: (string | null)[]): Record<string, string | null> {
  const m: Record<string, string | null> = {};
  META_FIELDS.forEach((f, i) => (m[f] = values[i] ?? null));
  return m;
}

/** A stored ban as a Ban, when it is still in force at `nowMs`. */
function inForce(groupId: string, userId: string, json: string | null, nowMs: number): Ban | null {
  if (json === null) return null;
  const s = JSON.parse(json) as StoredBan;
  if (typeof s.untilMs === 'number' && s.untilMs <= nowMs) return null;
  return { groupId, userId, by: s.by, at: s.at, until: isoOrNull(s.untilMs), reason: s.reason };
}

function isoOrNull(ms: number | null | undefined): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

/** WITHSCORES replies (member, score, member, score...) as inbox entries. */
function scored(raw: string[]): { groupId: string; atMs: number }[] {
  const out: { groupId: string; atMs: number }[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ groupId: raw[i] as string, atMs: Number(raw[i + 1]) });
  return out;
}

/** The invitations cursor: base64url of `<atMs>:<groupId>` of the last invitation of a page. */
function encodeCursor(e: { groupId: string; atMs: number }): string {
  return Buffer.from(`${e.atMs}:${e.groupId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { groupId: string; atMs: number } | null {
  const m = /^(\d{1,16}):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { atMs: Number(m[1]), groupId: m[2] as string } : null;
}

/** Pipeline replies as values; the first error is thrown (and becomes 4503 in guarded callers). */
export function unwrap(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('pipeline was not executed (connection closed)');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

