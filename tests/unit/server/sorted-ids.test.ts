import { describe, expect, it } from 'vitest';
import { SortedIds } from '../../../packages/server/src/adapters/memory/sorted-ids.js';

describe('SortedIds.page', () => {
  const s = new SortedIds();
  for (const id of ['b', 'a', 'ab', 'ac', 'c', 'abc']) s.add(id);
  it('pages in order with prefix and after', () => {
    expect(s.page({ limit: 10 })).toEqual({ items: ['a', 'ab', 'abc', 'ac', 'b', 'c'], next: null });
    expect(s.page({ prefix: 'ab', limit: 10 })).toEqual({ items: ['ab', 'abc'], next: null });
    expect(s.page({ prefix: 'a', limit: 2 })).toEqual({ items: ['a', 'ab'], next: 'ab' });
    expect(s.page({ prefix: 'a', limit: 2, after: 'ab' })).toEqual({ items: ['abc', 'ac'], next: null });
    expect(s.page({ after: 'b', limit: 5 })).toEqual({ items: ['c'], next: null });
    expect(s.page({ prefix: 'z', limit: 5 })).toEqual({ items: [], next: null });
  });
  it('add and delete keep it unique', () => {
    expect(s.add('a')).toBe(false);
    expect(s.delete('zz')).toBe(false);
    expect(s.delete('a')).toBe(true);
    expect(s.size).toBe(5);
  });
});
