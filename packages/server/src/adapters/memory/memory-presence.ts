import type { Presence } from '../../ports/presence.js';

/** Open connections per user in this process. */
export class MemoryPresence implements Presence {
  private readonly counts = new Map<string, number>();

  connected(userId: string): void {
    this.counts.set(userId, (this.counts.get(userId) ?? 0) + 1);
  }

  disconnected(userId: string): void {
    const n = (this.counts.get(userId) ?? 0) - 1;
    if (n > 0) this.counts.set(userId, n);
    else this.counts.delete(userId);
  }

  async online(userIds: string[]): Promise<Set<string>> {
    return new Set(userIds.filter((u) => this.counts.has(u)));
  }

  async close(): Promise<void> {}
}
