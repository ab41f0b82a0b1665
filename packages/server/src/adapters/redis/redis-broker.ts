/**
 * Broker on Redis: publish is one Lua script (membership, dedupe, XADD of the
 * message's one payload to the group stream and the history stream, the
 * announcement, dedupe record, trim); delivery of a group's messages and
 * events comes from the NotifyReader (both travel on the group's channel, so
 * they keep their order); events of users go over one pub/sub channel that
 * every hub subscribes to on its own connection. Every payload is made and read by events/codec.ts.
 */
import { DEDUPE_WINDOW_MS } from '@next-chat/core';
import type { Redis } from 'ioredis';
import { decodeClusterEvent, decodeMessage, encodeClusterEvent, groupOf, idOfJson, messageBody, messageEvent, messageJson, type ClusterEvent, type MessageEvent } from '../../events/codec.js';
import type { Broker, BrokerHandlers, PublishInput, PublishResult } from '../../ports/broker.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { connectRedis, guarded } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';
import { NotifyReader } from './notify-reader.js';

export interface RedisBrokerOptions {
  url: string;
  commands: Redis;
  keys: RedisKeys;
  scripts: Scripts;
  logger: Logger;
  metrics: Metrics;
  /** True when a history database is configured: publishes feed the history stream and streams are trimmed. */
  withHistory: boolean;
  /** ms written messages stay in a group stream. */
  streamRetentionMs: number;
  /** @default 1000 — ms between health pings that drive isReady(). */
  healthIntervalMs?: number;
}

const NOOP_HANDLERS: BrokerHandlers = { event: () => {}, gap: () => {} };

export class RedisBroker implements Broker {
  private handlers: BrokerHandlers = NOOP_HANDLERS;
  private readonly reader: NotifyReader;
  private readonly subscriber: Redis;
  private readonly health: NodeJS.Timeout;
  private lastPong = 0;
  private pinging = false;
  private closed = false;

  constructor(private readonly o: RedisBrokerOptions) {
    this.reader = new NotifyReader({
      url: o.url,
      commands: o.commands,
      keys: o.keys,
      logger: o.logger,
      metrics: o.metrics,
      onEvent: (e) => this.handlers.event(e),
      onGap: (groupId) => {
        o.logger.warn({ groupId }, 'messages trimmed before this hub read them; subscribers resync');
        this.handlers.gap(groupId);
      },
    });
    this.subscriber = connectRedis(o.url, 'subscriber', o, { commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber.on('message', (channel: string, payload: string) => this.onEvent(channel, payload));
    this.subscriber.subscribe(o.keys.events()).catch((err: Error) => o.logger.warn({ err: err.message }, 'subscribe to member events failed'));
    this.health = setInterval(() => void this.ping(), o.healthIntervalMs ?? 1000);
    this.health.unref();
    void this.ping();
    this.reader.start();
  }

  setHandlers(handlers: BrokerHandlers): void {
    this.handlers = handlers;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const fields = {
      groupId: input.groupId,
      authorId: input.authorId,
      text: input.text,
      sentAt: new Date(input.sentAtMs).toISOString(),
      ...(input.clientMessageId !== undefined ? { clientMessageId: input.clientMessageId } : {}),
    };
    const body = messageBody(fields);
    const r = await guarded(this.o.metrics, () =>
      this.o.scripts.publish({
        groupId: input.groupId,
        authorId: input.authorId,
        body,
        clientMessageId: input.clientMessageId,
        dedupeSeconds: Math.round(DEDUPE_WINDOW_MS / 1000),
        withHistory: this.o.withHistory,
        retentionMs: this.o.streamRetentionMs,
      }),
    );
    switch (r.status) {
      case 'published':
        return { status: 'published', message: messageEvent(input.groupId, r.id, messageJson(r.id, body)) };
      case 'duplicate':
        return { status: 'duplicate', message: messageEvent(input.groupId, idOfJson(r.json) ?? decodeMessage(r.json).id, r.json) };
      default:
        return { status: r.status };
    }
  }

  subscribe(groupId: string): Promise<string> {
    return guarded(this.o.metrics, () => this.reader.add(groupId));
  }

  unsubscribe(groupId: string): void {
    this.reader.remove(groupId);
  }

  async announce(e: Exclude<ClusterEvent, MessageEvent>): Promise<void> {
    const groupId = groupOf(e);
    if (groupId === null) await guarded(this.o.metrics, () => this.o.commands.publish(this.o.keys.events(), encodeClusterEvent(e)));
    else await guarded(this.o.metrics, () => this.o.scripts.announce(groupId, encodeClusterEvent(e)));
  }

  isReady(): boolean {
    return !this.closed && this.o.commands.status === 'ready' && Date.now() - this.lastPong < 3000;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.health);
    this.subscriber.disconnect();
    await this.reader.close();
  }

  private async ping(): Promise<void> {
    if (this.pinging || this.closed) return;
    this.pinging = true;
    try {
      await this.o.commands.ping();
      this.lastPong = Date.now();
    } catch {
      // counted by the connection's error listener or the timeout; isReady() turns false
    } finally {
      this.pinging = false;
    }
  }

  private onEvent(channel: string, payload: string): void {
    if (channel !== this.o.keys.events()) return;
    const e = decodeClusterEvent(payload);
    if (!e) {
      this.o.logger.warn({ payload: payload.slice(0, 200) }, 'unreadable event on the events channel; ignored');
      return;
    }
    try {
      this.handlers.event(e);
    } catch (err) {
      this.o.logger.error({ err }, 'event handler threw');
    }
  }
}
