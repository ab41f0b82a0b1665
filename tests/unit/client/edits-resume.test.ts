/**
 * The pure bookkeeping of edits and deletes on resume (packages/client/src/resume.ts):
 * the cursor is the greatest of message ids and change cursors, live entries
 * merge in id/cursor order, a resume's `updates` are handed over once (also
 * across a second resume from the same cursor), and `updates` cut at `limit`
 * are completed from message.history.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import {
  KnownChanges,
  LastSeen,
  changeKey,
  entryKey,
  idAfter,
  laterCursor,
  mergeResume,
  overflowPage,
  pickUpdates,
  updatesOverflow,
  type LiveEntry,
} from '../../../packages/client/src/resume.js';

const at = '2026-11-22T10:00:00.000Z';
const msg = (id: string, extra: Partial<Message> = {}): Message => ({ id, groupId: 'g', authorId: 'a', text: `t${id}`, sentAt: at, ...extra });
const edited = (id: string, editedAt = '2026-11-22T10:05:00.000Z', groupId = 'g'): Message => msg(id, { text: `e${id}`, editedAt, groupId });
const deleted = (id: string, deletedAt = '2026-11-22T10:06:00.000Z'): Message => msg(id, { text: '', deletedAt });
const live = (id: string): LiveEntry => ({ kind: 'message', message: msg(id) });
const change = (cursor: string, m: Message): LiveEntry => ({ kind: 'update', update: { message: m, cursor } });

describe('the resume cursor', () => {
  it('is the greater of the cursor and an id, compared as ids', () => {
    expect(laterCursor(undefined, '5-0')).toBe('5-0');
    expect(laterCursor('5-0', '4-9')).toBe('5-0');
    expect(laterCursor('9-0', '10-0')).toBe('10-0');
    expect(laterCursor('10-2', '10-10')).toBe('10-10');
  });

  it('moves to a change cursor greater than every message id, and a later message still passes', () => {
    const s = new LastSeen();
    expect(s.accept(msg('5-0'))).toBe(true);
    expect(s.acceptUpdate({ message: msg('3-0'), cursor: '7-0' })).toBe(true);
    expect(s.get('g')).toBe('7-0');
    // The same change again, an older one, and a message below the change: dropped.
    expect(s.acceptUpdate({ message: msg('3-0'), cursor: '7-0' })).toBe(false);
    expect(s.acceptUpdate({ message: msg('4-0'), cursor: '6-0' })).toBe(false);
    expect(s.accept(msg('6-5'))).toBe(false);
    // The next message of the group comes after the change in the id space.
    expect(s.accept(msg('8-0'))).toBe(true);
    expect(s.get('g')).toBe('8-0');
    expect(s.acceptUpdate({ message: msg('8-0', { groupId: 'other' }), cursor: '1-0' })).toBe(true);
    expect(s.get('other')).toBe('1-0');
  });

  it('a join history never moves it back below a change cursor', () => {
    const s = new LastSeen();
    s.acceptUpdate({ message: msg('1-0'), cursor: '9-0' });
    s.observeJoin('g', [msg('1-0'), msg('2-0')], true);
    expect(s.get('g')).toBe('9-0');
  });
});

describe('mergeResume', () => {
  it('merges missed messages with held-back live messages and changes, after since, once each, in id/cursor order', () => {
    const pages = [[msg('3-0'), msg('4-0')]];
    const history = [msg('4-0'), msg('5-0')];
    const held = [live('5-0'), change('6-0', edited('4-0')), live('7-0'), change('8-0', deleted('7-0')), change('8-0', deleted('7-0')), change('2-0', edited('1-0'))];
    const out = mergeResume('2-5', [...pages, history], held);
    expect(out.map((e) => `${e.kind}:${entryKey(e)}`)).toEqual(['message:3-0', 'message:4-0', 'message:5-0', 'update:6-0', 'message:7-0', 'update:8-0']);
  });

  it('keeps everything without since', () => {
    expect(mergeResume(undefined, [[msg('2-0')]], [change('3-0', edited('1-0')), live('1-0')]).map(entryKey)).toEqual(['1-0', '2-0', '3-0']);
  });
});

describe('changes already held (KnownChanges)', () => {
  it('a message never changed has no change key; an edit and a delete each have their own', () => {
    expect(changeKey(msg('1-0'))).toBeNull();
    expect(changeKey(edited('1-0', 'a'))).not.toBe(changeKey(edited('1-0', 'b')));
    expect(changeKey(deleted('1-0'))).not.toBe(changeKey(edited('1-0')));
  });

  it('knows exactly the states it was given, per group, and forgets the oldest beyond its bound', () => {
    const k = new KnownChanges(2);
    k.remember([msg('1-0'), edited('2-0', 'x'), edited('3-0', 'y', 'other')]);
    expect(k.has(msg('1-0'))).toBe(false); // never changed: nothing to know
    expect(k.has(edited('2-0', 'x'))).toBe(true);
    expect(k.has(edited('2-0', 'x2'))).toBe(false); // edited again: news
    expect(k.has(deleted('2-0'))).toBe(false);
    expect(k.has(edited('3-0', 'y'))).toBe(false); // that state is of another group
    expect(k.has(edited('3-0', 'y', 'other'))).toBe(true);
    k.remember([edited('4-0'), edited('5-0')]);
    expect(k.has(edited('2-0', 'x'))).toBe(false);
    expect(k.has(edited('5-0'))).toBe(true);
    k.forget('g');
    expect(k.has(edited('5-0'))).toBe(false);
  });
});

describe('pickUpdates', () => {
  it('keeps messages at or before since, the last state of each, in id order, minus the known ones', () => {
    const known = new KnownChanges();
    known.remember([edited('2-0', 'old')]);
    const out = pickUpdates('5-0', [[edited('4-0'), edited('2-0', 'old'), edited('1-0', 'first')], [edited('1-0', 'second'), edited('6-0')]], (m) => known.has(m));
    expect(out.map((m) => [m.id, m.editedAt])).toEqual([
      ['1-0', 'second'],
      ['4-0', '2026-11-22T10:05:00.000Z'],
    ]);
  });
});

describe('updates cut at limit', () => {
  it('idAfter is the next id, for a before that includes since', () => {
    expect(idAfter('5-0')).toBe('5-1');
    expect(idAfter('5-9')).toBe('5-10');
    expect(idAfter(`5-${Number.MAX_SAFE_INTEGER}`)).toBe('6-0');
  });

  it('pages only when the join was incomplete with a full page of updates', () => {
    const two = [edited('1-0'), edited('3-0')];
    expect(updatesOverflow('9-0', { updates: two, complete: true }, 2)).toBeNull();
    expect(updatesOverflow('9-0', { updates: [edited('1-0')], complete: false }, 2)).toBeNull();
    expect(updatesOverflow('9-0', { complete: false }, 2)).toBeNull();
    expect(updatesOverflow('9-0', { updates: two, complete: false }, 2)).toEqual({ before: '9-1', after: '3-0' });
    expect(updatesOverflow('3-0', { updates: two, complete: false }, 2)).toBeNull();
  });

  it('takes the changed messages of (after, since] from each page and stops at after', () => {
    const range = { after: '3-0' };
    const p1 = overflowPage(range, '9-0', { messages: [msg('6-0'), edited('7-0'), deleted('9-0')], next: '6-0' });
    expect(p1.changed.map((m) => m.id)).toEqual(['7-0', '9-0']);
    expect(p1.before).toBe('6-0');
    const p2 = overflowPage(range, '9-0', { messages: [edited('2-0'), edited('3-0'), edited('4-0'), msg('5-0')], next: '2-0' });
    expect(p2.changed.map((m) => m.id)).toEqual(['4-0']);
    expect(p2.before).toBeNull();
    expect(overflowPage(range, '9-0', { messages: [edited('5-0')], next: null })).toEqual({ changed: [edited('5-0')], before: null });
  });

  it('a simulated resume with more changes than one join holds hands every change over once', () => {
    // 100 messages; the client saw up to 100-0; while away, 30 old ones were edited.
    const all = Array.from({ length: 100 }, (_, i) => msg(`${i + 1}-0`));
    const changedIds = new Set(Array.from({ length: 30 }, (_, i) => `${3 * i + 2}-0`));
    const now = all.map((m) => (changedIds.has(m.id) ? edited(m.id) : m));
    const since = '100-0';
    const limit = 10;
    const updates = now.filter((m) => changedIds.has(m.id)).slice(0, limit);
    const known = new KnownChanges();
    const got = [...pickUpdates(since, [updates], (m) => known.has(m))];
    known.remember(got);
    const range = updatesOverflow(since, { updates, complete: false }, limit)!;
    let before: string | null = range.before;
    while (before !== null) {
      const end = now.findIndex((m) => m.id === before);
      const page = now.slice(Math.max(0, (end < 0 ? now.length : end) - limit), end < 0 ? now.length : end);
      const step = overflowPage(range, since, { messages: page, next: page.length > 0 ? page[0].id : null });
      got.push(...pickUpdates(since, [step.changed], (m) => known.has(m)));
      before = step.before;
    }
    expect(got.map((m) => m.id).sort()).toEqual([...changedIds].sort());
    expect(new Set(got.map((m) => m.id)).size).toBe(30);
  });
});
