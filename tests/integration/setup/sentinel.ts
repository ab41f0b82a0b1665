/**
 * A throwaway Redis Sentinel deployment for failover tests: one primary,
 * `replicas` replicas and three sentinels (quorum 2, down after 1 s), each a
 * redis-server on a free port with its own temp directory, no persistence.
 * Everything is killed and removed by stop() (and when the process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './services.js';

export const SENTINEL_NAME = 'mymaster';

export interface RedisNode {
  readonly port: number;
  /** A plain connection to this node (not through the sentinels), made on first use. */
  client(): Redis;
  kill9(): Promise<void>;
  /** SIGSTOP: the process holds its sockets and answers nothing. */
  pause(): void;
  resume(): void;
  alive(): boolean;
}

export interface SentinelDeployment {
  /** The data nodes, the initial primary first. */
  readonly nodes: RedisNode[];
  readonly sentinelPorts: number[];
  /** NEXT_CHAT_REDIS_SENTINELS. */
  readonly sentinelsEnv: string;
  /** The primary's port as the sentinels report it now. */
  primaryPort(): Promise<number>;
  /** Resolves with the new primary's port once the sentinels name another than `oldPort` and it answers as a master. */
  waitForPromotion(oldPort: number, timeoutMs?: number): Promise<number>;
  node(port: number): RedisNode;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGCONT');
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function launch(args: string[], dir: string): { proc: ChildProcess; logs: () => string } {
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  for (const s of [proc.stdout, proc.stderr]) s?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  return { proc, logs: () => out };
}

function quick(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 2000 });
  r.on('error', () => {}); // a node being down is what the callers ask about
  return r;
}

async function ping(port: number): Promise<boolean> {
  const r = quick(port);
  try {
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

function makeNode(port: number, proc: ChildProcess): RedisNode {
  let conn: Redis | undefined;
  const exited = new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
  return {
    port,
    client: () => {
      if (!conn) {
        conn = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, commandTimeout: 5000 });
        conn.on('error', () => {}); // the tests kill and pause these nodes
      }
      return conn;
    },
    async kill9() {
      conn?.disconnect();
      conn = undefined;
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    },
    pause: () => void proc.kill('SIGSTOP'),
    resume: () => void proc.kill('SIGCONT'),
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
}

export async function startSentinels(o: { replicas?: number } = {}): Promise<SentinelDeployment> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-sentinel-'));
  const nodes: RedisNode[] = [];
  const sentinelProcs: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const stop = async () => {
    for (const n of nodes) await n.kill9();
    for (const p of sentinelProcs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'];
    const primaryPort = await freePort();
    for (let i = 0; i <= (o.replicas ?? 1); i++) {
      const port = i === 0 ? primaryPort : await freePort();
      const nodeDir = path.join(dir, `node-${port}`);
      mkdirSync(nodeDir);
      const args = ['--port', String(port), '--dir', nodeDir, ...base, ...(i > 0 ? ['--replicaof', '127.0.0.1', String(primaryPort)] : [])];
      const { proc, logs } = launch(args, nodeDir);
      nodes.push(makeNode(port, proc));
      await waitFor(() => ping(port), 10_000, `redis on ${port} answering (${logs()})`);
    }
    // Replicas in sync before the sentinels look, so any of them may be promoted.
    for (const n of nodes.slice(1)) {
      await waitFor(async () => /master_link_status:up/.test(await n.client().info('replication')), 10_000, `replica ${n.port} in sync`);
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          '',
        ].join('\n'),
      );
      const { proc, logs } = launch([conf, '--sentinel'], dir);
      sentinelProcs.push(proc);
      sentinelPorts.push(port);
      await waitFor(() => ping(port), 10_000, `sentinel on ${port} answering (${logs()})`);
    }
    // Every sentinel knows the replicas and the other sentinels (needed for a quorum and an election).
    for (const port of sentinelPorts) {
      await waitFor(
        async () => {
          const r = quick(port);
          try {
            const m = (await r.call('SENTINEL', 'MASTER', SENTINEL_NAME)) as string[];
            const f = new Map<string, string>();
            for (let i = 0; i + 1 < m.length; i += 2) f.set(m[i] as string, m[i + 1] as string);
            return Number(f.get('num-slaves')) >= nodes.length - 1 && Number(f.get('num-other-sentinels')) >= 2;
          } finally {
            r.disconnect();
          }
        },
        15_000,
        `sentinel ${port} seeing the replicas and the other sentinels`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const primaryPortNow = async (): Promise<number> => {
    for (const port of sentinelPorts) {
      const r = quick(port);
      try {
        const a = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as [string, string];
        return Number(a[1]);
      } catch {
        /* next sentinel */
      } finally {
        r.disconnect();
      }
    }
    throw new Error('no sentinel answered');
  };

  return {
    nodes,
    sentinelPorts,
    sentinelsEnv: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    primaryPort: primaryPortNow,
    async waitForPromotion(oldPort, timeoutMs = 20_000) {
      let port = oldPort;
      await waitFor(
        async () => {
          port = await primaryPortNow();
          if (port === oldPort) return false;
          const r = quick(port);
          try {
            return /role:master/.test(await r.info('replication'));
          } finally {
            r.disconnect();
          }
        },
        timeoutMs,
        'a replica promoted',
      );
      return port;
    },
    node(port) {
      const n = nodes.find((x) => x.port === port);
      if (!n) throw new Error(`no node on ${port}`);
      return n;
    },
    stop,
  };
}
