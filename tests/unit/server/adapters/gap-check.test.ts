import { describe, expect, it } from 'vitest';
import { GapDetector, sequenceOf } from '../../../../packages/server/src/adapters/redis/gap-check.js';

const entry = (n?: number) => (n === undefined ? ['a', 'x', 't', 'hi'] : ['a', 'x', 't', 'hi', 'n', String(n)]);

describe('GapDetector', () => {
  it('accepts contiguous numbers from the subscribe baseline and flags a skip', () => {
    const d = new GapDetector();
    d.start('g', entry(7));
    expect(d.skipped('g', entry(8))).toBe(false);
    expect(d.skipped('g', entry(9))).toBe(false);
    expect(d.skipped('g', entry(12))).toBe(true);
    expect(d.skipped('g', entry(13))).toBe(false);
  });
  it('has no baseline for an empty stream, nor after forget; unnumbered entries reset it', () => {
    const d = new GapDetector();
    d.start('g', undefined);
    expect(d.skipped('g', entry(40))).toBe(false);
    d.forget('g');
    expect(d.skipped('g', entry(90))).toBe(false);
    expect(d.skipped('g', entry())).toBe(false);
    expect(d.skipped('g', entry(95))).toBe(false);
  });
  it('reads the n field', () => {
    expect(sequenceOf(entry(3))).toBe(3);
    expect(sequenceOf(entry())).toBeUndefined();
    expect(sequenceOf(['t', 'n', 'n', 'x'])).toBeUndefined();
  });
});

describe('GapDetector.follows', () => {
  it('is true only for the very next number after a known one', () => {
    const d = new GapDetector();
    expect(d.follows('g', 1)).toBe(false);
    d.start('g', entry(4));
    expect(d.follows('g', 5)).toBe(true);
    expect(d.follows('g', 6)).toBe(false);
    expect(d.follows('g', 4)).toBe(false);
  });
});
