/**
 * Hands the entries of one stream read to the broker: per group in stream
 * order, each exactly once (nothing at or below the group's cursor, nothing
 * of a group no longer read), checking the message numbers for gaps. Shared
 * by both fan-out readers; they differ only in how they decide what to read.
 */
import { compareMessageIds, ZERO_ID } from '@next-chat/core';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { GapDetector } from './gap-check.js';
import type { RedisKeys } from './keys.js';
import type { EntryHandler, StreamEntry } from './stream-reader.js';

export interface ReadState {
  /** Last delivered id per group being read. */
  cursors: Map<string, string>;
  gaps: GapDetector;
}

export interface DeliverTo {
  keys: RedisKeys;
  onEntry: EntryHandler;
  /** Entries of the group were trimmed before this hub read them (see GapDetector). */
  onGap: (groupId: string) => void;
  logger: Logger;
  metrics: Metrics;
}

/** What both fan-out readers are built from. */
export interface ReaderOptions extends DeliverTo {
  url: string;
  /** The request connection (XREVRANGE of a new group's top; CLIENT UNBLOCK). */
  commands: Redis;
  /** @default 500 — entries per stream per read. */
  count?: number;
}

export function deliverRead(reply: [string, StreamEntry[]][], state: ReadState, to: DeliverTo): void {
  let newestMs = 0;
  for (const [key, entries] of reply) {
    const groupId = to.keys.groupOfStream(key);
    for (const [id, fields] of entries) {
      // Re-read per entry: a handler may unsubscribe or the group may be re-added.
      const cursor = state.cursors.get(groupId);
      if (cursor === undefined) break;
      if (compareMessageIds(id, cursor) <= 0) continue;
      state.cursors.set(groupId, id);
      if (state.gaps.skipped(groupId, fields)) to.onGap(groupId);
      const ms = Number(id.slice(0, id.indexOf('-')));
      if (ms > newestMs) newestMs = ms;
      try {
        to.onEntry(groupId, id, fields);
      } catch (err) {
        to.logger.error({ err, groupId, id }, 'message handler threw');
      }
    }
  }
  if (newestMs > 0) to.metrics.streamReadLag.set(Math.max(0, Date.now() - newestMs) / 1000);
}

/**
 * Puts a group into the read set with its stream's current top as cursor
 * (and the top's number as the gap baseline). `added` is false when another
 * call put it there meanwhile; `cursor` is then that call's.
 */
export async function startReading(state: ReadState, to: Pick<ReaderOptions, 'commands' | 'keys'>, groupId: string): Promise<{ cursor: string; added: boolean }> {
  const top = (await to.commands.xrevrange(to.keys.stream(groupId), '+', '-', 'COUNT', 1)) as StreamEntry[];
  const again = state.cursors.get(groupId);
  if (again !== undefined) return { cursor: again, added: false };
  const cursor = top.length > 0 ? top[0][0] : ZERO_ID;
  state.cursors.set(groupId, cursor);
  state.gaps.start(groupId, top[0]?.[1]);
  return { cursor, added: true };
}
