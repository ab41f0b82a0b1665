/**
 * Cross-instance delivery: with several hub URLs (or pods), a message sent via
 * any instance A reaches a member connected to any other instance B, and
 * every receiver sees the same order.
 */
import { compareMessageIds, type Message } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { expect, fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { short } from '../rpc.js';
import { orderedPairs } from '../stats.js';
import { createGroup, join, send } from './basic.js';

const needsTwo = (ctx: CheckContext) => (ctx.endpoints.length < 2 ? 'needs 2 or more hub URLs or pods' : null);

async function onePerEndpoint(ctx: CheckContext, g: string): Promise<RpcConnection[]> {
  const conns: RpcConnection[] = [];
  for (let i = 0; i < ctx.endpoints.length; i++) conns.push(await ctx.connect(ctx.user(`p${i}`), i));
  await createGroup(conns[0], g);
  for (const c of conns) await join(c, g);
  return conns;
}

export const crossChecks: Check[] = [
  {
    name: 'cross-pairs',
    group: 'cross',
    description: 'for every ordered pair of instances (A,B), a message sent via A is received on B',
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const g = ctx.group();
      const conns = await onePerEndpoint(ctx, g);
      const sent: Message[] = [];
      for (let a = 0; a < conns.length; a++) sent.push(await send(conns[a], g, `pair from ${ctx.endpoints[a].name}`));
      const missing: string[] = [];
      await Promise.all(
        conns.map(async (c, b) => {
          const list = c.messages(g);
          try {
            await c.waitUntil(() => sent.every((m) => list.some((x) => x.id === m.id)), `all ${sent.length} messages at ${ctx.endpoints[b].name}`);
          } catch {
            /* reported per pair below */
          }
        }),
      );
      for (const [a, b] of orderedPairs(conns.length)) {
        if (!conns[b].messages(g).some((x) => x.id === sent[a].id)) {
          missing.push(`${ctx.endpoints[a].name} -> ${ctx.endpoints[b].name}`);
        }
      }
      if (missing.length > 0) {
        fail(`messages were not delivered within ${ctx.timeoutMs} ms for ${missing.length} of ${orderedPairs(conns.length).length} pairs: ${missing.join(', ')}`);
      }
      return { detail: `${orderedPairs(conns.length).length} ordered pairs over ${conns.length} instances` };
    },
  },
  {
    name: 'cross-order',
    group: 'cross',
    description: 'concurrent senders on every instance: all receivers see the same messages in the same order',
    skip: needsTwo,
    budgetMs: (o) => Math.max(60_000, o.timeoutMs * 6),
    async run(ctx) {
      const PER = 20;
      const g = ctx.group();
      const conns = await onePerEndpoint(ctx, g);
      const results = await Promise.all(
        conns.map(async (c, a) => {
          const mine: Message[] = [];
          for (let k = 0; k < PER; k++) mine.push(await send(c, g, `order ${a}.${k}`));
          return mine;
        }),
      );
      const allSent = results.flat().sort((x, y) => compareMessageIds(x.id, y.id));
      const expectedIds = allSent.map((m) => m.id);
      for (const c of conns) await c.waitMessages(g, expectedIds.length);
      const reference = conns[0].messages(g).map((m) => m.id);
      for (let b = 0; b < conns.length; b++) {
        const ids = conns[b].messages(g).map((m) => m.id);
        expect(ids.length === expectedIds.length, `${ctx.endpoints[b].name}: expected ${expectedIds.length} messages, got ${ids.length}`);
        for (let i = 0; i < ids.length; i++) {
          if (ids[i] !== expectedIds[i]) {
            fail(
              `${ctx.endpoints[b].name}: message #${i} should be ${expectedIds[i]} (id order), got ${ids[i]}; ` +
                `${ctx.endpoints[0].name} saw ${short(reference.slice(Math.max(0, i - 2), i + 3))} there`,
            );
          }
        }
      }
      return { detail: `${expectedIds.length} messages from ${conns.length} instances, identical order everywhere` };
    },
  },
];
