/**
 * Pure bookkeeping of what the application has seen, so that a reconnect
 * neither misses nor doubles a message or a change (PROTOCOL.md §4, "Join is
 * gap-free", and §11, "Resume"):
 *
 * 1. every delivered message and every delivered `message.updated` moves its
 *    group's cursor forward: the greatest of the message ids and change
 *    cursors seen (one id space, "<ms>-<seq>"); a message or change at or
 *    below the cursor is a duplicate and dropped;
 * 2. on reconnect, `group.join` with `since` = the cursor returns what was
 *    missed, oldest first, and in `updates` the messages at or before `since`
 *    edited or deleted after it; when it says `complete: false` the older
 *    part is paged with `message.history` (`before` = first id) back to the
 *    cursor, and a page of `updates` cut at `limit` is completed from
 *    `message.history` too (see {@link updatesOverflow});
 * 3. pages, join history and the live notifications that arrived meanwhile
 *    are merged into one id/cursor-ordered list past the cursor
 *    ({@link mergeResume});
 * 4. the changes the application already holds are remembered
 *    ({@link KnownChanges}): a join's result has no cursor for its changes, so
 *    the cursor may stay below some of them until the next live notification,
 *    and a second resume from the same cursor reports them again.
 */
import { compareMessageIds, formatMessageId, parseMessageId, ZERO_ID, type Message, type MessageUpdate } from '@next-chat/core';

/** The greater of a cursor (or none) and an id of the same group's id space. */
export function laterCursor(current: string | undefined, id: string): string {
  return current === undefined || compareMessageIds(id, current) > 0 ? id : current;
}

/**
 * Per group, the resume cursor: the greatest of the ids of the messages and
 * the cursors of the `message.updated` handed to the application.
 */
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
    return this.#advance(message.groupId, message.id);
  }

  /**
   * Records a live `message.updated` about to be delivered: its `cursor` is
   * of the same id space as message ids, after every message and change
   * before it. Returns false (drop it) when it is at or below the cursor.
   */
  acceptUpdate(update: { message: Pick<Message, 'groupId'>; cursor: string }): boolean {
    return this.#advance(update.message.groupId, update.cursor);
  }

  #advance(groupId: string, id: string): boolean {
    const last = this.#ids.get(groupId);
    if (last !== undefined && compareMessageIds(id, last) <= 0) return false;
    this.#ids.set(groupId, id);
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
    this.#ids.set(groupId, laterCursor(this.#ids.get(groupId), newest));
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

/** A message or a change, as they arrive live (in id/cursor order per group). */
export type LiveEntry = { kind: 'message'; message: Message } | { kind: 'update'; update: MessageUpdate };

/** Where a live entry sits in its group's id space: a message's id, a change's cursor. */
export function entryKey(e: LiveEntry): string {
  return e.kind === 'message' ? e.message.id : e.update.cursor;
}

/**
 * {@link mergeMissed} with the live changes: the missed messages (history
 * pages, join history, buffered notifications) and the buffered
 * `message.updated`, past `since`, each once (a message by id, a change by
 * cursor), in id/cursor order. Ids and cursors are one id space and never
 * equal, so the order is the hub's delivery order.
 */
export function mergeResume(since: string | undefined, batches: readonly (readonly Message[])[], live: readonly LiveEntry[]): LiveEntry[] {
  const byKey = new Map<string, LiveEntry>();
  const add = (e: LiveEntry) => {
    const key = entryKey(e);
    if (since !== undefined && compareMessageIds(key, since) <= 0) return;
    if (!byKey.has(key)) byKey.set(key, e);
  };
  for (const batch of batches) for (const message of batch) add({ kind: 'message', message });
  for (const e of live) add(e);
  return [...byKey.values()].sort((a, b) => compareMessageIds(entryKey(a), entryKey(b)));
}

/**
 * What identifies one state of a changed message: its id with `editedAt` and
 * `deletedAt`. Null for a message never edited nor deleted.
 */
export function changeKey(m: Pick<Message, 'id' | 'editedAt' | 'deletedAt'>): string | null {
  if (m.editedAt === undefined && m.deletedAt === undefined) return null;
  return `${m.id} ${m.editedAt ?? ''} ${m.deletedAt ?? ''}`;
}

/** Most changes remembered per group (the oldest are forgotten first). */
export const KNOWN_CHANGES_PER_GROUP = 5000;

/**
 * Per group, the states of edited or deleted messages the application
 * already holds: from a join's history and `updates`, resume pages, and
 * `message.updated` events. A join's result carries no cursor for the changes
 * it shows, so the resume cursor can stay below them; the next re-join from
 * that cursor lists them again in `updates`, and these are dropped instead of
 * handed over twice. A new change of the same message has a new `editedAt` or
 * its first `deletedAt`, so it is never mistaken for a known one.
 */
export class KnownChanges {
  readonly #byGroup = new Map<string, Map<string, string>>();
  readonly #max: number;

  constructor(maxPerGroup = KNOWN_CHANGES_PER_GROUP) {
    this.#max = maxPerGroup;
  }

  /** Remembers the changed ones among `messages` (the others carry no change). */
  remember(messages: readonly Message[]): void {
    for (const m of messages) {
      const key = changeKey(m);
      if (key === null) continue;
      let known = this.#byGroup.get(m.groupId);
      if (!known) this.#byGroup.set(m.groupId, (known = new Map()));
      known.delete(m.id);
      known.set(m.id, key);
      if (known.size > this.#max) known.delete(known.keys().next().value as string);
    }
  }

  /** Whether the application already holds this very state of the message. */
  has(m: Message): boolean {
    const key = changeKey(m);
    return key !== null && this.#byGroup.get(m.groupId)?.get(m.id) === key;
  }

  forget(groupId: string): void {
    this.#byGroup.delete(groupId);
  }
}

/**
 * The `updates` of a resume to hand to the application: messages at or
 * before `since` (the protocol's promise; anything else is left out), each
 * once (the last state given wins), in id order, without the states `known`
 * says the application holds already.
 */
export function pickUpdates(since: string, batches: readonly (readonly Message[])[], known: (m: Message) => boolean = () => false): Message[] {
  const byId = new Map<string, Message>();
  for (const batch of batches) {
    for (const m of batch) {
      if (!m || typeof m.id !== 'string' || compareMessageIds(m.id, since) > 0) continue;
      byId.set(m.id, m);
    }
  }
  return [...byId.values()].filter((m) => !known(m)).sort((a, b) => compareMessageIds(a.id, b.id));
}

/** The smallest id after `id`: `before` = it includes `id` in a `message.history` page. */
export function idAfter(id: string): string {
  const p = parseMessageId(id);
  if (!p) return id;
  return p.seq < Number.MAX_SAFE_INTEGER ? formatMessageId({ ms: p.ms, seq: p.seq + 1 }) : formatMessageId({ ms: p.ms + 1, seq: 0 });
}

/**
 * A resume join holds at most `limit` updates, the lowest ids first; more
 * make `complete: false`, and the protocol says to page the rest with
 * `message.history`. The rest are messages after the last update given and
 * at or before `since`: this is that range (`before` for the first page,
 * `after` the id paging stops at), or null when the updates were not cut.
 */
export function updatesOverflow(
  since: string,
  join: { updates?: readonly Message[]; complete: boolean },
  limit: number,
): { before: string; after: string } | null {
  const updates = join.updates ?? [];
  if (join.complete || updates.length === 0 || updates.length < limit) return null;
  const last = updates.reduce((a, m) => (compareMessageIds(m.id, a) > 0 ? m.id : a), updates[0].id);
  if (compareMessageIds(last, since) >= 0) return null;
  return { before: idAfter(since), after: last };
}

/**
 * The changed messages of one overflow page (see {@link updatesOverflow}) in
 * `(after, since]`, and the `before` of the next page (null: done).
 * `message.history` shows messages as they are now but not when they
 * changed, so every edited or deleted message of the range is a candidate;
 * {@link KnownChanges} drops those the application already holds.
 */
export function overflowPage(
  range: { after: string },
  since: string,
  page: { messages: readonly Message[]; next: string | null },
): { changed: Message[]; before: string | null } {
  const changed = page.messages.filter(
    (m) => changeKey(m) !== null && compareMessageIds(m.id, range.after) > 0 && compareMessageIds(m.id, since) <= 0,
  );
  const done = page.messages.length === 0 || page.next === null || compareMessageIds(page.messages[0].id, range.after) <= 0;
  return { changed, before: done ? null : page.next };
}
