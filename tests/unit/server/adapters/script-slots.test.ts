/**
 * The Redis Cluster rule for Lua scripts: every key one script touches must
 * hash to one slot. Each wrapper of scripts.ts is called, with the cluster's
 * key layout (a history stream per slot), on a recording stand-in for
 * ioredis, and the slots of the keys it passes are compared. The scripts
 * that still span slots are listed by name, with why.
 */
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisKeys } from '../../../../packages/server/src/adapters/redis/keys.js';
import { Scripts } from '../../../../packages/server/src/adapters/redis/scripts.js';
import calculateSlot from 'cluster-key-slot';

/** Redis' rule (CRC16 of the part between the first `{` and the next `}`, when not empty; else of the whole key). */
const hashTag = (key: string): number => calculateSlot(key);

function recorder(): { redis: Redis; calls: { command: string; keys: string[] }[] } {
  const calls: { command: string; keys: string[] }[] = [];
  const counts = new Map<string, number>();
  const target: Record<string, unknown> = {
    defineCommand(name: string, def: { numberOfKeys: number }) {
      counts.set(name, def.numberOfKeys);
      target[name] = (...args: (string | number)[]) => {
        calls.push({ command: name.split(':')[0] as string, keys: args.slice(0, counts.get(name)).map(String) });
        return Promise.reject(new Error('recorded'));
      };
    },
  };
  return { redis: target as unknown as Redis, calls };
}

/** The scripts that still touch keys of more than one slot, and why. */
const STILL_SPANNING: Record<string, string> = {
  // Webhooks are refused on a cluster (config.ts) until their partitions follow the groups' slots.
  replayDeadLetter: 'the dead letters and a partition',
};

describe('Lua scripts and Redis Cluster slots', () => {
  it("every script but the listed ones touches one slot: a group's, a user's or a partition's", async () => {
    const { redis, calls } = recorder();
    const s = new Scripts(redis, new RedisKeys('nc', true));
    const g = 'room-1';
    const attempts: Promise<unknown>[] = [
      s.publish({ groupId: g, authorId: 'alice', body: '{"groupId":"room-1"}', clientMessageId: 'c1', dedupeSeconds: 600, withHistory: true, retentionMs: 1000 }),
      s.create(g, 'alice', new Date().toISOString()),
      s.createQuota('alice', { perWindow: 10, windowMs: 1000, total: 100 }, 'take'),
      s.join(g, 'alice', 10, new Date().toISOString()),
      s.read(g, 'alice', '1-0'),
      s.announce(g, '{}'),
      s.leave(g, 'alice'),
      s.kick(g, 'alice'),
      s.ban(g, 'alice', '{}'),
      s.unban(g, 'alice', 0),
      s.invite(g, 'alice', '{}', 0),
      s.decline(g, 'alice'),
      s.update(g, { title: 't' }),
      s.setRole(g, 'alice', 'admin'),
      s.delete(g),
      s.openDirect('dm-1', 'alice', 'bob', new Date().toISOString(), ['alice', 'bob']),
      s.userJoinIntent('alice', g, 0),
      s.userJoinUndo('alice', g, 0, '11'),
      s.userLeave('alice', g, 0),
      s.conversation(g, 'alice'),
      s.change({ groupId: g, userId: 'alice', messageId: '1-0', text: 'x', at: new Date().toISOString(), anyone: false, withHistory: true }),
    ];
    await Promise.allSettled(attempts);
    const spanning = new Map<string, number[]>();
    for (const c of calls) {
      const tags = new Set(c.keys.map(hashTag));
      if (tags.size > 1) spanning.set(c.command, [...tags]);
    }
    expect([...spanning.keys()].sort()).toEqual(Object.keys(STILL_SPANNING).filter((k) => calls.some((c) => c.command === k)).sort());
    // The membership scripts are among the single-slot ones now: their user side has a script of its own.
    for (const name of ['publish', 'change', 'create', 'createQuota', 'update', 'delete', 'join', 'leave', 'kick', 'ban', 'invite', 'decline', 'openDirect', 'userJoin', 'userLeave']) {
      const c = calls.find((x) => x.command === name);
      expect(c, name).toBeDefined();
      expect(new Set(c!.keys.map(hashTag)).size, name).toBe(1);
    }
  });
});
