/**
 * A load generator child process (loadgen.ts) and its IPC requests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Event } from './loadgen.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));

type EvName = Event['ev'];
type EventOf<E extends EvName> = Extract<Event, { ev: E }>;

export class Gen {
  private readonly child: ChildProcess;
  private readonly waiters: { ev: EvName; resolve: (e: Event) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private exited = false;

  constructor(readonly name: string) {
    this.child = fork(LOADGEN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
    this.child.on('message', (e: Event) => {
      if (e.ev === 'error') return this.failAll(new Error(`${name}: ${e.message}`));
      const i = this.waiters.findIndex((w) => w.ev === e.ev);
      if (i < 0) return;
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w.timer);
      w.resolve(e);
    });
    this.child.once('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`${name} exited (${code})`));
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private failAll(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Sends `cmd` and resolves with the next `ev` event (rejects after timeoutMs). */
  request<E extends EvName>(cmd: Command, ev: E, timeoutMs: number): Promise<EventOf<E>> {
    const p = new Promise<EventOf<E>>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`${this.name}: no '${ev}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ ev, resolve: resolve as (e: Event) => void, reject, timer });
    });
    this.child.send(cmd);
    return p;
  }

  tell(cmd: Command): void {
    this.child.send(cmd);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    try {
      this.child.send({ cmd: 'close' });
    } catch {
      /* channel closed */
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}
