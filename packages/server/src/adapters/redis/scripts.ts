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

export type PublishReply =
  | { status: 'published'; id: string }
  | { status: 'duplicate'; id: string; text: string; sentAt: string }
  | { status: 'group_not_found' }
  | { status: 'not_member' };

export type JoinReply =
  | { status: 'joined' | 'already'; joinedAt: string; createdBy: string; createdAt: string; memberCount: number }
  | { status: 'full'; capacity: number }
  | { status: 'group_not_found' };

export type CreateReply = { status: 'created' } | { status: 'exists' } | { status: 'quota'; quota: 'window' | 'total'; retryAfterMs: number };

export type LeaveReply = { status: 'left' | 'not_member' | 'group_not_found' };

export interface PublishArgs {
  groupId: string;
  authorId: string;
  text: string;
  sentAt: string;
  clientMessageId: string | undefined;
  dedupeSeconds: number;
  withHistory: boolean;
  retentionMs: number;
  /** Announce the new id on the group's notify channel. */
  notify: boolean;
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
    const reply = await this.call(
      'publish-5.lua',
      k.meta(a.groupId),
      k.members(a.groupId),
      k.stream(a.groupId),
      k.history(),
      k.dedupe(a.groupId, a.authorId, cmid),
      a.authorId,
      a.text,
      a.sentAt,
      a.groupId,
      cmid,
      a.dedupeSeconds,
      a.withHistory ? '1' : '0',
      a.retentionMs,
      a.notify ? k.notify(a.groupId) : '',
    );
    if (reply === -1) return { status: 'group_not_found' };
    if (reply === -2) return { status: 'not_member' };
    const [code, value] = reply as [number, string];
    if (code === 1) return { status: 'published', id: value };
    const original = JSON.parse(value) as { id: string; text: string; sentAt: string };
    return { status: 'duplicate', id: original.id, text: original.text, sentAt: original.sentAt };
  }

  async create(groupId: string, createdBy: string, createdAt: string, quota: CreateQuota): Promise<CreateReply> {
    const k = this.keys;
    const reply = (await this.call(
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
    )) as [string, string?, number?];
    if (reply[0] === 'created') return { status: 'created' };
    if (reply[0] === 'exists') return { status: 'exists' };
    return { status: 'quota', quota: reply[1] === 'total' ? 'total' : 'window', retryAfterMs: Number(reply[2]) };
  }

  async join(groupId: string, userId: string, capacity: number, joinedAt: string): Promise<JoinReply> {
    const k = this.keys;
    const reply = await this.call('join-3.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), userId, capacity, joinedAt);
    if (reply === -1) return { status: 'group_not_found' };
    const r = reply as [number, ...(string | number)[]];
    if (r[0] === -3) return { status: 'full', capacity: Number(r[1]) };
    return {
      status: r[0] === 1 ? 'joined' : 'already',
      joinedAt: String(r[1]),
      createdBy: String(r[2]),
      createdAt: String(r[3]),
      memberCount: Number(r[4]),
    };
  }

  async leave(groupId: string, userId: string): Promise<LeaveReply> {
    const k = this.keys;
    const reply = await this.call('leave-3.lua', k.meta(groupId), k.members(groupId), k.joined(groupId), userId);
    return { status: reply === 1 ? 'left' : reply === 0 ? 'not_member' : 'group_not_found' };
  }

  /** XACK + XDEL of history entries; ids in chunks (Lua's unpack has a stack limit). */
  async ackHistory(consumerGroup: string, ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      deleted += Number(await this.call('ackHistory-1.lua', this.keys.history(), consumerGroup, ...ids.slice(i, i + 1000)));
    }
    return deleted;
  }
}
