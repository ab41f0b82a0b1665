/**
 * Broker on Redis: publish is one Lua script (membership, dedupe, XADD to the
 * group stream and the history stream, dedupe record, trim); delivery comes
 * from the StreamReader; member events go over one pub/sub channel that every
 * hub subscribes to on its own connection.
 */
import { DEDUPE_WINDOW_MS, type MemberEvent, type Message } from '@next-chat/core';
import type { Redis } from 'ioredis';
import type { Broker, BrokerHandlers, MemberEventKind, PublishInput, PublishResult } from '../../ports/broker.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { connectRedis, guarded } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';
import { StreamReader, type GroupReader } from './stream-reader.js';
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
  /** @default 'notify' — fan-out reader: pub/sub wake-ups + XREAD of dirty groups, or one blocking XREAD of all. */
  fanout?: 'notify' | 'block';
  /** @default 5000 — block variant: ms one XREAD blocks. */
  blockMs?: number;
}

const NOOP_HANDLERS: BrokerHandlers = { message: () => {}, memberEvent: () => {}, gap: () => {} };

/** A stream entry's fields (`a`, `t`, `s`, `c`) as a Message. */
export function entryToMessage(groupId: string, id: string, fields: string[]): Message {
  let authorId = '';
  let text = '';
  let sentAt = '';
  let cmid = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1];
    switch (fields[i]) {
      case 'a':
        authorId = v;
        break;
      case 't':
        text = v;
        break;
      case 's':
        sentAt = v;
        break;
      case 'c':
        cmid = v;
        break;
    }
  }
  const m: Message = { id, groupId, authorId, text, sentAt };
  if (cmid !== '') m.clientMessageId = cmid;
  return m;
}

export class RedisBroker implements Broker {
  private handlers: BrokerHandlers = NOOP_HANDLERS;
  private readonly reader: GroupReader;
  private readonly subscriber: Redis;
  private readonly health: NodeJS.Timeout;
  private lastPong = 0;
  private pinging = false;
  private closed = false;

  constructor(private readonly o: RedisBrokerOptions) {
    const readerOptions = {
      url: o.url,
      commands: o.commands,
      keys: o.keys,
      logger: o.logger,
      metrics: o.metrics,
      onEntry: (groupId: string, id: string, fields: string[]) => this.handlers.message(entryToMessage(groupId, id, fields)),
      onGap: (groupId: string) => {
        o.logger.warn({ groupId }, 'messages trimmed before this hub read them; subscribers resync');
        this.handlers.gap(groupId);
      },
    };
    this.reader = (o.fanout ?? 'notify') === 'notify' ? new NotifyReader(readerOptions) : new StreamReader({ ...readerOptions, blockMs: o.blockMs });
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
    const sentAt = new Date(input.sentAtMs).toISOString();
    const r = await guarded(this.o.metrics, () =>
      this.o.scripts.publish({
        groupId: input.groupId,
        authorId: input.authorId,
        text: input.text,
        sentAt,
        clientMessageId: input.clientMessageId,
        dedupeSeconds: Math.round(DEDUPE_WINDOW_MS / 1000),
        withHistory: this.o.withHistory,
        retentionMs: this.o.streamRetentionMs,
        // Always announce, whatever this hub reads with: hubs of both fan-out kinds may share a Redis.
        notify: true,
      }),
    );
    if (r.status === 'group_not_found' || r.status === 'not_member') return { status: r.status };
    const message: Message = {
      id: r.id,
      groupId: input.groupId,
      authorId: input.authorId,
      text: r.status === 'duplicate' ? r.text : input.text,
      sentAt: r.status === 'duplicate' ? r.sentAt : sentAt,
    };
    if (input.clientMessageId !== undefined) message.clientMessageId = input.clientMessageId;
    return { status: r.status, message };
  }

  subscribe(groupId: string): Promise<string> {
    return guarded(this.o.metrics, () => this.reader.add(groupId));
  }

  unsubscribe(groupId: string): void {
    this.reader.remove(groupId);
  }

  async publishMemberEvent(kind: MemberEventKind, event: MemberEvent): Promise<void> {
    await guarded(this.o.metrics, () => this.o.commands.publish(this.o.keys.events(), JSON.stringify({ kind, event })));
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
    let parsed: { kind?: unknown; event?: MemberEvent };
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    if ((parsed.kind !== 'member.joined' && parsed.kind !== 'member.left') || !parsed.event) return;
    try {
      this.handlers.memberEvent(parsed.kind, parsed.event);
    } catch (err) {
      this.o.logger.error({ err }, 'member event handler threw');
    }
  }
}
