/**
 * Server processes under test (hubs, Socket.IO servers, the raw ws
 * broadcast), each resolved once it logs a JSON line with msg 'listening'
 * and a port; and their CPU time and peak RSS from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HUB_BIN = fileURLToPath(new URL('../../packages/server/bin/next-chat-server.js', import.meta.url));
export const CONFIGURATOR_BIN = fileURLToPath(new URL('../../configurator/bin/next-chat-configurator.js', import.meta.url));
export const SIO_SERVER = fileURLToPath(new URL('./sio-server.js', import.meta.url));
export const WS_SERVER = fileURLToPath(new URL('./ws-server.js', import.meta.url));

export interface ServerProc {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  urlOf: (port: number) => string,
  nodeArgs: string[] = [],
  timeoutMs = 20_000,
): Promise<ServerProc> {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    const onLine = (line: string) => {
      if (logs.length < 200) logs.push(line);
      if (!line.includes('"listening"')) return;
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === 'listening' && typeof rec.port === 'number') {
          clearTimeout(timer);
          resolve(rec.port);
        }
      } catch {
        /* not JSON */
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
        if (buf.length > 100_000) buf = '';
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    name,
    pid: proc.pid as number,
    port,
    url: urlOf(port),
    logs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Every per-connection and per-user limit of the hub turned off. The
 * throughput scenarios run many connections per user (the fan-out sender's
 * window, one admin creating 100 groups, tens of thousands of frames per
 * second per connection); the hub's abuse limits would refuse or close them
 * and the figures would stop being comparable with earlier runs. Hubs that
 * do not know one of these variables ignore it.
 */
export const LIMITS_OFF: Readonly<Record<string, string>> = {
  NEXT_CHAT_RATE_LIMIT: '0',
  NEXT_CHAT_USER_RATE_LIMIT: '0',
  NEXT_CHAT_GROUP_CREATE_LIMIT: '0',
  NEXT_CHAT_MAX_GROUPS_PER_USER: '0',
  NEXT_CHAT_MAX_CONNECTIONS_PER_USER: '0',
};

/**
 * A hub on a free port of 127.0.0.1. `limits: 'off'` (the throughput
 * scenarios) adds LIMITS_OFF; `limits: 'default'` (the abuse scenario) passes
 * only port, host, instance and log settings, so the hub runs with the limits
 * it ships with. `env` wins over both.
 */
export function startHubProc(name: string, env: Record<string, string>, nodeArgs: string[] = [], limits: 'off' | 'default' = 'off'): Promise<ServerProc> {
  return startServer(
    name,
    HUB_BIN,
    {
      NEXT_CHAT_PORT: '0',
      NEXT_CHAT_HOST: '127.0.0.1',
      NEXT_CHAT_LOG_LEVEL: 'info',
      NEXT_CHAT_INSTANCE_ID: name,
      ...(limits === 'off' ? LIMITS_OFF : {}),
      ...env,
    },
    (port) => `ws://127.0.0.1:${port}/next-chat`,
    nodeArgs,
  );
}

const CLK_TCK = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Peak resident set size so far, bytes. */
export function peakRss(pid: number): number {
  return statusKb(pid, 'VmHWM') * 1024;
}

/** Current resident set size, bytes. */
export function rss(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

/** Busy CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) / CLK_TCK;
  } catch {
    return 0;
  }
}
