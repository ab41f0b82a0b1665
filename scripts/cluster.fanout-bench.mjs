#!/usr/bin/env node
/**
 * Measures the fan-out reader (adapters/redis/stream-reader.ts) at growing
 * numbers of subscribed groups, on a throwaway redis-server. The numbers in
 * docs/architecture.md come from this script:
 *
 *   npm run build && node scripts/cluster.fanout-bench.mjs [10000]
 *
 * For each N: the cost of one XREAD cycle over N streams (Redis-side and
 * round trip), delivery latency and reads per message under a steady publish
 * load spread over the N groups, and the time from subscribing a new group to
 * its first delivered message (the CLIENT UNBLOCK path).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisKeys } from '../packages/server/dist/adapters/redis/keys.js';
import { StreamReader } from '../packages/server/dist/adapters/redis/stream-reader.js';
import { NotifyReader } from '../packages/server/dist/adapters/redis/notify-reader.js';
import { Metrics } from '../packages/server/dist/observability/metrics.js';
import { silentLogger } from '../packages/server/dist/observability/logger.js';

const maxN = Number(process.argv[2] ?? 10000);
const sizes = [1, 100, 1000, 10000, 30000].filter((n) => n <= maxN);

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-bench-'));
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
process.on('exit', () => {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const url = `redis://127.0.0.1:${port}`;
const redis = new Redis(url, { lazyConnect: true });
for (let i = 0; i < 100; i++) {
  try {
    await redis.connect();
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (ns) => Number(ns) / 1e6;

async function xreadStats() {
  const info = await redis.info('commandstats');
  const m = /cmdstat_xread:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(info);
  return m ? { calls: Number(m[1]), usec: Number(m[2]) } : { calls: 0, usec: 0 };
}

async function cpuSeconds() {
  const info = await redis.info('cpu');
  const u = /used_cpu_user:([\d.]+)/.exec(info);
  const s = /used_cpu_sys:([\d.]+)/.exec(info);
  return Number(u?.[1] ?? 0) + Number(s?.[1] ?? 0);
}

// XADD + PUBLISH of the new id, as publish-5.lua does.
const PUBLISH_LUA = "local id = redis.call('XADD', KEYS[1], '*', 'a', 'u', 't', 'x', 's', ARGV[1], 'c', ''); redis.call('PUBLISH', ARGV[2], id); return id";

const rows = [];
for (const variant of ['block', 'notify'])
for (const n of sizes) {
  const keys = new RedisKeys(`bench${n}`);
  // Every group has one entry, as live groups do.
  for (let i = 0; i < n; i += 1000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 1000); j++) p.xadd(keys.stream(`g${j}`), '*', 'a', 'u', 't', 'seed', 's', new Date().toISOString(), 'c', '');
    await p.exec();
  }
  const sentAt = new Map();
  const latencies = [];
  let delivered = 0;
  let onDelivered = null;
  const metrics = new Metrics({ defaultMetrics: false });
  const Reader = variant === 'block' ? StreamReader : NotifyReader;
  const reader = new Reader({
    url,
    commands: redis,
    keys,
    logger: silentLogger(),
    metrics,
    onEntry: (_g, id) => {
      const t0 = sentAt.get(id);
      if (t0 !== undefined) latencies.push(ms(process.hrtime.bigint() - t0));
      delivered++;
      onDelivered?.();
    },
  });
  reader.start();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => reader.add(`g${i + j}`)));
  const subscribeMs = ms(process.hrtime.bigint() - t0);

  // One XREAD cycle over all N streams with nothing new: what every wake-up costs.
  const args = ['COUNT', 500, 'STREAMS'];
  for (let i = 0; i < n; i++) args.push(keys.stream(`g${i}`));
  const tops = await Promise.all(Array.from({ length: n }, (_, i) => redis.xrevrange(keys.stream(`g${i}`), '+', '-', 'COUNT', 1)));
  for (const t of tops) args.push(t[0][0]);
  const probe = new Redis(url);
  const before = await xreadStats();
  const rtts = [];
  for (let r = 0; r < 20; r++) {
    const s = process.hrtime.bigint();
    await probe.call('XREAD', ...args);
    rtts.push(ms(process.hrtime.bigint() - s));
  }
  const after = await xreadStats();
  const serverUsPerCycle = (after.usec - before.usec) / Math.max(1, after.calls - before.calls);
  probe.disconnect();

  // Steady load: 2000 messages at ~1000/s over random groups.
  const reads0 = Number((await metrics.streamReads.get()).values[0]?.value ?? 0);
  const x0 = await xreadStats();
  const cpu0 = await cpuSeconds();
  const started = process.hrtime.bigint();
  const total = 2000;
  delivered = 0;
  const done = new Promise((resolve) => (onDelivered = () => delivered >= total && resolve()));
  for (let i = 0; i < total; i++) {
    const g = `g${Math.floor(Math.random() * n)}`;
    const s = process.hrtime.bigint();
    const id = await redis.eval(PUBLISH_LUA, 1, keys.stream(g), new Date().toISOString(), keys.notify(g));
    sentAt.set(id, s);
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 10));
  }
  await done;
  const loadSeconds = ms(process.hrtime.bigint() - started) / 1000;
  const cpuShare = (await cpuSeconds()) - cpu0;
  const reads = Number((await metrics.streamReads.get()).values[0]?.value ?? 0) - reads0;
  const x1 = await xreadStats();
  const loadServerUs = (x1.usec - x0.usec) / Math.max(1, x1.calls - x0.calls);

  // A newly subscribed group's first message (the reader is blocked on the N others).
  const wake = [];
  for (let r = 0; r < 10; r++) {
    const g = `new${r}`;
    await reader.add(g);
    const got = new Promise((resolve) => (onDelivered = resolve));
    const s = process.hrtime.bigint();
    await redis.eval(PUBLISH_LUA, 1, keys.stream(g), new Date().toISOString(), keys.notify(g));
    await got;
    wake.push(ms(process.hrtime.bigint() - s));
  }
  onDelivered = null;
  await reader.close();

  rows.push({
    fanout: variant,
    groups: n,
    'subscribe all (ms)': subscribeMs.toFixed(0),
    'XREAD of all N rtt p50 (ms)': pct(rtts, 50).toFixed(2),
    'XREAD of all N in Redis (µs)': serverUsPerCycle.toFixed(0),
    'delivery p50 (ms)': pct(latencies, 50).toFixed(2),
    'delivery p99 (ms)': pct(latencies, 99).toFixed(2),
    'msgs per XREAD': (total / Math.max(1, reads)).toFixed(2),
    'Redis µs per XREAD under load': loadServerUs.toFixed(0),
    'Redis CPU under load (%)': ((100 * cpuShare) / loadSeconds).toFixed(0),
    'new group first msg p50 (ms)': pct(wake, 50).toFixed(2),
    'new group first msg max (ms)': Math.max(...wake).toFixed(2),
  });
  await redis.flushall();
}
console.table(rows);
redis.disconnect();
process.exit(0);
