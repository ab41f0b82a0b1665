/**
 * The moderation scenario (BENCH_SCENARIOS=moderation): what the
 * synchronous moderation hook (NEXT_CHAT_MODERATION_URL) costs a sender.
 * Three embedded-engine hubs, started side by side and measured in turn:
 *
 *   none      no hook: the baseline of this run
 *   allow     a local hook (moderation-hook.ts, its own process) that
 *             answers {"action":"allow"} at once: the hook's fixed cost
 *             (one keep-alive HTTP round trip on loopback, the signature,
 *             the JSON both ways)
 *   allow+20  the same hook answering after 20 ms, as one that does real
 *             work would: how a slow hook shows to senders
 *
 * Each hub has CLIENTS connections of their own users, each alone in a room
 * of its own (no fan-out: the hook sits on the write path, before fan-out).
 * Two phases per hub and round, after a warm-up: `one` in flight per client
 * (a person sending: the round trip p50/p99 is what they wait), and WINDOW
 * in flight per client (a bot or a burst: the rate). `none` and `allow`
 * run ROUNDS alternating rounds (which goes first alternates too), ratios
 * use the medians; `allow+20` runs once. The load runs in this process,
 * which does nothing else meanwhile. CPU per send: the hub's and the hook's,
 * from /proc.
 */
import { fileURLToPath } from 'node:url';
import { cpuSeconds, startHubProc, startServer, type ServerProc } from './procs.js';
import { Conn, nowUs, sendPhase } from './send-lanes.js';
import { Histogram, median, r3, table } from './stats.js';

const HOOK = fileURLToPath(new URL('./moderation-hook.js', import.meta.url));
const CLIENTS = 4;
const WINDOW = 16;
const SENDS_ONE = Math.max(50, Math.min(20_000, Number(process.env.BENCH_MODERATION_SENDS ?? 500)));
const SENDS_WINDOW = SENDS_ONE * 4;
const WARMUP = 1000;
const ROUNDS = 5;
const TEXT = 'x'.repeat(100);

type Config = 'none' | 'allow' | 'allow+20';

export interface ModerationDeps {
  log: (line: string) => void;
  emit: (r: Record<string, unknown>) => void;
}



interface Side {
  config: Config;
  hub: ServerProc;
  hook?: ServerProc;
  clients: { conn: Conn; groupId: string }[];
}

function phase(side: Side, sends: number, window: number, hist: Histogram | null): Promise<{ ok: number; failed: number; seconds: number }> {
  return sendPhase(side.clients, TEXT, sends, window, hist);
}

async function measure(deps: ModerationDeps, side: Side, round: number, name: 'one' | 'window', sends: number, window: number): Promise<Record<string, unknown>> {
  const hist = new Histogram();
  const hub0 = cpuSeconds(side.hub.pid);
  const hook0 = side.hook ? cpuSeconds(side.hook.pid) : 0;
  const r = await phase(side, sends, window, hist);
  const n = Math.max(1, r.ok + r.failed);
  const row = {
    scenario: 'moderation',
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
    hookCpuUsPerSend: side.hook ? r3(((cpuSeconds(side.hook.pid) - hook0) / n) * 1e6) : 0,
  };
  deps.emit(row);
  deps.log(`moderation: ${side.config} round ${round} ${name}: ${row.sendsPerSec} sends/s, p50 ${row.latencyMs.p50} / p99 ${row.latencyMs.p99} ms, ${row.errors} errors`);
  return row;
}

async function startSide(config: Config): Promise<Side> {
  let hook: ServerProc | undefined;
  const env: Record<string, string> = {};
  if (config !== 'none') {
    hook = await startServer(`hook-${config.replace("+", "-")}`, HOOK, { HOOK_DELAY_MS: config === 'allow+20' ? '20' : '0' }, (port) => `http://127.0.0.1:${port}/moderate`);
    env.NEXT_CHAT_MODERATION_URL = hook.url;
    // Signed, as an operator would run it: the HMAC is part of the cost.
    env.NEXT_CHAT_WEBHOOK_SECRET = 'bench-moderation-secret-0123456789';
    env.NEXT_CHAT_MODERATION_FAILURE = 'closed';
  }
  const hub = await startHubProc(`moderation-${config.replace("+", "-")}`, env);
  const clients: Side['clients'] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const conn = await Conn.open(hub.url, `mod-bench-${i}`);
    const groupId = `modbench-${i}`;
    await conn.call('group.create', { groupId });
    if (!(await conn.call('group.join', { groupId }))) throw new Error(`moderation: ${config}: join failed: ${conn.errors.join('; ')}`);
    clients.push({ conn, groupId });
  }
  return { config, hub, hook, clients };
}

async function stopSide(side: Side | undefined): Promise<void> {
  if (!side) return;
  for (const c of side.clients) c.conn.close();
  await side.hub.stop();
  await side.hook?.stop();
}

export async function moderation(outer: ModerationDeps): Promise<void> {
  // The rows are kept here too, so the summary needs nothing from main.ts.
  const rows: Record<string, unknown>[] = [];
  const deps: ModerationDeps = { log: outer.log, emit: (r) => (rows.push(r), outer.emit(r)) };
  const sides: Partial<Record<Config, Side>> = {};
  try {
    for (const c of ['none', 'allow', 'allow+20'] as const) sides[c] = await startSide(c);
    for (const s of Object.values(sides)) await phase(s, WARMUP, WINDOW, null);
    deps.log(`moderation: ${CLIENTS} clients x ${SENDS_ONE} sends one at a time, then x ${SENDS_WINDOW} with ${WINDOW} in flight; ${ROUNDS} rounds of none/allow`);
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Config[] = round % 2 === 1 ? ['none', 'allow'] : ['allow', 'none'];
      for (const c of order) {
        const s = sides[c] as Side;
        await measure(deps, s, round, 'one', SENDS_ONE, 1);
        await measure(deps, s, round, 'window', SENDS_WINDOW, WINDOW);
      }
    }
    const slow = sides['allow+20'] as Side;
    await measure(deps, slow, 1, 'one', SENDS_ONE, 1);
    await measure(deps, slow, 1, 'window', SENDS_WINDOW, WINDOW);
  } finally {
    for (const s of Object.values(sides)) await stopSide(s);
  }
  deps.emit({ scenario: 'moderation-summary', ...summarize(rows) });
}

type Row = { config: Config; phase: 'one' | 'window'; sendsPerSec: number; latencyMs: { p50: number; p99: number }; hubCpuUsPerSend: number; hookCpuUsPerSend: number; errors: number };

function med(rows: Row[], config: Config, phase: Row['phase'], pick: (r: Row) => number): number {
  return median(rows.filter((r) => r.config === config && r.phase === phase).map(pick));
}

/** Medians per config and phase, and each against `none`. */
function summarize(all: Record<string, unknown>[]): Record<string, unknown> {
  const rows = all.filter((r) => r.scenario === 'moderation') as unknown as Row[];
  const out: Record<string, unknown> = {};
  for (const phase of ['one', 'window'] as const) {
    for (const config of ['none', 'allow', 'allow+20'] as const) {
      const p50 = med(rows, config, phase, (r) => r.latencyMs.p50);
      const p99 = med(rows, config, phase, (r) => r.latencyMs.p99);
      const rate = med(rows, config, phase, (r) => r.sendsPerSec);
      const base = { p50: med(rows, 'none', phase, (r) => r.latencyMs.p50), p99: med(rows, 'none', phase, (r) => r.latencyMs.p99), rate: med(rows, 'none', phase, (r) => r.sendsPerSec) };
      out[`${config}/${phase}`] = {
        p50Ms: r3(p50),
        p99Ms: r3(p99),
        sendsPerSec: Math.round(rate),
        hubCpuUsPerSend: r3(med(rows, config, phase, (r) => r.hubCpuUsPerSend)),
        hookCpuUsPerSend: r3(med(rows, config, phase, (r) => r.hookCpuUsPerSend)),
        errors: rows.filter((r) => r.config === config && r.phase === phase).reduce((a, r) => a + r.errors, 0),
        p50VsNone: r3(p50 / base.p50),
        p99VsNone: r3(p99 / base.p99),
        rateVsNone: r3(rate / base.rate),
        addedP50Ms: r3(p50 - base.p50),
      };
    }
  }
  return out;
}

/** The scenario's lines of the final table, or '' when it did not run. */
export function moderationTable(results: Record<string, unknown>[]): string {
  const s = results.find((r) => r.scenario === 'moderation-summary');
  if (!s) return '';
  const rows: (string | number)[][] = [];
  for (const phase of ['one', 'window'] as const) {
    for (const config of ['none', 'allow', 'allow+20'] as const) {
      const v = s[`${config}/${phase}`] as Record<string, number> | undefined;
      if (!v) continue;
      rows.push([`${config}, ${phase === 'one' ? '1' : WINDOW} in flight x ${CLIENTS}`, v.p50Ms, v.p99Ms, v.sendsPerSec, v.p50VsNone, v.p99VsNone, v.rateVsNone, v.hubCpuUsPerSend, v.hookCpuUsPerSend, v.errors]);
    }
  }
  return table(['moderation hook (message.send)', 'p50 ms', 'p99 ms', 'sends/s', 'p50 x none', 'p99 x none', 'rate x none', 'hub µs/send', 'hook µs/send', 'errors'], rows);
}
