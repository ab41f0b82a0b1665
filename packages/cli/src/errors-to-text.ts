/**
 * Every error becomes one sentence that says what happened and what to do
 * next, in the words of the console client's commands. Also decides exit
 * codes of one-shot commands.
 */
import {
  ConnectError,
  ConnectionClosedError,
  ConnectionLostError,
  ErrorCode,
  NotConnectedError,
  RequestTimeoutError,
  ResumeError,
  RpcError,
} from '@next-chat/client';

/** A mistake in how the program was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An error of a command about `group` (and `user`, the other person it was about): keeps the context for the sentence. */
export class CommandFailed extends Error {
  readonly group: string | undefined;
  readonly user: string | undefined;
  constructor(cause: unknown, group: string | undefined, user?: string) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'CommandFailed';
    this.group = group;
    this.user = user;
  }
}

export const ExitCode = {
  Ok: 0,
  /** The hub refused the request (a protocol error). */
  Refused: 1,
  Usage: 2,
  /** Could not connect, connection lost, or no answer in time. */
  Connection: 3,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommandFailed) return exitCodeFor(err.cause);
  if (err instanceof UsageError) return ExitCode.Usage;
  if (err instanceof RpcError) return ExitCode.Refused;
  return ExitCode.Connection;
}

const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))} s`;

function groupOf(err: RpcError, fallback?: string): string {
  const g = err.data.groupId;
  return typeof g === 'string' ? g : (fallback ?? '?');
}

const FIELD_HELP: Record<string, string> = {
  groupId: "a group name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  prefix: "a prefix is at most 64 letters, digits, '.', '_' or '-'",
  text: 'a message is 1 to 4000 characters with at least one visible character',
  limit: 'a count is a whole number from 1 to 200',
  since: "a message id looks like '1700000000000-0'",
  before: "a message id looks like '1700000000000-0'",
  after: 'the cursor must be an id from a previous page',
  clientMessageId: 'a client message id is 1 to 64 characters',
  userId: "a user id is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
  title: 'a title is at most 100 characters',
  topic: 'a topic is at most 500 characters',
  capacity: 'a capacity is a whole number of members, at least 2, at most what the hub allows, and not below the members already in',
  visibility: "visibility is 'public' or 'private' (--public, --private)",
  role: "a role is owner, admin or member",
  durationSec: 'a ban lasts from 1 second to ten years, e.g. --for 10m, 2h or 1d',
  reason: 'a reason is at most 200 characters',
  messageId: "a message id looks like '1700000000000-0' (see: history GROUP)",
};

const ROLE_NEEDED: Record<string, string> = {
  owner: 'the owner',
  admin: 'the owner or an admin',
  member: 'a member',
};

/** `until` of a 4031, in words. */
function bannedUntil(until: unknown): string {
  if (typeof until !== 'string') return 'until its owner or an admin lifts the ban (unban)';
  const d = new Date(until);
  return Number.isNaN(d.getTime()) ? `until ${until}` : `until ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The hub's own words of a 4033 without `required`, as a sentence of ours: `Not allowed: x.` → `not allowed: x`. */
function hubWhy(err: RpcError): string {
  return err.message.replace(/^Not allowed:\s*/i, '').replace(/\.$/, '');
}

/** A refused edit or delete of a message, said as what may be done instead; null for any other 4033. */
function messageChangeRefused(why: string, group: string | undefined): string | null {
  if (/deleted message cannot be edited/i.test(why)) return 'that message was deleted; a deleted message cannot be edited';
  if (/may edit a message/i.test(why)) return 'you can edit only your own messages';
  if (/may delete a message/i.test(why)) {
    const where = group ? ` of group '${group}'` : '';
    return `you can delete only your own messages; the owner or an admin${where} can delete anyone's`;
  }
  return null;
}

/**
 * The sentence for a protocol error. `group` names the group the command was
 * about, `user` the other person (the one invited, kicked, written to...).
 */
export function rpcErrorToText(err: RpcError, group?: string, user?: string): string {
  switch (err.code) {
    case ErrorCode.InvitationRequired: {
      const g = groupOf(err, group);
      return `group '${g}' is private: ask its owner or an admin to invite you`;
    }
    case ErrorCode.Banned: {
      const g = groupOf(err, group);
      const until = err.data.until;
      // group.invite of a banned user names them.
      const banned = typeof err.data.userId === 'string' ? err.data.userId : undefined;
      if (banned !== undefined) return `${banned} is banned from group '${g}' ${bannedUntil(until)}; to invite them, lift the ban first: unban ${g} ${banned}`;
      const next = typeof until === 'string' ? 'try again after that, or ask its owner or an admin to lift it' : 'ask its owner or an admin to unban you';
      return `you are banned from group '${g}' ${bannedUntil(until)}; ${next}`;
    }
    case ErrorCode.Forbidden: {
      const g = typeof err.data.groupId === 'string' ? err.data.groupId : group;
      const required = err.data.required;
      // message.edit / message.delete (protocol 1.1 §11), in the hub's words.
      const change = messageChangeRefused(hubWhy(err), g);
      if (change) return change;
      if (typeof required === 'string' && ROLE_NEEDED[required]) {
        const where = g ? ` of group '${g}'` : '';
        if (required === 'member') return `only members${where} can do that${g ? `; join it first with: join ${g}` : ''}`;
        const ask = g ? `ask ${required === 'owner' ? 'them' : 'one of them'} (info ${g} shows the owner)` : `ask ${required === 'owner' ? 'them' : 'one of them'}`;
        return `only ${ROLE_NEEDED[required]}${where} can do that; ${ask}`;
      }
      const why = hubWhy(err);
      const blocked = /block|accept/i.test(why);
      // dm USER: direct.open is refused only when USER blocks the caller.
      if (user !== undefined && g === undefined) return `${user} does not accept direct messages from you; you can still talk in a room you share`;
      if (g?.startsWith('dm-')) {
        return blocked
          ? `not allowed: ${why}; you can still talk in a room you share`
          : `not allowed: ${why}; a direct conversation stays between its two people as it is (for more people, create a room)`;
      }
      return `not allowed: ${why}`;
    }
    case ErrorCode.OwnerCannotLeave: {
      const g = groupOf(err, group);
      return `you own group '${g}' and others are still in it; hand ownership over first: role ${g} <user> owner, or delete the group: delete ${g}`;
    }
    case ErrorCode.MessageNotFound: {
      const g = groupOf(err, group);
      const id = typeof err.data.messageId === 'string' ? ` '${err.data.messageId}'` : '';
      return `there is no message${id} in group '${g}'; see the ids with: history ${g}`;
    }
    case ErrorCode.GroupNotFound: {
      const g = groupOf(err, group);
      return `group '${g}' does not exist; create it with: create ${g}`;
    }
    case ErrorCode.NotAMember: {
      const g = groupOf(err, group);
      // group.setRole: the one given a role is not a member; the hub names them in data.userId.
      const target = err.data.userId;
      if (typeof target === 'string')
        return `${target} is not a member of group '${g}'; roles are for members: they join first (invite ${g} ${target} if it is private)`;
      return `you are not a member of group '${g}'; join it first with: join ${g}`;
    }
    case ErrorCode.GroupExists: {
      const g = groupOf(err, group);
      return `group '${g}' already exists; join it with: join ${g}`;
    }
    case ErrorCode.GroupFull: {
      const g = groupOf(err, group);
      const cap = typeof err.data.capacity === 'number' ? ` (${err.data.capacity} members)` : '';
      return `group '${g}' is full${cap}; try again after someone leaves, or pick another group`;
    }
    case ErrorCode.RateLimited: {
      const ms = typeof err.data.retryAfterMs === 'number' ? err.data.retryAfterMs : 1000;
      const max = typeof err.data.max === 'number' ? err.data.max : undefined;
      if (err.data.limit === 'group_create' && err.data.quota === 'total')
        return `you have created ${max ?? 'the most'} groups, the most one user may; ask an operator to remove some`;
      if (err.data.limit === 'group_create') return `you have created ${max ?? 'many'} groups recently; you can create another in ${seconds(ms)}`;
      if (err.data.limit === 'groups_per_connection')
        return `this connection is in ${max ?? 'the most'} groups, the most allowed; leave one first (or connect again for more)`;
      return `too many requests; slow down and try again in ${seconds(ms)}`;
    }
    case ErrorCode.MessageRejected:
      // The operator's moderation hook wrote this sentence for the sender: it is shown as it is.
      return err.message;
    case ErrorCode.Unavailable: {
      const ms = typeof err.data.retryAfterMs === 'number' ? err.data.retryAfterMs : 1000;
      // A fail-closed moderation hook that is down answers 4503 too; the hub's message names it.
      if (/moderation/i.test(err.message)) return `the hub cannot reach its moderation service right now, so nothing can be sent; try again in ${seconds(ms)}`;
      return `the hub cannot reach its messaging layer right now; try again in ${seconds(ms)}`;
    }
    case ErrorCode.InvalidParams: {
      const field = err.data.field ?? 'params';
      const why = err.message.replace(/^Invalid params: /, '').replace(/^'[^']*' /, '').replace(/\.$/, '');
      if (field === 'groupId' && group?.startsWith('dm-'))
        return `'${group}' cannot be a room's name: names beginning with 'dm-' are for direct conversations (open one with: dm USER)`;
      if (field === 'groupId' && group !== undefined) return `'${group}' is not a valid group name; ${FIELD_HELP.groupId}`;
      if (field === 'userId' && user !== undefined)
        return /^must be a user id/.test(why) ? `'${user}' is not a valid user id; ${FIELD_HELP.userId}` : `'${user}' ${why}`;
      if (field === 'text') return `the message ${why}; ${FIELD_HELP.text}`;
      const help = FIELD_HELP[field];
      return help ? `'${field}' ${why}; ${help}` : `'${field}' ${why}`;
    }
    case ErrorCode.InternalError:
      return 'the hub hit an internal error (it has been logged); try again, and report it if it persists';
    default:
      return err.message;
  }
}

function connectErrorToText(err: ConnectError): string {
  if (err.status === 401) {
    let why = '';
    try {
      const body = JSON.parse(err.body ?? '') as { message?: unknown };
      if (typeof body.message === 'string') why = ` (${body.message})`;
    } catch {
      // no JSON body
    }
    return `the hub at ${err.url} refused this identity${why}; check the user id, or pass a valid --token`;
  }
  if (err.status === 404) return `there is no chat endpoint at ${err.url}; the hub listens on the path /next-chat`;
  if (err.status === 503) return `the hub at ${err.url} is not ready or shutting down; it will be retried`;
  if (err.status !== undefined) return `the hub at ${err.url} answered HTTP ${err.status}; check the address`;
  switch (err.errno) {
    case 'ECONNREFUSED':
      return `cannot reach the hub at ${err.url}: connection refused; is it running on that port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach the hub at ${err.url}: unknown host; check the address`;
    case 'ETIMEDOUT':
      return `cannot reach the hub at ${err.url}: timed out; check the address and the network`;
    default:
      return `cannot reach the hub at ${err.url}${err.errno ? ` (${err.errno})` : ''}; check the address`;
  }
}

/** One sentence for any error; `group` and `user` give context for protocol errors. */
export function errorToText(err: unknown, group?: string, user?: string): string {
  if (err instanceof CommandFailed) return errorToText(err.cause, err.group ?? group, err.user ?? user);
  if (err instanceof RpcError) return rpcErrorToText(err, group, user);
  if (err instanceof ConnectError) return connectErrorToText(err);
  if (err instanceof ResumeError) {
    const cause = err.cause instanceof Error ? errorToText(err.cause, err.groupId) : String(err.cause);
    return `could not re-join group '${err.groupId}' after reconnecting: ${cause}`;
  }
  if (err instanceof RequestTimeoutError) {
    return `the hub did not answer within ${seconds(err.timeoutMs)}; the connection may be broken, try again`;
  }
  if (err instanceof NotConnectedError) {
    return 'not connected to a hub; connect first with: connect ws://HOST:5000 USER';
  }
  if (err instanceof ConnectionClosedError) {
    return 'the connection dropped before the hub answered; check with history whether it went through, then retry';
  }
  if (err instanceof ConnectionLostError) {
    if (err.why === 'policy') return `the hub closed the connection${err.reason ? ` (${err.reason})` : ' by policy'}`;
    return `the connection closed (code ${err.code}${err.reason ? `, ${err.reason}` : ''})`;
  }
  if (err instanceof UsageError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
