import { describe, expect, it } from 'vitest';
import { messageEvent } from '../../../../packages/server/src/events/codec.js';
import { ReadSet } from '../../../../packages/server/src/adapters/redis/read-set.js';

const ev = (g: string, id: string, n?: number) => messageEvent(g, id, `{"id":"${id}"}`, n);

describe('ReadSet', () => {
  it('delivers each entry once, in order, never at or below the cursor or for a group not read', () => {
    const s = new ReadSet();
    expect(s.add('g', { id: '5-0', n: 3 })).toBe(true);
    expect(s.add('g', { id: '9-0', n: 9 })).toBe(false);
    expect(s.cursor('g')).toBe('5-0');
    expect(s.accept(ev('g', '4-0', 2))).toBe('skip');
    expect(s.accept(ev('g', '5-0', 3))).toBe('skip');
    expect(s.accept(ev('g', '6-0', 4))).toBe('deliver');
    expect(s.cursor('g')).toBe('6-0');
    expect(s.accept(ev('other', '7-0', 1))).toBe('skip');
    s.remove('g');
    expect(s.accept(ev('g', '8-0', 5))).toBe('skip');
  });

  it('reports a gap when numbers skip, and only then', () => {
    const s = new ReadSet();
    s.add('g', { id: '1-0', n: 1 });
    expect(s.accept(ev('g', '2-0', 2))).toBe('deliver');
    expect(s.accept(ev('g', '5-0', 5))).toBe('deliver_after_gap');
    expect(s.accept(ev('g', '6-0', 6))).toBe('deliver');
  });

  it('an unknown number (empty stream, entries of an earlier release) is no gap', () => {
    const s = new ReadSet();
    s.add('g', undefined);
    expect(s.cursor('g')).toBe('0-0');
    // A stream trimmed empty may go on at any number.
    expect(s.accept(ev('g', '3-0', 250))).toBe('deliver');
    expect(s.accept(ev('g', '4-0'))).toBe('deliver');
    expect(s.accept(ev('g', '5-0', 260))).toBe('deliver');
  });

  it('follows: an announced entry is deliverable as it is only when it is the very next one', () => {
    const s = new ReadSet();
    s.add('g', { id: '1-0', n: 1 });
    expect(s.follows(ev('g', '2-0', 2))).toBe(true);
    expect(s.follows(ev('g', '2-0', 3))).toBe(false);
    expect(s.follows(ev('g', '2-0'))).toBe(false);
    expect(s.follows(ev('h', '2-0', 2))).toBe(false);
    s.add('e', undefined);
    expect(s.follows(ev('e', '1-0', 1))).toBe(false);
  });
});
