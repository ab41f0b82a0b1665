import { describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { LastSeen, firstPageBefore, mergeMissed, nextPageBefore } from '../../../packages/client/src/resume.js';

const msg = (id: string, groupId = 'g'): Message => ({
  id,
  groupId,
  authorId: 'a',
  text: `t${id}`,
  sentAt: '2026-11-22T10:00:00.000Z',
});

describe('LastSeen (dedupe)', () => {
  it('drops anything at or below the last seen id of its group', () => {
    const s = new LastSeen();
    expect(s.accept(msg('5-0'))).toBe(true);
    expect(s.accept(msg('5-0'))).toBe(false);
    expect(s.accept(msg('4-9'))).toBe(false);
    expect(s.accept(msg('5-1'))).toBe(true);
    expect(s.accept(msg('1-0', 'other'))).toBe(true);
    expect(s.get('g')).toBe('5-1');
  });

  it('compares ids numerically, not as strings', () => {
    const s = new LastSeen();
    s.accept(msg('9-0'));
    expect(s.accept(msg('10-0'))).toBe(true);
    expect(s.accept(msg('10-10'))).toBe(true);
    expect(s.accept(msg('10-9'))).toBe(false);
  });

  it('takes the newest id of a join history, 0-0 for an empty complete group, nothing when unknown', () => {
    const s = new LastSeen();
    s.observeJoin('g', [msg('1-0'), msg('2-0')], true);
    expect(s.get('g')).toBe('2-0');
    s.observeJoin('g', [msg('1-0')], true); // never moves back
    expect(s.get('g')).toBe('2-0');
    s.observeJoin('empty', [], true);
    expect(s.get('empty')).toBe('0-0');
    s.observeJoin('unknown', [], false); // join with limit 0
    expect(s.get('unknown')).toBeUndefined();
    s.forget('g');
    expect(s.get('g')).toBeUndefined();
  });
});

describe('resume paging plan', () => {
  it('pages only when a resume join was incomplete', () => {
    expect(firstPageBefore(undefined, { history: [msg('5-0')], complete: false })).toBeNull();
    expect(firstPageBefore('1-0', { history: [msg('5-0')], complete: true })).toBeNull();
    expect(firstPageBefore('1-0', { history: [], complete: false })).toBeNull();
    expect(firstPageBefore('1-0', { history: [msg('5-0'), msg('6-0')], complete: false })).toBe('5-0');
  });

  it('stops once a page reaches back to since', () => {
    expect(nextPageBefore('3-0', { messages: [msg('4-0'), msg('5-0')], next: '4-0' })).toBe('4-0');
    expect(nextPageBefore('3-0', { messages: [msg('3-0'), msg('4-0')], next: '3-0' })).toBeNull();
    expect(nextPageBefore('3-0', { messages: [msg('2-0'), msg('4-0')], next: '2-0' })).toBeNull();
    expect(nextPageBefore('3-0', { messages: [msg('4-0')], next: null })).toBeNull();
    expect(nextPageBefore('3-0', { messages: [], next: '9-0' })).toBeNull();
  });
});

describe('mergeMissed', () => {
  it('keeps ids after since, each once, in id order', () => {
    const pages = [
      [msg('1-0'), msg('2-0'), msg('3-0')],
      [msg('4-0'), msg('5-0')],
    ];
    const history = [msg('5-0'), msg('6-0'), msg('7-0')];
    const live = [msg('7-0'), msg('8-0')];
    expect(mergeMissed('2-0', ...pages, history, live).map((m) => m.id)).toEqual(['3-0', '4-0', '5-0', '6-0', '7-0', '8-0']);
  });

  it('keeps everything without since and sorts batches given out of order', () => {
    expect(mergeMissed(undefined, [msg('3-0')], [msg('1-0'), msg('2-0')]).map((m) => m.id)).toEqual(['1-0', '2-0', '3-0']);
  });

  it('a full simulated resume delivers every message exactly once', () => {
    // Server has 1..1000; client saw up to 123; join limit 200 → incomplete.
    const all = Array.from({ length: 1000 }, (_, i) => msg(`${i + 1}-0`));
    const since = '123-0';
    const after = all.filter((m) => Number(m.id.split('-')[0]) > 123);
    const history = after.slice(-200);
    const pages: Message[][] = [];
    let before = firstPageBefore(since, { history, complete: false });
    for (let guard = 0; before !== null && guard < 100; guard++) {
      const end = all.findIndex((m) => m.id === before);
      const page = all.slice(Math.max(0, end - 200), end);
      pages.unshift(page);
      before = nextPageBefore(since, { messages: page, next: page.length ? page[0].id : null });
    }
    const seen = new LastSeen();
    seen.accept(msg(since));
    const delivered = mergeMissed(since, ...pages, history, [msg('1000-0'), msg('1001-0')]).filter((m) => seen.accept(m));
    expect(delivered.map((m) => m.id)).toEqual([...after, msg('1001-0')].map((m) => m.id));
  });
});
