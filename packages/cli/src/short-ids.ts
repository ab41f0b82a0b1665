/**
 * Short ids: how `history` names messages so that `edit` and `delete` can
 * refer to them. A message id is `<ms>-<seq>` (`1795449674617-0`); its
 * short id is the end of its compact form (`1795449674617`, or
 * `1795449674617-2` when seq is not 0), at least {@link SHORT_ID_MIN}
 * characters and as many more as needed to tell it apart: `4617`, `74617`.
 *
 * - In the interactive session a {@link SessionShortIds} remembers every
 *   name it gave: a message keeps its short id for the whole session, and a
 *   short id always means the same message (of whichever group).
 * - One-shot commands have no session: `history` names the messages with
 *   {@link shortIdsForList} so that each name's newest match among the
 *   group's messages is that message, and `edit`/`delete` resolve a name to
 *   the newest message whose compact id ends with it ({@link matchesShortId}).
 */
import type { Message } from '@next-chat/client';

export const SHORT_ID_MIN = 4;

/** A message named by a short id: its group and full id. */
export interface MessageRef {
  groupId: string;
  messageId: string;
}

/** `1795449674617-0` → `1795449674617`; `1795449674617-2` stays as it is. */
export function compactId(id: string): string {
  return id.endsWith('-0') ? id.slice(0, -2) : id;
}

/** Whether `word` names the message `id`: its full id, or the end of its compact id. */
export function matchesShortId(word: string, id: string): boolean {
  return word === id || (word.length > 0 && compactId(id).endsWith(word));
}

/** Whether a word has the shape of a short or full message id (digits, maybe `-seq`). */
export function looksLikeMessageRef(word: string): boolean {
  return /^[0-9]+(-[0-9]+)?$/.test(word);
}

/** The suffixes of a compact id that may serve as its short id, shortest first. */
function candidates(id: string): string[] {
  const c = compactId(id);
  const out: string[] = [];
  for (let n = Math.min(SHORT_ID_MIN, c.length); n <= c.length; n++) out.push(c.slice(c.length - n));
  return out;
}

/**
 * Names for `messages` (oldest first, as history shows them) that resolve
 * back by "the newest message whose compact id ends with it": walking from
 * the newest, each takes the shortest suffix that no newer message's compact
 * id ends with. Returned in the order given.
 */
export function shortIdsForList(messages: readonly Pick<Message, 'id'>[]): string[] {
  const names = new Array<string>(messages.length);
  const newer: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const id = messages[i].id;
    const all = candidates(id);
    names[i] = all.find((c) => !newer.some((n) => compactId(n).endsWith(c))) ?? id;
    newer.push(id);
  }
  return names;
}

/** The short ids of one interactive session: stable, and each names one message. */
export class SessionShortIds {
  readonly #byShort = new Map<string, MessageRef>();
  readonly #byMessage = new Map<string, string>();

  /**
   * The short ids of `messages`: the one given before for a message seen
   * already, else the shortest suffix of its compact id no other message of
   * the session has. Returned in the order given.
   */
  name(messages: readonly Pick<Message, 'id' | 'groupId'>[]): string[] {
    return messages.map((m) => this.nameOf(m));
  }

  nameOf(m: Pick<Message, 'id' | 'groupId'>): string {
    const key = `${m.groupId}\n${m.id}`;
    const known = this.#byMessage.get(key);
    if (known !== undefined) return known;
    const name = candidates(m.id).find((c) => !this.#byShort.has(c)) ?? `${m.id}@${m.groupId}`;
    this.#byShort.set(name, { groupId: m.groupId, messageId: m.id });
    this.#byMessage.set(key, name);
    return name;
  }

  /** The short id given to a message, if it was shown in this session. */
  known(m: Pick<Message, 'id' | 'groupId'>): string | undefined {
    return this.#byMessage.get(`${m.groupId}\n${m.id}`);
  }

  /** The message a short id of this session names (or a full id shown in it, within `groupId` when given). */
  lookup(word: string, groupId?: string): MessageRef | undefined {
    const ref = this.#byShort.get(word);
    if (ref) return ref;
    if (groupId !== undefined && this.#byMessage.has(`${groupId}\n${word}`)) return { groupId, messageId: word };
    return undefined;
  }
}
