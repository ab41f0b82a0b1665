/**
 * Fan-out reader, notification-driven (the default; docs/architecture.md has
 * the measurements that chose it over one blocking XREAD of every subscribed
 * stream). The publish script PUBLISHes each new id on the group's channel
 * `<prefix>:{g}:notify`; this hub SUBSCRIBEs to the channels of the groups it
 * has local subscribers for, marks a group dirty when its channel speaks, and
 * reads only the dirty groups' streams, from their cursors, with one
 * non-blocking XREAD per batch of up to `batchGroups` groups. A read cycle
 * costs O(groups with news), not O(subscribed groups).
 *
 * Pub/sub is at-most-once, the streams are not: notifications only say
 * "look". A lost one (reconnect, slow subscriber dropped by Redis) is caught
 * by re-reading every subscribed group after each reconnect and by a sweep
 * every `sweepMs`; order and exactly-once come from the per-group cursors.
 */
import { compareMessageIds, isMessageId } from '@next-chat/core';
import type { Redis } from 'ioredis';
import { COMMAND_TIMEOUT_MS, connectRedis, sleep } from './connection.js';
import { GapDetector } from './gap-check.js';
import { deliverRead, startReading, type ReaderOptions } from './deliver-read.js';
import type { GroupReader, StreamEntry } from './stream-reader.js';

export interface NotifyReaderOptions extends ReaderOptions {
  /** @default 5000 — ms between sweeps that re-read every subscribed group. */
  sweepMs?: number;
  /** @default 1000 — streams per XREAD. */
  batchGroups?: number;
}

export class NotifyReader implements GroupReader {
  readonly cursors = new Map<string, string>();
  readonly gaps = new GapDetector();
  private readonly dirty = new Set<string>();
  private readonly sub: Redis;
  private readonly conn: Redis;
  private readonly abort = new AbortController();
  private readonly count: number;
  private readonly batchGroups: number;
  private readonly sweep: NodeJS.Timeout;
  private reading: Promise<void> | null = null;
  private started = false;

  constructor(private readonly o: NotifyReaderOptions) {
    this.count = o.count ?? 500;
    this.batchGroups = o.batchGroups ?? 1000;
    this.sub = connectRedis(o.url, 'subscriber', o, { commandTimeout: undefined, maxRetriesPerRequest: null, autoResubscribe: true });
    this.conn = connectRedis(o.url, 'reader', o, { maxRetriesPerRequest: 0 });
    this.sub.on('message', (channel: string, payload: string) => this.onNotify(channel, payload));
    // Notifications sent while the subscriber was away are lost: look at everything.
    this.sub.on('ready', () => this.markAll());
    this.sweep = setInterval(() => this.markAll(), o.sweepMs ?? 5000);
    this.sweep.unref();
  }

  get size(): number {
    return this.cursors.size;
  }

  start(): void {
    this.started = true;
    this.kick();
  }

  /**
   * Subscribes to the group's channel, then takes the stream's top id as the
   * cursor: anything appended after the top is announced on a channel we
   * already listen to, so nothing falls between the two.
   */
  async add(groupId: string): Promise<string> {
    const have = this.cursors.get(groupId);
    if (have !== undefined) return have;
    await this.subscribeChannel(groupId);
    const { cursor, added } = await startReading(this, this.o, groupId);
    if (added) this.o.metrics.subscribedGroups.set(this.cursors.size);
    return cursor;
  }

  /**
   * SUBSCRIBE on the subscriber connection, which queues commands while Redis
   * is away: bounded here so a join fails with 4503 instead of hanging. A
   * subscription that completes after the caller gave up is undone.
   */
  private async subscribeChannel(groupId: string): Promise<void> {
    const channel = this.o.keys.notify(groupId);
    const done = this.sub.subscribe(channel);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('subscribe timed out')), COMMAND_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      done.then(
        () => {
          if (!this.cursors.has(groupId)) this.sub.unsubscribe(channel).catch(() => {});
        },
        () => {},
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  remove(groupId: string): void {
    if (!this.cursors.delete(groupId)) return;
    this.gaps.forget(groupId);
    this.dirty.delete(groupId);
    this.o.metrics.subscribedGroups.set(this.cursors.size);
    this.sub.unsubscribe(this.o.keys.notify(groupId)).catch(() => {});
  }

  async close(): Promise<void> {
    this.abort.abort();
    clearInterval(this.sweep);
    this.sub.disconnect();
    this.conn.disconnect();
    await this.reading?.catch(() => {});
  }

  /**
   * An announcement carries the new entry. When it is the next one after
   * what this hub delivered (by number), it is delivered as it is: one round
   * trip less per message. Anything else (a lost or late announcement, no
   * baseline yet, an announcement without the entry) makes the group dirty,
   * and the stream read from the cursor delivers in order.
   */
  private onNotify(channel: string, payload: string): void {
    const groupId = this.o.keys.groupOfNotify(channel);
    const cursor = this.cursors.get(groupId);
    if (cursor === undefined) return;
    const entry = this.started ? parseAnnouncement(payload) : undefined;
    if (entry) {
      if (compareMessageIds(entry[0], cursor) <= 0) return;
      if (this.gaps.follows(groupId, entry.n)) {
        deliverRead([[this.o.keys.stream(groupId), [[entry[0], entry[1]]]]], this, this.o);
        return;
      }
    }
    this.dirty.add(groupId);
    this.kick();
  }

  private markAll(): void {
    for (const g of this.cursors.keys()) this.dirty.add(g);
    this.kick();
  }

  /** Starts the read loop unless it runs; one read at a time keeps cursors simple. */
  private kick(): void {
    if (!this.started || this.reading || this.dirty.size === 0 || this.abort.signal.aborted) return;
    this.reading = this.readDirty().finally(() => {
      this.reading = null;
      this.kick();
    });
  }

  private async readDirty(): Promise<void> {
    let backoff = 50;
    for (let cycle = 0; this.dirty.size > 0 && !this.abort.signal.aborted && cycle < 1000; cycle++) {
      const groups: string[] = [];
      for (const g of this.dirty) {
        this.dirty.delete(g);
        if (this.cursors.has(g)) groups.push(g);
        if (groups.length >= this.batchGroups) break;
      }
      if (groups.length === 0) return;
      const args: (string | number)[] = ['COUNT', this.count, 'STREAMS'];
      for (const g of groups) args.push(this.o.keys.stream(g));
      for (const g of groups) args.push(this.cursors.get(g)!);
      let reply: [string, StreamEntry[]][] | null;
      try {
        this.o.metrics.streamReads.inc();
        reply = (await this.conn.call('XREAD', ...args)) as [string, StreamEntry[]][] | null;
        backoff = 50;
      } catch (err) {
        for (const g of groups) this.dirty.add(g);
        if (this.abort.signal.aborted) return;
        this.o.metrics.backendErrors.inc({ backend: 'redis' });
        this.o.logger.debug({ err: (err as Error).message }, 'stream read failed; retrying');
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      if (reply) {
        this.deliver(reply);
      }
    }
  }

  private deliver(reply: [string, StreamEntry[]][]): void {
    // A full page means more may wait behind it.
    for (const [key, entries] of reply) if (entries.length >= this.count) this.dirty.add(this.o.keys.groupOfStream(key));
    deliverRead(reply, this, this.o);
  }
}

/**
 * The entry in an announcement of publish-5.lua (`{i, n, a, t, s, c}`) as a
 * stream entry with its number; undefined for anything else.
 */
export function parseAnnouncement(payload: string): (StreamEntry & { n: number }) | undefined {
  if (payload.charCodeAt(0) !== 123 /* { */) return undefined;
  let p: { i?: unknown; n?: unknown; a?: unknown; t?: unknown; s?: unknown; c?: unknown };
  try {
    p = JSON.parse(payload) as typeof p;
  } catch {
    return undefined;
  }
  if (!isMessageId(p.i) || typeof p.n !== 'number' || typeof p.a !== 'string' || typeof p.t !== 'string' || typeof p.s !== 'string') return undefined;
  const fields = ['a', p.a, 't', p.t, 's', p.s, 'c', typeof p.c === 'string' ? p.c : '', 'n', String(p.n)];
  return Object.assign([p.i, fields] as StreamEntry, { n: p.n });
}
