import type { Message } from '@next-chat/core';

/**
 * Reads a group's past messages, wherever they live (the messaging layer's
 * recent window, the history database, or both), as one ordered log.
 */
/** What a join reads from the log, at one instant. */
export interface LogRead {
  /** The newest `limit` messages as they are now, oldest first. */
  messages: Message[];
  /** The log's newest entry (message, edit or delete); live delivery goes on after it. Null: an empty log. */
  top: string | null;
  /** With `since`: messages with id <= since changed after it, as they are now, id order, at most `limit`. */
  updates: Message[];
  /** More changes than `limit`. */
  moreUpdates: boolean;
}

export interface HistoryReader {
  /** The join's read (docs/protocol.md: resume with `since`). */
  read(groupId: string, limit: number, since: string | undefined): Promise<LogRead>;
  /** One message as it is now, or null; for edits of messages the log no longer holds. */
  find(groupId: string, messageId: string): Promise<Message | null>;
  /**
   * The newest `limit` messages (as they are now: edited, or tombstones) of the group with id < `before` (or the
   * newest overall), returned oldest first. Fewer than `limit` means the
   * group has no older messages. Rejects with RpcError 4503 when the part of
   * the log it needs is unreachable.
   */
  latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]>;
  /**
   * The group was deleted at `atMs`: its messages up to then go from every
   * store. Resolves once that is recorded; the removal itself may finish
   * later (batched, resumable, after an outage of the history database),
   * and messages of a group created again with the same id stay.
   */
  forget(groupId: string, atMs: number): Promise<void>;
}

/**
 * Background persistence of messages into durable history. Started once per
 * instance; owes nothing after `flush` resolves.
 */
export interface HistoryWriter {
  start(): void;
  /** Writes everything this instance has claimed, then resolves (SIGTERM drain). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
