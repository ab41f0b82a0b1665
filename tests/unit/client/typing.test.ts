/**
 * `typing` (protocol 1.1 §11) through a scripted WebSocket: the request on
 * the wire, the SDK's own throttle (at most one request per group per
 * 1.5 s, a throttled call resolving at once), fire-and-forget use (no
 * unhandled rejection, no 4029 retry), and the `typing` notification as a
 * typed event.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NextChatClient, NotConnectedError, RpcError, TYPING_INTERVAL_MS, type ClientEvents, type TypingEvent } from '../../../packages/client/src/index.js';
import { FakeSocket, type SentRequest } from './fake-socket.js';

const T0 = new Date('2026-12-02T10:00:00.000Z').getTime();

function client(): NextChatClient {
  return new NextChatClient({ url: 'ws://hub.test:5000/next-chat', token: 'alice', WebSocket: FakeSocket, reconnect: false });
}

async function connected(c: NextChatClient): Promise<FakeSocket> {
  const created = new Promise<FakeSocket>((resolve) => (FakeSocket.onCreate = resolve));
  const p = c.connect();
  const s = await created;
  s.open();
  await p;
  return s;
}

/** Answers every typing request with `{}`. */
function serveTyping(s: FakeSocket): void {
  s.serve((req) => {
    if (req.method !== 'typing') throw new Error(`unexpected ${req.method}`);
    s.reply(req.id, {});
  });
}

const typings = (s: FakeSocket): SentRequest[] => s.sent.filter((r) => r.method === 'typing');
const at = (ms: number) => vi.setSystemTime(T0 + ms);

afterEach(() => {
  vi.useRealTimers();
  FakeSocket.reset();
});

describe('typing(groupId)', () => {
  it('sends typing {groupId} and resolves with the empty result', async () => {
    const c = client();
    const s = await connected(c);
    serveTyping(s);
    expect(await c.typing('lobby')).toEqual({});
    expect(s.sent).toEqual([{ jsonrpc: '2.0', id: expect.any(Number), method: 'typing', params: { groupId: 'lobby' } }]);
  });

  it('sends at most one request per group per 1.5 s; a throttled call resolves at once without sending', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const c = client();
    const s = await connected(c);
    serveTyping(s);
    expect(TYPING_INTERVAL_MS).toBe(1500);
    await c.typing('lobby');
    // A keystroke every 100 ms: nothing more goes out for lobby until 1.5 s have passed.
    for (let ms = 100; ms < 1500; ms += 100) {
      at(ms);
      s.serve(() => {
        throw new Error(`a throttled typing went out at ${ms} ms`);
      });
      expect(await c.typing('lobby')).toEqual({});
    }
    serveTyping(s);
    at(1499);
    await c.typing('lobby');
    expect(typings(s)).toHaveLength(1);
    // Another group has a throttle of its own.
    await c.typing('design');
    expect(typings(s).map((r) => r.params.groupId)).toEqual(['lobby', 'design']);
    at(1500);
    await c.typing('lobby');
    at(1600);
    await c.typing('lobby');
    at(2999);
    await c.typing('lobby');
    at(3000);
    await c.typing('lobby');
    expect(typings(s).map((r) => r.params.groupId)).toEqual(['lobby', 'design', 'lobby', 'lobby']);
  });

  it('a clock set back does not hold the signal back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(10_000);
    const c = client();
    const s = await connected(c);
    serveTyping(s);
    await c.typing('lobby');
    at(0);
    await c.typing('lobby');
    expect(typings(s)).toHaveLength(2);
  });

  it('can be left unawaited: a refusal is no unhandled rejection, and a 4029 is not retried', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      at(0);
      const c = client();
      const s = await connected(c);
      s.serve((req) => s.fail(req.id, { code: 4003, message: 'not a member', data: { reason: 'not_a_member', groupId: 'g' } }));
      void c.typing('g');
      at(2000);
      s.serve((req) => s.fail(req.id, { code: 4029, message: 'rate limited', data: { reason: 'rate_limited', limit: 'rate', retryAfterMs: 1 } }));
      const limited = c.typing('g');
      await expect(limited).rejects.toBeInstanceOf(RpcError);
      await expect(limited).rejects.toMatchObject({ code: 4029 });
      await new Promise((r) => setTimeout(r, 20));
      expect(typings(s)).toHaveLength(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('an awaited call sees the refusal (4003 for a non-member)', async () => {
    const c = client();
    const s = await connected(c);
    s.serve((req) => s.fail(req.id, { code: 4003, message: 'not a member', data: { reason: 'not_a_member', groupId: 'g' } }));
    await expect(c.typing('g')).rejects.toMatchObject({ code: 4003, reason: 'not_a_member' });
  });

  it('checks the group id locally, and sends nothing when not connected (nor throttles the next call)', async () => {
    const c = client();
    await expect(c.typing('g')).rejects.toBeInstanceOf(NotConnectedError);
    const s = await connected(c);
    serveTyping(s);
    await expect(c.typing('not a group id!')).rejects.toMatchObject({ code: -32602, data: { field: 'groupId' } });
    expect(s.sent).toHaveLength(0);
    // The refused call before connecting took nothing from the throttle.
    await c.typing('g');
    expect(typings(s)).toHaveLength(1);
  });
});

describe('the typing notification', () => {
  it('is the typed `typing` event, not `notification`; malformed ones are dropped', async () => {
    const c = client();
    const s = await connected(c);
    const other: string[] = [];
    c.on('notification', (n) => other.push(n.method));
    const got: TypingEvent[] = [];
    const listener: (e: ClientEvents['typing']) => void = (e) => got.push(e);
    c.on('typing', listener);
    const e: TypingEvent = { groupId: 'lobby', userId: 'bob', at: '2026-12-02T10:00:00.123Z' };
    s.push({ jsonrpc: '2.0', method: 'typing', params: e });
    s.push({ jsonrpc: '2.0', method: 'typing', params: null });
    s.push({ jsonrpc: '2.0', method: 'typing', params: { groupId: 'lobby' } });
    expect(got).toEqual([e]);
    expect(other).toEqual([]);
  });
});
