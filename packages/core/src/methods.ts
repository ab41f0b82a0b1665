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
import type { Group, Member, Message, MemberEvent } from './types.js';

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

export const paramsSchemas = {
  'group.list': z.object({
    after: groupId.optional(),
    limit: limit(1, PAGE_LIMIT_DEFAULT),
    prefix: z
      .string({ error: 'must be a string' })
      .regex(GROUP_PREFIX_RE, { error: 'must be at most 64 characters of A-Z a-z 0-9 . _ -' })
      .optional(),
  }),
  'group.create': z.object({ groupId }),
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
  'group.join': { group: Group; history: Message[]; complete: boolean };
  'group.leave': { left: boolean };
  'group.members': { members: Member[]; next: string | null };
  'message.send': { message: Message };
  'message.history': { messages: Message[]; next: string | null };
}
export type Result<M extends MethodName> = Results[M];

export interface Notifications {
  message: Message;
  'member.joined': MemberEvent;
  'member.left': MemberEvent;
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
  if (raw === undefined) raw = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw errors.invalidParams('params', 'must be an object of named params');
  }
  const r = paramsSchemas[method].safeParse(raw);
  if (r.success) return r.data as Params<M>;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? String(issue.path[0]) : 'params';
  let why = issue?.message ?? 'is invalid';
  if (issue?.code === 'invalid_type' && (raw as Record<string, unknown>)[field] === undefined) why = 'is required';
  throw errors.invalidParams(field, why);
}

export { RpcError };
