/**
 * Protocol 1.1 `typing` (PROTOCOL.md §11, §12) over the public protocol:
 * another member's subscribed connection gets `typing {groupId, userId, at}`,
 * none of the typist's own connections does, at most one call per user per
 * group in any 2 s is passed on (the rest answered `{}`), members only
 * (4003), never replayed to a later joiner; and, with several hubs, a typist
 * on A reaches a watcher on B for every ordered pair.
 */
import type { Results } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, expectEqual, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short, sleep } from '../rpc.js';
import { checkError, ISO_MS_RE } from '../shapes.js';
import { orderedPairs } from '../stats.js';
import { join } from './basic.js';

type P = Record<string, unknown>;

/** The hub passes on at most one typing call per user per group in any this long (PROTOCOL.md §11). */
const WINDOW_MS = 2000;
/**
 * How long "never" is: after the watcher got the one typing notification,
 * the typist's own connections (and the watcher, for a second one) get this
 * much longer to (wrongly) receive one.
 */
const GRACE_MS = 400;

const isObj = (v: unknown): v is P => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `typing` notifications of a group received so far on a connection. */
function typings(conn: RpcConnection, groupId: string): P[] {
  return conn.frames.filter((f) => f.method === 'typing' && f.id === undefined && isObj(f.params) && f.params.groupId === groupId).map((f) => f.params as P);
}

/** `typing {groupId}` answered `{}`. */
async function typing(conn: RpcConnection, groupId: string, what: string): Promise<void> {
  const r = await conn.call<Results['typing']>('typing', { groupId });
  expectEqual(r, {}, `${what}: the result of typing`);
}

/** Waits for the typing notification of `typist` in `groupId` on `conn`, checks its shape, and returns it. */
async function expectTyping(conn: RpcConnection, groupId: string, typist: string, what: string): Promise<P> {
  const f = await conn.waitNotification('typing', (p) => p.groupId === groupId && p.userId === typist, `${what}: the typing notification of ${typist} in ${groupId} on ${conn.label}`);
  const p = f.params as P;
  expectEqual(Object.keys(p).sort(), ['at', 'groupId', 'userId'], `${what}: the params of typing on ${conn.label} (their keys)`);
  expect(typeof p.at === 'string' && ISO_MS_RE.test(p.at), `${what}: typing.at must be ISO-8601 UTC with ms, got ${short(p.at)} in ${short(p)}`);
  return p;
}

/** None of `conns` (the typist's own) may have a typing notification of the group. */
function expectNone(conns: RpcConnection[], groupId: string, why: string): void {
  for (const c of conns) {
    const got = typings(c, groupId);
    if (got.length > 0) fail(`${c.label} received ${short(got)}: ${why}`);
  }
}

/** A fresh public room, created by `owner` and joined by every connection in order. */
async function room(ctx: CheckContext, owner: RpcConnection, members: RpcConnection[]): Promise<string> {
  const g = ctx.group('t');
  await owner.call('group.create', { groupId: g });
  for (const c of members) await join(c, g);
  return g;
}

export const typingChecks: Check[] = [
  {
    name: 'typing',
    group: 'typing',
    description:
      "typing: another member's subscribed connection gets {groupId, userId, at}, the typist's own connections do not; 5 calls within a second pass on one, and one again after 2 s; an outsider gets 4003; not replayed to a later joiner",
    async run(ctx) {
      const ann = ctx.user('ann');
      const a1 = await ctx.connect(ann, 0);
      const a2 = await ctx.connect(ann, 1); // the typist's other connection, subscribed too
      const b = await ctx.connect(ctx.user('bob'), 2);
      const outsider = await ctx.connect(ctx.user('out'), 1);
      const g = await room(ctx, a1, [a1, a2, b]);

      // Five calls within a second (sent together): each answered {}, one passed on.
      const started = Date.now();
      await Promise.all([1, 2, 3, 4, 5].map((i) => typing(a1, g, `typing call ${i} of 5`)));
      const elapsed = Date.now() - started;
      const answeredAt = Date.now();
      if (elapsed >= WINDOW_MS) fail(`the 5 typing calls took ${elapsed} ms to be answered: the check needs them within the ${WINDOW_MS} ms window`);
      await expectTyping(b, g, ann, "another member's subscribed connection");
      await sleep(GRACE_MS);
      const got = typings(b, g);
      expect(got.length === 1, `5 typing calls within ${elapsed} ms must pass on exactly one (at most one per user per group in any ${WINDOW_MS} ms), got ${got.length}: ${short(got)}`);
      expectNone([a1, a2], g, "typing goes to the group's other subscribed connections, never to the typist's own (neither the calling connection nor another one)");

      // An outsider is refused; the refusal passes nothing on.
      const e = await outsider.callExpectError('typing', { groupId: g }, 'typing by a user who is not a member');
      checkError(e, 4003, 'typing by a user who is not a member');
      const missing = await a1.callExpectError('typing', {}, 'typing without groupId');
      checkError(missing, -32602, 'typing without groupId', 'groupId');

      // Never stored: a later joiner gets nothing replayed.
      const late = await ctx.connect(ctx.user('late'), 0);
      await join(late, g);

      // The window ends: the next call (from the typist's other connection) is passed on again.
      await sleep(Math.max(GRACE_MS, answeredAt + WINDOW_MS + 200 - Date.now()));
      expect(typings(late, g).length === 0, `a member who joined after a typing signal must get none replayed, got ${short(typings(late, g))}`);
      await typing(a2, g, 'typing once the 2 s window is over');
      await b.waitUntil(
        () => typings(b, g).length >= 2,
        () => `a second typing notification on ${b.label}, for a call more than ${WINDOW_MS} ms after the first (got ${typings(b, g).length})`,
      );
      await expectTyping(late, g, ann, 'a member who joined after the first signal (live signals only)');
      await sleep(GRACE_MS);
      expect(typings(b, g).length === 2, `one call after the window must pass on exactly one more, got ${short(typings(b, g))}`);
      expect(typings(late, g).length === 1, `the late joiner must get the live signal once, got ${short(typings(late, g))}`);
      expectNone([a1, a2], g, "typing never goes to the typist's own connections");
      return { detail: `5 calls in ${elapsed} ms: 1 passed on; again after ${WINDOW_MS} ms; none to the typist's 2 connections; outsider 4003` };
    },
  },
];

/** With several hubs: a typist on A reaches a watcher on B, for every ordered pair, and not the typist's own connection on B. */
export const typingCrossChecks: Check[] = [
  {
    name: 'cross-typing',
    group: 'cross',
    description: "for every ordered pair (A,B): typing via A reaches another member's connection on B, and not the typist's own connection on B",
    skip: (ctx) => (ctx.endpoints.length < 2 ? 'needs 2 or more hub URLs or pods' : null),
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const pairs = orderedPairs(ctx.endpoints.length);
      const problems: string[] = [];
      for (const [a, b] of pairs) {
        const name = `${ctx.endpoints[a].name} -> ${ctx.endpoints[b].name}`;
        try {
          const typist = ctx.user(`t${a}${b}`);
          const t = await ctx.connect(typist, a);
          const own = await ctx.connect(typist, b);
          const w = await ctx.connect(ctx.user(`w${a}${b}`), b);
          const g = await room(ctx, t, [t, own, w]);
          await typing(t, g, `typing via ${ctx.endpoints[a].name}`);
          await expectTyping(w, g, typist, `the watcher on ${ctx.endpoints[b].name}`);
          await sleep(GRACE_MS);
          expectNone([t, own], g, "typing never goes to the typist's own connections, on any instance");
        } catch (e) {
          problems.push(`typing via ${name}: ${(e as Error).message}`);
        }
      }
      if (problems.length > 0) fail(`${problems.length} of ${pairs.length} ordered pairs failed: ${problems.join('; ')}`);
      return { detail: `${pairs.length} ordered pairs over ${ctx.endpoints.length} instances` };
    },
  },
];
