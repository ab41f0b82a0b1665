/**
 * HistoryReader over the group streams, with MySQL behind them: the newest
 * messages come from the stream (XREVRANGE); when the stream returned fewer
 * than asked and has been trimmed, the rest come from MySQL by keyset. The
 * publish script trims only what is already in MySQL, so the two together are
 * the whole log. Without MySQL nothing is ever trimmed and the stream alone is.
 */
import type { Message } from '@next-chat/core';
import type { Redis } from 'ioredis';
import type { HistoryReader } from '../../ports/history-store.js';
import type { Metrics } from '../../observability/metrics.js';
import type { MysqlHistoryStore } from '../mysql/mysql-history-store.js';
import { entryMessage } from '../../events/codec.js';
import { guarded } from './connection.js';
import type { RedisKeys } from './keys.js';

type StreamEntry = [id: string, fields: string[]];

export class RedisHistoryReader implements HistoryReader {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly metrics: Metrics,
    private readonly mysql: MysqlHistoryStore | null,
  ) {}

  // The read may run ahead of this hub's stream reader; the hub's fan-out
  // drops late deliveries its join history covered (GroupSubscription.floor).
  async latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const key = this.keys.stream(groupId);
    const entries = (await guarded(this.metrics, () =>
      this.redis.xrevrange(key, before !== undefined ? `(${before}` : '+', '-', 'COUNT', limit),
    )) as StreamEntry[];
    const recent: Message[] = [];
    for (let i = entries.length - 1; i >= 0; i--) recent.push(entryMessage(groupId, entries[i][0], entries[i][1]));
    if (recent.length >= limit || !this.mysql) return recent;
    if (!(await this.trimmed(key))) return recent;
    const older = await this.mysql.latest(groupId, recent.length > 0 ? recent[0].id : before, limit - recent.length);
    return older.concat(recent);
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

  /** True when entries were removed from the stream (or it is gone), so older ones may be in MySQL. */
  private async trimmed(key: string): Promise<boolean> {
    let info: unknown[];
    try {
      info = (await guarded(this.metrics, () => this.redis.call('XINFO', 'STREAM', key))) as unknown[];
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
