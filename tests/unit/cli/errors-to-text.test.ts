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
