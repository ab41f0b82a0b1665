/**
 * Presence on Redis: `<prefix>:presence:<user>` is a sorted set of the
 * instances where the user has a connection, scored by an expiry time. This
 * hub refreshes its users' entries every `heartbeatMs`; an entry not
 * refreshed for `ttlMs` no longer counts, so a hub killed with kill -9 leaves
 * no ghost after at most `ttlMs`. The key itself expires too.
 */
import type { RedisClient } from './connection.js';
import type { InstanceInfo, Presence } from '../../ports/presence.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { batch } from './batch.js';
import { guarded } from './connection.js';
import type { RedisKeys } from './keys.js';
import { unwrap } from './redis-group-store.js';

export interface RedisPresenceOptions {
  redis: RedisClient;
  keys: RedisKeys;
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  /** @default 10000 */
  heartbeatMs?: number;
  /** @default 30000 */
  ttlMs?: number;
}

export class RedisPresence implements Presence {
  /** Open connections per user on this instance. */
  private readonly local = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly o: RedisPresenceOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
    this.ttlMs = o.ttlMs ?? 30_000;
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
    void this.announceInstance();
  }

  connected(userId: string): void {
    const n = this.local.get(userId) ?? 0;
    this.local.set(userId, n + 1);
    if (n === 0) void this.mark([userId]);
  }

  disconnected(userId: string): void {
    const n = this.local.get(userId) ?? 0;
    if (n <= 1) {
      this.local.delete(userId);
      if (n === 1) {
        this.o.redis.zrem(this.o.keys.presence(userId), this.o.instanceId).catch(() => this.o.metrics.backendErrors.inc({ backend: 'redis' }));
      }
    } else {
      this.local.set(userId, n - 1);
    }
  }

  async online(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const now = Date.now();
    const counts = await guarded(this.o.metrics, () => batch(this.o.redis, (p) => userIds.forEach((u) => p.zcount(this.o.keys.presence(u), now, '+inf'))));
    return new Set(userIds.filter((_, i) => Number(counts[i]) > 0));
  }

  /** SET NX PX: the first signal of a window wins on whichever hub it arrives. */
  async passTyping(groupId: string, userId: string, windowMs: number): Promise<boolean> {
    const r = await guarded(this.o.metrics, () => this.o.redis.set(this.o.keys.typing(groupId, userId), '1', 'PX', windowMs, 'NX'));
    return r === 'OK';
  }

  async instances(): Promise<InstanceInfo[]> {
    const all = await guarded(this.o.metrics, () => this.o.redis.hgetall(this.o.keys.instances()));
    const now = Date.now();
    const live: InstanceInfo[] = [];
    const stale: string[] = [];
    for (const [id, json] of Object.entries(all)) {
      try {
        const v = JSON.parse(json) as Omit<InstanceInfo, 'id'>;
        if (now - Date.parse(v.seenAt) <= this.ttlMs) live.push({ id, connections: v.connections, startedAt: v.startedAt, seenAt: v.seenAt });
        else stale.push(id);
      } catch {
        stale.push(id);
      }
    }
    if (stale.length > 0) this.o.redis.hdel(this.o.keys.instances(), ...stale).catch(() => {});
    return live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async announceInstance(): Promise<void> {
    let connections = 0;
    for (const n of this.local.values()) connections += n;
    const info = JSON.stringify({ connections, startedAt: this.startedAt, seenAt: new Date().toISOString() });
    await this.o.redis.hset(this.o.keys.instances(), this.o.instanceId, info).catch(() => this.o.metrics.backendErrors.inc({ backend: 'redis' }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.o.redis.hdel(this.o.keys.instances(), this.o.instanceId).catch(() => {});
    const users = [...this.local.keys()];
    this.local.clear();
    for (let i = 0; i < users.length; i += 1000) {
      await batch(this.o.redis, (p) => users.slice(i, i + 1000).forEach((u) => p.zrem(this.o.keys.presence(u), this.o.instanceId))).catch(() => {});
    }
  }

  private async mark(userIds: string[]): Promise<void> {
    const expiry = Date.now() + this.ttlMs;
    try {
      await batch(this.o.redis, (p) => {
        for (const u of userIds) {
          // A user who disconnected meanwhile must not be marked again after its ZREM.
          if (!this.local.has(u)) continue;
          const key = this.o.keys.presence(u);
          p.zadd(key, expiry, this.o.instanceId).pexpire(key, this.ttlMs);
        }
      });
    } catch (err) {
      // The next heartbeat marks them again.
      this.o.metrics.backendErrors.inc({ backend: 'redis' });
      this.o.logger.debug({ err: (err as Error).message }, 'presence update failed');
    }
  }

  private async heartbeat(): Promise<void> {
    await this.announceInstance();
    const users = [...this.local.keys()];
    for (let i = 0; i < users.length; i += 1000) await this.mark(users.slice(i, i + 1000));
  }
}
