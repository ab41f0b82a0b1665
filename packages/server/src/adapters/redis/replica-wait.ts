/**
 * Group commit of Redis WAIT (NEXT_CHAT_REDIS_WAIT_REPLICAS): a write is
 * answered only once `replicas` replicas have acknowledged it, so that an
 * acknowledged message survives the loss of the primary (docs/architecture.md,
 * "Sentinel, failover and durability").
 *
 * WAIT confirms the writes made earlier on the connection it is sent on, and
 * blocks that connection while it waits: so the writes it covers run on one
 * connection of their own (role 'durable'), and one WAIT covers every write
 * whose reply arrived before it was sent. A caller whose write completed joins
 * the next WAIT not yet sent; at most one WAIT is in flight, so under load a
 * WAIT covers a batch of writes and costs one replication round trip for all
 * of them, not one each.
 */
import { errors } from '@next-chat/core';
import type { RedisClient } from './connection.js';
import { toRpcError } from './connection.js';

export interface ReplicaWaitOptions {
  /** The connection the covered writes were made on (WAIT is per connection). */
  redis: RedisClient;
  /** Replicas that must acknowledge; > 0. */
  replicas: number;
  /** ms WAIT may take before too few replicas means 4503. */
  timeoutMs: number;
  /**
   * A channel nobody listens to: a write that found its effect already made
   * (a retried send, an unchanged edit) made no write itself, and the one that
   * did may have been on another connection (or another hub) and never
   * confirmed; a PUBLISH on it is replicated, so the next WAIT then covers
   * everything the primary had when it ran.
   */
  markChannel: string;
  /** Counts the WAITs sent and the writes they covered, and failures. */
  onWait?: (o: { writes: number; acked: number; ok: boolean; ms: number }) => void;
}

interface Waiter {
  /** The connection's epoch when the write was sent. */
  epoch: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ReplicaWait {
  /** Callers for the next WAIT, not sent yet. */
  private next: Waiter[] = [];
  /** The next WAIT must be preceded by a replicated write (see markChannel). */
  private mark = false;
  private inFlight = false;
  private closes = 0;

  constructor(private readonly o: ReplicaWaitOptions) {
    if (o.replicas < 1) throw new Error('ReplicaWait needs at least one replica');
    // WAIT counts the writes of its own connection only: one sent (or resent
    // by ioredis) after a reconnect, maybe to a newly promoted primary, would
    // confirm nothing of a write made before. Each close starts an epoch.
    o.redis.on('close', () => this.closes++);
  }

  /** Read it before sending a write; hand it to confirm() after: a reconnect in between makes the confirmation fail. */
  get epoch(): number {
    return this.closes;
  }

  /**
   * Resolves once a WAIT sent after this call has seen `replicas` replicas
   * acknowledge; rejects with RpcError 4503 when fewer did within the timeout
   * or Redis failed, or the connection was made again since `epoch` (the
   * value of {@link epoch} before the write; default: now). Call it after the
   * write's reply arrived. `unwritten`: the write changed nothing (its effect
   * was there already), so the WAIT must also cover writes made elsewhere.
   */
  confirm(o: { epoch?: number; unwritten?: boolean } = {}): Promise<void> {
    if (o.unwritten) this.mark = true;
    const epoch = o.epoch ?? this.closes;
    const p = new Promise<void>((resolve, reject) => this.next.push({ epoch, resolve, reject }));
    this.send();
    return p;
  }

  private send(): void {
    if (this.inFlight || this.next.length === 0) return;
    const batch = this.next;
    const mark = this.mark;
    this.next = [];
    this.mark = false;
    this.inFlight = true;
    const t0 = performance.now();
    void this.wait(mark).then(
      (acked) => {
        const ok = acked >= this.o.replicas;
        this.o.onWait?.({ writes: batch.length, acked, ok, ms: performance.now() - t0 });
        const err = ok ? undefined : errors.unavailable(`replication (${acked} of ${this.o.replicas} replicas confirmed)`);
        const moved = errors.unavailable('replication (the connection to Redis was made again)');
        for (const w of batch) {
          if (err) w.reject(err);
          else if (w.epoch !== this.closes) w.reject(moved);
          else w.resolve();
        }
      },
      (e: unknown) => {
        this.o.onWait?.({ writes: batch.length, acked: 0, ok: false, ms: performance.now() - t0 });
        const err = toRpcError(e);
        for (const w of batch) w.reject(err);
      },
    ).finally(() => {
      this.inFlight = false;
      this.send();
    });
  }

  private async wait(mark: boolean): Promise<number> {
    const r = this.o.redis;
    if (mark) await r.publish(this.o.markChannel, '');
    return Number(await r.call('WAIT', this.o.replicas, this.o.timeoutMs));
  }
}
