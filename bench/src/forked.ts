/**
 * A child process of the bench (a load generator, an abuse agent) and its
 * IPC requests: send a command, wait for the next event of a kind.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface WithEv {
  ev: string;
  message?: string;
}

export class Forked<Cmd, Ev extends WithEv> {
  private readonly child: ChildProcess;
  private readonly waiters: { ev: Ev['ev']; resolve: (e: Ev) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private exited = false;

  constructor(
    readonly name: string,
    module: string,
    execArgv: string[] = [],
  ) {
    this.child = fork(module, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    this.child.on('message', (e: Ev) => {
      if (e.ev === 'error') return this.failAll(new Error(`${name}: ${e.message}`));
      const i = this.waiters.findIndex((w) => w.ev === e.ev);
      if (i < 0) return;
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(e);
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
  request<E extends Ev['ev']>(cmd: Cmd, ev: E, timeoutMs: number): Promise<Extract<Ev, { ev: E }>> {
    const p = new Promise<Extract<Ev, { ev: E }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`${this.name}: no '${ev}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ ev, resolve: resolve as (e: Ev) => void, reject, timer });
    });
    this.child.send(cmd as object);
    return p;
  }

  tell(cmd: Cmd): void {
    this.child.send(cmd as object);
  }

  /** Asks the child to close (`{cmd: 'close'}`), killing it after 3 s. */
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
