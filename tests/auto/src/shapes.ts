/** Shape checks of the wire objects of PROTOCOL.md §3 (and §8 for protocol 1.1), with precise complaints. */
import { MESSAGE_ID_RE, compareMessageIds, type Ban, type Group, type Invitation, type Member, type Message, type RpcErrorObject } from '@next-chat/core';
import { fail } from './context.js';
import { short } from './rpc.js';

export const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkMessage(m: unknown, what: string, expected?: Partial<Message>): Message {
  if (!isObj(m)) fail(`${what}: expected a Message object, got ${short(m)}`);
  if (typeof m.id !== 'string' || !MESSAGE_ID_RE.test(m.id)) fail(`${what}: Message.id must look like '<ms>-<seq>', got ${short(m.id)}`);
  if (typeof m.groupId !== 'string') fail(`${what}: Message.groupId must be a string, got ${short(m.groupId)}`);
  if (typeof m.authorId !== 'string') fail(`${what}: Message.authorId must be a string, got ${short(m.authorId)}`);
  if (typeof m.text !== 'string') fail(`${what}: Message.text must be a string, got ${short(m.text)}`);
  if (typeof m.sentAt !== 'string' || !ISO_MS_RE.test(m.sentAt)) fail(`${what}: Message.sentAt must be ISO-8601 UTC with ms, got ${short(m.sentAt)}`);
  if (m.clientMessageId !== undefined && typeof m.clientMessageId !== 'string') fail(`${what}: Message.clientMessageId must be a string when present, got ${short(m.clientMessageId)}`);
  if (expected) {
    for (const [k, v] of Object.entries(expected)) {
      if (m[k] !== v) fail(`${what}: expected Message.${k} = ${short(v)}, got ${short(m[k])} in ${short(m)}`);
    }
  }
  return m as unknown as Message;
}

export function checkGroup(g: unknown, what: string, expected?: Partial<Group>): Group {
  if (!isObj(g)) fail(`${what}: expected a Group object, got ${short(g)}`);
  if (typeof g.id !== 'string') fail(`${what}: Group.id must be a string, got ${short(g.id)}`);
  if (typeof g.createdBy !== 'string') fail(`${what}: Group.createdBy must be a string, got ${short(g.createdBy)}`);
  if (typeof g.createdAt !== 'string' || !ISO_MS_RE.test(g.createdAt)) fail(`${what}: Group.createdAt must be ISO-8601 UTC with ms, got ${short(g.createdAt)}`);
  if (typeof g.memberCount !== 'number' || !Number.isInteger(g.memberCount) || g.memberCount < 0) fail(`${what}: Group.memberCount must be a non-negative integer, got ${short(g.memberCount)}`);
  if (expected) {
    for (const [k, v] of Object.entries(expected)) {
      if (g[k] !== v) fail(`${what}: expected Group.${k} = ${short(v)}, got ${short(g[k])} in ${short(g)}`);
    }
  }
  return g as unknown as Group;
}

export function checkMember(m: unknown, what: string): Member {
  if (!isObj(m)) fail(`${what}: expected a Member object, got ${short(m)}`);
  if (typeof m.userId !== 'string') fail(`${what}: Member.userId must be a string, got ${short(m.userId)}`);
  if (typeof m.joinedAt !== 'string' || !ISO_MS_RE.test(m.joinedAt)) fail(`${what}: Member.joinedAt must be ISO-8601 UTC with ms, got ${short(m.joinedAt)}`);
  if (typeof m.online !== 'boolean') fail(`${what}: Member.online must be a boolean, got ${short(m.online)}`);
  return m as unknown as Member;
}

/** `expected` compared field by field (arrays and objects by their JSON). */
function matches(obj: Record<string, unknown>, expected: Record<string, unknown> | undefined, type: string, what: string): void {
  if (!expected) return;
  for (const [k, v] of Object.entries(expected)) {
    if (v === undefined) continue;
    const same = typeof v === 'object' && v !== null ? JSON.stringify(obj[k]) === JSON.stringify(v) : obj[k] === v;
    if (!same) fail(`${what}: expected ${type}.${k} = ${short(v)}, got ${short(obj[k])} in ${short(obj)}`);
  }
}

const ROLES = ['owner', 'admin', 'member'];
const codePoints = (s: string) => [...s].length;

/**
 * A Group of protocol 1.1 (PROTOCOL.md §8): the v1 fields as checkGroup checks
 * them, plus kind, visibility, title, topic, ownerId, capacity and, for direct
 * conversations, peers (the two user ids, sorted).
 */
export function checkGroup11(g: unknown, what: string, expected?: Partial<Group>): Group {
  checkGroup(g, what);
  const o = g as Record<string, unknown>;
  if (o.kind !== 'room' && o.kind !== 'direct') fail(`${what}: Group.kind must be 'room' or 'direct', got ${short(o.kind)} in ${short(o)}`);
  if (o.visibility !== 'public' && o.visibility !== 'private') fail(`${what}: Group.visibility must be 'public' or 'private', got ${short(o.visibility)} in ${short(o)}`);
  if (typeof o.title !== 'string' || codePoints(o.title) > 100) fail(`${what}: Group.title must be a string of 0-100 code points, got ${short(o.title)}`);
  if (typeof o.topic !== 'string' || codePoints(o.topic) > 500) fail(`${what}: Group.topic must be a string of 0-500 code points, got ${short(o.topic)}`);
  if (typeof o.capacity !== 'number' || !Number.isInteger(o.capacity) || o.capacity < 2) fail(`${what}: Group.capacity must be an integer of at least 2, got ${short(o.capacity)} in ${short(o)}`);
  if ((o.memberCount as number) > o.capacity) fail(`${what}: Group.memberCount ${short(o.memberCount)} is over Group.capacity ${o.capacity}`);
  if (o.kind === 'room') {
    if (typeof o.ownerId !== 'string') fail(`${what}: Group.ownerId of a room must be a user id, got ${short(o.ownerId)} in ${short(o)}`);
    if (o.peers !== undefined) fail(`${what}: Group.peers is for direct conversations only, but the room ${short(o.id)} has ${short(o.peers)}`);
  } else {
    if (!String(o.id).startsWith('dm-')) fail(`${what}: the id of a direct conversation must begin with 'dm-', got ${short(o.id)}`);
    if (o.visibility !== 'private') fail(`${what}: a direct conversation must be private, got visibility ${short(o.visibility)}`);
    if (o.ownerId !== null) fail(`${what}: Group.ownerId of a direct conversation must be null, got ${short(o.ownerId)}`);
    if (o.capacity !== 2) fail(`${what}: Group.capacity of a direct conversation must be 2, got ${short(o.capacity)}`);
    const p = o.peers;
    if (!Array.isArray(p) || p.length !== 2 || p.some((x) => typeof x !== 'string') || !((p[0] as string) < (p[1] as string))) {
      fail(`${what}: Group.peers of a direct conversation must be its two user ids, sorted, got ${short(p)}`);
    }
  }
  matches(o, expected as Record<string, unknown> | undefined, 'Group', what);
  return g as Group;
}

/** A Member of protocol 1.1: the v1 fields, plus role and readUpTo (a message id or null). */
export function checkMember11(m: unknown, what: string, expected?: Partial<Member>): Member {
  checkMember(m, what);
  const o = m as Record<string, unknown>;
  if (typeof o.role !== 'string' || !ROLES.includes(o.role)) fail(`${what}: Member.role must be 'owner', 'admin' or 'member', got ${short(o.role)} in ${short(o)}`);
  if (o.readUpTo !== null && (typeof o.readUpTo !== 'string' || !MESSAGE_ID_RE.test(o.readUpTo))) {
    fail(`${what}: Member.readUpTo must be a message id or null, got ${short(o.readUpTo)} in ${short(o)}`);
  }
  matches(o, expected as Record<string, unknown> | undefined, 'Member', what);
  return m as Member;
}

export function checkInvitation(inv: unknown, what: string, expected?: Partial<Invitation>): Invitation {
  if (!isObj(inv)) fail(`${what}: expected an Invitation object, got ${short(inv)}`);
  for (const k of ['groupId', 'userId', 'invitedBy'] as const) {
    if (typeof inv[k] !== 'string') fail(`${what}: Invitation.${k} must be a string, got ${short(inv[k])} in ${short(inv)}`);
  }
  if (typeof inv.at !== 'string' || !ISO_MS_RE.test(inv.at)) fail(`${what}: Invitation.at must be ISO-8601 UTC with ms, got ${short(inv.at)}`);
  matches(inv, expected as Record<string, unknown> | undefined, 'Invitation', what);
  return inv as unknown as Invitation;
}

export function checkBan(b: unknown, what: string, expected?: Partial<Ban>): Ban {
  if (!isObj(b)) fail(`${what}: expected a Ban object, got ${short(b)}`);
  for (const k of ['groupId', 'userId', 'by'] as const) {
    if (typeof b[k] !== 'string') fail(`${what}: Ban.${k} must be a string, got ${short(b[k])} in ${short(b)}`);
  }
  if (typeof b.at !== 'string' || !ISO_MS_RE.test(b.at)) fail(`${what}: Ban.at must be ISO-8601 UTC with ms, got ${short(b.at)}`);
  if (b.until !== null && (typeof b.until !== 'string' || !ISO_MS_RE.test(b.until))) fail(`${what}: Ban.until must be ISO-8601 UTC with ms or null, got ${short(b.until)}`);
  if (typeof b.reason !== 'string' || codePoints(b.reason) > 200) fail(`${what}: Ban.reason must be a string of 0-200 code points, got ${short(b.reason)}`);
  matches(b, expected as Record<string, unknown> | undefined, 'Ban', what);
  return b as unknown as Ban;
}

/**
 * A Message of protocol 1.1 (PROTOCOL.md §8, §11): the v1 fields as
 * checkMessage checks them, plus `editedAt?` and `deletedAt?` (ISO-8601 UTC
 * with ms when present). A deleted message keeps its id and place: `text` is
 * `""` and `deletedAt` is set. `expected` is compared field by field.
 */
export function checkMessage11(m: unknown, what: string, expected?: Record<string, unknown>): Message {
  checkMessage(m, what);
  const o = m as Record<string, unknown>;
  for (const k of ['editedAt', 'deletedAt'] as const) {
    if (o[k] !== undefined && o[k] !== null && (typeof o[k] !== 'string' || !ISO_MS_RE.test(o[k]))) {
      fail(`${what}: Message.${k} must be ISO-8601 UTC with ms when present, got ${short(o[k])} in ${short(o)}`);
    }
  }
  if (o.deletedAt != null && o.text !== '') fail(`${what}: a deleted message (deletedAt ${short(o.deletedAt)}) must have text "", got ${short(o.text)}`);
  if (o.text === '' && o.deletedAt == null) fail(`${what}: a message with text "" must be a tombstone (deletedAt set), got ${short(o)}`);
  matches(o, expected, 'Message', what);
  return m as Message;
}

/** A tombstone (PROTOCOL.md §8): the same id, group, author and sentAt as `original`, text "", deletedAt set. */
export function checkTombstone(m: unknown, what: string, original: Message): Message {
  const t = checkMessage11(m, what, { id: original.id, groupId: original.groupId, authorId: original.authorId, sentAt: original.sentAt, text: '' });
  const o = t as unknown as Record<string, unknown>;
  if (typeof o.deletedAt !== 'string') fail(`${what}: a tombstone must have deletedAt set, got ${short(o)}`);
  return t;
}

/** An edited message: the same id, group, author and sentAt as `original`, the new text, editedAt set, not deleted. */
export function checkEdited(m: unknown, what: string, original: Message, text: string): Message {
  const e = checkMessage11(m, what, { id: original.id, groupId: original.groupId, authorId: original.authorId, sentAt: original.sentAt, text });
  const o = e as unknown as Record<string, unknown>;
  if (typeof o.editedAt !== 'string') fail(`${what}: an edited message must have editedAt set, got ${short(o)}`);
  if (o.deletedAt != null) fail(`${what}: an edited message that was not deleted must have no deletedAt, got ${short(o)}`);
  return e;
}

/** A Conversation of me.conversations (PROTOCOL.md §8, §11): {group, role, readUpTo, unread, lastMessage}. */
export interface ConversationShape {
  group: Group;
  role: 'owner' | 'admin' | 'member';
  readUpTo: string | null;
  unread: number;
  lastMessage: Message | null;
}

export function checkConversation(c: unknown, what: string): ConversationShape {
  if (!isObj(c)) fail(`${what}: expected a Conversation object {group, role, readUpTo, unread, lastMessage}, got ${short(c)}`);
  const g = checkGroup11(c.group, `${what}.group`);
  if (typeof c.role !== 'string' || !ROLES.includes(c.role)) fail(`${what}: Conversation.role must be 'owner', 'admin' or 'member', got ${short(c.role)} in ${short(c)}`);
  if (g.kind === 'direct' && c.role !== 'member') fail(`${what}: the role in a direct conversation is 'member', got ${short(c.role)}`);
  if (c.readUpTo !== null && (typeof c.readUpTo !== 'string' || !MESSAGE_ID_RE.test(c.readUpTo))) fail(`${what}: Conversation.readUpTo must be a message id or null, got ${short(c.readUpTo)} in ${short(c)}`);
  if (typeof c.unread !== 'number' || !Number.isInteger(c.unread) || c.unread < 0) fail(`${what}: Conversation.unread must be a non-negative integer, got ${short(c.unread)} in ${short(c)}`);
  if (!('lastMessage' in c)) fail(`${what}: Conversation.lastMessage must be present (the newest message, or null), got ${short(c)}`);
  if (c.lastMessage !== null) checkMessage11(c.lastMessage, `${what}.lastMessage`, { groupId: g.id });
  return c as unknown as ConversationShape;
}

/** Ids strictly increasing (no duplicate, delivery order). */
export function checkIncreasing(messages: readonly Message[], what: string): void {
  for (let i = 1; i < messages.length; i++) {
    if (compareMessageIds(messages[i - 1].id, messages[i].id) >= 0) {
      fail(`${what}: message ids must strictly increase, but #${i - 1} is ${messages[i - 1].id} and #${i} is ${messages[i].id}`);
    }
  }
}

const REASONS: Record<number, string> = {
  [-32700]: 'parse_error',
  [-32600]: 'invalid_request',
  [-32601]: 'method_not_found',
  [-32602]: 'invalid_params',
  [-32603]: 'internal_error',
  4003: 'not_a_member',
  4004: 'group_not_found',
  4009: 'group_exists',
  4010: 'group_full',
  4013: 'invitation_required',
  4029: 'rate_limited',
  4031: 'banned',
  4033: 'forbidden',
  4034: 'owner_cannot_leave',
  4044: 'message_not_found',
  4503: 'unavailable',
};

/** The error has the code, the table's reason, a message a person can read and no stack trace. */
export function checkError(err: RpcErrorObject | undefined, code: number, what: string, field?: string): void {
  if (!err) fail(`${what}: expected error ${code}, got no error`);
  if (err.code !== code) fail(`${what}: expected error code ${code} (${REASONS[code]}), got ${short(err)}`);
  if (typeof err.message !== 'string' || err.message.trim() === '') fail(`${what}: error.message must be a non-empty sentence, got ${short(err.message)}`);
  if (/\n\s+at\s/.test(err.message) || /\.(ts|js):\d+/.test(err.message)) fail(`${what}: error.message leaks a stack trace: ${short(err.message)}`);
  if (!isObj(err.data) || err.data.reason !== REASONS[code]) fail(`${what}: expected error.data.reason '${REASONS[code]}', got ${short(err.data)}`);
  if (field !== undefined && err.data.field !== field) fail(`${what}: expected error.data.field '${field}', got ${short(err.data.field)} in ${short(err)}`);
}
