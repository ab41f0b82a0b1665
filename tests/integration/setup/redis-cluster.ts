/**
 * A throwaway Redis Cluster for tests: 3 primaries, each with `replicas`
 * replicas (1 by default: 6 nodes), every node a redis-server on a free port
 * of 127.0.0.1 with its own directory (and nodes.conf) in one temp directory,
 * no persistence, node timeout 1 s so a killed primary's replica takes over
 * within a few seconds. Formed with `redis-cli --cluster create`; resolved once
 * every node says cluster_state:ok with all 16384 slots and every replica is
 * in sync. Everything is killed and removed by dispose() (and when the process
 * exits). The machine's own 6379 is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './services.js';

export const CLUSTER_SLOTS = 16384;

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  /** The current process (a restart changes it). */
  pid: number;
}

export interface ClusterPrimary {
  port: number;
  /** The node id (CLUSTER NODES' first column). */
  id: string;
  /** How many slots it serves. */
  slots: number;
}

export interface RedisClusterHandle {
  /** Every node, the primaries of the initial layout first. */
  readonly nodes: ClusterNode[];
  /** NEXT_CHAT_REDIS_CLUSTER_NODES: `127.0.0.1:P,...` of the initial primaries. */
  readonly seeds: string;
  /** The temp directory holding one `node-<port>` directory per node. */
  readonly dir: string;
  /**
   * The primaries serving slots now, as CLUSTER NODES of a live node says
   * (nodes flagged fail or fail? left out), by port.
   */
  primaries(): Promise<ClusterPrimary[]>;
  /** Sends `signal` (SIGKILL by default) to the node on `port`; resolves once it has exited (at once for SIGSTOP/SIGCONT). */
  kill(port: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node on `port` again (stopping it first if alive): same port, directory and nodes.conf. Resolves once it answers PING. */
  restart(port: number): Promise<void>;
  /**
   * After `oldPort`'s primary was killed or paused: resolves with the port of
   * the replica that took its slots, once CLUSTER NODES no longer lists
   * `oldPort` as a serving primary and the cluster is healthy again.
   */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Resolves once every live node says cluster_state:ok, all slots ok, and every live replica's link is up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The port of the primary serving `slot`, as CLUSTER SLOTS of a live node says. */
  slotOwner(slot: number): Promise<number>;
  /**
   * Moves one slot, keys and all, from its primary to the primary on `toPort`
   * the way `redis-cli --cluster reshard` does: SETSLOT IMPORTING on the
   * destination, MIGRATING on the source, MIGRATE of `batch` keys at a time
   * (with `pauseMs` between batches, so traffic meets a half-moved slot), then
   * SETSLOT NODE everywhere. Resolves once every live node's CLUSTER SLOTS
   * gives the slot to `toPort`; with the number of keys moved.
   */
  migrateSlot(slot: number, toPort: number, opts?: { batch?: number; pauseMs?: number }): Promise<number>;
  /** A plain (non-cluster) connection to one node; the caller disconnects it. */
  client(port: number): Redis;
  alive(port: number): boolean;
  /** Kills every node and removes the temp directory. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGCONT');
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what()} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function quick(port: number): Redis {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  r.on('error', () => {}); // a node being down is what the callers ask about
  return r;
}

async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = quick(port);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

function fields(info: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slots: number;
}

/** Parses CLUSTER NODES. */
function parseNodes(text: string): NodeLine[] {
  const out: NodeLine[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 8) continue;
    const [id, addr, flags, master] = parts as [string, string, string, string];
    // ip:port@cport[,hostname]
    const port = Number(addr.split('@')[0]?.split(':').pop());
    let slots = 0;
    for (const s of parts.slice(8)) {
      if (s.startsWith('[')) continue; // a slot being migrated/imported
      const [a, b] = s.split('-');
      slots += b === undefined ? 1 : Number(b) - Number(a) + 1;
    }
    out.push({ id, port, flags: flags.split(','), masterId: master, slots });
  }
  return out;
}

interface Proc {
  node: ClusterNode;
  args: string[];
  dir: string;
  proc: ChildProcess;
  logs: () => string;
}

function launch(args: string[], dir: string): { proc: ChildProcess; logs: () => string } {
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  proc.on('error', (err) => (out += `spawn error: ${err.message}\n`));
  for (const s of [proc.stdout, proc.stderr]) s?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  return { proc, logs: () => out };
}

const isAlive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

function exited(p: ChildProcess): Promise<void> {
  if (!isAlive(p)) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

async function answersPing(p: Proc, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      if (!isAlive(p.proc)) throw new Error('exited');
      return (await ask(p.node.port, (r) => r.ping())) === 'PONG';
    },
    timeoutMs,
    () => `redis-server on ${p.node.port} answering PING (${isAlive(p.proc) ? 'running' : `exited ${p.proc.exitCode ?? p.proc.signalCode}`}):\n${p.logs()}`,
  );
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    for (const s of [p.stdout, p.stderr]) s?.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

export async function startRedisCluster(opts: { replicas?: number } = {}): Promise<RedisClusterHandle> {
  const replicas = opts.replicas ?? 1;
  const count = 3 * (1 + replicas);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-rcluster-'));
  dirs.add(dir);
  const procs: Proc[] = [];
  const byPort = (port: number): Proc => {
    const p = procs.find((x) => x.node.port === port);
    if (!p) throw new Error(`no cluster node on ${port}`);
    return p;
  };
  const dispose = async () => {
    for (const p of procs) {
      p.proc.kill('SIGCONT');
      p.proc.kill('SIGKILL');
    }
    await Promise.all(procs.map((p) => exited(p.proc)));
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };

  const startNode = async (): Promise<Proc> => {
    // A port picked by freePort may be taken by a parallel test before we bind it.
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      // The bus port is chosen too: the default port+10000 would fall in the ephemeral range.
      let bus = await freePort();
      while (bus === port) bus = await freePort();
      const nodeDir = path.join(dir, `node-${port}`);
      mkdirSync(nodeDir, { recursive: true });
      const args = [
        '--port', String(port),
        '--cluster-port', String(bus),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '1000',
        '--appendonly', 'no',
        '--save', '',
        // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
        '--repl-diskless-sync-delay', '0',
        '--dir', nodeDir,
        '--protected-mode', 'no',
        '--daemonize', 'no',
        '--loglevel', 'warning',
      ];
      const { proc, logs } = launch(args, nodeDir);
      const p: Proc = { node: { host: '127.0.0.1', port, pid: proc.pid ?? 0 }, args, dir: nodeDir, proc, logs };
      try {
        await answersPing(p, 10_000);
        return p;
      } catch (err) {
        proc.kill('SIGKILL');
        await exited(proc);
        rmSync(nodeDir, { recursive: true, force: true });
        if (attempt >= 2) throw err;
      }
    }
  };

  const clusterNodes = async (): Promise<NodeLine[]> => {
    for (const p of procs) {
      if (!isAlive(p.proc)) continue;
      try {
        return parseNodes(String(await ask(p.node.port, (r) => r.call('CLUSTER', 'NODES'))));
      } catch {
        /* next node */
      }
    }
    throw new Error('no cluster node answered CLUSTER NODES');
  };

  let unhealthy = '';
  const healthy = async (): Promise<boolean> => {
    for (const p of procs) {
      if (!isAlive(p.proc)) continue;
      const info = fields(String(await ask(p.node.port, (r) => r.call('CLUSTER', 'INFO'))));
      if (info.get('cluster_state') !== 'ok' || info.get('cluster_slots_ok') !== String(CLUSTER_SLOTS)) {
        unhealthy = `node ${p.node.port}: cluster_state:${info.get('cluster_state')} cluster_slots_ok:${info.get('cluster_slots_ok')}`;
        return false;
      }
      const repl = fields(await ask(p.node.port, (r) => r.info('replication')));
      if (repl.get('role') === 'slave' && repl.get('master_link_status') !== 'up') {
        unhealthy = `replica ${p.node.port}: master_link_status:${repl.get('master_link_status')}`;
        return false;
      }
    }
    return true;
  };
  const waitHealthy = (timeoutMs = 20_000) => waitFor(healthy, timeoutMs, () => `healthy cluster (last: ${unhealthy})`);

  let seeds = '';
  try {
    procs.push(...(await Promise.all(Array.from({ length: count }, () => startNode()))));
    const create = await run(
      'redis-cli',
      ['--cluster', 'create', ...procs.map((p) => `127.0.0.1:${p.node.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      60_000,
    );
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed (${create.code}):\n${create.out}`);
    // Every node must know all the others, so its own view covers the whole cluster.
    let known = '';
    await waitFor(
      async () => {
        for (const p of procs) {
          const info = fields(String(await ask(p.node.port, (r) => r.call('CLUSTER', 'INFO'))));
          known = `node ${p.node.port}: cluster_known_nodes:${info.get('cluster_known_nodes')}`;
          if (info.get('cluster_known_nodes') !== String(count)) return false;
        }
        return true;
      },
      20_000,
      () => `every node knowing ${count} nodes (last: ${known})`,
    );
    await waitHealthy(20_000);
    const primaries = (await clusterNodes()).filter((n) => n.flags.includes('master') && n.slots > 0);
    if (primaries.length !== 3) throw new Error(`expected 3 primaries, CLUSTER NODES shows ${primaries.length}`);
    const primaryPorts = new Set(primaries.map((n) => n.port));
    procs.sort((a, b) => Number(primaryPorts.has(b.node.port)) - Number(primaryPorts.has(a.node.port)) || a.node.port - b.node.port);
    seeds = procs
      .filter((p) => primaryPorts.has(p.node.port))
      .map((p) => `127.0.0.1:${p.node.port}`)
      .join(',');
  } catch (err) {
    await dispose();
    throw err;
  }

  const primaries = async (): Promise<ClusterPrimary[]> =>
    (await clusterNodes())
      .filter((n) => n.flags.includes('master') && !n.flags.includes('fail') && !n.flags.includes('fail?') && n.slots > 0)
      .map((n) => ({ port: n.port, id: n.id, slots: n.slots }))
      .sort((a, b) => a.port - b.port);

  type SlotsReply = [number, number, [string, number, string?], ...unknown[]][];
  const ownerIn = (reply: SlotsReply, slot: number): number | undefined => reply.find(([a, b]) => slot >= a && slot <= b)?.[2][1];
  const slotOwner = async (slot: number): Promise<number> => {
    for (const p of procs) {
      if (!isAlive(p.proc)) continue;
      try {
        const owner = ownerIn((await ask(p.node.port, (r) => r.call('CLUSTER', 'SLOTS'))) as SlotsReply, slot);
        if (owner !== undefined) return owner;
      } catch {
        /* next node */
      }
    }
    throw new Error(`no live node knows who serves slot ${slot}`);
  };
  const migrateSlot = async (slot: number, toPort: number, opts: { batch?: number; pauseMs?: number } = {}): Promise<number> => {
    const batch = opts.batch ?? 10;
    const from = await slotOwner(slot);
    if (from === toPort) return 0;
    const nodes = await clusterNodes();
    const idOf = (port: number) => {
      const n = nodes.find((x) => x.port === port);
      if (!n) throw new Error(`no cluster node on ${port}`);
      return n.id;
    };
    const [srcId, dstId] = [idOf(from), idOf(toPort)];
    // MIGRATE of a big stream may take longer than quick()'s 2 s.
    const conn = (port: number) => {
      const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 15_000 });
      r.on('error', () => {});
      return r;
    };
    const src = conn(from);
    const dst = conn(toPort);
    let moved = 0;
    try {
      await dst.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', srcId);
      await src.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dstId);
      for (;;) {
        const keys = (await src.call('CLUSTER', 'GETKEYSINSLOT', slot, batch)) as string[];
        if (keys.length === 0) break;
        await src.call('MIGRATE', '127.0.0.1', toPort, '', 0, 10_000, 'KEYS', ...keys);
        moved += keys.length;
        if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
      // The destination first (it bumps its epoch), then the source, then the others.
      await dst.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId);
      await src.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId);
    } finally {
      src.disconnect();
      dst.disconnect();
    }
    for (const n of nodes.filter((x) => x.flags.includes('master') && x.port !== from && x.port !== toPort)) {
      await ask(n.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'NODE', dstId)).catch(() => undefined);
    }
    let last = '';
    await waitFor(
      async () => {
        for (const p of procs) {
          if (!isAlive(p.proc)) continue;
          const owner = ownerIn((await ask(p.node.port, (r) => r.call('CLUSTER', 'SLOTS'))) as SlotsReply, slot);
          last = `node ${p.node.port} says ${owner}`;
          if (owner !== toPort) return false;
        }
        return true;
      },
      20_000,
      () => `every node giving slot ${slot} to ${toPort} (last: ${last})`,
    );
    return moved;
  };

  return {
    nodes: procs.map((p) => p.node),
    slotOwner,
    migrateSlot,
    seeds,
    dir,
    primaries,
    async kill(port, signal = 'SIGKILL') {
      const p = byPort(port);
      if (!isAlive(p.proc)) return;
      if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
        p.proc.kill(signal);
        return;
      }
      p.proc.kill('SIGCONT'); // a paused process would not act on SIGTERM
      p.proc.kill(signal);
      await exited(p.proc);
    },
    async restart(port) {
      const p = byPort(port);
      if (isAlive(p.proc)) {
        p.proc.kill('SIGCONT');
        p.proc.kill('SIGTERM');
        const c = p.proc;
        const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited(c);
        clearTimeout(t);
      }
      const { proc, logs } = launch(p.args, p.dir);
      p.proc = proc;
      p.logs = logs;
      p.node.pid = proc.pid ?? 0;
      await answersPing(p, 10_000);
    },
    async waitForFailover(oldPort, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const before = new Set(
        (await clusterNodes()).filter((n) => n.flags.includes('master') && n.slots > 0).map((n) => n.port),
      );
      let promoted: number | undefined;
      await waitFor(
        async () => {
          const now = (await primaries()).map((p) => p.port);
          if (now.includes(oldPort) || now.length !== 3) return false;
          promoted = now.find((p) => !before.has(p));
          return promoted !== undefined;
        },
        timeoutMs,
        () => `a replica of ${oldPort} promoted`,
      );
      await waitHealthy(Math.max(deadline - Date.now(), 1000));
      return promoted as number;
    },
    waitHealthy,
    client(port) {
      const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, commandTimeout: 5000 });
      r.on('error', () => {}); // the tests kill these nodes
      return r;
    },
    alive: (port) => isAlive(byPort(port).proc),
    dispose,
  };
}
