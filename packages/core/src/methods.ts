/**
 * The methods of docs/protocol.md §4: params schemas (zod, shared by server
 * and SDK) and result types. Unknown params are ignored, so clients may send
 * the optional params of later protocol additions.
 */
import { z } from 'zod';
import { errors, RpcError } from './errors.js';
import {
  GROUP_ID_RE,
  USER_ID_RE,
  GROUP_PREFIX_RE,
  clientMessageIdProblem,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  textProblem,
} from './limits.js';
import { MESSAGE_ID_RE, parseMessageId } from './message-id.js';
import type { Ban, Conversation, Group, Invitation, Member, MemberEvent, MemberLeftEvent, MemberRoleEvent, Message, MessageUpdate, MemberReadEvent, ReadEvent, RemovedReason, Role, TypingEvent } from './types.js';

const groupId = z
  .string({ error: 'must be a string' })
  .regex(GROUP_ID_RE, { error: 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const userIdCursor = z
  .string({ error: 'must be a string' })
  .regex(USER_ID_RE, { error: 'must be a user id' });
const messageId = z
  .string({ error: 'must be a string' })
  .regex(MESSAGE_ID_RE, { error: "must be a message id like '1700000000000-0'" })
  .refine((s) => parseMessageId(s) !== null, { error: 'is out of range' });
const limit = (min: number, def: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be between ${min} and ${PAGE_LIMIT_MAX}` })
    .max(PAGE_LIMIT_MAX, { error: `must be between ${min} and ${PAGE_LIMIT_MAX}` })
    .default(def);
const text = z.string({ error: 'must be a string' }).superRefine((s, ctx) => {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Code points, not UTF-16 units, like `text`. */
function codePoints(max: number, what: string) {
  return z.string({ error: 'must be a string' }).superRefine((v, ctx) => {
    if (!v.isWellFormed()) ctx.addIssue({ code: 'custom', message: 'must be valid Unicode (no lone surrogates)' });
    else if ([...v].length > max) ctx.addIssue({ code: 'custom', message: `must be at most ${max} ${what}` });
  });
}
/** Ids beginning with `dm-` are direct conversations' (docs/protocol.md §9): a room may not take one. */
export const DIRECT_PREFIX = 'dm-';
const roomId = groupId.refine((g) => !g.startsWith(DIRECT_PREFIX), { error: `must not begin with '${DIRECT_PREFIX}' (reserved for direct conversations)` });
const userId = z.string({ error: 'must be a string' }).regex(USER_ID_RE, { error: 'must be a user id matching ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' });
const visibility = z.enum(['public', 'private'], { error: "must be 'public' or 'private'" });
const role = z.enum(['owner', 'admin', 'member'], { error: "must be 'owner', 'admin' or 'member'" });
const capacity = z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(2, { error: 'must be at least 2' });
const title = codePoints(100, 'characters');
const topic = codePoints(500, 'characters');
const page = { after: z.string({ error: 'must be a string' }).max(200, { error: 'is not a cursor of this list' }).optional(), limit: limit(1, PAGE_LIMIT_DEFAULT) };

export const paramsSchemas = {
  'group.list': z.object({
    after: groupId.optional(),
    limit: limit(1, PAGE_LIMIT_DEFAULT),
    prefix: z
      .string({ error: 'must be a string' })
      .regex(GROUP_PREFIX_RE, { error: 'must be at most 64 characters of A-Z a-z 0-9 . _ -' })
      .optional(),
  }),
  'group.create': z.object({ groupId: roomId, visibility: visibility.default('public'), title: title.default(''), topic: topic.default(''), capacity: capacity.optional() }),
  'group.get': z.object({ groupId }),
  'group.update': z.object({ groupId, title: title.optional(), topic: topic.optional(), visibility: visibility.optional(), capacity: capacity.optional() }),
  'group.setRole': z.object({ groupId, userId, role }),
  'group.invite': z.object({ groupId, userId }),
  'group.kick': z.object({ groupId, userId }),
  'group.ban': z.object({
    groupId,
    userId,
    durationSec: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1, { error: 'must be at least 1' }).max(10 * 365 * 86_400, { error: 'must be at most ten years' }).optional(),
    reason: codePoints(200, 'characters').default(''),
  }),
  'group.unban': z.object({ groupId, userId }),
  'group.bans': z.object({ groupId, ...page }),
  'group.delete': z.object({ groupId }),
  'me.invitations': z.object(page),
  'invitation.decline': z.object({ groupId }),
  'direct.open': z.object({ userId, since: messageId.optional(), limit: limit(0, PAGE_LIMIT_DEFAULT) }),
  'user.block': z.object({ userId }),
  'user.unblock': z.object({ userId }),
  'me.blocked': z.object(page),
  typing: z.object({ groupId }),
  'message.read': z.object({ groupId, messageId }),
  'message.edit': z.object({ groupId, messageId, text }),
  'message.delete': z.object({ groupId, messageId }),
  'me.conversations': z.object({ after: z.string({ error: 'must be a string' }).max(200, { error: 'is not a cursor of this list' }).optional(), limit: limit(1, PAGE_LIMIT_DEFAULT) }),
  'group.join': z.object({ groupId, since: messageId.optional(), limit: limit(0, PAGE_LIMIT_DEFAULT) }),
  'group.leave': z.object({ groupId }),
  'group.members': z.object({ groupId, after: userIdCursor.optional(), limit: limit(1, PAGE_LIMIT_DEFAULT) }),
  'message.send': z.object({
    groupId,
    text,
    clientMessageId: z
      .string({ error: 'must be a string' })
      .superRefine((s, ctx) => {
        const problem = clientMessageIdProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  }),
  'message.history': z.object({ groupId, before: messageId.optional(), limit: limit(1, PAGE_LIMIT_DEFAULT) }),
} as const;

export type MethodName = keyof typeof paramsSchemas;
export const METHOD_NAMES = Object.keys(paramsSchemas) as MethodName[];

/** Params as validated (defaults applied). */
export type Params<M extends MethodName> = z.output<(typeof paramsSchemas)[M]>;
/** Params as a client may send them (defaults optional). */
export type ParamsInput<M extends MethodName> = z.input<(typeof paramsSchemas)[M]>;

export interface Results {
  'group.list': { groups: Group[]; next: string | null };
  'group.create': { group: Group };
  /** `updates` only with `since`: messages at or before it edited or deleted after it. */
  'group.join': { group: Group; history: Message[]; complete: boolean; updates?: Message[] };
  'group.leave': { left: boolean };
  'group.members': { members: Member[]; next: string | null };
  'message.send': { message: Message };
  'message.history': { messages: Message[]; next: string | null };
  'group.get': { group: Group; role: Role | null };
  'group.update': { group: Group };
  'group.setRole': { member: Member };
  'group.invite': { invitation: Invitation | null };
  'group.kick': { kicked: boolean };
  'group.ban': { ban: Ban };
  'group.unban': { unbanned: boolean };
  'group.bans': { bans: Ban[]; next: string | null };
  'group.delete': { deleted: true };
  'me.invitations': { invitations: { invitation: Invitation; group: Group }[]; next: string | null };
  'invitation.decline': { declined: boolean };
  'direct.open': { group: Group; history: Message[]; complete: boolean; updates?: Message[] };
  'user.block': { blocked: true };
  'user.unblock': { unblocked: boolean };
  'me.blocked': { users: string[]; next: string | null };
  typing: Record<string, never>;
  'message.read': { readUpTo: string | null; unread: number };
  'message.edit': { message: Message };
  'message.delete': { message: Message };
  'me.conversations': { conversations: Conversation[]; next: string | null };
}
export type Result<M extends MethodName> = Results[M];

export interface Notifications {
  message: Message;
  /** An edit or delete, in id/cursor order with the group's messages. */
  'message.updated': MessageUpdate;
  'member.joined': MemberEvent;
  'member.left': MemberLeftEvent;
  'group.updated': { group: Group };
  'member.role': MemberRoleEvent;
  /** To every connection of one user. */
  invited: { invitation: Invitation; group: Group };
  'conversation.added': { group: Group; by: string };
  'conversation.removed': { groupId: string; reason: RemovedReason; by: string };
  /** To the group's other subscribed connections, at most one per user per group in any 2 seconds. */
  typing: TypingEvent;
  /** To every connection of the user, on every instance: their marker in the group moved. */
  read: ReadEvent;
  /** To the subscribers of a direct conversation: the other peer read up to here. */
  'member.read': MemberReadEvent;
}
export type NotificationName = keyof Notifications;

export function isMethodName(m: string): m is MethodName {
  return Object.prototype.hasOwnProperty.call(paramsSchemas, m);
}

/**
 * Validates a request's params; throws -32602 naming the first bad field.
 * `undefined` params count as `{}`; anything but a plain object is refused.
 */
export function parseParams<M extends MethodName>(method: M, raw: unknown): Params<M> {
  return parseObject(paramsSchemas[method], raw, 'params') as Params<M>;
}

/**
 * Validates a JSON object against one of these schemas (the HTTP API's
 * bodies and queries are made of them); throws -32602 naming the first bad
 * field (`members.2.role` for a nested one). `undefined` counts as `{}`.
 */
export function parseObject<S extends z.ZodType>(schema: S, raw: unknown, what = 'params'): z.output<S> {
  if (raw === undefined) raw = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw errors.invalidParams(what, `must be an object of named ${what}`);
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : what;
  let why = issue?.message ?? 'is invalid';
  if (issue?.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) why = 'is required';
  throw errors.invalidParams(field, why);
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

export { RpcError };
