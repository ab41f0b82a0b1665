/**
 * What the delivery loop (delivery.ts) needs of where events are kept: the
 * memory adapter (one process) and the Redis one (streams and consumer
 * groups shared by every hub) implement it, so retries, order and dead
 * letters are one piece of code for both engines.
 */
import type { WebhookEvent } from '@next-chat/core';
import type { Page } from '../ports/group-store.js';
import type { DeadLetter, WebhookStatus } from '../ports/webhooks.js';

export interface LogEntry {
  /** The entry's place in its partition (a stream id on Redis); what ack takes. */
  position: string;
  event: WebhookEvent;
  /** Set on a replayed dead letter: only this endpoint delivers it, the others skip it. */
  onlyFor?: string;
  /** ms when the entry was written (recorded, or replayed): the retry window starts here. */
  writtenAtMs: number;
}

export interface WebhookLog {
  /** Appends an event recorded through the port (member and room events; messages are appended by the broker). */
  append(partition: number, event: WebhookEvent): Promise<void>;
  /** Takes the partition's lease, or keeps it when this hub holds it; false when another hub holds it. */
  acquire(partition: number): Promise<boolean>;
  /** Gives the lease up (shutdown), if this hub holds it. */
  release(partition: number): Promise<void>;
  /** Whatever one endpoint needs on a partition before its first read (its consumer group). */
  prepare(partition: number, endpoint: string): Promise<void>;
  /**
   * The endpoint's next entries on the partition, oldest first: those read
   * before and not acknowledged (by any hub, e.g. one killed mid-delivery)
   * before new ones.
   */
  read(partition: number, endpoint: string, count: number): Promise<LogEntry[]>;
  ack(partition: number, endpoint: string, position: string): Promise<void>;
  /** Moves the entry to the dead letters and acknowledges it, in one step. */
  deadLetter(partition: number, endpoint: string, entry: LogEntry, attempts: number, lastError: string): Promise<void>;
  /** Drops what every endpoint has, and the consumer state of endpoints no longer configured. */
  trim(partition: number, endpoints: readonly string[]): Promise<void>;
  deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>>;
  replay(id: string): Promise<boolean>;
  status(endpoints: readonly string[]): Promise<WebhookStatus[]>;
}

/** Event ids of messages and edits are derived, so a retry of the same step (or of its delivery) has the same id. */
export function messageEventId(groupId: string, messageId: string): string {
  return `msg-${groupId}-${messageId}`;
}
export function changeEventId(groupId: string, cursor: string): string {
  return `chg-${groupId}-${cursor}`;
}
