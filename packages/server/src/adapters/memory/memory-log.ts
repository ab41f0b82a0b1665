import { compareMessageIds, type Message } from '@next-chat/core';

/** The edits and deletes of one group: each message's latest change, in cursor order. */
interface Changes {
  /** Cursor of the newest change. */
  top: string;
  /** message id → cursor of its latest change. */
  latest: Map<string, string>;
}

/**
 * Every group's messages, in id order, kept in process, as they are now: an
 * edit or delete replaces the message (a deleted one's text is gone) and
 * takes the next id of the group as its cursor. Ids are minted like Redis
 * stream ids: `<ms>-<seq>`, ms never going backwards within a group.
 */
export class MemoryLog {
  private readonly logs = new Map<string, Message[]>();
  private readonly changes = new Map<string, Changes>();

  nextId(groupId: string, nowMs: number): string {
    const top = this.top(groupId);
    if (top === '0-0') return `${nowMs}-0`;
    const dash = top.indexOf('-');
    const lastMs = Number(top.slice(0, dash));
    if (nowMs > lastMs) return `${nowMs}-0`;
    return `${lastMs}-${Number(top.slice(dash + 1)) + 1}`;
  }

  /** The message with this id, as it is now. */
  find(groupId: string, id: string): Message | undefined {
    const log = this.logs.get(groupId) ?? [];
    const i = this.numberOf(groupId, id) - 1;
    const m = log[i];
    return m && m.id === id ? m : undefined;
  }

  /** Replaces a message by its new state at the group's next id; returns that cursor. */
  change(message: Message, nowMs: number): string {
    const log = this.logs.get(message.groupId) ?? [];
    const i = this.numberOf(message.groupId, message.id) - 1;
    if (log[i]?.id !== message.id) throw new Error(`no message ${message.id}`);
    const cursor = this.nextId(message.groupId, nowMs);
    log[i] = message;
    let c = this.changes.get(message.groupId);
    if (!c) this.changes.set(message.groupId, (c = { top: cursor, latest: new Map() }));
    c.top = cursor;
    // Re-inserted so the map's order stays the order of latest changes.
    c.latest.delete(message.id);
    c.latest.set(message.id, cursor);
    return cursor;
  }

  /** Messages with id <= since changed after it, id order, as they are now. */
  changedSince(groupId: string, since: string): Message[] {
    const c = this.changes.get(groupId);
    if (!c) return [];
    const out: Message[] = [];
    for (const [id, cursor] of c.latest) {
      if (compareMessageIds(cursor, since) > 0 && compareMessageIds(id, since) <= 0) {
        const m = this.find(groupId, id);
        if (m) out.push(m);
      }
    }
    return out.sort((a, b) => compareMessageIds(a.id, b.id));
  }

  /** The newest message's id at or before `at`, or null. */
  atOrBefore(groupId: string, at: string): string | null {
    const n = this.numberOf(groupId, at);
    return n > 0 ? ((this.logs.get(groupId) as Message[])[n - 1] as Message).id : null;
  }

  /** The newest message's id, '0-0' for none. */
  newestMessage(groupId: string): string {
    const log = this.logs.get(groupId);
    return log?.[log.length - 1]?.id ?? '0-0';
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
    this.changes.delete(groupId);
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

  /** The newest entry: message, edit or delete; '0-0' for none. */
  top(groupId: string): string {
    const newest = this.newestMessage(groupId);
    const change = this.changes.get(groupId)?.top;
    return change !== undefined && compareMessageIds(change, newest) > 0 ? change : newest;
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
