/**
 * The SDK against the real hub process: every method, errors as RpcError,
 * notifications, identity refusal, request timeout, 4029 retry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectError,
  ErrorCode,
  RequestTimeoutError,
  RpcError,
  type Message,
  type MemberEvent,
} from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { closeAll, gid, makeClient, nextEvent } from './helpers.js';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub();
});
afterEach(closeAll);
afterAll(async () => {
  await hub?.stop();
});

describe('SDK methods against the hub', () => {
  it('create, join, send, history, members, list, leave', async () => {
    const alice = makeClient(hub.url, 'alice');
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const g = gid('methods');

    const group = await alice.createGroup(g);
    expect(group).toMatchObject({ id: g, createdBy: 'alice', memberCount: 0 });

    const joined = await alice.join(g);
    expect(joined).toMatchObject({ group: { id: g, memberCount: 1 }, history: [], complete: true });
    expect(alice.joinedGroups).toContain(g);

    const bobJoined = nextEvent(alice, 'member.joined', (e: MemberEvent) => e.userId === 'bob');
    await bob.join(g);
    expect(await bobJoined).toMatchObject({ groupId: g, userId: 'bob' });

    const atBob = nextEvent(bob, 'message', (m: Message) => m.groupId === g);
    const sent = await alice.send(g, 'hello bob', { clientMessageId: 'c-1' });
    expect(sent).toMatchObject({ groupId: g, authorId: 'alice', text: 'hello bob', clientMessageId: 'c-1' });
    expect(await atBob).toEqual(sent);

    // A retry with the same clientMessageId returns the original message.
    expect(await alice.send(g, 'hello bob', { clientMessageId: 'c-1' })).toEqual(sent);

    const hist = await bob.history(g, { limit: 10 });
    expect(hist.messages).toEqual([sent]);
    expect(hist.next).toBeNull();

    const members = await alice.members(g);
    expect(members.members.map((m) => m.userId)).toEqual(['alice', 'bob']);
    expect(members.members.every((m) => m.online)).toBe(true);

    const list = await alice.listGroups({ prefix: g });
    expect(list.groups.map((x) => x.id)).toEqual([g]);

    const left = nextEvent(alice, 'member.left', (e: MemberEvent) => e.userId === 'bob');
    expect(await bob.leave(g)).toBe(true);
    expect(await left).toMatchObject({ groupId: g, userId: 'bob' });
    expect(await bob.leave(g)).toBe(false);
    expect(bob.joinedGroups).not.toContain(g);

    // The generic, typed request().
    const r = await alice.request('group.list', { prefix: g, limit: 1 });
    expect(r.groups).toHaveLength(1);
  });

  it('rejects protocol errors with RpcError carrying code and data.reason', async () => {
    const alice = makeClient(hub.url, 'alice');
    await alice.connect();
    const g = gid('errors');

    const notFound = await alice.join(g).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(RpcError);
    expect(notFound).toMatchObject({ code: ErrorCode.GroupNotFound, data: { reason: 'group_not_found', groupId: g } });

    await alice.createGroup(g);
    await expect(alice.createGroup(g)).rejects.toMatchObject({ code: ErrorCode.GroupExists, reason: 'group_exists' });
    await expect(alice.send(g, 'x')).rejects.toMatchObject({ code: ErrorCode.NotAMember, reason: 'not_a_member' });

    // Checked locally by the shared schema...
    await expect(alice.send(g, '   ')).rejects.toMatchObject({ code: ErrorCode.InvalidParams, data: { field: 'text' } });
    // ...and by the hub when local validation is off: the same error.
    const raw = makeClient(hub.url, 'alice', { validateParams: false });
    await raw.connect();
    await expect(raw.send(g, '   ')).rejects.toMatchObject({ code: ErrorCode.InvalidParams, data: { reason: 'invalid_params', field: 'text' } });
  });

  it('refuses a missing identity with ConnectError 401 and does not retry', async () => {
    const anon = makeClient(hub.url, undefined);
    let attempts = 0;
    anon.on('reconnecting', () => attempts++);
    const err = await anon.connect({ retry: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ status: 401, fatal: true });
    expect(attempts).toBe(0);
    expect(anon.state).toBe('closed');
  });

  it('sends the token in the access_token query parameter when asked', async () => {
    const q = makeClient(hub.url, 'carol', { tokenIn: 'query' });
    await q.connect();
    const g = gid('query');
    await q.createGroup(g);
    expect((await q.send(g, 'x').catch((e: RpcError) => e)) as RpcError).toMatchObject({ code: ErrorCode.NotAMember });
    expect((await q.join(g)).group.memberCount).toBe(1);
    expect((await q.members(g)).members[0].userId).toBe('carol');
  });

  it('reports an unreachable hub plainly', async () => {
    const c = makeClient('ws://127.0.0.1:1/next-chat', 'alice', { reconnect: false });
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).errno).toBe('ECONNREFUSED');
    expect((err as Error).message).toMatch(/Cannot reach the hub/);
  });
});

describe('request timeout', () => {
  it('rejects with RequestTimeoutError when the hub does not answer', async () => {
    const own = await startHub();
    try {
      const c = makeClient(own.url, 'alice', { requestTimeoutMs: 300, reconnect: false });
      await c.connect();
      process.kill(own.pid, 'SIGSTOP'); // the hub hears nothing, answers nothing
      try {
        const err = await c.listGroups().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RequestTimeoutError);
        expect(err).toMatchObject({ method: 'group.list', timeoutMs: 300 });
        expect((err as Error).message).toBe('group.list got no response within 300 ms.');
      } finally {
        process.kill(own.pid, 'SIGCONT');
      }
      // The connection itself is fine afterwards.
      expect((await c.listGroups({ limit: 1 })).groups).toBeDefined();
    } finally {
      await closeAll();
      await own.stop();
    }
  });
});

describe('rate limiting (4029)', () => {
  let limited: HubProcess;
  beforeAll(async () => {
    limited = await startHub({ NEXT_CHAT_RATE_LIMIT: '2' });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('without retry, rejects with 4029 and data.retryAfterMs', async () => {
    const c = makeClient(limited.url, 'alice', { retryRateLimited: false });
    await c.connect();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => c.listGroups({ limit: 1 })));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as RpcError);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toBeInstanceOf(RpcError);
      expect(e.code).toBe(ErrorCode.RateLimited);
      expect(e.data.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('with retry (the default), every request eventually succeeds', async () => {
    const c = makeClient(limited.url, 'bob', { maxRateLimitRetries: 20 });
    await c.connect();
    const results = await Promise.all(Array.from({ length: 8 }, () => c.listGroups({ limit: 1 })));
    expect(results).toHaveLength(8);
  });
});
