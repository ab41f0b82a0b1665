import type { InstanceInfo, Presence } from '../../ports/presence.js';

/** Open connections per user in this process. */
export class MemoryPresence implements Presence {
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly instanceId = 'memory') {}

  private readonly counts = new Map<string, number>();
  /** Until when each (group, user) pair's typing signals are held back. */
  private readonly typingUntil = new Map<string, number>();

  connected(userId: string): void {
    this.counts.set(userId, (this.counts.get(userId) ?? 0) + 1);
  }

  disconnected(userId: string): void {
    const n = (this.counts.get(userId) ?? 0) - 1;
    if (n > 0) this.counts.set(userId, n);
    else this.counts.delete(userId);
  }

  async instances(): Promise<InstanceInfo[]> {
    let connections = 0;
    for (const n of this.counts.values()) connections += n;
    return [{ id: this.instanceId, connections, startedAt: this.startedAt, seenAt: new Date().toISOString() }];
  }

  async online(userIds: string[]): Promise<Set<string>> {
    return new Set(userIds.filter((u) => this.counts.has(u)));
  }

  async passTyping(groupId: string, userId: string, windowMs: number): Promise<boolean> {
    const key = `${groupId}\u0000${userId}`;
    const now = Date.now();
    if ((this.typingUntil.get(key) ?? 0) > now) return false;
    this.typingUntil.set(key, now + windowMs);
    if (this.typingUntil.size > 10_000) for (const [k, until] of this.typingUntil) if (until <= now) this.typingUntil.delete(k);
    return true;
  }

  async close(): Promise<void> {}
}
