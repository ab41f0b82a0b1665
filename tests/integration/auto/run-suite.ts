/**
 * Runs the built black-box suite (`node tests/auto/bin/next-chat-auto.js --json`)
 * as a child process and parses its JSON lines. The suite is built by
 * `npm test` (tsc -b) before vitest starts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../auto/bin/next-chat-auto.js', import.meta.url));

export interface SuiteLine {
  check: string;
  group: string;
  status: 'pass' | 'fail' | 'skip';
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
  metrics?: Record<string, number>;
}

export interface SuiteRun {
  code: number | null;
  outcomes: SuiteLine[];
  lastLine: string;
  stdout: string;
  stderr: string;
}

/** Lenient load numbers: the 2-core test machine runs other suites in parallel; correctness is the point here. */
export const LENIENT = [
  '--load-rate', '60',
  '--load-seconds', '3',
  '--max-mean-latency-ms', '3000',
  '--max-p99-latency-ms', '10000',
  '--timeout-ms', '20000',
];

export function runSuite(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, '--json', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the suite did not finish within ${timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.once('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      const outcomes: SuiteLine[] = [];
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        const v = JSON.parse(l) as Partial<SuiteLine> & { info?: string };
        if (v.check !== undefined) outcomes.push(v as SuiteLine);
      }
      resolve({ code, outcomes, lastLine: lines[lines.length - 1] ?? '', stdout, stderr });
    });
  });
}

/** `group/check: error` of every failed check, for a readable assertion. */
export function failures(run: SuiteRun): string[] {
  return run.outcomes.filter((o) => o.status === 'fail').map((o) => `${o.group}/${o.check}: ${o.error}`);
}
