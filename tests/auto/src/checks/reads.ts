/**
 * Protocol 1.1 read state and `me.conversations` (PROTOCOL.md §8, §11, §12)
 * over the public protocol: `message.read` results and markers that only move
 * forward, `unread` counts, `read` on every open connection of the user (for
 * a read and for the user's own send), `member.read` in direct conversations
 * only, `me.conversations` (membership, order, role, readUpTo, unread,
 * lastMessage, paging under traffic); and, with several hubs, `read` and
 * `member.read` across every ordered pair of instances.
 */
import { compareMessageIds, type Message } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, expectEqual, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short, sleep } from '../rpc.js';
import { checkConversation, checkError, checkGroup11, checkMember11, checkMessage, ISO_MS_RE, type ConversationShape } from '../shapes.js';
import { orderedPairs } from '../stats.js';
import { join, send } from './basic.js';

type P = Record<string, unknown>;

/** How long "never" is: after a sentinel arrived, a notification that must not come gets this much longer. */
const GRACE_MS = 300;
/**
 * Pause between steps whose order `me.conversations` must show ("latest
 * activity first"): so no two activities share a millisecond, even with a
 * little clock difference between instances.
 */
const STEP_MS = 30;

const isObj = (v: unknown): v is P => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ReadState {
  readUpTo: string | null;
  unread: number;
}

/** `message.read`; the result must be {readUpTo, unread}. */
async function markRead(conn: RpcConnection, groupId: string, messageId: string, what: string): Promise<ReadState> {
  const r = await conn.call<ReadState>('message.read', { groupId, messageId });
  if (!isObj(r)) fail(`${what}: message.read must return {readUpTo, unread}, got ${short(r)}`);
  if (r.readUpTo !== null && typeof r.readUpTo !== 'string') fail(`${what}: message.read result.readUpTo must be a message id or null, got ${short(r)}`);
  if (typeof r.unread !== 'number' || !Number.isInteger(r.unread) || r.unread < 0) fail(`${what}: message.read result.unread must be a non-negative integer, got ${short(r)}`);
  return r;
}

/** `message.read` answering exactly `expected`. */
export async function expectMarkRead(conn: RpcConnection, groupId: string, messageId: string, expected: ReadState, what: string): Promise<void> {
  const r = await markRead(conn, groupId, messageId, what);
  expectEqual({ readUpTo: r.readUpTo, unread: r.unread }, expected, `${what}: message.read {groupId, messageId: ${messageId}} result {readUpTo, unread}`);
}

/** Waits for `read {groupId, readUpTo, unread}` with this readUpTo on `conn`, and checks its unread. */
async function expectRead(conn: RpcConnection, groupId: string, readUpTo: string, unread: number, which: string): Promise<void> {
  const f = await conn.waitNotification(
    'read',
    (p) => p.groupId === groupId && p.readUpTo === readUpTo,
    `${which}: the read notification {groupId: ${groupId}, readUpTo: ${readUpTo}} on ${conn.label}`,
  );
  const p = f.params as P;
  expect(p.unread === unread, `${which}: read {groupId: ${groupId}, readUpTo: ${readUpTo}} on ${conn.label}: expected unread ${unread}, got ${short(p)}`);
}

/** The notifications of `method` received so far whose params match. */
function notes(conn: RpcConnection, method: string, pred: (p: P) => boolean = () => true): P[] {
  return conn.frames.filter((f) => f.method === method && f.id === undefined && isObj(f.params) && pred(f.params)).map((f) => f.params as P);
}

/** Waits for `member.read {groupId, userId, readUpTo, at}` on a subscribed connection. */
async function expectMemberRead(conn: RpcConnection, groupId: string, userId: string, readUpTo: string, which: string): Promise<void> {
  const f = await conn.waitNotification(
    'member.read',
    (p) => p.groupId === groupId && p.userId === userId && p.readUpTo === readUpTo,
    `${which}: member.read {groupId: ${groupId}, userId: ${userId}, readUpTo: ${readUpTo}} on ${conn.label}`,
  );
  const p = f.params as P;
  expect(typeof p.at === 'string' && ISO_MS_RE.test(p.at), `${which}: member.read.at must be ISO-8601 UTC with ms, got ${short(p.at)} in ${short(p)}`);
}

export async function refused(conn: RpcConnection, method: string, params: P, code: number, what: string, field?: string): Promise<void> {
  const e = await conn.callExpectError(method, params, what);
  checkError(e, code, what, field);
}

interface ConvPage {
  conversations: ConversationShape[];
  next: string | null;
}

/** One page of me.conversations, every entry's shape checked. */
async function conversationsPage(conn: RpcConnection, params: P, what: string): Promise<ConvPage> {
  const r = await conn.call<ConvPage>('me.conversations', params);
  if (!isObj(r) || !Array.isArray(r.conversations)) fail(`${what}: me.conversations must return {conversations, next}, got ${short(r)}`);
  if (r.next !== null && typeof r.next !== 'string') fail(`${what}: me.conversations result.next must be a string or null, got ${short(r.next)}`);
  r.conversations.forEach((c, i) => checkConversation(c, `${what}: conversations[${i}]`));
  return r;
}

/** me.conversations followed with `after` = next until next is null; `between` runs after each page. */
async function allConversations(conn: RpcConnection, limit: number, what: string, between?: (page: ConvPage, i: number) => Promise<void>): Promise<{ list: ConversationShape[]; pages: number }> {
  const list: ConversationShape[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const params: P = { limit };
    if (after !== null) params.after = after;
    const page = await conversationsPage(conn, params, `${what}, page ${i + 1}`);
    if (page.conversations.length > limit) fail(`${what}: page ${i + 1} of me.conversations with limit ${limit} has ${page.conversations.length} entries`);
    list.push(...page.conversations);
    if (page.next === null) return { list, pages: i + 1 };
    await between?.(page, i);
    after = page.next;
  }
  fail(`${what}: me.conversations with limit ${limit} still had a next page after 100 pages (${list.length} entries so far)`);
}

/** The conversation of `groupId` in the caller's me.conversations (which must list it). */
export async function conversationOf(conn: RpcConnection, groupId: string, what: string): Promise<ConversationShape> {
  const { list } = await allConversations(conn, 200, what);
  const c = list.find((x) => x.group.id === groupId);
  if (!c) fail(`${what}: me.conversations of ${conn.userId} must list ${groupId}, got ${short(list.map((x) => x.group.id))}`);
  return c;
}

/** The `readUpTo` of each user in group.members. */
async function markers(conn: RpcConnection, groupId: string): Promise<Map<string, string | null>> {
  const r = await conn.call<{ members: unknown[]; next: string | null }>('group.members', { groupId, limit: 200 });
  if (!isObj(r) || !Array.isArray(r.members)) fail(`group.members ${groupId}: expected {members, next}, got ${short(r)}`);
  const out = new Map<string, string | null>();
  r.members.forEach((m, i) => {
    const mm = checkMember11(m, `group.members ${groupId} [${i}]`);
    out.set(mm.userId, mm.readUpTo);
  });
  return out;
}

/** A fresh public room created by `creator` (who is then no member) and joined by `joiners` in order. */
export async function room(ctx: CheckContext, creator: RpcConnection, joiners: RpcConnection[], tag = 'r'): Promise<string> {
  const g = ctx.group(tag);
  await creator.call('group.create', { groupId: g });
  for (const c of joiners) await join(c, g);
  return g;
}

/** direct.open; the id of the direct conversation. */
export async function openDirect(conn: RpcConnection, userId: string): Promise<string> {
  const r = await conn.call<{ group: unknown }>('direct.open', { userId });
  return checkGroup11(isObj(r) ? r.group : r, `direct.open ${userId} by ${conn.userId}: result.group`, { kind: 'direct' }).id;
}

/** The smallest message id after `id` (same ms, next seq). */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq) + 1}`;
}

/** What a Conversation is expected to hold; lastMessage compared by id, text, author and sentAt. */
function expectConversation(c: ConversationShape, exp: { role: string; readUpTo: string | null; unread: number; lastMessage: Message | null }, what: string): void {
  expect(c.role === exp.role, `${what}: expected role '${exp.role}', got ${short(c.role)} in ${short(c)}`);
  expect(c.readUpTo === exp.readUpTo, `${what}: expected readUpTo ${short(exp.readUpTo)}, got ${short(c.readUpTo)} in ${short(c)}`);
  expect(c.unread === exp.unread, `${what}: expected unread ${exp.unread}, got ${short(c.unread)} in ${short(c)}`);
  if (exp.lastMessage === null) {
    expect(c.lastMessage === null, `${what}: a conversation without messages must have lastMessage null, got ${short(c.lastMessage)}`);
  } else {
    const m = exp.lastMessage;
    checkMessage(c.lastMessage, `${what}: lastMessage (the newest message)`, { id: m.id, text: m.text, authorId: m.authorId, sentAt: m.sentAt, groupId: m.groupId });
  }
}

/** Two lists of ids equal, else a failure naming the first difference, what is missing, extra or repeated. */
function expectIds(actual: string[], expected: string[], what: string): void {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  const i = actual.findIndex((x, k) => x !== expected[k]);
  const at = i === -1 ? expected.length : i;
  const missing = expected.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !expected.includes(x));
  const twice = [...new Set(actual.filter((x, k) => actual.indexOf(x) !== k))];
  fail(
    `${what}: expected ${expected.length} ids ${short(expected, 2000)}, got ${actual.length}: ${short(actual, 2000)}; first difference at #${at} ` +
      `(expected ${short(expected[at] ?? '(end)')}, got ${short(actual[at] ?? '(end)')})` +
      `${missing.length > 0 ? `; missing ${short(missing)}` : ''}${extra.length > 0 ? `; not expected ${short(extra)}` : ''}${twice.length > 0 ? `; repeated ${short(twice)}` : ''}`,
  );
}

const needsTwo = (ctx: CheckContext) => (ctx.endpoints.length < 2 ? 'needs 2 or more hub URLs or pods' : null);

export const readChecks: Check[] = [
  {
    name: 'read-state',
    group: 'read',
    description:
      'message.read returns {readUpTo, unread}: N unread after N messages, N-k after reading the k-th, never backwards; a newer id -32602 messageId; read on every connection of the reader, and of a sender (unread 0); Member.readUpTo; outsiders 4003',
    async run(ctx) {
      const N = 5;
      const K = 2;
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const a1 = await ctx.connect(ann, 0); // subscribed
      const a2 = await ctx.connect(ann, 1); // joined to nothing
      const b1 = await ctx.connect(bob, 1); // subscribed
      const b2 = await ctx.connect(bob, 2); // joined to nothing
      const outsider = await ctx.connect(ctx.user('out'), 2);
      const g = await room(ctx, a1, [a1, b1]);
      const sent: Message[] = [];
      for (let i = 0; i < N; i++) sent.push(await send(a1, g, `read ${i + 1} of ${N}`));
      // A send moves the sender's marker to it: read {readUpTo: it, unread: 0} on every connection of the sender.
      for (const m of sent) {
        await expectRead(a1, g, m.id, 0, `ann sent ${m.id} (her subscribed connection)`);
        await expectRead(a2, g, m.id, 0, `ann sent ${m.id} (her connection joined to nothing)`);
      }
      // Nothing read yet: readUpTo null, every message unread.
      const before = await conversationOf(b1, g, 'bob before reading');
      expectConversation(before, { role: 'member', readUpTo: null, unread: N, lastMessage: sent[N - 1] }, `me.conversations of bob before reading (${N} messages from ann)`);
      const m0 = await markers(b1, g);
      expect(m0.get(bob) === null, `group.members: bob has read nothing yet, expected readUpTo null, got ${short(m0.get(bob))}`);
      expect(m0.get(ann) === sent[N - 1].id, `group.members: ann's own sends moved her marker, expected readUpTo ${sent[N - 1].id}, got ${short(m0.get(ann))}`);

      // Reading up to the K-th: unread N-K, on both of bob's connections.
      const kth = sent[K - 1];
      await expectMarkRead(b1, g, kth.id, { readUpTo: kth.id, unread: N - K }, `bob reads up to message ${K} of ${N}`);
      await expectRead(b1, g, kth.id, N - K, "bob's read (his subscribed connection)");
      await expectRead(b2, g, kth.id, N - K, "bob's read (his other connection, joined to nothing)");
      // The marker never moves back: an older id, or the same, returns the current state unchanged.
      await expectMarkRead(b2, g, sent[0].id, { readUpTo: kth.id, unread: N - K }, 'bob reads an older message (the marker only moves forward)');
      await expectMarkRead(b1, g, kth.id, { readUpTo: kth.id, unread: N - K }, 'bob reads the same message again');
      // Newer than the group's newest message, or not an id: -32602 messageId; the state stays.
      const newest = sent[N - 1].id;
      const [ms] = newest.split('-');
      await refused(b1, 'message.read', { groupId: g, messageId: nextId(newest) }, -32602, `message.read of ${nextId(newest)}, just after the newest message ${newest}`, 'messageId');
      await refused(b1, 'message.read', { groupId: g, messageId: `${Number(ms) + 60_000}-0` }, -32602, 'message.read of an id a minute after the newest message', 'messageId');
      await refused(b1, 'message.read', { groupId: g, messageId: 'not-an-id' }, -32602, "message.read of messageId 'not-an-id'", 'messageId');
      await refused(b1, 'message.read', { groupId: g }, -32602, 'message.read without messageId', 'messageId');
      const m1 = await markers(a1, g);
      expect(m1.get(bob) === kth.id, `group.members after bob read up to ${kth.id} (and was refused newer ids): expected his readUpTo ${kth.id}, got ${short(m1.get(bob))}`);

      // Reading the newest: nothing unread.
      await expectMarkRead(b2, g, newest, { readUpTo: newest, unread: 0 }, 'bob reads the newest message (from his connection joined to nothing)');
      await expectRead(b1, g, newest, 0, 'bob read the newest (his subscribed connection)');
      await expectRead(b2, g, newest, 0, 'bob read the newest (the calling connection)');
      // A new message from ann: one unread for bob.
      const more = await send(a1, g, 'one more');
      await expectRead(a2, g, more.id, 0, `ann sent ${more.id} (her connection joined to nothing)`);
      await expectMarkRead(b1, g, sent[0].id, { readUpTo: newest, unread: 1 }, 'bob, one message after his marker, reads an older one');
      // bob's own send moves his marker past ann's message: unread 0, read on both of his connections.
      const mine = await send(b1, g, 'bob answers');
      await expectRead(b1, g, mine.id, 0, `bob sent ${mine.id} (his subscribed connection)`);
      await expectRead(b2, g, mine.id, 0, `bob sent ${mine.id} (his connection joined to nothing)`);
      await expectMarkRead(a2, g, sent[0].id, { readUpTo: more.id, unread: 1 }, "ann (bob's answer unread) reads an older message");
      const after = await conversationOf(b2, g, 'bob after answering');
      expectConversation(after, { role: 'member', readUpTo: mine.id, unread: 0, lastMessage: mine }, "me.conversations of bob after his own send");

      // Members only.
      await refused(outsider, 'message.read', { groupId: g, messageId: sent[0].id }, 4003, 'message.read by a user who is not a member');
      return { detail: `${N} messages: unread ${N}, ${N - K} after reading ${K}, unchanged on older ids, 0 at the newest; read on 2 connections of reader and sender` };
    },
  },
  {
    name: 'read-direct',
    group: 'read',
    description:
      "member.read {groupId, userId, readUpTo, at} reaches the subscribed connections of a direct conversation when a peer reads; never in rooms, never to a connection that did not open it",
    async run(ctx) {
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const a1 = await ctx.connect(ann, 0); // opens the direct conversation: subscribed
      const a2 = await ctx.connect(ann, 1); // joined to nothing
      const b1 = await ctx.connect(bob, 1);
      const dm = await openDirect(a1, bob);
      expectEqual(await openDirect(b1, ann), dm, 'direct.open from the other side (the same conversation)');
      const d1 = await send(a1, dm, 'dm one');
      const d2 = await send(a1, dm, 'dm two');
      await expectMarkRead(b1, dm, d1.id, { readUpTo: d1.id, unread: 1 }, 'bob reads the first of 2 messages in the direct conversation');
      await expectMemberRead(a1, dm, bob, d1.id, "ann's subscribed connection to the direct conversation");
      await expectRead(b1, dm, d1.id, 1, "bob's read in the direct conversation");
      // In a room of the same two users: no member.read at all.
      const g = await room(ctx, a1, [a1, b1]);
      const rm = await send(a1, g, 'room one');
      await expectMarkRead(b1, g, rm.id, { readUpTo: rm.id, unread: 0 }, 'bob reads in a room');
      await expectRead(b1, g, rm.id, 0, "bob's read in the room");
      // Sentinel: a second read in the direct conversation, after which the room's would have come.
      await expectMarkRead(b1, dm, d2.id, { readUpTo: d2.id, unread: 0 }, 'bob reads the rest of the direct conversation');
      await expectMemberRead(a1, dm, bob, d2.id, "ann's subscribed connection (sentinel)");
      await sleep(GRACE_MS);
      for (const c of [a1, b1]) {
        const inRoom = notes(c, 'member.read', (p) => p.groupId === g);
        expect(inRoom.length === 0, `member.read is for direct conversations only, but ${c.label} got ${short(inRoom)} for the room ${g}`);
      }
      const unsubscribed = notes(a2, 'member.read');
      expect(unsubscribed.length === 0, `member.read goes to the group's subscribed connections, but ${a2.label} (which opened nothing) got ${short(unsubscribed)}`);
      return { detail: `member.read of ${dm} to the subscribed peer; none for the room, none to an unsubscribed connection` };
    },
  },
  {
    name: 'conversations',
    group: 'read',
    description:
      'me.conversations lists every room and direct conversation the caller is a member of, latest activity first, with role, readUpTo, exact unread and lastMessage (null without messages); rooms left or kicked from are gone',
    async run(ctx) {
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const a = await ctx.connect(ann, 0);
      const b = await ctx.connect(bob, 1);
      const empty = await conversationsPage(a, {}, 'me.conversations of a new user');
      expect(empty.conversations.length === 0 && empty.next === null, `me.conversations of a user who is a member of nothing: expected {conversations: [], next: null}, got ${short(empty)}`);
      await refused(a, 'me.conversations', { limit: 0 }, -32602, 'me.conversations with limit 0', 'limit');
      await refused(a, 'me.conversations', { limit: 201 }, -32602, 'me.conversations with limit 201', 'limit');

      // 1. A room ann joins and where nobody ever writes (its activity: her join).
      const quiet = await room(ctx, b, [a], 'quiet');
      await sleep(STEP_MS);
      // 2. ann's own room: bob writes 3 messages, ann reads none.
      const own = await room(ctx, a, [a, b], 'own');
      const ownMsgs: Message[] = [];
      for (let i = 0; i < 3; i++) ownMsgs.push(await send(b, own, `own ${i}`));
      await sleep(STEP_MS);
      // 3. A direct conversation opened by bob, one message.
      const dm = await openDirect(b, ann);
      const dmMsg = await send(b, dm, 'hello ann');
      await sleep(STEP_MS);
      // 4. bob's room where ann is an admin and has read the first of 2 messages.
      const adm = await room(ctx, b, [b, a], 'adm');
      const admMsgs = [await send(b, adm, 'adm 0'), await send(b, adm, 'adm 1')];
      await b.call('group.setRole', { groupId: adm, userId: ann, role: 'admin' });
      await expectMarkRead(a, adm, admMsgs[0].id, { readUpTo: admMsgs[0].id, unread: 1 }, 'ann reads the first of 2 messages');
      await sleep(STEP_MS);
      // 5. A room ann leaves and one she is kicked from: listed while a member, gone afterwards.
      const left = await room(ctx, b, [b, a], 'left');
      const kicked = await room(ctx, b, [b, a], 'kick');
      const mid = (await allConversations(a, 200, 'me.conversations while a member of 6')).list.map((c) => c.group.id);
      for (const g of [quiet, own, dm, adm, left, kicked]) expect(mid.includes(g), `me.conversations must list every conversation ann is a member of; ${g} is missing from ${short(mid)}`);
      expectEqual(await a.call('group.leave', { groupId: left }), { left: true }, 'group.leave by ann');
      expectEqual(await b.call('group.kick', { groupId: kicked, userId: ann }), { kicked: true }, 'group.kick of ann by the owner');
      await sleep(STEP_MS);
      // 6. A room where ann writes herself: her send moves her marker.
      const wrote = await room(ctx, b, [a], 'wrote');
      const annMsg = await send(a, wrote, 'ann writes');

      const { list, pages } = await allConversations(a, 200, "ann's me.conversations");
      expect(pages === 1, `me.conversations of 5 conversations with limit 200: expected one page (next null), got ${pages}`);
      const ids = list.map((c) => c.group.id);
      expectIds(ids, [wrote, adm, dm, own, quiet], 'me.conversations of ann: her 5 conversations, latest activity first (no room she left or was kicked from)');
      const byId = new Map(list.map((c) => [c.group.id, c]));
      expectConversation(byId.get(wrote)!, { role: 'member', readUpTo: annMsg.id, unread: 0, lastMessage: annMsg }, `${wrote} (ann wrote the only message)`);
      expectConversation(byId.get(adm)!, { role: 'admin', readUpTo: admMsgs[0].id, unread: 1, lastMessage: admMsgs[1] }, `${adm} (ann an admin, read 1 of 2)`);
      expectConversation(byId.get(dm)!, { role: 'member', readUpTo: null, unread: 1, lastMessage: dmMsg }, `${dm} (direct, one message unread)`);
      expectConversation(byId.get(own)!, { role: 'owner', readUpTo: null, unread: 3, lastMessage: ownMsgs[2] }, `${own} (ann's own room, 3 unread)`);
      expectConversation(byId.get(quiet)!, { role: 'member', readUpTo: null, unread: 0, lastMessage: null }, `${quiet} (no message ever)`);
      checkGroup11(byId.get(dm)!.group, `${dm} in me.conversations: group`, { id: dm, kind: 'direct', peers: [ann, bob].sort() as [string, string] });
      checkGroup11(byId.get(own)!.group, `${own} in me.conversations: group`, { id: own, kind: 'room', ownerId: ann, memberCount: 2 });
      // Pages of 2 of the same (unchanged) list: the same conversations in the same order.
      const paged = await allConversations(a, 2, "ann's me.conversations by pages of 2");
      expectIds(paged.list.map((c) => c.group.id), ids, 'me.conversations followed by pages of 2 (after = next) vs one page');
      expect(paged.pages === 3, `5 conversations by pages of 2: expected 3 pages, got ${paged.pages}`);
      return { detail: '5 conversations in activity order with role, readUpTo, unread, lastMessage; left and kicked rooms gone; 3 pages of 2' };
    },
  },
  {
    name: 'paged-conversations',
    group: 'read',
    description: 'me.conversations by pages of 3 (after = next) while another user keeps sending in them: every conversation listed exactly once',
    async run(ctx) {
      const ROOMS = 9;
      const LIMIT = 3;
      const a = await ctx.connect(ctx.user('ann'), 0);
      const b = await ctx.connect(ctx.user('bob'), 1);
      const rooms: string[] = [];
      for (let i = 0; i < ROOMS; i++) rooms.push(await room(ctx, b, [b, a], `p${i}-`));
      // One message in each, apart in time: a known order, latest first.
      for (const g of rooms) {
        await send(b, g, `first in ${g}`);
        await sleep(3);
      }
      const quiet = await allConversations(a, LIMIT, 'me.conversations of 9 rooms, no traffic');
      expectIds(quiet.list.map((c) => c.group.id), [...rooms].reverse(), 'me.conversations by pages of 3 without traffic: the 9 rooms, latest activity first');

      // Again, several times, while bob keeps sending: into the rooms in turn all along,
      // and between pages into a room already listed (moving it to the front, where a
      // position-based cursor would list it twice) and into one not listed yet (moving it
      // ahead of the cursor, where it could be skipped).
      const PASSES = 4;
      let stop = false;
      let sentInBackground = 0;
      let sentBetween = 0;
      let pagesSeen = 0;
      const background = (async () => {
        for (let i = 0; !stop; i++) {
          await send(b, rooms[i % ROOMS], `background ${i}`);
          sentInBackground++;
          await sleep(20);
        }
      })();
      try {
        for (let pass = 0; pass < PASSES; pass++) {
          const what = `me.conversations by pages of ${LIMIT} during traffic (pass ${pass + 1} of ${PASSES})`;
          const seen: string[] = [];
          const touch = async (g: string | undefined) => {
            if (g === undefined) return;
            await send(b, g, `between pages into ${g}`);
            sentBetween++;
          };
          const run = await allConversations(a, LIMIT, what, async (page) => {
            const pageIds = page.conversations.map((c) => c.group.id);
            seen.push(...pageIds);
            const notYet = rooms.filter((g) => !seen.includes(g));
            // Even passes: the last listed and the oldest room not listed; odd passes: the first listed and the newest not listed.
            await touch(pass % 2 === 0 ? pageIds[pageIds.length - 1] : pageIds[0]);
            await touch(pass % 2 === 0 ? notYet[0] : notYet[notYet.length - 1]);
          });
          pagesSeen += run.pages;
          const ids = run.list.map((c) => c.group.id);
          const twice = [...new Set(ids.filter((g, i) => ids.indexOf(g) !== i))];
          expect(twice.length === 0, `${what}: listed ${short(twice)} more than once (all pages: ${short(ids, 2000)})`);
          const missing = rooms.filter((g) => !ids.includes(g));
          expect(missing.length === 0, `${what}: skipped ${short(missing)} (all pages: ${short(ids, 2000)})`);
          const stranger = ids.filter((g) => !rooms.includes(g));
          expect(stranger.length === 0, `${what}: listed ${short(stranger)}, which ann is not a member of`);
        }
      } finally {
        stop = true;
        await background;
      }
      return { detail: `${ROOMS} rooms by pages of ${LIMIT}, ${PASSES} times (${pagesSeen} pages), each once, while bob sent ${sentInBackground} messages in the background and ${sentBetween} between pages` };
    },
  },
];

/** With several hubs: a user's read reaches their connection on another instance, and the peer's member.read too. */
export const readCrossChecks: Check[] = [
  {
    name: 'cross-read',
    group: 'cross',
    description:
      "for every ordered pair (A,B): a read via A reaches the reader's connection on B (read) and the peer's subscribed connection on B (member.read); a send via B reaches the sender's connection on A (read, unread 0)",
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const pairs = orderedPairs(ctx.endpoints.length);
      const problems: string[] = [];
      for (const [a, b] of pairs) {
        const A = ctx.endpoints[a].name;
        const B = ctx.endpoints[b].name;
        try {
          const reader = ctx.user(`r${a}${b}`);
          const peer = ctx.user(`s${a}${b}`);
          const rA = await ctx.connect(reader, a); // reads; subscribed
          const rB = await ctx.connect(reader, b); // joined to nothing
          const sB = await ctx.connect(peer, b); // sends; subscribed
          const sA = await ctx.connect(peer, a); // joined to nothing
          const dm = await openDirect(sB, reader);
          await openDirect(rA, peer);
          const m1 = await send(sB, dm, `one ${A} ${B}`);
          await expectRead(sA, dm, m1.id, 0, `the sender's send via ${B}, at its connection on ${A}`);
          const m2 = await send(sB, dm, `two ${A} ${B}`);
          await expectMarkRead(rA, dm, m1.id, { readUpTo: m1.id, unread: 1 }, `a read via ${A}`);
          await expectRead(rB, dm, m1.id, 1, `the read via ${A}, at the reader's connection on ${B}`);
          await expectMemberRead(sB, dm, reader, m1.id, `the read via ${A}, at the peer's subscribed connection on ${B}`);
          await expectRead(sA, dm, m2.id, 0, `the sender's second send via ${B}, at its connection on ${A}`);
          expect(compareMessageIds(m1.id, m2.id) < 0, `ids of two sequential sends must increase: ${m1.id}, ${m2.id}`);
        } catch (e) {
          problems.push(`read via ${A} -> ${B}: ${(e as Error).message}`);
        }
      }
      if (problems.length > 0) fail(`${problems.length} of ${pairs.length} ordered pairs failed: ${problems.join('; ')}`);
      return { detail: `${pairs.length} ordered pairs over ${ctx.endpoints.length} instances` };
    },
  },
];
