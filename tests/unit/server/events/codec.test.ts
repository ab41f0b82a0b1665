import { describe, expect, it } from 'vitest';
import {
  decodeAnnouncement,
  decodeClusterEvent,
  decodeMessage,
  encodeAnnouncement,
  encodeClusterEvent,
  entryEvent,
  entryMessage,
  historyEntryMessage,
  idOfJson,
  messageBody,
  messageEvent,
  messageJson,
  notificationFrame,
  changeJson,
  cursorOfJson,
  historyEntry,
  messageOfChange,
  sendReadParts,
} from '../../../../packages/server/src/events/codec.js';
import { fromSortableId, sortableId } from '@next-chat/core';

const fields = { groupId: 'lobby', authorId: 'ann', text: 'hi "there"\n😀', sentAt: '2026-11-22T10:00:00.000Z' };

describe('the message payload', () => {
  it('is the protocol Message as JSON, id first, made once from a body', () => {
    const json = messageJson('1700000000000-3', messageBody(fields));
    expect(JSON.parse(json)).toEqual({ id: '1700000000000-3', ...fields });
    expect(json.startsWith('{"id":"1700000000000-3",')).toBe(true);
    expect(idOfJson(json)).toBe('1700000000000-3');
    expect(decodeMessage(json)).toEqual({ id: '1700000000000-3', ...fields });
    const withCmid = messageJson('1-0', messageBody({ ...fields, clientMessageId: 'c-1' }));
    expect(decodeMessage(withCmid).clientMessageId).toBe('c-1');
    expect('clientMessageId' in decodeMessage(json)).toBe(false);
  });

  it('splices into a notification frame without re-encoding', () => {
    const json = messageJson('1-0', messageBody(fields));
    const frame = notificationFrame('message', json);
    expect(JSON.parse(frame)).toEqual({ jsonrpc: '2.0', method: 'message', params: JSON.parse(json) });
    expect(frame).toContain(json);
  });

  it('refuses what is not a message', () => {
    expect(() => decodeMessage('{"id":"x"}')).toThrow();
    expect(() => decodeMessage('not json')).toThrow();
    expect(idOfJson('{"groupId":"g"}')).toBeUndefined();
  });
});

describe('stream entries and announcements', () => {
  const json = messageJson('1700000000000-3', messageBody(fields));

  it('reads an entry of the publish script (n, d)', () => {
    const e = entryEvent('lobby', '1700000000000-3', ['n', '12', 'd', json]);
    expect(e).toEqual({ kind: 'message', groupId: 'lobby', id: '1700000000000-3', n: 12, json });
    expect(entryMessage('lobby', '1700000000000-3', ['n', '12', 'd', json])).toEqual({ id: '1700000000000-3', ...fields });
  });

  it('still reads entries of the earlier layout (a, t, s, c), so an upgrade loses no stream', () => {
    const e = entryEvent('lobby', '1-2', ['a', 'ann', 't', 'hi', 's', '2026-11-22T10:00:00.000Z', 'c', '', 'n', '4']);
    expect(decodeMessage(e.json)).toEqual({ id: '1-2', groupId: 'lobby', authorId: 'ann', text: 'hi', sentAt: '2026-11-22T10:00:00.000Z' });
    expect(e.n).toBe(4);
    expect(historyEntryMessage(['g', 'lobby', 'i', '1-2', 'a', 'ann', 't', 'hi', 's', 'x', 'c', 'c-9'])?.clientMessageId).toBe('c-9');
    expect(historyEntryMessage(['d', json])).toEqual({ id: '1700000000000-3', ...fields });
    expect(historyEntryMessage(['d', 'garbage'])).toBeNull();
    expect(historyEntryMessage(['x', 'y'])).toBeNull();
  });

  it('announcements: the number, then the same JSON', () => {
    const e = messageEvent('lobby', '1700000000000-3', json, 12);
    const payload = encodeAnnouncement(e);
    expect(payload).toBe(`12${json}`);
    expect(decodeAnnouncement('lobby', payload)).toEqual(e);
  });

  it('an announcement of an earlier release, or anything malformed, is no entry (the stream is read instead)', () => {
    expect(decodeAnnouncement('g', JSON.stringify({ i: '1-1', n: 1, a: 'a', t: 't', s: 's' }))).toBeUndefined();
    expect(decodeAnnouncement('g', '1700000000000-3')).toBeUndefined();
    expect(decodeAnnouncement('g', '0{"id":"1-0"}')).toBeUndefined();
    expect(decodeAnnouncement('g', '5{"groupId":"g"}')).toBeUndefined();
    expect(decodeAnnouncement('g', 'x{"id":"1-0",')).toBeUndefined();
  });
});

describe('member events', () => {
  it('round-trip, and anything else is refused', () => {
    const e = { kind: 'member.left', event: { groupId: 'g', userId: 'u', at: '2026-11-22T10:00:00.000Z' } } as const;
    expect(decodeClusterEvent(encodeClusterEvent(e))).toEqual(e);
    expect(decodeClusterEvent('{"kind":"message"}')).toBeUndefined();
    expect(decodeClusterEvent('{"kind":"member.joined","event":{"groupId":1}}')).toBeUndefined();
    expect(decodeClusterEvent('nope')).toBeUndefined();
  });
});

describe('changes (edits and deletes)', () => {
  const message = messageJson('1700000000000-3', messageBody({ ...fields, editedAt: '2026-11-22T10:01:00.000Z' }));
  const change = changeJson('1700000000500-0', message);

  it('are message.updated params, cursor first, the message inside as made', () => {
    expect(JSON.parse(change)).toEqual({ cursor: '1700000000500-0', message: JSON.parse(message) });
    expect(cursorOfJson(change)).toBe('1700000000500-0');
    expect(cursorOfJson(message)).toBeUndefined();
    expect(messageOfChange(change)).toBe(message);
    expect(decodeMessage(message).editedAt).toBe('2026-11-22T10:01:00.000Z');
  });

  it('travel as log entries: from the stream (field u), announced (number + JSON), in the history stream', () => {
    const e = entryEvent('lobby', '1700000000500-0', ['n', '7', 'u', change]);
    expect(e).toEqual({ kind: 'message', groupId: 'lobby', id: '1700000000500-0', n: 7, json: change, change: true });
    expect(decodeAnnouncement('lobby', encodeAnnouncement(e))).toEqual(e);
    expect(historyEntry(['u', change])).toEqual({ kind: 'change', message: decodeMessage(message), cursor: '1700000000500-0' });
    expect(historyEntry(['d', message])).toEqual({ kind: 'message', message: decodeMessage(message) });
    expect(historyEntry(['u', '{"cursor":"x"}'])).toBeNull();
    expect(historyEntry(['u', changeJson('1-0', '{"not":"a message"}')])).toBeNull();
  });

  it("a send's read event is cut around the id, which the script puts in", () => {
    const [before, after] = sendReadParts('lobby', 'ann', 'hub-1');
    const e = decodeClusterEvent(`${before}1700000000000-3${after}`);
    expect(e).toEqual({ kind: 'personal', userIds: ['ann'], method: 'read', params: { groupId: 'lobby', readUpTo: '1700000000000-3', unread: 0 }, origin: 'hub-1' });
  });

  it('sortable ids sort as the ids do, and come back', () => {
    const ids = ['0-0', '1-0', '9-5', '10-0', '1700000000000-3', '1700000000000-12', '1700000000001-0'];
    expect([...ids].map(sortableId).sort().map(fromSortableId)).toEqual(ids);
    expect(sortableId('1700000000000-12')).toBe('0001700000000000-00000000000000000012');
  });
});
