/**
 * The fan-out reader (docs/architecture.md has the measurements that chose
 * it over one blocking XREAD of every subscribed stream). The publish script
 * PUBLISHes each new entry on the group's channel `<prefix>:{g}:notify`; this
 * hub SUBSCRIBEs to the channels of the groups it has local subscribers for.
 * An announcement that is the very next entry after the group's cursor is
 * delivered as it is; anything else marks the group dirty, and the dirty
 * groups' streams are read from their cursors with one non-blocking XREAD
 * per batch. A read cycle costs O(groups with news), not O(subscribed groups).
 *
 * Pub/sub is at-most-once, the streams are not: an announcement lost
 * (reconnect, slow subscriber dropped by Redis) is caught by re-reading
 * every subscribed group after each reconnect and by a sweep every
 * `sweepMs`; order and exactly-once come from the ReadSet's cursors.
 *
 * A failover can go back in time: replication is asynchronous, so the
 * promoted replica may lack the newest entries this hub already delivered.
 * After the reader's connection comes back to a different Redis process (its
 * run_id changed), every group's entry count is compared with its cursor,
 * before any read from the new server; and an entry whose number is not
 * above the cursor's is caught on delivery. Either way the group's
 * subscribers are told to resync (onGap) and the cursor goes back to the log
 * as it is now, so later messages are delivered.
 */
import { once } from 'node:events';
import type { RedisClient } from './connection.js';
import { compareMessageIds, isMessageId, ZERO_ID } from '@next-chat/core';
import { decodeAnnouncement, decodeClusterEvent, entryEvent, entryNumber, GROUP_EVENT_MARK, groupOf, idTime, type ClusterEvent, type MessageEvent } from '../../events/codec.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { ThrottledLog } from '../../observability/throttled-log.js';
import { COMMAND_TIMEOUT_MS, connectRedis, sleep, type RedisTarget } from './connection.js';
import { Channels } from './channels.js';
import { groupBy, slotOf } from './slot-tags.js';
import type { RedisKeys } from './keys.js';
import { ReadSet } from './read-set.js';

type StreamEntry = [id: string, fields: string[]];

export type GapReason = 'trimmed' | 'rolled_back';

/** Longest an event waits for the message it was announced after (one this hub may never see). */
const PENDING_MAX_MS = 2000;

export interface NotifyReaderOptions {
  url: RedisTarget;
  /** The request connection (XREVRANGE of a new group's top). */
  commands: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  metrics: Metrics;
  /** Each message of a read group, once, in stream order, and the group's other events in their order among them. */
  onEvent: (e: ClusterEvent) => void;
  /**
   * The group's subscribers missed entries: trimmed before this hub read
   * them (`trimmed`), or the log lost entries this hub delivered
   * (`rolled_back`, a failover to a replica without them).
   */
  onGap: (groupId: string, reason: GapReason) => void;
  /** @default 500 — entries per stream per read. */
  count?: number;
  /** @default 5000 — ms between sweeps that re-read every subscribed group. */
  sweepMs?: number;
  /** @default 1000 — streams per XREAD. */
  batchGroups?: number;
}

export class NotifyReader {
  private readonly set = new ReadSet();
  private readonly dirty = new Set<string>();
  /** Group events waiting for the message they were announced after. */
  private readonly pending = new Map<string, { after: string; e: Exclude<ClusterEvent, MessageEvent>; at: number }[]>();
  private readonly sub: Channels;
  private readonly conn: RedisClient;
  private readonly abort = new AbortController();
  private readonly count: number;
  private readonly batchGroups: number;
  private readonly sweep: NodeJS.Timeout;
  private readonly warnings: ThrottledLog;
  private reading: Promise<void> | null = null;
  private started = false;
  /** Counts the read connection's (re)connects; `checked` is the one whose server was compared with `runId`. */
  private connects = 0;
  private checked = 0;
  /** run_id of the Redis process the cursors were read from. */
  private runId: string | undefined;

  constructor(private readonly o: NotifyReaderOptions) {
    this.count = o.count ?? 500;
    this.batchGroups = o.batchGroups ?? 1000;
    this.warnings = new ThrottledLog(o.logger);
    this.sub = new Channels(connectRedis(o.url, 'subscriber', o, { commandTimeout: undefined, maxRetriesPerRequest: null, autoResubscribe: true }), o.keys.sharded, (channel, payload) =>
      this.onAnnouncement(channel, payload),
    );
    this.conn = connectRedis(o.url, 'reader', o, { maxRetriesPerRequest: 0 });
    this.conn.on('ready', () => {
      this.connects++;
      this.markAll();
    });
    // Announcements sent while the subscriber was away are lost: look at
    // everything. And subscribe to every channel again: ioredis resubscribes
    // by itself, but a SUBSCRIBE sent while the connection was still being
    // set up can be lost with it (its ready check fails in subscriber mode
    // and the connection is made again without it).
    this.sub.conn.on('ready', () => {
      const channels = [...this.set.entries()].map(([g]) => o.keys.notify(g));
      if (channels.length > 0) this.sub.subscribe(...channels).catch(() => {});
      this.markAll();
    });
    this.sweep = setInterval(() => this.markAll(), o.sweepMs ?? 5000);
    this.sweep.unref();
  }

  /** Groups being read. */
  get size(): number {
    return this.set.size;
  }

  start(): void {
    this.started = true;
    this.kick();
  }

  /**
   * Subscribes to the group's channel, then takes the stream's top entry as
   * the cursor: anything appended after the top is announced on a channel
   * we already listen to, so nothing falls between the two. Resolves with
   * the cursor (a group read already keeps its own).
   */
  async add(groupId: string): Promise<string> {
    const have = this.set.cursor(groupId);
    if (have !== undefined) return have;
    await this.subscribeChannel(groupId);
    const top = (await this.o.commands.xrevrange(this.o.keys.stream(groupId), '+', '-', 'COUNT', 1)) as StreamEntry[];
    const newest = top[0];
    this.set.add(groupId, newest ? { id: newest[0], n: entryNumber(newest[1]) } : undefined);
    return this.set.cursor(groupId) as string;
  }

  remove(groupId: string): void {
    if (!this.set.remove(groupId)) return;
    this.dirty.delete(groupId);
    this.pending.delete(groupId);
    this.sub.unsubscribe(this.o.keys.notify(groupId)).catch((err: Error) => this.warnings.write('warn', 'unsubscribe', { error: err.message }, 'unsubscribe from a group channel failed'));
  }

  async close(): Promise<void> {
    this.abort.abort();
    clearInterval(this.sweep);
    this.sub.disconnect();
    this.conn.disconnect();
    await this.reading?.catch(() => {});
  }

  /**
   * SUBSCRIBE on the subscriber connection, which queues commands while Redis
   * is away: bounded here so a join fails with 4503 instead of hanging. A
   * subscription that completes after the caller gave up is undone.
   */
  private async subscribeChannel(groupId: string): Promise<void> {
    const channel = this.o.keys.notify(groupId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('subscribe timed out')), COMMAND_TIMEOUT_MS);
    });
    // Subscribing only on a ready connection (see the 'ready' listener).
    if (this.sub.status !== 'ready') await Promise.race([once(this.sub.conn, 'ready'), timeout]).catch((err: unknown) => (clearTimeout(timer), Promise.reject(err)));
    const done = this.sub.subscribe(channel);
    try {
      await Promise.race([done, timeout]);
    } catch (err) {
      done.then(
        () => {
          if (!this.set.has(groupId)) this.sub.unsubscribe(channel).catch(() => {});
        },
        () => {},
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private onAnnouncement(channel: string, payload: string): void {
    const groupId = this.o.keys.groupOfNotify(channel);
    if (!this.set.has(groupId)) return;
    if (payload.startsWith(GROUP_EVENT_MARK)) return this.onGroupEvent(groupId, payload);
    const e = this.started ? decodeAnnouncement(groupId, payload) : undefined;
    if (e && this.set.follows(e)) {
      this.deliver(e);
      return;
    }
    this.dirty.add(groupId);
    this.kick();
  }

  /**
   * A group's event other than a message (member joined or left, removals,
   * updates): `!<after> <json>`, where `after` is the id of the group's
   * newest message when it was announced. It is handed on right after that
   * message and before any later one, whichever way the messages are read;
   * it is not in the stream, so it waits here until then (bounded: an event
   * waiting for a message this hub will never see, trimmed away, goes after
   * PENDING_MAX_MS).
   */
  private onGroupEvent(groupId: string, payload: string): void {
    const space = payload.indexOf(' ');
    const after = payload.slice(1, space);
    const e = space > 0 ? decodeClusterEvent(payload.slice(space + 1)) : undefined;
    if (!e || groupOf(e) !== groupId || !isMessageId(after)) {
      this.warnings.write('warn', 'group_event', { groupId }, 'unreadable event on a group channel; ignored');
      return;
    }
    const cursor = this.set.cursor(groupId);
    const queue = this.pending.get(groupId);
    if (!queue && cursor !== undefined && compareMessageIds(cursor, after) >= 0) return this.handOn(e);
    const item = { after, e, at: Date.now() };
    if (queue) queue.push(item);
    else this.pending.set(groupId, [item]);
    this.dirty.add(groupId);
    this.kick();
  }

  /** Hands on the group's waiting events that belong before `next` (a message id), or all whose message was delivered. */
  private flushPending(groupId: string, next?: string): void {
    const queue = this.pending.get(groupId);
    if (!queue) return;
    const cursor = this.set.cursor(groupId) ?? ZERO_ID;
    const now = Date.now();
    while (queue.length > 0) {
      const head = queue[0] as { after: string; e: Exclude<ClusterEvent, MessageEvent>; at: number };
      const due = compareMessageIds(head.after, cursor) <= 0 || (next !== undefined && compareMessageIds(head.after, next) < 0) || now - head.at > PENDING_MAX_MS;
      if (!due) break;
      queue.shift();
      this.handOn(head.e);
    }
    if (queue.length === 0) this.pending.delete(groupId);
  }

  private handOn(e: ClusterEvent): void {
    try {
      this.o.onEvent(e);
    } catch (err) {
      this.o.logger.error({ err, kind: e.kind }, 'event handler threw');
    }
  }

  private deliver(e: MessageEvent, holes = false): void {
    if (this.pending.has(e.groupId)) this.flushPending(e.groupId, e.id);
    const verdict = this.set.accept(e, holes);
    if (verdict === 'skip') return;
    if (verdict === 'deliver_after_gap') this.o.onGap(e.groupId, 'trimmed');
    else if (verdict === 'deliver_after_rollback') this.o.onGap(e.groupId, 'rolled_back');
    this.handOn(e);
    if (this.pending.has(e.groupId)) this.flushPending(e.groupId);
  }

  private markAll(): void {
    for (const [g] of this.set.entries()) this.dirty.add(g);
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
        if (this.set.has(g)) groups.push(g);
        if (groups.length >= this.batchGroups) break;
      }
      if (groups.length === 0) return;
      if (this.checked !== this.connects) {
        try {
          await this.checkServer();
        } catch (err) {
          for (const g of groups) this.dirty.add(g);
          if (this.abort.signal.aborted) return;
          this.warnings.write('warn', 'failover_check', { error: (err as Error).message }, 'could not compare the Redis server with the cursors; retrying');
          await sleep(backoff, this.abort.signal);
          backoff = Math.min(backoff * 2, 2000);
          continue;
        }
      }
      let reply: [string, StreamEntry[]][] | null;
      try {
        reply = await this.readStreams(groups);
        backoff = 50;
      } catch (err) {
        for (const g of groups) this.dirty.add(g);
        if (this.abort.signal.aborted) return;
        // Nothing is lost (the cursors stand), but a reader that cannot read delays every delivery.
        this.o.metrics.backendErrors.inc({ backend: 'redis' });
        this.warnings.write('warn', 'stream_read', { error: (err as Error).message, groups: groups.length }, 'stream read failed; retrying from the cursors');
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      if (reply) this.deliverRead(reply, await this.deletedHoles(reply));
      // Read to the end (or nothing new): events waiting for what was read go now.
      for (const g of groups) if (this.pending.has(g) && !this.dirty.has(g)) this.flushPending(g);
    }
  }

  /**
   * XREAD of the groups' streams from their cursors: one command, or on a
   * cluster one per slot (a command's keys must share one), sent together.
   */
  private async readStreams(groups: string[]): Promise<[string, StreamEntry[]][] | null> {
    const batches = this.o.keys.sharded ? [...groupBy(groups, (g) => slotOf(this.o.keys.stream(g))).values()] : [groups];
    const replies = await Promise.all(
      batches.map((batch) => {
        const args: (string | number)[] = ['COUNT', this.count, 'STREAMS'];
        for (const g of batch) args.push(this.o.keys.stream(g));
        for (const g of batch) args.push(this.set.cursor(g) as string);
        this.o.metrics.streamReads.inc();
        return this.conn.call('XREAD', ...args) as Promise<[string, StreamEntry[]][] | null>;
      }),
    );
    const all = replies.flatMap((r) => r ?? []);
    return all.length > 0 ? all : null;
  }

  /**
   * After a (re)connect of the read connection: when it reaches a different
   * Redis process than the cursors were read from (a failover, or a restart),
   * the groups whose log is now behind their cursor are rewound and reported.
   * A first connect, or the same process again, costs one INFO.
   */
  private async checkServer(): Promise<void> {
    const connects = this.connects;
    if (this.o.keys.sharded) {
      // A cluster has a run_id per node and INFO goes to any one: the check
      // is by the numbers of delivered entries alone (ReadSet.accept).
      this.checked = connects;
      return;
    }
    let info: string;
    try {
      info = String(await this.conn.info('server'));
    } catch (err) {
      if ((err as Error).name !== 'ReplyError') throw err;
      // Redis answered but refused (an ACL without INFO): the check is not
      // possible; reading goes on, relying on the numbers of delivered entries.
      this.warnings.write('warn', 'failover_check_refused', { error: (err as Error).message }, 'INFO refused: a failover that lost entries is only detected when new entries arrive');
      this.checked = connects;
      return;
    }
    const runId = /^run_id:(\S+)/m.exec(info)?.[1];
    const changed = this.runId !== undefined && runId !== this.runId;
    if (changed) {
      const groups = [...this.set.entries()].map(([g]) => g);
      for (let i = 0; i < groups.length; i += this.batchGroups) await this.rewindBehind(groups.slice(i, i + this.batchGroups));
    }
    this.runId = runId;
    this.checked = connects;
  }

  /** One pipeline of each group's entry count and newest entry; rewinds and reports those behind their cursor. */
  private async rewindBehind(groups: string[]): Promise<void> {
    const replies = await Promise.all(
      groups.map((g) => Promise.all([this.conn.hget(this.o.keys.meta(g), 'seq'), this.conn.xrevrange(this.o.keys.stream(g), '+', '-', 'COUNT', 1) as Promise<StreamEntry[]>])),
    );
    groups.forEach((g, i) => {
      const [seqReply, topReply] = replies[i] as [string | null, StreamEntry[]];
      const seq = seqReply === null ? null : Number(seqReply);
      const newest = topReply[0];
      if (!this.set.behind(g, seq, newest?.[0])) return;
      this.set.rewind(g, newest ? { id: newest[0], n: seq ?? entryNumber(newest[1]) } : seq !== null ? { id: ZERO_ID, n: seq } : undefined);
      this.o.onGap(g, 'rolled_back');
    });
  }

  /**
   * The groups of a read whose first entry comes after missing ones that
   * were deleted, not trimmed: trimming takes the oldest entries, so when
   * the stream still begins at or before the cursor nothing after the
   * cursor was trimmed. (Holes between two entries of one read are always
   * deletions, for the same reason.) One XRANGE per such group, only then.
   */
  private async deletedHoles(reply: [string, StreamEntry[]][]): Promise<Set<string>> {
    const holes = new Set<string>();
    const asks: { groupId: string; cursor: string; key: string }[] = [];
    for (const [key, entries] of reply) {
      const first = entries[0];
      if (!first) continue;
      const groupId = this.o.keys.groupOfStream(key);
      if (this.set.skips(entryEvent(groupId, first[0], first[1]))) asks.push({ groupId, cursor: this.set.cursor(groupId) as string, key });
    }
    if (asks.length === 0) return holes;
    try {
      const heads = await Promise.all(asks.map((a) => (this.conn.xrange(a.key, '-', '+', 'COUNT', 1) as Promise<StreamEntry[]>).catch(() => undefined)));
      asks.forEach((a, i) => {
        const oldest = heads[i]?.[0]?.[0];
        if (oldest !== undefined && compareMessageIds(oldest, a.cursor) <= 0) holes.add(a.groupId);
      });
    } catch {
      // Unknown: treated as a gap, the safe side (subscribers resync).
    }
    return holes;
  }

  private deliverRead(reply: [string, StreamEntry[]][], holes: Set<string>): void {
    let newestMs = 0;
    for (const [key, entries] of reply) {
      const groupId = this.o.keys.groupOfStream(key);
      // A full page means more may wait behind it.
      if (entries.length >= this.count) this.dirty.add(groupId);
      entries.forEach(([id, fields], i) => {
        this.deliver(entryEvent(groupId, id, fields), i > 0 || holes.has(groupId));
        newestMs = Math.max(newestMs, idTime(id));
      });
    }
    if (newestMs > 0) this.o.metrics.streamReadLag.set(Math.max(0, Date.now() - newestMs) / 1000);
  }
}
