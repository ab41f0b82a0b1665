/**
 * The Lua scripts of packages/server/lua, registered with defineCommand as
 * `<name>:<sha8>` so hubs of different releases sharing one Redis never run
 * each other's scripts, and one typed wrapper per script that turns its reply
 * into an object. File name = command + key count (`join-3.lua`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { CreateQuota } from '../../ports/group-store.js';
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
  const lua = readFileSync(new URL(file, LUA_DIR), 'utf8');
  const version = createHash('sha1').update(lua).digest('hex').slice(0, 8);
  return { command: `${m[1]}:${version}`, numberOfKeys: Number(m[2]), lua };
}

const FILES = ['publish-5.lua', 'create-4.lua', 'join-3.lua', 'leave-3.lua', 'ackHistory-1.lua'] as const;
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
  | { status: 'joined' | 'already'; joinedAt: string; createdBy: string; createdAt: string; memberCount: number }
  | { status: 'full'; capacity: number }
  | { status: 'group_not_found' };

export type CreateReply = { status: 'created' } | { status: 'exists' } | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number };

export type LeaveReply = { status: 'left' | 'not_member' | 'group_not_found' };

export interface PublishArgs {
  groupId: string;
  authorId: string;
  /** The message's JSON without its id (events/codec.ts messageBody). */
  body: string;
  clientMessageId: string | undefined;
  dedupeSeconds: number;
  withHistory: boolean;
  retentionMs: number;
}

/** Typed calls of the scripts on one connection. */
export class Scripts {
  private readonly fns = new Map<string, ScriptFn>();

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
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
        'publish-5.lua',
        k.meta(a.groupId),
        k.members(a.groupId),
        k.stream(a.groupId),
        k.history(),
        k.dedupe(a.groupId, a.authorId, cmid),
        a.authorId,
        a.body,
        cmid,
        a.dedupeSeconds,
        a.withHistory ? '1' : '0',
        a.retentionMs,
        k.notify(a.groupId),
      ),
      ['published', 'duplicate', 'group_not_found', 'not_member'] as const,
    );
    if (r.status === 'published') return { status: r.status, id: r.fields.id as string };
    if (r.status === 'duplicate') return { status: r.status, json: r.fields.json as string };
    return { status: r.status };
  }

  async create(groupId: string, createdBy: string, createdAt: string, quota: CreateQuota): Promise<CreateReply> {
    const k = this.keys;
    const r = readReply(
      await this.call(
        'create-4.lua',
        k.meta(groupId),
        k.groups(),
        k.userCreated(createdBy),
        k.userCreateWindow(createdBy),
        groupId,
        createdBy,
        createdAt,
        quota.perWindow,
        quota.windowMs,
        quota.total,
      ),
      ['created', 'exists', 'quota'] as const,
    );
    if (r.status !== 'quota') return { status: r.status };
    return { status: 'quota', quota: r.fields.quota === 'total' ? 'total' : 'window', retryAfterMs: Number(r.fields.retryAfterMs) };
  }

  async join(groupId: string, userId: string, capacity: number, joinedAt: string): Promise<JoinReply> {
    const k = this.keys;
    const r = readReply(
      await this.call('join-3.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), userId, capacity, joinedAt),
      ['joined', 'already', 'full', 'group_not_found'] as const,
    );
    const f = r.fields;
    if (r.status === 'group_not_found') return { status: r.status };
    if (r.status === 'full') return { status: r.status, capacity: Number(f.capacity) };
    return { status: r.status, joinedAt: f.joinedAt as string, createdBy: f.createdBy as string, createdAt: f.createdAt as string, memberCount: Number(f.memberCount) };
  }

  async leave(groupId: string, userId: string): Promise<LeaveReply> {
    const k = this.keys;
    const r = readReply(await this.call('leave-3.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), userId), ['left', 'not_member', 'group_not_found'] as const);
    return { status: r.status };
  }

  /** XACK + XDEL of history entries; ids in chunks (Lua's unpack has a stack limit). */
  async ackHistory(consumerGroup: string, ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const r = readReply(await this.call('ackHistory-1.lua', this.keys.history(), consumerGroup, ...ids.slice(i, i + 1000)), ['acked'] as const);
      deleted += Number(r.fields.deleted);
    }
    return deleted;
  }
}
