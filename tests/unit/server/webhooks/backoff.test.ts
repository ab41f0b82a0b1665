import { describe, expect, it } from 'vitest';
import { nextAttemptAt, retryDelayMs } from '../../../../packages/server/src/webhooks/backoff.js';
import { partitionOf } from '../../../../packages/server/src/webhooks/partition.js';

describe('webhook retry schedule', () => {
  it('waits 1 s after the first failure, doubling, capped at 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000]);
    expect(retryDelayMs(50)).toBe(300000);
    expect(retryDelayMs(10_000)).toBe(300000);
  });

  it('retries until the window ends, the last try pulled in to its end, then gives up', () => {
    // A 2 s window from t=0: attempts at 0, 1 s, 2 s, then dead.
    expect(nextAttemptAt(1, 0, 2000)).toBe(1000);
    expect(nextAttemptAt(2, 1000, 2000)).toBe(2000);
    expect(nextAttemptAt(3, 2000, 2000)).toBeNull();
    // A window already over still got its one attempt; no second.
    expect(nextAttemptAt(1, 5000, 2000)).toBeNull();
    // A day's window: the schedule settles at 5 min.
    expect(nextAttemptAt(12, 1_000_000, 86_400_000)).toBe(1_300_000);
  });
});

describe('webhook partitions', () => {
  it('a group always maps to the same partition, within range, spread over them', () => {
    expect(partitionOf('room-1', 16)).toBe(partitionOf('room-1', 16));
    // Pinned: the hash must not change between releases (rooms in flight would be reordered).
    expect([partitionOf('room-1', 16), partitionOf('dm-a-b', 16), partitionOf('ünïcode', 16), partitionOf('', 16)]).toEqual([12, 3, 11, 5]);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const p = partitionOf(`g${i}`, 16);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(16);
      seen.add(p);
    }
    expect(seen.size).toBe(16);
    expect(partitionOf('anything', 1)).toBe(0);
  });
});
