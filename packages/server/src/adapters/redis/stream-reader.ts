/**
 * Fan-out reader, blocking variant (NEXT_CHAT_FANOUT=block): ONE blocking XREAD over the streams of every group this
 * hub has local subscribers for, on its own connection. When the set of
 * groups changes, the pending XREAD is woken with CLIENT UNBLOCK so a newly
 * subscribed group's first message does not wait for the block timeout.
 * Each group has a cursor (the last id delivered); entries are delivered in
 * stream order, each exactly once, and never at or below the cursor the group
 * was (re)subscribed with. docs/architecture.md has the measurements.
 */
import type { Redis } from 'ioredis';
import { connectRedis, sleep } from './connection.js';
import { GapDetector } from './gap-check.js';
import { deliverRead, startReading, type ReaderOptions } from './deliver-read.js';

export type StreamEntry = [id: string, fields: string[]];
export type EntryHandler = (groupId: string, id: string, fields: string[]) => void;

/** What the broker needs of a fan-out reader (this one, or NotifyReader). */
export interface GroupReader {
  readonly size: number;
  start(): void;
  /** Adds a group to the read set; resolves with the cursor it starts after. */
  add(groupId: string): Promise<string>;
  remove(groupId: string): void;
  close(): Promise<void>;
}

export interface StreamReaderOptions extends ReaderOptions {
  /** @default 5000 — ms one XREAD blocks; bounds a missed wake-up. */
  blockMs?: number;
}

export class StreamReader implements GroupReader {
  readonly cursors = new Map<string, string>();
  readonly gaps = new GapDetector();
  private readonly conn: Redis;
  private readonly abort = new AbortController();
  private readonly blockMs: number;
  private readonly count: number;
  /** Bumped on every change of the group set. */
  private generation = 0;
  /** Generation of the group set the in-flight XREAD was built from; -1 when none is in flight. */
  private inFlight = -1;
  private clientId: number | null = null;
  private wakeIdle: (() => void) | null = null;
  private unblocking = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly o: StreamReaderOptions) {
    this.blockMs = o.blockMs ?? 5000;
    this.count = o.count ?? 500;
    // No retry queueing: a failed read is retried by the loop from the cursors.
    this.conn = connectRedis(o.url, 'reader', o, { commandTimeout: this.blockMs + 5000, maxRetriesPerRequest: 0 });
    this.conn.on('ready', () => {
      this.conn
        .client('ID')
        .then((id) => {
          this.clientId = Number(id);
        })
        .catch(() => {});
    });
  }

  get size(): number {
    return this.cursors.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Adds a group to the read set with its stream's current top id as cursor
   * and resolves with that id. Already present: resolves with its cursor
   * (every entry up to it has been delivered, every later one will be).
   */
  async add(groupId: string): Promise<string> {
    const have = this.cursors.get(groupId);
    if (have !== undefined) return have;
    const { cursor, added } = await startReading(this, this.o, groupId);
    if (added) this.changed(true);
    return cursor;
  }

  /** Stops reading a group; entries of an in-flight read for it are dropped. */
  remove(groupId: string): void {
    this.gaps.forget(groupId);
    if (this.cursors.delete(groupId)) this.changed(false);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.wakeIdle?.();
    this.conn.disconnect();
    await this.loop?.catch(() => {});
  }

  private changed(wake: boolean): void {
    this.generation++;
    this.o.metrics.subscribedGroups.set(this.cursors.size);
    this.wakeIdle?.();
    // A removed group costs one extra read of nothing; only additions wake.
    if (wake) void this.unblock();
  }

  /**
   * Wakes the blocked XREAD so it is rebuilt with the new set. The XREAD may
   * still be on its way to Redis (CLIENT UNBLOCK then finds nothing blocked),
   * so retry briefly until the in-flight read is one built from the current set.
   */
  private async unblock(): Promise<void> {
    if (this.unblocking) return;
    this.unblocking = true;
    try {
      for (let attempt = 0; attempt < 12; attempt++) {
        if (this.inFlight === -1 || this.inFlight >= this.generation || this.clientId === null) return;
        const n = await this.o.commands.client('UNBLOCK', this.clientId).catch(() => 0);
        if (Number(n) === 1) return;
        await sleep(Math.min(2 ** attempt, 50));
      }
    } finally {
      this.unblocking = false;
      // A change that arrived while we were busy gets its own wake-up.
      if (this.inFlight !== -1 && this.inFlight < this.generation && !this.abort.signal.aborted) {
        setImmediate(() => void this.unblock());
      }
    }
  }

  private async run(): Promise<void> {
    let backoff = 50;
    const signal = this.abort.signal;
    for (;;) {
      if (signal.aborted) return;
      if (this.cursors.size === 0) {
        await new Promise<void>((resolve) => (this.wakeIdle = resolve));
        this.wakeIdle = null;
        continue;
      }
      const groups = [...this.cursors.keys()];
      const args: (string | number)[] = ['COUNT', this.count, 'BLOCK', this.blockMs, 'STREAMS'];
      for (const g of groups) args.push(this.o.keys.stream(g));
      for (const g of groups) args.push(this.cursors.get(g)!);
      this.inFlight = this.generation;
      let reply: unknown;
      try {
        this.o.metrics.streamReads.inc();
        reply = await this.conn.call('XREAD', ...args);
        backoff = 50;
      } catch (err) {
        this.inFlight = -1;
        if (signal.aborted) return;
        this.o.metrics.backendErrors.inc({ backend: 'redis' });
        this.o.logger.debug({ err: (err as Error).message }, 'stream read failed; retrying');
        // A timed-out XREAD is still queued in a stalled Redis; a fresh
        // connection keeps stale blocking reads from stacking up behind it.
        if (/timed out/i.test((err as Error).message)) this.conn.disconnect(true);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      this.inFlight = -1;
      if (reply) {
        this.deliver(reply as [string, StreamEntry[]][]);
      }
    }
  }

  private deliver(reply: [string, StreamEntry[]][]): void {
    deliverRead(reply, this, this.o);
  }
}
