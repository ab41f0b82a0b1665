/**
 * The engine contract's gap on Redis: messages of a group gone from its
 * stream before a hub read them.
 *
 * tests/integration/faults/trimmed-gap.test.ts gets there the slow, real way:
 * a hub frozen with SIGSTOP, its announcements cut, retention 0, hundreds of
 * sends until the trim passes the frozen hub's cursor. What the hub's reader
 * then finds is the next entry it reads numbered past the last one it
 * delivered: the publish script numbers each group's entries 1, 2, 3... from
 * the `seq` counter of the group's meta hash (field `n` of the entry), and
 * the reader compares numbers, nothing else (a trimmed entry leaves no trace
 * but the hole in the numbering).
 *
 * So this makes exactly that hole, deterministically and independent of the
 * entry format: it moves the counter on by `count`, as `count` appends would
 * have, without writing the entries (they are as gone as trimmed ones) and
 * without announcing anything, and trims the stream's older entries away as
 * a trim past the hub's cursor would (a hole with the stream still starting
 * at or before the cursor is deleted messages, no gap). No reader can see
 * the missing entries, and the next message published is numbered past them.
 */
import { Redis } from 'ioredis';
import type { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';

/** Numbers `count` messages of `groupId` that nobody will ever read; resolves with the group's counter after them. */
export async function loseUnread(redisUrl: string, keys: RedisKeys, groupId: string, count = 3): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    if ((await redis.hexists(keys.meta(groupId), 'seq')) !== 1) {
      throw new Error(`group ${groupId} has no message counter yet: publish to it before making a gap`);
    }
    const seq = await redis.hincrby(keys.meta(groupId), 'seq', count);
    // Trimming takes the oldest entries: with them goes the one the hub's
    // cursor stands on, which tells the hole from deleted messages' holes.
    await redis.xtrim(keys.stream(groupId), 'MAXLEN', 0);
    return seq;
  } finally {
    redis.disconnect();
  }
}
