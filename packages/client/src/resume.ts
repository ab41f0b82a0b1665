/**
 * Pure bookkeeping of what the application has seen, so that a reconnect
 * neither misses nor doubles a message (PROTOCOL.md §4, "Join is gap-free"):
 *
 * 1. every delivered message moves its group's cursor forward; anything at or
 *    below the cursor is a duplicate and dropped;
 * 2. on reconnect, `group.join` with `since` = the cursor returns what was
 *    missed, oldest first; when it says `complete: false` the older part is
 *    paged with `message.history` (`before` = first id) back to the cursor;
 * 3. pages, join history and the live notifications that arrived meanwhile
 *    are merged into one id-ordered list past the cursor.
 */
import { compareMessageIds, ZERO_ID, type Message } from '@next-chat/core';

/** Per group, the id of the last message handed to the application. */
export class LastSeen {
  readonly #ids = new Map<string, string>();

  get(groupId: string): string | undefined {
    return this.#ids.get(groupId);
  }

  /**
   * Records a message about to be delivered. Returns false (drop it) when its
   * id is at or below the last one seen in its group.
   */
  accept(message: Pick<Message, 'id' | 'groupId'>): boolean {
    const last = this.#ids.get(message.groupId);
    if (last !== undefined && compareMessageIds(message.id, last) <= 0) return false;
    this.#ids.set(message.groupId, message.id);
    return true;
  }

  /**
   * Takes in the history of a `group.join` result: the app receives it as the
   * join's return value, so its newest id becomes the cursor. An empty,
   * complete history means the group had no messages at all: the cursor is
   * then `0-0`, so a later resume asks for everything.
   */
  observeJoin(groupId: string, history: readonly Message[], complete: boolean): void {
    const newest = history.length > 0 ? history[history.length - 1].id : complete ? ZERO_ID : undefined;
    if (newest === undefined) return;
    const last = this.#ids.get(groupId);
    if (last === undefined || compareMessageIds(newest, last) > 0) this.#ids.set(groupId, newest);
  }

  forget(groupId: string): void {
    this.#ids.delete(groupId);
  }
}

/**
 * Where paging must start after a resume join, or null when the join result
 * already holds everything missed.
 */
export function firstPageBefore(
  since: string | undefined,
  join: { history: readonly Message[]; complete: boolean },
): string | null {
  if (since === undefined || join.complete || join.history.length === 0) return null;
  const first = join.history[0].id;
  return compareMessageIds(first, since) > 0 ? first : null;
}

/**
 * The `before` cursor of the next page, or null once a page reached back to
 * `since` (or the start of the group).
 */
export function nextPageBefore(since: string, page: { messages: readonly Message[]; next: string | null }): string | null {
  if (page.messages.length === 0 || page.next === null) return null;
  if (compareMessageIds(page.messages[0].id, since) <= 0) return null;
  return page.next;
}

/**
 * Merges batches (history pages, join history, buffered notifications) into
 * one list: only ids after `since`, each once, in id order.
 */
export function mergeMissed(since: string | undefined, ...batches: readonly (readonly Message[])[]): Message[] {
  const byId = new Map<string, Message>();
  for (const batch of batches) {
    for (const m of batch) {
      if (since !== undefined && compareMessageIds(m.id, since) <= 0) continue;
      if (!byId.has(m.id)) byId.set(m.id, m);
    }
  }
  return [...byId.values()].sort((a, b) => compareMessageIds(a.id, b.id));
}
