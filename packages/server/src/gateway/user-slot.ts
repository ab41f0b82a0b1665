/**
 * What one user holds on this instance: their open connections and the
 * request budget those connections share, so a user cannot multiply the
 * per-connection limits by opening more sockets.
 */
import type { TokenBucket } from '../rpc/rate-limit.js';

export interface BufferedConnection {
  readonly bufferedBytes: number;
}

export class UserSlot {
  readonly connections = new Set<BufferedConnection>();

  constructor(
    readonly userId: string,
    /** Absent when the per-user rate limit is off. */
    readonly limiter: TokenBucket | undefined,
  ) {}

  /** Outgoing bytes queued over all of the user's connections here. */
  bufferedBytes(): number {
    let total = 0;
    for (const c of this.connections) total += c.bufferedBytes;
    return total;
  }
}
