import { compareMessageIds, type Message } from '@next-chat/core';

/**
 * Every group's messages, in id order, kept in process. Ids are minted like
 * Redis stream ids: `<ms>-<seq>`, ms never going backwards within a group.
 */
export class MemoryLog {
  private readonly logs = new Map<string, Message[]>();

  nextId(groupId: string, nowMs: number): string {
    const log = this.logs.get(groupId);
    const last = log?.[log.length - 1];
    if (!last) return `${nowMs}-0`;
    const dash = last.id.indexOf('-');
    const lastMs = Number(last.id.slice(0, dash));
    if (nowMs > lastMs) return `${nowMs}-0`;
    return `${lastMs}-${Number(last.id.slice(dash + 1)) + 1}`;
  }

  append(message: Message): void {
    let log = this.logs.get(message.groupId);
    if (!log) {
      log = [];
      this.logs.set(message.groupId, log);
    }
    log.push(message);
  }

  /** A deleted group's messages; a group created again with the id starts empty. */
  forget(groupId: string): void {
    this.logs.delete(groupId);
  }

  /** How many messages the group has: the number of its newest one. */
  count(groupId: string): number {
    return this.logs.get(groupId)?.length ?? 0;
  }

  /**
   * The number of a message (1, 2, 3...) like the Redis streams' `n`: its
   * place for an id of the group, the number of the message before for an id
   * between two.
   */
  numberOf(groupId: string, id: string): number {
    const log = this.logs.get(groupId) ?? [];
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareMessageIds((log[mid] as Message).id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  top(groupId: string): string {
    const log = this.logs.get(groupId);
    return log?.[log.length - 1]?.id ?? '0-0';
  }

  /** Newest `limit` messages with id < before, oldest first. */
  latest(groupId: string, before: string | undefined, limit: number): Message[] {
    const log = this.logs.get(groupId);
    if (!log || limit <= 0) return [];
    let end = log.length;
    if (before !== undefined) {
      let lo = 0;
      let hi = log.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareMessageIds((log[mid] as Message).id, before) < 0) lo = mid + 1;
        else hi = mid;
      }
      end = lo;
    }
    return log.slice(Math.max(0, end - limit), end);
  }
}
