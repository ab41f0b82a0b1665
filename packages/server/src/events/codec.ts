/**
 * The one representation of what crosses hubs, and its one codec.
 *
 * A message is encoded once, where it is made: its JSON is the protocol's
 * `Message` object (docs/protocol.md §3). The same string is the group
 * stream's entry (field `d`), the announcement on the group's channel (with
 * the entry's number in front), the history stream's entry, the dedupe
 * record and, spliced into a notification frame, what every subscriber
 * receives. Nothing decodes it on the delivery path; the history writer, the
 * history reader and the MySQL store decode it with {@link decodeMessage}.
 *
 * The Redis publish script builds the JSON from the body made here: it knows
 * the id only after choosing it, and prepends `"id":"<id>",` to the body
 * exactly as {@link messageJson} does (tests/unit/server/events/codec.test.ts
 * and the engine contract check that both agree).
 *
 * Member events travel as {@link ClusterEvent} JSON on the events channel.
 */
import { isMessageId, type Group, type MemberEvent, type MemberLeftEvent, type MemberRoleEvent, type Message, type MemberReadEvent, type RemovedReason, type TypingEvent } from '@next-chat/core';

/**
 * An entry of a group's log, as delivered: its id, number and JSON. Most
 * are messages; an edit or delete (`change`) is an entry too, at its cursor
 * (`id`), so it keeps its place among the messages on every path.
 */
export interface MessageEvent {
  readonly kind: 'message';
  readonly groupId: string;
  readonly id: string;
  /** Position in the group's log (1, 2, 3...), when the engine numbers entries. */
  readonly n?: number;
  /** The protocol's Message object as JSON; for a change, `message.updated`'s params `{"cursor":...,"message":...}`. */
  readonly json: string;
  /** An edit or delete: delivered as `message.updated`. */
  readonly change?: true;
}

export interface MembershipEvent {
  readonly kind: 'member.joined' | 'member.left';
  /** member.left also carries `reason` and `by` (protocol 1.1). */
  readonly event: MemberEvent | MemberLeftEvent;
}

/** A notification for the group's subscribed connections, as it is sent. */
export interface GroupNotice {
  readonly kind: 'group.updated' | 'member.role' | 'typing' | 'member.read';
  readonly groupId: string;
  readonly params: GroupNoticeParams;
}
export type GroupNoticeParams = { group: Group } | MemberRoleEvent | TypingEvent | MemberReadEvent;

/**
 * Users who stop being members (kicked, banned, or everyone when the group
 * is deleted: `userIds` null): every hub unsubscribes their connections of
 * the group before it delivers anything the group sends later.
 */
export interface RemovalEvent {
  readonly kind: 'removed';
  readonly groupId: string;
  readonly userIds: readonly string[] | null;
  readonly reason: RemovedReason;
  readonly by: string;
}

/** A notification for every open connection of some users, wherever they are connected. */
export interface PersonalEvent {
  readonly kind: 'personal';
  readonly userIds: readonly string[];
  readonly method: 'invited' | 'conversation.added' | 'conversation.removed' | 'read';
  readonly params: unknown;
  /** The instance that told its own connections already (a send's `read`): it skips the event. */
  readonly origin?: string;
}

/**
 * Every connection of some users is to be closed with 1008 (the HTTP API's
 * disconnect), on whichever hubs they are connected; routed like a personal event.
 */
export interface DisconnectEvent {
  readonly kind: 'disconnect';
  readonly userIds: readonly string[];
  /** The close reason the clients see. */
  readonly reason: string;
  readonly origin?: string;
}

/**
 * The `read` event of a send (the sender's marker moves to their message),
 * as its JSON before and after the message id: the publish script knows
 * the id only once it chose it.
 */
export function sendReadParts(groupId: string, userId: string, origin: string): [string, string] {
  const mark = '\u0000';
  const json = JSON.stringify({ kind: 'personal', userIds: [userId], method: 'read', params: { groupId, readUpTo: mark, unread: 0 }, origin });
  const at = json.indexOf(JSON.stringify(mark));
  return [json.slice(0, at + 1), json.slice(at + JSON.stringify(mark).length - 1)];
}

/** Every kind of event that crosses hubs. New kinds are added here, and the compiler finds every switch. */
export type ClusterEvent = MessageEvent | MembershipEvent | GroupNotice | RemovalEvent | PersonalEvent | DisconnectEvent;

/** Events of users, not of a group: they reach the hubs where those users are connected. */
export type UserEvent = PersonalEvent | DisconnectEvent;

/** Events of one group: carried with its messages (on Redis, the group's channel), so they keep their order. */
export type GroupEvent = MembershipEvent | GroupNotice | RemovalEvent;

export type MemberEventKind = MembershipEvent['kind'];

/** The group an event belongs to, or null for events of users. */
export function groupOf(e: ClusterEvent): string | null {
  switch (e.kind) {
    case 'message':
    case 'group.updated':
    case 'member.role':
    case 'typing':
    case 'member.read':
    case 'removed':
      return e.groupId;
    case 'member.joined':
    case 'member.left':
      return e.event.groupId;
    case 'personal':
    case 'disconnect':
      return null;
  }
}

export interface MessageFields {
  groupId: string;
  authorId: string;
  text: string;
  sentAt: string;
  clientMessageId?: string;
  editedAt?: string;
  deletedAt?: string;
}

/** A message's JSON without its id: `{"groupId":...}`, what the publish script completes. */
export function messageBody(f: MessageFields): string {
  const m: Omit<Message, 'id'> = { groupId: f.groupId, authorId: f.authorId, text: f.text, sentAt: f.sentAt };
  if (f.clientMessageId !== undefined) m.clientMessageId = f.clientMessageId;
  if (f.editedAt !== undefined) m.editedAt = f.editedAt;
  if (f.deletedAt !== undefined) m.deletedAt = f.deletedAt;
  return JSON.stringify(m);
}

/** The full JSON of a message from its id and body (the id needs no escaping: digits and a dash). */
export function messageJson(id: string, body: string): string {
  return `{"id":"${id}",${body.slice(1)}`;
}

export function messageEvent(groupId: string, id: string, json: string, n?: number): MessageEvent {
  return n === undefined ? { kind: 'message', groupId, id, json } : { kind: 'message', groupId, id, n, json };
}

/** An edit or delete at `cursor`: `json` is `{"cursor":"<cursor>","message":<message JSON>}`. */
export function changeEvent(groupId: string, cursor: string, json: string, n?: number): MessageEvent {
  return n === undefined ? { kind: 'message', groupId, id: cursor, json, change: true } : { kind: 'message', groupId, id: cursor, n, json, change: true };
}

/** message.updated's params for a message as it is now, cursor first (what {@link cursorOfJson} reads). */
export function changeJson(cursor: string, messageJson: string): string {
  return `{"cursor":"${cursor}","message":${messageJson}}`;
}

/** The message JSON inside a change's JSON (as {@link changeJson} and change-8.lua write it). */
export function messageOfChange(json: string): string {
  const at = json.indexOf('"message":');
  return json.slice(at + '"message":'.length, -1);
}

const CURSOR_HEAD = '{"cursor":"';

/** The cursor of a change's JSON, undefined for anything else. */
export function cursorOfJson(json: string): string | undefined {
  if (!json.startsWith(CURSOR_HEAD)) return undefined;
  const end = json.indexOf('"', CURSOR_HEAD.length);
  const id = end < 0 ? '' : json.slice(CURSOR_HEAD.length, end);
  return isMessageId(id) ? id : undefined;
}

/** Parses and checks a message's JSON; throws on anything that is not a Message. */
export function decodeMessage(json: string): Message {
  const v = JSON.parse(json) as Record<string, unknown>;
  const { id, groupId, authorId, text, sentAt, clientMessageId } = v;
  if (!isMessageId(id) || typeof groupId !== 'string' || typeof authorId !== 'string' || typeof text !== 'string' || typeof sentAt !== 'string') {
    throw new Error('not a message');
  }
  const m: Message = { id, groupId, authorId, text, sentAt };
  if (typeof clientMessageId === 'string') m.clientMessageId = clientMessageId;
  if (typeof v.editedAt === 'string') m.editedAt = v.editedAt;
  if (typeof v.deletedAt === 'string') m.deletedAt = v.deletedAt;
  return m;
}

/** A notification frame around already encoded params: spliced, not re-encoded. */
export function notificationFrame(method: string, paramsJson: string): string {
  return `{"jsonrpc":"2.0","method":"${method}","params":${paramsJson}}`;
}

// ---- Redis stream entries and announcements ---------------------------

/** The value of `name` in a stream entry's flat field list. */
function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** The entry's number (`n`), when it has one. */
export function entryNumber(fields: readonly string[]): number | undefined {
  const n = Number(field(fields, 'n'));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * A group stream entry as a delivered event. Entries written before this
 * codec (fields a, t, s, c) are still read, so streams and the history
 * stream of an earlier release are not lost by an upgrade.
 */
export function entryEvent(groupId: string, id: string, fields: readonly string[]): MessageEvent {
  const u = field(fields, 'u');
  if (u !== undefined) return changeEvent(groupId, id, u, entryNumber(fields));
  const d = field(fields, 'd');
  const json = d ?? legacyJson(groupId, id, fields);
  return messageEvent(groupId, id, json, entryNumber(fields));
}

/** What the history writer takes from the history stream: a message to insert, or a change to apply. */
export type HistoryEntry = { kind: 'message'; message: Message } | { kind: 'change'; message: Message; cursor: string };

/** A history stream entry as a message or a change; null when it is neither. */
export function historyEntry(fields: readonly string[]): HistoryEntry | null {
  const u = field(fields, 'u');
  if (u !== undefined) {
    const cursor = cursorOfJson(u);
    try {
      return cursor === undefined ? null : { kind: 'change', message: decodeMessage(messageOfChange(u)), cursor };
    } catch {
      return null;
    }
  }
  const message = historyEntryMessage(fields);
  return message ? { kind: 'message', message } : null;
}

/** A history stream entry (`d`, or the legacy g/i/a/t/s/c fields) as a Message; null when it is not one. */
export function historyEntryMessage(fields: readonly string[]): Message | null {
  const d = field(fields, 'd');
  try {
    if (d !== undefined) return decodeMessage(d);
    const groupId = field(fields, 'g');
    const id = field(fields, 'i');
    if (groupId === undefined || id === undefined) return null;
    return decodeMessage(legacyJson(groupId, id, fields));
  } catch {
    return null;
  }
}

function legacyJson(groupId: string, id: string, fields: readonly string[]): string {
  const cmid = field(fields, 'c');
  const body = messageBody({
    groupId,
    authorId: field(fields, 'a') ?? '',
    text: field(fields, 't') ?? '',
    sentAt: field(fields, 's') ?? '',
    ...(cmid ? { clientMessageId: cmid } : {}),
  });
  return messageJson(id, body);
}

/**
 * An announcement of the publish script: the entry's number, then its JSON
 * (`17{"id":...}`). Undefined for anything else (an announcement of an
 * earlier release): the reader then reads the stream, which is always right.
 */
export function decodeAnnouncement(groupId: string, payload: string): MessageEvent | undefined {
  const brace = payload.indexOf('{');
  if (brace <= 0 || brace > 16) return undefined;
  const n = Number(payload.slice(0, brace));
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  const json = payload.slice(brace);
  const cursor = cursorOfJson(json);
  if (cursor !== undefined) return changeEvent(groupId, cursor, json, n);
  const id = idOfJson(json);
  return id === undefined ? undefined : messageEvent(groupId, id, json, n);
}

/** The id of a message's JSON as {@link messageJson} and the publish script write it (first: `{"id":"<id>",`). */
export function idOfJson(json: string): string | undefined {
  if (!json.startsWith('{"id":"')) return undefined;
  const end = json.indexOf('"', 7);
  const id = end < 0 ? '' : json.slice(7, end);
  return isMessageId(id) ? id : undefined;
}

/** A group stream entry as a Message (history reads). */
export function entryMessage(groupId: string, id: string, fields: readonly string[]): Message {
  return decodeMessage(entryEvent(groupId, id, fields).json);
}

/** The same format, for tests and tools that announce like the script does. */
export function encodeAnnouncement(e: MessageEvent): string {
  return `${e.n ?? 0}${e.json}`;
}

// ---- events on the events channel and the groups' channels -------------

/** A non-message event as JSON. On a group's channel it goes behind a `!`, which no announcement starts with. */
export function encodeClusterEvent(e: Exclude<ClusterEvent, MessageEvent>): string {
  return JSON.stringify(e);
}

export const GROUP_EVENT_MARK = '!';

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Undefined for anything that is not an event of this format (a message travels as an announcement instead). */
export function decodeClusterEvent(payload: string): Exclude<ClusterEvent, MessageEvent> | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  switch (v.kind) {
    case 'member.joined':
    case 'member.left': {
      const e = v.event as Partial<MemberLeftEvent> | undefined;
      if (!e || typeof e.groupId !== 'string' || typeof e.userId !== 'string' || typeof e.at !== 'string') return undefined;
      const event: MemberEvent | MemberLeftEvent =
        typeof e.reason === 'string' && typeof e.by === 'string'
          ? { groupId: e.groupId, userId: e.userId, at: e.at, reason: e.reason, by: e.by }
          : { groupId: e.groupId, userId: e.userId, at: e.at };
      return { kind: v.kind, event };
    }
    case 'group.updated':
    case 'member.role':
    case 'typing':
    case 'member.read':
      if (typeof v.groupId !== 'string' || v.params === null || typeof v.params !== 'object') return undefined;
      return { kind: v.kind, groupId: v.groupId, params: v.params as GroupNoticeParams };
    case 'removed':
      if (typeof v.groupId !== 'string' || typeof v.by !== 'string' || (v.reason !== 'kicked' && v.reason !== 'banned' && v.reason !== 'deleted')) return undefined;
      if (v.userIds !== null && !isStringArray(v.userIds)) return undefined;
      return { kind: 'removed', groupId: v.groupId, userIds: v.userIds, reason: v.reason, by: v.by };
    case 'personal':
      if (!isStringArray(v.userIds) || (v.method !== 'invited' && v.method !== 'conversation.added' && v.method !== 'conversation.removed' && v.method !== 'read')) return undefined;
      return typeof v.origin === 'string'
        ? { kind: 'personal', userIds: v.userIds, method: v.method, params: v.params, origin: v.origin }
        : { kind: 'personal', userIds: v.userIds, method: v.method, params: v.params };
    case 'disconnect':
      if (!isStringArray(v.userIds) || typeof v.reason !== 'string') return undefined;
      return typeof v.origin === 'string' ? { kind: 'disconnect', userIds: v.userIds, reason: v.reason, origin: v.origin } : { kind: 'disconnect', userIds: v.userIds, reason: v.reason };
    default:
      return undefined;
  }
}

/** ms since epoch of a message id (`<ms>-<seq>`): when the log took the message. */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
