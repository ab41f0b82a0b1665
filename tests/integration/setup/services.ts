/**
 * Throwaway redis-server and mariadbd processes for integration tests: random
 * free ports on 127.0.0.1, data in mkdtemp directories, everything killed and
 * removed when the process exits. The machine's own services (6379, 3306) are
 * never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// mariadbd and mariadb-install-db live in /usr/sbin on Debian, which a
// non-root PATH often lacks.
for (const dir of ['/usr/sbin', '/usr/local/sbin']) {
  if (!(process.env.PATH ?? '').split(':').includes(dir)) process.env.PATH = `${process.env.PATH ?? ''}:${dir}`;
}

export interface ServiceHandle {
  /** `redis://127.0.0.1:P` or `mysql://root@127.0.0.1:P` (no database). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  pid(): number | undefined;
  /** Graceful stop (SIGTERM), resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, resolves when the process has exited. */
  kill9(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets open and answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Starts the process again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops the process and removes its data directory. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const cleanup = () => {
    for (const child of live) {
      try {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    live.clear();
    for (const dir of dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    dirs.clear();
  };
  process.once('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}

/**
 * A free port for a server that may be restarted on the same port: taken
 * below the ephemeral range, so no client connection grabs it in between.
 */
export async function freePort(): Promise<number> {
  return freePortRun(1);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * `n` consecutive free ports below the kernel's ephemeral range (32768+),
 * where the outgoing connections of parallel tests cannot take them.
 */
export async function freePortRun(n: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await canListen(base + i);
    if (ok) return base;
  }
  throw new Error(`no run of ${n} free ports found`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves once a TCP connection to the port succeeds, or rejects after `timeoutMs`. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before listening on ${port}:\n${logs()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} after ${timeoutMs} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, Math.min(25 * (attempt + 1), 200)));
  }
}

interface Spec {
  name: string;
  cmd: string;
  args: (port: number, dir: string) => string[];
  url: (port: number) => string;
  /** Resolves when the server answers (beyond accepting TCP). */
  ready?: (port: number, logs: () => string) => Promise<void>;
  startTimeoutMs: number;
}

async function startService(spec: Spec, dir: string): Promise<ServiceHandle> {
  installCleanup();
  dirs.add(dir);
  let port = 0;
  let child: ChildProcess | undefined;
  let out = '';
  const logs = () => out.slice(-4000);
  const launch = async (): Promise<void> => {
    out = '';
    const c = spawn(spec.cmd, spec.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    live.add(c);
    c.once('exit', () => live.delete(c));
    c.on('error', (err) => {
      out += `spawn error: ${err.message}\n`;
    });
    c.stdout?.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    });
    c.stderr?.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    });
    await waitForPort(port, c, spec.startTimeoutMs, logs);
    if (spec.ready) await spec.ready(port, logs);
  };
  // A port picked by freePort may be taken by a parallel test before we bind it.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      if (child) {
        child.kill('SIGKILL');
        await exited(child);
      }
      if (attempt >= 2) throw err;
    }
  }
  const handle: ServiceHandle = {
    url: spec.url(port),
    port,
    dir,
    pid: () => child?.pid,
    async stop() {
      if (!child) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const c = child;
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited(c);
      clearTimeout(t);
    },
    async kill9() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      if (child && child.exitCode === null && child.signalCode === null) await handle.stop();
      await launch();
    },
    async dispose() {
      await handle.kill9();
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
  return handle;
}

function tmp(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `nc-${name}-`));
}

export interface RedisOptions {
  /** Append-only file so a restart keeps the data. @default true */
  appendonly?: boolean;
}

export async function startRedis(opts: RedisOptions = {}): Promise<ServiceHandle> {
  const appendonly = opts.appendonly ?? true;
  return startService(
    {
      name: 'redis',
      cmd: 'redis-server',
      args: (port, dir) => [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--appendonly', appendonly ? 'yes' : 'no',
        '--appendfsync', 'everysec',
        '--save', '',
        '--protected-mode', 'no',
        '--daemonize', 'no',
        '--loglevel', 'warning',
      ],
      url: (port) => `redis://127.0.0.1:${port}`,
      startTimeoutMs: 10_000,
      ready: async (port, logs) => {
        // AOF loading answers -LOADING; wait until PING says PONG.
        for (let i = 0; i < 200; i++) {
          const reply = await rawCommand(port, 'PING\r\n');
          if (reply.startsWith('+PONG')) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`redis on ${port} never answered PING:\n${logs()}`);
      },
    },
    tmp('redis'),
  );
}

function rawCommand(port: number, cmd: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(data);
    }, 1000);
    s.once('connect', () => s.write(cmd));
    s.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        clearTimeout(t);
        s.destroy();
        resolve(data);
      }
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve('');
    });
  });
}

function installMariaDb(dir: string): void {
  const r = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`mariadb-install-db failed (${r.status}): ${r.stderr || r.stdout}`);
}

export async function startMariaDb(): Promise<ServiceHandle> {
  installCleanup();
  const dir = tmp('mariadb');
  dirs.add(dir);
  installMariaDb(dir);
  return startService(
    {
      name: 'mariadb',
      cmd: 'mariadbd',
      args: (port, d) => [
        '--no-defaults',
        `--datadir=${d}`,
        `--socket=${path.join(d, 's')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--skip-log-bin',
        `--pid-file=${path.join(d, 'pid')}`,
        '--innodb-buffer-pool-size=32M',
        '--innodb-flush-log-at-trx-commit=2',
        '--skip-name-resolve',
        '--max-connections=500',
      ],
      url: (port) => `mysql://root@127.0.0.1:${port}`,
      startTimeoutMs: 30_000,
    },
    dir,
  );
}
