/**
 * Throwaway redis-server and mariadbd for the benchmark: free ports on
 * 127.0.0.1, data in mkdtemp directories, killed and removed when the bench
 * exits. The machine's own services (6379, 3306) are never touched.
 * (tests/integration/setup/services.ts does the same for tests; this copy
 * sizes MariaDB for a million rows and keeps Redis free of persistence.)
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

export interface Service {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function launch(cmd: string, args: (port: number) => string[], dir: string, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let out = '';
    const child = spawn(cmd, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.on('error', (e) => (out += `spawn error: ${e.message}\n`));
    child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await canConnect(port)) return { child, port };
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    if (attempt === 2) throw new Error(`${cmd} did not listen within ${timeoutMs} ms:\n${out}`);
  }
  throw new Error('unreachable');
}

function handle(child: ChildProcess, port: number, url: string, dir: string): Service {
  return {
    url,
    port,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

export async function startRedis(): Promise<Service> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-bench-redis-'));
  dirs.add(dir);
  const { child, port } = await launch(
    'redis-server',
    (p) => ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'no', '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'],
    dir,
    10_000,
  );
  return handle(child, port, `redis://127.0.0.1:${port}`, dir);
}

export async function startMariaDb(): Promise<Service> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nc-bench-mariadb-'));
  dirs.add(dir);
  const r = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`mariadb-install-db failed (${r.status}): ${r.stderr || r.stdout}`);
  const { child, port } = await launch(
    'mariadbd',
    (p) => [
      '--no-defaults',
      `--datadir=${dir}`,
      `--socket=${path.join(dir, 's')}`,
      `--port=${p}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      `--pid-file=${path.join(dir, 'pid')}`,
      '--innodb-buffer-pool-size=512M',
      '--innodb-log-file-size=256M',
      '--innodb-flush-log-at-trx-commit=2',
      '--skip-name-resolve',
      '--max-connections=200',
      '--max-allowed-packet=64M',
    ],
    dir,
    60_000,
  );
  return handle(child, port, `mysql://root@127.0.0.1:${port}`, dir);
}
