import { describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { historyPage, joinHistory } from '../../../packages/server/src/hub/recovery.js';

const msgs = (n: number, from = 1): Message[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${from + i}-0`, groupId: 'g', authorId: 'a', text: 't', sentAt: '' }));
const ids = (m: Message[]) => m.map((x) => x.id);

describe('joinHistory', () => {
  it('a since beyond the log\'s newest entry (lost in a failover, or a group made again) gives the newest messages, not complete', () => {
    expect(joinHistory(msgs(6), 5, '9-0', '6-0')).toEqual({ history: msgs(6).slice(1), complete: false });
    expect(joinHistory(msgs(2), 5, '9-0', '2-0')).toEqual({ history: msgs(2), complete: false });
    // Up to the newest entry (a change's cursor can be newer than the newest message) is a place the log has.
    expect(joinHistory(msgs(6), 5, '6-0', '6-0')).toEqual({ history: [], complete: true });
    expect(joinHistory(msgs(6), 5, '6-0', '7-0')).toEqual({ history: [], complete: true });
  });

  it('without since: complete iff everything fit', () => {
    expect(joinHistory(msgs(3), 5, undefined)).toEqual({ history: msgs(3), complete: true });
    const r = joinHistory(msgs(6), 5, undefined);
    expect(ids(r.history)).toEqual(['2-0', '3-0', '4-0', '5-0', '6-0']);
    expect(r.complete).toBe(false);
  });
  it('with since: only newer messages; the latest limit when more were missed', () => {
    expect(ids(joinHistory(msgs(6), 5, '3-0').history)).toEqual(['4-0', '5-0', '6-0']);
    expect(joinHistory(msgs(6), 5, '3-0').complete).toBe(true);
    const r = joinHistory(msgs(6), 5, '0-5');
    expect(ids(r.history)).toEqual(['2-0', '3-0', '4-0', '5-0', '6-0']);
    expect(r.complete).toBe(false);
    expect(joinHistory(msgs(6), 5, '6-0')).toEqual({ history: [], complete: true });
  });
  it('limit 0 and empty groups', () => {
    expect(joinHistory([], 0, undefined)).toEqual({ history: [], complete: true });
    expect(joinHistory(msgs(1), 0, undefined)).toEqual({ history: [], complete: false });
  });
});

describe('historyPage', () => {
  it('returns next = oldest id of the page when more exist', () => {
    expect(historyPage(msgs(4), 3)).toEqual({ messages: msgs(3, 2), next: '2-0' });
    expect(historyPage(msgs(3), 3)).toEqual({ messages: msgs(3), next: null });
  });
});
