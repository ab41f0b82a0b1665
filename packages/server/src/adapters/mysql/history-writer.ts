/**
 * Writes the history stream (`<prefix>:history`) into MySQL. Every hub runs
 * one, as a consumer of the consumer group "history": entries are read with
 * XREADGROUP in batches bounded by size and time, inserted idempotently, and
 * acknowledged + deleted only after the commit. While MySQL is down the batch
 * is retried with backoff and nothing is acknowledged, so nothing unwritten
 * leaves Redis. Entries a dead hub had read but not written are claimed by
 * the others once idle for `claimIdleMs` (XAUTOCLAIM).
 *
 * On a Redis Cluster the history stream is one per slot (keys.ts historyOf):
 * a blocking read cannot span slots, so the writer reads the streams it
 * knows to have entries, without blocking: those its own hub has written to
 * ({@link RedisHistoryWriter.touch}) and those a sweep of every slot's
 * stream finds non-empty (entries of a hub that died before its writer read
 * them, or read them and never acknowledged; the sweep runs every
 * `claimIdleMs`, so nothing waits much longer than a claim would).
 */
import type { RedisClient } from '../redis/connection.js';
import type { HistoryWriter } from '../../ports/history-store.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { Reachability } from '../../observability/reachability.js';
import { ThrottledLog } from '../../observability/throttled-log.js';
import { connectRedis, sleep, type RedisTarget } from '../redis/connection.js';
import { HISTORY_CONSUMER_GROUP, type RedisKeys } from '../redis/keys.js';
import type { Scripts } from '../redis/scripts.js';
import type { Message } from '@next-chat/core';
import { historyEntry, idTime, type HistoryEntry } from '../../events/codec.js';
import type { ChangeRow } from './mysql-history-store.js';
import type { MysqlHistoryStore } from './mysql-history-store.js';

export interface RedisHistoryWriterOptions {
  url: RedisTarget;
  /** Request connection (acks, claims, metrics). */
  commands: RedisClient;
  keys: RedisKeys;
  scripts: Scripts;
  store: MysqlHistoryStore;
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  /** Most messages per insert. */
  batchSize: number;
  /** ms a partial batch may wait for more. */
  flushMs: number;
  /** ms an entry read by another consumer must sit unacknowledged before it is claimed (NEXT_CHAT_HISTORY_CLAIM_IDLE_MS). */
  claimIdleMs: number;
  /** ms between claim passes. */
  claimIntervalMs: number;
}

type RawEntry = [id: string, fields: string[]] | null;

const IDLE_BLOCK_MS = 2000;
/** Streams of a cluster sweep asked at once. */
const SWEEP_CHUNK = 512;

export class RedisHistoryWriter implements HistoryWriter {
  private readonly conn: RedisClient;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private draining = false;
  private lastClaim = 0;
  private lastJanitor = 0;
  /** XAUTOCLAIM cursors, by stream. */
  private claimCursors = new Map<string, string>();
  /** CLIENT ID of `conn`, to wake its blocking read on flush. */
  private clientId: number | null = null;
  /** Entries read but not yet committed, by stream, then by entry id (ids are per stream). */
  private batch = new Map<string, Map<string, HistoryEntry | null>>();
  private batchSize = 0;
  /** Cluster: the slot streams known to hold entries, and a wake-up for an idle read. */
  private readonly active = new Set<string>();
  private wake: (() => void) | null = null;
  private lastSweep = 0;
  private readonly mysql: Reachability;
  /** Deleted groups and when, from the last pass over the deletion records. */
  private deleted = new Map<string, number>();
  private readonly warnings: ThrottledLog;

  constructor(private readonly o: RedisHistoryWriterOptions) {
    this.mysql = new Reachability(o.logger, 'mysql', 'messages wait in the Redis history stream and are written when it returns');
    this.warnings = new ThrottledLog(o.logger);
    this.conn = connectRedis(o.url, 'history', o, { commandTimeout: Math.max(IDLE_BLOCK_MS, o.flushMs) + 5000, maxRetriesPerRequest: 0 });
    if (!o.keys.sharded) {
      this.conn.on('ready', () => {
        this.conn
          .client('ID')
          .then((id) => (this.clientId = Number(id)))
          .catch(() => {});
      });
    }
  }

  /** The hub wrote a message or change of the group (cluster: its slot's stream has an entry to read). */
  touch(groupId: string): void {
    if (!this.o.keys.sharded) return;
    this.active.add(this.o.keys.historyOf(groupId));
    this.wake?.();
  }

  private get sharded(): boolean {
    return this.o.keys.sharded;
  }

  /** The streams to read and claim from. */
  private streams(): string[] {
    return this.sharded ? [...this.active] : [this.o.keys.history()];
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Writes what this instance has read, then stops reading (SIGTERM drain). */
  async flush(): Promise<void> {
    this.draining = true;
    if (!this.loop) return;
    let done = false;
    const finished = this.loop.finally(() => (done = true));
    // The loop may sit in a blocking XREADGROUP for up to the flush interval:
    // wake it, again if the read was still on its way to Redis.
    for (let i = 0; i < 100 && !done; i++) {
      this.wake?.();
      if (this.clientId !== null) await this.o.commands.client('UNBLOCK', this.clientId).catch(() => 0);
      await Promise.race([finished, sleep(50)]);
    }
    await finished;
  }

  async close(): Promise<void> {
    this.draining = true;
    this.abort.abort();
    this.conn.disconnect();
    await this.loop?.catch(() => {});
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    if (this.sharded) {
      this.lastClaim = Date.now();
      await this.sweep();
    } else {
      await this.ensureGroup(this.o.keys.history());
      // Entries this consumer name read before a restart and never acknowledged.
      await this.readInto(this.o.keys.history(), '0', 0);
    }
    while (!this.signal.aborted) {
      if (this.batchSize === 0 && this.draining) return;
      await this.maybeClaim();
      if (!this.draining) await this.collect();
      if (this.batchSize > 0) await this.commit();
    }
  }

  private async ensureGroup(stream: string): Promise<void> {
    for (let backoff = 100; !this.signal.aborted; backoff = Math.min(backoff * 2, 2000)) {
      try {
        await this.conn.xgroup('CREATE', stream, HISTORY_CONSUMER_GROUP, '0', 'MKSTREAM');
        return;
      } catch (err) {
        if (/BUSYGROUP/.test((err as Error).message)) return;
        this.o.metrics.backendErrors.inc({ backend: 'redis' });
        await sleep(backoff, this.signal);
      }
    }
  }

  /** Fills the batch up to batchSize, waiting at most flushMs after its first entry. */
  private async collect(): Promise<void> {
    const started = this.batchSize > 0 ? Date.now() : 0;
    let firstAt = started;
    for (let i = 0; i < 10_000 && !this.signal.aborted && !this.draining; i++) {
      const room = this.o.batchSize - this.batchSize;
      if (room <= 0) return;
      const block = firstAt === 0 ? IDLE_BLOCK_MS : firstAt + this.o.flushMs - Date.now();
      if (block <= 0) return;
      const got = this.sharded ? await this.readActive(block, room, firstAt === 0) : await this.readInto(this.o.keys.history(), '>', block, room);
      if (got < 0) return; // Redis trouble: commit what we have, back off in commit/claim
      if (got > 0 && firstAt === 0) firstAt = Date.now();
      if (got === 0 && firstAt === 0) return; // idle: give claims a turn
    }
  }

  /**
   * Cluster: one read of every active stream, without blocking (a stream
   * that gives nothing leaves the active set; the sweep finds it again if it
   * still holds entries); when all are empty and the batch is too, waits up
   * to `blockMs` for the hub to write one. Entries read, or -1 on error.
   */
  private async readActive(blockMs: number, room: number, idle: boolean): Promise<number> {
    const streams = this.streams();
    if (streams.length === 0) {
      if (idle) await this.idleWait(blockMs);
      return 0;
    }
    const per = Math.max(1, Math.ceil(room / streams.length));
    const counts = await Promise.all(streams.map((stream) => this.readInto(stream, '>', 0, per)));
    let got = 0;
    let failed = false;
    streams.forEach((stream, i) => {
      const n = counts[i] as number;
      if (n < 0) failed = true;
      else got += n;
      if (n === 0) this.active.delete(stream);
    });
    if (got === 0 && failed) return -1;
    if (got === 0 && idle) await this.idleWait(blockMs);
    return got;
  }

  private idleWait(ms: number): Promise<void> {
    if (this.active.size > 0 || this.draining) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      const onAbort = () => done();
      this.signal.addEventListener('abort', onAbort, { once: true });
      const self = this;
      function done() {
        clearTimeout(t);
        self.signal.removeEventListener('abort', onAbort);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private add(stream: string, id: string, entry: HistoryEntry | null): void {
    let m = this.batch.get(stream);
    if (!m) this.batch.set(stream, (m = new Map()));
    if (!m.has(id)) this.batchSize++;
    m.set(id, entry);
  }

  /** XREADGROUP of one stream into the batch (blocking up to `blockMs` when > 0); returns entries read, or -1 on error. */
  private async readInto(stream: string, from: '>' | '0', blockMs: number, count = this.o.batchSize): Promise<number> {
    const args: (string | number)[] = ['GROUP', HISTORY_CONSUMER_GROUP, this.o.instanceId, 'COUNT', count];
    if (from === '>' && blockMs > 0) args.push('BLOCK', Math.max(1, Math.round(blockMs)));
    args.push('STREAMS', stream, from);
    try {
      const reply = (await this.conn.call('XREADGROUP', ...args)) as [string, RawEntry[]][] | null;
      if (!reply) return 0;
      let n = 0;
      for (const [, entries] of reply) {
        for (const e of entries) {
          if (!e) continue;
          this.add(stream, e[0], historyEntry(e[1]));
          n++;
        }
      }
      return n;
    } catch (err) {
      if (this.signal.aborted) return -1;
      if (/NOGROUP/.test((err as Error).message)) {
        // A slot's stream made by a script before any writer read it.
        await this.ensureGroup(stream);
        return this.sharded ? 0 : -1;
      }
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.warnings.write('warn', 'history_read', { error: (err as Error).message }, 'history stream read failed; retrying');
      if (/timed out/i.test((err as Error).message)) this.conn.disconnect(true);
      await sleep(500, this.signal);
      return -1;
    }
  }

  /** Inserts the batch (retrying while MySQL is down), then acknowledges it. */
  private async commit(): Promise<void> {
    // Messages of a group deleted after they were sent never reach MySQL.
    const rows: Message[] = [];
    const changes = new Map<string, ChangeRow>();
    for (const e of [...this.batch.values()].flatMap((m) => [...m.values()])) {
      if (e === null || this.isDeleted(e.message)) continue;
      if (e.kind === 'message') rows.push(e.message);
      // The latest change of each message in the batch is the one that counts.
      else changes.set(`${e.message.groupId}\u0000${e.message.id}`, { message: e.message, cursor: e.cursor });
    }
    for (let backoff = 200, attempt = 0; ; attempt++, backoff = Math.min(backoff * 2, 5000)) {
      if (this.signal.aborted) return;
      try {
        await this.insert(rows);
        // After the inserts: a change of a message in this batch lands on its row.
        await this.o.store.applyChanges([...changes.values()]);
        this.mysql.ok({ messages: rows.length, changes: changes.size, attempts: attempt + 1 });
        break;
      } catch (err) {
        this.o.metrics.historyBatches.inc({ outcome: 'error' });
        this.o.metrics.backendErrors.inc({ backend: 'mysql' });
        this.mysql.failed(err, { messages: rows.length });
        await sleep(backoff, this.signal);
      }
    }
    this.o.metrics.historyBatches.inc({ outcome: 'ok' });
    this.o.metrics.historyWritten.inc(rows.length);
    this.o.metrics.historyBatchSize.observe(rows.length);
    for (const [stream, entries] of this.batch) {
      for (let backoff = 100; !this.signal.aborted; backoff = Math.min(backoff * 2, 2000)) {
        try {
          await this.o.scripts.ackHistory(stream, HISTORY_CONSUMER_GROUP, [...entries.keys()]);
          break;
        } catch {
          // Unacknowledged entries are written again later: harmless, inserts are idempotent.
          this.o.metrics.backendErrors.inc({ backend: 'redis' });
          await sleep(backoff, this.signal);
        }
      }
      // More may have come behind what was read.
      if (this.sharded) this.active.add(stream);
    }
    this.batch = new Map();
    this.batchSize = 0;
  }

  /**
   * One insert for the batch. A row MySQL refuses for its data (not for being
   * down) must not block history forever: then rows go one by one and a
   * refused row is logged and skipped.
   */
  private async insert(rows: Message[]): Promise<void> {
    try {
      await this.o.store.insert(rows);
    } catch (err) {
      const e = err as { sqlState?: string; code?: string };
      const dataError = typeof e.sqlState === 'string' && /^(22|23|HY)/.test(e.sqlState) && !/CONN|LOST|TIMEOUT/i.test(e.code ?? '');
      if (!dataError) throw err;
      for (const r of rows) {
        try {
          await this.o.store.insert([r]);
        } catch (rowErr) {
          const re = rowErr as { sqlState?: string };
          if (!(typeof re.sqlState === 'string' && /^(22|23|HY)/.test(re.sqlState))) throw rowErr;
          this.o.logger.error({ err: (rowErr as Error).message, groupId: r.groupId, id: r.id }, 'history row refused by MySQL; skipped');
          this.o.metrics.historyBatches.inc({ outcome: 'row_refused' });
        }
      }
    }
  }

  private async maybeClaim(): Promise<void> {
    const now = Date.now();
    if (now - this.lastClaim < this.o.claimIntervalMs) return;
    this.lastClaim = now;
    await this.removeDeletedGroups();
    if (this.sharded && now - this.lastSweep >= Math.max(this.o.claimIdleMs, 5000)) await this.sweep();
    try {
      let claimed = 0;
      let backlog = 0;
      for (const key of this.streams()) {
        const room = Math.max(1, this.o.batchSize - this.batchSize);
        const reply = (await this.o.commands.call(
          'XAUTOCLAIM',
          key,
          HISTORY_CONSUMER_GROUP,
          this.o.instanceId,
          this.o.claimIdleMs,
          this.claimCursors.get(key) ?? '0-0',
          'COUNT',
          room,
        ).catch((err: Error) => (/NOGROUP/.test(err.message) ? ['0-0', []] : Promise.reject(err)))) as [string, RawEntry[], string[]?];
        this.claimCursors.set(key, reply[0]);
        for (const e of reply[1]) {
          if (!e) continue;
          this.add(key, e[0], historyEntry(e[1]));
          claimed++;
        }
        backlog += Number(await this.o.commands.xlen(key));
        if (this.batchSize >= this.o.batchSize) break;
      }
      if (claimed > 0) this.o.logger.info({ claimed }, 'claimed unwritten history entries of another instance');
      this.o.metrics.historyBacklog.set(backlog);
      if (now - this.lastJanitor > 60_000) {
        this.lastJanitor = now;
        // A slot's stream without its group yet (made by a script before any writer read it) has no consumers to remove.
        for (const key of this.streams()) await this.removeDeadConsumers(key).catch((err: Error) => (/NOGROUP/.test(err.message) ? undefined : Promise.reject(err)));
      }
    } catch (err) {
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.warnings.write('warn', 'history_claim', { error: (err as Error).message }, 'history claim pass failed; retrying');
    }
  }

  /**
   * Cluster: the length of every slot's history stream, in chunks sent
   * together (ioredis pipelines them per node); the non-empty ones become
   * active. Finds what this hub was never told of: entries of a hub that
   * died before its writer read them, or that it read and never acknowledged.
   */
  private async sweep(): Promise<void> {
    const all = this.o.keys.historyStreams();
    try {
      for (let i = 0; i < all.length && !this.signal.aborted; i += SWEEP_CHUNK) {
        const chunk = all.slice(i, i + SWEEP_CHUNK);
        const lengths = await Promise.all(chunk.map((k) => this.o.commands.xlen(k)));
        chunk.forEach((k, j) => {
          if (Number(lengths[j]) > 0) this.active.add(k);
        });
      }
      this.lastSweep = Date.now();
    } catch (err) {
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.warnings.write('warn', 'history_sweep', { error: (err as Error).message }, "sweep of the slots' history streams failed; retrying");
    }
  }

  /** ms of the oldest entry not yet in MySQL that may be the group's (its history stream's first), Infinity when none. */
  private async oldestPendingMs(groupId: string): Promise<number> {
    const first = (await this.o.commands.xrange(this.o.keys.historyOf(groupId), '-', '+', 'COUNT', 1)) as [string, string[]][];
    return first[0] ? idTime(first[0][0]) : Number.POSITIVE_INFINITY;
  }

  private isDeleted(m: Message): boolean {
    const at = this.deleted.get(m.groupId);
    return at !== undefined && idTime(m.id) <= at;
  }

  /**
   * Deleted groups (GroupStore.delete + HistoryReader.forget): their rows go
   * from MySQL in batches, by whichever writer gets there; a writer killed
   * half-way, or a MySQL outage, leaves the record, and the next pass goes
   * on. The record stays while the history stream may still hold a message
   * of the group from before the deletion, so none is written late.
   */
  private async removeDeletedGroups(): Promise<void> {
    let records: Record<string, string>;
    try {
      records = await this.o.commands.hgetall(this.o.keys.deletedGroups());
    } catch {
      return;
    }
    this.deleted = new Map(Object.entries(records).map(([g, at]) => [g, Number(at)]));
    if (this.deleted.size === 0) return;
    for (const [groupId, atMs] of this.deleted) {
      let oldestPendingMs: number;
      try {
        oldestPendingMs = await this.oldestPendingMs(groupId);
      } catch {
        return;
      }
      try {
        for (let i = 0; i < 20 && !this.signal.aborted; i++) {
          if ((await this.o.store.deleteUpTo(groupId, atMs)) < 1000) {
            // All gone, and nothing from before the deletion waits in the history stream.
            if (oldestPendingMs > atMs) await this.o.commands.hdel(this.o.keys.deletedGroups(), groupId);
            break;
          }
        }
        this.mysql.ok();
      } catch (err) {
        this.mysql.failed(err, { groupId, removing: 'deleted group history' });
        return;
      }
    }
  }

  /** Consumers idle for 10 minutes with nothing pending are gone for good. */
  private async removeDeadConsumers(key: string): Promise<void> {
    const consumers = (await this.o.scripts.streamInfo(key, 'CONSUMERS', HISTORY_CONSUMER_GROUP)) as unknown[][];
    for (const c of consumers) {
      const f: Record<string, unknown> = {};
      for (let i = 0; i + 1 < c.length; i += 2) f[String(c[i])] = c[i + 1];
      if (f.name !== this.o.instanceId && Number(f.pending) === 0 && Number(f.idle) > 600_000) {
        await this.o.commands.xgroup('DELCONSUMER', key, HISTORY_CONSUMER_GROUP, String(f.name));
      }
    }
  }
}
