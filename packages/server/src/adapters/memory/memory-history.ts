import type { Message } from '@next-chat/core';
import type { HistoryReader, LogRead } from '../../ports/history-store.js';
import type { MemoryLog } from './memory-log.js';

/** History straight from the in-process log: everything sent since start. */
export class MemoryHistory implements HistoryReader {
  constructor(private readonly log: MemoryLog) {}

  async read(groupId: string, limit: number, since: string | undefined): Promise<LogRead> {
    const updates = since === undefined ? [] : this.log.changedSince(groupId, since);
    const top = this.log.top(groupId);
    return {
      messages: this.log.latest(groupId, undefined, limit),
      top: top === '0-0' ? null : top,
      updates: updates.slice(0, limit),
      moreUpdates: updates.length > limit,
    };
  }

  async find(groupId: string, messageId: string): Promise<Message | null> {
    return this.log.find(groupId, messageId) ?? null;
  }

  async latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]> {
    return this.log.latest(groupId, before, limit);
  }

  async forget(groupId: string): Promise<void> {
    this.log.forget(groupId);
  }
}
