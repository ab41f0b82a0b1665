/**
 * Drives the real `next-chat` program as a person would: one-shot runs with
 * their exit codes, and interactive sessions through piped stdin or a
 * pseudo-terminal (util-linux `script`, so no native addon is needed). Waits
 * are on output events, never on timers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../packages/cli/bin/next-chat.js', import.meta.url));

const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LANG: 'C.UTF-8' };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `next-chat ...args` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** An interactive session; `pty: true` runs it on a pseudo-terminal. */
export class CliSession {
  readonly proc: ChildProcess;
  readonly pty: boolean;
  /** Everything written so far (raw, with escape sequences on a pty). */
  raw = '';
  /** Position up to which `expect` has consumed the (plain) output. */
  #cursor = 0;
  #waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  private constructor(proc: ChildProcess, pty: boolean) {
    this.proc = proc;
    this.pty = pty;
    live.add(proc);
    const onData = (d: string) => {
      this.raw += d;
      for (const w of [...this.#waiters]) w();
    };
    proc.stdout?.setEncoding('utf8').on('data', onData);
    proc.stderr?.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) =>
      proc.once('close', (code) => {
        live.delete(proc);
        for (const w of [...this.#waiters]) w();
        resolve(code);
      }),
    );
  }

  static start(args: string[], opts: { pty?: boolean; env?: Record<string, string> } = {}): CliSession {
    const env = { ...BASE_ENV, ...(opts.pty ? { TERM: 'xterm-256color' } : { NO_COLOR: '1' }), ...opts.env };
    if (!opts.pty) {
      return new CliSession(spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] }), false);
    }
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cmd = [process.execPath, BIN, ...args].map(quote).join(' ');
    // -q quiet, -f flush each write, -e child's exit code, -c the command.
    return new CliSession(spawn('script', ['-qfec', `stty cols 200; exec ${cmd}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] }), true);
  }

  /** The output with escape sequences removed. */
  get text(): string {
    return stripAnsi(this.raw);
  }

  /** Types characters (no Enter). */
  type(chars: string): void {
    this.proc.stdin?.write(chars);
  }

  /** Types a line and Enter. */
  line(text: string): void {
    this.type(`${text}${this.pty ? '\r' : '\n'}`);
  }

  /** Closes stdin (Ctrl-D for a pipe). */
  end(): void {
    this.proc.stdin?.end();
  }

  /**
   * Waits until the output after the previous match matches `pattern`;
   * returns the output from the previous match up to the end of this one.
   */
  expect(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const find = (): string | null => {
      const text = this.text;
      const rest = text.slice(this.#cursor);
      let end = -1;
      if (typeof pattern === 'string') {
        const i = rest.indexOf(pattern);
        if (i >= 0) end = i + pattern.length;
      } else {
        const m = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(rest);
        if (m) end = m.index + m[0].length;
      }
      if (end < 0) return null;
      this.#cursor += end;
      return rest.slice(0, end);
    };
    const now = find();
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const check = () => {
        const got = find();
        if (got !== null) {
          done();
          resolve(got);
        } else if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          done();
          reject(new Error(`next-chat exited before printing ${String(pattern)}; output:\n${this.text.slice(this.#cursor)}`));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; output after the last match:\n${this.text.slice(this.#cursor)}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** Output not yet consumed by `expect`. */
  get pending(): string {
    return this.text.slice(this.#cursor);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}
