/**
 * Webhook events on Redis, shared by every hub: one stream per partition
 * (`{wh:<p>}:events`), one consumer group per endpoint on each (named as
 * the endpoint, so endpoints progress independently), a lease per partition
 * (the hub delivering it), and a stream of dead letters. The delivery loop
 * is webhooks/delivery.ts. Every command here is short (no BLOCK): they
 * share the hub's commands connection with chat.
 */
import type { WebhookEvent } from '@next-chat/core';
import type { RedisClient } from './connection.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Page } from '../../ports/group-store.js';
import type { DeadLetter, WebhookStatus } from '../../ports/webhooks.js';
import { WebhookDelivery } from '../../webhooks/delivery.js';
import { changeEventId, messageEventId, type LogEntry, type WebhookLog } from '../../webhooks/event-log.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';
import { unwrap } from './redis-group-store.js';

type RawEntry = [string, string[] | null];

function fieldsOf(raw: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) f[raw[i] as string] = raw[i + 1] as string;
  return f;
}

const msOfId = (id: string): number => Number(id.slice(0, id.indexOf('-')));

/** A stream entry as the event it holds: the scripts write a message's or change's JSON (k, m), record() and replay the whole event (e). */
export function entryOf(id: string, f: Record<string, string>): LogEntry | undefined {
  const writtenAtMs = msOfId(id);
  let event: WebhookEvent | undefined;
  if (f.e !== undefined) event = JSON.parse(f.e) as WebhookEvent;
  else if (f.k === 'message.created' && f.m !== undefined) {
    const message = JSON.parse(f.m) as WebhookEvent<'message.created'>['data']['message'];
    event = { id: messageEventId(message.groupId, message.id), type: 'message.created', groupId: message.groupId, createdAt: new Date(writtenAtMs).toISOString(), data: { message } };
  } else if (f.k === 'message.updated' && f.m !== undefined) {
    const data = JSON.parse(f.m) as WebhookEvent<'message.updated'>['data'];
    const groupId = data.message.groupId;
    event = { id: changeEventId(groupId, data.cursor), type: 'message.updated', groupId, createdAt: new Date(writtenAtMs).toISOString(), data };
  }
  if (!event) return undefined;
  const entry: LogEntry = { position: id, event, writtenAtMs };
  if (f.o !== undefined) entry.onlyFor = f.o;
  return entry;
}

interface GroupInfo {
  name: string;
  pending: number;
  lastDelivered: string;
  lag: number | null;
}

function groupsOf(reply: unknown): GroupInfo[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((g: unknown[]) => {
    const f: Record<string, unknown> = {};
    for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
    return { name: String(f.name), pending: Number(f.pending), lastDelivered: String(f['last-delivered-id']), lag: f.lag === null || f.lag === undefined ? null : Number(f.lag) };
  });
}

const isBusyGroup = (err: unknown): boolean => err instanceof Error && err.message.startsWith('BUSYGROUP');
const isNoGroup = (err: unknown): boolean => err instanceof Error && (err.message.startsWith('NOGROUP') || err.message.includes('no such key'));

export interface RedisWebhookLogOptions {
  commands: RedisClient;
  keys: RedisKeys;
  scripts: Scripts;
  instanceId: string;
  partitions: number;
  leaseMs: number;
}

export class RedisWebhookLog implements WebhookLog {
  constructor(private readonly o: RedisWebhookLogOptions) {}

  async append(partition: number, event: WebhookEvent): Promise<void> {
    await this.o.commands.xadd(this.o.keys.webhookEvents(partition), '*', 'e', JSON.stringify(event));
  }

  acquire(partition: number): Promise<boolean> {
    return this.o.scripts.webhookLease(partition, this.o.instanceId, 'acquire', this.o.leaseMs);
  }

  async release(partition: number): Promise<void> {
    await this.o.scripts.webhookLease(partition, this.o.instanceId, 'release', this.o.leaseMs);
  }

  async prepare(partition: number, endpoint: string): Promise<void> {
    // From the stream's start: what was recorded before any hub made the
    // group is delivered too (an endpoint added later gets what is still kept).
    try {
      await this.o.commands.xgroup('CREATE', this.o.keys.webhookEvents(partition), endpoint, '0', 'MKSTREAM');
    } catch (err) {
      if (!isBusyGroup(err)) throw err;
    }
  }

  async read(partition: number, endpoint: string, count: number): Promise<LogEntry[]> {
    const key = this.o.keys.webhookEvents(partition);
    const r = this.o.commands;
    // Entries read and not acknowledged, by whichever consumer (a hub killed
    // mid-delivery, or this one before it lost the lease): they come first,
    // in id order. Only the lease holder reads, so no one else is at them.
    const claimed = (await r.call('XAUTOCLAIM', key, endpoint, this.o.instanceId, '0', '0-0', 'COUNT', count)) as [string, RawEntry[], string[]?];
    let raw = (claimed[1] ?? []).filter((e): e is [string, string[]] => e[1] !== null);
    if (raw.length === 0) {
      const got = (await r.call('XREADGROUP', 'GROUP', endpoint, this.o.instanceId, 'COUNT', count, 'STREAMS', key, '>')) as [string, RawEntry[]][] | null;
      raw = (got?.[0]?.[1] ?? []).filter((e): e is [string, string[]] => e[1] !== null);
    }
    const out: LogEntry[] = [];
    for (const [id, fields] of raw) {
      const entry = entryOf(id, fieldsOf(fields));
      // An entry nobody can read would hold the partition forever.
      if (entry) out.push(entry);
      else await r.xack(key, endpoint, id);
    }
    return out;
  }

  async ack(partition: number, endpoint: string, position: string): Promise<void> {
    await this.o.commands.xack(this.o.keys.webhookEvents(partition), endpoint, position);
  }

  async deadLetter(partition: number, endpoint: string, entry: LogEntry, attempts: number, lastError: string): Promise<void> {
    const m = this.o.commands.multi();
    m.xadd(
      this.o.keys.webhookDeadLetters(),
      '*',
      'endpoint',
      endpoint,
      'event',
      JSON.stringify(entry.event),
      'attempts',
      String(attempts),
      'lastError',
      lastError,
      'failedAt',
      new Date().toISOString(),
      'partition',
      String(partition),
    );
    m.xack(this.o.keys.webhookEvents(partition), endpoint, entry.position);
    unwrap(await m.exec());
  }

  async trim(partition: number, endpoints: readonly string[]): Promise<void> {
    const key = this.o.keys.webhookEvents(partition);
    const r = this.o.commands;
    let groups: GroupInfo[];
    try {
      groups = groupsOf(await r.xinfo('GROUPS', key));
    } catch (err) {
      if (isNoGroup(err)) return;
      throw err;
    }
    // Groups of endpoints no longer configured would hold trimming forever.
    for (const g of groups.filter((g) => !endpoints.includes(g.name))) await r.xgroup('DESTROY', key, g.name);
    const kept = groups.filter((g) => endpoints.includes(g.name));
    if (kept.length < endpoints.length) return; // an endpoint without its group yet has everything still to come
    let minId: string | undefined;
    for (const g of kept) {
      let upTo = g.lastDelivered;
      if (g.pending > 0) {
        const summary = (await r.xpending(key, g.name)) as [number, string | null, string | null, unknown];
        if (summary[1]) upTo = summary[1];
      }
      if (minId === undefined || compareIds(upTo, minId) < 0) minId = upTo;
    }
    // MINID keeps minId itself: the oldest pending entry, or one already delivered.
    if (minId !== undefined && minId !== '0-0') await r.xtrim(key, 'MINID', minId);
  }

  async deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>> {
    const items: DeadLetter[] = [];
    let start = opts.after === undefined ? '-' : `(${opts.after}`;
    let more = false;
    for (;;) {
      const page = (await this.o.commands.xrange(this.o.keys.webhookDeadLetters(), start, '+', 'COUNT', 500)) as [string, string[]][];
      for (const [id, raw] of page) {
        const f = fieldsOf(raw);
        if (opts.endpoint !== undefined && f.endpoint !== opts.endpoint) continue;
        if (items.length === opts.limit) {
          more = true;
          break;
        }
        items.push({ id, endpoint: f.endpoint ?? '', event: JSON.parse(f.event ?? 'null') as WebhookEvent, attempts: Number(f.attempts), lastError: f.lastError ?? '', failedAt: f.failedAt ?? '' });
      }
      if (more || page.length < 500) break;
      start = `(${(page[page.length - 1] as [string, string[]])[0]}`;
    }
    return { items, next: more ? (items[items.length - 1]?.id ?? null) : null };
  }

  async replay(id: string): Promise<boolean> {
    if (!/^\d+-\d+$/.test(id)) return false;
    const got = (await this.o.commands.xrange(this.o.keys.webhookDeadLetters(), id, id)) as [string, string[]][];
    const entry = got[0];
    if (!entry) return false;
    const partition = Number(fieldsOf(entry[1]).partition);
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.o.partitions) return false;
    return this.o.scripts.replayDeadLetter(id, partition);
  }

  async status(endpoints: readonly string[]): Promise<WebhookStatus[]> {
    const r = this.o.commands;
    const p = r.pipeline();
    for (let i = 0; i < this.o.partitions; i++) p.xinfo('GROUPS', this.o.keys.webhookEvents(i));
    const infos = ((await p.exec()) ?? []).map(([err, v]) => (err ? [] : groupsOf(v)));
    const now = Date.now();
    const dead = await this.deadCounts();
    const out: WebhookStatus[] = [];
    for (const endpoint of endpoints) {
      let backlog = 0;
      let oldest = Infinity;
      for (let i = 0; i < this.o.partitions; i++) {
        const g = infos[i]?.find((x) => x.name === endpoint);
        const key = this.o.keys.webhookEvents(i);
        if (!g) {
          // No group yet: everything in the stream is still to come.
          const n = await r.xlen(key);
          backlog += n;
          if (n > 0) oldest = Math.min(oldest, msOfId(((await r.xrange(key, '-', '+', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? `${now}-0`));
          continue;
        }
        // XINFO's lag is unknown after deletions in the stream (trims, a room's delete): count what is after the group's position then.
        const lag = g.lag ?? ((await r.xrange(key, `(${g.lastDelivered}`, '+', 'COUNT', 10_000)) as unknown[]).length;
        const waiting = g.pending + lag;
        if (waiting === 0) continue;
        backlog += waiting;
        let first: string | undefined;
        if (g.pending > 0) first = ((await r.xpending(key, endpoint)) as [number, string | null])[1] ?? undefined;
        else first = ((await r.xrange(key, `(${g.lastDelivered}`, '+', 'COUNT', 1)) as [string, string[]][])[0]?.[0];
        if (first) oldest = Math.min(oldest, msOfId(first));
      }
      out.push({ endpoint, backlog, lagSeconds: oldest === Infinity ? 0 : Math.max(0, (now - oldest) / 1000), deadLetters: dead.get(endpoint) ?? 0 });
    }
    return out;
  }

  private async deadCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let start = '-';
    for (;;) {
      const page = (await this.o.commands.xrange(this.o.keys.webhookDeadLetters(), start, '+', 'COUNT', 1000)) as [string, string[]][];
      for (const [, raw] of page) {
        const e = fieldsOf(raw).endpoint ?? '';
        counts.set(e, (counts.get(e) ?? 0) + 1);
      }
      if (page.length < 1000) return counts;
      start = `(${(page[page.length - 1] as [string, string[]])[0]}`;
    }
  }
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

export function createRedisWebhooks(
  config: Config,
  deps: { commands: RedisClient; keys: RedisKeys; scripts: Scripts; logger: Logger; metrics: Metrics; liveHubs: () => Promise<number> },
): WebhookDelivery | undefined {
  if (!config.webhooks || config.webhooks.length === 0 || config.webhookSecret === undefined) return undefined;
  const log = new RedisWebhookLog({
    commands: deps.commands,
    keys: deps.keys,
    scripts: deps.scripts,
    instanceId: config.instanceId,
    partitions: config.webhookPartitions,
    leaseMs: config.presenceTtlMs,
  });
  return new WebhookDelivery({
    log,
    endpoints: config.webhooks,
    secret: config.webhookSecret,
    partitions: config.webhookPartitions,
    timeoutMs: config.webhookTimeoutMs,
    retrySeconds: config.webhookRetrySeconds,
    leaseMs: config.presenceTtlMs,
    liveHubs: deps.liveHubs,
    metrics: deps.metrics,
    logger: deps.logger.child({ component: 'webhooks' }),
  });
}
