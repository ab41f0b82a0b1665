/**
 * Every JSON-RPC error code, `data.reason` and WebSocket close code of the
 * protocol, in one table (docs/protocol.md §6). Server and SDK both import it,
 * so a code can never mean two things.
 */

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  NotAMember: 4003,
  GroupNotFound: 4004,
  GroupExists: 4009,
  GroupFull: 4010,
  MessageRejected: 4022,
  InvitationRequired: 4013,
  RateLimited: 4029,
  Banned: 4031,
  Forbidden: 4033,
  OwnerCannotLeave: 4034,
  MessageNotFound: 4044,
  Unavailable: 4503,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ErrorReason: Record<ErrorCode, string> = {
  [ErrorCode.ParseError]: 'parse_error',
  [ErrorCode.InvalidRequest]: 'invalid_request',
  [ErrorCode.MethodNotFound]: 'method_not_found',
  [ErrorCode.InvalidParams]: 'invalid_params',
  [ErrorCode.InternalError]: 'internal_error',
  [ErrorCode.NotAMember]: 'not_a_member',
  [ErrorCode.GroupNotFound]: 'group_not_found',
  [ErrorCode.GroupExists]: 'group_exists',
  [ErrorCode.GroupFull]: 'group_full',
  [ErrorCode.MessageRejected]: 'message_rejected',
  [ErrorCode.InvitationRequired]: 'invitation_required',
  [ErrorCode.RateLimited]: 'rate_limited',
  [ErrorCode.Banned]: 'banned',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.OwnerCannotLeave]: 'owner_cannot_leave',
  [ErrorCode.MessageNotFound]: 'message_not_found',
  [ErrorCode.Unavailable]: 'unavailable',
};

/** WebSocket close codes the hub uses. */
export const CloseCode = {
  Normal: 1000,
  /** Instance shutting down: reconnect, possibly to another instance. */
  GoingAway: 1001,
  /** Policy: auth expired, abuse, slow consumer, handshake timeout. */
  PolicyViolation: 1008,
  /** A frame over the size limit. */
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export interface ErrorData {
  reason: string;
  field?: string;
  retryAfterMs?: number;
  [key: string]: unknown;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: ErrorData;
}

/**
 * A protocol error. Thrown anywhere below the dispatcher, turned into a
 * JSON-RPC error response in one place; also what the SDK rejects with.
 */
export class RpcError extends Error {
  readonly code: number;
  readonly data: ErrorData;

  constructor(code: number, message: string, data: Partial<ErrorData> = {}) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = { reason: ErrorReason[code as ErrorCode] ?? 'error', ...data } as ErrorData;
  }

  get reason(): string {
    return this.data.reason;
  }

  toJSON(): RpcErrorObject {
    return { code: this.code, message: this.message, data: this.data };
  }

  static from(obj: RpcErrorObject): RpcError {
    return new RpcError(obj.code, obj.message, obj.data ?? {});
  }
}

export const errors = {
  parse: (detail: string) =>
    new RpcError(ErrorCode.ParseError, `The frame is not valid JSON (${detail}); send one JSON-RPC 2.0 object per text frame.`),
  invalidRequest: (why: string) =>
    new RpcError(ErrorCode.InvalidRequest, `Not a JSON-RPC 2.0 request: ${why}.`),
  methodNotFound: (method: string) =>
    new RpcError(ErrorCode.MethodNotFound, `Unknown method '${method}'; see docs/protocol.md for the list of methods.`, { method }),
  invalidParams: (field: string, why: string) =>
    new RpcError(ErrorCode.InvalidParams, `Invalid params: '${field}' ${why}.`, { field }),
  internal: () =>
    new RpcError(ErrorCode.InternalError, 'Internal error in the hub; it has been logged. Retry later or report it.'),
  notAMember: (groupId: string) =>
    new RpcError(ErrorCode.NotAMember, `You are not a member of group '${groupId}'; call group.join first.`, { groupId }),
  groupNotFound: (groupId: string) =>
    new RpcError(ErrorCode.GroupNotFound, `Group '${groupId}' does not exist; create it with group.create.`, { groupId }),
  groupExists: (groupId: string) =>
    new RpcError(ErrorCode.GroupExists, `Group '${groupId}' already exists; join it with group.join.`, { groupId }),
  groupFull: (groupId: string, capacity: number) =>
    new RpcError(ErrorCode.GroupFull, `Group '${groupId}' is full (${capacity} members); someone has to leave first.`, { groupId, capacity }),
  rateLimited: (retryAfterMs: number, limit: 'rate' | 'user_rate' = 'rate') =>
    new RpcError(
      ErrorCode.RateLimited,
      limit === 'rate'
        ? `Too many requests on this connection; wait ${retryAfterMs} ms and send it again.`
        : `Too many requests from this user over all their connections; wait ${retryAfterMs} ms and send it again.`,
      { retryAfterMs, limit },
    ),
  createQuota: (quota: 'window' | 'total', max: number, retryAfterMs: number) =>
    new RpcError(
      ErrorCode.RateLimited,
      quota === 'window'
        ? `You have created ${max} groups recently, the most allowed for now; wait ${retryAfterMs} ms before creating another.`
        : `You have created ${max} groups, the most allowed for one user; ask an operator to remove some before creating more.`,
      { retryAfterMs, limit: 'group_create', quota, max },
    ),
  tooManyGroups: (max: number) =>
    new RpcError(
      ErrorCode.RateLimited,
      `This connection is subscribed to ${max} groups, the most allowed; leave one (or use another connection) before joining more.`,
      { retryAfterMs: 60_000, limit: 'groups_per_connection', max },
    ),
  invitationRequired: (groupId: string) =>
    new RpcError(ErrorCode.InvitationRequired, `Group '${groupId}' is private; you need an invitation from its owner or an admin to join it.`, { groupId }),
  banned: (groupId: string, until: string | null) =>
    new RpcError(
      ErrorCode.Banned,
      until === null ? `You are banned from group '${groupId}' until an admin lifts the ban.` : `You are banned from group '${groupId}' until ${until}.`,
      { groupId, until },
    ),
  /** `required`: the role that would allow it; absent when no role would (direct conversations, blocks). */
  forbidden: (why: string, required?: 'owner' | 'admin' | 'member') =>
    new RpcError(ErrorCode.Forbidden, `Not allowed: ${why}.`, required ? { required } : {}),
  /** 4003 about someone else than the caller (group.setRole of a user who is no member). */
  targetNotAMember: (groupId: string, userId: string) =>
    new RpcError(ErrorCode.NotAMember, `User '${userId}' is not a member of group '${groupId}'; only members have roles.`, { groupId, userId }),
  /** 4031 about someone else than the caller (group.invite of a banned user). */
  targetBanned: (groupId: string, userId: string, until: string | null) =>
    new RpcError(ErrorCode.Banned, `User '${userId}' is banned from group '${groupId}'; lift the ban first (group.unban).`, { groupId, userId, until }),
  ownerCannotLeave: (groupId: string) =>
    new RpcError(ErrorCode.OwnerCannotLeave, `You own group '${groupId}' and others are still in it; hand ownership over (group.setRole) or delete the group first.`, { groupId }),
  /** The operator's moderation hook refused the text; `why` is its sentence, shown to the sender as it is. */
  messageRejected: (why: string) => new RpcError(ErrorCode.MessageRejected, why, {}),
  messageNotFound: (groupId: string, messageId: string) =>
    new RpcError(ErrorCode.MessageNotFound, `No message '${messageId}' in group '${groupId}'.`, { groupId, messageId }),
  unavailable: (what: string, retryAfterMs = 1000) =>
    new RpcError(ErrorCode.Unavailable, `The ${what} is unreachable right now; retry in ${retryAfterMs} ms.`, { retryAfterMs }),
};

/**
 * How long to wait before sending a refused request again, or null when
 * waiting will not help soon: a rate refusal (`rate`, `user_rate`, or a 4029
 * without a limit) clears within moments, while `groups_per_connection` and
 * `group_create` need the caller to change something (leave a group, wait an
 * hour) and are surfaced at once.
 */
export function retryDelayMs(err: RpcError): number | null {
  if (err.code !== ErrorCode.RateLimited) return null;
  const limit = err.data.limit;
  if (limit !== undefined && limit !== 'rate' && limit !== 'user_rate') return null;
  const wait = err.data.retryAfterMs;
  return typeof wait === 'number' && wait >= 0 ? wait : 1000;
}
