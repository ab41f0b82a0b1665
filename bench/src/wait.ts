/**
 * The wait scenario (BENCH_SCENARIOS=wait): what NEXT_CHAT_REDIS_WAIT_REPLICAS=1
 * costs a sender. One Redis primary with one replica (its own, not the
 * bench's shared Redis, which has none), two hubs on it side by side, each
 * with its key prefix:
 *
 *   wait0  no WAIT: answered once the primary has the message (the baseline)
 *   wait1  NEXT_CHAT_REDIS_WAIT_REPLICAS=1: answered once the replica has it
 *          (one WAIT per batch of sends, replica-wait.ts)
 *
 * As in moderation.ts: CLIENTS connections, each alone in a room of its own
 * (the WAIT sits on the write path, before fan-out); a phase with one send in
 * flight per client (the round trip a person waits) and one with WINDOW in
 * flight (the rate, where group commit shares WAITs). ROUNDS alternating
 * rounds; ratios of the medians against wait0 of the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { cpuSeconds, startHubProc, type ServerProc } from './procs.js';
import { freePort, startRedis, type Service } from './services.js';
import { Conn, nowUs, sendPhase } from './send-lanes.js';
import { Histogram, median, r3, table } from './stats.js';

const CLIENTS = 4;
const WINDOW = 16;
const SENDS_ONE = Math.max(50, Math.min(20_000, Number(process.env.BENCH_WAIT_SENDS ?? 500)));
const SENDS_WINDOW = SENDS_ONE * 4;
const WARMUP = 500;
const ROUNDS = 5;
const TEXT = 'x'.repeat(100);

type Config = 'wait0' | 'wait1';
const CONFIGS: readonly Config[] = ['wait0', 'wait1'];

export interface WaitDeps {
  log: (line: string) => void;
  emit: (r: Record<string, unknown>) => void;
}



interface Side {
  config: Config;
  hub: ServerProc;
  clients: { conn: Conn; groupId: string }[];
}

/** A replica of `primary` in a temp dir, resolved once its link is up. */
async function startReplica(primary: Service): Promise<{ pid: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-bench-replica-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'no', '--save', '', '--protected-mode', 'no', '--loglevel', 'warning', '--replicaof', '127.0.0.1', String(primary.port)],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  r.on('error', () => {});
  try {
    for (let i = 0; i < 200; i++) {
      const info = await r.info('replication').catch(() => '');
      if (/master_link_status:up/.test(info)) return { pid: child.pid ?? 0, stop };
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('wait: the replica never came in sync');
  } catch (err) {
    await stop();
    throw err;
  } finally {
    r.disconnect();
  }
}

function phase(side: Side, sends: number, window: number, hist: Histogram | null): Promise<{ ok: number; failed: number; seconds: number }> {
  return sendPhase(side.clients, TEXT, sends, window, hist);
}

async function measure(deps: WaitDeps, side: Side, redisPid: number, round: number, name: 'one' | 'window', sends: number, window: number): Promise<Record<string, unknown>> {
  const hist = new Histogram();
  const hub0 = cpuSeconds(side.hub.pid);
  const redis0 = cpuSeconds(redisPid);
  const r = await phase(side, sends, window, hist);
  const n = Math.max(1, r.ok + r.failed);
  const row = {
    scenario: 'wait',
    config: side.config,
    round,
    phase: name,
    clients: CLIENTS,
    inFlightPerClient: window,
    sends: r.ok + r.failed,
    errors: r.failed,
    errorSamples: side.clients.flatMap((c) => c.conn.errors).slice(0, 3),
    seconds: r3(r.seconds),
    sendsPerSec: Math.round((r.ok + r.failed) / Math.max(1e-3, r.seconds)),
    latencyMs: hist.summary(),
    hubCpuUsPerSend: r3(((cpuSeconds(side.hub.pid) - hub0) / n) * 1e6),
    primaryCpuUsPerSend: r3(((cpuSeconds(redisPid) - redis0) / n) * 1e6),
  };
  deps.emit(row);
  deps.log(`wait: ${side.config} round ${round} ${name}: ${row.sendsPerSec} sends/s, p50 ${row.latencyMs.p50} / p99 ${row.latencyMs.p99} ms, ${row.errors} errors`);
  return row;
}

async function startSide(config: Config, redis: Service): Promise<Side> {
  const hub = await startHubProc(`wait-${config}`, {
    NEXT_CHAT_REDIS_URL: redis.url,
    NEXT_CHAT_REDIS_PREFIX: `bench-${config}`,
    NEXT_CHAT_REDIS_WAIT_REPLICAS: config === 'wait1' ? '1' : '0',
  });
  const clients: Side['clients'] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const conn = await Conn.open(hub.url, `wait-bench-${i}`);
    const groupId = `waitbench-${i}`;
    await conn.call('group.create', { groupId });
    if (!(await conn.call('group.join', { groupId }))) throw new Error(`wait: ${config}: join failed: ${conn.errors.join('; ')}`);
    clients.push({ conn, groupId });
  }
  return { config, hub, clients };
}

export async function waitScenario(outer: WaitDeps): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const deps: WaitDeps = { log: outer.log, emit: (r) => (rows.push(r), outer.emit(r)) };
  const redis = await startRedis();
  let replica: { stop: () => Promise<void> } | undefined;
  const sides: Side[] = [];
  try {
    replica = await startReplica(redis);
    for (const c of CONFIGS) sides.push(await startSide(c, redis));
    for (const s of sides) await phase(s, WARMUP, WINDOW, null);
    deps.log(`wait: primary + 1 replica; ${CLIENTS} clients x ${SENDS_ONE} sends one at a time, then x ${SENDS_WINDOW} with ${WINDOW} in flight; ${ROUNDS} rounds of wait0/wait1`);
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? sides : [...sides].reverse();
      for (const s of order) {
        await measure(deps, s, redis.pid, round, 'one', SENDS_ONE, 1);
        await measure(deps, s, redis.pid, round, 'window', SENDS_WINDOW, WINDOW);
      }
    }
  } finally {
    for (const s of sides) {
      for (const c of s.clients) c.conn.close();
      await s.hub.stop();
    }
    await replica?.stop();
    await redis.stop();
  }
  deps.emit({ scenario: 'wait-summary', ...summarize(rows) });
}

type Row = { config: Config; phase: 'one' | 'window'; sendsPerSec: number; latencyMs: { p50: number; p99: number }; hubCpuUsPerSend: number; primaryCpuUsPerSend: number; errors: number };

function med(rows: Row[], config: Config, phase: Row['phase'], pick: (r: Row) => number): number {
  return median(rows.filter((r) => r.config === config && r.phase === phase).map(pick));
}

function summarize(all: Record<string, unknown>[]): Record<string, unknown> {
  const rows = all.filter((r) => r.scenario === 'wait') as unknown as Row[];
  const out: Record<string, unknown> = {};
  for (const phase of ['one', 'window'] as const) {
    const base = { p50: med(rows, 'wait0', phase, (r) => r.latencyMs.p50), p99: med(rows, 'wait0', phase, (r) => r.latencyMs.p99), rate: med(rows, 'wait0', phase, (r) => r.sendsPerSec) };
    for (const config of CONFIGS) {
      const p50 = med(rows, config, phase, (r) => r.latencyMs.p50);
      const p99 = med(rows, config, phase, (r) => r.latencyMs.p99);
      const rate = med(rows, config, phase, (r) => r.sendsPerSec);
      out[`${config}/${phase}`] = {
        p50Ms: r3(p50),
        p99Ms: r3(p99),
        sendsPerSec: Math.round(rate),
        hubCpuUsPerSend: r3(med(rows, config, phase, (r) => r.hubCpuUsPerSend)),
        primaryCpuUsPerSend: r3(med(rows, config, phase, (r) => r.primaryCpuUsPerSend)),
        errors: rows.filter((r) => r.config === config && r.phase === phase).reduce((a, r) => a + r.errors, 0),
        p50VsWait0: r3(p50 / base.p50),
        p99VsWait0: r3(p99 / base.p99),
        rateVsWait0: r3(rate / base.rate),
        addedP50Ms: r3(p50 - base.p50),
      };
    }
  }
  return out;
}

/** The scenario's lines of the final table, or '' when it did not run. */
export function waitTable(results: Record<string, unknown>[]): string {
  const s = results.find((r) => r.scenario === 'wait-summary');
  if (!s) return '';
  const rows: (string | number)[][] = [];
  for (const phase of ['one', 'window'] as const) {
    for (const config of CONFIGS) {
      const v = s[`${config}/${phase}`] as Record<string, number> | undefined;
      if (!v) continue;
      rows.push([`${config}, ${phase === 'one' ? '1' : WINDOW} in flight x ${CLIENTS}`, v.p50Ms, v.p99Ms, v.sendsPerSec, v.p50VsWait0, v.p99VsWait0, v.rateVsWait0, v.hubCpuUsPerSend, v.primaryCpuUsPerSend, v.errors]);
    }
  }
  return table(['Redis WAIT (message.send)', 'p50 ms', 'p99 ms', 'sends/s', 'p50 x wait0', 'p99 x wait0', 'rate x wait0', 'hub µs/send', 'primary µs/send', 'errors'], rows);
}
