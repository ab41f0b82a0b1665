/**
 * Warn/error lines that an attacker or an outage cannot turn into a flood of
 * log: at most one line per kind per interval; the next line says how many
 * were left out meanwhile.
 */
import type { Logger } from './logger.js';

type Level = 'warn' | 'error' | 'info';

export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `msg` under `kind` unless a line of that kind went out less than the interval ago. */
  write(level: Level, kind: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const seen = this.last.get(kind);
    if (seen && t - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(kind, { at: t, suppressed: 0 });
    this.log[level]({ kind, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
  }
}
