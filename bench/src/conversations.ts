/**
 * The conversations scenario (BENCH_SCENARIOS=conversations): what a user's
 * conversation list and read receipts cost when the user is a member of
 * 1,000 rooms and 5 direct conversations, each with 12 messages from
 * someone else (so every `unread` is 12 and every `lastMessage` is set).
 * One hub (limits off, as the throughput scenarios), once on the embedded
 * engine and once on the bench's Redis (its own key prefix); with
 * BENCH_CONVERSATIONS_ENGINES=embedded,redis,redis+mysql also on Redis + MariaDB (the history database; neither call reads it, but the hub then writes every message to it).
 *
 * From one connection of the user that joins nothing (a client showing its
 * conversation list), after seeding, with nobody else connected:
 *
 *   me.conversations   the first page, limit 50 and limit 200, one call at
 *                      a time; and every page with limit 200 until `next`
 *                      is null (6 pages for 1,005), timed per page and per
 *                      walk. Every answer is checked (count, order by
 *                      activity, unread, readUpTo, lastMessage).
 *   message.read       message k of every conversation, k by k, so each
 *                      read moves the marker by one (and sends `read` to
 *                      the user's connection): one at a time (k = 2), then
 *                      pipelined 32 in flight (k = 3..11); after an
 *                      unmeasured warm-up (k = 0, 1).
 *   message.send       the same connection, the same conversations, one
 *                      round at a time, one in flight, then 9 rounds
 *                      pipelined 32 in flight, after a warm-up round. No
 *                      other connection is subscribed, so a send is the
 *                      write path (log, marker, answer, `read` to the
 *                      sender) without fan-out; the groups scenario
 *                      measures fan-out.
 *
 * For each phase: round trips (p50/p99/max), calls per second, and CPU of
 * the hub and of Redis per call (/proc, as everywhere in the bench); then
 * message.read against message.send as ratios. One JSON line per engine.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Forked } from './forked.js';
import type { ConvCommand, ConvEvent } from './conversations-agent.js';
import { CONFIGURATOR_BIN, cpuSeconds, machineBusySeconds, peakRss, startHubProc, type ServerProc } from './procs.js';
import { startMariaDb, type Service } from './services.js';
import { Histogram, r3, table } from './stats.js';

const AGENT = fileURLToPath(new URL('./conversations-agent.js', import.meta.url));

type Engine = 'embedded' | 'redis' | 'redis+mysql';

const ENGINES: Engine[] = (process.env.BENCH_CONVERSATIONS_ENGINES ?? 'embedded,redis')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Engine => s === 'embedded' || s === 'redis' || s === 'redis+mysql');

export const CONV_ROOMS = 1000;
export const CONV_DIRECTS = 5;
/** Messages from others in each conversation: 2 warm-up reads, 1 one-at-a-time round, 9 pipelined. */
const MESSAGES = 12;
const WINDOW = 32;
const TEXT_BYTES = 100;
const PHASE_MAX_MS = 20_000;
const USER = 'conv-user';
const AUTHOR = 'conv-author';

class Agent extends Forked<ConvCommand, ConvEvent> {
  constructor(name: string) {
    super(name, AGENT, ['--max-old-space-size=2048']);
  }
}

export interface ConversationsDeps {
  redis: Service;
  log: (line: string) => void;
  emit: (r: Record<string, unknown>) => void;
  cpuProf?: string;
}

interface Meter {
  name: string;
  pid: number;
}

/**
 * CPU seconds of each server process between now and the returned
 * function's call, and what the rest of the machine (not the servers, not
 * the agent) used meanwhile: a noisy neighbour shows there.
 */
function meter(procs: Meter[], agentPid: number): () => { servers: Record<string, number>; agent: number; other: number } {
  const before = procs.map((p) => cpuSeconds(p.pid));
  const agent0 = cpuSeconds(agentPid);
  const busy0 = machineBusySeconds();
  return () => {
    const servers = Object.fromEntries(procs.map((p, i) => [p.name, cpuSeconds(p.pid) - (before[i] as number)]));
    const agent = cpuSeconds(agentPid) - agent0;
    const mine = Object.values(servers).reduce((a, x) => a + x, 0) + agent;
    return { servers, agent: r3(agent), other: r3(Math.max(0, machineBusySeconds() - busy0 - mine)) };
  };
}

type Phase = Record<string, unknown> & { calls: number; callsPerSec: number; latencyMs: ReturnType<Histogram['summary']>; cpuUsPerCall: number };

/** CPU figures of one phase: per-process seconds and µs per call, hub + Redis (+ MariaDB) together. */
function cpuOf(cpu: Record<string, number>, calls: number): Record<string, number> & { cpuUsPerCall: number } {
  const out: Record<string, number> & { cpuUsPerCall: number } = { cpuUsPerCall: NaN };
  let total = 0;
  for (const [name, s] of Object.entries(cpu)) {
    out[`${name}CpuSeconds`] = r3(s);
    out[`${name}CpuUsPerCall`] = r3((s / Math.max(1, calls)) * 1e6);
    total += s;
  }
  out.cpuUsPerCall = r3((total / Math.max(1, calls)) * 1e6);
  return out;
}

async function engineRun(deps: ConversationsDeps, engine: Engine, n: number): Promise<Record<string, unknown>> {
  let maria: Service | undefined;
  const env: Record<string, string> = {};
  if (engine !== 'embedded') {
    env.NEXT_CHAT_REDIS_URL = deps.redis.url;
    env.NEXT_CHAT_REDIS_PREFIX = `bench-conv-${process.pid}-${n}`;
  }
  const problems: string[] = [];
  let hub: ServerProc | undefined;
  const agent = new Agent(`conversations-${engine}`);
  try {
    if (engine === 'redis+mysql') {
      deps.log('conversations: starting MariaDB');
      maria = await startMariaDb();
      const mysqlUrl = `${maria.url}/nextchat`;
      const cfg = spawnSync(process.execPath, [CONFIGURATOR_BIN], { env: { PATH: process.env.PATH ?? '', NEXT_CHAT_MYSQL_URL: mysqlUrl }, encoding: 'utf8', timeout: 120_000 });
      if (cfg.status !== 0) throw new Error(`configurator failed (${cfg.status}): ${cfg.stderr}`);
      env.NEXT_CHAT_MYSQL_URL = mysqlUrl;
    }
    const name = `conversations-${engine}`;
    hub = await startHubProc(name, env, deps.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${deps.cpuProf}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
    const procs: Meter[] = [{ name: 'hub', pid: hub.pid }];
    if (engine !== 'embedded') procs.push({ name: 'redis', pid: deps.redis.pid });
    if (maria) procs.push({ name: 'mariadb', pid: maria.pid });

    deps.log(`conversations: ${engine}: seeding ${CONV_ROOMS} rooms + ${CONV_DIRECTS} direct conversations x ${MESSAGES} messages`);
    const seeded = await agent.request(
      { cmd: 'seed', url: hub.url, user: USER, author: AUTHOR, rooms: CONV_ROOMS, directs: CONV_DIRECTS, messages: MESSAGES, textBytes: TEXT_BYTES, window: 64, timeoutMs: 120_000 },
      'seeded',
      150_000,
    );
    problems.push(...seeded.errors.map((e) => `seed: ${e}`));
    const total = CONV_ROOMS + CONV_DIRECTS;
    if (seeded.conversations !== total || seeded.messages !== total * MESSAGES) {
      throw new Error(`seeding made ${seeded.conversations} conversations and ${seeded.messages} messages, expected ${total} and ${total * MESSAGES}: ${seeded.errors.join('; ')}`);
    }
    deps.log(`conversations: ${engine}: seeded in ${seeded.seconds.toFixed(1)} s (${seeded.messages} messages in ${seeded.sendSeconds.toFixed(1)} s)`);
    await new Promise((r) => setTimeout(r, 300));

    const list = async (label: string, limit: number, walk: boolean, repeat: number): Promise<Phase> => {
      const m = meter(procs, agent.pid);
      const e = await agent.request({ cmd: 'list', limit, walk, repeat, maxMs: PHASE_MAX_MS }, 'list', PHASE_MAX_MS + 40_000);
      const cpu = m();
      problems.push(...e.problems.map((p) => `${label}: ${p}`));
      const lat = Histogram.from([e.latency]).summary();
      const seconds = (lat.mean * lat.n) / 1000;
      return {
        limit,
        walk,
        calls: e.calls,
        errors: e.errors,
        callsPerSec: Math.round(e.calls / Math.max(1e-3, seconds)),
        latencyMs: lat,
        ...(walk ? { walks: e.walks, pagesPerWalk: e.pagesPerWalk, walkMs: Histogram.from([e.walk]).summary() } : {}),
        conversationsSeen: e.seen,
        largestAnswerKiB: r3(e.bytes / 1024),
        ...cpuOf(cpu.servers, e.calls),
        agentCpuSeconds: cpu.agent,
        otherCpuSeconds: cpu.other,
      };
    };
    const calls = async (label: string, cmd: Extract<ConvCommand, { cmd: 'calls' }>): Promise<Phase> => {
      const m = meter(procs, agent.pid);
      const e = await agent.request(cmd, 'calls', cmd.maxMs + 40_000);
      const cpu = m();
      problems.push(...e.problems.map((p) => `${label}: ${p}`));
      return {
        window: cmd.window,
        calls: e.calls,
        errors: e.errors,
        seconds: r3(e.seconds),
        callsPerSec: Math.round(e.calls / Math.max(1e-3, e.seconds)),
        latencyMs: Histogram.from([e.latency]).summary(),
        ...cpuOf(cpu.servers, e.calls),
        agentCpuSeconds: cpu.agent,
        otherCpuSeconds: cpu.other,
      };
    };

    deps.log(`conversations: ${engine}: me.conversations`);
    // Warm-up (JIT), not measured; the answers are checked all the same.
    await list('warm-up', 50, true, 5);
    const first50 = await list('first page, limit 50', 50, false, 300);
    const first200 = await list('first page, limit 200', 200, false, 150);
    const all200 = await list('every page, limit 200', 200, true, 30);

    deps.log(`conversations: ${engine}: message.read and message.send`);
    await calls('read warm-up', { cmd: 'calls', method: 'message.read', from: 0, to: 2, window: WINDOW, maxMs: PHASE_MAX_MS });
    const read1 = await calls('message.read, one at a time', { cmd: 'calls', method: 'message.read', from: 2, to: 3, window: 1, maxMs: PHASE_MAX_MS });
    const readW = await calls(`message.read, ${WINDOW} in flight`, { cmd: 'calls', method: 'message.read', from: 3, to: MESSAGES, window: WINDOW, maxMs: PHASE_MAX_MS });
    // Every conversation read to its end: the list says unread 0 and readUpTo its newest message.
    await list('after the reads', 200, true, 1);
    await calls('send warm-up', { cmd: 'calls', method: 'message.send', rounds: 1, window: WINDOW, textBytes: TEXT_BYTES, maxMs: PHASE_MAX_MS });
    const send1 = await calls('message.send, one at a time', { cmd: 'calls', method: 'message.send', rounds: 1, window: 1, textBytes: TEXT_BYTES, maxMs: PHASE_MAX_MS });
    const sendW = await calls(`message.send, ${WINDOW} in flight`, { cmd: 'calls', method: 'message.send', rounds: MESSAGES - 3, window: WINDOW, textBytes: TEXT_BYTES, maxMs: PHASE_MAX_MS });
    // After the sends: the user's own message is every conversation's last, unread 0.
    await list('after the sends', 200, true, 1);

    const ratio = (a: number, b: number) => r3(a / b);
    const r = {
      scenario: 'conversations',
      system: 'next-chat',
      engine,
      round: 1,
      conversations: total,
      rooms: CONV_ROOMS,
      directs: CONV_DIRECTS,
      messagesEach: MESSAGES,
      window: WINDOW,
      seedSeconds: r3(seeded.seconds),
      list: { first50, first200, all200 },
      read: { oneAtATime: read1, pipelined: readW },
      send: { oneAtATime: send1, pipelined: sendW },
      /** message.read relative to message.send on the same connection and conversations. */
      readVsSend: {
        callsPerSecPipelined: ratio(readW.callsPerSec, sendW.callsPerSec),
        cpuUsPerCallPipelined: ratio(readW.cpuUsPerCall, sendW.cpuUsPerCall),
        cpuUsPerCallOneAtATime: ratio(read1.cpuUsPerCall, send1.cpuUsPerCall),
        p50OneAtATime: ratio(read1.latencyMs.p50, send1.latencyMs.p50),
        p99OneAtATime: ratio(read1.latencyMs.p99, send1.latencyMs.p99),
        p50Pipelined: ratio(readW.latencyMs.p50, sendW.latencyMs.p50),
      },
      hubPeakRssMiB: r3(peakRss(hub.pid) / 1024 / 1024),
      problems,
    };
    if (problems.length) deps.log(`conversations: ${engine}: PROBLEMS: ${problems.join(' | ')}`);
    return r;
  } finally {
    await agent.close();
    await hub?.stop();
    await maria?.stop();
  }
}

/** Runs every engine; one emitted result per engine (a failed engine emits its error). */
export async function conversations(deps: ConversationsDeps): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let n = 0;
  for (const engine of ENGINES) {
    let r: Record<string, unknown>;
    try {
      r = await engineRun(deps, engine, ++n);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      deps.log(`conversations: ${engine} failed: ${message}`);
      r = { scenario: 'conversations', system: 'next-chat', engine, round: 1, error: message };
    }
    deps.emit(r);
    out.push(r);
  }
  return out;
}

/** The stderr table: every phase per engine, then read against send. */
export function conversationsTable(results: Record<string, unknown>[]): string | undefined {
  const rs = results.filter((r) => r.scenario === 'conversations');
  if (rs.length === 0) return undefined;
  const rows: (string | number)[][] = [];
  const ratios: (string | number)[][] = [];
  const fx = (x: number) => `${x.toFixed(2)}x`;
  for (const r of rs) {
    const engine = String(r.engine);
    if (r.error) {
      rows.push([`${engine} failed: ${String(r.error).slice(0, 80)}`, '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const list = r.list as Record<string, Phase>;
    const read = r.read as Record<string, Phase>;
    const snd = r.send as Record<string, Phase>;
    const row = (label: string, p: Phase, lat: { n: number; p50: number; p99: number; max: number } = p.latencyMs) => [
      `${engine} ${label}`,
      lat.n.toLocaleString('en-US'),
      lat.p50,
      lat.p99,
      lat.max,
      p.callsPerSec,
      typeof p.hubCpuUsPerCall === 'number' ? p.hubCpuUsPerCall : NaN,
      typeof p.redisCpuUsPerCall === 'number' ? p.redisCpuUsPerCall : '-',
      p.cpuUsPerCall,
      typeof p.otherCpuSeconds === 'number' ? p.otherCpuSeconds.toFixed(1) : '-',
    ];
    const all = list.all200 as Phase & { walkMs: { n: number; p50: number; p99: number; max: number }; pagesPerWalk: number };
    rows.push(row('me.conversations first page, limit 50', list.first50 as Phase));
    rows.push(row('me.conversations first page, limit 200', list.first200 as Phase));
    rows.push(row('me.conversations every page, limit 200 (per page)', all));
    rows.push([`${engine} me.conversations all ${String(r.conversations)} (${all.pagesPerWalk} pages, per walk)`, all.walkMs.n.toLocaleString('en-US'), all.walkMs.p50, all.walkMs.p99, all.walkMs.max, '', '', '', r3(all.cpuUsPerCall * all.pagesPerWalk), '']);
    rows.push(row('message.read, one at a time', read.oneAtATime as Phase));
    rows.push(row(`message.read, ${String(r.window)} in flight`, read.pipelined as Phase));
    rows.push(row('message.send, one at a time', snd.oneAtATime as Phase));
    rows.push(row(`message.send, ${String(r.window)} in flight`, snd.pipelined as Phase));
    const v = r.readVsSend as Record<string, number>;
    ratios.push([engine, fx(v.callsPerSecPipelined), fx(v.cpuUsPerCallPipelined), fx(v.cpuUsPerCallOneAtATime), fx(v.p50OneAtATime), fx(v.p99OneAtATime), (r.problems as string[]).length ? `${(r.problems as string[]).length} PROBLEMS (see JSON)` : 'all answers checked, none wrong']);
  }
  const first = rs.find((r) => !r.error);
  return [
    `conversations: one user in ${first ? `${String(first.rooms)} rooms + ${String(first.directs)} direct conversations, ${String(first.messagesEach)} messages from others in each` : 'conversations'}; one hub, limits off; the user's one connection (subscribed to nothing) calls, nobody else connected`,
    table(['engine, call', 'n', 'p50 ms', 'p99 ms', 'max ms', 'calls/s', 'hub cpu µs/call', 'redis cpu µs/call', 'cpu µs/call (servers)', 'other cpu s'], rows),
    '(the per-walk row: cpu µs per walk; cpu µs/call (servers): hub + Redis (+ MariaDB); other cpu s: the rest of the machine meanwhile, a disturbed phase shows there)',
    'message.read relative to message.send (same connection, same conversations; >1x: the read costs more):',
    table(['engine', 'calls/s, pipelined', 'cpu/call, pipelined', 'cpu/call, one at a time', 'p50, one at a time', 'p99, one at a time', 'checks'], ratios),
  ].join('\n');
}
