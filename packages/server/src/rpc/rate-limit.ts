/**
 * Token bucket: `rate` tokens a second, holding at most `burst`. One per
 * request. Lazy refill on take, so an idle connection costs nothing.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** 0 when a token was taken; otherwise ms until one will be there. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }
}

/**
 * A leaky bucket of refusals: each refused frame adds one, the level drains
 * at `rate` a second. A client that waits `retryAfterMs` as told stays near
 * zero; one that keeps sending while refused fills it.
 */
export class RefusalMeter {
  private level = 0;
  private last: number;

  constructor(
    private readonly rate: number,
    /** Refusals the bucket holds before the client counts as flooding. */
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Records one refusal; true when the bucket has overflowed. */
  refuse(): boolean {
    const t = this.now();
    this.level = Math.max(0, this.level - ((t - this.last) * this.rate) / 1000) + 1;
    this.last = t;
    return this.level > this.capacity;
  }
}

export type Admission =
  | { ok: true }
  /** `flooding`: far over the limit for long; the connection is to be closed. */
  | { ok: false; retryAfterMs: number; limit: 'rate' | 'user_rate'; flooding: boolean };

const ADMITTED: Admission = { ok: true };

/**
 * Whether one incoming frame may be handled: a token from the connection's
 * bucket and one from its user's (shared by the user's connections on this
 * instance). Every frame counts, before any parsing, so garbage costs the
 * sender the same budget as requests.
 */
export class FrameAdmission {
  constructor(
    private readonly connection: TokenBucket | undefined,
    private readonly user: TokenBucket | undefined,
    private readonly refusals: RefusalMeter | undefined,
  ) {}

  admit(): Admission {
    let wait = this.connection?.take() ?? 0;
    let limit: 'rate' | 'user_rate' = 'rate';
    if (wait === 0) {
      wait = this.user?.take() ?? 0;
      limit = 'user_rate';
    }
    if (wait === 0) return ADMITTED;
    return { ok: false, retryAfterMs: wait, limit, flooding: this.refusals?.refuse() ?? false };
  }
}
