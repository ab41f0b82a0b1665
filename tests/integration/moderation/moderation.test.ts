/**
 * The synchronous moderation hook (NEXT_CHAT_MODERATION_URL, docs/api.md
 * "Moderation hook") in each mode, on real hub processes calling a real
 * local HTTP hook: allow, reject, replace, edits, what the hook is sent,
 * and failures (timeout, connection refused, garbage) fail-open and
 * fail-closed. One case runs again on the Redis engine.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { verifySignature } from '../../../packages/server/src/webhooks/signature.js';
import { hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';
import { deadUrl, startHookServer, type HookServer } from './hook-server.js';

const SECRET = 'moderation-test-secret-0123456789';
const TIMEOUT_MS = 300;
/** How long a timed-out hook sleeps: far past the hub's timeout. */
const SLEEP_MS = 3000;

function env(url: string, failure: 'open' | 'closed'): Record<string, string> {
  return {
    NEXT_CHAT_MODERATION_URL: url,
    NEXT_CHAT_MODERATION_TIMEOUT_MS: String(TIMEOUT_MS),
    NEXT_CHAT_MODERATION_FAILURE: failure,
    NEXT_CHAT_WEBHOOK_SECRET: SECRET,
    NEXT_CHAT_RATE_LIMIT: '0',
  };
}

interface Room {
  id: string;
  alice: TestClient;
  bob: TestClient;
}

/** Alice and Bob in a fresh room of `hub`, both joined. */
async function room(hub: HubProcess): Promise<Room> {
  const alice = await TestClient.connect(hub.url, 'alice');
  const bob = await TestClient.connect(hub.url, 'bob');
  clients.push(alice, bob);
  const id = uid('mod');
  await alice.call('group.create', { groupId: id });
  await alice.call('group.join', { groupId: id });
  await bob.call('group.join', { groupId: id });
  return { id, alice, bob };
}

async function history(c: TestClient, groupId: string): Promise<string[]> {
  const { messages } = await c.call<{ messages: Message[] }>('message.history', { groupId });
  return messages.map((m) => m.text);
}

/** A marker message after `f`, so "Bob received nothing" is checked against one that did arrive. */
async function assertNothingDeliveredBefore(r: Room, marker: string): Promise<void> {
  await r.alice.call('message.send', { groupId: r.id, text: marker });
  const got = await r.bob.waitForMessages(r.id, 1);
  expect(got.map((m) => m.text)).toEqual([marker]);
}

async function metric(hub: HubProcess, verdict: string): Promise<number> {
  const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
  const m = new RegExp(`^nextchat_moderation_calls_total\\{verdict="${verdict}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const clients: TestClient[] = [];
let hook: HookServer;
let open: HubProcess;
let closed: HubProcess;

beforeAll(async () => {
  hook = await startHookServer();
  [open, closed] = await Promise.all([startHub(env(hook.url, 'open')), startHub(env(hook.url, 'closed'))]);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([open?.stop(), closed?.stop()]);
  await hook?.close();
});

describe('verdicts', () => {
  it('allow: the message is delivered to another member unchanged', async () => {
    hook.behave(() => ({ body: { action: 'allow' } }));
    const r = await room(open);
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'hello there' });
    expect(message.text).toBe('hello there');
    const [got] = await r.bob.waitForMessages(r.id, 1);
    expect(got).toMatchObject({ id: message.id, text: 'hello there', authorId: 'alice' });
    expect(await metric(open, 'allow')).toBeGreaterThan(0);
  });

  it("reject: the sender gets 4022 with the hook's sentence; nobody receives it; it is not in history", async () => {
    const sentence = 'Links to that site are not allowed here.';
    hook.behave((c) => (String(c.body.text).includes('bad.example') ? { body: { action: 'reject', reason: sentence } } : { body: { action: 'allow' } }));
    const r = await room(open);
    const f = await r.alice.request('message.send', { groupId: r.id, text: 'see bad.example' });
    expect(f.error).toEqual({ code: 4022, message: sentence, data: { reason: 'message_rejected' } });
    await assertNothingDeliveredBefore(r, 'after the rejection');
    expect(await history(r.alice, r.id)).toEqual(['after the rejection']);
    expect(await metric(open, 'reject')).toBeGreaterThan(0);
  });

  it("replace: the sender's result, the other member and history all show the replaced text", async () => {
    hook.behave((c) => ({ body: { action: 'replace', text: String(c.body.text).replaceAll('darn', '****') } }));
    const r = await room(open);
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'darn it', clientMessageId: 'c-1' });
    expect(message).toMatchObject({ text: '**** it', clientMessageId: 'c-1' });
    const [got] = await r.bob.waitForMessages(r.id, 1);
    expect(got).toMatchObject({ id: message.id, text: '**** it' });
    expect(await history(r.bob, r.id)).toEqual(['**** it']);
    expect(await metric(open, 'replace')).toBeGreaterThan(0);
  });

  it('edits are moderated the same way: reject leaves the text, replace stores the replacement', async () => {
    hook.behave(() => ({ body: { action: 'allow' } }));
    const r = await room(open);
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'first' });
    hook.behave((c) => (c.body.kind === 'edit' ? { body: { action: 'reject', reason: 'No edits today.' } } : { body: { action: 'allow' } }));
    const f = await r.alice.request('message.edit', { groupId: r.id, messageId: message.id, text: 'second' });
    expect(f.error).toMatchObject({ code: 4022, message: 'No edits today.', data: { reason: 'message_rejected' } });
    expect(await history(r.alice, r.id)).toEqual(['first']);
    hook.behave((c) => (c.body.kind === 'edit' ? { body: { action: 'replace', text: 'third (moderated)' } } : { body: { action: 'allow' } }));
    const edited = await r.alice.call<{ message: Message }>('message.edit', { groupId: r.id, messageId: message.id, text: 'third' });
    expect(edited.message).toMatchObject({ id: message.id, text: 'third (moderated)' });
    await r.bob.waitFor((fr: Frame) => fr.method === 'message.updated' && (fr.params as { message?: Message }).message?.text === 'third (moderated)');
    expect(await history(r.bob, r.id)).toEqual(['third (moderated)']);
  });
});

describe('what the hook is sent', () => {
  it('a signed JSON POST with kind, groupId, authorId, text and the ids', async () => {
    hook.behave(() => ({ body: { action: 'allow' } }));
    const r = await room(open);
    const from = hook.calls.length;
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'héllo 👋', clientMessageId: 'cm-42' });
    await r.alice.call('message.edit', { groupId: r.id, messageId: message.id, text: 'edited' });
    const [send, edit] = hook.calls.slice(from);
    expect(send?.body).toEqual({ kind: 'message', groupId: r.id, authorId: 'alice', text: 'héllo 👋', clientMessageId: 'cm-42' });
    expect(edit?.body).toEqual({ kind: 'edit', groupId: r.id, authorId: 'alice', text: 'edited', messageId: message.id });
    for (const c of [send, edit]) {
      expect(c?.headers['content-type']).toBe('application/json');
      expect(verifySignature(SECRET, c?.headers ?? {}, c?.raw ?? '')).toBe(true);
      expect(verifySignature('another-secret-0123456789', c?.headers ?? {}, c?.raw ?? '')).toBe(false);
    }
    // A fresh id per call: a receiver may use it to spot replays.
    expect(send?.headers['webhook-id']).not.toBe(edit?.headers['webhook-id']);
  });

  it("one kept-alive connection carries one client's calls, one after another", async () => {
    hook.behave(() => ({ body: { action: 'allow' } }));
    const r = await room(open);
    const from = hook.calls.length;
    for (let i = 0; i < 20; i++) await r.alice.call('message.send', { groupId: r.id, text: `ka ${i}` });
    const ports = new Set(hook.calls.slice(from).map((c) => c.remotePort));
    expect(ports.size).toBe(1);
  });

  it("a non-member's send never reaches the hook", async () => {
    const r = await room(open);
    const carol = await TestClient.connect(open.url, 'carol');
    clients.push(carol);
    const from = hook.calls.length;
    const f = await carol.request('message.send', { groupId: r.id, text: 'secret words' });
    expect(f.error?.code).toBe(4003);
    expect(hook.calls.slice(from).filter((c) => c.body.text === 'secret words')).toEqual([]);
  });
});

describe('edits that are refused anyway', () => {
  // The hub checks membership and authorship before it asks the hook (hub/messages.ts): a text nobody may store is nobody's business.
  it("an edit by someone who may not make it (another's message, a non-member) never reaches the hook", async () => {
    hook.behave(() => ({ body: { action: 'allow' } }));
    const r = await room(open);
    const carol = await TestClient.connect(open.url, 'carol');
    clients.push(carol);
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'mine' });
    const from = hook.calls.length;
    const byBob = await r.bob.request('message.edit', { groupId: r.id, messageId: message.id, text: 'bob rewrites it' });
    expect(byBob.error?.code).toBe(4033);
    const byCarol = await carol.request('message.edit', { groupId: r.id, messageId: message.id, text: 'carol rewrites it' });
    expect(byCarol.error?.code).toBeGreaterThan(4000);
    expect(hook.calls.slice(from).map((c) => c.body.text)).toEqual([]);
  });
});

describe('failures', () => {
  it('fail-open on timeout: stored as sent, answered within about the timeout', async () => {
    hook.behave(() => ({ body: { action: 'reject', reason: 'too late to count' }, delayMs: SLEEP_MS }));
    const r = await room(open);
    const t0 = Date.now();
    const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'slow hook' });
    const took = Date.now() - t0;
    expect(message.text).toBe('slow hook');
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(TIMEOUT_MS + 1500);
    expect((await r.bob.waitForMessages(r.id, 1)).map((m) => m.text)).toEqual(['slow hook']);
    expect(await metric(open, 'failed_open')).toBeGreaterThan(0);
  });

  it('fail-closed on timeout: 4503, nothing stored', async () => {
    hook.behave(() => ({ body: { action: 'allow' }, delayMs: SLEEP_MS }));
    const r = await room(closed);
    const t0 = Date.now();
    const f = await r.alice.request('message.send', { groupId: r.id, text: 'slow hook' });
    expect(Date.now() - t0).toBeLessThan(TIMEOUT_MS + 1500);
    expect(f.error).toMatchObject({ code: 4503, data: { reason: 'unavailable' } });
    hook.behave(() => ({ body: { action: 'allow' } }));
    await assertNothingDeliveredBefore(r, 'hook is back');
    expect(await history(r.alice, r.id)).toEqual(['hook is back']);
    expect(await metric(closed, 'failed_closed')).toBeGreaterThan(0);
  });

  it('the deadline covers the whole answer: headers at once and a body that never ends is a timeout', async () => {
    hook.behave(() => ({ body: { action: 'allow' }, stall: true }));
    const r = await room(closed);
    const t0 = Date.now();
    const f = await r.alice.request('message.send', { groupId: r.id, text: 'stalled' });
    expect(Date.now() - t0).toBeLessThan(TIMEOUT_MS + 1500);
    expect(f.error).toMatchObject({ code: 4503 });
    hook.behave(() => ({ body: { action: 'allow' } }));
    expect(await history(r.alice, r.id)).toEqual([]);
  });

  it('an answer over 64 KiB is a failure', async () => {
    hook.behave(() => ({ body: { action: 'reject', reason: 'x'.repeat(70_000) } }));
    const r = await room(closed);
    expect((await r.alice.request('message.send', { groupId: r.id, text: 'huge answer' })).error).toMatchObject({ code: 4503 });
    hook.behave(() => ({ body: { action: 'allow' } }));
  });

  it('garbage answers are failures: unknown action, not JSON, HTTP 500, extra keys', async () => {
    const answers = [
      { body: { action: 'maybe' } },
      { body: 'this is not json' },
      { status: 500, body: { action: 'allow' } },
      { body: { action: 'allow', text: 'meant as a replace' } },
      { body: { action: 'reject', reason: '' } },
      { body: { action: 'reject', reason: 'x'.repeat(501) } },
    ];
    const rc = await room(closed);
    const ro = await room(open);
    for (const [i, a] of answers.entries()) {
      hook.behave(() => a);
      const f = await rc.alice.request('message.send', { groupId: rc.id, text: `garbage ${i}` });
      expect(f.error, JSON.stringify(a)).toMatchObject({ code: 4503 });
      const { message } = await ro.alice.call<{ message: Message }>('message.send', { groupId: ro.id, text: `garbage ${i}` });
      expect(message.text, JSON.stringify(a)).toBe(`garbage ${i}`);
    }
    hook.behave(() => ({ body: { action: 'allow' } }));
    expect(await history(rc.alice, rc.id)).toEqual([]);
    expect(await history(ro.alice, ro.id)).toEqual(answers.map((_, i) => `garbage ${i}`));
  });

  it('an invalid replacement (too long, or empty) is a failure, not stored', async () => {
    const rc = await room(closed);
    const ro = await room(open);
    for (const text of ['y'.repeat(4001), '   ']) {
      hook.behave(() => ({ body: { action: 'replace', text } }));
      const f = await rc.alice.request('message.send', { groupId: rc.id, text: 'short' });
      expect(f.error).toMatchObject({ code: 4503 });
      const { message } = await ro.alice.call<{ message: Message }>('message.send', { groupId: ro.id, text: 'short' });
      expect(message.text).toBe('short');
    }
    hook.behave(() => ({ body: { action: 'allow' } }));
    expect(await history(rc.alice, rc.id)).toEqual([]);
  });

  it('hook down (connection refused): open stores as sent, closed answers 4503; the log says so once', async () => {
    const url = await deadUrl();
    const [downOpen, downClosed] = await Promise.all([startHub(env(url, 'open')), startHub(env(url, 'closed'))]);
    try {
      const ro = await room(downOpen);
      const rc = await room(downClosed);
      for (let i = 0; i < 5; i++) {
        const { message } = await ro.alice.call<{ message: Message }>('message.send', { groupId: ro.id, text: `down ${i}` });
        expect(message.text).toBe(`down ${i}`);
        const f = await rc.alice.request('message.send', { groupId: rc.id, text: `down ${i}` });
        expect(f.error).toMatchObject({ code: 4503, data: { reason: 'unavailable' } });
      }
      expect(await history(rc.alice, rc.id)).toEqual([]);
      expect(await metric(downOpen, 'failed_open')).toBe(5);
      expect(await metric(downClosed, 'failed_closed')).toBe(5);
      for (const h of [downOpen, downClosed]) {
        const lines = h.logs.filter((l) => l.includes('"moderation_failed"'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('ECONNREFUSED');
      }
    } finally {
      await Promise.all([downOpen.stop(), downClosed.stop()]);
    }
  });
});

describe('on the Redis engine', () => {
  it('reject and replace work the same', async () => {
    const hub = await startHub(hubEnv({ redisUrl: inject('redisUrl'), prefix: randomPrefix(), extra: env(hook.url, 'closed') }));
    try {
      const r = await room(hub);
      hook.behave((c) => (c.body.text === 'no' ? { body: { action: 'reject', reason: 'Say yes.' } } : { body: { action: 'replace', text: `[${String(c.body.text)}]` } }));
      const f = await r.alice.request('message.send', { groupId: r.id, text: 'no' });
      expect(f.error).toMatchObject({ code: 4022, message: 'Say yes.' });
      const { message } = await r.alice.call<{ message: Message }>('message.send', { groupId: r.id, text: 'yes' });
      expect(message.text).toBe('[yes]');
      expect((await r.bob.waitForMessages(r.id, 1)).map((m) => m.text)).toEqual(['[yes]']);
      expect(await history(r.alice, r.id)).toEqual(['[yes]']);
    } finally {
      hook.behave(() => ({ body: { action: 'allow' } }));
      await hub.stop();
    }
  });
});
