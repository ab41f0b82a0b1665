/**
 * A conversation's messages as the view keeps them: sorted by id (the
 * group's delivery order), each id once, each in its latest known state.
 * Live messages, history pages and edits arrive in any interleaving (a page
 * may cross a live message, a reconnect may deliver again what a page
 * already held); merging is idempotent, so none of that can lose or double
 * a message.
 */
import { compareMessageIds, type Message } from '@next-chat/core';

const time = (s: string | undefined): number => (s === undefined ? -Infinity : Date.parse(s));

/**
 * Which of two states of the same message is the newer: a tombstone beats
 * any text (a delete is final), then the later edit; a tie keeps `current`.
 */
export function fresher(current: Message, incoming: Message): Message {
  if (current.deletedAt !== undefined) return current;
  if (incoming.deletedAt !== undefined) return incoming;
  return time(incoming.editedAt) > time(current.editedAt) ? incoming : current;
}

/** `list` with `incoming` merged in: sorted, unique, freshest state of each. Returns `list` itself when nothing changed. */
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (incoming.length === 0) return list;
  const byId = new Map<string, Message>();
  for (const m of list) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    const have = byId.get(m.id);
    const next = have ? fresher(have, m) : m;
    if (next !== have) {
      byId.set(m.id, next);
      changed = true;
    }
  }
  if (!changed) return list;
  return [...byId.values()].sort((a, b) => compareMessageIds(a.id, b.id));
}

/** The first message after the read marker, or undefined when everything loaded is read. */
export function firstUnread(list: readonly Message[], readUpTo: string | null): Message | undefined {
  if (readUpTo === null) return list[0];
  return list.find((m) => compareMessageIds(m.id, readUpTo) > 0);
}

/** True when `a` is a later id than `b` (or `b` is null). */
export function isAfter(a: string, b: string | null | undefined): boolean {
  return b === null || b === undefined || compareMessageIds(a, b) > 0;
}

/** The time a message id was minted (its first part, ms). */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
