/**
 * Webhook delivery, the same on both engines (the log is the difference,
 * event-log.ts). Each partition is delivered by the one hub holding its
 * lease; for each endpoint the holder runs one loop that takes the
 * partition's entries in order and does not move on until the current one
 * is delivered or dead, which is what keeps a room's events in order. The
 * loops run beside chat and nothing on a request path awaits them: a slow
 * or failing receiver only makes its own loop wait.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '@next-chat/core';
import type { WebhookEndpoint } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Page } from '../ports/group-store.js';
import type { DeadLetter, WebhookEventInput, WebhookStatus, Webhooks } from '../ports/webhooks.js';
import { nextAttemptAt } from './backoff.js';
import type { LogEntry, WebhookLog } from './event-log.js';
import { partitionOf } from './partition.js';
import { postEvent } from './post.js';

export interface WebhookDeliveryOptions {
  log: WebhookLog;
  endpoints: readonly WebhookEndpoint[];
  secret: string;
  partitions: number;
  timeoutMs: number;
  retrySeconds: number;
  /** ms a lease lasts without renewal; renewed every third of it. */
  leaseMs: number;
  /** ms an idle loop waits before looking for new entries. */
  idlePollMs?: number;
  /** ms between trims of a held partition. */
  trimIntervalMs?: number;
  /**
   * How many hubs are live (presence's instances): each holds at most its
   * share of the partitions, ceil(partitions / live), so the work spreads
   * and a hub started later takes over some. Absent: one hub takes all.
   */
  liveHubs?: () => Promise<number>;
  metrics: Metrics;
  logger: Logger;
}

/** The loops of one held partition. */
interface Held {
  stop: AbortController;
  loops: Promise<void>[];
  trimmedAt: number;
}

const READ_COUNT = 20;

export class WebhookDelivery implements Webhooks {
  private readonly held = new Map<number, Held>();
  /** Per endpoint, per partition: ms of the oldest entry its loop is working on (the lag gauge is the oldest of them). */
  private readonly working = new Map<string, Map<number, number>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: WebhookDeliveryOptions) {
    for (const e of o.endpoints) this.working.set(e.name, new Map());
  }

  /** True when some endpoint wants events of this type (the brokers skip recording otherwise). */
  wants(type: WebhookEvent['type']): boolean {
    return this.o.endpoints.some((e) => e.events.includes(type));
  }

  partitionOf(groupId: string): number {
    return partitionOf(groupId, this.o.partitions);
  }

  async record(e: WebhookEventInput): Promise<void> {
    if (!this.wants(e.type)) return;
    const event: WebhookEvent = { id: randomUUID(), type: e.type, groupId: e.groupId, createdAt: new Date(e.atMs).toISOString(), data: e.data };
    await this.o.log.append(this.partitionOf(e.groupId), event);
  }

  deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>> {
    return this.o.log.deadLetters(opts);
  }

  replay(id: string): Promise<boolean> {
    return this.o.log.replay(id);
  }

  status(): Promise<WebhookStatus[]> {
    return this.o.log.status(this.o.endpoints.map((e) => e.name));
  }

  start(): void {
    if (this.timer || this.closed) return;
    const every = Math.max(50, Math.floor(this.o.leaseMs / 3));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
    void this.tick();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    const parts = [...this.held.keys()];
    await Promise.all(parts.map((p) => this.drop(p)));
    await Promise.all(parts.map((p) => this.o.log.release(p).catch(() => undefined)));
  }

  /**
   * Renews held leases, drops lost ones, hands back partitions beyond this
   * hub's share (one per tick, so hubs settle without flapping), takes free
   * ones up to the share, trims what is due.
   */
  private tick(): Promise<void> {
    if (this.ticking || this.closed) return this.ticking ?? Promise.resolve();
    this.ticking = (async () => {
      const share = await this.share();
      for (const p of [...this.held.keys()].slice(share, share + 1)) {
        this.o.logger.info({ partition: p, share }, 'webhook partition handed over (more than this hub\'s share)');
        await this.drop(p);
        await this.o.log.release(p).catch(() => undefined);
      }
      for (let p = 0; p < this.o.partitions && !this.closed; p++) {
        const h = this.held.get(p);
        if (!h && this.held.size >= share) continue;
        let mine: boolean;
        try {
          mine = await this.o.log.acquire(p);
        } catch (err) {
          // Counted as lost: delivering on without a lease would race the hub that takes the partition over.
          this.o.logger.warn({ err, partition: p }, 'webhook lease check failed');
          mine = false;
        }
        if (this.closed) break;
        if (mine && !h) this.take(p);
        else if (!mine && h) {
          this.o.logger.info({ partition: p }, 'webhook partition lease lost');
          void this.drop(p);
        } else if (mine && h && Date.now() - h.trimmedAt >= (this.o.trimIntervalMs ?? 5000)) {
          h.trimmedAt = Date.now();
          await this.o.log.trim(p, this.o.endpoints.map((e) => e.name)).catch((err: unknown) => this.o.logger.warn({ err, partition: p }, 'webhook trim failed'));
        }
      }
      this.o.metrics.webhookPartitionsHeld.set(this.held.size);
      for (const e of this.o.endpoints) this.refreshLag(e.name);
    })()
      .catch((err: unknown) => this.o.logger.error({ err }, 'webhook lease tick failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  /** Partitions this hub may hold; all of them when the live hubs cannot be counted. */
  private async share(): Promise<number> {
    if (!this.o.liveHubs) return this.o.partitions;
    const live = await this.o.liveHubs().catch(() => 1);
    return Math.ceil(this.o.partitions / Math.max(1, live));
  }

  private take(p: number): void {
    const stop = new AbortController();
    const loops = this.o.endpoints.map((e) => this.loop(p, e, stop.signal));
    this.held.set(p, { stop, loops, trimmedAt: 0 });
  }

  private async drop(p: number): Promise<void> {
    const h = this.held.get(p);
    if (!h) return;
    this.held.delete(p);
    h.stop.abort();
    await Promise.all(h.loops);
    this.o.metrics.webhookPartitionsHeld.set(this.held.size);
  }

  /** One endpoint's deliveries of one partition, in order, until the lease is gone. */
  private async loop(p: number, endpoint: WebhookEndpoint, stop: AbortSignal): Promise<void> {
    let prepared = false;
    while (!stop.aborted) {
      try {
        if (!prepared) {
          await this.o.log.prepare(p, endpoint.name);
          prepared = true;
        }
        const entries = await this.o.log.read(p, endpoint.name, READ_COUNT);
        if (entries.length === 0) {
          this.setWorking(endpoint.name, p, undefined);
          await sleep(this.o.idlePollMs ?? 200, stop);
          continue;
        }
        for (const entry of entries) {
          if (stop.aborted) break;
          const wanted = entry.onlyFor === undefined ? endpoint.events.includes(entry.event.type) : entry.onlyFor === endpoint.name;
          if (!wanted) await this.o.log.ack(p, endpoint.name, entry.position);
          else await this.deliver(p, endpoint, entry, stop);
        }
      } catch (err) {
        if (stop.aborted) break;
        prepared = false; // e.g. its consumer group was removed under it
        this.o.logger.warn({ err, partition: p, endpoint: endpoint.name }, 'webhook delivery loop failed; retrying');
        await sleep(1000, stop);
      }
    }
    this.setWorking(endpoint.name, p, undefined);
  }

  /** Attempts until delivered or out of the retry window; returns without acknowledging when stopped (whoever takes over delivers it). */
  private async deliver(p: number, endpoint: WebhookEndpoint, entry: LogEntry, stop: AbortSignal): Promise<void> {
    const name = endpoint.name;
    const windowEnd = entry.writtenAtMs + this.o.retrySeconds * 1000;
    this.setWorking(name, p, Math.min(entry.writtenAtMs, Date.parse(entry.event.createdAt) || entry.writtenAtMs));
    for (let attempt = 1; ; attempt++) {
      const r = await postEvent(endpoint.url, entry.event, this.o.secret, this.o.timeoutMs, stop);
      if (stop.aborted) return;
      this.o.metrics.webhookAttempts.inc({ endpoint: name, outcome: r.outcome });
      if (r.outcome === 'ok') {
        await this.o.log.ack(p, name, entry.position);
        this.o.metrics.webhookDelivered.inc({ endpoint: name });
        return;
      }
      const at = nextAttemptAt(attempt, Date.now(), windowEnd);
      if (at === null) {
        await this.o.log.deadLetter(p, name, entry, attempt, r.error ?? r.outcome);
        this.o.metrics.webhookDeadLetters.inc({ endpoint: name });
        this.o.logger.warn({ endpoint: name, eventId: entry.event.id, type: entry.event.type, attempts: attempt, lastError: r.error }, 'webhook event dead-lettered');
        return;
      }
      if (attempt === 1) this.o.logger.info({ endpoint: name, eventId: entry.event.id, error: r.error }, 'webhook delivery failed; retrying with backoff');
      await sleep(at - Date.now(), stop);
      if (stop.aborted) return;
    }
  }

  private setWorking(endpoint: string, p: number, sinceMs: number | undefined): void {
    const m = this.working.get(endpoint);
    if (!m) return;
    if (sinceMs === undefined) m.delete(p);
    else m.set(p, sinceMs);
    this.refreshLag(endpoint);
  }

  /** Also called by the tick, so the gauge grows while one event is being retried. */
  private refreshLag(endpoint: string): void {
    const m = this.working.get(endpoint);
    if (!m) return;
    const oldest = m.size === 0 ? undefined : Math.min(...m.values());
    this.o.metrics.webhookLag.set({ endpoint }, oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
  }
}

/** Resolves after `ms`, or at once when `stop` fires. */
function sleep(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });
}
