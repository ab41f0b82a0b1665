/**
 * A short load check: `--load-rate` messages per second of `--load-size`
 * characters for `--load-seconds`, spread over several sending connections
 * (each under the hub's per-connection rate limit; 4029 is honoured and the
 * wait counts as latency). The send time travels in the payload; latency is
 * measured where the message arrives, at every receiver.
 */
import { performance } from 'node:perf_hooks';
import { compareMessageIds, isMessageId } from '@next-chat/core';
import type { Check, CheckContext } from '../context.js';
import { fail } from '../context.js';
import type { RpcConnection } from '../rpc.js';
import { isRetryable, RpcCallError, sleep } from '../rpc.js';
import { latencyStats, round, splitRate } from '../stats.js';
import { createGroup, join } from './basic.js';

const now = () => performance.timeOrigin + performance.now();

/** `L|<sender>|<seq>|<sentAtMs>|xxxx...` padded to `size` characters. */
export function loadPayload(sender: number, seq: number, sentAt: number, size: number): string {
  const head = `L|${sender}|${seq}|${sentAt.toFixed(3)}|`;
  return head.length >= size ? head : head + 'x'.repeat(size - head.length);
}

export function parseLoadPayload(text: string): { key: string; sentAt: number } | null {
  if (!text.startsWith('L|')) return null;
  const parts = text.split('|', 5);
  if (parts.length < 5) return null;
  const sentAt = Number(parts[3]);
  if (!Number.isFinite(sentAt)) return null;
  return { key: `${parts[1]}|${parts[2]}`, sentAt };
}

interface Receiver {
  conn: RpcConnection;
  seen: Set<string>;
  duplicates: number;
  latencies: number[];
  lastId: string | null;
  outOfOrder: number;
  firstOutOfOrder: string | null;
}

async function runLoad(ctx: CheckContext) {
  const o = ctx.opts;
  const rates = splitRate(o.loadRate, o.loadPerConnectionRate);
  const g = ctx.group('load');
  const admin = await ctx.connect(ctx.user('admin'), 0);
  await createGroup(admin, g);
  await admin.close();

  const receivers: Receiver[] = [];
  for (let i = 0; i < o.loadReceivers; i++) {
    const conn = await ctx.connect(ctx.user(`r${i}`), i);
    await join(conn, g, { limit: 0 });
    const r: Receiver = { conn, seen: new Set(), duplicates: 0, latencies: [], lastId: null, outOfOrder: 0, firstOutOfOrder: null };
    conn.onMessage = (m) => {
      const t = now();
      if (m.groupId !== g) return;
      if (r.lastId !== null && isMessageId(m.id) && compareMessageIds(m.id, r.lastId) <= 0) {
        r.outOfOrder++;
        r.firstOutOfOrder ??= `${m.id} after ${r.lastId}`;
      } else if (isMessageId(m.id)) r.lastId = m.id;
      const p = parseLoadPayload(m.text);
      if (!p) return;
      if (r.seen.has(p.key)) {
        r.duplicates++;
        return;
      }
      r.seen.add(p.key);
      r.latencies.push(t - p.sentAt);
    };
    receivers.push(r);
  }
  const senders: RpcConnection[] = [];
  for (let s = 0; s < rates.length; s++) {
    const conn = await ctx.connect(ctx.user(`s${s}`), o.loadReceivers + s);
    await join(conn, g, { limit: 0 });
    senders.push(conn);
  }

  const sentOk = new Set<string>();
  const sendErrors: string[] = [];
  let rateLimitedRetries = 0;
  const sendStart = now();
  await Promise.all(
    senders.map(async (conn, s) => {
      const rate = rates[s];
      const count = Math.max(1, Math.round(rate * o.loadSeconds));
      const interval = 1000 / rate;
      const start = sendStart + (s * interval) / senders.length;
      const inflight: Array<Promise<void>> = [];
      for (let k = 0; k < count; k++) {
        const wait = start + k * interval - now();
        if (wait > 1) await sleep(wait);
        if (!conn.isOpen) {
          sendErrors.push(`${conn.label}: connection closed${conn.closed ? ` (${conn.closed.code})` : ''} after ${k} sends`);
          break;
        }
        const t = now();
        const text = loadPayload(s, k, t, o.loadSize);
        inflight.push(
          sendWithRetry(conn, g, text, () => rateLimitedRetries++).then(
            () => void sentOk.add(`${s}|${k}`),
            (e: Error) => void sendErrors.push(`${conn.label} #${k}: ${e.message}`),
          ),
        );
        if (inflight.length > 5000) await Promise.all(inflight.splice(0, 1000));
      }
      await Promise.all(inflight);
    }),
  );
  const sendEnd = now();

  await Promise.all(
    receivers.map((r) =>
      r.conn
        .waitUntil(() => r.seen.size >= sentOk.size && [...sentOk].every((k) => r.seen.has(k)), 'every sent message', ctx.timeoutMs)
        .catch(() => undefined),
    ),
  );

  let lost = 0;
  const lostBy: string[] = [];
  for (const r of receivers) {
    let l = 0;
    for (const k of sentOk) if (!r.seen.has(k)) l++;
    if (l > 0) lostBy.push(`${r.conn.label} missed ${l}`);
    lost += l;
  }
  const stats = latencyStats(receivers.flatMap((r) => r.latencies));
  const duplicates = receivers.reduce((a, r) => a + r.duplicates, 0);
  const outOfOrder = receivers.reduce((a, r) => a + r.outOfOrder, 0);
  const seconds = (sendEnd - sendStart) / 1000;
  const metrics = {
    targetRate: o.loadRate,
    achievedRate: round(sentOk.size / seconds, 1),
    seconds: round(seconds, 2),
    size: o.loadSize,
    senders: senders.length,
    receivers: receivers.length,
    sent: sentOk.size,
    sendErrors: sendErrors.length,
    rateLimitedRetries,
    deliveries: stats.count,
    lost,
    duplicates,
    outOfOrder,
    meanMs: round(stats.mean, 2),
    p50Ms: round(stats.p50, 2),
    p99Ms: round(stats.p99, 2),
    maxMs: round(stats.max, 2),
  };
  const detail =
    `${sentOk.size} msgs of ${o.loadSize} chars at ${metrics.achievedRate}/s (target ${o.loadRate}/s) over ${metrics.seconds} s, ` +
    `${senders.length} senders, ${receivers.length} receivers: latency mean ${metrics.meanMs} ms, p50 ${metrics.p50Ms}, p99 ${metrics.p99Ms}, max ${metrics.maxMs}; ` +
    `lost ${lost}, duplicates ${duplicates}, out of order ${outOfOrder}, send errors ${sendErrors.length}, 4029 retries ${rateLimitedRetries}`;
  const problems: string[] = [];
  if (sendErrors.length > 0) problems.push(`${sendErrors.length} sends failed (first: ${sendErrors[0]})`);
  if (lost > o.maxLost) problems.push(`lost ${lost} deliveries, at most ${o.maxLost} allowed (${lostBy.join(', ')})`);
  if (duplicates > 0) problems.push(`${duplicates} duplicate deliveries`);
  if (outOfOrder > 0) {
    const first = receivers.find((r) => r.firstOutOfOrder)?.firstOutOfOrder;
    problems.push(`${outOfOrder} notifications out of id order (first: ${first})`);
  }
  if (!(stats.mean <= o.maxMeanLatencyMs)) problems.push(`mean latency ${metrics.meanMs} ms is over the limit of ${o.maxMeanLatencyMs} ms`);
  if (!(stats.p99 <= o.maxP99LatencyMs)) problems.push(`p99 latency ${metrics.p99Ms} ms is over the limit of ${o.maxP99LatencyMs} ms`);
  if (metrics.achievedRate < o.loadRate * 0.8) problems.push(`only ${metrics.achievedRate} msg/s were sent, target ${o.loadRate} (the client or the hub could not keep up)`);
  if (problems.length > 0) fail(`${problems.join('; ')}. Measured: ${detail}`);
  return { detail, metrics };
}

async function sendWithRetry(conn: RpcConnection, groupId: string, text: string, onRetry: () => void): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const f = await conn.request('message.send', { groupId, text });
    if (!f.error) return;
    if (isRetryable(f.error)) {
      onRetry();
      await sleep(Math.min(Math.max(Number(f.error.data?.retryAfterMs) || 100, 1), 5000));
      continue;
    }
    throw new RpcCallError('message.send', f.error);
  }
  throw new Error('still rate limited (4029) after 50 retries');
}

export const loadChecks: Check[] = [
  {
    name: 'load',
    group: 'load',
    description: 'N msg/s of M characters for S seconds: mean/p99 latency at the receivers under the limits, nothing lost',
    skip: (ctx) => (ctx.opts.loadRate <= 0 ? '--load-rate is 0' : null),
    budgetMs: (o) => o.loadSeconds * 1000 * 2 + o.timeoutMs * 4 + 30_000,
    run: runLoad,
  },
];
