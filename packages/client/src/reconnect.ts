/**
 * Reconnect delays: exponential backoff with full jitter (AWS architecture
 * blog, "Exponential Backoff And Jitter"): the n-th delay is uniform in
 * [0, min(maxDelayMs, initialDelayMs * factor^(n-1))]. Full jitter spreads a
 * crowd of clients dropped by one hub restart instead of having them all
 * knock again at the same instants.
 */

export interface BackoffOptions {
  /**
   * Upper bound of the first delay, in ms.
   * @default 500
   */
  initialDelayMs?: number;
  /**
   * Cap of every delay, in ms.
   * @default 30000
   */
  maxDelayMs?: number;
  /**
   * Growth of the bound per attempt.
   * @default 2
   */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
});

/** The upper bound of the delay before attempt `attempt` (1-based). */
export function backoffCeiling(attempt: number, opts: Required<BackoffOptions>): number {
  const n = Math.max(1, Math.floor(attempt));
  // Capping the exponent keeps factor^n finite for absurd attempt counts.
  const exp = Math.min(n - 1, 64);
  return Math.min(opts.maxDelayMs, opts.initialDelayMs * Math.pow(opts.factor, exp));
}

/** Full-jitter delay before attempt `attempt` (1-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, opts: Required<BackoffOptions>, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, opts));
}

/** Counts attempts between successes and hands out their delays. */
export class Backoff {
  readonly #opts: Required<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}, random: () => number = Math.random) {
    this.#opts = { ...DEFAULT_BACKOFF, ...definedOnly(opts) };
    if (!(this.#opts.initialDelayMs >= 0) || !(this.#opts.maxDelayMs >= 0) || !(this.#opts.factor >= 1)) {
      throw new TypeError('backoff: initialDelayMs and maxDelayMs must be >= 0 and factor >= 1');
    }
    this.#random = random;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Starts the next attempt; returns its number (1-based) and delay. */
  next(): { attempt: number; delayMs: number } {
    this.#attempt++;
    return { attempt: this.#attempt, delayMs: backoffDelay(this.#attempt, this.#opts, this.#random) };
  }

  /** Call after a connection succeeded. */
  reset(): void {
    this.#attempt = 0;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
