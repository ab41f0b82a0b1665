#!/usr/bin/env node
/**
 * npm run cluster: a throwaway local cluster. Starts redis-server and mariadbd
 * from PATH on free ports with data in a temporary directory, runs the
 * configurator, then N hubs on consecutive ports (5000, 5001, 5002 by
 * default). Ctrl-C stops everything and removes the directory.
 *
 *   npm run cluster                       # three hubs on 5000-5002
 *   npm run cluster -- --hubs 2 --base-port 6000
 *   npm run cluster -- --no-mysql         # history in the Redis streams only
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// mariadbd and mariadb-install-db live in /usr/sbin on Debian, which a
// non-root PATH often lacks.
for (const dir of ['/usr/sbin', '/usr/local/sbin']) {
  if (!(process.env.PATH ?? '').split(':').includes(dir)) process.env.PATH = `${process.env.PATH ?? ''}:${dir}`;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : def;
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run cluster -- [--hubs N (3)] [--base-port P (5000)] [--host H (127.0.0.1)] [--no-mysql]\n' +
      'Starts throwaway redis-server and mariadbd, the configurator and N hubs; Ctrl-C stops all.\n',
  );
  process.exit(0);
}
const hubCount = Number(opt('hubs', '3'));
const basePort = Number(opt('base-port', process.env.NEXT_CHAT_PORT ?? '5000'));
const host = opt('host', '127.0.0.1');
const withMysql = !args.includes('--no-mysql');
if (!Number.isInteger(hubCount) || hubCount < 1 || hubCount > 50) fail('--hubs must be an integer from 1 to 50');
if (!Number.isInteger(basePort) || basePort < 1 || basePort + hubCount - 1 > 65535) fail('--base-port must be a port number');

const dir = mkdtempSync(path.join(os.tmpdir(), 'next-chat-cluster-'));
const children = [];
let stopping = false;

function fail(msg) {
  process.stderr.write(`cluster: ${msg}\n`);
  process.exit(2);
}

function log(msg) {
  process.stdout.write(`[cluster] ${msg}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portTaken(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitForPort(port, child, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await portTaken(port)) return;
    if (Date.now() > deadline) throw new Error(`${what} not listening on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Spawns a child whose output is prefixed with its name. */
function run(name, cmd, argv, env = {}) {
  // Own process group: Ctrl-C reaches only this script, which stops the
  // children in order (hubs drain into history before MySQL and Redis go).
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.name = name;
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        process.stdout.write(`[${name}] ${buf.slice(0, nl)}\n`);
        buf = buf.slice(nl + 1);
      }
    });
  }
  child.on('error', (err) => log(`${name} could not start: ${err.message}`));
  child.on('exit', (code, signal) => {
    if (!stopping && name !== 'configurator') log(`${name} exited (${code ?? signal})`);
  });
  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  // Hubs first (they drain into history), then MySQL and Redis.
  for (const group of [children.filter((c) => c.name.startsWith('hub')), children.filter((c) => !c.name.startsWith('hub'))]) {
    await Promise.all(
      group.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
        await exited(c);
        clearTimeout(t);
      }),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  log(`stopped; removed ${dir}`);
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function main() {
  for (let i = 0; i < hubCount; i++) {
    if (await portTaken(basePort + i)) throw new Error(`port ${basePort + i} is in use; pick another with --base-port`);
  }

  const redisPort = await freePort();
  const redisDir = path.join(dir, 'redis');
  spawnSync('mkdir', ['-p', redisDir]);
  const redis = run('redis', 'redis-server', [
    '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir,
    '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
  ]);
  await waitForPort(redisPort, redis, 'redis-server', 15_000);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  log(`redis-server on ${redisUrl}`);

  let mysqlUrl;
  if (withMysql) {
    const mysqlPort = await freePort();
    const dataDir = path.join(dir, 'mariadb');
    const inst = spawnSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
      { encoding: 'utf8' },
    );
    if (inst.status !== 0) throw new Error(`mariadb-install-db failed: ${inst.error?.message ?? inst.stderr}`);
    const maria = run('mariadb', 'mariadbd', [
      '--no-defaults', `--datadir=${dataDir}`, `--socket=${path.join(dataDir, 's')}`, `--port=${mysqlPort}`,
      '--bind-address=127.0.0.1', '--user=root', '--skip-log-bin', `--pid-file=${path.join(dataDir, 'pid')}`,
    ]);
    await waitForPort(mysqlPort, maria, 'mariadbd', 30_000);
    mysqlUrl = `mysql://root@127.0.0.1:${mysqlPort}/nextchat`;
    log(`mariadbd on ${mysqlUrl}`);
    const cfg = run('configurator', process.execPath, [path.join(root, 'configurator/bin/next-chat-configurator.js')], {
      NEXT_CHAT_MYSQL_URL: mysqlUrl,
    });
    await exited(cfg);
    if (cfg.exitCode !== 0) throw new Error(`configurator exited with ${cfg.exitCode}`);
  }

  const hubs = [];
  for (let i = 0; i < hubCount; i++) {
    const port = basePort + i;
    const env = {
      NEXT_CHAT_PORT: String(port),
      NEXT_CHAT_HOST: host,
      NEXT_CHAT_REDIS_URL: redisUrl,
      NEXT_CHAT_INSTANCE_ID: `hub-${i}`,
    };
    if (mysqlUrl) env.NEXT_CHAT_MYSQL_URL = mysqlUrl;
    const hub = run(`hub-${i}`, process.execPath, [path.join(root, 'packages/server/bin/next-chat-server.js')], env);
    hubs.push({ hub, port });
  }
  await Promise.all(hubs.map(({ hub, port }) => waitForPort(port, hub, hub.name, 30_000)));
  log(`${hubCount} hub(s) ready:`);
  for (const { port } of hubs) log(`  ws://${host}:${port}/next-chat   http://${host}:${port}/metrics`);
  log(`data in ${dir}; Ctrl-C stops everything and removes it`);
}

main().catch((err) => {
  log(`failed: ${err.message}`);
  void stopAll(1);
});
