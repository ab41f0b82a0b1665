import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../../../packages/client/src/reconnect.js';

describe('backoff with full jitter', () => {
  const opts = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };

  it('grows the ceiling exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n, opts))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffCeiling(10_000, opts)).toBe(1000);
  });

  it('draws each delay uniformly in [0, ceiling)', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(399);
  });

  it('counts attempts and resets after a success', () => {
    const b = new Backoff(opts, () => 0.5);
    expect(b.next()).toEqual({ attempt: 1, delayMs: 50 });
    expect(b.next()).toEqual({ attempt: 2, delayMs: 100 });
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next().attempt).toBe(1);
  });

  it('uses the documented defaults and rejects nonsense', () => {
    expect(new Backoff({}, () => 0.5).next().delayMs).toBe(DEFAULT_BACKOFF.initialDelayMs / 2);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(TypeError);
    expect(() => new Backoff({ initialDelayMs: -1 })).toThrow(TypeError);
  });
});
