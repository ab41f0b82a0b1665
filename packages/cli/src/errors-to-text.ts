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

/** An error of a command about `group`: keeps the context for the sentence. */
export class CommandFailed extends Error {
  readonly group: string | undefined;
  constructor(cause: unknown, group: string | undefined) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'CommandFailed';
    this.group = group;
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
};

/** The sentence for a protocol error. `group` names the group the command was about. */
export function rpcErrorToText(err: RpcError, group?: string): string {
  switch (err.code) {
    case ErrorCode.GroupNotFound: {
      const g = groupOf(err, group);
      return `group '${g}' does not exist; create it with: create ${g}`;
    }
    case ErrorCode.NotAMember: {
      const g = groupOf(err, group);
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
    case ErrorCode.Unavailable: {
      const ms = typeof err.data.retryAfterMs === 'number' ? err.data.retryAfterMs : 1000;
      return `the hub cannot reach its messaging layer right now; try again in ${seconds(ms)}`;
    }
    case ErrorCode.InvalidParams: {
      const field = err.data.field ?? 'params';
      const why = err.message.replace(/^Invalid params: /, '').replace(/^'[^']*' /, '').replace(/\.$/, '');
      if (field === 'groupId' && group !== undefined) return `'${group}' is not a valid group name; ${FIELD_HELP.groupId}`;
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

/** One sentence for any error; `group` gives context for protocol errors. */
export function errorToText(err: unknown, group?: string): string {
  if (err instanceof CommandFailed) return errorToText(err.cause, err.group ?? group);
  if (err instanceof RpcError) return rpcErrorToText(err, group);
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
