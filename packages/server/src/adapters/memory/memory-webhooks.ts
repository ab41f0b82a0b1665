/**
 * Webhook events of the embedded engine, kept in this process: one list per
 * partition and a delivered-up-to position per endpoint, as the Redis
 * adapter keeps streams and consumer groups. One hub, so the leases are
 * always its own. Lost with the process, like everything of this engine.
 */
import type { Message, WebhookEvent } from '@next-chat/core';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Page } from '../../ports/group-store.js';
import type { DeadLetter, WebhookStatus } from '../../ports/webhooks.js';
import { WebhookDelivery } from '../../webhooks/delivery.js';
import { changeEventId, messageEventId, type LogEntry, type WebhookLog } from '../../webhooks/event-log.js';

interface Stored extends LogEntry {
  seq: number;
}

export class MemoryWebhookLog implements WebhookLog {
  private readonly parts: Stored[][];
  /** `<partition> <endpoint>` → seq of the last entry acknowledged. */
  private readonly acked = new Map<string, number>();
  private readonly dead: (DeadLetter & { seq: number; partition: number })[] = [];
  private seq = 0;

  constructor(partitions: number) {
    this.parts = Array.from({ length: partitions }, () => []);
  }

  /** Synchronous, so the broker records a message in the same step as it appends it. */
  appendNow(partition: number, event: WebhookEvent, onlyFor?: string): void {
    const seq = ++this.seq;
    const entry: Stored = { seq, position: String(seq), event, writtenAtMs: Date.now() };
    if (onlyFor !== undefined) entry.onlyFor = onlyFor;
    this.parts[partition]?.push(entry);
  }

  async append(partition: number, event: WebhookEvent): Promise<void> {
    this.appendNow(partition, event);
  }

  async acquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}

  async prepare(partition: number, endpoint: string): Promise<void> {
    // A new endpoint gets what is still kept, as a new consumer group on Redis does.
    if (!this.acked.has(`${partition} ${endpoint}`)) this.acked.set(`${partition} ${endpoint}`, 0);
  }

  async read(partition: number, endpoint: string, count: number): Promise<LogEntry[]> {
    const after = this.acked.get(`${partition} ${endpoint}`) ?? 0;
    return (this.parts[partition] ?? []).filter((e) => e.seq > after).slice(0, count);
  }

  async ack(partition: number, endpoint: string, position: string): Promise<void> {
    const k = `${partition} ${endpoint}`;
    this.acked.set(k, Math.max(this.acked.get(k) ?? 0, Number(position)));
  }

  async deadLetter(partition: number, endpoint: string, entry: LogEntry, attempts: number, lastError: string): Promise<void> {
    const seq = ++this.seq;
    this.dead.push({ seq, partition, id: String(seq), endpoint, event: entry.event, attempts, lastError, failedAt: new Date().toISOString() });
    await this.ack(partition, endpoint, entry.position);
  }

  async trim(partition: number, endpoints: readonly string[]): Promise<void> {
    for (const k of [...this.acked.keys()]) if (k.startsWith(`${partition} `) && !endpoints.includes(k.slice(k.indexOf(' ') + 1))) this.acked.delete(k);
    const list = this.parts[partition] ?? [];
    const marks = endpoints.map((e) => this.acked.get(`${partition} ${e}`));
    if (marks.some((m) => m === undefined)) return;
    const upTo = Math.min(...(marks as number[]));
    let n = 0;
    while (n < list.length && (list[n] as Stored).seq <= upTo) n++;
    list.splice(0, n);
  }

  async deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>> {
    const after = opts.after === undefined ? 0 : Number(opts.after) || 0;
    const all = this.dead.filter((d) => d.seq > after && (opts.endpoint === undefined || d.endpoint === opts.endpoint));
    const items = all.slice(0, opts.limit).map(({ seq: _s, partition: _p, ...d }) => d);
    return { items, next: all.length > opts.limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  async replay(id: string): Promise<boolean> {
    const i = this.dead.findIndex((d) => d.id === id);
    const d = this.dead[i];
    if (!d) return false;
    this.dead.splice(i, 1);
    this.appendNow(d.partition, d.event, d.endpoint);
    return true;
  }

  async status(endpoints: readonly string[]): Promise<WebhookStatus[]> {
    const now = Date.now();
    return endpoints.map((endpoint) => {
      let backlog = 0;
      let oldest = Infinity;
      this.parts.forEach((list, p) => {
        const after = this.acked.get(`${p} ${endpoint}`) ?? 0;
        for (const e of list) {
          if (e.seq <= after || (e.onlyFor !== undefined && e.onlyFor !== endpoint)) continue;
          backlog++;
          oldest = Math.min(oldest, e.writtenAtMs);
        }
      });
      return { endpoint, backlog, lagSeconds: backlog === 0 ? 0 : (now - oldest) / 1000, deadLetters: this.dead.filter((d) => d.endpoint === endpoint).length };
    });
  }
}

/** The memory engine's webhooks: the port, plus what the memory broker calls to record messages and edits with them. */
export class MemoryWebhooks extends WebhookDelivery {
  constructor(
    private readonly memLog: MemoryWebhookLog,
    opts: Omit<ConstructorParameters<typeof WebhookDelivery>[0], 'log'>,
  ) {
    super({ ...opts, log: memLog });
  }

  messageCreated(message: Message): void {
    if (!this.wants('message.created')) return;
    this.memLog.appendNow(this.partitionOf(message.groupId), {
      id: messageEventId(message.groupId, message.id),
      type: 'message.created',
      groupId: message.groupId,
      createdAt: new Date().toISOString(),
      data: { message },
    });
  }

  messageUpdated(message: Message, cursor: string): void {
    if (!this.wants('message.updated')) return;
    this.memLog.appendNow(this.partitionOf(message.groupId), {
      id: changeEventId(message.groupId, cursor),
      type: 'message.updated',
      groupId: message.groupId,
      createdAt: new Date().toISOString(),
      data: { message, cursor },
    });
  }
}

export function createMemoryWebhooks(config: Config, deps: { logger: Logger; metrics: Metrics }): MemoryWebhooks | undefined {
  if (!config.webhooks || config.webhooks.length === 0 || config.webhookSecret === undefined) return undefined;
  return new MemoryWebhooks(new MemoryWebhookLog(config.webhookPartitions), {
    endpoints: config.webhooks,
    secret: config.webhookSecret,
    partitions: config.webhookPartitions,
    timeoutMs: config.webhookTimeoutMs,
    retrySeconds: config.webhookRetrySeconds,
    leaseMs: config.presenceTtlMs,
    metrics: deps.metrics,
    logger: deps.logger.child({ component: 'webhooks' }),
  });
}
