import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../packages/server/src/rpc/rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst of twice the rate, then one per 1/rate second', () => {
    let t = 0;
    const b = new TokenBucket(10, 20, () => t);
    for (let i = 0; i < 20; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBe(100);
    t += 100;
    expect(b.take()).toBe(0);
    expect(b.take()).toBeGreaterThan(0);
    t += 10_000;
    for (let i = 0; i < 20; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBeGreaterThan(0);
  });
});
