/**
 * The two fan-out readers on their own: order and exactly-once over many
 * groups, a new group's first message without waiting for a block timeout,
 * and (notify reader) recovery from lost notifications and a dropped
 * subscriber connection.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { StreamReader, type GroupReader } from '../../../packages/server/src/adapters/redis/stream-reader.js';
import { NotifyReader } from '../../../packages/server/src/adapters/redis/notify-reader.js';
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
  readonly got = new Map<string, string[]>();
  private waiters: (() => void)[] = [];
  onEntry = (g: string, id: string) => {
    const list = this.got.get(g) ?? [];
    list.push(id);
    this.got.set(g, list);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  };
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

function publishScript(keys: RedisKeys, g: string, notify = true): Promise<string> {
  return redis.eval(
    "local id = redis.call('XADD', KEYS[1], '*', 'a', 'u', 't', 'x', 's', '', 'c', '') if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], id) end return id",
    1,
    keys.stream(g),
    notify ? keys.notify(g) : '',
  ) as Promise<string>;
}

const kinds = {
  block: (keys: RedisKeys, sink: Sink, name: string): GroupReader =>
    new StreamReader({ url: inject('redisUrl'), commands: redis, keys, onEntry: sink.onEntry, logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }), blockMs: 60_000 }),
  notify: (keys: RedisKeys, sink: Sink, name: string, sweepMs = 60_000): GroupReader =>
    new NotifyReader({ url: inject('redisUrl'), commands: redis, keys, onEntry: sink.onEntry, logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }), sweepMs }),
};

for (const [kind, make] of Object.entries(kinds)) {
  describe(`${kind} reader`, () => {
    it('delivers each group in stream order, exactly once, over many groups', async () => {
      const keys = new RedisKeys(randomPrefix());
      const sink = new Sink();
      const reader = make(keys, sink, kind);
      reader.start();
      try {
        const groups = Array.from({ length: 300 }, (_, i) => `g${i}`);
        for (const g of groups) expect(await reader.add(g)).toBe('0-0');
        const sent = new Map<string, string[]>();
        const jobs: Promise<void>[] = [];
        for (let i = 0; i < 1500; i++) {
          const g = groups[(i * 7919) % groups.length];
          jobs.push(
            publishScript(keys, g).then((id) => {
              const l = sent.get(g) ?? [];
              l.push(id);
              sent.set(g, l);
            }),
          );
        }
        await Promise.all(jobs);
        await sink.until(() => [...sink.got.values()].reduce((n, l) => n + l.length, 0) >= 1500);
        for (const [g, ids] of sent) expect(sink.got.get(g)).toEqual(ids);
      } finally {
        await reader.close();
      }
    });

    it("delivers a newly added group's first message without waiting for a timeout", async () => {
      const keys = new RedisKeys(randomPrefix());
      const sink = new Sink();
      const reader = make(keys, sink, kind);
      reader.start();
      try {
        await reader.add('busy');
        await publishScript(keys, 'busy');
        await sink.until(() => sink.got.has('busy'));
        // The reader now waits (blocked for 60 s, or for notifications): adding must wake it.
        const top = await reader.add('fresh');
        const id = await publishScript(keys, 'fresh');
        await sink.until(() => sink.got.has('fresh'), 15_000);
        expect(sink.got.get('fresh')).toEqual([id]);
        expect(top).toBe('0-0');
      } finally {
        await reader.close();
      }
    });
  });
}

describe('notify reader without notifications', () => {
  it('finds entries whose notification was lost, at the next sweep', async () => {
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const reader = kinds.notify(keys, sink, 'sweep', 200);
    reader.start();
    try {
      await reader.add('quiet');
      const ids = [await publishScript(keys, 'quiet', false), await publishScript(keys, 'quiet', false)];
      await sink.until(() => (sink.got.get('quiet')?.length ?? 0) >= 2);
      expect(sink.got.get('quiet')).toEqual(ids);
    } finally {
      await reader.close();
    }
  });

  it('re-reads everything after its subscriber connection is dropped', async () => {
    // A Redis of its own: CLIENT KILL TYPE pubsub would hit other files' hubs.
    const own = await startRedis({ appendonly: false });
    const ownRedis = new Redis(own.url);
    const keys = new RedisKeys(randomPrefix());
    const sink = new Sink();
    const reader = new NotifyReader({ url: own.url, commands: ownRedis, keys, onEntry: sink.onEntry, logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }), sweepMs: 60_000 });
    const publishScript = (k: RedisKeys, g: string) =>
      ownRedis.eval("local id = redis.call('XADD', KEYS[1], '*', 'a', 'u') redis.call('PUBLISH', ARGV[1], id) return id", 1, k.stream(g), k.notify(g)) as Promise<string>;
    reader.start();
    try {
      await reader.add('g');
      const first = await publishScript(keys, 'g');
      await sink.until(() => sink.got.has('g'));
      // Drop the subscriber and publish while it is away (its notification is lost).
      await ownRedis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      const missed = await publishScript(keys, 'g');
      await sink.until(() => (sink.got.get('g')?.length ?? 0) >= 2);
      const later = await publishScript(keys, 'g');
      await sink.until(() => (sink.got.get('g')?.length ?? 0) >= 3);
      expect(sink.got.get('g')).toEqual([first, missed, later]);
    } finally {
      await reader.close();
      ownRedis.disconnect();
      await own.dispose();
    }
  });
});
