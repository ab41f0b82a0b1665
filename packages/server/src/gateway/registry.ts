/**
 * The open connections of this instance and the per-user slots that share
 * limits between a user's connections: who may connect, what each new
 * connection is given, and the bookkeeping when it closes.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import { FrameAdmission, RefusalMeter, TokenBucket } from '../rpc/rate-limit.js';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.js';
import { UserSlot } from './user-slot.js';

export class ConnectionRegistry {
  private readonly connections = new Set<Connection>();
  private readonly users = new Map<string, UserSlot>();
  private readonly limits: ConnectionLimits;

  constructor(
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly limitLog: ThrottledLog,
  ) {
    this.limits = {
      maxBufferedBytes: config.maxBufferedBytes,
      slowConsumerMs: config.slowConsumerMs,
      maxBufferedHardBytes: Math.max(config.maxBufferedHardBytes, config.maxBufferedBytes),
      maxUserBufferedBytes: config.maxUserBufferedBytes,
      maxRequestsInFlight: config.maxRequestsInFlight,
    };
  }

  get size(): number {
    return this.connections.size;
  }

  [Symbol.iterator](): IterableIterator<Connection> {
    return this.connections.values();
  }

  /** Null when the user may open another connection here; otherwise the limit. */
  refusal(userId: string): number | null {
    const max = this.config.maxConnectionsPerUser;
    return max > 0 && (this.users.get(userId)?.connections.size ?? 0) >= max ? max : null;
  }

  /** A Connection for an accepted WebSocket; `handle` gets its frames. It leaves the registry when it closes. */
  add(ws: WebSocket, socket: Duplex, userId: string, handle: FrameHandler, onClosed: (conn: Connection) => void): Connection {
    const user = this.slot(userId);
    const conn = new Connection(ws, socket, user, this.admission(user), this.limits, this.metrics, this.limitLog, handle);
    this.connections.add(conn);
    user.connections.add(conn);
    this.metrics.connections.set(this.connections.size);
    this.metrics.connectionsTotal.inc();
    ws.on('close', () => {
      conn.dispose();
      this.connections.delete(conn);
      user.connections.delete(conn);
      if (user.connections.size === 0) this.users.delete(user.userId);
      this.metrics.connections.set(this.connections.size);
      onClosed(conn);
    });
    return conn;
  }

  private slot(userId: string): UserSlot {
    let slot = this.users.get(userId);
    if (!slot) {
      const rate = this.config.userRateLimit;
      slot = new UserSlot(userId, rate > 0 ? new TokenBucket(rate, rate * 2) : undefined);
      this.users.set(userId, slot);
    }
    return slot;
  }

  private admission(user: UserSlot): FrameAdmission {
    const rate = this.config.rateLimit;
    // Refusals are tolerated for `rateLimitCloseAfterSeconds` worth of the
    // rate (500 frames at the defaults) before the connection counts as flooding.
    const meterRate = rate > 0 ? rate : this.config.userRateLimit;
    return new FrameAdmission(
      rate > 0 ? new TokenBucket(rate, rate * 2) : undefined,
      user.limiter,
      meterRate > 0 ? new RefusalMeter(meterRate, meterRate * this.config.rateLimitCloseAfterSeconds) : undefined,
    );
  }
}
