/**
 * Broker on Redis: publish is one Lua script (membership, dedupe, XADD of the
 * message's one payload to the group stream and the history stream, the
 * announcement, dedupe record, trim); delivery of a group's messages and
 * events comes from the NotifyReader (both travel on the group's channel, so
 * they keep their order); events of users go over one pub/sub channel that
 * every hub subscribes to on its own connection. Every payload is made and read by events/codec.ts.
 */
import { DEDUPE_WINDOW_MS } from '@next-chat/core';
import { changeEvent, sendReadParts, decodeClusterEvent, decodeMessage, encodeClusterEvent, groupOf, idOfJson, messageBody, messageEvent, messageJson, messageOfChange, type ClusterEvent, type MessageEvent } from '../../events/codec.js';
import type { Broker, BrokerHandlers, ChangeInput, ChangeResult, PublishInput, PublishResult } from '../../ports/broker.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { COMMAND_TIMEOUT_MS, connectRedis, guarded, type RedisClient, type RedisTarget } from './connection.js';
import { Channels, publish } from './channels.js';
import { unwrap } from './redis-group-store.js';
import type { RedisKeys } from './keys.js';
import { Scripts } from './scripts.js';
import { NotifyReader } from './notify-reader.js';
import { ReplicaWait } from './replica-wait.js';
import { ThrottledLog } from '../../observability/throttled-log.js';

export interface RedisBrokerOptions {
  url: RedisTarget;
  commands: RedisClient;
  keys: RedisKeys;
  scripts: Scripts;
  logger: Logger;
  metrics: Metrics;
  /** True when a history database is configured: publishes feed the history stream and streams are trimmed. */
  withHistory: boolean;
  /** ms written messages stay in a group stream. */
  streamRetentionMs: number;
  /** This hub's id (presence entries, and the events it told its own connections itself). */
  instanceId: string;
  /** @default 1000 — ms between health pings that drive isReady(). */
  healthIntervalMs?: number;
  /** Told of each message or change written to the history stream (the cluster's history writer reads the slots it is told of). */
  wroteHistory?: (groupId: string) => void;
  /** Configured webhooks: publish and change record messages and edits for them in the same script. */
  webhooks?: WebhookRecording;
  /**
   * NEXT_CHAT_REDIS_WAIT_REPLICAS: publishes and changes run on a connection
   * of their own and are answered once `replicas` replicas have them (WAIT),
   * 4503 when fewer do within `timeoutMs`. Absent: answered once the primary
   * has them, on the request connection.
   */
  durable?: { replicas: number; timeoutMs: number };
}

/** What the broker asks of the webhooks to record a message with it. */
export interface WebhookRecording {
  wants(type: 'message.created' | 'message.updated'): boolean;
  partitionOf(groupId: string): number;
}

const NOOP_HANDLERS: BrokerHandlers = { event: () => {}, gap: () => {} };

export class RedisBroker implements Broker {
  private handlers: BrokerHandlers = NOOP_HANDLERS;
  private readonly reader: NotifyReader;
  private readonly subscriber: Channels;
  /** Users with a connection here: their channels are subscribed. */
  private readonly watched = new Set<string>();
  private readonly health: NodeJS.Timeout;
  private lastPong = 0;
  private pinging = false;
  private closed = false;
  /** The scripts that write messages: on the durable connection with WAIT, else the request connection's. */
  private readonly writes: Scripts;
  private readonly durable: { conn: RedisClient; wait: ReplicaWait } | undefined;

  constructor(private readonly o: RedisBrokerOptions) {
    if (o.durable && o.durable.replicas > 0) {
      // WAIT blocks its connection up to the timeout: the command timeout must outlast it.
      const conn = connectRedis(o.url, 'durable', o, { commandTimeout: Math.max(COMMAND_TIMEOUT_MS, o.durable.timeoutMs + 1000) });
      const warnings = new ThrottledLog(o.logger);
      const wait = new ReplicaWait({
        redis: conn,
        replicas: o.durable.replicas,
        timeoutMs: o.durable.timeoutMs,
        markChannel: `${o.keys.prefix}:durable-mark`,
        onWait: (w) => {
          o.metrics.replicaWait.observe({ outcome: w.ok ? 'ok' : 'too_few' }, w.ms / 1000);
          o.metrics.replicaWaitWrites.observe(w.writes);
          if (!w.ok) warnings.write('warn', 'replica_wait', { acked: w.acked, wanted: o.durable?.replicas, writes: w.writes }, 'too few replicas confirmed writes in time; answered 4503');
        },
      });
      this.durable = { conn, wait };
      this.writes = new Scripts(conn, o.keys);
    } else {
      this.writes = o.scripts;
    }
    this.reader = new NotifyReader({
      url: o.url,
      commands: o.commands,
      keys: o.keys,
      logger: o.logger,
      metrics: o.metrics,
      onEvent: (e) => this.handlers.event(e),
      onGap: (groupId, reason) => {
        o.logger.warn(
          { groupId, reason },
          reason === 'trimmed'
            ? 'messages trimmed before this hub read them; subscribers resync'
            : "the group's log went back behind what this hub delivered (failover to a replica without the newest entries); subscribers resync",
        );
        this.handlers.gap(groupId);
      },
    });
    this.subscriber = new Channels(connectRedis(o.url, 'subscriber', o, { commandTimeout: undefined, maxRetriesPerRequest: null }), o.keys.sharded, (channel, payload) =>
      this.onEvent(channel, payload),
    );
    // Every user channel again after each (re)connect: a SUBSCRIBE sent while
    // the connection was still being set up can be lost with it.
    this.subscriber.conn.on('ready', () => {
      const channels = [...this.watched].map((u) => o.keys.userEvents(u));
      if (channels.length > 0) this.subscriber.subscribe(...channels).catch(() => {});
    });
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
    const epoch = this.durable?.wait.epoch;
    // Asked beside the script, not in it: the author's presence is in their slot, not the group's.
    // Settled here whatever happens to the send: an unobserved rejection would end the process.
    const elsewhere = input.byOperator ? Promise.resolve(false) : this.connectedElsewhere(input.authorId).catch(() => false);
    const r = await guarded(this.o.metrics, () =>
      this.writes.publish({
        groupId: input.groupId,
        authorId: input.authorId,
        body,
        clientMessageId: input.clientMessageId,
        dedupeSeconds: Math.round(DEDUPE_WINDOW_MS / 1000),
        withHistory: this.o.withHistory,
        retentionMs: this.o.streamRetentionMs,
        byOperator: input.byOperator,
        webhookEvents: this.webhookEvents('message.created', input.groupId),
      }),
    );
    if (r.status === 'published' || r.status === 'duplicate') await this.confirmed(epoch, r.status === 'duplicate');
    if (r.status === 'published') this.o.wroteHistory?.(input.groupId);
    if (r.status === 'published') await this.tellReadElsewhere(input.groupId, input.authorId, r.id, elsewhere);
    switch (r.status) {
      case 'published':
        return { status: 'published', message: messageEvent(input.groupId, r.id, messageJson(r.id, body)) };
      case 'duplicate':
        return { status: 'duplicate', message: messageEvent(input.groupId, idOfJson(r.json) ?? decodeMessage(r.json).id, r.json) };
      default:
        return { status: r.status };
    }
  }

  async change(input: ChangeInput): Promise<ChangeResult> {
    const epoch = this.durable?.wait.epoch;
    const r = await guarded(this.o.metrics, () =>
      this.writes.change({
        groupId: input.groupId,
        userId: input.userId,
        messageId: input.messageId,
        text: input.text,
        at: new Date(input.atMs).toISOString(),
        anyone: input.anyone,
        byOperator: input.byOperator,
        withHistory: this.o.withHistory,
        fallback: input.fallback ? JSON.stringify(input.fallback) : undefined,
        webhookEvents: this.webhookEvents('message.updated', input.groupId),
      }),
    );
    if (r.status === 'changed') this.o.wroteHistory?.(input.groupId);
    if (r.status === 'changed' || r.status === 'unchanged') await this.confirmed(epoch, r.status === 'unchanged');
    switch (r.status) {
      case 'changed':
        return { status: r.status, event: changeEvent(input.groupId, r.cursor, r.json), message: decodeMessage(messageOfChange(r.json)) };
      case 'unchanged':
        return { status: r.status, message: decodeMessage(r.json) };
      case 'not_found':
        return { status: 'message_not_found', trimmed: r.trimmed };
      default:
        return { status: r.status };
    }
  }

  /**
   * With WAIT: resolves once enough replicas have the write just answered
   * (`epoch`: the durable connection's before the write; `unwritten`: it
   * found its effect already made, maybe by a write that was never
   * confirmed); 4503 otherwise, and the client's retry with the same
   * clientMessageId comes back here as a duplicate. Without: at once.
   */
  private async confirmed(epoch: number | undefined, unwritten: boolean): Promise<void> {
    if (!this.durable) return;
    try {
      await this.durable.wait.confirm({ epoch, unwritten });
    } catch (err) {
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      throw err;
    }
  }

  /** True when the user is connected on another live hub (their presence entries). */
  private async connectedElsewhere(userId: string): Promise<boolean> {
    const instances = await this.o.commands.zrangebyscore(this.o.keys.presence(userId), Date.now(), '+inf');
    return instances.some((i) => i !== this.o.instanceId);
  }

  /**
   * Sending a message moved the author's read marker (in the script); their
   * connections on other hubs hear it on their channel. Most senders are
   * connected once, and a PUBLISH nobody needs costs every send, hence the
   * presence check. The marker is stored: a lost event (this hub dies right
   * here) only delays the other connections' unread counts until they ask.
   */
  private async tellReadElsewhere(groupId: string, authorId: string, id: string, elsewhere: Promise<boolean>): Promise<void> {
    try {
      if (!(await elsewhere)) return;
      const [before, after] = sendReadParts(groupId, authorId, this.o.instanceId);
      await publish(this.o.commands, this.o.keys.sharded, this.o.keys.userEvents(authorId), before + id + after);
    } catch (err) {
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.o.logger.warn({ err: (err as Error).message, groupId }, "the author's other hubs were not told of their read marker");
    }
  }

  /** The group's webhook stream when an endpoint wants `type`; undefined (the scripts do nothing more) otherwise. */
  private webhookEvents(type: 'message.created' | 'message.updated', groupId: string): string | undefined {
    const w = this.o.webhooks;
    return w?.wants(type) ? this.o.keys.webhookEvents(w.partitionOf(groupId)) : undefined;
  }

  subscribe(groupId: string): Promise<string> {
    return guarded(this.o.metrics, () => this.reader.add(groupId));
  }

  unsubscribe(groupId: string): void {
    this.reader.remove(groupId);
  }

  async announce(e: Exclude<ClusterEvent, MessageEvent>): Promise<void> {
    if (e.kind === 'personal' || e.kind === 'disconnect') {
      // This hub's connections of the users hear it at once; one PUBLISH per
      // user reaches the other hubs where the user is connected (this one
      // skips its own copy by `origin`, as for a send's read event).
      this.handlers.event(e);
      const payload = encodeClusterEvent({ ...e, origin: this.o.instanceId });
      await guarded(this.o.metrics, async () => {
        await Promise.all(e.userIds.map((userId) => publish(this.o.commands, this.o.keys.sharded, this.o.keys.userEvents(userId), payload)));
      });
      return;
    }
    const groupId = groupOf(e) as string;
    await guarded(this.o.metrics, () => this.o.scripts.announce(groupId, encodeClusterEvent(e)));
  }

  userConnected(userId: string): void {
    this.watched.add(userId);
    // Before the connection is ready, the 'ready' listener subscribes it.
    if (this.subscriber.status !== 'ready') return;
    this.subscriber.subscribe(this.o.keys.userEvents(userId)).catch((err: Error) => this.o.logger.warn({ err: err.message }, "subscribe to a user's events failed"));
  }

  userDisconnected(userId: string): void {
    this.watched.delete(userId);
    if (this.subscriber.status === 'ready') this.subscriber.unsubscribe(this.o.keys.userEvents(userId)).catch(() => {});
  }

  isReady(): boolean {
    return !this.closed && this.o.commands.status === 'ready' && Date.now() - this.lastPong < 3000;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.health);
    this.subscriber.disconnect();
    this.durable?.conn.disconnect();
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
    if (this.o.keys.userOfEvents(channel) === undefined) return;
    const e = decodeClusterEvent(payload);
    if (!e) {
      this.o.logger.warn({ payload: payload.slice(0, 200) }, 'unreadable event on the events channel; ignored');
      return;
    }
    if ((e.kind === 'personal' || e.kind === 'disconnect') && e.origin === this.o.instanceId) return;
    try {
      this.handlers.event(e);
    } catch (err) {
      this.o.logger.error({ err }, 'event handler threw');
    }
  }
}
