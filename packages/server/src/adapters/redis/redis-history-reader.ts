/**
 * HistoryReader over the group streams, with MySQL behind them: the newest
 * messages come from the stream, read as they are now (history-4.lua lays
 * the current state of edited and deleted messages over the entries, at one
 * instant); when the stream returned fewer than asked and has been trimmed,
 * the rest come from MySQL by keyset, with the same current state laid over
 * them (MySQL may not have applied the newest changes yet). The publish
 * script trims only what is already in MySQL, so the two together are the
 * whole log. Without MySQL nothing is ever trimmed and the stream alone is.
 */
import { compareMessageIds, type Message } from '@next-chat/core';
import type { RedisClient } from './connection.js';
import type { HistoryReader, LogRead } from '../../ports/history-store.js';
import type { Metrics } from '../../observability/metrics.js';
import type { MysqlHistoryStore } from '../mysql/mysql-history-store.js';
import { decodeMessage } from '../../events/codec.js';
import { guarded } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';
import { idTime } from '../../events/codec.js';

export class RedisHistoryReader implements HistoryReader {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
    private readonly metrics: Metrics,
    private readonly mysql: MysqlHistoryStore | null,
  ) {}

  // The read may run ahead of this hub's stream reader; the hub's fan-out
  // drops late deliveries its join history covered (GroupSubscription.floor).
  async read(groupId: string, limit: number, since: string | undefined): Promise<LogRead> {
    const r = await guarded(this.metrics, () => this.scripts.history(groupId, undefined, limit, since));
    const messages = await this.older(groupId, undefined, limit, r.messages.map(decodeMessage), r.exhausted);
    return { messages, top: r.top, updates: r.updates.map(decodeMessage), moreUpdates: r.moreUpdates };
  }

  async latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const r = await guarded(this.metrics, () => this.scripts.history(groupId, before, limit, undefined));
    return this.older(groupId, before, limit, r.messages.map(decodeMessage), r.exhausted);
  }

  async find(groupId: string, messageId: string): Promise<Message | null> {
    const current = await guarded(this.metrics, () => this.redis.hget(this.keys.edits(groupId), messageId));
    if (current !== null) return decodeMessage(current);
    return this.mysql ? this.mysql.find(groupId, messageId) : null;
  }

  /** Completes a page from MySQL when the stream ran out and was trimmed. */
  private async older(groupId: string, before: string | undefined, limit: number, recent: Message[], exhausted: boolean): Promise<Message[]> {
    if (recent.length >= limit || !exhausted || !this.mysql) return recent;
    const { trimmed, createdMs } = await this.trimmed(groupId);
    if (!trimmed) return recent;
    // Below the oldest message read from the stream; the tombstones of the
    // script's last page may be older still, and MySQL may have their rows.
    // Rows from before the group's creation are a deleted group's of the same
    // id, which the history writers have not removed yet.
    const oldest = recent.find((m) => m.deletedAt === undefined);
    const older = (await this.mysql.latest(groupId, oldest ? oldest.id : before, limit)).filter((m) => idTime(m.id) >= createdMs);
    if (older.length === 0) return recent;
    const now = await guarded(this.metrics, () => this.redis.hmget(this.keys.edits(groupId), ...older.map((m) => m.id)));
    const byId = new Map<string, Message>();
    older.forEach((m, i) => byId.set(m.id, now[i] ? decodeMessage(now[i]) : m));
    for (const m of recent) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => compareMessageIds(a.id, b.id)).slice(-limit);
  }

  /**
   * Records the deletion for the history writers (any hub's), which remove
   * the group's rows from MySQL in batches and keep late rows out; the
   * group's stream itself went with the group (GroupStore.delete).
   */
  async forget(groupId: string, atMs: number): Promise<void> {
    if (!this.mysql) return;
    await guarded(this.metrics, () => this.redis.hset(this.keys.deletedGroups(), groupId, String(atMs)));
  }

  /**
   * Whether entries were trimmed from the stream (or it is gone), so older
   * ones may be in MySQL; and the ms the group was created (0 when unknown).
   */
  private async trimmed(groupId: string): Promise<{ trimmed: boolean; createdMs: number }> {
    const [flag, msgs, created] = await guarded(this.metrics, () => this.redis.hmget(this.keys.meta(groupId), 'trimmed', 'msgs', 'createdMs'));
    const createdMs = Number(created ?? 0) || 0;
    return { trimmed: await this.streamTrimmed(groupId, flag, msgs), createdMs };
  }

  private async streamTrimmed(groupId: string, flag: string | null, msgs: string | null): Promise<boolean> {
    if (flag === '1') return true;
    // Groups written by this release (they count `msgs`) are marked when trimmed.
    if (msgs !== null) return false;
    const key = this.keys.stream(groupId);
    let info: unknown[];
    try {
      info = (await guarded(this.metrics, () => this.scripts.streamInfo(key, 'STREAM'))) as unknown[];
    } catch (err) {
      // No such key: a group without messages, or a Redis that lost its data; MySQL knows.
      if (/no such key/i.test((err as Error).message)) return true;
      throw err;
    }
    let length = -1;
    let added = -1;
    for (let i = 0; i + 1 < info.length; i += 2) {
      if (info[i] === 'length') length = Number(info[i + 1]);
      else if (info[i] === 'entries-added') added = Number(info[i + 1]);
    }
    // Redis before 7.0 has no entries-added: assume trimmed.
    return added < 0 || added > length;
  }
}
