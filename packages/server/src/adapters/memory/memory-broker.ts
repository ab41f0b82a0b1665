import { DEDUPE_WINDOW_MS, type Message } from '@next-chat/core';
import { changeEvent, changeJson, idTime, messageBody, messageEvent, messageJson, type ClusterEvent, type MessageEvent } from '../../events/codec.js';
import type { Broker, BrokerHandlers, ChangeInput, ChangeResult, PublishInput, PublishResult } from '../../ports/broker.js';
import type { MemoryGroupStore } from './memory-group-store.js';
import type { MemoryLog } from './memory-log.js';
import type { MemoryWebhooks } from './memory-webhooks.js';

/** (group, author, clientMessageId) as one key of the dedupe records. */
const dedupeKey = (groupId: string, authorId: string, clientMessageId: string): string => `${groupId}\u0000${authorId}\u0000${clientMessageId}`;

const noHandlers: BrokerHandlers = { event: () => {}, gap: () => {} };

/**
 * The in-process messaging layer: publish appends to the MemoryLog and hands
 * the message to the hub synchronously, so delivery order is append order.
 */
export class MemoryBroker implements Broker {
  private handlers: BrokerHandlers = noHandlers;
  private readonly subscribed = new Set<string>();
  /** (group, author, clientMessageId) → original message and its expiry. */
  private readonly dedupe = new Map<string, { message: MessageEvent; expiresAt: number }>();
  private sweepAt = 0;

  constructor(
    private readonly log: MemoryLog,
    private readonly groups: MemoryGroupStore,
    private readonly now: () => number = Date.now,
    /** Messages and edits are recorded for webhooks here, in the same synchronous step as the append (as the Redis scripts do). */
    private readonly webhooks?: MemoryWebhooks,
  ) {}

  setHandlers(handlers: BrokerHandlers): void {
    this.handlers = handlers;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const membership = this.groups.isMemberNow(input.groupId, input.authorId);
    if (membership === 'group_not_found' || (membership !== 'member' && !input.byOperator)) return { status: membership };
    const now = this.now();
    this.sweep(now);
    let key: string | undefined;
    if (input.clientMessageId !== undefined) {
      key = dedupeKey(input.groupId, input.authorId, input.clientMessageId);
      const hit = this.dedupe.get(key);
      // A record from a deleted group of the same id (older than this one) does not count.
      if (hit && hit.expiresAt > now && idTime(hit.message.id) >= this.groups.createdAtMs(input.groupId)) return { status: 'duplicate', message: hit.message };
    }
    const message: Message = {
      id: this.log.nextId(input.groupId, input.sentAtMs),
      groupId: input.groupId,
      authorId: input.authorId,
      text: input.text,
      sentAt: new Date(input.sentAtMs).toISOString(),
    };
    if (input.clientMessageId !== undefined) message.clientMessageId = input.clientMessageId;
    this.log.append(message);
    this.webhooks?.messageCreated(message);
    // Sending reads up to one's own message, as the Redis publish script does.
    if (!input.byOperator) this.groups.markRead(message.groupId, message.authorId, message.id, this.log.count(message.groupId));
    // Encoded once, as on Redis: the same JSON answers the sender and reaches every subscriber.
    const e = messageEvent(message.groupId, message.id, messageJson(message.id, messageBody(message)));
    if (key) this.dedupe.set(key, { message: e, expiresAt: now + DEDUPE_WINDOW_MS });
    if (this.subscribed.has(input.groupId)) this.handlers.event(e);
    return { status: 'published', message: e };
  }

  async change(input: ChangeInput): Promise<ChangeResult> {
    const membership = this.groups.isMemberNow(input.groupId, input.userId);
    if (membership === 'group_not_found' || (membership !== 'member' && !input.byOperator)) return { status: membership };
    const current = this.log.find(input.groupId, input.messageId);
    if (!current) return { status: 'message_not_found', trimmed: false };
    if (!input.anyone && !input.byOperator && current.authorId !== input.userId) return { status: 'not_author' };
    if (current.deletedAt !== undefined) return input.text === null ? { status: 'unchanged', message: current } : { status: 'deleted' };
    const at = new Date(input.atMs).toISOString();
    const message: Message = input.text === null ? { ...current, text: '', deletedAt: at } : { ...current, text: input.text, editedAt: at };
    const cursor = this.log.change(message, input.atMs);
    this.webhooks?.messageUpdated(message, cursor);
    const json = messageJson(message.id, messageBody(message));
    // A retry of the send gets the message as it is now (and a deleted one's text is gone here too).
    if (message.clientMessageId !== undefined) {
      const key = dedupeKey(message.groupId, message.authorId, message.clientMessageId);
      const hit = this.dedupe.get(key);
      if (hit && hit.message.id === message.id) hit.message = messageEvent(message.groupId, message.id, json);
    }
    const e = changeEvent(message.groupId, cursor, changeJson(cursor, json));
    if (this.subscribed.has(input.groupId)) this.handlers.event(e);
    return { status: 'changed', event: e, message };
  }

  /** Drops expired dedupe records, at most once a second. */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 1000;
    for (const [k, v] of this.dedupe) if (v.expiresAt <= now) this.dedupe.delete(k);
  }

  async subscribe(groupId: string): Promise<string> {
    this.subscribed.add(groupId);
    return this.log.top(groupId);
  }

  unsubscribe(groupId: string): void {
    this.subscribed.delete(groupId);
  }

  async announce(e: Exclude<ClusterEvent, MessageEvent>): Promise<void> {
    this.handlers.event(e);
  }

  /** One process: every user's events are delivered here anyway. */
  userConnected(): void {}
  userDisconnected(): void {}

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.subscribed.clear();
  }
}
