/**
 * Hands the entries of one stream read to the broker: per group in stream
 * order, each exactly once (nothing at or below the group's cursor, nothing
 * of a group no longer read), checking the message numbers for gaps. Shared
 * by both fan-out readers; they differ only in how they decide what to read.
 */
import { compareMessageIds } from '@next-chat/core';
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
