/**
 * NextChatClient's state machine, driven through a scripted WebSocket (the
 * browser path): token in the query, lifecycle events, close codes, timeouts,
 * 4029 retry, dedupe and the resume merge with live messages arriving
 * mid-resume. The same paths against the real hub: tests/integration/client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  NextChatClient,
  RequestTimeoutError,
  RpcError,
  type ClientEvents,
  type Message,
} from '../../../packages/client/src/index.js';
import { FakeSocket, type SentRequest } from './fake-socket.js';

const msg = (id: string, groupId = 'g'): Message => ({ id, groupId, authorId: 'bob', text: `m${id}`, sentAt: '2026-11-22T10:00:00.000Z' });
const group = (id = 'g') => ({ id, createdBy: 'bob', createdAt: '2026-11-22T10:00:00.000Z', memberCount: 2 });

function client(extra: Partial<ConstructorParameters<typeof NextChatClient>[0]> = {}): NextChatClient {
  return new NextChatClient({
    url: 'ws://hub.test:5000/next-chat',
    token: 'alice',
    WebSocket: FakeSocket,
    reconnect: { initialDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  });
}

function next<K extends keyof ClientEvents>(c: NextChatClient, event: K): Promise<ClientEvents[K]> {
  return new Promise((resolve) => c.once(event, resolve));
}

/** Resolves with the next socket the client creates. */
function nextSocket(): Promise<FakeSocket> {
  return new Promise((resolve) => (FakeSocket.onCreate = resolve));
}

/** Resolves with the next request sent on `s`, answering none. */
function nextRequest(s: FakeSocket): Promise<SentRequest> {
  return new Promise((resolve) => s.serve(resolve));
}

async function connected(c: NextChatClient): Promise<FakeSocket> {
  const created = nextSocket();
  const p = c.connect();
  const s = await created;
  s.open();
  await p;
  return s;
}

afterEach(() => FakeSocket.reset());

describe('NextChatClient with a WHATWG WebSocket', () => {
  it('puts the token in the access_token query parameter and reports open', async () => {
    const c = client();
    const opened = next(c, 'open');
    const s = await connected(c);
    expect(new URL(s.url).searchParams.get('access_token')).toBe('alice');
    expect(await opened).toEqual({ reconnected: false });
    expect(c.state).toBe('open');
  });

  it('resolves typed results and rejects JSON-RPC errors as RpcError', async () => {
    const c = client();
    const s = await connected(c);
    s.serve((req) => {
      if (req.method === 'group.create') s.reply(req.id, { group: group(req.params.groupId as string) });
      else s.fail(req.id, { code: 4004, message: "Group 'x' does not exist", data: { reason: 'group_not_found', groupId: 'x' } });
    });
    expect(await c.createGroup('g')).toEqual(group());
    const err = await c.join('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 4004, reason: 'group_not_found', data: { groupId: 'x' } });
    expect(s.sent.map((r) => r.method)).toEqual(['group.create', 'group.join']);
  });

  it('validates params locally with the shared schemas', async () => {
    const c = client();
    const s = await connected(c);
    await expect(c.send('bad id!', 'x')).rejects.toMatchObject({ code: -32602, data: { field: 'groupId' } });
    await expect(c.history('g', { limit: 500 })).rejects.toMatchObject({ code: -32602, data: { field: 'limit' } });
    expect(s.sent).toHaveLength(0);
  });

  it('times out a request and ignores its late answer', async () => {
    const c = client({ requestTimeoutMs: 20 });
    const s = await connected(c);
    const req = nextRequest(s);
    const err = await c.listGroups().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    s.reply((await req).id, { groups: [], next: null }); // no effect, no throw
  });

  it('retries a 4029 after data.retryAfterMs, then succeeds', async () => {
    const c = client();
    const s = await connected(c);
    let calls = 0;
    s.serve((req) => {
      if (calls++ < 2) s.fail(req.id, { code: 4029, message: 'slow down', data: { reason: 'rate_limited', retryAfterMs: 5 } });
      else s.reply(req.id, { groups: [], next: null });
    });
    expect(await c.listGroups()).toEqual({ groups: [], next: null });
    expect(calls).toBe(3);
  });

  it('gives up on 4029 after maxRateLimitRetries, or at once when retry is off', async () => {
    for (const [opts, expected] of [
      [{ maxRateLimitRetries: 1 }, 2],
      [{ retryRateLimited: false }, 1],
    ] as const) {
      const c = client(opts);
      const s = await connected(c);
      let calls = 0;
      s.serve((req) => {
        calls++;
        s.fail(req.id, { code: 4029, message: 'slow down', data: { reason: 'rate_limited', retryAfterMs: 1 } });
      });
      await expect(c.listGroups()).rejects.toMatchObject({ code: 4029, data: { retryAfterMs: 1 } });
      expect(calls).toBe(expected);
      await c.close();
    }
  });

  it('retries rate and user_rate refusals, but surfaces groups_per_connection and group_create at once', async () => {
    for (const [limit, expectedCalls] of [
      ['rate', 2],
      ['user_rate', 2],
      ['groups_per_connection', 1],
      ['group_create', 1],
    ] as const) {
      const c = client();
      const s = await connected(c);
      let calls = 0;
      s.serve((req) => {
        if (calls++ === 0) s.fail(req.id, { code: 4029, message: 'no', data: { reason: 'rate_limited', retryAfterMs: limit.startsWith('g') ? 60_000 : 2, limit } });
        else s.reply(req.id, { groups: [], next: null });
      });
      const outcome = await c.listGroups().then(
        () => 'ok',
        (e: unknown) => e,
      );
      expect(calls, limit).toBe(expectedCalls);
      if (expectedCalls === 1) expect(outcome).toMatchObject({ code: 4029, data: { limit } });
      else expect(outcome).toBe('ok');
      await c.close();
    }
  });

  it('drops notifications at or below the last seen id of their group', async () => {
    const c = client();
    const s = await connected(c);
    const got: string[] = [];
    c.on('message', (m) => got.push(`${m.groupId}:${m.id}`));
    const joining = nextRequest(s);
    const j = c.join('g');
    s.reply((await joining).id, { group: group(), history: [msg('1-0'), msg('2-0')], complete: true });
    await j;
    for (const id of ['2-0', '3-0', '3-0', '1-0', '4-0']) s.push({ jsonrpc: '2.0', method: 'message', params: msg(id) });
    s.push({ jsonrpc: '2.0', method: 'message', params: msg('1-0', 'other') });
    expect(got).toEqual(['g:3-0', 'g:4-0', 'other:1-0']);
    expect(c.lastSeenId('g')).toBe('4-0');
  });

  it('reports member events and unknown notifications', async () => {
    const c = client();
    const s = await connected(c);
    const joined = next(c, 'member.joined');
    const other = next(c, 'notification');
    s.push({ jsonrpc: '2.0', method: 'member.joined', params: { groupId: 'g', userId: 'bob', at: 'now' } });
    s.push({ jsonrpc: '2.0', method: 'later.addition', params: { groupId: 'g' } });
    expect(await joined).toEqual({ groupId: 'g', userId: 'bob', at: 'now' });
    expect(await other).toEqual({ method: 'later.addition', params: { groupId: 'g' } });
  });

  it('after a drop, re-joins with since, pages what the join left out, and merges live messages in id order', async () => {
    const c = client({ resumePageLimit: 2 });
    let s = await connected(c);
    const got: string[] = [];
    c.on('message', (m) => got.push(m.id));
    const joining = nextRequest(s);
    const j = c.join('g');
    s.reply((await joining).id, { group: group(), history: [msg('1-0'), msg('2-0')], complete: true });
    await j;

    // Drop; the client reconnects on its own.
    const pendingReq = c.members('g');
    const reconnectSocket = nextSocket();
    const reconnecting = next(c, 'reconnecting');
    s.drop(1006);
    await expect(pendingReq).rejects.toMatchObject({ name: 'ConnectionClosedError', code: 1006 });
    expect(await reconnecting).toMatchObject({ attempt: 1 });
    s = await reconnectSocket;
    const rejoin = nextRequest(s);
    const opened = next(c, 'open');
    s.open();
    expect(await opened).toEqual({ reconnected: true });

    // Missed: 3..7. The join returns the newest two, incomplete.
    const req = await rejoin;
    expect(req).toMatchObject({ method: 'group.join', params: { groupId: 'g', since: '2-0', limit: 2 } });
    const page1 = nextRequest(s);
    s.reply(req.id, { group: group(), history: [msg('6-0'), msg('7-0')], complete: false });
    // A live message arrives while the client is still paging.
    s.push({ jsonrpc: '2.0', method: 'message', params: msg('8-0') });
    const p1 = await page1;
    expect(p1).toMatchObject({ method: 'message.history', params: { groupId: 'g', before: '6-0', limit: 2 } });
    const page2 = nextRequest(s);
    s.reply(p1.id, { messages: [msg('4-0'), msg('5-0')], next: '4-0' });
    const p2 = await page2;
    expect(p2.params.before).toBe('4-0');
    const resumed = next(c, 'resumed');
    s.reply(p2.id, { messages: [msg('2-0'), msg('3-0')], next: '2-0' });
    expect(await resumed).toEqual({ groupId: 'g', missed: 6, complete: true });
    expect(got).toEqual(['3-0', '4-0', '5-0', '6-0', '7-0', '8-0']);

    s.push({ jsonrpc: '2.0', method: 'message', params: msg('8-0') }); // a duplicate
    s.push({ jsonrpc: '2.0', method: 'message', params: msg('9-0') });
    expect(got.slice(-2)).toEqual(['8-0', '9-0']);
  });

  it('reconnects at once after 1001', async () => {
    const c = client({ reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const s = await connected(c);
    const closed = next(c, 'close');
    const reconnecting = next(c, 'reconnecting');
    s.drop(1001, 'shutting down');
    expect(await closed).toEqual({ code: 1001, reason: 'shutting down', willReconnect: true });
    expect(await reconnecting).toEqual({ attempt: 1, delayMs: 0 });
    await c.close();
  });

  it('does not reconnect after 1008 (policy, e.g. auth expired)', async () => {
    const c = client();
    const s = await connected(c);
    const closed = next(c, 'close');
    let reconnects = 0;
    c.on('reconnecting', () => reconnects++);
    s.drop(1008, 'token expired');
    const e = await closed;
    expect(e).toMatchObject({ code: 1008, willReconnect: false, error: { name: 'ConnectionLostError', why: 'policy', reason: 'token expired' } });
    expect(e.error?.message).toMatch(/policy \(1008: token expired\); not reconnecting/);
    expect(reconnects).toBe(0);
    expect(c.state).toBe('closed');
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('rejects connect() when the first attempt fails, unless retry is set', async () => {
    const c = client();
    const created = nextSocket();
    const p = c.connect();
    (await created).drop(1006);
    await expect(p).rejects.toMatchObject({ name: 'ConnectError' });
    expect(c.state).toBe('closed');

    const r = client();
    const first = nextSocket();
    const p2 = r.connect({ retry: true });
    (await first).drop(1006);
    const second = await nextSocket();
    second.open();
    await p2;
    expect(r.state).toBe('open');
  });

  it('close() while connecting leaves no socket to open later', async () => {
    const c = client();
    const created = nextSocket();
    const p = c.connect();
    const s = await created;
    await c.close();
    await expect(p).rejects.toThrow(/closed/);
    s.open(); // too late: ignored
    expect(c.state).toBe('closed');
  });

  it('does not reconnect when reconnect is false', async () => {
    const c = client({ reconnect: false });
    const s = await connected(c);
    const closed = next(c, 'close');
    s.drop(1006);
    expect(await closed).toMatchObject({ willReconnect: false });
    expect(FakeSocket.instances).toHaveLength(1);
    await expect(c.listGroups()).rejects.toMatchObject({ name: 'NotConnectedError' });
  });
});
