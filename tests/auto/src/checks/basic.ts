/** Functional checks of PROTOCOL.md §4-§5 over the public protocol. */
import { compareMessageIds, type Message, type Results } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, expectEqual, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short, sleep } from '../rpc.js';
import { checkGroup, checkIncreasing, checkMember, checkMessage, ISO_MS_RE } from '../shapes.js';

type R<M extends keyof Results> = Results[M];

export async function createGroup(conn: RpcConnection, groupId: string): Promise<void> {
  const r = await conn.call<R<'group.create'>>('group.create', { groupId });
  checkGroup(r?.group, `group.create ${groupId}`, { id: groupId, createdBy: userOf(conn) });
}

export async function join(conn: RpcConnection, groupId: string, extra: Record<string, unknown> = {}): Promise<R<'group.join'>> {
  const r = await conn.call<R<'group.join'>>('group.join', { groupId, ...extra });
  if (!r || typeof r !== 'object') fail(`group.join ${groupId}: expected {group, history, complete}, got ${short(r)}`);
  checkGroup(r.group, `group.join ${groupId} result.group`, { id: groupId });
  if (!Array.isArray(r.history)) fail(`group.join ${groupId}: result.history must be an array, got ${short(r.history)}`);
  if (typeof r.complete !== 'boolean') fail(`group.join ${groupId}: result.complete must be a boolean, got ${short(r.complete)}`);
  r.history.forEach((m, i) => checkMessage(m, `group.join ${groupId} history[${i}]`, { groupId }));
  checkIncreasing(r.history, `group.join ${groupId} history`);
  return r;
}

export async function send(conn: RpcConnection, groupId: string, text: string, clientMessageId?: string): Promise<Message> {
  const params: Record<string, unknown> = { groupId, text };
  if (clientMessageId !== undefined) params.clientMessageId = clientMessageId;
  const r = await conn.call<R<'message.send'>>('message.send', params);
  const expected: Partial<Message> = { groupId, text, authorId: userOf(conn) };
  if (clientMessageId !== undefined) expected.clientMessageId = clientMessageId;
  return checkMessage(r?.message, `message.send result`, expected);
}

/**
 * A fresh group created by the first user, with every user connected (the
 * i-th to instance i, wrapping) and joined, in order.
 */
async function room(ctx: CheckContext, ...names: string[]): Promise<{ g: string; conns: RpcConnection[] }> {
  const g = ctx.group();
  const conns: RpcConnection[] = [];
  for (const [i, name] of names.entries()) {
    const conn = await ctx.connect(ctx.user(name), i);
    if (i === 0) await createGroup(conn, g);
    await join(conn, g);
    conns.push(conn);
  }
  return { g, conns };
}

/** The user id a connection was opened for. */
export function userOf(conn: RpcConnection): string {
  return conn.userId;
}

/** Waits for the notification of message `id` in the group; returns it. */
async function waitMessageId(conn: RpcConnection, groupId: string, id: string): Promise<Message> {
  const list = conn.messages(groupId);
  await conn.waitUntil(
    () => list.some((m) => m.id === id),
    () => `the message notification of ${id} in ${groupId} (got ${list.length}: ${short(list.map((m) => m.id))})`,
  );
  return list.find((m) => m.id === id)!;
}

/** Follows message.history pages backwards from `before` (or the newest); returns all, oldest first. */
async function pageAll(conn: RpcConnection, groupId: string, limit: number, before?: string, maxPages = 100): Promise<{ messages: Message[]; pages: number }> {
  const pages: Message[][] = [];
  let cursor: string | undefined = before;
  for (let i = 0; i < maxPages; i++) {
    const params: Record<string, unknown> = { groupId, limit };
    if (cursor !== undefined) params.before = cursor;
    const r = await conn.call<R<'message.history'>>('message.history', params);
    if (!r || !Array.isArray(r.messages)) fail(`message.history ${short(params)}: expected {messages, next}, got ${short(r)}`);
    if (r.messages.length > limit) fail(`message.history with limit ${limit} returned ${r.messages.length} messages`);
    r.messages.forEach((m, j) => checkMessage(m, `message.history page ${i} [${j}]`, { groupId }));
    checkIncreasing(r.messages, `message.history page ${i}`);
    pages.push(r.messages);
    if (r.next === null) return { messages: pages.reverse().flat(), pages: pages.length };
    if (typeof r.next !== 'string') fail(`message.history: next must be a string or null, got ${short(r.next)}`);
    if (r.messages.length === 0) fail(`message.history returned an empty page with next = ${r.next}`);
    cursor = r.next;
  }
  fail(`message.history paging did not end within ${maxPages} pages`);
}

const T = (ctx: CheckContext, tag: string) => `${tag} ${ctx.runId} ✓ ünïcödé 💬`;

export const basicChecks: Check[] = [
  {
    name: 'send-receive',
    group: 'basic',
    description: 'create, join, send: the result and the own notification carry the message',
    async run(ctx) {
      const alice = await ctx.connect(ctx.user('alice'), 0);
      const g = ctx.group();
      await createGroup(alice, g);
      const j = await join(alice, g);
      expectEqual(j.history.length, 0, 'history of a new group');
      expect(j.complete === true, `complete of a new group's join: expected true, got ${j.complete}`);
      const text = T(ctx, 'hello');
      const m = await send(alice, g, text);
      const n = await waitMessageId(alice, g, m.id);
      expectEqual(n, m, "the sender's own message notification");
      return { detail: `message ${m.id}` };
    },
  },
  {
    name: 'other-user',
    group: 'basic',
    description: "another user's message arrives, on another instance when there are several",
    async run(ctx) {
      const { g, conns: [alice, bob] } = await room(ctx, 'alice', 'bob@example.org');
      const m1 = await send(bob, g, T(ctx, 'from bob'));
      const got = await waitMessageId(alice, g, m1.id);
      expectEqual(got, m1, "bob's message as alice received it");
      await waitMessageId(bob, g, m1.id);
      const m2 = await send(alice, g, T(ctx, 'from alice'));
      expectEqual(await waitMessageId(bob, g, m2.id), m2, "alice's message as bob received it");
      return { detail: `${alice.label} <-> ${bob.label}` };
    },
  },
  {
    name: 'many-in-order',
    group: 'basic',
    description: '200 messages arrive at every member in send order, no gap, no duplicate',
    budgetMs: (o) => Math.max(120_000, o.timeoutMs * 10),
    async run(ctx) {
      const N = 200;
      const { g, conns: [alice, bob] } = await room(ctx, 'alice', 'bob');
      const sent: Message[] = [];
      for (let i = 0; i < N; i++) sent.push(await send(alice, g, `many ${i}`));
      checkIncreasing(sent, 'ids of sequential sends');
      for (const conn of [alice, bob]) {
        const got = await conn.waitMessages(g, N).catch((e: Error) => {
          const have = new Set(conn.messages(g).map((m) => m.text));
          const missing = sent.map((m) => m.text).filter((t) => !have.has(t));
          fail(`${e.message}; missing: ${short(missing.slice(0, 10))}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
        });
        const texts = got.map((m) => m.text);
        for (let i = 0; i < N; i++) {
          if (texts[i] !== `many ${i}`) {
            fail(`${conn.label}: message #${i} should be 'many ${i}', got '${texts[i]}' (around: ${short(texts.slice(Math.max(0, i - 2), i + 3))})`);
          }
        }
        expectEqual(got.map((m) => m.id), sent.map((m) => m.id), `${conn.label}: ids received vs ids sent`);
      }
      return { detail: `${N} messages, in order at 2 receivers` };
    },
  },
  {
    name: 'history-after-join',
    group: 'basic',
    description: 'join returns the latest messages (limit, complete) and message.history pages with before/next',
    async run(ctx) {
      const { g, conns: [alice] } = await room(ctx, 'alice');
      const sent: Message[] = [];
      for (let i = 0; i < 7; i++) sent.push(await send(alice, g, `hist ${i}`));
      const carol1 = await ctx.connect(ctx.user('carol'), 1);
      const j = await join(carol1, g);
      expectEqual(j.history.map((m) => m.id), sent.map((m) => m.id), 'join history (default limit) vs sent');
      expectEqual(j.history, sent, 'join history messages vs sent');
      expect(j.complete === true, `join of a 7-message group: expected complete true, got ${j.complete}`);
      const carol2 = await ctx.connect(ctx.user('carol'), 2);
      const j3 = await join(carol2, g, { limit: 3 });
      expectEqual(j3.history.map((m) => m.id), sent.slice(4).map((m) => m.id), 'join history with limit 3');
      expect(j3.complete === false, `join with limit 3 of 7 messages: expected complete false, got ${j3.complete}`);
      const carol3 = await ctx.connect(ctx.user('carol'), 0);
      const j0 = await join(carol3, g, { limit: 0 });
      expectEqual(j0.history.length, 0, 'join history with limit 0');
      expect(j0.complete === false, `join with limit 0 of a 7-message group: expected complete false (history is not the whole history), got ${j0.complete}`);
      const all = await pageAll(carol1, g, 2);
      expectEqual(all.messages.map((m) => m.id), sent.map((m) => m.id), 'message.history paged by 2 (oldest first)');
      expect(all.pages === 4, `message.history by 2 of 7 messages: expected 4 pages, got ${all.pages}`);
      const before = await pageAll(carol1, g, 50, sent[3].id);
      expectEqual(before.messages.map((m) => m.id), sent.slice(0, 3).map((m) => m.id), `message.history before ${sent[3].id}`);
      return { detail: `7 messages; join limit 3 -> complete false; 4 pages of 2` };
    },
  },
  {
    name: 'since-recovery',
    group: 'basic',
    description: 're-join with since loses nothing and duplicates nothing; over limit pages the rest',
    async run(ctx) {
      const { g, conns: [alice] } = await room(ctx, 'alice');
      const bobUser = ctx.user('bob');
      const bob1 = await ctx.connect(bobUser, 1);
      await join(bob1, g);
      const m0 = await send(alice, g, 'since 0');
      await waitMessageId(bob1, g, m0.id);
      await bob1.close();
      const missed: Message[] = [];
      for (let i = 1; i <= 6; i++) missed.push(await send(alice, g, `since ${i}`));
      const bob2 = await ctx.connect(bobUser, 2);
      const j = await join(bob2, g, { since: m0.id });
      expectEqual(j.history.map((m) => m.id), missed.map((m) => m.id), `re-join since ${m0.id}: history`);
      expect(j.complete === true, `re-join since with 6 missed (limit 50): expected complete true, got ${j.complete}`);
      const bobLatest = await ctx.connect(bobUser, 0);
      const jl = await join(bobLatest, g, { since: missed[5].id });
      expectEqual(jl.history.length, 0, `re-join since the latest id ${missed[5].id}: history length`);
      expect(jl.complete === true, `re-join since the latest id: expected complete true, got ${jl.complete}`);
      const m7 = await send(alice, g, 'since 7');
      await waitMessageId(bob2, g, m7.id);
      const live = bob2.messages(g);
      expectEqual(live.map((m) => m.id), [m7.id], 'notifications after the re-join (no duplicate of history)');
      // More missed than the limit: the latest `limit`, complete false, the rest by paging.
      const bob3 = await ctx.connect(bobUser, 0);
      const j2 = await join(bob3, g, { since: m0.id, limit: 2 });
      expectEqual(j2.history.map((m) => m.id), [missed[5].id, m7.id], 're-join since with limit 2: the latest 2');
      expect(j2.complete === false, `re-join since with 7 missed, limit 2: expected complete false, got ${j2.complete}`);
      const older = await pageAll(bob3, g, 50, j2.history[0].id);
      const recovered = [...older.messages.filter((m) => compareMessageIds(m.id, m0.id) > 0), ...j2.history];
      expectEqual(
        recovered.map((m) => m.id),
        [...missed, m7].map((m) => m.id),
        'messages after since, recovered by join + message.history paging',
      );
      return { detail: `6 missed recovered; over limit recovered by paging` };
    },
  },
  {
    name: 'join-during-traffic',
    group: 'basic',
    description: 'joins and since re-joins (across instances) while two users send: history + notifications are contiguous, no gap, no duplicate',
    budgetMs: (o) => Math.max(120_000, o.timeoutMs * 10),
    async run(ctx) {
      const PER = 100;
      const { g, conns: [alice, bob] } = await room(ctx, 'alice', 'bob');
      // What one joiner saw, in order: every history and every notification, over one or two connections.
      type Seen = { label: string; ids: string[]; src: string[]; conns: RpcConnection[] };
      const joiners: Array<Promise<Seen>> = [];
      const startJoiner = (k: number, rejoin: boolean): Promise<Seen> =>
        (async () => {
          const user = ctx.user(`j${k}`);
          const c1 = await ctx.connect(user, k);
          const j1 = await join(c1, g);
          const seen: Seen = {
            label: `${user} (${rejoin ? 'join, then since re-join' : 'join'})`,
            ids: j1.history.map((m) => m.id),
            src: j1.history.map(() => 'join history'),
            conns: [c1],
          };
          if (!rejoin) return seen;
          // Take what arrived live so far, disconnect, and recover on another instance.
          // (Anything arriving after the snapshot must come back in the since re-join.)
          await c1.call('group.list', { limit: 1 });
          for (const m of c1.messages(g)) {
            seen.ids.push(m.id);
            seen.src.push('notification');
          }
          await c1.close();
          const c2 = await ctx.connect(user, k + 1);
          const last = seen.ids[seen.ids.length - 1];
          const j2 = await join(c2, g, { since: last, limit: 200 });
          expect(j2.complete, `${user}: a since re-join missing fewer than 200 messages must be complete`);
          for (const m of j2.history) {
            seen.ids.push(m.id);
            seen.src.push('since re-join history');
          }
          seen.conns = [c2];
          return seen;
        })();
      const sendAll = async (conn: RpcConnection, who: string, startAt: number[]) => {
        const mine: Message[] = [];
        for (let i = 0; i < PER; i++) {
          if (startAt.includes(i)) joiners.push(startJoiner(joiners.length, joiners.length % 2 === 1));
          mine.push(await send(conn, g, `${who} ${i}`));
        }
        return mine;
      };
      const [a, b] = await Promise.all([
        sendAll(alice, 'alice', [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]),
        sendAll(bob, 'bob', [10, 30, 50, 70, 90]),
      ]);
      const all = [...a, ...b].map((m) => m.id).sort(compareMessageIds);
      const seen = await Promise.all(joiners);
      for (const sj of seen) {
        // After the last send, the current connection must catch up to the end.
        const conn = sj.conns[sj.conns.length - 1];
        const before = sj.ids.length;
        const lastId = all[all.length - 1];
        await conn.waitUntil(
          () => sj.ids.includes(lastId) || conn.messages(g).some((m) => m.id === lastId),
          () => `${sj.label}: the last message ${all[all.length - 1]} (got ${conn.messages(g).length} notifications after ${before} from history)`,
        );
        const live = conn.messages(g);
        const ids = [...sj.ids, ...live.map((m) => m.id)];
        const src = [...sj.src, ...live.map(() => (sj.conns.length > 0 && sj.src.includes('since re-join history') ? 'notification after re-join' : 'notification'))];
        const start = all.indexOf(ids[0]);
        expect(start >= 0, `${sj.label}: first id ${ids[0]} is not one of the sent messages`);
        for (let i = 0; i < ids.length; i++) {
          if (ids[i] !== all[start + i]) {
            const dup = ids.indexOf(ids[i]) !== i;
            fail(
              `${sj.label}: after ${ids[i - 1] ?? '(start)'} (${src[i - 1] ?? '-'}) expected ${all[start + i] ?? '(nothing more)'}, ` +
                `got ${ids[i]} (${src[i]})${dup ? ` - a duplicate of #${ids.indexOf(ids[i])} (${src[ids.indexOf(ids[i])]})` : ''}; ` +
                `${ids.length} seen from #${start} of ${all.length} sent`,
            );
          }
        }
        expect(start + ids.length === all.length, `${sj.label}: saw ${ids.length} messages from #${start}, expected up to #${all.length - 1}`);
      }
      return { detail: `${seen.length} joiners (${Math.floor(seen.length / 2)} with since re-join) during ${all.length} sends: contiguous` };
    },
  },
  {
    name: 'dedupe',
    group: 'basic',
    description: 'a retry with the same clientMessageId returns the original and delivers nothing again',
    async run(ctx) {
      const { g, conns: [alice, bob] } = await room(ctx, 'alice', 'bob');
      const cmid = `cm-${ctx.runId}`;
      const a = await send(alice, g, 'dedupe me', cmid);
      const b = await send(alice, g, 'dedupe me', cmid);
      expectEqual(b, a, 'result of the retry vs the original');
      // The retry may come over another connection, on another instance (a reconnecting client).
      const alice2 = await ctx.connect(alice.userId, 1);
      const b2 = await send(alice2, g, 'dedupe me', cmid);
      expectEqual(b2, a, 'result of the retry from another connection/instance vs the original');
      const sentinel = await send(alice, g, 'after dedupe');
      for (const conn of [alice, bob]) {
        await waitMessageId(conn, g, sentinel.id);
        const ids = conn.messages(g).map((m) => m.id);
        expectEqual(ids, [a.id, sentinel.id], `${conn.label}: notifications (the retry must not deliver again)`);
      }
      const h = await pageAll(bob, g, 50);
      expectEqual(h.messages.map((m) => m.id), [a.id, sentinel.id], 'history after a deduplicated retry');
      // Concurrent retries over several connections/instances still make one message.
      const tabs = [alice, alice2, await ctx.connect(alice.userId, 2)];
      for (let t = 0; t < 10; t++) {
        const res = await Promise.all(tabs.map((c) => send(c, g, `concurrent ${t}`, `cc-${t}`)));
        const ids = new Set(res.map((m) => m.id));
        expect(ids.size === 1, `concurrent sends with clientMessageId cc-${t} from ${tabs.length} connections: expected one message, got ${short([...ids])}`);
      }
      const end = await send(alice, g, 'after concurrent');
      await waitMessageId(bob, g, end.id);
      expectEqual(bob.messages(g).length, 2 + 10 + 1, `notifications at bob after 10 deduplicated concurrent triples`);
      const h2 = await pageAll(bob, g, 50);
      expectEqual(h2.messages.length, 2 + 10 + 1, 'history length after the deduplicated concurrent sends');
      // Another user with the same clientMessageId is a different message.
      const c = await send(bob, g, 'dedupe me', cmid);
      expect(c.id !== a.id, `the same clientMessageId from another user must be a new message, got the same id ${c.id}`);
      return { detail: `retry returned ${a.id} once` };
    },
  },
  {
    name: 'rejoin-same-connection',
    group: 'basic',
    description: 'joining twice on one connection does not deliver messages twice',
    async run(ctx) {
      const { g, conns: [alice, bob] } = await room(ctx, 'alice', 'bob');
      const m1 = await send(alice, g, 'before re-join');
      await waitMessageId(bob, g, m1.id);
      const again = await join(bob, g);
      expectEqual(again.history.map((m) => m.id), [m1.id], 'history of the second join on the same connection');
      const m2 = await send(alice, g, 'after re-join');
      const m3 = await send(alice, g, 'sentinel');
      await waitMessageId(bob, g, m3.id);
      expectEqual(bob.messages(g).map((m) => m.id), [m1.id, m2.id, m3.id], 'notifications on a connection that joined twice');
    },
  },
  {
    name: 'pipelined',
    group: 'basic',
    description: 'pipelined requests are all answered, each under its own id',
    async run(ctx) {
      const { g, conns: [alice] } = await room(ctx, 'alice');
      const N = 40;
      const sent = await Promise.all(Array.from({ length: N }, (_, i) => send(alice, g, `pipe ${i}`)));
      sent.forEach((m, i) => expect(m.text === `pipe ${i}`, `pipelined send #${i}: its response carries '${m.text}'`));
      const ids = new Set(sent.map((m) => m.id));
      expect(ids.size === N, `${N} pipelined sends: expected ${N} distinct ids, got ${ids.size}`);
      const got = await alice.waitMessages(g, N);
      checkIncreasing(got, 'notifications of pipelined sends');
      expectEqual(new Set(got.map((m) => m.id)).size, N, 'distinct notifications of pipelined sends');
      // String ids are echoed as they came.
      alice.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: `str-${ctx.runId}`, method: 'group.list', params: { limit: 1 } }));
      const f = await alice.waitFrame((x) => x.id === `str-${ctx.runId}`, `the response to the request with id 'str-${ctx.runId}'`);
      expect(f.result !== undefined && f.jsonrpc === '2.0', `response to a string-id request: expected a jsonrpc 2.0 result, got ${short(f)}`);
      return { detail: `${N} pipelined sends answered; string id echoed` };
    },
  },
  {
    name: 'multi-connection',
    group: 'basic',
    description: "one user's several connections (on several instances) each receive the group's messages",
    async run(ctx) {
      const aliceUser = ctx.user('alice');
      const a1 = await ctx.connect(aliceUser, 0);
      const a2 = await ctx.connect(aliceUser, 1);
      const bob = await ctx.connect(ctx.user('bob'), 2);
      const g = ctx.group();
      await createGroup(bob, g);
      await join(a1, g);
      await join(a2, g);
      await join(bob, g);
      const m = await send(bob, g, 'to both tabs');
      await waitMessageId(a1, g, m.id);
      await waitMessageId(a2, g, m.id);
      const own = await send(a1, g, 'from tab 1');
      await waitMessageId(a2, g, own.id);
      await waitMessageId(a1, g, own.id);
      return { detail: 'both connections received, including the own message sent from the other' };
    },
  },
  {
    name: 'concurrent-joins',
    group: 'basic',
    description: '12 users join at once over all instances: memberCount exact, one member.joined each, then concurrent leaves',
    async run(ctx) {
      const N = 12;
      const watcher = await ctx.connect(ctx.user('w'), 0);
      const g = ctx.group();
      await createGroup(watcher, g);
      await join(watcher, g);
      const users = Array.from({ length: N }, (_, i) => ctx.user(`u${i}`));
      const conns = await Promise.all(users.map((u, i) => ctx.connect(u, i)));
      await Promise.all(conns.map((c) => join(c, g)));
      const joinedOf = (u: string) => watcher.frames.filter((f) => f.method === 'member.joined' && (f.params as Record<string, unknown>).userId === u).length;
      await watcher.waitUntil(() => users.every((u) => joinedOf(u) >= 1), () => `member.joined of all ${N} users (missing: ${users.filter((u) => joinedOf(u) === 0).join(', ')})`);
      const list1 = await watcher.call<R<'group.list'>>('group.list', { prefix: g, limit: 1 });
      expectEqual(list1.groups[0]?.memberCount, N + 1, 'memberCount after concurrent joins');
      const members: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r: R<'group.members'> = await watcher.call<R<'group.members'>>('group.members', { groupId: g, limit: 5, ...(after ? { after } : {}) });
        members.push(...r.members.map((m) => m.userId));
        if (r.next === null) break;
        after = r.next;
      }
      expectEqual(members, [watcher.userId, ...users].sort(), 'group.members paged by 5 after concurrent joins');
      await Promise.all(conns.slice(0, N / 2).map((c) => c.call('group.leave', { groupId: g })));
      const leftOf = (u: string) => watcher.frames.filter((f) => f.method === 'member.left' && (f.params as Record<string, unknown>).userId === u).length;
      await watcher.waitUntil(() => users.slice(0, N / 2).every((u) => leftOf(u) >= 1), `member.left of ${N / 2} users`);
      const list2 = await watcher.call<R<'group.list'>>('group.list', { prefix: g, limit: 1 });
      expectEqual(list2.groups[0]?.memberCount, N / 2 + 1, 'memberCount after concurrent leaves');
      const dupJoined = users.filter((u) => joinedOf(u) !== 1);
      expect(dupJoined.length === 0, `member.joined must come once per user, got ${short(dupJoined.map((u) => `${u}: ${joinedOf(u)}`))}`);
      return { detail: `${N} concurrent joins, ${N / 2} concurrent leaves` };
    },
  },
  {
    name: 'member-events',
    group: 'basic',
    description: 'member.joined / member.left go to subscribed connections; not on an idempotent re-join',
    async run(ctx) {
      const { g, conns: [alice] } = await room(ctx, 'alice');
      const bobUser = ctx.user('bob');
      const bob = await ctx.connect(bobUser, 1);
      await join(bob, g);
      const isBobJoined = (p: Record<string, unknown>) => p.groupId === g && p.userId === bobUser;
      const ev = await alice.waitNotification('member.joined', isBobJoined, `member.joined of ${bobUser} in ${g}`);
      const params = ev.params as Record<string, unknown>;
      expect(typeof params.at === 'string' && ISO_MS_RE.test(params.at), `member.joined.at must be ISO-8601 UTC with ms, got ${short(params.at)}`);
      // Idempotent re-join (another connection of bob): no second member.joined.
      const bob2 = await ctx.connect(bobUser, 2);
      const rj = await join(bob2, g);
      const carolUser = ctx.user('carol');
      const carol = await ctx.connect(carolUser, 0);
      await join(carol, g);
      await alice.waitNotification('member.joined', (p) => p.groupId === g && p.userId === carolUser, `member.joined of ${carolUser}`);
      const bobJoins = alice.frames.filter((f) => f.method === 'member.joined' && isBobJoined(f.params as Record<string, unknown>)).length;
      expectEqual(bobJoins, 1, `member.joined notifications of ${bobUser} at alice after a re-join`);
      expect(rj.group.memberCount === 2, `memberCount after alice, bob, bob again: expected 2, got ${rj.group.memberCount}`);
      // Leave.
      const left = await bob.call<R<'group.leave'>>('group.leave', { groupId: g });
      expectEqual(left, { left: true }, 'group.leave of a member');
      await alice.waitNotification('member.left', (p) => p.groupId === g && p.userId === bobUser, `member.left of ${bobUser}`);
      await carol.waitNotification('member.left', (p) => p.groupId === g && p.userId === bobUser, `member.left of ${bobUser} at carol`);
      const listed = await alice.call<R<'group.list'>>('group.list', { prefix: g, limit: 1 });
      expect(listed.groups[0]?.id === g && listed.groups[0].memberCount === 2, `memberCount after bob left (alice, carol remain): expected 2, got ${short(listed.groups[0])}`);
      const again = await bob.call<R<'group.leave'>>('group.leave', { groupId: g });
      expectEqual(again, { left: false }, 'group.leave of a non-member');
      const e = await bob2.callExpectError('message.send', { groupId: g, text: 'after leave' }, 'send after leave');
      expect(e.code === 4003, `message.send after group.leave: expected 4003, got ${short(e)}`);
      return { detail: 'joined once, left once' };
    },
  },
  {
    name: 'membership-persists',
    group: 'basic',
    description: 'membership survives a disconnect: send without re-joining works',
    async run(ctx) {
      const bobUser = ctx.user('bob');
      const { g, conns: [alice] } = await room(ctx, 'alice');
      const bob1 = await ctx.connect(bobUser, 1);
      await join(bob1, g);
      await bob1.close();
      const bob2 = await ctx.connect(bobUser, 2);
      const m = await send(bob2, g, 'still a member');
      await waitMessageId(alice, g, m.id);
      const h = await bob2.call<R<'message.history'>>('message.history', { groupId: g });
      expect(h.messages.some((x) => x.id === m.id), `message.history of a member without a subscription: expected ${m.id} in ${short(h)}`);
      return { detail: `sent ${m.id} after reconnect without join` };
    },
  },
  {
    name: 'presence',
    group: 'basic',
    description: 'group.members: sorted, online while a connection is open, offline after',
    async run(ctx) {
      const aliceUser = ctx.user('alice');
      const bobUser = ctx.user('bob');
      const alice = await ctx.connect(aliceUser, 0);
      const g = ctx.group();
      await createGroup(alice, g);
      await join(alice, g);
      const bob = await ctx.connect(bobUser, 1);
      await join(bob, g);
      const members = async () => {
        const r = await alice.call<R<'group.members'>>('group.members', { groupId: g });
        if (!r || !Array.isArray(r.members)) fail(`group.members: expected {members, next}, got ${short(r)}`);
        r.members.forEach((m, i) => checkMember(m, `group.members[${i}]`));
        return r;
      };
      const r = await members();
      const ids = r.members.map((m) => m.userId);
      expectEqual(ids, [aliceUser, bobUser].sort(), 'group.members user ids (sorted by id)');
      expect(r.next === null, `group.members of 2 with the default limit: expected next null, got ${short(r.next)}`);
      expect(r.members.every((m) => m.online), `both members connected: expected online true for both, got ${short(r.members)}`);
      await bob.close();
      // Presence is eventually consistent across instances: poll, bounded by the timeout.
      const deadline = Date.now() + ctx.timeoutMs;
      let last = r;
      for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
        last = await members();
        const b = last.members.find((m) => m.userId === bobUser);
        if (b && b.online === false) break;
        await sleep(100);
      }
      const b = last.members.find((m) => m.userId === bobUser);
      expect(b !== undefined, `bob left no group: expected him in group.members, got ${short(last.members)}`);
      expect(b.online === false, `bob has no open connection: expected online false within ${ctx.timeoutMs} ms, got ${short(b)}`);
      const a = last.members.find((m) => m.userId === aliceUser);
      expect(a?.online === true, `alice is connected: expected online true, got ${short(a)}`);
      const page = await alice.call<R<'group.members'>>('group.members', { groupId: g, limit: 1 });
      expectEqual(page.members.map((m) => m.userId), [ids[0]], 'group.members limit 1');
      expect(typeof page.next === 'string', `group.members limit 1 of 2: expected a next cursor, got ${short(page.next)}`);
      const page2 = await alice.call<R<'group.members'>>('group.members', { groupId: g, limit: 1, after: page.next });
      expectEqual(page2.members.map((m) => m.userId), [ids[1]], 'group.members after the cursor');
      return { detail: 'online, then offline after close' };
    },
  },
  {
    name: 'group-list',
    group: 'basic',
    description: 'group.list with prefix, limit and after pages sorted by id',
    async run(ctx) {
      const alice = await ctx.connect(ctx.user('alice'), 0);
      const prefix = `auto-${ctx.runId}-list-`;
      const ids = [`${prefix}c`, `${prefix}a`, `${prefix}b`];
      for (const id of ids) await createGroup(alice, id);
      const r1 = await alice.call<R<'group.list'>>('group.list', { prefix, limit: 2 });
      r1.groups.forEach((gr, i) => checkGroup(gr, `group.list[${i}]`));
      expectEqual(r1.groups.map((gr) => gr.id), [`${prefix}a`, `${prefix}b`], 'group.list prefix, limit 2');
      expect(typeof r1.next === 'string', `group.list limit 2 of 3: expected a next cursor, got ${short(r1.next)}`);
      const r2 = await alice.call<R<'group.list'>>('group.list', { prefix, limit: 2, after: r1.next });
      expectEqual(r2.groups.map((gr) => gr.id), [`${prefix}c`], 'group.list second page');
      expect(r2.next === null, `group.list last page: expected next null, got ${short(r2.next)}`);
      expect(r1.groups[0].memberCount === 0, `a created group nobody joined: expected memberCount 0, got ${r1.groups[0].memberCount}`);
      return { detail: '3 groups in 2 pages' };
    },
  },
];
