/**
 * Every error the app can meet, as a sentence for the person using it: the
 * protocol's codes (docs/protocol.md §6 and §13) with their data, and the
 * SDK's own errors around them. The hub's messages are written for
 * programmers ("call group.join first"); these say what happened and what
 * to do, in the app's words.
 */
import { ConnectError, ConnectionClosedError, ConnectionLostError, NotConnectedError, RequestTimeoutError, ResumeError } from '@next-chat/client';
import { ErrorCode, RpcError } from '@next-chat/core';

const FIELDS: Record<string, string> = {
  groupId: 'The room name',
  userId: 'The user id',
  text: 'The message',
  title: 'The title',
  topic: 'The topic',
  capacity: 'The capacity',
  reason: 'The reason',
  prefix: 'The search',
  durationSec: 'The duration',
  messageId: 'The message',
};

const seconds = (ms: unknown): string => {
  const s = Math.max(1, Math.ceil((typeof ms === 'number' ? ms : 1000) / 1000));
  return s === 1 ? 'a second' : `${s} seconds`;
};

const room = (data: Record<string, unknown>): string => (typeof data.groupId === 'string' ? `'${data.groupId}'` : 'this room');

function when(until: unknown): string {
  if (typeof until !== 'string') return 'until an owner or admin lifts the ban';
  return `until ${new Date(until).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
}

function rpcText(err: RpcError): string {
  const d = err.data as Record<string, unknown>;
  switch (err.code) {
    case ErrorCode.InvalidParams: {
      const field = typeof d.field === 'string' ? d.field : 'params';
      // The hub's message is "Invalid params: 'text' must be ...": keep the rule, name the field in words.
      const rule = /'[^']*' (.*)\.$/.exec(err.message)?.[1];
      return rule ? `${FIELDS[field] ?? `'${field}'`} ${rule}.` : `${FIELDS[field] ?? 'A value'} is not valid.`;
    }
    case ErrorCode.NotAMember:
      return typeof d.userId === 'string' ? `${d.userId} is not a member of ${room(d)}.` : `You are not a member of ${room(d)}; join it first.`;
    case ErrorCode.GroupNotFound:
      return `The room ${room(d)} does not exist (any more).`;
    case ErrorCode.GroupExists:
      return `A room called ${room(d)} exists already; pick another name, or join it from the directory.`;
    case ErrorCode.GroupFull:
      return `The room ${room(d)} is full${typeof d.capacity === 'number' ? ` (${d.capacity} members)` : ''}; someone has to leave before you can join.`;
    case ErrorCode.InvitationRequired:
      return `The room ${room(d)} is private: you need an invitation from its owner or an admin.`;
    case ErrorCode.Banned:
      return typeof d.userId === 'string' ? `${d.userId} is banned from ${room(d)}; lift the ban first.` : `You are banned from ${room(d)} ${when(d.until)}.`;
    case ErrorCode.Forbidden:
      if (d.required === 'owner') return 'Only the owner of this room may do that.';
      if (d.required === 'admin') return 'Only the owner or an admin of this room may do that.';
      return `That is not allowed: ${err.message.replace(/^Not allowed: /, '').replace(/\.$/, '')}.`;
    case ErrorCode.OwnerCannotLeave:
      return 'You own this room and others are still in it: make someone else the owner, or delete the room, before you leave.';
    case ErrorCode.MessageRejected: {
      // The operator's moderation hook wrote this sentence for the sender; shown as one.
      const m = err.message.trim();
      if (m === '') return "This message was refused by the service's moderation.";
      return `${m[0]!.toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
    }
    case ErrorCode.MessageNotFound:
      return 'That message is no longer there.';
    case ErrorCode.RateLimited:
      if (d.limit === 'group_create') return d.quota === 'total' ? 'You have created as many rooms as one person may.' : `You have created many rooms recently; try again in ${seconds(d.retryAfterMs)}.`;
      if (d.limit === 'groups_per_connection') return 'You are in as many conversations as one window can follow; leave one first.';
      return `You are going too fast; try again in ${seconds(d.retryAfterMs)}.`;
    case ErrorCode.Unavailable:
      return `The chat service is having trouble right now; try again in ${seconds(d.retryAfterMs)}.`;
    case ErrorCode.InternalError:
      return 'Something went wrong in the hub; it has been logged. Try again later.';
    default:
      return `The hub refused this: ${err.message}`;
  }
}

/** A sentence for any error. */
export function errorText(err: unknown): string {
  if (err instanceof RpcError) return rpcText(err);
  if (err instanceof NotConnectedError) return 'You are not connected right now; try again once the connection is back.';
  if (err instanceof ConnectionClosedError) return 'The connection dropped before the hub answered; try again.';
  if (err instanceof RequestTimeoutError) return 'The hub did not answer in time; try again.';
  if (err instanceof ConnectionLostError) {
    if (/token expired/i.test(err.reason)) return 'Your session has expired; sign in again.';
    if (err.why === 'policy') return `The hub closed the connection (${err.reason || 'policy'}).`;
    return 'The connection to the hub is lost.';
  }
  if (err instanceof ConnectError) return 'The hub cannot be reached right now.';
  if (err instanceof ResumeError) return `After reconnecting, '${err.groupId}' could not be brought up to date: ${errorText(err.cause)}`;
  if (err instanceof Error && err.message !== '') return /[.!?]$/.test(err.message) ? err.message : `${err.message}.`;
  return 'Something went wrong; try again.';
}
