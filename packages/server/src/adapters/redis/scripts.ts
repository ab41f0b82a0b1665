/**
 * The Lua scripts of packages/server/lua, registered with defineCommand as
 * `<name>:<sha8>` so hubs of different releases sharing one Redis never run
 * each other's scripts, and one typed wrapper per script that turns its reply
 * into an object. File name = command + key count (`join-8.lua`).
 *
 * The group scripts reply the group's meta fields by name (`<group>` in their
 * headers); {@link groupFromMeta} reads them into a Group, as it reads the
 * meta hash itself.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisClient } from './connection.js';
import type { Group, Role, Visibility } from '@next-chat/core';
import type { CreateQuota, ReadResult, RoomPatch } from '../../ports/group-store.js';
import { groupFromMeta } from './group-meta.js';
import type { RedisKeys } from './keys.js';

/** packages/server/lua, from src/adapters/redis (vitest) and dist/adapters/redis alike. */
const LUA_DIR = new URL('../../../lua/', import.meta.url);

interface ScriptDef {
  command: string;
  numberOfKeys: number;
}

function load(file: string): ScriptDef & { lua: string } {
  const m = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`bad Lua file name ${file}: expected <camelName>-<numberOfKeys>.lua`);
  // `--- @include "name"` lines take lua/includes/name.lua (BullMQ's scripts
  // share helpers the same way); the name's sha covers what was included.
  const lua = readFileSync(new URL(file, LUA_DIR), 'utf8').replace(/^--- @include "([A-Za-z]+)"$/gm, (_line, name: string) =>
    readFileSync(new URL(`includes/${name}.lua`, LUA_DIR), 'utf8').trimEnd(),
  );
  const version = createHash('sha1').update(lua).digest('hex').slice(0, 8);
  return { command: `${m[1]}:${version}`, numberOfKeys: Number(m[2]), lua };
}

const FILES = [
  'publish-7.lua',
  'change-8.lua',
  'history-4.lua',
  'conversation-5.lua',
  'create-1.lua',
  'join-6.lua',
  'leave-4.lua',
  'kick-4.lua',
  'ban-6.lua',
  'unban-1.lua',
  'invite-4.lua',
  'decline-1.lua',
  'update-2.lua',
  'setRole-4.lua',
  'delete-10.lua',
  'openDirect-3.lua',
  'ackHistory-1.lua',
  'announce-1.lua',
  'read-3.lua',
  'webhookLease-1.lua',
  'replayDeadLetter-2.lua',
  'streamInfo-1.lua',
  'userJoin-2.lua',
  'userLeave-2.lua',
  'createQuota-2.lua',
] as const;
let loaded: Map<string, ScriptDef & { lua: string }> | undefined;

function definitions(): Map<string, ScriptDef & { lua: string }> {
  if (!loaded) loaded = new Map(FILES.map((f) => [f, load(f)]));
  return loaded;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/**
 * What every script returns: a status, then field names and values
 * (`{'full', 'capacity', 10}`). Read here, once, by name; no caller counts
 * positions.
 */
export interface ScriptReply<S extends string = string> {
  status: S;
  fields: Record<string, string>;
}

export function readReply<S extends string>(reply: unknown, statuses: readonly S[]): ScriptReply<S> {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !(statuses as readonly string[]).includes(reply[0])) {
    throw new Error(`unexpected script reply ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
  const fields: Record<string, string> = {};
  for (let i = 1; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  return { status: reply[0] as S, fields };
}

export type PublishReply =
  | { status: 'published'; id: string }
  | { status: 'duplicate'; json: string }
  | { status: 'group_not_found' | 'not_member' };

export type JoinReply =
  /** `invited`: the join used an invitation (the inbox entry is the store's to remove). */
  | { status: 'joined' | 'already'; joinedAt: string; role: Role; group: Group; invited: boolean }
  | { status: 'full'; capacity: number }
  /** `untilMs` null: until unbanned. */
  | { status: 'banned'; untilMs: number | null }
  | { status: 'invitation_required' | 'not_member' | 'group_not_found' };

export type CreateReply = { status: 'created' } | { status: 'exists' } | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number };

/** A room's settings at creation. */
export interface RoomSettings {
  visibility: Visibility;
  title: string;
  topic: string;
  /** Most members; 0: none of its own (only the hub's limit applies). */
  capacity: number;
}
const OPEN_ROOM: RoomSettings = { visibility: 'public', title: '', topic: '', capacity: 0 };

/** `joinedAt`: the ended membership's (ISO-8601), for the user's side (userLeave). */
export type LeaveReply = { status: 'left'; joinedAt: string } | { status: 'not_member' | 'group_not_found' | 'direct' | 'owner_cannot_leave' };

export type RemoveReply = { status: 'removed' | 'banned'; wasMember: boolean; joinedAt: string } | { status: 'group_not_found' };

export type InviteReply =
  | { status: 'invited'; group: Group }
  /** The pending invitation's JSON as stored: {"invitedBy","at","atMs"}. */
  | { status: 'already_invited'; invitation: string }
  | { status: 'banned'; untilMs: number | null }
  | { status: 'already_member' | 'group_not_found' };

/** `moved`: the visibility changed; the members, whose room sets follow (the store's). */
export type UpdateReply = { status: 'updated'; group: Group; moved?: { visibility: Visibility; members: string[] } } | { status: 'capacity_below_members'; memberCount: number } | { status: 'group_not_found' };

export type SetRoleReply = { status: 'set'; role: Role; joinedAt: string; readUpTo: string | null; changes: { userId: string; role: Role }[] } | { status: 'not_member' | 'group_not_found' };

export type DeleteReply = { status: 'deleted'; members: { userId: string; joinedAt: string }[]; invitees: string[] } | { status: 'group_not_found' };

export type OpenDirectReply = { status: 'created' | 'exists'; group: Group };

export interface ChangeArgs {
  groupId: string;
  userId: string;
  messageId: string;
  /** The new text; null deletes. */
  text: string | null;
  /** ISO time of the change. */
  at: string;
  /** The caller's role lets them delete others' messages (hub/policy.ts decided). */
  anyone: boolean;
  /** The HTTP API: neither membership nor authorship needed. */
  byOperator?: boolean;
  withHistory: boolean;
  /** The message's JSON from the history database, when the stream no longer has it. */
  fallback?: string;
  /** The group's webhook partition stream, when an endpoint wants message.updated: the change is recorded there too. */
  webhookEvents?: string;
}

export type ChangeReply =
  | { status: 'changed'; json: string; cursor: string }
  | { status: 'unchanged'; json: string }
  | { status: 'not_found'; trimmed: boolean }
  | { status: 'not_author' | 'deleted' | 'not_member' | 'group_not_found' };

export interface HistoryReply {
  top: string | null;
  /** Nothing older is in the stream. */
  exhausted: boolean;
  moreUpdates: boolean;
  /** Message JSONs, oldest first. */
  messages: string[];
  /** Changed messages' JSONs, id order. */
  updates: string[];
}

export interface PublishArgs {
  groupId: string;
  authorId: string;
  /** The message's JSON without its id (events/codec.ts messageBody). */
  body: string;
  clientMessageId: string | undefined;
  dedupeSeconds: number;
  withHistory: boolean;
  retentionMs: number;
  /** Posted through the HTTP API: no membership needed, no marker moved. */
  byOperator?: boolean;
  /** The group's webhook partition stream, when an endpoint wants message.created: the message is recorded there too. */
  webhookEvents?: string;
}

/** Typed calls of the scripts on one connection. */
export class Scripts {
  private readonly fns = new Map<string, ScriptFn>();
  /** Announcements in a script: on a cluster SPUBLISH, which keeps them within the group's shard. */
  private readonly publishCommand: 'PUBLISH' | 'SPUBLISH';

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.publishCommand = keys.sharded ? 'SPUBLISH' : 'PUBLISH';
    for (const [file, def] of definitions()) {
      redis.defineCommand(def.command, { numberOfKeys: def.numberOfKeys, lua: def.lua });
      const fn = (redis as unknown as Record<string, ScriptFn>)[def.command];
      this.fns.set(file, fn.bind(redis));
    }
  }

  private call(file: (typeof FILES)[number], ...args: (string | number)[]): Promise<unknown> {
    return this.fns.get(file)!(...args);
  }

  async publish(a: PublishArgs): Promise<PublishReply> {
    const k = this.keys;
    const cmid = a.clientMessageId ?? '';
    const r = readReply(
      await this.call(
        'publish-7.lua',
        k.meta(a.groupId),
        k.members(a.groupId),
        k.stream(a.groupId),
        k.historyOf(a.groupId),
        k.dedupe(a.groupId, a.authorId, cmid),
        k.edits(a.groupId),
        a.webhookEvents ?? k.stream(a.groupId),
        a.authorId,
        a.body,
        cmid,
        a.dedupeSeconds,
        a.withHistory ? '1' : '0',
        a.retentionMs,
        k.notify(a.groupId),
        a.byOperator ? '1' : '0',
        a.webhookEvents !== undefined ? '1' : '0',
        this.publishCommand,
      ),
      ['published', 'duplicate', 'group_not_found', 'not_member'] as const,
    );
    if (r.status === 'published') return { status: r.status, id: r.fields.id as string };
    if (r.status === 'duplicate') return { status: r.status, json: r.fields.json as string };
    return { status: r.status };
  }

  /** `room` defaults to a public room with no capacity of its own (as tests that only need a group use it). The group's side only: quota and index are the store's. */
  async create(groupId: string, createdBy: string, createdAt: string, room: RoomSettings = OPEN_ROOM): Promise<'created' | 'exists'> {
    const r = readReply(
      await this.call('create-1.lua', this.keys.meta(groupId), groupId, createdBy, createdAt, room.visibility, room.title, room.topic, room.capacity),
      ['created', 'exists'] as const,
    );
    return r.status;
  }

  /** The creator's quota (createQuota-2.lua, their slot): taken before a create, refunded when the id was taken. */
  async createQuota(createdBy: string, quota: CreateQuota, mode: 'take' | 'refund'): Promise<CreateReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('createQuota-2.lua', k.userCreated(createdBy), k.userCreateWindow(createdBy), mode, quota.perWindow, quota.windowMs, quota.total),
      ['taken', 'refunded', 'quota'] as const,
    );
    if (r.status !== 'quota') return { status: 'created' };
    return { status: 'quota', quota: r.fields.quota === 'total' ? 'total' : 'window', retryAfterMs: Number(r.fields.retryAfterMs) };
  }

  /** `joinedAt` is also the time bans are checked against. */
  async join(groupId: string, userId: string, capacity: number, joinedAt: string, byOperator = false): Promise<JoinReply> {
    const k = this.keys;
    const r = readReply(
      await this.call(
        'join-6.lua',
        k.meta(groupId),
        k.members(groupId),
        k.joined(groupId),
        k.admins(groupId),
        k.invites(groupId),
        k.bans(groupId),
        groupId,
        userId,
        capacity,
        joinedAt,
        Date.parse(joinedAt),
        byOperator ? '1' : '0',
      ),
      ['joined', 'already', 'full', 'banned', 'invitation_required', 'not_member', 'group_not_found'] as const,
    );
    const f = r.fields;
    if (r.status === 'full') return { status: r.status, capacity: Number(f.capacity) };
    if (r.status === 'banned') return { status: r.status, untilMs: msOrNull(f.untilMs) };
    if (r.status === 'joined' || r.status === 'already') return { status: r.status, joinedAt: f.joinedAt as string, role: f.role as Role, group: replyGroup(groupId, f), invited: f.invited === '1' };
    return { status: r.status };
  }

  async read(groupId: string, userId: string, messageId: string): Promise<ReadResult> {
    const k = this.keys;
    const r = readReply(
      await this.call('read-3.lua', k.meta(groupId), k.members(groupId), k.stream(groupId), userId, messageId),
      ['read', 'unchanged', 'too_new', 'not_member', 'group_not_found'] as const,
    );
    if (r.status === 'read' || r.status === 'unchanged') {
      return { status: 'read', moved: r.status === 'read', readUpTo: r.fields.readUpTo ?? null, unread: Number(r.fields.unread) };
    }
    return { status: r.status };
  }

  /** PUBLISHes a group event with the group's newest message id in front (announce-1.lua). */
  async announce(groupId: string, json: string): Promise<string> {
    const r = readReply(await this.call('announce-1.lua', this.keys.meta(groupId), this.keys.notify(groupId), json, this.publishCommand), ['announced'] as const);
    return r.fields.after as string;
  }

  async leave(groupId: string, userId: string): Promise<LeaveReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('leave-4.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), k.admins(groupId), groupId, userId),
      ['left', 'not_member', 'group_not_found', 'direct', 'owner_cannot_leave'] as const,
    );
    return r.status === 'left' ? { status: r.status, joinedAt: r.fields.joinedAt ?? '' } : { status: r.status };
  }

  async kick(groupId: string, userId: string): Promise<RemoveReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('kick-4.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), k.admins(groupId), groupId, userId),
      ['removed', 'group_not_found'] as const,
    );
    return r.status === 'removed' ? { status: r.status, wasMember: r.fields.wasMember === '1', joinedAt: r.fields.joinedAt ?? '' } : { status: r.status };
  }

  /** `ban`: the record as stored, {"by","at","untilMs","reason"}. */
  async ban(groupId: string, userId: string, ban: string): Promise<RemoveReply> {
    const k = this.keys;
    const r = readReply(
      await this.call(
        'ban-6.lua',
        k.meta(groupId),
        k.members(groupId),
        k.joined(groupId),
        k.admins(groupId),
        k.invites(groupId),
        k.bans(groupId),
        groupId,
        userId,
        ban,
      ),
      ['banned', 'group_not_found'] as const,
    );
    return r.status === 'banned' ? { status: r.status, wasMember: r.fields.wasMember === '1', joinedAt: r.fields.joinedAt ?? '' } : { status: r.status };
  }

  /** True when a ban was in force. */
  async unban(groupId: string, userId: string, nowMs: number): Promise<boolean> {
    const r = readReply(await this.call('unban-1.lua', this.keys.bans(groupId), userId, nowMs), ['unbanned', 'not_banned'] as const);
    return r.status === 'unbanned';
  }

  /** `invitation`: the record as stored, {"invitedBy","at","atMs"}. */
  async invite(groupId: string, userId: string, invitation: string, atMs: number): Promise<InviteReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('invite-4.lua', k.meta(groupId), k.members(groupId), k.invites(groupId), k.bans(groupId), groupId, userId, invitation, atMs),
      ['invited', 'already_invited', 'already_member', 'banned', 'group_not_found'] as const,
    );
    const f = r.fields;
    if (r.status === 'invited') return { status: r.status, group: replyGroup(groupId, f) };
    if (r.status === 'already_invited') return { status: r.status, invitation: f.invitation as string };
    if (r.status === 'banned') return { status: r.status, untilMs: msOrNull(f.untilMs) };
    return { status: r.status };
  }

  /** True when there was an invitation. */
  async decline(groupId: string, userId: string): Promise<boolean> {
    const k = this.keys;
    const r = readReply(await this.call('decline-1.lua', k.invites(groupId), groupId, userId), ['declined', 'not_invited'] as const);
    return r.status === 'declined';
  }

  async update(groupId: string, patch: RoomPatch): Promise<UpdateReply> {
    const k = this.keys;
    const pairs: (string | number)[] = [];
    if (patch.title !== undefined) pairs.push('title', patch.title);
    if (patch.topic !== undefined) pairs.push('topic', patch.topic);
    if (patch.visibility !== undefined) pairs.push('visibility', patch.visibility);
    if (patch.capacity !== undefined) pairs.push('capacity', patch.capacity);
    const r = readReply(
      await this.call('update-2.lua', k.meta(groupId), k.members(groupId), groupId, ...pairs),
      ['updated', 'capacity_below_members', 'group_not_found'] as const,
    );
    if (r.status === 'updated') {
      const v = r.fields.visibility;
      const moved = v === 'public' || v === 'private' ? { visibility: v as Visibility, members: splitWords(r.fields.members) } : undefined;
      return { status: r.status, group: replyGroup(groupId, r.fields), ...(moved ? { moved } : {}) };
    }
    if (r.status === 'capacity_below_members') return { status: r.status, memberCount: Number(r.fields.memberCount) };
    return { status: r.status };
  }

  async setRole(groupId: string, userId: string, role: Role): Promise<SetRoleReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('setRole-4.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), k.admins(groupId), userId, role),
      ['set', 'not_member', 'group_not_found'] as const,
    );
    if (r.status !== 'set') return { status: r.status };
    const words = splitWords(r.fields.changes);
    const changes: { userId: string; role: Role }[] = [];
    for (let i = 0; i + 1 < words.length; i += 2) changes.push({ userId: words[i] as string, role: words[i + 1] as Role });
    const mark = r.fields.mark ?? '';
    return { status: r.status, role: r.fields.role as Role, joinedAt: r.fields.joinedAt as string, readUpTo: mark === '' ? null : mark.slice(mark.indexOf(' ') + 1), changes };
  }

  async delete(groupId: string): Promise<DeleteReply> {
    const k = this.keys;
    const r = readReply(
      await this.call(
        'delete-10.lua',
        k.meta(groupId),
        k.members(groupId),
        k.joined(groupId),
        k.admins(groupId),
        k.invites(groupId),
        k.bans(groupId),
        k.stream(groupId),
        k.edits(groupId),
        k.deleted(groupId),
        k.updates(groupId),
        groupId,
      ),
      ['deleted', 'group_not_found'] as const,
    );
    if (r.status !== 'deleted') return { status: r.status };
    const pairs = splitWords(r.fields.members);
    const members: { userId: string; joinedAt: string }[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) members.push({ userId: pairs[i] as string, joinedAt: pairs[i + 1] === '-' ? '' : (pairs[i + 1] as string) });
    return { status: r.status, members, invitees: splitWords(r.fields.invitees) };
  }

  /** `a` opens the conversation with `b`; `peers` is the two ids sorted. */
  async openDirect(groupId: string, a: string, b: string, createdAt: string, peers: readonly [string, string]): Promise<OpenDirectReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('openDirect-3.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), a, b, createdAt, peers.join(','), Date.parse(createdAt), groupId),
      ['created', 'exists'] as const,
    );
    return { status: r.status, group: replyGroup(groupId, r.fields) };
  }

  /**
   * The user's side of a join, before the group's step (userJoin-2.lua):
   * what it added, for {@link userJoinUndo} when the join is refused.
   */
  async userJoinIntent(userId: string, groupId: string, atMs: number): Promise<string> {
    const k = this.keys;
    const r = readReply(await this.call('userJoin-2.lua', k.userRooms(userId), k.userConversations(userId), groupId, atMs, 'intent'), ['intent'] as const);
    return r.fields.added as string;
  }

  /** After a join found entries already there: they become this membership's (its join ms). */
  async userJoinOwn(userId: string, groupId: string, joinedAtMs: number): Promise<void> {
    const k = this.keys;
    await this.call('userJoin-2.lua', k.userRooms(userId), k.userConversations(userId), groupId, joinedAtMs, 'own');
  }

  async userJoinUndo(userId: string, groupId: string, atMs: number, added: string): Promise<void> {
    const k = this.keys;
    await this.call('userJoin-2.lua', k.userRooms(userId), k.userConversations(userId), groupId, atMs, 'undo', added);
  }

  /** The user's side of an ended membership (userLeave-2.lua): kept when a newer join wrote its own entry. */
  async userLeave(userId: string, groupId: string, joinedAtMs: number | ''): Promise<void> {
    const k = this.keys;
    await this.call('userLeave-2.lua', k.userRooms(userId), k.userConversations(userId), groupId, joinedAtMs);
  }

  /** The raw fields of one me.conversations entry (conversation-5.lua), queued on `pipeline` when given. */
  conversation(groupId: string, userId: string): Promise<unknown> {
    const k = this.keys;
    return this.call('conversation-5.lua', k.meta(groupId), k.members(groupId), k.admins(groupId), k.edits(groupId), k.stream(groupId), userId);
  }

  /** An edit or delete (change-8.lua). */
  async change(a: ChangeArgs): Promise<ChangeReply> {
    const k = this.keys;
    const r = readReply(
      await this.call(
        'change-8.lua',
        k.meta(a.groupId),
        k.members(a.groupId),
        k.stream(a.groupId),
        k.historyOf(a.groupId),
        k.edits(a.groupId),
        k.deleted(a.groupId),
        k.updates(a.groupId),
        a.webhookEvents ?? k.stream(a.groupId),
        a.userId,
        a.messageId,
        a.text === null ? 'delete' : 'edit',
        a.text ?? '',
        a.at,
        a.byOperator ? 'operator' : a.anyone ? 'anyone' : 'author',
        a.withHistory ? '1' : '0',
        k.notify(a.groupId),
        k.dedupeBefore(a.groupId),
        a.fallback ?? '',
        a.webhookEvents !== undefined ? '1' : '0',
        this.publishCommand,
      ),
      ['changed', 'unchanged', 'not_found', 'not_author', 'deleted', 'not_member', 'group_not_found'] as const,
    );
    if (r.status === 'changed') return { status: r.status, json: r.fields.json as string, cursor: r.fields.cursor as string };
    if (r.status === 'unchanged') return { status: r.status, json: r.fields.json as string };
    if (r.status === 'not_found') return { status: r.status, trimmed: r.fields.trimmed === '1' };
    return { status: r.status };
  }

  /** Takes or renews (`acquire`) or gives up (`release`) a webhook partition's lease (webhookLease-1.lua); true when this hub holds it. */
  async webhookLease(partition: number, instanceId: string, mode: 'acquire' | 'release', leaseMs: number): Promise<boolean> {
    const r = readReply(await this.call('webhookLease-1.lua', this.keys.webhookLease(partition), instanceId, mode, leaseMs), ['held', 'other', 'released'] as const);
    return r.status === 'held';
  }

  /** A dead letter back into its partition for its endpoint (replayDeadLetter-2.lua); false when it is gone. */
  async replayDeadLetter(id: string, partition: number): Promise<boolean> {
    const r = readReply(
      await this.call('replayDeadLetter-2.lua', this.keys.webhookDeadLetters(), this.keys.webhookEvents(partition), id),
      ['replayed', 'not_found'] as const,
    );
    return r.status === 'replayed';
  }

  /** A page of history as it is now, with the stream's top and, with `since`, the changed messages (history-4.lua). */
  async history(groupId: string, before: string | undefined, limit: number, since: string | undefined): Promise<HistoryReply> {
    const k = this.keys;
    const reply = (await this.call('history-4.lua', k.stream(groupId), k.edits(groupId), k.deleted(groupId), k.updates(groupId), before ?? '', limit, since ?? '')) as string[];
    const n = Number(reply[3]);
    return {
      top: reply[0] === '' ? null : (reply[0] as string),
      exhausted: reply[1] === '1',
      moreUpdates: reply[2] === '1',
      messages: reply.slice(4, 4 + n),
      updates: reply.slice(4 + n),
    };
  }

  /** XINFO STREAM / GROUPS / CONSUMERS of one stream (streamInfo-1.lua: routed by the key on a cluster). */
  streamInfo(stream: string, sub: 'STREAM' | 'GROUPS', group?: undefined): Promise<unknown[]>;
  streamInfo(stream: string, sub: 'CONSUMERS', group: string): Promise<unknown[]>;
  async streamInfo(stream: string, sub: 'STREAM' | 'GROUPS' | 'CONSUMERS', group?: string): Promise<unknown[]> {
    return (await this.call('streamInfo-1.lua', stream, sub, group ?? '')) as unknown[];
  }

  /** XACK + XDEL of entries of one history stream; ids in chunks (Lua's unpack has a stack limit). */
  async ackHistory(stream: string, consumerGroup: string, ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const r = readReply(await this.call('ackHistory-1.lua', stream, consumerGroup, ...ids.slice(i, i + 1000)), ['acked'] as const);
      deleted += Number(r.fields.deleted);
    }
    return deleted;
  }
}

/** The `<group>` fields of a script's reply as a Group (the script has just seen the meta hash, so it exists). */
function replyGroup(groupId: string, f: Record<string, string>): Group {
  const g = groupFromMeta(groupId, f, Number(f.memberCount));
  if (!g) throw new Error(`script reply without the group's fields: ${JSON.stringify(f).slice(0, 200)}`);
  return g;
}

/** '' (no end) as null, else the ms. */
function msOrNull(v: string | undefined): number | null {
  return v ? Number(v) : null;
}

/** Space-separated ids (user ids hold no space). */
function splitWords(v: string | undefined): string[] {
  return v ? v.split(' ').filter((w) => w !== '') : [];
}
