/**
 * One log line when a backend becomes unreachable and one when it is back,
 * with a reminder at most every 30 s in between: an outage is visible in
 * the log without flooding it, and its end says how long it lasted.
 */
import type { Logger } from './logger.js';

export class Reachability {
  private downSince: number | undefined;
  private lastReminder = 0;
  private failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly backend: 'redis' | 'mysql',
    /** What the hub does meanwhile, for the first line ("history waits in Redis"). */
    private readonly meanwhile: string,
    private readonly reminderMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    const t = this.now();
    const error = err instanceof Error ? err.message : String(err);
    this.failures++;
    if (this.downSince === undefined) {
      this.downSince = t;
      this.lastReminder = t;
      this.log.error({ backend: this.backend, error, ...fields }, `${this.backend} unreachable: ${this.meanwhile}`);
    } else if (t - this.lastReminder >= this.reminderMs) {
      this.lastReminder = t;
      this.log.warn({ backend: this.backend, error, downForMs: t - this.downSince, failures: this.failures, ...fields }, `${this.backend} still unreachable`);
    }
  }

  ok(fields: Record<string, unknown> = {}): void {
    if (this.downSince === undefined) return;
    const downForMs = this.now() - this.downSince;
    this.downSince = undefined;
    this.log.warn({ backend: this.backend, downForMs, failures: this.failures, ...fields }, `${this.backend} reachable again`);
    this.failures = 0;
  }
}
