/**
 * Writes the history stream (`<prefix>:history`) into MySQL. Every hub runs
 * one, as a consumer of the consumer group "history": entries are read with
 * XREADGROUP in batches bounded by size and time, inserted idempotently, and
 * acknowledged + deleted only after the commit. While MySQL is down the batch
 * is retried with backoff and nothing is acknowledged, so nothing unwritten
 * leaves Redis. Entries a dead hub had read but not written are claimed by
 * the others once idle for `claimIdleMs` (XAUTOCLAIM).
 */
import type { Redis } from 'ioredis';
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
  commands: Redis;
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

export class RedisHistoryWriter implements HistoryWriter {
  private readonly conn: Redis;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private draining = false;
  private lastClaim = 0;
  private lastJanitor = 0;
  private claimCursor = '0-0';
  /** CLIENT ID of `conn`, to wake its blocking read on flush. */
  private clientId: number | null = null;
  /** Entries read but not yet committed, by history-stream id. */
  private batch = new Map<string, HistoryEntry | null>();
  private readonly mysql: Reachability;
  /** Deleted groups and when, from the last pass over the deletion records. */
  private deleted = new Map<string, number>();
  private readonly warnings: ThrottledLog;

  constructor(private readonly o: RedisHistoryWriterOptions) {
    this.mysql = new Reachability(o.logger, 'mysql', 'messages wait in the Redis history stream and are written when it returns');
    this.warnings = new ThrottledLog(o.logger);
    this.conn = connectRedis(o.url, 'history', o, { commandTimeout: Math.max(IDLE_BLOCK_MS, o.flushMs) + 5000, maxRetriesPerRequest: 0 });
    this.conn.on('ready', () => {
      this.conn
        .client('ID')
        .then((id) => (this.clientId = Number(id)))
        .catch(() => {});
    });
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
    await this.ensureGroup();
    // Entries this consumer name read before a restart and never acknowledged.
    await this.readInto('0', 0);
    while (!this.signal.aborted) {
      if (this.batch.size === 0 && this.draining) return;
      await this.maybeClaim();
      if (!this.draining) await this.collect();
      if (this.batch.size > 0) await this.commit();
    }
  }

  private async ensureGroup(): Promise<void> {
    for (let backoff = 100; !this.signal.aborted; backoff = Math.min(backoff * 2, 2000)) {
      try {
        await this.conn.xgroup('CREATE', this.o.keys.history(), HISTORY_CONSUMER_GROUP, '0', 'MKSTREAM');
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
    const started = this.batch.size > 0 ? Date.now() : 0;
    let firstAt = started;
    for (let i = 0; i < 10_000 && !this.signal.aborted && !this.draining; i++) {
      const room = this.o.batchSize - this.batch.size;
      if (room <= 0) return;
      const block = firstAt === 0 ? IDLE_BLOCK_MS : firstAt + this.o.flushMs - Date.now();
      if (block <= 0) return;
      const got = await this.readInto('>', block, room);
      if (got < 0) return; // Redis trouble: commit what we have, back off in commit/claim
      if (got > 0 && firstAt === 0) firstAt = Date.now();
      if (got === 0 && firstAt === 0) return; // idle: give claims a turn
    }
  }

  /** XREADGROUP into the batch; returns entries read, or -1 on error. */
  private async readInto(from: '>' | '0', blockMs: number, count = this.o.batchSize): Promise<number> {
    const args: (string | number)[] = ['GROUP', HISTORY_CONSUMER_GROUP, this.o.instanceId, 'COUNT', count];
    if (from === '>') args.push('BLOCK', Math.max(1, Math.round(blockMs)));
    args.push('STREAMS', this.o.keys.history(), from);
    try {
      const reply = (await this.conn.call('XREADGROUP', ...args)) as [string, RawEntry[]][] | null;
      if (!reply) return 0;
      let n = 0;
      for (const [, entries] of reply) {
        for (const e of entries) {
          if (!e) continue;
          this.batch.set(e[0], historyEntry(e[1]));
          n++;
        }
      }
      return n;
    } catch (err) {
      if (this.signal.aborted) return -1;
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.warnings.write('warn', 'history_read', { error: (err as Error).message }, 'history stream read failed; retrying');
      if (/timed out/i.test((err as Error).message)) this.conn.disconnect(true);
      if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup();
      else await sleep(500, this.signal);
      return -1;
    }
  }

  /** Inserts the batch (retrying while MySQL is down), then acknowledges it. */
  private async commit(): Promise<void> {
    const ids = [...this.batch.keys()];
    // Messages of a group deleted after they were sent never reach MySQL.
    const rows: Message[] = [];
    const changes = new Map<string, ChangeRow>();
    for (const e of this.batch.values()) {
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
    for (let backoff = 100; !this.signal.aborted; backoff = Math.min(backoff * 2, 2000)) {
      try {
        await this.o.scripts.ackHistory(HISTORY_CONSUMER_GROUP, ids);
        break;
      } catch {
        // Unacknowledged entries are written again later: harmless, inserts are idempotent.
        this.o.metrics.backendErrors.inc({ backend: 'redis' });
        await sleep(backoff, this.signal);
      }
    }
    this.batch = new Map();
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
    const key = this.o.keys.history();
    try {
      const room = Math.max(1, this.o.batchSize - this.batch.size);
      const reply = (await this.o.commands.call(
        'XAUTOCLAIM',
        key,
        HISTORY_CONSUMER_GROUP,
        this.o.instanceId,
        this.o.claimIdleMs,
        this.claimCursor,
        'COUNT',
        room,
      )) as [string, RawEntry[], string[]?];
      this.claimCursor = reply[0];
      let claimed = 0;
      for (const e of reply[1]) {
        if (!e) continue;
        this.batch.set(e[0], historyEntry(e[1]));
        claimed++;
      }
      if (claimed > 0) this.o.logger.info({ claimed }, 'claimed unwritten history entries of another instance');
      this.o.metrics.historyBacklog.set(Number(await this.o.commands.xlen(key)));
      if (now - this.lastJanitor > 60_000) {
        this.lastJanitor = now;
        await this.removeDeadConsumers();
      }
    } catch (err) {
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.warnings.write('warn', 'history_claim', { error: (err as Error).message }, 'history claim pass failed; retrying');
    }
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
    let oldestPendingMs = Number.POSITIVE_INFINITY;
    try {
      const first = (await this.o.commands.xrange(this.o.keys.history(), '-', '+', 'COUNT', 1)) as [string, string[]][];
      if (first[0]) oldestPendingMs = idTime(first[0][0]);
    } catch {
      return;
    }
    for (const [groupId, atMs] of this.deleted) {
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
  private async removeDeadConsumers(): Promise<void> {
    const key = this.o.keys.history();
    const consumers = (await this.o.commands.call('XINFO', 'CONSUMERS', key, HISTORY_CONSUMER_GROUP)) as unknown[][];
    for (const c of consumers) {
      const f: Record<string, unknown> = {};
      for (let i = 0; i + 1 < c.length; i += 2) f[String(c[i])] = c[i + 1];
      if (f.name !== this.o.instanceId && Number(f.pending) === 0 && Number(f.idle) > 600_000) {
        await this.o.commands.xgroup('DELCONSUMER', key, HISTORY_CONSUMER_GROUP, String(f.name));
      }
    }
  }
}
