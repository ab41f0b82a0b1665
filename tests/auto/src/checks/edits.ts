/**
 * Protocol 1.1 edits and deletes (PROTOCOL.md §8, §11, §12) over the public
 * protocol: `message.edit` and `message.delete` results and who may call
 * them (4033, 4044), tombstones, `message.updated {message, cursor}` to every
 * subscribed connection in id/cursor order with the messages, history as
 * messages are now, resuming with `since` (`updates`), a `clientMessageId`
 * retry of a deleted message; and, with several hubs, edits and deletes
 * across every ordered pair of instances.
 */
import { performance } from 'node:perf_hooks';
import { compareMessageIds, MESSAGE_ID_RE, type Message } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, expectEqual, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short } from '../rpc.js';
import { checkEdited, checkIncreasing, checkMessage11, checkTombstone } from '../shapes.js';
import { orderedPairs } from '../stats.js';
import { join, send } from './basic.js';
import { conversationOf, expectMarkRead, openDirect, refused, room } from './reads.js';

type P = Record<string, unknown>;

const isObj = (v: unknown): v is P => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted: the same value whatever order the hub wrote the fields in. */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (isObj(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (canon(actual) !== canon(expected)) fail(`${what}: expected ${short(expected)}, got ${short(actual)}`);
}

interface Update {
  message: Message;
  cursor: string;
}

/** `message.edit`: {message} with the new text and editedAt. */
async function edit(conn: RpcConnection, groupId: string, original: Message, text: string, what: string): Promise<Message> {
  const r = await conn.call<{ message: unknown }>('message.edit', { groupId, messageId: original.id, text });
  if (!isObj(r)) fail(`${what}: message.edit must return {message}, got ${short(r)}`);
  return checkEdited(r.message, `${what}: message.edit result.message`, original, text);
}

/** `message.delete`: {message}, the tombstone. */
async function del(conn: RpcConnection, groupId: string, original: Message, what: string): Promise<Message> {
  const r = await conn.call<{ message: unknown }>('message.delete', { groupId, messageId: original.id });
  if (!isObj(r)) fail(`${what}: message.delete must return {message} (the tombstone), got ${short(r)}`);
  return checkTombstone(r.message, `${what}: message.delete result.message`, original);
}

/** The `message.updated` notifications of a group received so far on a connection, in arrival order. */
function updatesOf(conn: RpcConnection, groupId: string): Update[] {
  return conn.frames
    .filter((f) => f.method === 'message.updated' && f.id === undefined && isObj(f.params) && isObj(f.params.message) && f.params.message.groupId === groupId)
    .map((f) => f.params as unknown as Update);
}

/** Waits for a `message.updated` of the group whose message matches; checks its shape. */
async function waitUpdate(conn: RpcConnection, groupId: string, pred: (m: P) => boolean, what: string): Promise<Update> {
  const f = await conn.waitNotification('message.updated', (p) => isObj(p.message) && p.message.groupId === groupId && pred(p.message), `${what} on ${conn.label}`);
  const p = f.params as P;
  checkMessage11(p.message, `${what}: message.updated.message on ${conn.label}`, { groupId });
  if (typeof p.cursor !== 'string' || !MESSAGE_ID_RE.test(p.cursor)) fail(`${what}: message.updated.cursor on ${conn.label} must be an id of the group's id space ('<ms>-<seq>'), got ${short(p.cursor)} in ${short(p)}`);
  return p as unknown as Update;
}

const editOf = (id: string, text: string) => (m: P) => m.id === id && m.text === text;
const deleteOf = (id: string) => (m: P) => m.id === id && m.deletedAt != null;

async function waitMessageId(conn: RpcConnection, groupId: string, id: string): Promise<void> {
  const list = conn.messages(groupId);
  await conn.waitUntil(
    () => list.some((m) => m.id === id),
    () => `the message notification of ${id} in ${groupId} on ${conn.label} (got ${list.length}: ${short(list.map((m) => m.id))})`,
  );
}

interface Item {
  kind: 'message' | 'updated';
  /** The message id for `message`, the cursor for `message.updated`. */
  key: string;
  id: string;
  text: string;
  deleted: boolean;
}

/** The group's `message` and `message.updated` notifications on a connection, in arrival order. */
function stream(conn: RpcConnection, groupId: string): Item[] {
  const out: Item[] = [];
  for (const f of conn.frames) {
    if (f.id !== undefined || !isObj(f.params)) continue;
    if (f.method === 'message' && f.params.groupId === groupId) {
      const m = f.params as unknown as Message;
      out.push({ kind: 'message', key: m.id, id: m.id, text: m.text, deleted: (m as unknown as P).deletedAt != null });
    } else if (f.method === 'message.updated' && isObj(f.params.message) && f.params.message.groupId === groupId) {
      const u = f.params as unknown as Update;
      out.push({ kind: 'updated', key: String(u.cursor), id: u.message.id, text: u.message.text, deleted: (u.message as unknown as P).deletedAt != null });
    }
  }
  return out;
}

/** Keys (ids and cursors) strictly increasing in arrival order: id/cursor order, no repeat. */
function expectOrdered(items: Item[], what: string): void {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1];
    const b = items[i];
    if (!MESSAGE_ID_RE.test(b.key) || compareMessageIds(a.key, b.key) >= 0) {
      fail(
        `${what}: message and message.updated must arrive in id/cursor order with no repeat, but #${i - 1} is ${a.kind} ${a.key} (message ${a.id}) ` +
          `and #${i} is ${b.kind} ${b.key} (message ${b.id}); around: ${short(items.slice(Math.max(0, i - 3), i + 3).map((x) => `${x.kind}:${x.key}`))}`,
      );
    }
  }
}

const label = (x: Item) => `${x.kind}:${x.id}${x.kind === 'updated' ? (x.deleted ? ' (deleted)' : ` (${x.text})`) : ''}`;

/** message.history of the whole (small) group, oldest first. */
async function history(conn: RpcConnection, groupId: string): Promise<Message[]> {
  const r = await conn.call<{ messages: unknown[]; next: string | null }>('message.history', { groupId, limit: 200 });
  if (!isObj(r) || !Array.isArray(r.messages)) fail(`message.history ${groupId}: expected {messages, next}, got ${short(r)}`);
  r.messages.forEach((m, i) => checkMessage11(m, `message.history ${groupId} [${i}]`, { groupId }));
  checkIncreasing(r.messages as Message[], `message.history ${groupId}`);
  return r.messages as Message[];
}

/** group.join with `since`: {group, history, complete, updates}, updates checked (messages of the group, in id order). */
async function resume(conn: RpcConnection, groupId: string, since: string, extra: P = {}): Promise<{ history: Message[]; updates: Message[]; complete: boolean }> {
  const what = `group.join ${groupId} with since ${since}${Object.keys(extra).length > 0 ? ` and ${short(extra)}` : ''}`;
  const r = await join(conn, groupId, { since, ...extra });
  r.history.forEach((m, i) => checkMessage11(m, `${what}: history[${i}]`, { groupId }));
  const u = (r as unknown as P).updates;
  if (!Array.isArray(u)) fail(`${what}: with since, the result must hold updates (an array), got ${short(u)} in ${short(r)}`);
  u.forEach((m, i) => checkMessage11(m, `${what}: updates[${i}]`, { groupId }));
  checkIncreasing(u as Message[], `${what}: updates (each once, in id order)`);
  for (const m of u as Message[]) {
    if (compareMessageIds(m.id, since) > 0) fail(`${what}: updates hold messages with id <= since, but ${m.id} is after ${since}: ${short(m)}`);
  }
  return { history: r.history, updates: u as Message[], complete: r.complete };
}

/** Expected current states: [id, text or '' for a tombstone, 'edited' | 'deleted' | 'plain'] compared with what came. */
type State = [Message, string, 'edited' | 'deleted' | 'plain'];
function expectStates(got: Message[], expected: State[], what: string): void {
  expectEqual(got.map((m) => m.id), expected.map(([m]) => m.id), `${what}: ids`);
  got.forEach((m, i) => {
    const [orig, text, how] = expected[i];
    const w = `${what}: [${i}] (${orig.id})`;
    if (how === 'deleted') checkTombstone(m, w, orig);
    else if (how === 'edited') checkEdited(m, w, orig, text);
    else {
      checkMessage11(m, w, { id: orig.id, text, authorId: orig.authorId, sentAt: orig.sentAt });
      const o = m as unknown as P;
      expect(o.editedAt == null && o.deletedAt == null, `${w}: a message never edited nor deleted must have no editedAt/deletedAt, got ${short(m)}`);
    }
  });
}

const needsTwo = (ctx: CheckContext) => (ctx.endpoints.length < 2 ? 'needs 2 or more hub URLs or pods' : null);

export const editChecks: Check[] = [
  {
    name: 'message-edit',
    group: 'edits',
    description:
      'message.edit by the author: {message} with the new text and editedAt, message.updated {message, cursor} on every subscribed connection; by anyone else (even the owner) 4033; unknown id 4044; bad text -32602; history and join show the edit',
    async run(ctx) {
      const ann = ctx.user('ann');
      const a1 = await ctx.connect(ann, 0);
      const a2 = await ctx.connect(ann, 1);
      const b = await ctx.connect(ctx.user('bob'), 2);
      const g = await room(ctx, a1, [a1, a2, b], 'e'); // ann owns it
      const elsewhere = await room(ctx, a1, [a1], 'x');
      const m1 = await send(a1, g, 'first version');
      const mb = await send(b, g, 'bob writes');
      // Ids are unique within a group only: a message of another group whose id no message of this one has.
      let foreign = await send(a1, elsewhere, 'in another group');
      for (let i = 0; i < 5 && (foreign.id === m1.id || foreign.id === mb.id); i++) foreign = await send(a1, elsewhere, `in another group ${i}`);
      expect(foreign.id !== m1.id && foreign.id !== mb.id, `could not get a message id in ${elsewhere} that ${g} does not have (got ${foreign.id})`);
      const v2 = 'second version ✓';
      const e1 = await edit(a1, g, m1, v2, 'an edit by the author');
      const cursors: string[] = [];
      for (const c of [a1, a2, b]) {
        const u = await waitUpdate(c, g, editOf(m1.id, v2), `message.updated of the edit of ${m1.id}`);
        expectSame(u.message, e1, `message.updated.message on ${c.label} vs the result of message.edit`);
        expect(compareMessageIds(u.cursor, mb.id) > 0, `message.updated.cursor on ${c.label} must be greater than every message id before it (${mb.id}), got ${u.cursor}`);
        cursors.push(u.cursor);
      }
      expect(new Set(cursors).size === 1, `one edit has one cursor: the subscribed connections got ${short(cursors)}`);
      // Only the author may edit.
      await refused(b, 'message.edit', { groupId: g, messageId: m1.id, text: 'not mine' }, 4033, "message.edit of ann's message by bob");
      await refused(a1, 'message.edit', { groupId: g, messageId: mb.id, text: 'owner rewrites' }, 4033, "message.edit of bob's message by the room's owner (the author only)");
      await refused(a1, 'message.edit', { groupId: g, messageId: '1-0', text: 'ghost' }, 4044, 'message.edit of the unknown id 1-0');
      await refused(a1, 'message.edit', { groupId: g, messageId: foreign.id, text: 'wrong group' }, 4044, `message.edit in ${g} of ${foreign.id}, a message of another group`);
      await refused(a1, 'message.edit', { groupId: g, messageId: m1.id }, -32602, 'message.edit without text', 'text');
      await refused(a1, 'message.edit', { groupId: g, messageId: m1.id, text: '' }, -32602, 'message.edit with text ""', 'text');
      await refused(a1, 'message.edit', { groupId: g, messageId: m1.id, text: '   ' }, -32602, 'message.edit with text of only white space', 'text');
      await refused(a1, 'message.edit', { groupId: g, messageId: m1.id, text: 'x'.repeat(4001) }, -32602, 'message.edit with text of 4001 code points', 'text');
      await refused(a1, 'message.edit', { groupId: g, text: 'no id' }, -32602, 'message.edit without messageId', 'messageId');
      // A second edit: a greater cursor; the refusals sent nothing.
      const v3 = 'third version';
      const e2 = await edit(a1, g, m1, v3, 'a second edit by the author');
      const after = await send(b, g, 'after the edits');
      for (const c of [a1, a2, b]) {
        await waitUpdate(c, g, editOf(m1.id, v3), `message.updated of the second edit of ${m1.id}`);
        await waitMessageId(c, g, after.id);
        const ups = updatesOf(c, g);
        expectEqual(ups.map((u) => u.message.text), [v2, v3], `message.updated notifications on ${c.label} (two edits; refused calls send nothing)`);
        expectOrdered(stream(c, g), `${c.label}`);
      }
      expect(compareMessageIds(updatesOf(b, g)[1].cursor, after.id) < 0, `the cursor of an edit must be smaller than the id of a message sent after the edit returned: ${updatesOf(b, g)[1].cursor} vs ${after.id}`);
      // History shows messages as they are now.
      const states: State[] = [
        [m1, v3, 'edited'],
        [mb, mb.text, 'plain'],
        [after, after.text, 'plain'],
      ];
      expectStates(await history(b, g), states, 'message.history after two edits');
      const carol = await ctx.connect(ctx.user('carol'), 1);
      expectStates((await join(carol, g)).history, states, 'group.join history after two edits');
      expectSame((await history(a2, g))[0], e2, 'message.history of the edited message vs the result of the last message.edit');
      return { detail: `2 edits of ${m1.id} on 3 subscribed connections; 4033 x2, 4044 x2, -32602 x5` };
    },
  },
  {
    name: 'message-delete',
    group: 'edits',
    description:
      'message.delete by the author, an admin or the owner returns the tombstone (text "", deletedAt), again the same; a plain member 4033 (also a peer in a direct conversation); 4044; edit after delete 4033; message.updated; history keeps the place; unread counts it; a clientMessageId retry returns the tombstone',
    async run(ctx) {
      const o = await ctx.connect(ctx.user('own'), 0);
      const ad = await ctx.connect(ctx.user('adm'), 1);
      const m = await ctx.connect(ctx.user('mem'), 2);
      const n = await ctx.connect(ctx.user('plain'), 0);
      const g = await room(ctx, o, [o, ad, m, n], 'd');
      await o.call('group.setRole', { groupId: g, userId: ad.userId, role: 'admin' });
      const msgs: Message[] = [];
      for (let i = 1; i <= 4; i++) msgs.push(await send(m, g, `del ${i}`));
      const cmid = `cm-${ctx.runId}-del`;
      const m5 = await send(m, g, 'oops', cmid);

      const t1 = await del(m, g, msgs[0], 'a delete by the author');
      expectSame(await del(m, g, msgs[0], 'deleting again'), t1, 'message.delete of a deleted message (the same tombstone)');
      await refused(n, 'message.delete', { groupId: g, messageId: msgs[1].id }, 4033, "message.delete of another member's message by a plain member");
      const t2 = await del(ad, g, msgs[1], "a delete by an admin of a member's message");
      const t3 = await del(o, g, msgs[2], "a delete by the owner of a member's message");
      await refused(m, 'message.delete', { groupId: g, messageId: '1-0' }, 4044, 'message.delete of the unknown id 1-0');
      await refused(m, 'message.edit', { groupId: g, messageId: msgs[0].id, text: 'undo?' }, 4033, 'message.edit of a deleted message by its author');
      for (const c of [o, n, m]) {
        for (const [t, orig] of [
          [t1, msgs[0]],
          [t2, msgs[1]],
          [t3, msgs[2]],
        ] as const) {
          const u = await waitUpdate(c, g, deleteOf(orig.id), `message.updated of the delete of ${orig.id}`);
          checkTombstone(u.message, `message.updated of the delete of ${orig.id} on ${c.label}`, orig);
          expectSame(u.message, t, `message.updated.message of the delete of ${orig.id} on ${c.label} vs the tombstone message.delete returned`);
        }
      }
      // A clientMessageId retry of a deleted message returns the tombstone.
      const t5 = await del(m, g, m5, 'a delete of a message sent with a clientMessageId');
      const retry = await m.call<{ message: unknown }>('message.send', { groupId: g, text: 'oops', clientMessageId: cmid });
      const rt = checkTombstone(isObj(retry) ? retry.message : retry, 'message.send retry (same clientMessageId) of a deleted message', m5);
      expect((rt as unknown as P).deletedAt === (t5 as unknown as P).deletedAt, `the retry of a deleted message must return its tombstone: expected deletedAt ${short((t5 as unknown as P).deletedAt)}, got ${short(rt)}`);
      // History: each tombstone in its place.
      const states: State[] = [
        [msgs[0], '', 'deleted'],
        [msgs[1], '', 'deleted'],
        [msgs[2], '', 'deleted'],
        [msgs[3], msgs[3].text, 'plain'],
        [m5, '', 'deleted'],
      ];
      expectStates(await history(n, g), states, 'message.history after 4 deletes');
      const late = await ctx.connect(ctx.user('late'), 1);
      expectStates((await join(late, g)).history, states, 'group.join history after 4 deletes');
      // Deleted messages still count as unread.
      const c = await conversationOf(n, g, 'the plain member, who read nothing');
      expect(c.readUpTo === null && c.unread === 5, `unread counts deleted messages too: expected readUpTo null and unread 5 (4 of them deleted), got ${short(c)}`);
      await expectMarkRead(n, g, msgs[3].id, { readUpTo: msgs[3].id, unread: 1 }, 'the plain member reads the 4th message (the 5th, deleted, still unread)');
      // In a direct conversation only the author may delete.
      const p = await ctx.connect(ctx.user('p'), 1);
      const q = await ctx.connect(ctx.user('q'), 2);
      const dm = await openDirect(p, q.userId);
      const dmMsg = await send(p, dm, 'mine only');
      await refused(q, 'message.delete', { groupId: dm, messageId: dmMsg.id }, 4033, "message.delete of the peer's message in a direct conversation");
      await refused(q, 'message.edit', { groupId: dm, messageId: dmMsg.id, text: 'yours' }, 4033, "message.edit of the peer's message in a direct conversation");
      await del(p, dm, dmMsg, 'a delete by the author in a direct conversation');
      return { detail: 'tombstones by author, admin and owner; 4033, 4044; history, unread and retry keep them' };
    },
  },
  {
    name: 'updated-order',
    group: 'edits',
    description:
      'message and message.updated arrive in id/cursor order on every subscribed connection, the same everywhere, no repeat, also while others send; a cursor is greater than every id before the edit and smaller than the id of a message sent after it returned',
    async run(ctx) {
      const a = await ctx.connect(ctx.user('ann'), 0);
      const b = await ctx.connect(ctx.user('bob'), 1);
      const w = await ctx.connect(ctx.user('watch'), 2);
      const subs = [a, b, w];
      const g = await room(ctx, a, subs, 'o');
      const m1 = await send(a, g, 'o1');
      const m2 = await send(a, g, 'o2');
      await edit(a, g, m1, 'o1 edited', 'an edit');
      const m3 = await send(b, g, 'o3');
      await del(a, g, m2, 'a delete');
      const m4 = await send(b, g, 'o4');
      const expected = [`message:${m1.id}`, `message:${m2.id}`, `updated:${m1.id} (o1 edited)`, `message:${m3.id}`, `updated:${m2.id} (deleted)`, `message:${m4.id}`];
      for (const c of subs) {
        await waitMessageId(c, g, m4.id);
        const s = stream(c, g);
        expectEqual(s.map(label), expected, `notifications on ${c.label} of send, send, edit, send, delete, send`);
        expectOrdered(s, c.label);
      }

      // Concurrently: bob sends while ann edits; every edit's cursor is placed by what had returned.
      const SENDS = 15;
      const EDITS = 6;
      type Timed<T> = { v: T; t0: number; t1: number };
      const sends: Array<Timed<Message>> = [];
      const edits: Array<Timed<string>> = [];
      await Promise.all([
        (async () => {
          for (let j = 0; j < SENDS; j++) {
            const t0 = performance.now();
            const v = await send(b, g, `c${j}`);
            sends.push({ v, t0, t1: performance.now() });
          }
        })(),
        (async () => {
          for (let i = 0; i < EDITS; i++) {
            const text = `o1 v${i}`;
            const t0 = performance.now();
            await edit(a, g, m1, text, `concurrent edit ${i + 1}`);
            edits.push({ v: text, t0, t1: performance.now() });
          }
        })(),
      ]);
      const total = 6 + SENDS + EDITS;
      const streams = new Map<RpcConnection, Item[]>();
      for (const c of subs) {
        await c.waitUntil(() => stream(c, g).length >= total, () => `${total} message/message.updated notifications on ${c.label} (got ${stream(c, g).length})`);
        const s = stream(c, g);
        expectOrdered(s, `${c.label}, sends concurrent with edits`);
        expect(s.length === total, `${c.label}: expected ${total} notifications (no repeat), got ${s.length}: ${short(s.map(label))}`);
        const ids = s.filter((x) => x.kind === 'message').map((x) => x.id);
        expectEqual(ids.slice(4), sends.map((x) => x.v.id).sort(compareMessageIds), `${c.label}: message notifications of the concurrent sends (each once, id order)`);
        expectEqual(s.filter((x) => x.kind === 'updated').slice(2).map((x) => x.text), edits.map((x) => x.v), `${c.label}: message.updated of the concurrent edits (in the order they were made)`);
        streams.set(c, s);
      }
      const ref = streams.get(a)!.map((x) => `${x.kind}:${x.key}`);
      for (const c of [b, w]) expectEqual(streams.get(c)!.map((x) => `${x.kind}:${x.key}`), ref, `the order on ${c.label} vs on ${a.label}`);
      const s = streams.get(w)!;
      let checked = 0;
      for (const e of edits) {
        const cursor = s.find((x) => x.kind === 'updated' && x.text === e.v)!.key;
        for (const m of sends) {
          if (m.t1 < e.t0) {
            checked++;
            expect(compareMessageIds(cursor, m.v.id) > 0, `the cursor ${cursor} of the edit '${e.v}' must be greater than the id ${m.v.id} of a message whose send returned before the edit was made`);
          } else if (m.t0 > e.t1) {
            checked++;
            expect(compareMessageIds(cursor, m.v.id) < 0, `the cursor ${cursor} of the edit '${e.v}' must be smaller than the id ${m.v.id} of a message sent after the edit returned`);
          }
        }
      }
      return { detail: `${total} notifications in id/cursor order on 3 connections, identical; ${checked} cursor/id relations by time` };
    },
  },
  {
    name: 'edit-resume',
    group: 'edits',
    description:
      'join with since (a message id or a cursor) returns updates: the current state of messages <= since edited or deleted after it, each once, in id order, at most limit (complete false); history shows later messages as they are now',
    async run(ctx) {
      const ann = ctx.user('ann');
      const bob = ctx.user('bob');
      const a = await ctx.connect(ann, 0);
      const b1 = await ctx.connect(bob, 1);
      const g = await room(ctx, a, [a, b1], 'rs');
      const m: Message[] = [];
      for (let i = 0; i < 5; i++) m.push(await send(a, g, `m${i}`));
      await edit(a, g, m[0], 'm0 edited', 'an edit while bob is connected');
      const u0 = await waitUpdate(b1, g, editOf(m[0].id, 'm0 edited'), 'the edit of m0');
      const greatest = u0.cursor; // bob's greatest id/cursor seen
      expect(compareMessageIds(greatest, m[4].id) > 0, `the cursor of an edit must be greater than every message id before it: ${greatest} vs ${m[4].id}`);
      await b1.close();
      // While bob is away.
      await edit(a, g, m[1], 'm1 edited once', 'an edit while bob is away');
      await del(a, g, m[3], 'a delete while bob is away');
      await edit(a, g, m[1], 'm1 edited twice', 'a second edit of the same message while bob is away');
      const m5 = await send(a, g, 'm5');
      await edit(a, g, m5, 'm5 edited', 'an edit of a message bob has not seen');
      const m6 = await send(a, g, 'm6');

      const b2 = await ctx.connect(bob, 2);
      const r = await resume(b2, g, greatest);
      expectStates(r.updates, [
        [m[1], 'm1 edited twice', 'edited'],
        [m[3], '', 'deleted'],
      ], `join since the cursor ${greatest}: updates (m1 once, in its latest state; m3 deleted; not m0, edited before since)`);
      expectStates(r.history, [
        [m5, 'm5 edited', 'edited'],
        [m6, 'm6', 'plain'],
      ], `join since the cursor ${greatest}: history (the later messages, as they are now)`);
      expect(r.complete === true, `join since ${greatest} with 2 messages and 2 updates (limit 50): expected complete true, got ${r.complete}`);
      // Since a message id before the first edit: m0's edit is an update too.
      const b3 = await ctx.connect(bob, 0);
      const r2 = await resume(b3, g, m[4].id);
      expectStates(r2.updates, [
        [m[0], 'm0 edited', 'edited'],
        [m[1], 'm1 edited twice', 'edited'],
        [m[3], '', 'deleted'],
      ], `join since the message id ${m[4].id}: updates`);
      expectEqual(r2.history.map((x) => x.id), [m5.id, m6.id], `join since ${m[4].id}: history ids`);
      // More updates than the limit: at most limit of them, complete false.
      const b4 = await ctx.connect(bob, 1);
      const r3 = await resume(b4, g, m[4].id, { limit: 2 });
      expectEqual(r3.history.map((x) => x.id), [m5.id, m6.id], `join since ${m[4].id} with limit 2 (2 later messages): history ids`);
      expect(r3.updates.length <= 2, `join since ${m[4].id} with limit 2: at most 2 updates, got ${r3.updates.length}: ${short(r3.updates)}`);
      for (const x of r3.updates) {
        const full = r2.updates.find((y) => y.id === x.id);
        if (!full) fail(`join since ${m[4].id} with limit 2: update ${short(x)} is not one of the messages edited or deleted after since (${short(r2.updates.map((y) => y.id))})`);
        expectSame(x, full, `join since ${m[4].id} with limit 2: update of ${x.id} (its current state)`);
      }
      expect(r3.complete === false, `join since ${m[4].id} with limit 2 and 3 updates: expected complete false, got ${r3.complete}`);
      // Since the greatest: nothing.
      const b5 = await ctx.connect(bob, 2);
      const r4 = await resume(b5, g, m6.id);
      expect(r4.history.length === 0 && r4.updates.length === 0 && r4.complete === true, `join since the newest id ${m6.id} with nothing changed after it: expected history [], updates [], complete true, got ${short(r4)}`);
      // Live after the resume: the next edit comes once, after everything the join returned.
      await edit(a, g, m[2], 'm2 edited live', 'an edit after the resume');
      const live = await waitUpdate(b2, g, editOf(m[2].id, 'm2 edited live'), 'the edit after the resume');
      expect(compareMessageIds(live.cursor, m6.id) > 0, `the cursor of an edit after the resume must be greater than every id before it (${m6.id}), got ${live.cursor}`);
      expectEqual(stream(b2, g).map(label), [`updated:${m[2].id} (m2 edited live)`], `notifications on ${b2.label} after its since join (nothing the join returned again)`);
      // History of the whole group, as it is now.
      const states: State[] = [
        [m[0], 'm0 edited', 'edited'],
        [m[1], 'm1 edited twice', 'edited'],
        [m[2], 'm2 edited live', 'edited'],
        [m[3], '', 'deleted'],
        [m[4], 'm4', 'plain'],
        [m5, 'm5 edited', 'edited'],
        [m6, 'm6', 'plain'],
      ];
      expectStates(await history(b5, g), states, 'message.history after the edits and the delete');
      const fresh = await ctx.connect(ctx.user('carol'), 1);
      expectStates((await join(fresh, g)).history, states, 'group.join (no since) history after the edits and the delete');
      // direct.open resumes like group.join.
      const dm = await openDirect(a, bob);
      const d1 = await send(a, dm, 'd1');
      await edit(a, dm, d1, 'd1 edited', 'an edit in a direct conversation');
      const d2 = await send(a, dm, 'd2');
      const b6 = await ctx.connect(bob, 0);
      const od = await b6.call<{ history: Message[]; complete: boolean; updates?: Message[] }>('direct.open', { userId: ann, since: d1.id });
      if (!isObj(od) || !Array.isArray(od.history) || !Array.isArray(od.updates)) fail(`direct.open with since must return {group, history, complete, updates} as group.join does, got ${short(od)}`);
      expectStates(od.updates, [[d1, 'd1 edited', 'edited']], `direct.open since ${d1.id}: updates`);
      expectStates(od.history, [[d2, 'd2', 'plain']], `direct.open since ${d1.id}: history`);
      return { detail: `since a cursor: 2 updates + 2 later messages; since an id: 3 updates; limit 2: complete false; direct.open since` };
    },
  },
];

/** With several hubs: an edit and a delete via A reach a subscriber on B, in order with the messages. */
export const editCrossChecks: Check[] = [
  {
    name: 'cross-edit',
    group: 'cross',
    description: 'for every ordered pair (A,B): an edit and a delete via A reach a subscribed connection on B as message.updated, in order with the messages; history via B shows the tombstone',
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const pairs = orderedPairs(ctx.endpoints.length);
      const problems: string[] = [];
      for (const [a, b] of pairs) {
        const A = ctx.endpoints[a].name;
        const B = ctx.endpoints[b].name;
        try {
          const au = await ctx.connect(ctx.user(`a${a}${b}`), a);
          const w = await ctx.connect(ctx.user(`w${a}${b}`), b);
          const g = await room(ctx, au, [au, w], `ce${a}${b}-`);
          const m = await send(au, g, `via ${A}`);
          const text = `edited via ${A}`;
          await edit(au, g, m, text, `an edit via ${A}`);
          await waitUpdate(w, g, editOf(m.id, text), `the edit via ${A}, at a subscriber on ${B}`);
          await del(au, g, m, `a delete via ${A}`);
          await waitUpdate(w, g, deleteOf(m.id), `the delete via ${A}, at a subscriber on ${B}`);
          const m2 = await send(au, g, `after via ${A}`);
          await waitMessageId(w, g, m2.id);
          const s = stream(w, g);
          expectEqual(s.map(label), [`message:${m.id}`, `updated:${m.id} (${text})`, `updated:${m.id} (deleted)`, `message:${m2.id}`], `notifications at ${B}`);
          expectOrdered(s, `at ${B}`);
          expectStates(await history(w, g), [
            [m, '', 'deleted'],
            [m2, m2.text, 'plain'],
          ], `message.history via ${B}`);
        } catch (e) {
          problems.push(`edit via ${A} -> ${B}: ${(e as Error).message}`);
        }
      }
      if (problems.length > 0) fail(`${problems.length} of ${pairs.length} ordered pairs failed: ${problems.join('; ')}`);
      return { detail: `${pairs.length} ordered pairs over ${ctx.endpoints.length} instances` };
    },
  },
];
