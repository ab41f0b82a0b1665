/**
 * Real hub processes for integration tests: `node packages/server/bin/next-chat-server.js`
 * on a free port, resolved once it logs that it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createTestDatabase, randomPrefix } from './engine-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * 'redis': hubs started without an engine of their own use Redis + MySQL (the protocol-redis project);
     * 'redis-cluster': Redis Cluster (`redisClusterNodes`) + MySQL (the protocol-cluster project).
     */
    engine?: 'memory' | 'redis' | 'redis-cluster';
  }
}

const BIN = fileURLToPath(new URL('../../../packages/server/bin/next-chat-server.js', import.meta.url));

export interface HubProcess {
  url: string;
  httpUrl: string;
  port: number;
  /** `http://127.0.0.1:<NEXT_CHAT_API_PORT>/api/v1` when the hub serves the HTTP API. */
  apiUrl?: string;
  pid: number;
  proc: ChildProcess;
  /** Every line the hub wrote (stdout and stderr). */
  logs: string[];
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

let productionEnv: Promise<Record<string, string>> | undefined;

/**
 * In the protocol-redis and protocol-cluster projects, the same protocol tests
 * run against the production engine: one Redis key prefix and one database per
 * test file (each file has its own module instance).
 */
function engineEnv(): Promise<Record<string, string>> {
  const engine = inject('engine');
  if (engine !== 'redis' && engine !== 'redis-cluster') return Promise.resolve({});
  productionEnv ??= createTestDatabase(inject('mysqlUrl')).then((mysqlUrl): Record<string, string> => {
    if (engine === 'redis') return { NEXT_CHAT_REDIS_URL: inject('redisUrl'), NEXT_CHAT_REDIS_PREFIX: randomPrefix(), NEXT_CHAT_MYSQL_URL: mysqlUrl };
    const nodes = inject('redisClusterNodes');
    if (!nodes) throw new Error("engine 'redis-cluster' without redisClusterNodes: the global setup did not start a cluster");
    return { NEXT_CHAT_REDIS_CLUSTER_NODES: nodes, NEXT_CHAT_REDIS_PREFIX: randomPrefix(), NEXT_CHAT_MYSQL_URL: mysqlUrl };
  });
  return productionEnv;
}

export async function startHub(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<HubProcess> {
  // A hub given a Redis of its own (URL, sentinels or cluster) keeps it.
  const ownRedis = ['NEXT_CHAT_REDIS_URL', 'NEXT_CHAT_REDIS_SENTINELS', 'NEXT_CHAT_REDIS_CLUSTER_NODES'].some((k) => env[k] !== undefined);
  const engine = ownRedis ? {} : await engineEnv();
  const proc = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NEXT_CHAT_PORT: '0',
      NEXT_CHAT_HOST: '127.0.0.1',
      NEXT_CHAT_LOG_LEVEL: 'info',
      ...engine,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve(code ?? (signal ? null : code));
    });
  });

  let apiPort: number | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start within ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    const onLine = (line: string) => {
      logs.push(line);
      if (!line.includes('"listening"')) return;
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number; apiPort?: number };
        if (rec.msg === 'listening' && typeof rec.port === 'number') {
          clearTimeout(timer);
          apiPort = rec.apiPort;
          resolve(rec.port);
        }
      } catch {
        /* not a log line */
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });

  return {
    url: `ws://127.0.0.1:${port}/next-chat`,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    ...(apiPort !== undefined ? { apiUrl: `http://127.0.0.1:${apiPort}/api/v1` } : {}),
    pid: proc.pid as number,
    proc,
    logs,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
