import { describe, expect, it } from 'vitest';
import {
  ConnectError,
  ConnectionClosedError,
  NotConnectedError,
  RequestTimeoutError,
  ResumeError,
  RpcError,
} from '@next-chat/client';
import { errors } from '@next-chat/core';
import { CommandFailed, UsageError, errorToText, exitCodeFor } from '../../../packages/cli/src/errors-to-text.js';

describe('every protocol error becomes a sentence with the next step', () => {
  it.each([
    [errors.groupNotFound('x'), "group 'x' does not exist; create it with: create x"],
    [errors.notAMember('x'), "you are not a member of group 'x'; join it first with: join x"],
    [errors.groupExists('x'), "group 'x' already exists; join it with: join x"],
    [errors.groupFull('x', 5), "group 'x' is full (5 members); try again after someone leaves, or pick another group"],
    [errors.rateLimited(1500), 'too many requests; slow down and try again in 2 s'],
    [errors.rateLimited(200, 'user_rate'), 'too many requests; slow down and try again in 1 s'],
    [errors.createQuota('window', 60, 125_000), 'you have created 60 groups recently; you can create another in 125 s'],
    [errors.createQuota('total', 1000, 3_600_000), 'you have created 1000 groups, the most one user may; ask an operator to remove some'],
    [errors.tooManyGroups(1000), 'this connection is in 1000 groups, the most allowed; leave one first (or connect again for more)'],
    [errors.unavailable('messaging layer', 3000), "the hub cannot reach its messaging layer right now; try again in 3 s"],
    [errors.internal(), 'the hub hit an internal error (it has been logged); try again, and report it if it persists'],
    [errors.invalidParams('text', 'must not be only white space'), 'the message must not be only white space; a message is 1 to 4000 characters with at least one visible character'],
    [errors.invalidParams('limit', 'must be between 1 and 200'), "'limit' must be between 1 and 200; a count is a whole number from 1 to 200"],
    [errors.methodNotFound('x.y'), "Unknown method 'x.y'; see docs/protocol.md for the list of methods."],
  ])('%s', (err, text) => {
    expect(errorToText(err)).toBe(text);
    expect(exitCodeFor(err)).toBe(1);
  });

  it('names the group of a bad group id from the command', () => {
    const err = errors.invalidParams('groupId', 'must match ^...$');
    expect(errorToText(new CommandFailed(err, 'a/b'))).toBe(
      "'a/b' is not a valid group name; a group name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
    expect(exitCodeFor(new CommandFailed(err, 'a/b'))).toBe(1);
  });

  it('uses the group of the command when the error data has none', () => {
    expect(errorToText(new RpcError(4004, 'no'), 'lobby')).toBe("group 'lobby' does not exist; create it with: create lobby");
  });
});

describe('connection problems', () => {
  const url = 'ws://h:1/next-chat';
  it.each([
    [new ConnectError(url, { errno: 'ECONNREFUSED' }), `cannot reach the hub at ${url}: connection refused; is it running on that port?`],
    [new ConnectError(url, { errno: 'ENOTFOUND' }), `cannot reach the hub at ${url}: unknown host; check the address`],
    [new ConnectError(url, { status: 401, body: '{"error":"unauthorized","message":"bad token"}' }), `the hub at ${url} refused this identity (bad token); check the user id, or pass a valid --token`],
    [new ConnectError(url, { status: 404 }), `there is no chat endpoint at ${url}; the hub listens on the path /next-chat`],
    [new ConnectError(url, { status: 503 }), `the hub at ${url} is not ready or shutting down; it will be retried`],
    [new RequestTimeoutError('group.list', 10_000), 'the hub did not answer within 10 s; the connection may be broken, try again'],
    [new NotConnectedError('group.list'), 'not connected to a hub; connect first with: connect ws://HOST:5000 USER'],
    [new ConnectionClosedError('message.send', 1006, ''), 'the connection dropped before the hub answered; check with history whether it went through, then retry'],
  ])('%s', (err, text) => {
    expect(errorToText(err)).toBe(text);
    expect(exitCodeFor(err)).toBe(3);
  });

  it('a failed re-join says which group and why', () => {
    expect(errorToText(new ResumeError('lobby', errors.groupNotFound('lobby')))).toBe(
      "could not re-join group 'lobby' after reconnecting: group 'lobby' does not exist; create it with: create lobby",
    );
  });

  it('usage errors exit with 2', () => {
    expect(exitCodeFor(new UsageError('no hub'))).toBe(2);
    expect(errorToText(new UsageError('no hub'))).toBe('no hub');
  });
});

describe('protocol 1.1 errors: a sentence with the next step for each', () => {
  it.each([
    [errors.invitationRequired('x'), undefined, "group 'x' is private: ask its owner or an admin to invite you"],
    [
      errors.banned('x', '2026-11-22T10:10:00.000Z'),
      undefined,
      "you are banned from group 'x' until 2026-11-22 10:10 UTC; try again after that, or ask its owner or an admin to lift it",
    ],
    [errors.banned('x', null), undefined, "you are banned from group 'x' until its owner or an admin lifts the ban (unban); ask its owner or an admin to unban you"],
    [errors.forbidden("only the owner of 'x' may delete it", 'owner'), 'x', "only the owner of group 'x' can do that; ask them (info x shows the owner)"],
    [errors.forbidden("only the owner or an admin of 'x' may kick", 'admin'), 'x', "only the owner or an admin of group 'x' can do that; ask one of them (info x shows the owner)"],
    [errors.forbidden('members only', 'member'), 'x', "only members of group 'x' can do that; join it first with: join x"],
    [errors.forbidden('only the owner may', 'owner'), undefined, 'only the owner can do that; ask them'],
    [errors.forbidden('you cannot kick yourself'), 'x', 'not allowed: you cannot kick yourself'],
    [
      errors.forbidden('a direct conversation cannot be left'),
      'dm-1',
      'not allowed: a direct conversation cannot be left; a direct conversation stays between its two people as it is (for more people, create a room)',
    ],
    [errors.forbidden("'bob' does not accept direct messages from you"), 'dm-1', "not allowed: 'bob' does not accept direct messages from you; you can still talk in a room you share"],
    [errors.ownerCannotLeave('x'), undefined, "you own group 'x' and others are still in it; hand ownership over first: role x <user> owner, or delete the group: delete x"],
    [errors.messageNotFound('x', '1-0'), undefined, "there is no message '1-0' in group 'x'; see the ids with: history x"],
    [new RpcError(4044, 'no such message'), 'x', "there is no message in group 'x'; see the ids with: history x"],
  ])('%s', (err, group, text) => {
    expect(errorToText(err, group)).toBe(text);
    expect(errorToText(new CommandFailed(err, group))).toBe(text);
    expect(exitCodeFor(new CommandFailed(err, group))).toBe(1);
  });

  it('4013 and 4031 take the group of the command when the data has none', () => {
    expect(errorToText(new RpcError(4013, 'private'), 'design')).toBe("group 'design' is private: ask its owner or an admin to invite you");
    expect(errorToText(new RpcError(4031, 'banned', { until: 'soon' }), 'design')).toBe(
      "you are banned from group 'design' until soon; try again after that, or ask its owner or an admin to lift it",
    );
  });

  it('4033 of dm USER: that user blocks the caller', () => {
    const err = errors.forbidden("'bob' does not accept direct messages from you");
    expect(errorToText(new CommandFailed(err, undefined, 'bob'))).toBe('bob does not accept direct messages from you; you can still talk in a room you share');
  });

  it('4031 of invite names the banned user and says to unban first', () => {
    expect(errorToText(new RpcError(4031, 'banned', { groupId: 'x', userId: 'carol', until: null }))).toBe(
      "carol is banned from group 'x' until its owner or an admin lifts the ban (unban); to invite them, lift the ban first: unban x carol",
    );
  });

  it('4003 with data.userId (group.setRole): the one given the role is not a member; without: the caller', () => {
    const target = new RpcError(4003, 'not a member', { groupId: 'x', userId: 'carol' });
    expect(errorToText(target)).toBe("carol is not a member of group 'x'; roles are for members: they join first (invite x carol if it is private)");
    expect(errorToText(errors.notAMember('x'))).toBe("you are not a member of group 'x'; join it first with: join x");
  });

  it.each([
    ['title', 'must be at most 100 characters', "'title' must be at most 100 characters; a title is at most 100 characters"],
    ['topic', 'must be at most 500 characters', "'topic' must be at most 500 characters; a topic is at most 500 characters"],
    ['capacity', 'must be at least 2', "'capacity' must be at least 2; a capacity is a whole number of members, at least 2, at most what the hub allows, and not below the members already in"],
    ['visibility', "must be 'public' or 'private'", "'visibility' must be 'public' or 'private'; visibility is 'public' or 'private' (--public, --private)"],
    ['role', "must be 'owner', 'admin' or 'member'", "'role' must be 'owner', 'admin' or 'member'; a role is owner, admin or member"],
    ['durationSec', 'must be at most ten years', "'durationSec' must be at most ten years; a ban lasts from 1 second to ten years, e.g. --for 10m, 2h or 1d"],
    ['reason', 'must be at most 200 characters', "'reason' must be at most 200 characters; a reason is at most 200 characters"],
    ['messageId', 'is newer than the newest message', "'messageId' is newer than the newest message; a message id looks like '1700000000000-0' (see: history GROUP)"],
  ])('-32602 on %s', (field, why, text) => {
    expect(errorToText(errors.invalidParams(field, why))).toBe(text);
  });

  it('-32602 on a user id or a dm- room name names what was typed', () => {
    expect(errorToText(new CommandFailed(errors.invalidParams('userId', 'must be a user id matching ^...$'), undefined, 'b b'))).toBe(
      "'b b' is not a valid user id; a user id is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
    );
    expect(errorToText(new CommandFailed(errors.invalidParams('userId', 'must be another user than you'), undefined, 'alice'))).toBe('\'alice\' must be another user than you');
    expect(errorToText(new CommandFailed(errors.invalidParams('groupId', "must not begin with 'dm-'"), 'dm-x'))).toBe(
      "'dm-x' cannot be a room's name: names beginning with 'dm-' are for direct conversations (open one with: dm USER)",
    );
  });

  it('a resume refused because we were put out while away says so', () => {
    expect(errorToText(new ResumeError('design', errors.banned('design', null)))).toBe(
      "could not re-join group 'design' after reconnecting: you are banned from group 'design' until its owner or an admin lifts the ban (unban); ask its owner or an admin to unban you",
    );
  });
});
