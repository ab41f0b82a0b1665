/**
 * A membership's two sides on Redis (docs/architecture.md, "One slot per
 * script"): the group's keys are the truth, the user's indexes are written
 * before a join and after a leave, in the user's slot. What a crash between
 * the two can leave behind (an entry for a group the user is not in, an
 * inbox entry without an invitation) is never shown; refused joins and
 * invitations leave nothing; and a leave racing a join again never leaves a
 * member missing from their own conversations.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createProductionEngine } from '../../../packages/server/src/adapters/production-engine.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { parseConfig } from '../../../packages/server/src/config.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import type { Engine } from '../../../packages/server/src/ports/engine.js';
import { listConversations } from '../../../packages/server/src/hub/conversations.js';
import { randomPrefix } from '../setup/engine-env.js';

const prefix = randomPrefix();
const keys = new RedisKeys(prefix);
let a: Engine;
let b: Engine;
let redis: Redis;
let n = 0;
const make = () =>
  createProductionEngine(parseConfig({ NEXT_CHAT_REDIS_URL: inject('redisUrl'), NEXT_CHAT_REDIS_PREFIX: prefix, NEXT_CHAT_INSTANCE_ID: `${prefix}-${n++}` }), {
    logger: silentLogger(),
    metrics: new Metrics({ defaultMetrics: false }),
  });
const room = (id: string, visibility: 'public' | 'private' = 'public', capacity = 100) =>
  a.groups.create({ groupId: id, createdBy: 'owner', atMs: Date.now(), visibility, title: '', topic: '', capacity });

beforeAll(async () => {
  [a, b] = await Promise.all([make(), make()]);
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  redis.disconnect();
  await Promise.all([a?.close(), b?.close()]);
});

describe("the user's side of memberships on Redis", () => {
  it('an entry left by a crash between the two sides is never shown: not in group.list, me.conversations or me.invitations', async () => {
    await room('secret-1', 'private');
    // As a join that died after its first step, and an invitation that did.
    await redis.zadd(keys.userRooms('mallory'), 0, 'secret-1');
    await redis.zadd(keys.userConversations('mallory'), Date.now(), 'secret-1');
    await redis.zadd(keys.userInvitations('mallory'), Date.now(), 'secret-1');
    expect((await a.groups.list({ userId: 'mallory', prefix: 'secret-', limit: 50 })).items).toEqual([]);
    expect((await listConversations(a.groups, 'mallory', { limit: 50 })).conversations).toEqual([]);
    expect((await a.groups.invitations('mallory', { limit: 50 })).items).toEqual([]);
    // The real thing shows.
    await a.groups.invite('secret-1', 'mallory', 'owner', Date.now());
    expect((await a.groups.invitations('mallory', { limit: 50 })).items.map((i) => i.group.id)).toEqual(['secret-1']);
    await a.groups.join('secret-1', 'mallory', 100, Date.now());
    expect((await a.groups.list({ userId: 'mallory', prefix: 'secret-', limit: 50 })).items.map((g) => g.id)).toEqual(['secret-1']);
    expect((await a.groups.invitations('mallory', { limit: 50 })).items).toEqual([]);
  });

  it('a refused join or invitation leaves nothing on the user side', async () => {
    await room('closed-1', 'private');
    await room('tiny-1', 'public', 2);
    await a.groups.join('tiny-1', 'u1', 100, Date.now());
    await a.groups.join('tiny-1', 'u2', 100, Date.now());
    expect((await a.groups.join('closed-1', 'eve', 100, Date.now())).status).toBe('invitation_required');
    expect((await a.groups.join('tiny-1', 'eve', 100, Date.now())).status).toBe('full');
    await a.groups.ban('closed-1', 'eve', 'owner', Date.now(), null, '');
    expect((await a.groups.invite('closed-1', 'eve', 'owner', Date.now())).status).toBe('banned');
    expect(await redis.zrange(keys.userConversations('eve'), 0, -1)).toEqual([]);
    expect(await redis.zrange(keys.userRooms('eve'), 0, -1)).toEqual([]);
    expect(await redis.zrange(keys.userInvitations('eve'), 0, -1)).toEqual([]);
  });

  it('leave, kick and ban take the entries; the join time is the group side’s', async () => {
    await room('life-1');
    const t = Date.now() - 5000;
    await a.groups.join('life-1', 'carol', 100, t);
    expect(Number(await redis.zscore(keys.userConversations('carol'), 'life-1'))).toBe(t);
    await a.groups.leave('life-1', 'carol');
    expect(await redis.zscore(keys.userConversations('carol'), 'life-1')).toBeNull();
    await a.groups.join('life-1', 'carol', 100, Date.now());
    await a.groups.kick('life-1', 'carol');
    expect(await redis.zscore(keys.userRooms('carol'), 'life-1')).toBeNull();
    await a.groups.join('life-1', 'carol', 100, Date.now());
    await a.groups.invite('life-1', 'dave', 'owner', Date.now());
    await a.groups.ban('life-1', 'carol', 'owner', Date.now(), null, '');
    await a.groups.ban('life-1', 'dave', 'owner', Date.now(), null, '');
    expect(await redis.zscore(keys.userConversations('carol'), 'life-1')).toBeNull();
    expect(await redis.zscore(keys.userInvitations('dave'), 'life-1')).toBeNull();
  });

  it('a member whose entry went missing gets it back, with the time they joined, when they join again', async () => {
    await room('mend-1');
    const t = Date.now() - 60_000;
    await a.groups.join('mend-1', 'frank', 100, t);
    await redis.zrem(keys.userConversations('frank'), 'mend-1');
    expect((await a.groups.join('mend-1', 'frank', 100, Date.now())).status).toBe('already');
    expect(Number(await redis.zscore(keys.userConversations('frank'), 'mend-1'))).toBe(t);
  });

  it('leaving and joining again at once, from two hubs: a member is never missing from their own conversations', async () => {
    await room('race-1');
    for (let i = 0; i < 40; i++) {
      await a.groups.join('race-1', 'gina', 100, Date.now());
      // The leave on one hub and a join again on the other, in flight together.
      await Promise.all([a.groups.leave('race-1', 'gina'), b.groups.join('race-1', 'gina', 100, Date.now() + 1)]);
      const member = (await a.groups.membership('race-1', 'gina')) === 'member';
      const entry = await redis.zscore(keys.userConversations('gina'), 'race-1');
      if (member) {
        expect(entry, `round ${i}`).not.toBeNull();
        const joinedAt = Date.parse((await redis.hget(keys.joined('race-1'), 'gina')) as string);
        expect(Number(entry), `round ${i}: the entry is the membership's`).toBe(joinedAt);
      }
      if (member) await a.groups.leave('race-1', 'gina');
    }
  });

  it('create: a taken id answers before any quota and gives the quota back if it was taken meanwhile; the index follows visibility', async () => {
    const quota = { perWindow: 3, windowMs: 60_000, total: 0 };
    const made = (id: string, visibility: 'public' | 'private' = 'public') =>
      a.groups.create({ groupId: id, createdBy: 'quinn', atMs: Date.now(), visibility, title: '', topic: '', capacity: 10 }, quota);
    expect((await made('q-1')).status).toBe('created');
    expect((await made('q-1')).status).toBe('exists');
    // Two hubs racing for one id: one creates, the other's quota is given back.
    const race = await Promise.all([made('q-2'), b.groups.create({ groupId: 'q-2', createdBy: 'quinn', atMs: Date.now(), visibility: 'public', title: '', topic: '', capacity: 10 }, quota)]);
    expect(race.map((r) => r.status).sort()).toEqual(['created', 'exists']);
    expect(Number(await redis.get(keys.userCreateWindow('quinn')))).toBe(2);
    expect((await made('q-3')).status).toBe('created');
    expect((await made('q-4')).status).toBe('quota');
    // A leftover index entry (a create that died after writing it) names nothing listable.
    await redis.zadd(keys.groups(), 0, 'q-ghost');
    await a.groups.create({ groupId: 'q-hidden', createdBy: 'rose', atMs: Date.now(), visibility: 'private', title: '', topic: '', capacity: 10 });
    await redis.zadd(keys.groups(), 0, 'q-hidden');
    expect((await a.groups.list({ userId: 'stranger', prefix: 'q-', limit: 50 })).items.map((g) => g.id)).toEqual(['q-1', 'q-2', 'q-3']);
  });

  it('update and delete: the index and the members\' entries follow the room', async () => {
    await room('vis-1');
    await a.groups.join('vis-1', 'sam', 100, Date.now());
    expect((await a.groups.update('vis-1', { visibility: 'private' })).status).toBe('updated');
    expect(await redis.zscore(keys.groups(), 'vis-1')).toBeNull();
    expect(await redis.zscore(keys.userRooms('sam'), 'vis-1')).not.toBeNull();
    expect((await a.groups.list({ userId: 'sam', prefix: 'vis-', limit: 50 })).items.map((g) => g.id)).toEqual(['vis-1']);
    expect((await a.groups.list({ userId: 'stranger', prefix: 'vis-', limit: 50 })).items).toEqual([]);
    await a.groups.update('vis-1', { visibility: 'public' });
    expect(await redis.zscore(keys.groups(), 'vis-1')).not.toBeNull();
    await a.groups.invite('vis-1', 'tom', 'owner', Date.now());
    await a.groups.delete('vis-1');
    expect(await redis.zscore(keys.groups(), 'vis-1')).toBeNull();
    expect(await redis.zscore(keys.userConversations('sam'), 'vis-1')).toBeNull();
    expect(await redis.zscore(keys.userRooms('sam'), 'vis-1')).toBeNull();
    expect(await redis.zscore(keys.userInvitations('tom'), 'vis-1')).toBeNull();
  });

  it('direct conversations: both entries written, and mended when one went missing', async () => {
    await a.groups.openDirect('dm-test-1', 'hana', 'ivan', Date.now());
    expect(await redis.zscore(keys.userConversations('ivan'), 'dm-test-1')).not.toBeNull();
    await redis.zrem(keys.userConversations('ivan'), 'dm-test-1');
    expect((await a.groups.openDirect('dm-test-1', 'hana', 'ivan', Date.now() + 5000)).status).toBe('exists');
    const created = Date.parse((await a.groups.get('dm-test-1'))!.createdAt);
    expect(Number(await redis.zscore(keys.userConversations('ivan'), 'dm-test-1'))).toBe(created);
    await a.groups.block('ivan', 'jack');
    expect((await a.groups.openDirect('dm-test-2', 'jack', 'ivan', Date.now())).status).toBe('blocked');
    expect(await redis.zscore(keys.userConversations('jack'), 'dm-test-2')).toBeNull();
  });
});
