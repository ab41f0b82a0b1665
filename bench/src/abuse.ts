/**
 * The abuse scenario (BENCH_SCENARIOS=abuse): what abusive clients do to a
 * well-behaved one on the same hub. The hub runs with the limits it ships
 * with (startHubProc limits 'default': nothing but port, host, instance and
 * log settings), once on the embedded engine and once on the bench's Redis
 * (its own key prefix).
 *
 * Each phase gets a fresh hub, so a flood cannot leave work or state (a
 * backlog, thousands of groups) behind for the next one. A bystander (own
 * user, own connection, a member of `abuse-room`) sends group.list
 * {limit: 1} one at a time every 20 ms and times each round trip (5 s
 * timeout), during:
 *
 *   quiet              no attacker: the baseline
 *   garbage-one-write  raw TCP, upgrade by hand, then 300,000 masked one-byte
 *                      text frames `x` (2.1 MB) in one socket.write; again on
 *                      a fresh connection every 2 s; reads little
 *   garbage-steady     4 ws connections of one user, `x` frames as fast as
 *                      the socket takes them (bufferedAmount < 1 MiB)
 *   pipelined-valid    6 connections of one user, each pipelining 100
 *                      message.send of 4000 emoji into the bystander's group,
 *                      round after round (the bystander reads the fan-out)
 *   create-flood       1 connection, group.create of fresh ids as fast as it
 *                      can (up to 5,000 in flight)
 *
 * Attacking connections that the hub closes are reopened (at most 20 times
 * per connection) as an abuser would. One JSON line per phase; abuseTable()
 * puts each flood next to its engine's quiet figures.
 *
 * Env: BENCH_ABUSE_PHASE_MS (default 3000), BENCH_ABUSE_ENGINES
 * (embedded,redis), BENCH_ABUSE_PHASES (comma list; quiet always runs).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Forked } from './forked.js';
import type { AgentCommand, AgentEvent, AttackResult, BystanderResult, Phase } from './abuse-agent.js';
import { cpuSeconds, peakRss, startHubProc } from './procs.js';
import type { Service } from './services.js';
import { Histogram, r3, table } from './stats.js';

const AGENT = fileURLToPath(new URL('./abuse-agent.js', import.meta.url));

export const ABUSE_PHASES: readonly Phase[] = ['quiet', 'garbage-one-write', 'garbage-steady', 'pipelined-valid', 'create-flood'];
type Engine = 'embedded' | 'redis';

const PHASE_MS = Math.max(1000, Math.min(10_000, Number(process.env.BENCH_ABUSE_PHASE_MS ?? 3000) || 3000));
const ENGINES: Engine[] = (process.env.BENCH_ABUSE_ENGINES ?? 'embedded,redis')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Engine => s === 'embedded' || s === 'redis');
const PHASES: Phase[] = (() => {
  const want = (process.env.BENCH_ABUSE_PHASES ?? '').split(',').map((s) => s.trim());
  return ABUSE_PHASES.filter((p) => p === 'quiet' || !process.env.BENCH_ABUSE_PHASES || want.includes(p));
})();
const INTERVAL_MS = 20;
const TIMEOUT_MS = 5000;
const WARMUP_MS = 500;
const GROUP = 'abuse-room';
const BYSTANDER = 'bystander';
const ATTACKER = 'attacker';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One abuse-agent.ts child and its IPC requests (as Gen is for loadgen.ts). */
class Agent extends Forked<AgentCommand, AgentEvent> {
  constructor(name: string) {
    super(name, AGENT);
  }
}

/** False once the process is gone or a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const mib = (bytes: number) => r3(bytes / 1024 / 1024);

function attackerSummary(a: AttackResult, cpu: number): Record<string, unknown> {
  return {
    connectionsOpened: a.connectionsOpened,
    upgradesRefused: a.upgradesRefused,
    framesSent: a.framesSent,
    sentMiB: mib(a.bytesSent),
    answers: a.tally.answers,
    ok: a.tally.ok,
    parseErrors: a.tally.parseErrors,
    rateLimited: a.tally.rateLimited,
    limits: a.tally.limits,
    errorCodes: a.tally.errorCodes,
    timeouts: a.timeouts,
    unanswered: a.unanswered,
    closes: a.closes,
    openAtEnd: a.openAtEnd,
    notifications: a.tally.notifications,
    readMiB: mib(a.tally.bytesRead),
    cpuSeconds: r3(cpu),
  };
}

export interface AbuseDeps {
  redis: Service;
  log: (line: string) => void;
  emit: (r: Record<string, unknown>) => void;
  cpuProf?: string;
}

async function phaseRun(deps: AbuseDeps, engine: Engine, phase: Phase, n: number): Promise<Record<string, unknown>> {
  const env: Record<string, string> = engine === 'redis' ? { NEXT_CHAT_REDIS_URL: deps.redis.url, NEXT_CHAT_REDIS_PREFIX: `bench-abuse-${process.pid}-${n}` } : {};
  const name = `abuse-${engine}-${phase}`;
  const args = deps.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${deps.cpuProf}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const hub = await startHubProc(name, env, args, 'default');
  const by = new Agent('bystander');
  const atk = phase === 'quiet' ? undefined : new Agent('attacker');
  try {
    const ready = await by.request({ cmd: 'bystander-setup', url: hub.url, user: BYSTANDER, group: GROUP }, 'ready', 20_000);
    if (ready.connected !== 1) throw new Error(`bystander did not connect: ${ready.errors.join('; ')}`);
    // Warm-up of the request path (JIT), not measured.
    await by.request({ cmd: 'bystander-run', durationMs: WARMUP_MS, intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }, 'bystander', WARMUP_MS + TIMEOUT_MS + 10_000);
    let setupErrors: string[] = [];
    if (atk && phase !== 'quiet') {
      const ar = await atk.request({ cmd: 'attack-setup', phase, url: hub.url, port: hub.port, user: ATTACKER, group: GROUP }, 'ready', 20_000);
      setupErrors = ar.errors;
    }
    const cpu0 = cpuSeconds(hub.pid);
    const atkCpu0 = atk ? cpuSeconds(atk.pid) : 0;
    const t0 = Date.now();
    const byP = by.request({ cmd: 'bystander-run', durationMs: PHASE_MS, intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }, 'bystander', PHASE_MS + TIMEOUT_MS + 15_000);
    const atkP = atk ? atk.request({ cmd: 'attack-run', durationMs: PHASE_MS }, 'attack', PHASE_MS + 20_000) : Promise.resolve(undefined);
    await sleep(PHASE_MS);
    const cpuPhase = Math.max(0, cpuSeconds(hub.pid) - cpu0);
    const [bev, aev] = await Promise.all([byP, atkP]);
    const doneMs = Date.now() - t0;
    const cpuAll = Math.max(cpuPhase, cpuSeconds(hub.pid) - cpu0);
    const atkCpu = atk ? cpuSeconds(atk.pid) - atkCpu0 : 0;
    const b: BystanderResult = bev.result;
    const lat = Histogram.from([b.latency]).summary();
    return {
      scenario: 'abuse',
      system: 'next-chat',
      engine,
      phase,
      round: 1,
      limits: 'default',
      phaseMs: PHASE_MS,
      bystanderIntervalMs: INTERVAL_MS,
      /** Percentiles and max include timed-out requests at bystanderTimeoutMs. */
      bystanderTimeoutMs: TIMEOUT_MS,
      bystanderP50Ms: lat.p50,
      bystanderP99Ms: lat.p99,
      bystanderMaxMs: lat.max,
      bystanderMeanMs: lat.mean,
      bystanderSent: b.sent,
      bystanderAnswered: b.answered,
      bystanderTimedOut: b.timedOut,
      bystanderFailed: b.failed,
      bystanderErrorAnswers: b.errorAnswers,
      bystanderErrorCodes: b.errorCodes,
      bystanderDisconnected: b.closes.length > 0,
      bystanderCloseCodes: b.closes.map((c) => c.code),
      bystanderReconnects: b.reconnects,
      bystanderRefused: b.refused,
      bystanderNotifications: b.notifications,
      bystanderNotificationMiB: mib(b.notificationBytes),
      attacker: aev ? attackerSummary(aev.result, atkCpu) : null,
      attackerSetupErrors: setupErrors,
      hubCpuSeconds: r3(cpuPhase),
      hubCpuSecondsWithDrain: r3(cpuAll),
      /** ms after the phase until the bystander's last request was answered or timed out and the attacker was done. */
      drainMs: Math.max(0, doneMs - PHASE_MS),
      hubPeakRssMiB: mib(peakRss(hub.pid)),
      hubAlive: alive(hub.pid),
    };
  } finally {
    await Promise.all([by.close(), atk?.close()]);
    await hub.stop();
  }
}

function outcome(r: Record<string, unknown>): string {
  const a = r.attacker as ReturnType<typeof attackerSummary> | null;
  if (!a) return r.error ? `failed: ${String(r.error).slice(0, 60)}` : '-';
  const kv = (m: unknown) =>
    Object.entries(m as Record<string, number>)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
  const parts = [`${a.connectionsOpened as number} conn`, `${(a.framesSent as number).toLocaleString('en-US')} sent`];
  const ok = a.ok as number;
  if (ok) parts.push(`ok ${ok.toLocaleString('en-US')}`);
  parts.push(`-32700 ${(a.parseErrors as number).toLocaleString('en-US')}`, `4029 ${(a.rateLimited as number).toLocaleString('en-US')}${a.rateLimited ? ` (${kv(a.limits)})` : ''}`);
  const other = Object.entries(a.errorCodes as Record<string, number>).filter(([k]) => k !== '-32700' && k !== '4029');
  if (other.length) parts.push(`other ${other.map(([k, v]) => `${k}×${v}`).join(' ')}`);
  if (a.timeouts) parts.push(`timeouts ${a.timeouts as number}`);
  if (a.unanswered) parts.push(`unanswered ${(a.unanswered as number).toLocaleString('en-US')}`);
  parts.push(`closed ${kv(a.closes) || 'none'}`);
  if (a.openAtEnd) parts.push(`open at end ${a.openAtEnd as number}`);
  if (Object.keys(a.upgradesRefused as Record<string, number>).length) parts.push(`refused ${kv(a.upgradesRefused)}`);
  return parts.join(', ');
}

/** The stderr table: each phase with its engine's quiet figures and p99 / quiet p99, then what each attacker saw. */
export function abuseTable(results: Record<string, unknown>[]): string | undefined {
  const rs = results.filter((r) => r.scenario === 'abuse');
  if (rs.length === 0) return undefined;
  const num = (x: unknown) => (typeof x === 'number' ? x : NaN);
  const count = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : '-');
  const rows = rs.map((r) => {
    const quiet = rs.find((q) => q.engine === r.engine && q.phase === 'quiet' && !q.error);
    const p99 = num(r.bystanderP99Ms);
    const qp99 = num(quiet?.bystanderP99Ms);
    const closes = (r.bystanderCloseCodes as number[] | undefined) ?? [];
    const attacker = r.attacker as { cpuSeconds?: number } | null | undefined;
    return [
      `${String(r.engine)} ${String(r.phase)}`,
      num(r.bystanderP50Ms),
      p99,
      num(r.bystanderMaxMs),
      num(quiet?.bystanderP50Ms),
      qp99,
      r.phase === 'quiet' || !Number.isFinite(p99 / qp99) ? '-' : `${(p99 / qp99).toFixed(1)}×`,
      `${count(r.bystanderAnswered)}/${count(r.bystanderSent)}`,
      count(r.bystanderTimedOut),
      r.error ? 'failed' : closes.length ? closes.join(',') : 'no',
      num(r.hubCpuSeconds),
      num(quiet?.hubCpuSeconds),
      num(attacker?.cpuSeconds),
    ];
  });
  const attackers = rs.filter((r) => r.phase !== 'quiet').map((r) => `  ${`${String(r.engine)} ${String(r.phase)}`.padEnd(26)}  ${outcome(r)}`);
  return [
    `abuse: bystander group.list round trips while a client floods (one in flight, every ${INTERVAL_MS} ms: ${Math.floor(PHASE_MS / INTERVAL_MS)} per phase when nothing stalls;`,
    `timed-out requests count as ${TIMEOUT_MS} ms); hub with its default limits, a fresh hub per phase of ${PHASE_MS / 1000} s`,
    table(['phase', 'p50 ms', 'p99 ms', 'max ms', 'quiet p50', 'quiet p99', 'p99/quiet', 'answered/sent', 'timed out', 'bystander closed', 'hub cpu s', 'quiet hub cpu s', 'attacker cpu s'], rows),
    'attacker outcome (answers it read; closes by the hub, by code):',
    ...attackers,
  ].join('\n');
}

/** Runs every engine and phase; one emitted result per phase (a failed phase emits its error). */
export async function abuse(deps: AbuseDeps): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let n = 0;
  for (const engine of ENGINES) {
    for (const phase of PHASES) {
      deps.log(`abuse: ${engine} ${phase} (${PHASE_MS} ms, hub with default limits)`);
      let r: Record<string, unknown>;
      try {
        r = await phaseRun(deps, engine, phase, ++n);
        deps.log(
          `abuse: ${engine} ${phase}: bystander p50 ${String(r.bystanderP50Ms)} / p99 ${String(r.bystanderP99Ms)} / max ${String(r.bystanderMaxMs)} ms, ` +
            `${String(r.bystanderAnswered)}/${String(r.bystanderSent)} answered, ${String(r.bystanderTimedOut)} timed out; hub ${String(r.hubCpuSeconds)} cpu s`,
        );
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        deps.log(`abuse: ${engine} ${phase} failed: ${message}`);
        r = { scenario: 'abuse', system: 'next-chat', engine, phase, round: 1, limits: 'default', phaseMs: PHASE_MS, error: message };
      }
      deps.emit(r);
      out.push(r);
    }
  }
  return out;
}
