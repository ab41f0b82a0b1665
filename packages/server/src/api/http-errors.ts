/**
 * The HTTP API's errors (docs/api.md): `{"error": reason, "message":
 * sentence, ...details}` with the WebSocket protocol's reasons, and the one
 * table from protocol error codes to HTTP statuses.
 */
import { ErrorCode, RpcError } from '@next-chat/core';

const STATUS: Partial<Record<number, number>> = {
  [ErrorCode.ParseError]: 400,
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.InvalidParams]: 400,
  [ErrorCode.NotAMember]: 409,
  [ErrorCode.GroupNotFound]: 404,
  [ErrorCode.GroupExists]: 409,
  [ErrorCode.GroupFull]: 409,
  [ErrorCode.InvitationRequired]: 403,
  [ErrorCode.MessageRejected]: 422,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Banned]: 403,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.OwnerCannotLeave]: 409,
  [ErrorCode.MessageNotFound]: 404,
  [ErrorCode.Unavailable]: 503,
};

/** An answer that is not the route's result. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): Record<string, unknown> {
    return { error: this.reason, message: this.message, ...this.details };
  }

  static from(err: RpcError): HttpError {
    const { reason, ...details } = err.data;
    const headers: Record<string, string> = {};
    if (typeof details.retryAfterMs === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(details.retryAfterMs / 1000)));
    return new HttpError(STATUS[err.code] ?? 500, reason, err.message, details, headers);
  }
}

export const httpErrors = {
  unauthorized: (why: string) =>
    new HttpError(401, 'unauthorized', `${why}; send an API key of NEXT_CHAT_API_KEYS as 'Authorization: Bearer <key>'.`, {}, { 'www-authenticate': 'Bearer realm="next-chat-api"' }),
  notFound: (path: string) => new HttpError(404, 'not_found', `No route ${path.slice(0, 200)}; GET /api/v1/openapi.json lists them.`),
  deadLetterNotFound: (id: string) => new HttpError(404, 'not_found', `No dead letter '${id.slice(0, 200)}'; it may have been replayed already.`),
  methodNotAllowed: (allowed: string[]) =>
    new HttpError(405, 'method_not_allowed', `This path takes ${allowed.join(', ')}.`, {}, { allow: allowed.join(', ') }),
  tooLarge: (max: number) => new HttpError(413, 'payload_too_large', `The request body is over ${max} bytes.`),
  unsupportedType: () => new HttpError(415, 'unsupported_media_type', "Send the body as JSON with 'Content-Type: application/json'."),
  internal: () => HttpError.from(new RpcError(ErrorCode.InternalError, 'Internal error in the hub; it has been logged. Retry later or report it.')),
};

export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof RpcError) return HttpError.from(err);
  return undefined;
}
