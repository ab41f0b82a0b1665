/**
 * Fan-out reader, blocking variant (NEXT_CHAT_FANOUT=block): ONE blocking XREAD over the streams of every group this
 * hub has local subscribers for, on its own connection. When the set of
 * groups changes, the pending XREAD is woken with CLIENT UNBLOCK so a newly
 * subscribed group's first message does not wait for the block timeout.
 * Each group has a cursor (the last id delivered); entries are delivered in
 * stream order, each exactly once, and never at or below the cursor the group
 * was (re)subscribed with. docs/architecture.md has the measurements.
 */
import { compareMessageIds, ZERO_ID } from '@next-chat/core';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { connectRedis, sleep } from './connection.js';
import type { RedisKeys } from './keys.js';

export type StreamEntry = [id: string, fields: string[]];
export type EntryHandler = (groupId: string, id: string, fields: string[]) => void;

/** What the broker needs of a fan-out reader (this one, or NotifyReader). */
export interface GroupReader {
  readonly size: number;
  start(): void;
  /** Adds a group to the read set; resolves with the cursor it starts after. */
  add(groupId: string): Promise<string>;
  remove(groupId: string): void;
  /**
   * Resolves once every entry of the group up to `id` has been handed to the
   * handler (at once when the group is not in the read set), or after
   * `timeoutMs` at the latest.
   */
  delivered(groupId: string, id: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Callers waiting for a group's cursor to reach an id. History reads use it
 * so that what they return has already been handed to the fan-out: a join
 * that reads the log and then goes live never gets a late notification of
 * something its history already held.
 */
export class DeliveryWaiters {
  private readonly byGroup = new Map<string, { id: string; done: () => void }[]>();

  wait(groupId: string, id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const list = this.byGroup.get(groupId) ?? [];
      const entry = { id, done: () => {} };
      const timer = setTimeout(() => entry.done(), timeoutMs);
      entry.done = () => {
        clearTimeout(timer);
        const l = this.byGroup.get(groupId);
        if (l) {
          const i = l.indexOf(entry);
          if (i >= 0) l.splice(i, 1);
          if (l.length === 0) this.byGroup.delete(groupId);
        }
        resolve();
      };
      list.push(entry);
      this.byGroup.set(groupId, list);
    });
  }

  /** The group's cursor moved to `cursor` (or the group left the read set: null). */
  advanced(groupId: string, cursor: string | null): void {
    const list = this.byGroup.get(groupId);
    if (!list) return;
    for (const w of [...list]) if (cursor === null || compareMessageIds(w.id, cursor) <= 0) w.done();
  }

  releaseAll(): void {
    for (const list of [...this.byGroup.values()]) for (const w of [...list]) w.done();
  }
}

export interface StreamReaderOptions {
  url: string;
  /** Connection for XREVRANGE and CLIENT UNBLOCK (the request connection). */
  commands: Redis;
  keys: RedisKeys;
  onEntry: EntryHandler;
  logger: Logger;
  metrics: Metrics;
  /** @default 5000 — ms one XREAD blocks; bounds a missed wake-up. */
  blockMs?: number;
  /** @default 500 — entries per stream per read. */
  count?: number;
}

export class StreamReader implements GroupReader {
  private readonly cursors = new Map<string, string>();
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
  private readonly waiters = new DeliveryWaiters();

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
    const top = (await this.o.commands.xrevrange(this.o.keys.stream(groupId), '+', '-', 'COUNT', 1)) as StreamEntry[];
    const again = this.cursors.get(groupId);
    if (again !== undefined) return again;
    const cursor = top.length > 0 ? top[0][0] : ZERO_ID;
    this.cursors.set(groupId, cursor);
    this.changed(true);
    return cursor;
  }

  /** Stops reading a group; entries of an in-flight read for it are dropped. */
  remove(groupId: string): void {
    if (this.cursors.delete(groupId)) this.changed(false);
    this.waiters.advanced(groupId, null);
  }

  delivered(groupId: string, id: string, timeoutMs: number): Promise<void> {
    const cursor = this.cursors.get(groupId);
    if (cursor === undefined || compareMessageIds(id, cursor) <= 0) return Promise.resolve();
    return this.waiters.wait(groupId, id, timeoutMs);
  }

  async close(): Promise<void> {
    this.waiters.releaseAll();
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
      if (reply) this.deliver(reply as [string, StreamEntry[]][]);
    }
  }

  private deliver(reply: [string, StreamEntry[]][]): void {
    let newestMs = 0;
    for (const [key, entries] of reply) {
      const groupId = this.o.keys.groupOfStream(key);
      for (const [id, fields] of entries) {
        // Re-read per entry: a handler may unsubscribe or the group may be re-added.
        const cursor = this.cursors.get(groupId);
        if (cursor === undefined) break;
        if (compareMessageIds(id, cursor) <= 0) continue;
        this.cursors.set(groupId, id);
        const ms = Number(id.slice(0, id.indexOf('-')));
        if (ms > newestMs) newestMs = ms;
        try {
          this.o.onEntry(groupId, id, fields);
        } catch (err) {
          this.o.logger.error({ err, groupId, id }, 'message handler threw');
        }
      }
      const cursor = this.cursors.get(groupId);
      if (cursor !== undefined) this.waiters.advanced(groupId, cursor);
    }
    if (newestMs > 0) this.o.metrics.streamReadLag.set(Math.max(0, Date.now() - newestMs) / 1000);
  }
}
