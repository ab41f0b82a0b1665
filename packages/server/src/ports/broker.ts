import type { Message } from '@next-chat/core';
import type { ClusterEvent, MessageEvent } from '../events/codec.js';

export interface PublishInput {
  groupId: string;
  authorId: string;
  text: string;
  clientMessageId?: string;
  /** Wall-clock time the hub accepted the send, ms since epoch. */
  sentAtMs: number;
  /** Posted through the HTTP API: the author need not be a member (the system author never is) and no read marker moves. */
  byOperator?: boolean;
}

/** An edit (`text`) or delete (`text` null) of one message. */
export interface ChangeInput {
  groupId: string;
  userId: string;
  messageId: string;
  text: string | null;
  atMs: number;
  /** The caller may change others' messages (a delete by a room's owner or admin; hub/policy.ts decides). */
  anyone: boolean;
  /** The HTTP API: neither membership nor authorship needed (`userId` is the API's system user). */
  byOperator?: boolean;
  /** The message as the history database has it, when the log no longer does (`message_not_found` with `trimmed`). */
  fallback?: Message;
}

/**
 * - `changed`: appended at `event.id` (the cursor); `event.json` is
 *   message.updated's params, `message` the message as it is now.
 * - `unchanged`: deleting a deleted message: its tombstone.
 * - `message_not_found`: `trimmed` when the id is older than the log holds
 *   (the history database may have it: try again with `fallback`).
 * - `not_author`: someone else's message and `anyone` false; `deleted`: an
 *   edit of a deleted message. Nothing appended for any of these.
 */
export type ChangeResult =
  | { status: 'changed'; event: MessageEvent; message: Message }
  | { status: 'unchanged'; message: Message }
  | { status: 'message_not_found'; trimmed: boolean }
  | { status: 'not_author' }
  | { status: 'deleted' }
  | { status: 'not_member' }
  | { status: 'group_not_found' };

/**
 * - `published`: appended; `message.id` is its position in the group's log,
 *   `message.json` the protocol's Message object, encoded once.
 * - `duplicate`: a send with the same (author, group, clientMessageId) was
 *   appended within the dedupe window; `message` is that original, and
 *   nothing was appended or delivered again.
 * - `not_member` / `group_not_found`: nothing appended.
 */
export type PublishResult =
  | { status: 'published' | 'duplicate'; message: MessageEvent }
  | { status: 'not_member' | 'group_not_found' };

export interface BrokerHandlers {
  /**
   * Every event that crosses hubs (events/codec.ts): each message of a
   * subscribed group once, in the group's log order; member events of any
   * group (the hub filters).
   */
  event(e: ClusterEvent): void;
  /**
   * Messages of a subscribed group after the last one delivered are gone
   * from the messaging layer (trimmed while this instance could not read).
   * Delivery goes on after the gap; the hub must make the group's
   * subscribers resynchronise from history.
   */
  gap(groupId: string): void;
}

/**
 * The messaging layer. One log per group; ids are `"<ms>-<seq>"`, strictly
 * increasing in the log. Guarantees:
 *
 * - `publish` is atomic: membership check, dedupe check, append and the
 *   dedupe record happen as one step. Its promise resolves only once the
 *   message is durable in the messaging layer (the contract of message.send).
 * - After `subscribe(g)` resolves with `top`, every message of `g` with an id
 *   greater than `top` reaches `handlers.message` exactly once and in log
 *   order, until `unsubscribe(g)`. Subscriptions are per instance, not per
 *   connection: the hub multiplexes connections onto them.
 * - Member events reach every instance (including this one) at most once;
 *   they are not ordered relative to messages.
 * - A layer that is unreachable rejects with RpcError 4503.
 */
export interface Broker {
  setHandlers(handlers: BrokerHandlers): void;
  publish(input: PublishInput): Promise<PublishResult>;
  /** Appends an edit or delete to the group's log, atomically with its checks; delivered like a message, in order with them. */
  change(input: ChangeInput): Promise<ChangeResult>;
  subscribe(groupId: string): Promise<string>;
  unsubscribe(groupId: string): void;
  /**
   * Sends an event that is not a message to every instance: a group's event
   * to the instances reading that group, after everything the group
   * published before it and before anything it publishes after (on Redis
   * both travel on the group's channel); a personal event to every instance.
   */
  announce(e: Exclude<ClusterEvent, MessageEvent>): Promise<void>;
  /**
   * This instance has a connection of `userId` (first one) or no more (last
   * one): events of the user (ClusterEvent `personal`) reach only instances
   * that have one.
   */
  userConnected(userId: string): void;
  userDisconnected(userId: string): void;
  /** True while the messaging layer is reachable (drives /readyz). */
  isReady(): boolean;
  close(): Promise<void>;
}
