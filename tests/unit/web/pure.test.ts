/**
 * The web app's pure helpers: the composer's text rule, the message
 * timeline, tokens, permissions, and error sentences for every protocol code.
 */
import { ConnectionClosedError, NotConnectedError, RequestTimeoutError } from '@next-chat/client';
import { ErrorCode, ErrorReason, RpcError, type Group, type Message } from '@next-chat/core';
import { describe, expect, it } from 'vitest';
import { errorText } from '../../../packages/web/src/model/errors.js';
import { firstUnread, mergeMessages } from '../../../packages/web/src/model/messages.js';
import { canDeleteMessage, canEditMessage, canInvite, canLeave, canRemove, canSetRole } from '../../../packages/web/src/model/permissions.js';
import { checkText, codePoints } from '../../../packages/web/src/model/text.js';
import { dayKey, dayLabel } from '../../../packages/web/src/model/time.js';
import { timeline } from '../../../packages/web/src/model/timeline.js';
import { jwtClaims, msUntilExpiry, tokenFromAnswer, tokenFromFragment } from '../../../packages/web/src/model/token.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;

function m(id: string, authorId: string, sentAt: string, extra: Partial<Message> = {}): Message {
  return { id, groupId: 'g', authorId, text: id, sentAt, ...extra };
}

describe('the composer counts code points, like the hub', () => {
  it('counts an emoji once and refuses past 4,000 with a sentence', () => {
    expect(codePoints('a😀b')).toBe(3);
    expect(checkText('x'.repeat(4000))).toMatchObject({ ok: true, left: 0, showCount: true });
    const over = checkText('😀'.repeat(4001));
    expect(over).toMatchObject({ ok: false, count: 4001, left: -1 });
    expect(over.problem).toBe('This message is 1 characters over the limit of 4,000; shorten it to send it.');
    expect(checkText('hello').showCount).toBe(false);
  });
  it('refuses an empty or invisible text without scolding for an empty box', () => {
    expect(checkText('   ')).toMatchObject({ ok: false, problem: undefined });
    expect(checkText('\u200b').problem).toBe('A message needs at least one visible character.');
  });
});

describe('timeline', () => {
  const day1 = '2026-12-01T10:00:00.000Z';
  const day1b = '2026-12-01T10:02:00.000Z';
  const day2 = '2026-12-02T10:00:00.000Z';
  it('separates days, groups runs by author, marks mine and puts the new-messages line at the first unread of others', () => {
    const list = [m('1-0', 'bob', day1), m('2-0', 'bob', day1b), m('3-0', 'alice', day2), m('4-0', 'bob', day2)];
    const rows = timeline(list, [{ clientMessageId: 'c', text: 'x', state: 'sending' }], { me: 'alice', unreadAfter: '2-0', now: new Date(day2), timeZone: 'UTC' });
    expect(rows.map((r) => (r.kind === 'message' ? `${r.key}${r.mine ? '*' : ''}${r.continued ? '+' : ''}` : r.kind === 'day' ? r.label : r.kind))).toEqual([
      'Yesterday',
      '1-0',
      '2-0+',
      'Today',
      '3-0*',
      'unread',
      '4-0',
      'pending',
    ]);
  });
  it('draws the new-messages line only where the last read message is loaded too, or history starts', () => {
    const list = [m('5-0', 'bob', day1), m('6-0', 'bob', day1)];
    const lines = (unreadAfter: string | null, atStart: boolean) =>
      timeline(list, [], { me: 'alice', unreadAfter, atStart, now: new Date(day1), timeZone: 'UTC' }).filter((r) => r.kind === 'unread').length;
    expect(lines('2-0', false)).toBe(0);
    expect(lines('2-0', true)).toBe(1);
    expect(lines(null, false)).toBe(1);
    expect(lines('5-0', false)).toBe(1);
  });
  it('labels older days by date', () => {
    expect(dayKey('2026-12-01T23:30:00.000Z', 'UTC')).toBe('2026-12-01');
    expect(dayLabel('2026-11-20', new Date('2026-12-02T10:00:00Z'), 'en-GB', 'UTC')).toMatch(/^Friday,? 20 November$/);
    expect(dayLabel('2025-11-20', new Date('2026-12-02T10:00:00Z'), 'en-GB', 'UTC')).toMatch(/^Thursday,? 20 November 2025$/);
  });
});

describe('messages', () => {
  it('merges by id numerically, not as strings, and finds the first unread', () => {
    const a = m('9-0', 'bob', 'x');
    const b = m('10-0', 'bob', 'x');
    const list = mergeMessages([b], [a, b]);
    expect(list.map((x) => x.id)).toEqual(['9-0', '10-0']);
    expect(mergeMessages(list, [a])).toBe(list);
    expect(firstUnread(list, '9-0')?.id).toBe('10-0');
    expect(firstUnread(list, null)?.id).toBe('9-0');
    expect(firstUnread(list, '10-0')).toBeUndefined();
  });
});

describe('tokens', () => {
  it('takes a token out of #token= and #access_token=', () => {
    expect(tokenFromFragment('#token=abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFromFragment('#access_token=x&y=1')).toBe('x');
    expect(tokenFromFragment('#')).toBeUndefined();
    expect(tokenFromFragment('')).toBeUndefined();
  });
  it('reads sub and exp without trusting them for more', () => {
    const t = jwt({ sub: 'alice', exp: 2000 });
    expect(jwtClaims(t)).toEqual({ sub: 'alice', exp: 2000 });
    expect(msUntilExpiry(t, 1_999_000)).toBe(1000);
    expect(jwtClaims('not-a-jwt')).toBeUndefined();
    expect(jwtClaims('a.b.c')).toBeUndefined();
  });
  it('reads the token URL answer as JSON or text', () => {
    expect(tokenFromAnswer('{"token":"t1"}', 'application/json')).toBe('t1');
    expect(tokenFromAnswer('{"access_token":"t2"}', null)).toBe('t2');
    expect(tokenFromAnswer(' t3\n', 'text/plain')).toBe('t3');
    expect(tokenFromAnswer('<html>login</html> page', 'text/html')).toBeUndefined();
    expect(tokenFromAnswer('{}', 'application/json')).toBeUndefined();
  });
});

describe('permissions', () => {
  const room = (visibility: 'public' | 'private', memberCount = 3): Group => ({
    id: 'r',
    kind: 'room',
    visibility,
    title: '',
    topic: '',
    createdBy: 'o',
    createdAt: '',
    ownerId: 'o',
    memberCount,
    capacity: 10,
  });
  const direct: Group = { ...room('private'), id: 'dm-1', kind: 'direct', ownerId: null, peers: ['a', 'b'] };
  it('offers room management only where the hub allows it', () => {
    expect(canInvite(room('public'), 'member')).toBe(true);
    expect(canInvite(room('private'), 'member')).toBe(false);
    expect(canInvite(room('private'), 'admin')).toBe(true);
    expect(canInvite(direct, 'member')).toBe(false);
    expect(canRemove(room('public'), 'admin', { userId: 'x', role: 'member' }, 'me')).toBe(true);
    expect(canRemove(room('public'), 'admin', { userId: 'x', role: 'admin' }, 'me')).toBe(false);
    expect(canRemove(room('public'), 'owner', { userId: 'x', role: 'admin' }, 'me')).toBe(true);
    expect(canRemove(room('public'), 'owner', { userId: 'me', role: 'owner' }, 'me')).toBe(false);
    expect(canRemove(room('public'), 'member', { userId: 'x', role: 'member' }, 'me')).toBe(false);
    expect(canSetRole(room('public'), 'owner', 'x', 'me')).toBe(true);
    expect(canSetRole(room('public'), 'admin', 'x', 'me')).toBe(false);
    expect(canLeave(room('public'), 'owner')).toBe(false);
    expect(canLeave(room('public', 1), 'owner')).toBe(true);
    expect(canLeave(direct, 'member')).toBe(false);
  });
  it('lets authors edit, and authors or room staff delete', () => {
    const mine = m('1-0', 'me', 'x');
    const theirs = m('2-0', 'x', 'x');
    expect(canEditMessage(mine, 'me')).toBe(true);
    expect(canEditMessage(theirs, 'me')).toBe(false);
    expect(canEditMessage({ ...mine, deletedAt: 'x' }, 'me')).toBe(false);
    expect(canDeleteMessage(room('public'), 'member', theirs, 'me')).toBe(false);
    expect(canDeleteMessage(room('public'), 'admin', theirs, 'me')).toBe(true);
    expect(canDeleteMessage(direct, 'member', theirs, 'me')).toBe(false);
  });
});

describe('errorText', () => {
  it('has a sentence for every protocol error code', () => {
    for (const code of Object.values(ErrorCode)) {
      const text = errorText(new RpcError(code, 'hub words.', { groupId: 'lobby' }));
      expect(text, ErrorReason[code]).toMatch(/^[A-Z'].*[.]$/);
    }
  });
  it('uses the error data', () => {
    expect(errorText(new RpcError(ErrorCode.InvalidParams, "Invalid params: 'text' must be at most 4000 characters.", { field: 'text' }))).toBe('The message must be at most 4000 characters.');
    expect(errorText(new RpcError(ErrorCode.Forbidden, 'Not allowed: x.', { required: 'owner' }))).toBe('Only the owner of this room may do that.');
    expect(errorText(new RpcError(ErrorCode.RateLimited, 'x', { retryAfterMs: 2500, limit: 'rate' }))).toBe('You are going too fast; try again in 3 seconds.');
    expect(errorText(new RpcError(ErrorCode.InvitationRequired, 'x', { groupId: 'secret' }))).toBe("The room 'secret' is private: you need an invitation from its owner or an admin.");
  });
  it('has sentences for the SDK errors around the protocol', () => {
    expect(errorText(new NotConnectedError('message.send'))).toMatch(/not connected/);
    expect(errorText(new ConnectionClosedError('message.send', 1006, ''))).toMatch(/connection dropped/);
    expect(errorText(new RequestTimeoutError('message.send', 10))).toMatch(/did not answer in time/);
    expect(errorText('weird')).toBe('Something went wrong; try again.');
  });
});
