/**
 * connections-100k: the connections scenario at 100,000 idle authenticated
 * connections on one hub (Redis engine), issue 17. BENCH_IDLE_CONNECTIONS
 * (default 100000) sets the count, rounded down to whole groups of 100.
 *
 * 1. Cold RSS, a warm-up wave of 2,000 that joins and leaves (as in the 10k
 *    scenario), baseline RSS and heap.
 * 2. N connections, distinct users (trust auth: the Authorization header is
 *    the user id), each joining one of N/100 groups of 100, from several
 *    load-generator processes, each binding its sockets to its own source
 *    address 127.0.0.x: ephemeral ports are per source address (~28k in
 *    ip_local_port_range here), so one address cannot carry 100,000
 *    connections to one hub port.
 *    RSS per connection (marginal and from cold), heap, connect/join
 *    latencies.
 * 3. Fan-out to one group of 100: one message to each of 20 groups.
 * 4. Fan-out to all N: every user is made a member of one group 'all'
 *    through the HTTP API while none of them has it open, then every
 *    connection joins it (already a member: no member.joined), and one
 *    sender sends a few messages, a few seconds apart. Why not join 'all'
 *    live: every join tells every connection already in the group
 *    (member.joined), N^2/2 frames, 5e9 at 100,000; the seeded users are
 *    members of a big room reconnecting, which is the realistic case anyway.
 *    Latency per receipt is receive time minus the send time carried in the
 *    text (process.hrtime, one monotonic clock for every process here),
 *    p50/p99/max over receivers, and per message the latency of its last
 *    receiver.
 *
 * Open files: the hub needs N + ~1,000 descriptors, each generator its share.
 * The limit is checked (and raised with prlimit when this process may) before
 * anything starts; when it cannot be met the scenario says so and stops.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Gen } from './gen.js';
import type { ClientSpec, Event } from './loadgen.js';
import { cpuSeconds, rss, startHubProc, type ServerProc } from './procs.js';
import { freePort, type Service } from './services.js';
import { Histogram, r3 } from './stats.js';

const GROUP_SIZE = 100;
const WARMUP = 2000;
/** Connections per load generator: well under both its open-file limit and the ephemeral ports of its one source address. */
const PER_GEN = 12_500;
/** Handshakes in flight at once over all generators. */
const CONCURRENCY = 400;
const SMALL_FANOUT_GROUPS = 20;
const ALL_FANOUT_MESSAGES = 5;
const TEXT_BYTES = 100;
const API_KEY = 'bench-connections-100k-key';
/** Descriptors the hub needs beside its connections (Redis, listeners, files, the warm-up's stragglers). */
const HUB_FD_MARGIN = 1000;

export function idleTarget(): number {
  const n = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 100_000);
  return Math.max(GROUP_SIZE, Math.floor((Number.isFinite(n) ? n : 100_000) / GROUP_SIZE) * GROUP_SIZE);
}

interface Ctx {
  redis: Service;
  admin: Redis;
  log: (line: string) => void;
  emit: (r: Record<string, unknown>) => void;
  cpuProf?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => r3(b / 1024 / 1024);

function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

/** Soft and hard open-file limits of a process, from /proc/<pid>/limits. */
export function nofileOf(pid: number | 'self'): { soft: number; hard: number } {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    const n = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
    return m ? { soft: n(m[1]), hard: n(m[2]) } : { soft: NaN, hard: NaN };
  } catch {
    return { soft: NaN, hard: NaN };
  }
}

function portRange(): number {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return hi - lo + 1;
  } catch {
    return 28_232;
  }
}

/**
 * Makes sure processes this one spawns may open `need` files: children
 * inherit the hard limit and Node raises its soft limit to the hard one at
 * start. Raises this process's limits with prlimit when they are lower (as
 * root with CAP_SYS_RESOURCE); throws a plain explanation when it cannot.
 */
export function ensureNofile(need: number, n: number): void {
  const before = nofileOf('self');
  if (before.hard >= need) return;
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${need}`], { encoding: 'utf8' });
  const after = nofileOf('self');
  if (after.hard >= need) return;
  const why = (r.error?.message ?? r.stderr ?? '').trim() || `exit ${r.status}`;
  const fit = Math.floor((before.hard - HUB_FD_MARGIN) / GROUP_SIZE) * GROUP_SIZE;
  throw new Error(
    `connections-100k: ${n} connections need ${need} open files in the hub, but the open-file limit here is ${before.soft} (hard ${before.hard}) and cannot be raised ` +
      `(prlimit --nofile=${need}:${need}: ${why}). Raise the hard limit for the bench (ulimit -Hn ${need} as root with CAP_SYS_RESOURCE, LimitNOFILE= in systemd, ` +
      `docker run --ulimit nofile=${need}:${need}; fs.nr_open and fs.file-max must allow it), or run with BENCH_IDLE_CONNECTIONS=${fit} or less.`,
  );
}

/** V8 heap figures of a hub from its /metrics, MiB. */
async function heapOf(hub: ServerProc): Promise<{ used: number; total: number; external: number }> {
  const body = await fetch(`http://127.0.0.1:${hub.port}/metrics`).then((r) => r.text(), () => '');
  const num = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(body)?.[1] ?? NaN);
  return {
    used: mib(num('nodejs_heap_size_used_bytes')),
    total: mib(num('nodejs_heap_size_total_bytes')),
    external: mib(num('nodejs_external_memory_bytes')),
  };
}

/**
 * A full garbage collection in the hub through its inspector
 * (HeapProfiler.collectGarbage): RSS and heap read right after one count
 * what the connections keep, not how far the collector happens to lag.
 * Resolves false when the inspector cannot be reached.
 */
async function collectGarbage(inspectPort: number): Promise<boolean> {
  try {
    const list = (await fetch(`http://127.0.0.1:${inspectPort}/json/list`).then((r) => r.json())) as { webSocketDebuggerUrl: string }[];
    const url = list[0]?.webSocketDebuggerUrl;
    if (!url) return false;
    return await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => (ws.terminate(), resolve(false)), 30_000);
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
      ws.on('message', (d) => {
        if ((JSON.parse(String(d)) as { id?: number }).id !== 1) return;
        clearTimeout(timer);
        ws.close();
        resolve(true);
      });
      ws.once('error', () => (clearTimeout(timer), resolve(false)));
    });
  } catch {
    return false;
  }
}

/** PUT /api/v1/groups/{g}/members/{u} for every user, `concurrency` at a time over keep-alive sockets. */
async function seedMembers(apiPort: number, groupId: string, users: string[], concurrency: number): Promise<{ ms: number; failed: number; errors: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const t0 = Date.now();
  const put = (user: string) =>
    new Promise<void>((resolve) => {
      const body = '{"role":"member"}';
      const req = http.request(
        {
          host: '127.0.0.1',
          port: apiPort,
          method: 'PUT',
          path: `/api/v1/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(user)}`,
          agent,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            if (res.statusCode !== 200 && res.statusCode !== 201) {
              failed++;
              if (errors.length < 5) errors.push(`${user}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
            }
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        failed++;
        if (errors.length < 5) errors.push(`${user}: ${e.message}`);
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < users.length) await put(users[next++]);
    }),
  );
  agent.destroy();
  return { ms: Date.now() - t0, failed, errors };
}

type Report = Extract<Event, { ev: 'report' }>;

/** Polls the receivers until `expected` receipts arrived or timeoutMs passed. */
async function collect(gens: Gen[], expected: number, timeoutMs: number): Promise<{ received: number; latency: Histogram; lastByMessage: Map<number, number>; closed: number }> {
  const deadline = Date.now() + timeoutMs;
  let reports: Report[] = [];
  for (;;) {
    reports = await Promise.all(gens.map((g) => g.request({ cmd: 'report' }, 'report', 30_000)));
    const received = reports.reduce((a, r) => a + r.received, 0);
    if (received >= expected || Date.now() > deadline) break;
    await sleep(250);
  }
  const last = new Map<number, number>();
  for (const r of reports) for (const [sent, us] of r.lastByMessage) last.set(sent, Math.max(last.get(sent) ?? 0, us));
  return {
    received: reports.reduce((a, r) => a + r.received, 0),
    latency: Histogram.from(reports.map((r) => r.latency)),
    lastByMessage: last,
    closed: reports.reduce((a, r) => a + r.closed, 0),
  };
}

function lastSummary(last: Map<number, number>): { perMessageMs: number[]; medianMs: number; maxMs: number } {
  const ms = [...last.entries()].sort((a, b) => a[0] - b[0]).map(([, us]) => r3(us / 1000));
  const sorted = [...ms].sort((a, b) => a - b);
  return { perMessageMs: ms, medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN, maxMs: sorted[sorted.length - 1] ?? NaN };
}

export async function connections100k(ctx: Ctx): Promise<Record<string, unknown>> {
  const { log, emit } = ctx;
  const n = idleTarget();
  const groupCount = n / GROUP_SIZE;
  const range = portRange();
  const perGen = Math.min(PER_GEN, range - 2000);
  const genCount = Math.max(2, Math.ceil(n / perGen));
  ensureNofile(n + HUB_FD_MARGIN, n);
  const fileMax = Number(readFileSync('/proc/sys/fs/file-max', 'utf8').trim());
  if (fileMax < 2 * n + 10_000) throw new Error(`connections-100k: fs.file-max is ${fileMax}; ${n} connections need about ${2 * n + 10_000} open files on this machine (both ends); raise it with sysctl fs.file-max`);
  await ctx.admin.flushall();
  const apiPort = await freePort();
  const inspectPort = await freePort();
  const hub = await startHubProc(
      'hub-1',
      {
        NEXT_CHAT_REDIS_URL: ctx.redis.url,
        // 'all' holds every connection's user; the default capacity is 10,000.
        NEXT_CHAT_MAX_GROUP_MEMBERS: String(n + 100),
        NEXT_CHAT_API_PORT: String(apiPort),
        NEXT_CHAT_API_KEYS: API_KEY,
      },
      [`--inspect=127.0.0.1:${inspectPort}`, ...(ctx.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProf}`, '--cpu-prof-name=connections-100k-hub-1.cpuprofile'] : [])],
    );
  /** RSS as it is, then RSS and heap after a full GC. */
  const memory = async () => {
    const raw = rss(hub.pid);
    const gc = await collectGarbage(inspectPort);
    if (gc) await sleep(500);
    return { raw, rss: rss(hub.pid), heap: await heapOf(hub), gc };
  };
  const gens: Gen[] = [];
  try {
    const hubFiles = nofileOf(hub.pid);
    if (!(hubFiles.soft >= n + HUB_FD_MARGIN)) throw new Error(`connections-100k: the hub's open-file limit is ${hubFiles.soft} (hard ${hubFiles.hard}); ${n} connections need ${n + HUB_FD_MARGIN}`);
    log(`connections-100k: ${n} idle connections on one hub in ${groupCount} groups of ${GROUP_SIZE}, from ${genCount} load generators on 127.0.0.2-${genCount + 1} (hub open files ${hubFiles.soft}, ephemeral ports ${range} per source address)`);
    await sleep(500);
    const m0 = await memory();
    // Warm-up, as in the 10k scenario: one-time costs (JIT, the young
    // generation growing, pools) are not per-connection memory.
    const warm = new Gen('warmup');
    try {
      const specs: ClientSpec[] = Array.from({ length: WARMUP }, (_, i) => ({ url: hub.url, user: `warm-${i}`, group: `warm-${i % 20}`, count: true }));
      const w = await warm.request({ cmd: 'setup', protocol: 'jsonrpc', clients: specs, create: { url: hub.url, groups: Array.from({ length: 20 }, (_, g) => `warm-${g}`) }, joinLimit: 0, concurrency: 100, timeoutMs: 60_000 }, 'ready', 70_000);
      if (w.connected !== WARMUP) throw new Error(`warm-up: ${w.errors.join('; ')}`);
    } finally {
      await warm.close();
    }
    const sender = new Gen('sender');
    gens.push(sender);
    for (let k = 0; k < genCount; k++) gens.push(new Gen(`idle-${k + 1}`));
    const idleGens = gens.slice(1);
    const groupNames = Array.from({ length: groupCount }, (_, g) => `c100k-${g}`);
    // The sender creates every group (as bench-admin) before anyone joins.
    const s = await sender.request(
      { cmd: 'setup', protocol: 'jsonrpc', clients: [{ url: hub.url, user: 'fanout-sender', group: groupNames[0], count: false }], create: { url: hub.url, groups: [...groupNames, 'all'] }, joinLimit: 0, concurrency: 1, timeoutMs: 120_000 },
      'ready',
      130_000,
    );
    if (s.connected !== 1) throw new Error(`sender: ${s.errors.join('; ')}`);
    await sleep(1500);
    const mB = await memory();
    const cpu0 = cpuSeconds(hub.pid);

    // Connection k of generator j is user idle-(j + k * genCount): each group's members come from every generator.
    const specsOf = (j: number): ClientSpec[] => {
      const out: ClientSpec[] = [];
      for (let i = j; i < n; i += genCount) out.push({ url: hub.url, user: `idle-${i}`, group: groupNames[i % groupCount], count: true, localAddress: `127.0.0.${j + 2}` });
      return out;
    };
    // Two waves of N/2: the second one's RSS growth is the marginal cost per
    // connection with the hub already big and warm, free of the baseline's
    // garbage (the warm-up's heap not yet collected).
    const t0 = Date.now();
    const wave = async (half: 0 | 1) =>
      Promise.all(
        idleGens.map((g, j) => {
          const all = specsOf(j);
          const mid = Math.floor(all.length / 2);
          return g.request({ cmd: 'setup', protocol: 'jsonrpc', clients: half === 0 ? all.slice(0, mid) : all.slice(mid), create: null, joinLimit: 0, concurrency: Math.ceil(CONCURRENCY / genCount), timeoutMs: 150_000 }, 'ready', 170_000);
        }),
      );
    const first = await wave(0);
    await sleep(3000);
    const mM = await memory();
    const connectedMid = first.reduce((a, r) => a + r.connected, 0);
    const second = await wave(1);
    const readies = [...first, ...second];
    const setupMs = Date.now() - t0 - 3000;
    const connected = readies.reduce((a, r) => a + r.connected, 0);
    const failed = readies.reduce((a, r) => a + r.failed, 0);
    const errors = readies.flatMap((r) => r.errors).slice(0, 5);
    log(`connections-100k: ${connected}/${n} connected and joined in ${(setupMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed: ${errors.join('; ')}` : ''}`);
    if (connected === 0) throw new Error(`connections-100k: no connection: ${errors.join('; ')}`);
    // Let the hub settle (idle timers, lazy frees) before reading its RSS.
    await sleep(3000);
    const mA = await memory();
    const setupCpu = r3(cpuSeconds(hub.pid) - cpu0);
    const secondHalf = Math.max(1, connected - connectedMid);
    const perConn = (a: number, b: number) => r3((a - b) / Math.max(1, connected) / 1024);

    // Fan-out to one group of 100: one message to each of 20 groups, 100 ms apart.
    const picks = Array.from({ length: Math.min(SMALL_FANOUT_GROUPS, groupCount) }, (_, i) => groupNames[Math.floor((i * groupCount) / Math.min(SMALL_FANOUT_GROUPS, groupCount))]);
    for (const g of picks) {
      if (g === groupNames[0]) continue;
      const j = await sender.request({ cmd: 'join', group: g, clients: [0], concurrency: 1, timeoutMs: 10_000 }, 'joined', 15_000);
      if (j.joined !== 1) throw new Error(`sender join ${g}: ${j.errors.join('; ')}`);
    }
    for (const g of idleGens) g.tell({ cmd: 'reset', trackLast: true });
    await sleep(200);
    for (const g of picks) {
      const b = await sender.request({ cmd: 'blast', client: 0, group: g, messages: 1, gapMs: 0, textBytes: TEXT_BYTES }, 'blasted', 15_000);
      if (b.ackErrors) throw new Error(`send to ${g}: ${b.errors.join('; ')}`);
      await sleep(100);
    }
    const small = await collect(idleGens, picks.length * GROUP_SIZE, 15_000);

    // Fan-out to all: seed the memberships through the API (nobody has 'all' open), then everyone joins it.
    log(`connections-100k: making ${connected} users members of 'all' through the HTTP API`);
    const seed = await seedMembers(apiPort, 'all', Array.from({ length: n }, (_, i) => `idle-${i}`), 64);
    if (seed.failed) log(`connections-100k: ${seed.failed} memberships refused: ${seed.errors.join('; ')}`);
    const sj = await sender.request({ cmd: 'join', group: 'all', clients: [0], concurrency: 1, timeoutMs: 10_000 }, 'joined', 15_000);
    if (sj.joined !== 1) throw new Error(`sender join all: ${sj.errors.join('; ')}`);
    const mBA = await memory();
    const t1 = Date.now();
    const joins = await Promise.all(idleGens.map((g) => g.request({ cmd: 'join', group: 'all', clients: 'all', concurrency: Math.ceil(CONCURRENCY / genCount), timeoutMs: 180_000 }, 'joined', 200_000)));
    const joinAllMs = Date.now() - t1;
    const joinedAll = joins.reduce((a, r) => a + r.joined, 0);
    log(`connections-100k: ${joinedAll} joined 'all' in ${(joinAllMs / 1000).toFixed(1)} s${joins.some((r) => r.failed) ? `: ${joins.flatMap((r) => r.errors).slice(0, 3).join('; ')}` : ''}`);
    await sleep(2000);
    const mAA = await memory();
    for (const g of idleGens) g.tell({ cmd: 'reset', trackLast: true });
    await sleep(200);
    const gapMs = Math.max(1000, Math.round(joinedAll / 40));
    log(`connections-100k: ${ALL_FANOUT_MESSAGES} messages to all ${joinedAll}, ${gapMs} ms apart`);
    const cpu1 = cpuSeconds(hub.pid);
    const b = await sender.request({ cmd: 'blast', client: 0, group: 'all', messages: ALL_FANOUT_MESSAGES, gapMs, textBytes: TEXT_BYTES }, 'blasted', ALL_FANOUT_MESSAGES * gapMs + 60_000);
    const all = await collect(idleGens, ALL_FANOUT_MESSAGES * joinedAll, 60_000);
    const fanCpu = r3(cpuSeconds(hub.pid) - cpu1);

    const r = {
      scenario: 'connections-100k',
      system: 'next-chat',
      round: 1,
      target: n,
      connections: connected,
      failed,
      groups: groupCount,
      groupSize: GROUP_SIZE,
      loadGenerators: genCount,
      sourceAddresses: idleGens.map((_, j) => `127.0.0.${j + 2}`),
      setupSeconds: r3(setupMs / 1000),
      setupHubCpuSeconds: setupCpu,
      // Every RSS and heap figure below is read right after a full GC in the hub (gcForced), except the *Raw ones.
      gcForced: [m0, mB, mM, mA, mBA, mAA].every((m) => m.gc),
      rssAtStartMiB: mib(m0.rss),
      rssBeforeMiB: mib(mB.rss),
      rssMidMiB: mib(mM.rss),
      rssAfterMiB: mib(mA.rss),
      rssPerConnectionKiB: perConn(mA.rss, mB.rss),
      rssPerConnectionRawKiB: perConn(mA.raw, mB.raw),
      rssPerConnectionSecondHalfKiB: r3((mA.rss - mM.rss) / secondHalf / 1024),
      rssPerConnectionFromStartKiB: perConn(mA.rss, m0.rss),
      heapUsedPerConnectionKiB: r3(((mA.heap.used - mB.heap.used) * 1024) / Math.max(1, connected)),
      heapTotalPerConnectionKiB: r3(((mA.heap.total - mB.heap.total) * 1024) / Math.max(1, connected)),
      externalPerConnectionKiB: r3(((mA.heap.external - mB.heap.external) * 1024) / Math.max(1, connected)),
      heapUsedPerConnectionSecondHalfKiB: r3(((mA.heap.used - mM.heap.used) * 1024) / secondHalf),
      heapMiB: { atStart: m0.heap, before: mB.heap, mid: mM.heap, after: mA.heap, afterAll: mAA.heap },
      connectLatencyMs: Histogram.from(readies.map((x) => x.connect)).summary(),
      joinLatencyMs: Histogram.from(readies.map((x) => x.join)).summary(),
      errors,
      fanoutGroup: {
        messages: picks.length,
        expected: picks.length * GROUP_SIZE,
        received: small.received,
        latencyMs: small.latency.summary(),
        lastReceiverMs: lastSummary(small.lastByMessage),
      },
      all: {
        seedSeconds: r3(seed.ms / 1000),
        seedFailed: seed.failed,
        joined: joinedAll,
        joinSeconds: r3(joinAllMs / 1000),
        joinLatencyMs: Histogram.from(joins.map((x) => x.join)).summary(),
        joinErrors: joins.flatMap((x) => x.errors).slice(0, 5),
        rssBeforeMiB: mib(mBA.rss),
        rssAfterMiB: mib(mAA.rss),
        rssPerMembershipKiB: r3((mAA.rss - mBA.rss) / Math.max(1, joinedAll) / 1024),
        heapUsedPerMembershipKiB: r3(((mAA.heap.used - mBA.heap.used) * 1024) / Math.max(1, joinedAll)),
        rssPerConnectionFromStartKiB: r3((mAA.rss - m0.rss) / Math.max(1, connected) / 1024),
      },
      fanoutAll: {
        messages: ALL_FANOUT_MESSAGES,
        gapMs,
        acked: b.acked,
        expected: ALL_FANOUT_MESSAGES * joinedAll,
        received: all.received,
        lost: ALL_FANOUT_MESSAGES * joinedAll - all.received,
        closedClients: all.closed,
        latencyMs: all.latency.summary(),
        lastReceiverMs: lastSummary(all.lastByMessage),
        hubCpuSeconds: fanCpu,
        hubCpuUsPerDelivery: r3((fanCpu / Math.max(1, all.received)) * 1e6),
      },
      peakRssMiB: mib(Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${hub.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024),
    };
    emit(r);
    return r;
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await hub.stop();
  }
}

/** The scenario's line in the bench's result table. */
export function connections100kRow(r: Record<string, unknown>): [string, string] {
  const j = r.joinLatencyMs as { p50: number; p99: number; max: number };
  const c = r.connectLatencyMs as { p50: number; p99: number; max: number };
  const fg = r.fanoutGroup as { latencyMs: { p50: number; p99: number } };
  const fa = r.fanoutAll as { latencyMs: { p50: number; p99: number; max: number }; lost: number; lastReceiverMs: { medianMs: number } };
  return [
    'connections-100k',
    `${r.connections} conns (${r.failed} failed), ${r.rssPerConnectionKiB} KiB RSS each after GC (${r.rssPerConnectionRawKiB} without, ${r.rssPerConnectionSecondHalfKiB} over the second half, ${r.rssPerConnectionFromStartKiB} from cold; heap ${r.heapUsedPerConnectionKiB}, external ${r.externalPerConnectionKiB}); connect p50 ${c.p50} / p99 ${c.p99} / max ${c.max} ms; join p50 ${j.p50} / p99 ${j.p99} / max ${j.max} ms; ` +
      `fan-out to ${r.groupSize}: p50 ${fg.latencyMs.p50} / p99 ${fg.latencyMs.p99} ms; to all: p50 ${fa.latencyMs.p50} / p99 ${fa.latencyMs.p99} / max ${fa.latencyMs.max} ms (last receiver median ${fa.lastReceiverMs.medianMs} ms, lost ${fa.lost})`,
  ];
}
