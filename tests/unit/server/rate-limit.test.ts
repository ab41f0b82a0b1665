import { describe, expect, it } from 'vitest';
import { FrameAdmission, RefusalMeter, TokenBucket } from '../../../packages/server/src/rpc/rate-limit.js';

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

describe('RefusalMeter', () => {
  it('overflows when refusals come faster than the rate drains them, not when the client waits', () => {
    let t = 0;
    const m = new RefusalMeter(10, 5, () => t);
    for (let i = 0; i < 5; i++) expect(m.refuse()).toBe(false);
    expect(m.refuse()).toBe(true);
    t += 1000; // drains 10
    expect(m.refuse()).toBe(false);
    // A client that retries at the rate never fills it.
    const polite = new RefusalMeter(10, 5, () => t);
    for (let i = 0; i < 1000; i++) {
      t += 100;
      expect(polite.refuse()).toBe(false);
    }
  });
});

describe('FrameAdmission', () => {
  it('takes from the connection bucket, then the user bucket shared by connections', () => {
    let t = 0;
    const user = new TokenBucket(1, 3, () => t);
    const a = new FrameAdmission(new TokenBucket(10, 10, () => t), user, new RefusalMeter(10, 100, () => t));
    const b = new FrameAdmission(new TokenBucket(10, 10, () => t), user, undefined);
    expect(a.admit()).toEqual({ ok: true });
    expect(b.admit()).toEqual({ ok: true });
    expect(a.admit()).toEqual({ ok: true });
    const refused = b.admit();
    expect(refused).toMatchObject({ ok: false, limit: 'user_rate', flooding: false });
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('reports flooding once refusals overflow the meter', () => {
    let t = 0;
    const a = new FrameAdmission(new TokenBucket(1, 1, () => t), undefined, new RefusalMeter(1, 3, () => t));
    expect(a.admit().ok).toBe(true);
    const outcomes = Array.from({ length: 5 }, () => a.admit());
    expect(outcomes.map((o) => !o.ok && o.limit)).toEqual(['rate', 'rate', 'rate', 'rate', 'rate']);
    expect(outcomes.map((o) => !o.ok && o.flooding)).toEqual([false, false, false, true, true]);
  });
});
