/**
 * Unread counts of the interactive session, per conversation, for the prompt
 * and `use`: exact from `me.conversations` and from every `read`
 * notification (the hub's count when the user's marker moved), and counted
 * up between those from the messages that arrive live.
 */
import type { Conversation, Message, ReadEvent } from '@next-chat/client';
import { compareMessageIds } from '@next-chat/core';

/** Most live message ids kept per group while waiting for an exact count. */
const MAX_LIVE = 1000;

export class UnreadCounts {
  readonly #counts = new Map<string, number>();
  /** The newest message id already in a group's count (from a snapshot, or counted live). */
  readonly #newest = new Map<string, string>();
  /** The user's read marker, as last heard: a message at or before it is read. */
  readonly #readUpTo = new Map<string, string>();
  /** Messages counted live since the last exact count, by group. */
  readonly #live = new Map<string, string[]>();

  /** The count of one group (0 when unknown). */
  get(groupId: string): number {
    return this.#counts.get(groupId) ?? 0;
  }

  /** The sum over every group but `except` (the one in use). */
  total(except?: string): number {
    let n = 0;
    for (const [g, c] of this.#counts) if (g !== except) n += c;
    return n;
  }

  /**
   * One entry of `me.conversations`: exact as of the page, plus the messages
   * counted live that came after its newest message (the page could not
   * know them).
   */
  setFromConversation(c: Pick<Conversation, 'unread' | 'readUpTo' | 'lastMessage'> & { group: { id: string } }): void {
    const g = c.group.id;
    const newest = c.lastMessage?.id ?? null;
    const after = (this.#live.get(g) ?? []).filter((id) => newest === null || compareMessageIds(id, newest) > 0);
    const marker = this.#readUpTo.get(g);
    const unreadLive = after.filter((id) => marker === undefined || compareMessageIds(id, marker) > 0);
    this.#counts.set(g, c.unread + unreadLive.length);
    this.#live.set(g, unreadLive);
    if (newest !== null) this.#newest.set(g, later(this.#newest.get(g), newest));
    if (c.readUpTo !== null) this.#readUpTo.set(g, later(marker, c.readUpTo));
  }

  /** A `read` notification: the hub's count when the marker moved. */
  onRead(e: Pick<ReadEvent, 'groupId' | 'readUpTo' | 'unread'>): void {
    this.#counts.set(e.groupId, Math.max(0, e.unread));
    this.#live.delete(e.groupId);
    if (typeof e.readUpTo === 'string') this.#readUpTo.set(e.groupId, later(this.#readUpTo.get(e.groupId), e.readUpTo));
  }

  /**
   * A message arrived. Counted unless it is the user's own (`mine`), at or
   * before their marker, already counted, or in the group in use
   * (`foreground`: it is on screen, and the session marks it read).
   * Returns whether the count changed.
   */
  onMessage(m: Pick<Message, 'id' | 'groupId'>, opts: { mine: boolean; foreground: boolean }): boolean {
    const g = m.groupId;
    const newest = this.#newest.get(g);
    if (newest !== undefined && compareMessageIds(m.id, newest) <= 0) return false;
    this.#newest.set(g, m.id);
    const marker = this.#readUpTo.get(g);
    if (opts.mine || opts.foreground || (marker !== undefined && compareMessageIds(m.id, marker) <= 0)) return false;
    this.#counts.set(g, this.get(g) + 1);
    const live = this.#live.get(g) ?? [];
    live.push(m.id);
    if (live.length > MAX_LIVE) live.shift();
    this.#live.set(g, live);
    return true;
  }

  /** The group is gone (left, removed, deleted). */
  remove(groupId: string): void {
    this.#counts.delete(groupId);
    this.#newest.delete(groupId);
    this.#readUpTo.delete(groupId);
    this.#live.delete(groupId);
  }

  clear(): void {
    this.#counts.clear();
    this.#newest.clear();
    this.#readUpTo.clear();
    this.#live.clear();
  }
}

function later(a: string | undefined, b: string): string {
  return a === undefined || compareMessageIds(b, a) > 0 ? b : a;
}
