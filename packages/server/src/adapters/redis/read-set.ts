/**
 * The groups this hub reads from Redis, each with its cursor (the last id
 * delivered) and the number of that entry. It alone decides whether an
 * entry is delivered: never at or below the cursor, never for a group no
 * longer read, and with a gap reported when numbers skip (entries trimmed
 * before this hub read them; the offsets-are-contiguous test of
 * Centrifuge's stream recovery), and a rollback reported when they go back
 * (a failover to a replica that lacked the newest entries, which other
 * entries then took the numbers of).
 */
import { compareMessageIds, ZERO_ID } from '@next-chat/core';
import type { MessageEvent } from '../../events/codec.js';

interface GroupCursor {
  id: string;
  /** Number of the entry at `id`; undefined when unknown (an empty stream, or entries of an earlier release). */
  n: number | undefined;
}

export type Verdict = 'deliver' | 'deliver_after_gap' | 'deliver_after_rollback' | 'skip';

export class ReadSet {
  private readonly groups = new Map<string, GroupCursor>();

  get size(): number {
    return this.groups.size;
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** The cursor of a group being read. */
  cursor(groupId: string): string | undefined {
    return this.groups.get(groupId)?.id;
  }

  /** Every group with its cursor, for one XREAD of them all. */
  entries(): IterableIterator<[string, { id: string }]> {
    return this.groups.entries();
  }

  /**
   * Starts reading a group after its stream's top entry (`top` undefined:
   * an empty stream). False when it is read already: its cursor stands.
   */
  add(groupId: string, top: { id: string; n: number | undefined } | undefined): boolean {
    if (this.groups.has(groupId)) return false;
    // An empty stream may have been trimmed empty: its next number is unknown, not 1.
    this.groups.set(groupId, top ? { id: top.id, n: top.n } : { id: ZERO_ID, n: undefined });
    return true;
  }

  remove(groupId: string): boolean {
    return this.groups.delete(groupId);
  }

  /** True when `e` is the very entry after the cursor: deliverable as announced, without a read. */
  follows(e: MessageEvent): boolean {
    const c = this.groups.get(e.groupId);
    return c !== undefined && c.n !== undefined && e.n !== undefined && e.n === c.n + 1 && compareMessageIds(e.id, c.id) > 0;
  }

  /** True when entries between the cursor and `e` are missing (trimmed, or deleted). */
  skips(e: MessageEvent): boolean {
    const c = this.groups.get(e.groupId);
    return c !== undefined && c.n !== undefined && e.n !== undefined && e.n > c.n + 1 && compareMessageIds(e.id, c.id) > 0;
  }

  /**
   * Whether to deliver `e`, moving the cursor past it when so. `holes`:
   * the entries missing before it are known to be deleted ones (a delete
   * takes the message's entry out of the stream), not trimmed ones, so
   * nothing was lost.
   */
  accept(e: MessageEvent, holes = false): Verdict {
    const c = this.groups.get(e.groupId);
    if (c === undefined || compareMessageIds(e.id, c.id) <= 0) return 'skip';
    const gap = !holes && c.n !== undefined && e.n !== undefined && e.n > c.n + 1;
    // A newer id with a number not above the cursor's: the log this hub
    // delivered from lost its newest entries, and new ones took their numbers.
    const rollback = c.n !== undefined && e.n !== undefined && e.n <= c.n;
    c.id = e.id;
    c.n = e.n;
    return rollback ? 'deliver_after_rollback' : gap ? 'deliver_after_gap' : 'deliver';
  }

  /**
   * Whether the group's log is now behind what this hub delivered: its entry
   * count (`seq`, which only grows; null: the group is gone) below the
   * cursor's number, or, with numbers unknown, its newest id below the cursor.
   */
  behind(groupId: string, seq: number | null, top: string | undefined): boolean {
    const c = this.groups.get(groupId);
    if (c === undefined) return false;
    if (c.n !== undefined) return seq === null || seq < c.n;
    return c.id !== ZERO_ID && (top === undefined || compareMessageIds(top, c.id) < 0);
  }

  /** Moves the cursor back to the log's top as it is now (after {@link behind}), so later entries are delivered. */
  rewind(groupId: string, top: { id: string; n: number | undefined } | undefined): void {
    const c = this.groups.get(groupId);
    if (c === undefined) return;
    c.id = top?.id ?? ZERO_ID;
    c.n = top?.n;
  }
}
