/**
 * The fan-out reader on its own, fed by the real publish script: order and
 * exactly-once over many groups, a new group's first message at once,
 * announcements delivered without a stream read, recovery from lost
 * announcements and a dropped subscriber connection, and gaps reported when
 * entries were trimmed before the reader got to them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { decodeMessage, messageBody, messageJson, type ClusterEvent, type MessageEvent } from '../../../packages/server/src/events/codec.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { NotifyReader } from '../../../packages/server/src/adapters/redis/notify-reader.js';
import { Scripts } from '../../../packages/server/src/adapters/redis/scripts.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';
import { randomPrefix } from '../setup/engine-env.js';
import { startRedis } from '../setup/services.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.disconnect());

class Sink {
  readonly got = new Map<string, MessageEvent[]>();
  readonly gaps: string[] = [];
  private waiters: (() => void)[] = [];
  onEvent = (e: ClusterEvent) => {
    if (e.kind !== 'message') return;
    const list = this.got.get(e.groupId) ?? [];
    list.push(e);
    this.got.set(e.groupId, list);
    this.wake();
  };
  onGap = (g: string) => {
    this.gaps.push(g);
    this.wake();
  };
  ids(g: string): string[] {
    return (this.got.get(g) ?? []).map((e) => e.id);
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async until(pred: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('deliveries did not arrive in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
}

/** A group with member `u` and a function that publishes into it through the real script. */
async function group(conn: Redis, keys: RedisKeys, g: string, opts: { withHistory?: boolean } = {}) {
  const scripts = new Scripts(conn, keys);
  await scripts.create(g, 'u', new Date().toISOString());
  await scripts.join(g, 'u', 100, new Date().toISOString());
  let i = 0;
  return async (): Promise<string> => {
    const body = messageBody({ groupId: g, authorId: 'u', text: `m${i++}`, sentAt: new Date().toISOString() });
    const r = await scripts.publish({ groupId: g, authorId: 'u', body, clientMessageId: undefined, dedupeSeconds: 600, withHistory: opts.withHistory ?? false, retentionMs: 0 });
    if (r.status !== 'published') throw new Error(r.status);
    return r.id;
  };
}

/** An entry as the publish script writes it (number, JSON), but not announced. */
async function appendSilently(keys: RedisKeys, g: string): Promise<string> {
  const n = await redis.hincrby(keys.meta(g), 'seq', 1);
  const body = messageBody({ groupId: g, authorId: 'u', text: `silent ${n}`, sentAt: new Date().toISOString() });
  // The JSON carries the id, so the id is chosen first, as the script does.
  const last = await redis.hget(keys.meta(g), 'last');
  const ms = Date.now();
  let id = `${ms}-0`;
  if (last) {
    const [lastMs, lastSeq] = last.split('-').map(Number) as [number, number];
    if (ms <= lastMs) id = `${lastMs}-${lastSeq + 1}`;
  }
  await redis.xadd(keys.stream(g), id, 'n', String(n), 'd', messageJson(id, body));
  await redis.hset(keys.meta(g), 'last', id, 'top', id);
  return id;
}

function reader(url: string, conn: Redis, keys: RedisKeys, sink: Sink, metrics = new Metrics({ defaultMetrics: false }), sweepMs = 60_000): NotifyReader {
  return new NotifyReader({ url, commands: conn, keys, onEvent: sink.onEvent, onGap: sink.onGap, logger: silentLogger(), metrics, sweepMs });
}

describe('notify reader', () => {
  it('delivers each group in stream order, exactly once, over many groups; each event is the message the script stored', async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const r = reader(inject('redisUrl'), redis, keys, sink);
    r.start();
    try {
      const groups = Array.from({ length: 100 }, (_, i) => `g${i}`);
      const publishers = new Map<string, () => Promise<string>>();
      for (const g of groups) {
        publishers.set(g, await group(redis, keys, g));
        expect(await r.add(g)).toBe('0-0');
      }
      const sent = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          const g = groups[(i * 7919) % groups.length] as string;
          const id = await publishers.get(g)!();
          sent.set(g, [...(sent.get(g) ?? []), id]);
        }),
      );
      await sink.until(() => [...sink.got.values()].reduce((n, l) => n + l.length, 0) >= 1000);
      // Replies of one connection come back in the order Redis ran the scripts: stream order.
      for (const [g, ids] of sent) expect(sink.ids(g)).toEqual(ids);
      // The JSON is the protocol's Message, the id inside it the entry's.
      const e = sink.got.get('g0')![0]!;
      expect(decodeMessage(e.json)).toMatchObject({ id: e.id, groupId: 'g0', authorId: 'u' });
      expect(sink.gaps).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it("delivers a newly added group's first message at once, and announced entries without a stream read", async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const metrics = new Metrics({ defaultMetrics: false });
    const r = reader(inject('redisUrl'), redis, keys, sink, metrics);
    r.start();
    try {
      const busy = await group(redis, keys, 'busy');
      await r.add('busy');
      await busy();
      await sink.until(() => sink.got.has('busy'));
      const fresh = await group(redis, keys, 'fresh');
      expect(await r.add('fresh')).toBe('0-0');
      const first = await fresh();
      await sink.until(() => sink.got.has('fresh'));
      expect(sink.ids('fresh')).toEqual([first]);
      // From now on each announcement is the next entry after the cursor: no reads.
      const reads = (await metrics.streamReads.get()).values[0]?.value ?? 0;
      const more = [await fresh(), await fresh(), await fresh()];
      await sink.until(() => sink.ids('fresh').length >= 4);
      expect(sink.ids('fresh')).toEqual([first, ...more]);
      expect((await metrics.streamReads.get()).values[0]?.value ?? 0).toBe(reads);
    } finally {
      await r.close();
    }
  });

  it('finds entries whose announcement was lost, at the next sweep', async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const r = reader(inject('redisUrl'), redis, keys, sink, undefined, 200);
    r.start();
    try {
      await group(redis, keys, 'quiet');
      await r.add('quiet');
      // Entries whose announcement never came: appended as the script does, without the PUBLISH.
      const ids = [await appendSilently(keys, 'quiet'), await appendSilently(keys, 'quiet')];
      await sink.until(() => sink.ids('quiet').length >= 2);
      expect(sink.ids('quiet')).toEqual(ids);
    } finally {
      await r.close();
    }
  });

  it('re-reads everything after its subscriber connection is dropped', async () => {
    // A Redis of its own: CLIENT KILL TYPE pubsub would hit other files' hubs.
    const own = await startRedis({ appendonly: false });
    const ownRedis = new Redis(own.url);
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const r = reader(own.url, ownRedis, keys, sink);
    r.start();
    try {
      const publish = await group(ownRedis, keys, 'g');
      await r.add('g');
      const first = await publish();
      await sink.until(() => sink.got.has('g'));
      // Drop the subscriber and publish while it is away (its announcement is lost).
      await ownRedis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      const missed = await publish();
      await sink.until(() => sink.ids('g').length >= 2);
      const later = await publish();
      await sink.until(() => sink.ids('g').length >= 3);
      expect(sink.ids('g')).toEqual([first, missed, later]);
    } finally {
      await r.close();
      ownRedis.disconnect();
      await own.dispose();
    }
  });

  it('reports a gap when entries were trimmed before it read them, and delivers on after it', async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const r = reader(inject('redisUrl'), redis, keys, sink);
    r.start();
    try {
      const publish = await group(redis, keys, 'lossy');
      await r.add('lossy');
      const first = await publish();
      await sink.until(() => sink.got.has('lossy'));
      // Entries appended and trimmed away behind the reader's back: no announcement reaches it
      // (the script announces, so write them with a raw XADD that skips the channel). Trimming
      // takes the oldest entries, the one the reader stands on with them.
      for (let i = 0; i < 3; i++) await appendSilently(keys, 'lossy');
      await redis.xtrim(keys.stream('lossy'), 'MAXLEN', 0);
      const after = await publish();
      await sink.until(() => sink.ids('lossy').length >= 2, 3000);
      expect(sink.ids('lossy')).toEqual([first, after]);
      expect(sink.gaps).toEqual(['lossy']);
    } finally {
      await r.close();
    }
  });

  it('entries deleted from the middle of the stream (deleted messages) leave holes that are no gap', async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const r = reader(inject('redisUrl'), redis, keys, sink);
    r.start();
    try {
      const publish = await group(redis, keys, 'holes');
      await r.add('holes');
      const first = await publish();
      await sink.until(() => sink.got.has('holes'));
      for (let i = 0; i < 3; i++) await redis.xdel(keys.stream('holes'), await appendSilently(keys, 'holes'));
      const kept = await appendSilently(keys, 'holes');
      await redis.xdel(keys.stream('holes'), await appendSilently(keys, 'holes'));
      const after = await publish();
      await sink.until(() => sink.ids('holes').length >= 3, 3000);
      expect(sink.ids('holes')).toEqual([first, kept, after]);
      expect(sink.gaps).toEqual([]);
    } finally {
      await r.close();
    }
  });
});
