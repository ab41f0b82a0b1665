/**
 * npm run bench: Next Chat hubs on one throwaway Redis (+ MariaDB for
 * history) against Socket.IO with the Redis Streams adapter and a raw
 * single-process ws broadcast, load from separate processes. One JSON line
 * per result on stdout, a table at the end; progress on stderr.
 *
 * Env: BENCH_SCENARIOS (comma list of fanout,groups,groups-edits,connections,
 * history,conversations,abuse,moderation, and two not in the default list:
 * connections-100k (100,000 connections, BENCH_IDLE_CONNECTIONS, see
 * connections-100k.ts) and wait (wait.ts: Redis WAIT on a primary with a
 * replica of its own); default all the others; groups-edits also runs Next
 * Chat's plain groups when groups is not listed, as its baseline;
 * abuse.ts and conversations.ts have their own BENCH_ABUSE_* and
 * BENCH_CONVERSATIONS_ENGINES settings), BENCH_ROUNDS
 * (alternating rounds of fanout/groups, default 5),
 * BENCH_DURATION_MS (send phase of a run, default 3000),
 * BENCH_CPU_PROF (a directory: hubs run with --cpu-prof into it).
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { abuse, abuseTable } from './abuse.js';
import { connections100k, connections100kRow, ensureNofile, idleTarget } from './connections-100k.js';
import { conversations, conversationsTable } from './conversations.js';
import { moderation, moderationTable } from './moderation.js';
import { waitScenario, waitTable } from './wait.js';
import { Gen } from './gen.js';
import type { ClientSpec, Event, Protocol } from './loadgen.js';
import { CONFIGURATOR_BIN, cpuSeconds, machineBusySeconds, peakRss, rss, SIO_SERVER, startHubProc, startServer, WS_SERVER, type ServerProc } from './procs.js';
import { startMariaDb, startRedis, type Service } from './services.js';
import { Histogram, median, r3, table } from './stats.js';

type System = 'next-chat' | 'socket.io' | 'ws';

const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'fanout,groups,groups-edits,connections,history,conversations,abuse,moderation').split(',').map((s) => s.trim());
const ROUNDS = Math.max(1, Math.min(9, Number(process.env.BENCH_ROUNDS ?? 5)));
const DURATION_MS = Math.max(500, Math.min(30_000, Number(process.env.BENCH_DURATION_MS ?? 3000)));
const CPU_PROF = process.env.BENCH_CPU_PROF;
const TEXT_BYTES = 100;
const FANOUT_SUBSCRIBERS = 500;
const FANOUT_WINDOW = 16;
/** Messages/s of the paced fan-out run (x500 deliveries): well below what either system sustains. */
const FANOUT_PACED_RATE = 100;
const GROUPS = 100;
const GROUP_MEMBERS = 10;
/** groups-edits: every 10th operation of each sender is a message.edit of one of its own recent messages (10 % edits). */
const GROUPS_EDIT_EVERY = 10;
const IDLE_CONNECTIONS = 10_000;
const IDLE_GROUPS = 100;
const HISTORY_ROWS = 1_000_000;
const HISTORY_GROUPS = 10;
const WRITER_MESSAGES = 100_000;

const results: Record<string, unknown>[] = [];
const startedAt = Date.now();

function log(line: string): void {
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`);
}

function emit(r: Record<string, unknown>): void {
  results.push(r);
  process.stdout.write(`${JSON.stringify({ bench: 'next-chat', ...r })}\n`);
}

function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ServerStat {
  name: string;
  cpuSeconds: number;
  peakRssMiB: number;
}

function mib(bytes: number): number {
  return r3(bytes / 1024 / 1024);
}

/** CPU seconds each process spends from now until the returned function is called. */
function cpuMeter(procs: { name: string; pid: number }[]): () => ServerStat[] {
  const before = procs.map((p) => cpuSeconds(p.pid));
  return () => procs.map((p, i) => ({ name: p.name, cpuSeconds: r3(cpuSeconds(p.pid) - before[i]), peakRssMiB: mib(peakRss(p.pid)) }));
}

async function startSystem(system: System, redis: Service, n: number, tag: string): Promise<ServerProc[]> {
  const out: ServerProc[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${system === 'next-chat' ? 'hub' : system === 'socket.io' ? 'sio' : 'ws'}-${i + 1}`;
    if (system === 'next-chat') {
      const args = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${tag}-${name}.cpuprofile`] : [];
      out.push(await startHubProc(name, { NEXT_CHAT_REDIS_URL: redis.url }, args));
    } else if (system === 'socket.io') {
      out.push(await startServer(name, SIO_SERVER, { REDIS_URL: redis.url }, (port) => `http://127.0.0.1:${port}`));
    } else {
      out.push(await startServer(name, WS_SERVER, {}, (port) => `ws://127.0.0.1:${port}/next-chat`));
    }
  }
  return out;
}

async function flush(admin: Redis): Promise<void> {
  await admin.flushall();
}

function protocolOf(system: System): Protocol {
  return system === 'socket.io' ? 'sio' : 'jsonrpc';
}

/**
 * One throughput run: receivers and senders already split over generator
 * processes; `expectedPer` is how many counted copies each sent message
 * should produce.
 */
async function throughputRun(opts: {
  scenario: string;
  system: System;
  round: number;
  servers: ServerProc[];
  redis: Service | null;
  receivers: Gen[];
  senders: Gen[];
  window: number;
  expectedPer: number;
  ratePerSender?: number;
  editEvery?: number;
  extra?: Record<string, unknown>;
}): Promise<Record<string, unknown>> {
  const meter = cpuMeter([...opts.servers, ...(opts.redis ? [{ name: 'redis', pid: opts.redis.pid }] : [])]);
  const gens = [...new Set([...opts.receivers, ...opts.senders])];
  const genMeter = cpuMeter(gens.map((g) => ({ name: g.name, pid: g.pid })));
  const busy0 = machineBusySeconds();
  const t0 = nowUs();
  for (const g of opts.receivers) g.tell({ cmd: 'run', senders: 'none', window: 0, durationMs: 0, maxMessages: 0, textBytes: TEXT_BYTES, drainMs: 0 });
  const sentEvents = await Promise.all(
    opts.senders.map((g) =>
      g.request(
        { cmd: 'run', senders: 'all', window: opts.window, durationMs: DURATION_MS, maxMessages: 5_000_000, textBytes: TEXT_BYTES, drainMs: 10_000, ratePerSender: opts.ratePerSender, editEvery: opts.editEvery },
        'sent',
        DURATION_MS + 30_000,
      ),
    ),
  );
  const sent = sentEvents.reduce((a, e) => a + e.sent, 0);
  const ackErrors = sentEvents.reduce((a, e) => a + e.ackErrors, 0);
  const edits = sentEvents.reduce((a, e) => a + e.edits, 0);
  const ackErrorSamples = sentEvents.flatMap((e) => e.ackErrorSamples).slice(0, 5);
  const expected = sent * opts.expectedPer;
  // Drain: poll receivers until everything arrived (bounded in time and count).
  let reports: Extract<Event, { ev: 'report' }>[] = [];
  let received = 0;
  for (let i = 0; i < 100; i++) {
    reports = await Promise.all(opts.receivers.map((g) => g.request({ cmd: 'report' }, 'report', 10_000)));
    received = reports.reduce((a, r) => a + r.received, 0);
    if (received >= expected) break;
    await sleep(100);
  }
  const servers = meter();
  const loadgenCpuSeconds = r3(genMeter().reduce((a, g) => a + g.cpuSeconds, 0));
  // CPU the rest of the machine took meanwhile: a noisy neighbour shows here.
  const otherCpuSeconds = r3(Math.max(0, machineBusySeconds() - busy0 - loadgenCpuSeconds - servers.reduce((a, x) => a + x.cpuSeconds, 0)));
  const reps = reports;
  // Server CPU of the whole system under test: its server processes (both
  // hubs, both Socket.IO servers, the ws server) plus Redis, which is where
  // both Next Chat and the Socket.IO adapter do part of their work. Redis is
  // its own process, read from /proc/<pid>/stat like the servers (all its
  // threads); the ws ceiling has no Redis.
  const hubsCpu = servers.filter((x) => x.name !== 'redis').reduce((a, x) => a + x.cpuSeconds, 0);
  const redisCpu = servers.find((x) => x.name === 'redis')?.cpuSeconds ?? 0;
  const cpuHubsRedis = hubsCpu + redisCpu;
  const lat = Histogram.from(reps.map((r) => r.latency));
  const lastAt = Math.max(...reps.map((r) => r.lastAtMs));
  const seconds = Math.max(0.001, (lastAt * 1000 - t0) / 1e6);
  const r = {
    scenario: opts.scenario,
    system: opts.system,
    round: opts.round,
    deliveriesPerSec: Math.round(received / seconds),
    messagesPerSec: Math.round(sent / seconds),
    sent,
    expected,
    received,
    lost: expected - received,
    ackErrors,
    ...(ackErrorSamples.length ? { ackErrorSamples } : {}),
    ...(opts.editEvery ? { edits, editShare: r3(edits / Math.max(1, sent)) } : {}),
    closedClients: reps.reduce((a, x) => a + x.closed, 0),
    seconds: r3(seconds),
    window: opts.window,
    ...(opts.ratePerSender ? { ratePerSender: opts.ratePerSender } : {}),
    latencyMs: lat.summary(),
    servers,
    // Server CPU (hubs or Socket.IO/ws processes, not Redis) per delivery: less noisy than rates on a shared machine.
    serverCpuUsPerDelivery: r3((hubsCpu / Math.max(1, received)) * 1e6),
    // Hubs + Redis: CPU per published message, per delivery, and deliveries per CPU-second.
    hubsCpuSeconds: r3(hubsCpu),
    redisCpuSeconds: r3(redisCpu),
    cpuSecondsHubsRedis: r3(cpuHubsRedis),
    cpuUsPerPublish: r3((cpuHubsRedis / Math.max(1, sent)) * 1e6),
    cpuUsPerDelivery: r3((cpuHubsRedis / Math.max(1, received)) * 1e6),
    deliveriesPerCpuSecond: cpuHubsRedis > 0 ? Math.round(received / cpuHubsRedis) : null,
    loadgenCpuSeconds,
    otherCpuSeconds,
    ...opts.extra,
  };
  emit(r);
  return r;
}

async function withGens<T>(names: string[], fn: (gens: Gen[]) => Promise<T>): Promise<T> {
  const gens = names.map((n) => new Gen(n));
  try {
    return await fn(gens);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
  }
}

async function fanout(system: System, round: number, redis: Service, admin: Redis): Promise<Record<string, unknown>> {
  await flush(admin);
  const servers = await startSystem(system, redis, system === 'ws' ? 1 : 2, `fanout-${round}`);
  log(`fanout: ${system} round ${round} (${servers.length} server(s), ${FANOUT_SUBSCRIBERS} subscribers, window ${FANOUT_WINDOW})`);
  try {
    return await withGens(['sender', 'subs-a', 'subs-b'], async ([sender, a, b]) => {
      const group = 'fanout';
      const protocol = protocolOf(system);
      const senderSpec: ClientSpec = { url: servers[0].url, user: 'sender', group, count: false };
      const ready = await sender.request({ cmd: 'setup', protocol, clients: [senderSpec], create: { url: servers[0].url, groups: [group] }, joinLimit: 0, concurrency: 1, timeoutMs: 20_000 }, 'ready', 30_000);
      if (ready.connected !== 1) throw new Error(`sender did not connect: ${ready.errors.join('; ')}`);
      const half = FANOUT_SUBSCRIBERS / 2;
      const subs = (k: number): ClientSpec[] =>
        Array.from({ length: half }, (_, i) => ({ url: servers[k % servers.length].url, user: `sub-${k}-${i}`, group, count: true }));
      const readies = await Promise.all(
        [a, b].map((g, k) => g.request({ cmd: 'setup', protocol, clients: subs(k), create: null, joinLimit: 0, concurrency: 50, timeoutMs: 30_000 }, 'ready', 40_000)),
      );
      const connected = readies.reduce((s, x) => s + x.connected, 0);
      if (connected !== FANOUT_SUBSCRIBERS) throw new Error(`only ${connected} subscribers connected: ${readies.flatMap((x) => x.errors).join('; ')}`);
      await sleep(300);
      const r = await throughputRun({ scenario: 'fanout', system, round, servers, redis: system === 'ws' ? null : redis, receivers: [a, b], senders: [sender], window: FANOUT_WINDOW, expectedPer: FANOUT_SUBSCRIBERS, extra: { subscribers: FANOUT_SUBSCRIBERS } });
      // Latency at equal load: the same paced message rate for every system.
      if (system !== 'ws') {
        await sleep(300);
        await throughputRun({ scenario: 'fanout-paced', system, round, servers, redis, receivers: [a, b], senders: [sender], window: FANOUT_WINDOW, expectedPer: FANOUT_SUBSCRIBERS, ratePerSender: FANOUT_PACED_RATE, extra: { subscribers: FANOUT_SUBSCRIBERS } });
      }
      return r;
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/**
 * `edits`: the groups-edits variant (Next Chat only: the Socket.IO peer has
 * no edit): every GROUPS_EDIT_EVERY-th operation of a sender is a
 * message.edit of one of its own recent messages, whose message.updated
 * reaches every member as a message does and counts as a delivery.
 */
async function groups(system: System, round: number, redis: Service, admin: Redis, edits = false): Promise<Record<string, unknown>> {
  await flush(admin);
  const scenario = edits ? 'groups-edits' : 'groups';
  const servers = await startSystem(system, redis, 2, `${scenario}-${round}`);
  log(`${scenario}: ${system} round ${round} (${GROUPS} groups x ${GROUP_MEMBERS} members over 2 servers, everyone sending, window 1${edits ? `, every ${GROUPS_EDIT_EVERY}th operation a message.edit` : ''})`);
  try {
    return await withGens(['members-a', 'members-b'], async (gens) => {
      const protocol = protocolOf(system);
      const names = Array.from({ length: GROUPS }, (_, g) => `g-${g}`);
      const specs = (k: number): ClientSpec[] => {
        const out: ClientSpec[] = [];
        for (let g = 0; g < GROUPS; g++) for (let m = k; m < GROUP_MEMBERS; m += 2) out.push({ url: servers[k].url, user: `m-${g}-${m}`, group: names[g], count: true });
        return out;
      };
      // The groups exist before anyone joins them.
      const first = await gens[0].request({ cmd: 'setup', protocol, clients: specs(0), create: { url: servers[0].url, groups: names }, joinLimit: 0, concurrency: 50, timeoutMs: 30_000 }, 'ready', 40_000);
      const second = await gens[1].request({ cmd: 'setup', protocol, clients: specs(1), create: null, joinLimit: 0, concurrency: 50, timeoutMs: 30_000 }, 'ready', 40_000);
      const connected = first.connected + second.connected;
      if (connected !== GROUPS * GROUP_MEMBERS) throw new Error(`only ${connected} members connected: ${[...first.errors, ...second.errors].join('; ')}`);
      await sleep(300);
      return throughputRun({
        scenario,
        system,
        round,
        servers,
        redis,
        receivers: gens,
        senders: gens,
        window: 1,
        expectedPer: GROUP_MEMBERS,
        editEvery: edits ? GROUPS_EDIT_EVERY : undefined,
        extra: { groups: GROUPS, members: GROUP_MEMBERS, ...(edits ? { editEvery: GROUPS_EDIT_EVERY } : {}) },
      });
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** V8 heap figures of a hub from its /metrics (prom-client default metrics), MiB. */
async function hubHeap(hub: ServerProc): Promise<{ after: { used: number; total: number; external: number } }> {
  const body = await fetch(`http://127.0.0.1:${hub.port}/metrics`).then((r) => r.text(), () => '');
  const num = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(body)?.[1] ?? NaN);
  return { after: { used: mib(num('nodejs_heap_size_used_bytes')), total: mib(num('nodejs_heap_size_total_bytes')), external: mib(num('nodejs_external_memory_bytes')) } };
}

async function connections(redis: Service, admin: Redis): Promise<Record<string, unknown>> {
  await flush(admin);
  const [hub] = await startSystem('next-chat', redis, 1, 'connections');
  log(`connections: ${IDLE_CONNECTIONS} idle connections on one hub, joined to ${IDLE_GROUPS} groups`);
  try {
    const names = Array.from({ length: IDLE_GROUPS }, (_, g) => `idle-${g}`);
    await sleep(500);
    const rssAtStart = rss(hub.pid);
    // Warm-up: one-time costs (JIT-compiled code, the young generation
    // growing to its working size, pools) are not per-connection memory; a
    // first wave of connections that joins and leaves again pays for them
    // before the baseline is taken.
    await withGens(['warmup'], async ([warm]) => {
      const specs: ClientSpec[] = Array.from({ length: 2000 }, (_, i) => ({ url: hub.url, user: `warm-${i}`, group: `warm-${i % IDLE_GROUPS}`, count: true }));
      const w = await warm.request({ cmd: 'setup', protocol: 'jsonrpc', clients: specs, create: { url: hub.url, groups: specs.slice(0, IDLE_GROUPS).map((c) => c.group) }, joinLimit: 0, concurrency: 100, timeoutMs: 60_000 }, 'ready', 70_000);
      if (w.connected !== specs.length) throw new Error(`warm-up: ${w.errors.join('; ')}`);
    });
    return await withGens(['idle'], async ([gen]) => {
      await sleep(1500);
      const heapBefore = (await hubHeap(hub)).after;
      const rssBefore = rss(hub.pid);
      const meter = cpuMeter([hub]);
      const clients: ClientSpec[] = Array.from({ length: IDLE_CONNECTIONS }, (_, i) => ({ url: hub.url, user: `idle-${i}`, group: names[i % IDLE_GROUPS], count: true }));
      const t0 = Date.now();
      const ready = await gen.request({ cmd: 'setup', protocol: 'jsonrpc', clients, create: { url: hub.url, groups: names }, joinLimit: 0, concurrency: 100, timeoutMs: 120_000 }, 'ready', 150_000);
      const setupMs = Date.now() - t0;
      // Let the hub settle (idle timers, lazy frees) before reading its RSS.
      await sleep(2000);
      const rssAfter = rss(hub.pid);
      const heap = await hubHeap(hub);
      const join = Histogram.from([ready.join ]).summary();
      const connect = Histogram.from([ready.connect ]).summary();
      const r = {
        scenario: 'connections',
        system: 'next-chat',
        round: 1,
        connections: ready.connected,
        failed: ready.failed,
        groups: IDLE_GROUPS,
        setupSeconds: r3(setupMs / 1000),
        rssBeforeMiB: mib(rssBefore),
        rssAfterMiB: mib(rssAfter),
        rssPerConnectionKiB: r3((rssAfter - rssBefore) / Math.max(1, ready.connected) / 1024),
        rssAtStartMiB: mib(rssAtStart),
        rssPerConnectionFromStartKiB: r3((rssAfter - rssAtStart) / Math.max(1, ready.connected) / 1024),
        heapUsedPerConnectionKiB: r3(((heap.after.used - heapBefore.used) * 1024) / Math.max(1, ready.connected)),
        heapMiB: { before: heapBefore, after: heap.after },
        joinLatencyMs: join,
        connectLatencyMs: connect,
        servers: meter(),
        errors: ready.errors,
      };
      emit(r);
      return r;
    });
  } finally {
    await hub.stop();
  }
}

async function bulkInsert(db: mysql.Pool, base: number): Promise<number> {
  const t0 = Date.now();
  const per = HISTORY_ROWS / HISTORY_GROUPS;
  const chunk = 5000;
  const text = `${'lorem ipsum dolor sit amet '.repeat(4)}`.slice(0, TEXT_BYTES);
  const jobs: { g: number; from: number }[] = [];
  for (let g = 0; g < HISTORY_GROUPS; g++) for (let from = 0; from < per; from += chunk) jobs.push({ g, from });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { g, from } = jobs[next++];
      const values: string[] = [];
      for (let j = from; j < Math.min(per, from + chunk); j++) {
        const ms = base + j;
        const sentAt = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
        values.push(`('hist-${g}',${ms},0,'author-${j % 50}','${text}','${sentAt}',NULL)`);
      }
      await db.query(`INSERT INTO messages (group_id, ms, seq, author_id, text, sent_at, client_message_id) VALUES ${values.join(',')}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return Date.now() - t0;
}

async function history(redis: Service, admin: Redis): Promise<Record<string, unknown>[]> {
  await flush(admin);
  log('history: starting MariaDB');
  const maria = await startMariaDb();
  const out: Record<string, unknown>[] = [];
  try {
    const mysqlUrl = `${maria.url}/nextchat`;
    const cfg = spawnSync(process.execPath, [CONFIGURATOR_BIN], { env: { PATH: process.env.PATH ?? '', NEXT_CHAT_MYSQL_URL: mysqlUrl }, encoding: 'utf8', timeout: 120_000 });
    if (cfg.status !== 0) throw new Error(`configurator failed (${cfg.status}): ${cfg.stderr}`);
    const db = mysql.createPool({ host: '127.0.0.1', port: maria.port, user: 'root', database: 'nextchat', connectionLimit: 4 });
    try {
      const base = Date.now() - 10 * 24 * 3600 * 1000;
      log(`history: inserting ${HISTORY_ROWS.toLocaleString('en-US')} rows (${HISTORY_GROUPS} groups)`);
      const insertMs = await bulkInsert(db, base);
      log(`history: ${HISTORY_ROWS.toLocaleString('en-US')} rows in ${(insertMs / 1000).toFixed(1)} s`);

      const [hub] = await Promise.all([
        startHubProc('hub-1', { NEXT_CHAT_REDIS_URL: redis.url, NEXT_CHAT_MYSQL_URL: mysqlUrl }, CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, '--cpu-prof-name=history-hub-1.cpuprofile'] : []),
      ]);
      try {
        // 1. History writer: the history stream filled as fast as Redis takes it; time until all of it is in MySQL.
        await sleep(500);
        log(`history: writer, ${WRITER_MESSAGES.toLocaleString('en-US')} messages through the history stream into MySQL`);
        const meter = cpuMeter([hub, { name: 'redis', pid: redis.pid }, { name: 'mariadb', pid: maria.pid }]);
        const key = 'next-chat:history';
        const t0 = Date.now();
        const text = 'w'.repeat(TEXT_BYTES);
        const wbase = Date.now();
        for (let from = 0; from < WRITER_MESSAGES; from += 5000) {
          const p = admin.pipeline();
          for (let i = from; i < Math.min(WRITER_MESSAGES, from + 5000); i++) {
            const g = `w-${i % 100}`;
            p.xadd(key, '*', 'g', g, 'i', `${wbase + Math.floor(i / 100)}-${i % 100}`, 'a', `author-${i % 50}`, 't', text, 's', new Date(wbase).toISOString(), 'c', '');
          }
          await p.exec();
        }
        const filledMs = Date.now() - t0;
        let left = -1;
        for (let i = 0; i < 1200 && Date.now() - t0 < 120_000; i++) {
          left = Number(await admin.xlen(key));
          if (left === 0) break;
          await sleep(50);
        }
        const writerMs = Date.now() - t0;
        const [[row]] = (await db.query("SELECT COUNT(*) AS n FROM messages WHERE group_id LIKE 'w-%'")) as unknown as [{ n: number }[]];
        const written = Number(row.n);
        const w = {
          scenario: 'history-writer',
          system: 'next-chat',
          round: 1,
          messages: WRITER_MESSAGES,
          written,
          lost: WRITER_MESSAGES - written,
          streamFilledSeconds: r3(filledMs / 1000),
          seconds: r3(writerMs / 1000),
          messagesPerSec: Math.round(written / (writerMs / 1000)),
          batchSize: 500,
          tableRows: HISTORY_ROWS + written,
          servers: meter(),
        };
        emit(w);
        out.push(w);

        // 2. History pages at 1M rows, and 3. joins that read history.
        await withGens(['readers', 'joiners'], async ([readers, joiners]) => {
          const names = Array.from({ length: HISTORY_GROUPS }, (_, g) => `hist-${g}`);
          // The state of a group in production: a recent tail in its Redis
          // stream (older entries trimmed once in MySQL), the rest in MySQL.
          const tail = 'recent message, still in the group stream'.padEnd(TEXT_BYTES, '.');
          for (const g of names) {
            const key = `next-chat:{${g}}:stream`;
            const at = new Date().toISOString();
            const first = String(await admin.xadd(key, '*', 'a', 'author-0', 't', tail, 's', at, 'c', ''));
            await admin.xadd(key, '*', 'a', 'author-1', 't', tail, 's', at, 'c', '');
            const [ms, seq] = first.split('-');
            await db.query('INSERT INTO messages (group_id, ms, seq, author_id, text, sent_at, client_message_id) VALUES (?, ?, ?, ?, ?, ?, NULL)', [g, ms, seq, 'author-0', tail, at.replace('T', ' ').replace('Z', '')]);
            await admin.xdel(key, first);
          }
          const readerSpecs: ClientSpec[] = Array.from({ length: HISTORY_GROUPS }, (_, i) => ({ url: hub.url, user: `reader-${i}`, group: names[i], count: false }));
          const rr = await readers.request({ cmd: 'setup', protocol: 'jsonrpc', clients: readerSpecs, create: { url: hub.url, groups: names }, joinLimit: 0, concurrency: 10, timeoutMs: 30_000 }, 'ready', 40_000);
          if (rr.connected !== HISTORY_GROUPS) throw new Error(`readers: ${rr.errors.join('; ')}`);
          const ranges: Record<string, [number, number]> = {};
          for (const n of names) ranges[n] = [base, base + HISTORY_ROWS / HISTORY_GROUPS];
          // Warm-up (JIT, connection pool, buffer pool), not measured.
          await readers.request({ cmd: 'history', durationMs: 1000, concurrency: 4, limit: 50, maxRequests: 100_000, ranges }, 'history', 30_000);
          for (const concurrency of [1, 4]) {
            log(`history: message.history pages, ${concurrency} concurrent reader(s)`);
            const m2 = cpuMeter([hub, { name: 'mariadb', pid: maria.pid }]);
            const h = await readers.request({ cmd: 'history', durationMs: DURATION_MS, concurrency, limit: 50, maxRequests: 1_000_000, ranges }, 'history', DURATION_MS + 30_000);
            const r = {
              scenario: 'history-page',
              system: 'next-chat',
              round: 1,
              tableRows: HISTORY_ROWS + written,
              limit: 50,
              concurrency,
              pages: h.pages,
              errors: h.errors,
              pagesPerSec: Math.round(h.pages / (DURATION_MS / 1000)),
              rowsPerPage: r3(h.rows / Math.max(1, h.pages)),
              latencyMs: Histogram.from([h.latency ]).summary(),
              servers: m2(),
            };
            emit(r);
            out.push(r);
          }

          log('history: joins that read history (limit 50) from MySQL');
          const m3 = cpuMeter([hub, { name: 'mariadb', pid: maria.pid }]);
          const joinSpecs: ClientSpec[] = Array.from({ length: 1000 }, (_, i) => ({ url: hub.url, user: `joiner-${i}`, group: names[i % HISTORY_GROUPS], count: false }));
          const jr = await joiners.request({ cmd: 'setup', protocol: 'jsonrpc', clients: joinSpecs, create: null, joinLimit: 50, concurrency: 4, timeoutMs: 60_000 }, 'ready', 70_000);
          const j = {
            scenario: 'join',
            system: 'next-chat',
            round: 1,
            joins: jr.connected,
            failed: jr.failed,
            historyLimit: 50,
            concurrency: 4,
            tableRows: HISTORY_ROWS + written,
            joinLatencyMs: Histogram.from([jr.join ]).summary(),
            servers: m3(),
            errors: jr.errors,
          };
          emit(j);
          out.push(j);
        });
      } finally {
        await hub.stop();
      }
    } finally {
      await db.end();
    }
  } finally {
    await maria.stop();
  }
  return out;
}

/**
 * A system's best round by deliveries/s. Rounds that lost messages only
 * count when every round of the system lost some: throughput bought by
 * dropping messages is not throughput.
 */
function best(rs: Record<string, unknown>[], system: string): Record<string, unknown> | undefined {
  const mine = rs.filter((r) => r.system === system);
  const clean = mine.filter((r) => r.lost === 0);
  return (clean.length > 0 ? clean : mine).sort((a, b) => (b.deliveriesPerSec as number) - (a.deliveriesPerSec as number))[0];
}

interface CpuFigures {
  hubsCpuSeconds: number;
  redisCpuSeconds: number;
  cpuSecondsHubsRedis: number;
  sent: number;
  received: number;
  cpuUsPerPublish: number;
  cpuUsPerDelivery: number;
  deliveriesPerCpuSecond: number;
}

const CPU_KEYS = ['hubsCpuSeconds', 'redisCpuSeconds', 'cpuSecondsHubsRedis', 'sent', 'received', 'cpuUsPerPublish', 'cpuUsPerDelivery', 'deliveriesPerCpuSecond'] as const;

function cpuFigures(r: Record<string, unknown>): CpuFigures {
  const out = {} as CpuFigures;
  for (const k of CPU_KEYS) out[k] = typeof r[k] === 'number' ? (r[k] as number) : NaN;
  return out;
}

/**
 * CPU per message, hubs + Redis: per scenario and system, every round and
 * the median of each figure over the rounds (all rounds: a lost message is
 * simply not a delivery, so losing messages does not make a system look
 * cheaper per delivery); the Next Chat / Socket.IO ratio of deliveries per
 * CPU-second from the medians, and per round (round k of one against round
 * k of the other).
 */
function cpuPerMessage(): { rows: (string | number)[][]; data: Record<string, unknown>; ratio: (scenario: string) => number } {
  const rows: (string | number)[][] = [];
  const data: Record<string, Record<string, unknown>> = {};
  const ratios: Record<string, number> = {};
  for (const scenario of ['fanout', 'fanout-paced', 'groups', 'groups-edits']) {
    const rs = results.filter((r) => r.scenario === scenario);
    if (rs.length === 0) continue;
    const per: Record<string, unknown> = {};
    const medians: Record<string, CpuFigures> = {};
    for (const system of ['next-chat', 'socket.io', 'ws']) {
      const mine = rs.filter((r) => r.system === system);
      if (mine.length === 0) continue;
      const rounds = mine.map((r) => ({ round: r.round as number, ...cpuFigures(r) }));
      const med = {} as CpuFigures;
      for (const k of CPU_KEYS) med[k] = r3(median(rounds.map((x) => x[k])));
      medians[system] = med;
      per[system] = { rounds, median: med };
      const row = (label: string, f: CpuFigures) => [label, f.hubsCpuSeconds, f.redisCpuSeconds, f.cpuSecondsHubsRedis, f.sent, f.received, f.cpuUsPerPublish, f.cpuUsPerDelivery, f.deliveriesPerCpuSecond];
      for (const x of rounds) rows.push(row(`${scenario} ${system} #${x.round}`, x));
      if (rounds.length > 1) rows.push(row(`${scenario} ${system} median`, med));
    }
    if (medians['next-chat'] && medians['socket.io']) {
      const ratio = medians['next-chat'].deliveriesPerCpuSecond / medians['socket.io'].deliveriesPerCpuSecond;
      const perRound = rs
        .filter((r) => r.system === 'next-chat')
        .map((n) => {
          const s = rs.find((r) => r.system === 'socket.io' && r.round === n.round);
          return s ? { round: n.round, ratio: r3((n.deliveriesPerCpuSecond as number) / (s.deliveriesPerCpuSecond as number)) } : null;
        })
        .filter((x) => x !== null);
      ratios[scenario] = ratio;
      per.ratioNextChatToSocketIo = { deliveriesPerCpuSecond: r3(ratio), cpuUsPerPublish: r3(medians['socket.io'].cpuUsPerPublish / medians['next-chat'].cpuUsPerPublish), perRound };
      const less = (k: 'cpuUsPerPublish' | 'cpuUsPerDelivery') => `${(medians['socket.io'][k] / medians['next-chat'][k]).toFixed(2)}x less`;
      rows.push([`${scenario} next-chat vs socket.io`, '', '', '', '', '', less('cpuUsPerPublish'), less('cpuUsPerDelivery'), `${ratio.toFixed(2)}x (rounds ${perRound.map((x) => `${x.ratio.toFixed(2)}x`).join(', ')})`]);
    }
    data[scenario] = per;
  }
  return { rows, data, ratio: (scenario) => ratios[scenario] ?? NaN };
}

/**
 * groups-edits against plain groups, Next Chat, in the same run: each round
 * (round k of one against round k of the other), the medians over the
 * rounds, and their ratio, edits / plain (> 1x: more deliveries/s, more
 * CPU or latency with edits).
 */
function editsVsPlain(): { rows: (string | number)[][]; data: Record<string, unknown> } {
  const plain = results.filter((r) => r.scenario === 'groups' && r.system === 'next-chat');
  const withEdits = results.filter((r) => r.scenario === 'groups-edits');
  if (plain.length === 0 || withEdits.length === 0) return { rows: [], data: {} };
  const figures = (r: Record<string, unknown>) => ({
    deliveriesPerSec: r.deliveriesPerSec as number,
    p50: (r.latencyMs as { p50: number }).p50,
    p99: (r.latencyMs as { p99: number }).p99,
    serverCpuUsPerDelivery: r.serverCpuUsPerDelivery as number,
    cpuUsPerDelivery: r.cpuUsPerDelivery as number,
    edits: typeof r.edits === 'number' ? r.edits : 0,
    lost: r.lost as number,
  });
  type F = ReturnType<typeof figures>;
  const keys = ['deliveriesPerSec', 'p50', 'p99', 'serverCpuUsPerDelivery', 'cpuUsPerDelivery', 'edits', 'lost'] as const;
  const med = (rs: Record<string, unknown>[]) => {
    const fs = rs.map(figures);
    const out = {} as F;
    for (const k of keys) out[k] = r3(median(fs.map((f) => f[k])));
    return out;
  };
  const row = (label: string, f: F) => [label, f.deliveriesPerSec, f.p50, f.p99, f.serverCpuUsPerDelivery, f.cpuUsPerDelivery, f.edits, f.lost];
  const ratioRow = (label: string, e: F, p: F) => [label, `${(e.deliveriesPerSec / p.deliveriesPerSec).toFixed(2)}x`, `${(e.p50 / p.p50).toFixed(2)}x`, `${(e.p99 / p.p99).toFixed(2)}x`, `${(e.serverCpuUsPerDelivery / p.serverCpuUsPerDelivery).toFixed(2)}x`, `${(e.cpuUsPerDelivery / p.cpuUsPerDelivery).toFixed(2)}x`, '', ''];
  const rows: (string | number)[][] = [];
  const perRound: Record<string, unknown>[] = [];
  for (const e of withEdits) {
    const p = plain.find((x) => x.round === e.round);
    rows.push(row(`groups next-chat #${e.round as number}`, p ? figures(p) : ({} as F)));
    rows.push(row(`groups-edits next-chat #${e.round as number}`, figures(e)));
    if (p) {
      rows.push(ratioRow(`  edits / plain #${e.round as number}`, figures(e), figures(p)));
      perRound.push({ round: e.round, deliveriesPerSec: r3(figures(e).deliveriesPerSec / figures(p).deliveriesPerSec), cpuUsPerDelivery: r3(figures(e).cpuUsPerDelivery / figures(p).cpuUsPerDelivery) });
    }
  }
  const mp = med(plain);
  const me = med(withEdits);
  if (withEdits.length > 1) {
    rows.push(row('groups next-chat median', mp));
    rows.push(row('groups-edits next-chat median', me));
    rows.push(ratioRow('  edits / plain, medians', me, mp));
  }
  const ratio = (k: (typeof keys)[number]) => r3(me[k] / mp[k]);
  return {
    rows,
    data: {
      editEvery: GROUPS_EDIT_EVERY,
      plainMedian: mp,
      editsMedian: me,
      ratioOfMedians: { deliveriesPerSec: ratio('deliveriesPerSec'), p50: ratio('p50'), p99: ratio('p99'), serverCpuUsPerDelivery: ratio('serverCpuUsPerDelivery'), cpuUsPerDelivery: ratio('cpuUsPerDelivery') },
      perRound,
    },
  };
}

function summary(): void {
  const lines: string[] = [];
  const rows: (string | number)[][] = [];
  const tp = results.filter((r) => r.scenario === 'fanout' || r.scenario === 'fanout-paced' || r.scenario === 'groups' || r.scenario === 'groups-edits');
  for (const r of tp) {
    const l = r.latencyMs as { p50: number; p99: number; max: number };
    const servers = r.servers as ServerStat[];
    const hubs = servers.filter((s) => s.name !== 'redis');
    rows.push([
      `${r.scenario} ${r.system} #${r.round}`,
      r.deliveriesPerSec as number,
      l.p50,
      l.p99,
      l.max,
      r.lost as number,
      r.serverCpuUsPerDelivery as number,
      hubs.map((s) => s.cpuSeconds.toFixed(1)).join('/'),
      hubs.map((s) => s.peakRssMiB.toFixed(0)).join('/'),
      servers.find((s) => s.name === 'redis')?.cpuSeconds.toFixed(1) ?? '-',
      (r.loadgenCpuSeconds as number).toFixed(1),
      (r.otherCpuSeconds as number).toFixed(1),
    ]);
  }
  if (rows.length) lines.push(table(['run', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'server cpu µs/delivery', 'cpu s/server', 'peak RSS MiB', 'redis cpu s', 'loadgen cpu s', 'other cpu s'], rows));
  const cpu = cpuPerMessage();
  if (cpu.rows.length) {
    lines.push('', 'CPU per message, hubs + Redis (server processes + redis-server over the send phase and drain; ws: its one process, no Redis):');
    lines.push(table(['run', 'hubs cpu s', 'redis cpu s', 'hubs+redis cpu s', 'published', 'deliveries', 'cpu µs/publish', 'cpu µs/delivery', 'deliveries/cpu-s'], cpu.rows));
  }

  const edits = editsVsPlain();
  if (edits.rows.length) {
    lines.push('', `groups with ${100 / GROUPS_EDIT_EVERY} % edits against plain groups, Next Chat, same run (edits / plain; message.updated counted as deliveries):`);
    lines.push(table(['run', 'deliveries/s', 'p50 ms', 'p99 ms', 'server cpu µs/delivery', 'hubs+redis cpu µs/delivery', 'edits', 'lost'], edits.rows));
  }

  const other: (string | number)[][] = [];
  for (const r of results) {
    if (r.scenario === 'connections') {
      const j = r.joinLatencyMs as { p50: number; p99: number; max: number };
      other.push(['connections', `${r.connections} conns, ${r.rssPerConnectionKiB} KiB RSS each (${r.rssBeforeMiB} -> ${r.rssAfterMiB} MiB; ${r.rssPerConnectionFromStartKiB} KiB from a cold start); join p50 ${j.p50} / p99 ${j.p99} / max ${j.max} ms`]);
    } else if (r.scenario === 'connections-100k') {
      other.push(connections100kRow(r));
    } else if (r.scenario === 'history-writer') {
      other.push(['history writer', `${(r.messagesPerSec as number).toLocaleString('en-US')} msg/s into MySQL (${r.written}/${r.messages} in ${r.seconds} s, lost ${r.lost})`]);
    } else if (r.scenario === 'history-page') {
      const l = r.latencyMs as { p50: number; p99: number; max: number };
      other.push([`history page x${r.concurrency}`, `p50 ${l.p50} / p99 ${l.p99} / max ${l.max} ms, ${r.pagesPerSec} pages/s at ${(r.tableRows as number).toLocaleString('en-US')} rows`]);
    } else if (r.scenario === 'join') {
      const j = r.joinLatencyMs as { p50: number; p99: number; max: number };
      other.push(['join with history', `p50 ${j.p50} / p99 ${j.p99} / max ${j.max} ms (${r.joins} joins, limit 50, from MySQL)`]);
    }
  }
  if (other.length) lines.push('', table(['scenario', 'result'], other));
  const convLines = conversationsTable(results);
  if (convLines) lines.push('', convLines);
  const abuseLines = abuseTable(results);
  if (abuseLines) lines.push('', abuseLines);
  const moderationLines = moderationTable(results);
  if (moderationLines) lines.push('', moderationLines);
  const waitLines = waitTable(results);
  if (waitLines) lines.push('', waitLines);

  // Targets.
  const targets: (string | number)[][] = [];
  const verdicts: Record<string, unknown> = {};
  const fan = results.filter((r) => r.scenario === 'fanout');
  const nc = best(fan, 'next-chat');
  const sio = best(fan, 'socket.io');
  const ws = best(fan, 'ws');
  const p99 = (r: Record<string, unknown> | undefined) => (r ? (r.latencyMs as { p99: number }).p99 : NaN);
  /** A system's lowest p99 over its loss-free rounds (the least disturbed one). */
  const bestP99 = (rs: Record<string, unknown>[], system: string) => {
    const mine = rs.filter((r) => r.system === system);
    const clean = mine.filter((r) => r.lost === 0);
    return Math.min(...(clean.length > 0 ? clean : mine).map((r) => p99(r)));
  };
  const dps = (r: Record<string, unknown> | undefined) => (r ? (r.deliveriesPerSec as number) : NaN);
  const check = (name: string, value: number, target: string, ok: boolean) => {
    targets.push([name, r3(value), target, Number.isFinite(value) ? (ok ? 'MET' : 'MISSED') : 'n/a']);
    verdicts[name] = { value: r3(value), target, met: Number.isFinite(value) && ok };
  };
  if (nc && sio) check('fanout deliveries/s vs socket.io', dps(nc) / dps(sio), '>= 2x', dps(nc) / dps(sio) >= 2);
  if (nc && sio) {
    const ratio = cpu.ratio('fanout');
    check('fanout deliveries per cpu-s (hubs + redis) vs socket.io, medians', ratio, '>= 3x', ratio >= 3);
  }
  if (nc && ws) check('fanout deliveries/s vs raw ws', dps(nc) / dps(ws), '>= 0.5x', dps(nc) / dps(ws) >= 0.5);
  if (nc && sio) {
    const ratio = bestP99(fan, 'next-chat') / bestP99(fan, 'socket.io');
    check('fanout p99 vs socket.io, saturated', ratio, '<= 0.5x', ratio <= 0.5);
  }
  const paced = results.filter((r) => r.scenario === 'fanout-paced');
  if (paced.some((r) => r.system === 'next-chat') && paced.some((r) => r.system === 'socket.io')) {
    const ratio = bestP99(paced, 'next-chat') / bestP99(paced, 'socket.io');
    check(`fanout p99 vs socket.io, ${FANOUT_PACED_RATE} msg/s each`, ratio, '<= 0.5x', ratio <= 0.5);
  }
  const grp = results.filter((r) => r.scenario === 'groups');
  const gnc = best(grp, 'next-chat');
  const gsio = best(grp, 'socket.io');
  if (gnc && gsio) {
    check('groups deliveries/s vs socket.io', dps(gnc) / dps(gsio), '>= 2x', dps(gnc) / dps(gsio) >= 2);
    const cpuRatio = cpu.ratio('groups');
    check('groups deliveries per cpu-s (hubs + redis) vs socket.io, medians', cpuRatio, '>= 2.5x', cpuRatio >= 2.5);
    const ratio = bestP99(grp, 'next-chat') / bestP99(grp, 'socket.io');
    check('groups p99 vs socket.io', ratio, '<= 0.5x', ratio <= 0.5);
  }
  const conn = results.find((r) => r.scenario === 'connections');
  if (conn) check('KiB RSS per idle connection', conn.rssPerConnectionKiB as number, '<= 10', (conn.rssPerConnectionKiB as number) <= 10);
  const big = results.find((r) => r.scenario === 'connections-100k');
  if (big) check(`KiB RSS per idle connection at ${big.connections as number}`, big.rssPerConnectionKiB as number, '<= 8', (big.rssPerConnectionKiB as number) <= 8);
  const writer = results.find((r) => r.scenario === 'history-writer');
  if (writer) check('history writer msg/s', writer.messagesPerSec as number, '>= 20000', (writer.messagesPerSec as number) >= 20_000);
  const page = results.find((r) => r.scenario === 'history-page' && r.concurrency === 1);
  if (page) check('history page p99 ms (1M rows)', p99(page), '< 10', p99(page) < 10);
  const lost = results.filter((r) => r.system === 'next-chat').reduce((a, r) => a + (typeof r.lost === 'number' ? r.lost : 0), 0);
  check('next-chat messages lost (all runs)', lost, '0', lost === 0);
  const sioLost = results.filter((r) => r.system === 'socket.io').reduce((a, r) => a + (typeof r.lost === 'number' ? r.lost : 0), 0);
  verdicts['socket.io messages lost (all runs, for information)'] = sioLost;
  if (targets.length) lines.push('', table(['target', 'value', 'wanted', ''], targets));
  if (results.some((r) => r.system === 'socket.io')) lines.push(`(socket.io + redis streams lost ${sioLost} messages over all its runs; deliveries/s ratios use each system's best loss-free round, p99 ratios its lowest loss-free p99, deliveries per cpu-s ratios the medians over all rounds)`);
  emit({ scenario: 'summary', targets: verdicts, cpuPerMessage: cpu.data, ...(edits.rows.length ? { groupsEditsVsPlain: edits.data } : {}), machine: machine(), totalSeconds: r3((Date.now() - startedAt) / 1000) });
  process.stderr.write(`\n${lines.join('\n')}\n\nmachine: ${JSON.stringify(machine())}\nbench took ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
}

function machine(): Record<string, unknown> {
  return { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() };
}

async function main(): Promise<void> {
  log(`scenarios ${SCENARIOS.join(', ')}; ${ROUNDS} round(s) of ${DURATION_MS} ms; machine ${JSON.stringify(machine())}`);
  if (SCENARIOS.includes('connections')) {
    // 10,000 sockets in one load process and 10,000 in one hub.
    const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
    if (Number.isFinite(limit) && limit < IDLE_CONNECTIONS + 1000) {
      log(`warning: open file limit is ${limit}; the connections scenario needs ${IDLE_CONNECTIONS + 1000} (raise it with ulimit -n)`);
    }
  }
  // Before anything starts: a limit too low for 100,000 connections is said plainly, not met as EMFILE halfway.
  if (SCENARIOS.includes('connections-100k')) ensureNofile(idleTarget() + 1000, idleTarget());
  const redis = await startRedis();
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate who goes first so neither side always gets the warmer machine.
      const order: System[] = round % 2 === 1 ? ['next-chat', 'socket.io', 'ws'] : ['socket.io', 'next-chat', 'ws'];
      if (SCENARIOS.includes('fanout')) for (const s of order) await fanout(s, round, redis, admin);
      // groups-edits runs next to Next Chat's plain groups run of the same round (plain first in odd rounds, edits first in even ones).
      const plainGroups = SCENARIOS.includes('groups');
      const editGroups = SCENARIOS.includes('groups-edits');
      for (const s of order) {
        if (s === 'ws' || !(plainGroups || editGroups)) continue;
        if (s !== 'next-chat') {
          if (plainGroups) await groups(s, round, redis, admin);
          continue;
        }
        if (editGroups && round % 2 === 0) await groups(s, round, redis, admin, true);
        await groups(s, round, redis, admin);
        if (editGroups && round % 2 === 1) await groups(s, round, redis, admin, true);
      }
    }
    if (SCENARIOS.includes('connections')) await connections(redis, admin);
    if (SCENARIOS.includes('connections-100k')) await connections100k({ redis, admin, log, emit, cpuProf: CPU_PROF });
    if (SCENARIOS.includes('history')) await history(redis, admin);
    if (SCENARIOS.includes('conversations')) {
      await flush(admin);
      await conversations({ redis, log, emit, cpuProf: CPU_PROF });
    }
    if (SCENARIOS.includes('abuse')) {
      await flush(admin);
      await abuse({ redis, log, emit, cpuProf: CPU_PROF });
    }
    if (SCENARIOS.includes('moderation')) await moderation({ log, emit });
    if (SCENARIOS.includes('wait')) await waitScenario({ log, emit });
  } finally {
    admin.disconnect();
    await redis.stop();
  }
  summary();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (results.length) summary();
    process.exit(1);
  },
);
