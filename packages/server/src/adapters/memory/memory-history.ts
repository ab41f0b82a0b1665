import type { Message } from '@next-chat/core';
import type { HistoryReader } from '../../ports/history-store.js';
import type { MemoryLog } from './memory-log.js';

/** History straight from the in-process log: everything sent since start. */
export class MemoryHistory implements HistoryReader {
  constructor(private readonly log: MemoryLog) {}

  async latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]> {
    return this.log.latest(groupId, before, limit);
  }

  async forget(groupId: string): Promise<void> {
    this.log.forget(groupId);
  }
}
