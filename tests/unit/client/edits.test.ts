/**
 * Protocol 1.1 §11 in the SDK through a scripted WebSocket: editMessage,
 * deleteMessage and conversations on the wire, the typed `message.updated`
 * event, and the automatic resume: the cursor is the greatest message id or
 * change cursor seen, a re-join's `updates` are emitted as `message.updated`
 * (`resumed: true`, `cursor` = the since used) exactly once, held-back live
 * changes merge in order, complete:false paging still works, and updates
 * cut at `limit` are completed from message.history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NextChatClient, type ClientEvents, type Conversation, type Group, type Message } from '../../../packages/client/src/index.js';
import { FakeSocket, type SentRequest } from './fake-socket.js';

const at = '2026-11-22T10:00:00.000Z';
const msg = (id: string, extra: Partial<Message> = {}): Message => ({ id, groupId: 'g', authorId: 'bob', text: `m${id}`, sentAt: at, ...extra });
const edited = (id: string, text = `e${id}`, editedAt = '2026-11-22T10:05:00.000Z'): Message => msg(id, { text, editedAt });
const tomb = (id: string): Message => msg(id, { text: '', deletedAt: '2026-11-22T10:06:00.000Z' });
const room = (id = 'g'): Group => ({
  id,
  kind: 'room',
  visibility: 'public',
  title: '',
  topic: '',
  createdBy: 'alice',
  createdAt: at,
  ownerId: 'alice',
  memberCount: 2,
  capacity: 50,
});

function client(extra: Partial<ConstructorParameters<typeof NextChatClient>[0]> = {}): NextChatClient {
  return new NextChatClient({ url: 'ws://hub.test:5000/next-chat', token: 'alice', WebSocket: FakeSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 2 }, ...extra });
}
function next<K extends keyof ClientEvents>(c: NextChatClient, event: K): Promise<ClientEvents[K]> {
  return new Promise((resolve) => c.once(event, resolve));
}
function nextSocket(): Promise<FakeSocket> {
  return new Promise((resolve) => (FakeSocket.onCreate = resolve));
}
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
async function dropAndReconnect(c: NextChatClient, s: FakeSocket): Promise<{ s: FakeSocket; first: Promise<SentRequest> }> {
  const created = nextSocket();
  s.drop(1006);
  const s2 = await created;
  const first = nextRequest(s2);
  const opened = next(c, 'open');
  s2.open();
  await opened;
  return { s: s2, first };
}
const updated = (message: Message, cursor: string) => ({ jsonrpc: '2.0', method: 'message.updated', params: { message, cursor } });
const message = (m: Message) => ({ jsonrpc: '2.0', method: 'message', params: m });

/** Everything the application is handed, in order: `m:<id>` for a message, `u:<id>@<cursor>[r]` for a change. */
function record(c: NextChatClient): string[] {
  const got: string[] = [];
  c.on('message', (m) => got.push(`m:${m.id}`));
  c.on('message.updated', (u) => got.push(`u:${u.message.id}@${u.cursor}${u.resumed ? 'r' : ''}`));
  return got;
}

async function joined(c: NextChatClient, history: Message[]): Promise<FakeSocket> {
  const s = await connected(c);
  const req = nextRequest(s);
  const j = c.join('g');
  s.reply((await req).id, { group: room(), history, complete: true });
  await j;
  return s;
}

afterEach(() => FakeSocket.reset());

describe('editMessage, deleteMessage, conversations', () => {
  it('send their method and params and resolve with the typed result', async () => {
    const c = client();
    const s = await connected(c);
    const conv: Conversation = { group: room(), role: 'member', readUpTo: '1-0', unread: 2, lastMessage: msg('3-0') };
    s.serve((req) => {
      if (req.method === 'message.edit') s.reply(req.id, { message: edited(req.params.messageId as string, req.params.text as string) });
      else if (req.method === 'message.delete') s.reply(req.id, { message: tomb(req.params.messageId as string) });
      else if (req.method === 'me.conversations') s.reply(req.id, { conversations: [conv], next: 'cursor-2' });
    });
    expect(await c.editMessage('g', '3-0', 'fixed')).toEqual(edited('3-0', 'fixed'));
    expect(await c.deleteMessage('g', '3-0')).toEqual(tomb('3-0'));
    expect(await c.conversations()).toEqual({ conversations: [conv], next: 'cursor-2' });
    await c.conversations({ after: 'cursor-2', limit: 5 });
    expect(s.sent.map((r) => [r.method, r.params])).toEqual([
      ['message.edit', { groupId: 'g', messageId: '3-0', text: 'fixed' }],
      ['message.delete', { groupId: 'g', messageId: '3-0' }],
      ['me.conversations', {}],
      ['me.conversations', { after: 'cursor-2', limit: 5 }],
    ]);
  });

  it('check their params locally', async () => {
    const c = client();
    const s = await connected(c);
    await expect(c.editMessage('g', 'not-an-id', 'x')).rejects.toMatchObject({ code: -32602, data: { field: 'messageId' } });
    await expect(c.editMessage('g', '1-0', '   ')).rejects.toMatchObject({ code: -32602, data: { field: 'text' } });
    await expect(c.deleteMessage('bad id!', '1-0')).rejects.toMatchObject({ code: -32602, data: { field: 'groupId' } });
    await expect(c.conversations({ limit: 201 })).rejects.toMatchObject({ code: -32602, data: { field: 'limit' } });
    expect(s.sent).toHaveLength(0);
  });
});

describe('the message.updated event', () => {
  it('is typed, moves the cursor to its cursor, and drops repeats, old cursors and malformed ones', async () => {
    const c = client();
    const s = await joined(c, [msg('1-0'), msg('2-0')]);
    const got = record(c);
    let untyped = 0;
    c.on('notification', () => untyped++);
    s.push(updated(edited('1-0'), '3-0'));
    expect(c.lastSeenId('g')).toBe('3-0');
    s.push(updated(edited('1-0'), '3-0')); // a repeat
    s.push(updated(edited('2-0'), '2-5')); // below the cursor
    s.push(message(msg('2-9'))); // a message below the change: a repeat too
    s.push(message(msg('4-0')));
    s.push(updated(tomb('4-0'), '5-0'));
    s.push({ jsonrpc: '2.0', method: 'message.updated', params: { message: msg('1-0'), cursor: 'nope' } });
    s.push({ jsonrpc: '2.0', method: 'message.updated', params: { cursor: '9-0' } });
    s.push({ jsonrpc: '2.0', method: 'message.updated', params: null });
    expect(got).toEqual(['u:1-0@3-0', 'm:4-0', 'u:4-0@5-0']);
    expect(c.lastSeenId('g')).toBe('5-0');
    expect(untyped).toBe(0);
  });

  it('a live event carries the message as it is now and its cursor, no resumed flag', async () => {
    const c = client();
    const s = await joined(c, [msg('1-0')]);
    const e = next(c, 'message.updated');
    s.push(updated(edited('1-0', 'new text'), '2-0'));
    expect(await e).toEqual({ message: edited('1-0', 'new text'), cursor: '2-0' });
  });
});

describe('resume with updates', () => {
  it('re-joins with since = the greatest id or cursor seen, and emits the updates first, once, as resumed changes', async () => {
    const c = client();
    let s = await joined(c, [msg('1-0'), msg('2-0'), msg('3-0')]);
    const got = record(c);
    s.push(updated(edited('1-0', 'first edit', '2026-11-22T10:01:00.000Z'), '4-0')); // live: cursor 4-0 > every message id
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    expect(req).toMatchObject({ method: 'group.join', params: { groupId: 'g', since: '4-0' } });
    const resumed = next(c, 'resumed');
    // Held back while the resume is out: a live message and a live change.
    s.push(message(msg('7-0')));
    s.push(updated(tomb('5-0'), '8-0'));
    s.reply(req.id, {
      group: room(),
      history: [msg('5-0'), msg('6-0')],
      complete: true,
      updates: [edited('1-0', 'second edit'), tomb('3-0')],
    });
    expect(await resumed).toEqual({ groupId: 'g', missed: 3, complete: true, updated: 3 });
    expect(got).toEqual(['u:1-0@4-0', 'u:1-0@4-0r', 'u:3-0@4-0r', 'm:5-0', 'm:6-0', 'm:7-0', 'u:5-0@8-0']);
    expect(c.lastSeenId('g')).toBe('8-0');
  });

  it('a second resume from the same cursor does not hand the same changes over again, but a newer state of them', async () => {
    const c = client();
    let s = await joined(c, [msg('1-0'), msg('2-0')]);
    const got = record(c);
    const events: ClientEvents['message.updated'][] = [];
    c.on('message.updated', (e) => events.push(e));

    let r = await dropAndReconnect(c, s);
    s = r.s;
    let req = await r.first;
    let resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: true, updates: [edited('1-0')] });
    await resumed;
    expect(events).toEqual([{ message: edited('1-0'), cursor: '2-0', resumed: true }]);
    // No cursor came with it: the next resume asks from 2-0 again, and the hub repeats the change.
    expect(c.lastSeenId('g')).toBe('2-0');

    r = await dropAndReconnect(c, s);
    s = r.s;
    req = await r.first;
    expect(req.params.since).toBe('2-0');
    resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: true, updates: [edited('1-0'), edited('2-0')] });
    expect(await resumed).toEqual({ groupId: 'g', missed: 0, complete: true, updated: 1 });

    r = await dropAndReconnect(c, s);
    s = r.s;
    req = await r.first;
    resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: true, updates: [edited('1-0', 'again', '2026-11-22T10:09:00.000Z'), tomb('2-0')] });
    await resumed;
    expect(got).toEqual(['u:1-0@2-0r', 'u:2-0@2-0r', 'u:1-0@2-0r', 'u:2-0@2-0r']);
    expect(events.at(-2)?.message.text).toBe('again');
    expect(events.at(-1)?.message.deletedAt).toBeDefined();
  });

  it('changes a join history already showed are not handed over again by the next resume', async () => {
    const c = client();
    // The app's own join: message 1-0 already edited, after the newest message (its change cursor > 2-0).
    let s = await joined(c, [edited('1-0'), msg('2-0')]);
    const got = record(c);
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    expect(req.params.since).toBe('2-0');
    const resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: true, updates: [edited('1-0')] });
    expect(await resumed).toEqual({ groupId: 'g', missed: 0, complete: true });
    expect(got).toEqual([]);
  });

  it('complete:false paging of missed messages keeps working alongside updates', async () => {
    const c = client({ resumePageLimit: 2 });
    let s = await joined(c, [msg('1-0'), msg('2-0')]);
    const got = record(c);
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    expect(req).toMatchObject({ method: 'group.join', params: { since: '2-0', limit: 2 } });
    const page1 = nextRequest(s);
    s.reply(req.id, { group: room(), history: [msg('5-0'), msg('6-0')], complete: false, updates: [tomb('2-0')] });
    const p1 = await page1;
    expect(p1).toMatchObject({ method: 'message.history', params: { before: '5-0', limit: 2 } });
    const page2 = nextRequest(s);
    s.reply(p1.id, { messages: [edited('3-0'), msg('4-0')], next: '3-0' });
    const p2 = await page2;
    expect(p2.params.before).toBe('3-0');
    const resumed = next(c, 'resumed');
    // History shows the tombstone at its place; it is at since, so not a missed message.
    s.reply(p2.id, { messages: [msg('1-0'), tomb('2-0')], next: '1-0' });
    expect(await resumed).toEqual({ groupId: 'g', missed: 4, complete: true, updated: 1 });
    expect(got).toEqual(['u:2-0@2-0r', 'm:3-0', 'm:4-0', 'm:5-0', 'm:6-0']);
    expect(c.lastSeenId('g')).toBe('6-0');
  });

  it('updates cut at limit: the rest are paged from message.history (since included) down to the last update given', async () => {
    const c = client({ resumePageLimit: 2 });
    let s = await joined(c, [msg('1-0'), msg('2-0'), msg('3-0'), msg('4-0'), msg('5-0'), msg('6-0')]);
    const got = record(c);
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    expect(req.params.since).toBe('6-0');
    // While away, 1, 2, 4, 5 and 6 changed; the join holds the first two (limit 2).
    const now = [edited('1-0'), tomb('2-0'), msg('3-0'), tomb('4-0'), edited('5-0'), edited('6-0')];
    const befores: unknown[] = [];
    s.serve((h) => {
      befores.push(h.params.before);
      const end = now.findIndex((m) => m.id === h.params.before);
      const upTo = end < 0 ? now.length : end;
      const page = now.slice(Math.max(0, upTo - 2), upTo);
      s.reply(h.id, { messages: page, next: upTo - 2 > 0 ? page[0].id : null });
    });
    const resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: false, updates: [edited('1-0'), tomb('2-0')] });
    expect(await resumed).toEqual({ groupId: 'g', missed: 0, complete: true, updated: 5 });
    // before = the id just after since, so since itself (6-0) is on the first page; paging stops at the last update given.
    expect(befores).toEqual(['6-1', '5-0', '3-0']);
    expect(got).toEqual(['u:1-0@6-0r', 'u:2-0@6-0r', 'u:4-0@6-0r', 'u:5-0@6-0r', 'u:6-0@6-0r']);
  });

  it('updates cut at limit: paging stops at resumeMaxMessages and reports a gap', async () => {
    const c = client({ resumePageLimit: 2, resumeMaxMessages: 2 });
    let s = await joined(c, [msg('1-0'), msg('2-0'), msg('3-0'), msg('4-0'), msg('5-0'), msg('6-0')]);
    const r = await dropAndReconnect(c, s);
    s = r.s;
    const req = await r.first;
    let pages = 0;
    s.serve((h) => {
      pages++;
      s.reply(h.id, { messages: [edited('5-0'), edited('6-0')], next: '5-0' });
    });
    const resumed = next(c, 'resumed');
    s.reply(req.id, { group: room(), history: [], complete: false, updates: [edited('1-0'), tomb('2-0')] });
    expect(await resumed).toMatchObject({ groupId: 'g', complete: false, updated: 4 });
    expect(pages).toBe(1);
  });
});
