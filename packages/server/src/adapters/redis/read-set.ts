/**
 * The groups this hub reads from Redis, each with its cursor (the last id
 * delivered) and the number of that entry. It alone decides whether an
 * entry is delivered: never at or below the cursor, never for a group no
 * longer read, and with a gap reported when numbers skip (entries trimmed
 * before this hub read them; the offsets-are-contiguous test of
 * Centrifuge's stream recovery).
 */
import { compareMessageIds, ZERO_ID } from '@next-chat/core';
import type { MessageEvent } from '../../events/codec.js';

interface GroupCursor {
  id: string;
  /** Number of the entry at `id`; undefined when unknown (an empty stream, or entries of an earlier release). */
  n: number | undefined;
}

export type Verdict = 'deliver' | 'deliver_after_gap' | 'skip';

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
    c.id = e.id;
    c.n = e.n;
    return gap ? 'deliver_after_gap' : 'deliver';
  }
}
