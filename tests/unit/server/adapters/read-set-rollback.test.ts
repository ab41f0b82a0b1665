/**
 * ReadSet after a failover that lost entries this hub delivered: numbers that
 * go back are a rollback, `behind` tells a log now behind the cursor, and
 * `rewind` moves the cursor back so later entries are delivered.
 */
import { expect, it } from 'vitest';
import { messageEvent } from '../../../../packages/server/src/events/codec.js';
import { ReadSet } from '../../../../packages/server/src/adapters/redis/read-set.js';

const ev = (g: string, id: string, n?: number) => messageEvent(g, id, `{"id":"${id}"}`, n);

it('a newer id with a number not above the cursor is a rollback', () => {
  const s = new ReadSet();
  s.add('g', { id: '10-0', n: 6 });
  // The new primary had entries up to n 3 (ids before 10-0) and numbered its next one 4.
  expect(s.accept(ev('g', '20-0', 4))).toBe('deliver_after_rollback');
  expect(s.cursor('g')).toBe('20-0');
  expect(s.accept(ev('g', '21-0', 5))).toBe('deliver');
  // Equal numbers too.
  expect(s.accept(ev('g', '22-0', 5))).toBe('deliver_after_rollback');
});

it('behind: the entry count below the cursor number, a group gone, or (numbers unknown) an older top', () => {
  const s = new ReadSet();
  s.add('g', { id: '10-0', n: 6 });
  expect(s.behind('g', 6, '10-0')).toBe(false);
  expect(s.behind('g', 9, '12-0')).toBe(false);
  // Deleting the newest message leaves an older top, but the count only grows: not behind.
  expect(s.behind('g', 7, '9-0')).toBe(false);
  expect(s.behind('g', 3, '5-0')).toBe(true);
  expect(s.behind('g', null, undefined)).toBe(true);
  s.add('legacy', { id: '10-0', n: undefined });
  expect(s.behind('legacy', null, '10-0')).toBe(false);
  expect(s.behind('legacy', null, '8-0')).toBe(true);
  expect(s.behind('legacy', null, undefined)).toBe(true);
  s.add('empty', undefined);
  expect(s.behind('empty', null, undefined)).toBe(false);
  expect(s.behind('unread', 0, undefined)).toBe(false);
});

it('rewind: later entries of the new log are delivered, with no false gap', () => {
  const s = new ReadSet();
  s.add('g', { id: '10-0', n: 6 });
  s.rewind('g', { id: '5-0', n: 3 });
  expect(s.cursor('g')).toBe('5-0');
  expect(s.follows(ev('g', '20-0', 4))).toBe(true);
  expect(s.accept(ev('g', '20-0', 4))).toBe('deliver');
  s.rewind('g', undefined);
  expect(s.cursor('g')).toBe('0-0');
});
