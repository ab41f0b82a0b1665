/**
 * Protocol 1.1 §11 through a real hub (both engines: projects integration
 * and protocol-redis): edits and deletes with their permission rows,
 * message.updated in order with messages, history as it is now, resume with
 * `since` across changes, read markers and unread counts, me.conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareMessageIds, type Conversation, type Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';

let hub: HubProcess;
const clients: TestClient[] = [];
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0', NEXT_CHAT_GROUP_CREATE_LIMIT: '0' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
});

type Client = TestClient & { userId: string };

async function connect(user: string): Promise<Client> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return Object.assign(c, { userId: user });
}

async function room(owner: TestClient, ...members: TestClient[]): Promise<string> {
  const g = uid('conv');
  await owner.call('group.create', { groupId: g });
  for (const c of [owner, ...members]) await c.call('group.join', { groupId: g });
  return g;
}

const send = async (c: TestClient, groupId: string, text: string, clientMessageId?: string): Promise<Message> =>
  (await c.call<{ message: Message }>('message.send', { groupId, text, ...(clientMessageId ? { clientMessageId } : {}) })).message;

const errorOf = async (c: TestClient, method: string, params: unknown) => (await c.request(method, params)).error;

/** The group's message and message.updated notifications, in arrival order, as [id or cursor, kind]. */
function timeline(c: TestClient, groupId: string): { at: string; kind: 'message' | 'updated'; frame: Frame }[] {
  const out: { at: string; kind: 'message' | 'updated'; frame: Frame }[] = [];
  for (const f of c.notifications) {
    if (f.method === 'message' && (f.params as Message).groupId === groupId) out.push({ at: (f.params as Message).id, kind: 'message', frame: f });
    if (f.method === 'message.updated' && (f.params as { message: Message }).message.groupId === groupId) out.push({ at: (f.params as { cursor: string }).cursor, kind: 'updated', frame: f });
  }
  return out;
}

describe('edits and deletes', () => {
  it('the author edits; others may not; an unknown id is 4044; subscribers get message.updated with a cursor after every id before it', async () => {
    const a = await connect(uid('author'));
    const b = await connect(uid('reader'));
    const g = await room(a, b);
    const m1 = await send(a, g, 'helo');
    const m2 = await send(a, g, 'second');
    const { message } = await a.call<{ message: Message }>('message.edit', { groupId: g, messageId: m1.id, text: 'hello' });
    expect(message).toMatchObject({ id: m1.id, groupId: g, authorId: m1.authorId, text: 'hello', sentAt: m1.sentAt });
    expect(Date.parse(message.editedAt as string)).toBeGreaterThan(0);
    expect(message.deletedAt).toBeUndefined();
    const note = await b.waitFor((f) => f.method === 'message.updated');
    const { cursor, message: seen } = note.params as { cursor: string; message: Message };
    expect(seen).toEqual(message);
    expect(compareMessageIds(cursor, m2.id)).toBeGreaterThan(0);
    const m3 = await send(a, g, 'third');
    expect(compareMessageIds(m3.id, cursor)).toBeGreaterThan(0);

    expect(await errorOf(b, 'message.edit', { groupId: g, messageId: m1.id, text: 'mine now' })).toMatchObject({ code: 4033, data: { reason: 'forbidden' } });
    expect(await errorOf(a, 'message.edit', { groupId: g, messageId: '1-0', text: 'x' })).toMatchObject({ code: 4044, data: { reason: 'message_not_found' } });
    expect(await errorOf(a, 'message.edit', { groupId: g, messageId: m1.id, text: '   ' })).toMatchObject({ code: -32602, data: { field: 'text' } });
    const outsider = await connect(uid('out'));
    expect((await errorOf(outsider, 'message.edit', { groupId: g, messageId: m1.id, text: 'x' }))?.code).toBe(4003);
    expect((await errorOf(a, 'message.edit', { groupId: uid('nope'), messageId: m1.id, text: 'x' }))?.code).toBe(4004);
  });

  it('delete: author, or owner/admin of the room; a tombstone keeps id and place; again returns the same; no edit after; a retry by clientMessageId gets the tombstone', async () => {
    const owner = await connect(uid('own'));
    const admin = await connect(uid('adm'));
    const alice = await connect(uid('alice'));
    const bob = await connect(uid('bob'));
    const g = await room(owner, admin, alice, bob);
    await owner.call('group.setRole', { groupId: g, userId: admin.userId, role: 'admin' });
    const a1 = await send(alice, g, 'secret one', 'c-1');
    const a2 = await send(alice, g, 'secret two');
    const a3 = await send(alice, g, 'secret three');
    expect(await errorOf(bob, 'message.delete', { groupId: g, messageId: a1.id })).toMatchObject({ code: 4033, data: { reason: 'forbidden', required: 'admin' } });
    const t1 = (await alice.call<{ message: Message }>('message.delete', { groupId: g, messageId: a1.id })).message;
    expect(t1).toMatchObject({ id: a1.id, authorId: alice.userId, text: '', clientMessageId: 'c-1' });
    expect(Date.parse(t1.deletedAt as string)).toBeGreaterThan(0);
    expect((await alice.call<{ message: Message }>('message.delete', { groupId: g, messageId: a1.id })).message).toEqual(t1);
    expect(await errorOf(alice, 'message.edit', { groupId: g, messageId: a1.id, text: 'back' })).toMatchObject({ code: 4033 });
    expect(await send(alice, g, 'secret one', 'c-1')).toEqual(t1);
    expect((await admin.call<{ message: Message }>('message.delete', { groupId: g, messageId: a2.id })).message).toMatchObject({ id: a2.id, text: '' });
    expect((await owner.call<{ message: Message }>('message.delete', { groupId: g, messageId: a3.id })).message).toMatchObject({ id: a3.id, text: '' });
    const { messages } = await bob.call<{ messages: Message[] }>('message.history', { groupId: g });
    expect(messages.map((m) => m.id)).toEqual([a1.id, a2.id, a3.id]);
    expect(messages.every((m) => m.text === '' && m.deletedAt !== undefined)).toBe(true);
    expect(JSON.stringify(messages)).not.toContain('secret');
  });

  it('a direct conversation: each peer edits and deletes only their own', async () => {
    const a = await connect(uid('dma'));
    const b = await connect(uid('dmb'));
    const { group } = await a.call<{ group: { id: string } }>('direct.open', { userId: b.userId });
    await b.call('direct.open', { userId: a.userId });
    const m = await send(a, group.id, 'hi');
    expect((await errorOf(b, 'message.delete', { groupId: group.id, messageId: m.id }))?.code).toBe(4033);
    expect((await a.call<{ message: Message }>('message.edit', { groupId: group.id, messageId: m.id, text: 'hi!' })).message.text).toBe('hi!');
  });

  it('history and join show messages as they are now; edits interleave with traffic in id/cursor order, each once', async () => {
    const a = await connect(uid('busy'));
    const b = await connect(uid('watch'));
    const g = await room(a, b);
    const sent: Message[] = [];
    for (let i = 0; i < 30; i++) sent.push(await send(a, g, `m${i}`));
    // Pipelined: sends, edits and deletes in one burst.
    const burst: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      burst.push(a.call('message.send', { groupId: g, text: `n${i}` }));
      if (i % 3 === 0 && i % 5 !== 1) burst.push(a.call('message.edit', { groupId: g, messageId: sent[i]!.id, text: `m${i} edited` }));
      if (i % 5 === 1) burst.push(a.call('message.delete', { groupId: g, messageId: sent[i]!.id }));
      // Within the connection's in-flight limit.
      if (burst.length >= 24) await Promise.all(burst.splice(0));
    }
    await Promise.all(burst);
    const expected = 30 + 30 + 8 + 6;
    const deadline = Date.now() + 10_000;
    while (timeline(b, g).length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const t = timeline(b, g);
    expect(t).toHaveLength(expected);
    for (let i = 1; i < t.length; i++) expect(compareMessageIds(t[i]!.at, t[i - 1]!.at)).toBeGreaterThan(0);
    const { messages } = await b.call<{ messages: Message[] }>('message.history', { groupId: g, limit: 100 });
    expect(messages).toHaveLength(60);
    messages.slice(0, 30).forEach((m, i) => {
      if (i % 5 === 1) expect(m).toMatchObject({ text: '' });
      else if (i % 3 === 0) expect(m).toMatchObject({ text: `m${i} edited` });
      else expect(m).toMatchObject({ text: `m${i}` });
    });
    // A late joiner's history is the same.
    const c = await connect(uid('late'));
    const joined = await c.call<{ history: Message[] }>('group.join', { groupId: g, limit: 100 });
    expect(joined.history).toEqual(messages);
  });

  it('resume with since = the greatest id or cursor seen: history after it, updates of older messages, nothing repeated', async () => {
    const a = await connect(uid('res-a'));
    const g = await room(a);
    const m: Message[] = [];
    for (let i = 0; i < 5; i++) m.push(await send(a, g, `r${i}`));
    const e1 = await a.call<{ message: Message }>('message.edit', { groupId: g, messageId: m[1]!.id, text: 'r1 v2' });
    const seen = await a.waitFor((f) => f.method === 'message.updated');
    const since = (seen.params as { cursor: string }).cursor;
    // While away: an edit of an old message, a delete, an edit of the one already edited, and new messages.
    await a.call('message.edit', { groupId: g, messageId: m[0]!.id, text: 'r0 v2' });
    await a.call('message.delete', { groupId: g, messageId: m[3]!.id });
    await a.call('message.edit', { groupId: g, messageId: m[1]!.id, text: 'r1 v3' });
    const n1 = await send(a, g, 'new 1');
    await a.call('message.edit', { groupId: g, messageId: n1.id, text: 'new 1 v2' });
    const n2 = await send(a, g, 'new 2');
    const b = await connect(a.userId);
    const r = await b.call<{ history: Message[]; updates: Message[]; complete: boolean }>('group.join', { groupId: g, since });
    expect(r.complete).toBe(true);
    expect(r.history.map((x) => [x.id, x.text])).toEqual([[n1.id, 'new 1 v2'], [n2.id, 'new 2']]);
    expect(r.updates.map((x) => [x.id, x.text])).toEqual([[m[0]!.id, 'r0 v2'], [m[1]!.id, 'r1 v3'], [m[3]!.id, '']]);
    expect(e1.message.text).toBe('r1 v2');
    // With since = a message id, edits after it of older messages come too; no `updates` without since.
    const r2 = await b.call<{ updates: Message[] }>('group.join', { groupId: g, since: m[4]!.id });
    expect(r2.updates.map((x) => x.id)).toEqual([m[0]!.id, m[1]!.id, m[3]!.id]);
    expect((await b.call('group.join', { groupId: g })).updates).toBeUndefined();
    // Since the newest change's own cursor: nothing changed after it.
    const last = await a.waitFor((f) => f.method === 'message.updated' && (f.params as { message: Message }).message.text === 'new 1 v2');
    const cursor = (last.params as { cursor: string }).cursor;
    expect((await b.call<{ updates: Message[] }>('group.join', { groupId: g, since: cursor })).updates).toEqual([]);
    // More changes than the limit: complete false.
    const r3 = await b.call<{ updates: Message[]; complete: boolean }>('group.join', { groupId: g, since: m[4]!.id, limit: 2 });
    expect(r3.updates).toHaveLength(2);
    expect(r3.complete).toBe(false);
  });
});

describe('read state', () => {
  it('unread after a burst and after reading; the marker never moves back; too new is -32602; read reaches every connection', async () => {
    const alice = await connect(uid('ra'));
    const bob = await connect(uid('rb'));
    const bob2 = await connect(bob.userId);
    const g = await room(alice, bob);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await send(alice, g, `b${i}`)).id);
    let conv = (await bob.call<{ conversations: Conversation[] }>('me.conversations', {})).conversations.find((c) => c.group.id === g);
    expect(conv).toMatchObject({ unread: 12, readUpTo: null, role: 'member', lastMessage: { id: ids[11] } });
    expect(await bob.call('message.read', { groupId: g, messageId: ids[4] })).toEqual({ readUpTo: ids[4], unread: 7 });
    const note = await bob2.waitFor((f) => f.method === 'read');
    expect(note.params).toEqual({ groupId: g, readUpTo: ids[4], unread: 7 });
    expect(await bob.call('message.read', { groupId: g, messageId: ids[1] })).toEqual({ readUpTo: ids[4], unread: 7 });
    expect(await errorOf(bob, 'message.read', { groupId: g, messageId: '99999999999999-0' })).toMatchObject({ code: -32602, data: { field: 'messageId' } });
    // Deleted messages still count.
    await alice.call('message.delete', { groupId: g, messageId: ids[10] });
    conv = (await bob.call<{ conversations: Conversation[] }>('me.conversations', {})).conversations.find((c) => c.group.id === g);
    expect(conv).toMatchObject({ unread: 7, readUpTo: ids[4] });
    // Reading the deleted one: its place counts.
    expect(await bob.call('message.read', { groupId: g, messageId: ids[10] })).toEqual({ readUpTo: ids[10], unread: 1 });
    // A send moves the sender's marker: read to the sender's connections.
    const mine = await send(bob, g, 'caught up');
    expect((await bob2.waitFor((f) => f.method === 'read' && (f.params as { readUpTo: string }).readUpTo === mine.id)).params).toEqual({ groupId: g, readUpTo: mine.id, unread: 0 });
  });
});

describe('me.conversations', () => {
  it('latest activity first, exact unread and lastMessage, rooms and direct conversations; left rooms drop out', async () => {
    const me = await connect(uid('me'));
    const other = await connect(uid('other'));
    const g1 = await room(other, me);
    const g2 = await room(other, me);
    const g3 = await room(other, me);
    // Apart by more than a millisecond: activity is the message's id, and ids are times.
    const tick = () => new Promise((r) => setTimeout(r, 3));
    await tick();
    await send(other, g1, 'one');
    await tick();
    await send(other, g3, 'three');
    await tick();
    const { group: dm } = await other.call<{ group: { id: string } }>('direct.open', { userId: me.userId });
    const last = await send(other, dm.id, 'psst');
    const edited = (await other.call<{ message: Message }>('message.edit', { groupId: dm.id, messageId: last.id, text: 'psst!' })).message;
    const { conversations, next } = await me.call<{ conversations: Conversation[]; next: string | null }>('me.conversations', {});
    expect(next).toBeNull();
    // g2 has no message: placed by the join (earlier than every message here).
    expect(conversations.map((c) => c.group.id)).toEqual([dm.id, g3, g1, g2]);
    expect(conversations[0]).toMatchObject({ role: 'member', unread: 1, readUpTo: null, lastMessage: edited, group: { kind: 'direct' } });
    expect(conversations[3]).toMatchObject({ unread: 0, lastMessage: null });
    await me.call('group.leave', { groupId: g3 });
    expect((await me.call<{ conversations: Conversation[] }>('me.conversations', {})).conversations.map((c) => c.group.id)).toEqual([dm.id, g1, g2]);
    expect(await errorOf(me, 'me.conversations', { after: 'not-a-cursor' })).toMatchObject({ code: -32602, data: { field: 'after' } });
  });

  it('pages skip and repeat nothing while messages keep arriving', async () => {
    const me = await connect(uid('pager'));
    const other = await connect(uid('sender'));
    const groups: string[] = [];
    for (let i = 0; i < 25; i++) {
      const g = await room(other, me);
      groups.push(g);
      await send(other, g, `hello ${i}`);
    }
    const listed: string[] = [];
    let after: string | undefined;
    let page = 0;
    do {
      const r = await me.call<{ conversations: Conversation[]; next: string | null }>('me.conversations', { limit: 4, ...(after ? { after } : {}) });
      listed.push(...r.conversations.map((c) => c.group.id));
      after = r.next ?? undefined;
      // Between pages, activity moves conversations of every page to the top.
      await send(other, groups[(page * 7) % groups.length]!, 'bump');
      await send(other, groups[groups.length - 1 - page]!, 'bump');
      page++;
    } while (after);
    expect(listed).toHaveLength(25);
    expect(new Set(listed)).toEqual(new Set(groups));
  });
});
