/**
 * Errors of the SDK itself. Protocol errors (a JSON-RPC error response) are
 * `RpcError` from `@next-chat/core`; these are the ones that happen around it.
 */

/** Base class of the SDK's own errors. */
export class ClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request was made while there is no open connection. */
export class NotConnectedError extends ClientError {
  constructor(method: string) {
    super(`Cannot call ${method}: not connected to the hub.`);
  }
}

/** The connection closed while a request was waiting for its response. */
export class ConnectionClosedError extends ClientError {
  readonly code: number;
  readonly reason: string;
  constructor(method: string, code: number, reason: string) {
    super(
      `The connection closed (code ${code}${reason ? `: ${reason}` : ''}) before ${method} got a response; ` +
        'it may or may not have been applied.',
    );
    this.code = code;
    this.reason = reason;
  }
}

/** No response within the request timeout. */
export class RequestTimeoutError extends ClientError {
  readonly method: string;
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number) {
    super(`${method} got no response within ${timeoutMs} ms.`);
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The WebSocket could not be opened: the hub is unreachable (`cause` holds the
 * network error, e.g. ECONNREFUSED) or refused the upgrade (`status` holds the
 * HTTP status; 401 means the identity was missing or wrong).
 */
export class ConnectError extends ClientError {
  readonly url: string;
  /** HTTP status of a refused upgrade, when the platform exposes it (Node). */
  readonly status: number | undefined;
  /** Body of a refused upgrade, e.g. `{"error":"unauthorized","message":"..."}`. */
  readonly body: string | undefined;
  /** Network error code such as `ECONNREFUSED`, when known. */
  readonly errno: string | undefined;

  constructor(url: string, detail: { status?: number; body?: string; errno?: string; cause?: unknown; message?: string }) {
    super(detail.message ?? describeConnectFailure(url, detail), { cause: detail.cause });
    this.url = url;
    this.status = detail.status;
    this.body = detail.body;
    this.errno = detail.errno;
  }

  /** True when retrying the same request cannot help (bad identity, wrong path). */
  get fatal(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

function describeConnectFailure(url: string, d: { status?: number; body?: string; errno?: string }): string {
  if (d.status !== undefined) {
    let why = '';
    if (d.body) {
      try {
        const parsed = JSON.parse(d.body) as { message?: unknown };
        if (typeof parsed.message === 'string') why = `: ${parsed.message}`;
      } catch {
        // Not JSON: the status says enough.
      }
    }
    return `The hub at ${url} refused the connection with HTTP ${d.status}${why}`;
  }
  if (d.errno) return `Cannot reach the hub at ${url} (${d.errno}).`;
  return `Cannot connect to the hub at ${url}.`;
}

/**
 * After a reconnect, a joined group could not be re-joined or its missed
 * messages could not be fetched. `cause` is the underlying error (often an
 * `RpcError`, e.g. 4004 when the hub lost the group).
 */
export class ResumeError extends ClientError {
  readonly groupId: string;
  constructor(groupId: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`Could not resume group '${groupId}' after reconnecting: ${why}`, { cause });
    this.groupId = groupId;
  }
}

/**
 * The connection is gone for good: the hub closed it by policy (1008, e.g.
 * `token expired`, `slow consumer`), reconnect is disabled, or reconnecting
 * used up `maxAttempts`.
 */
export class ConnectionLostError extends ClientError {
  readonly code: number;
  readonly reason: string;
  readonly why: 'policy' | 'no-reconnect' | 'gave-up';
  constructor(code: number, reason: string, why: 'policy' | 'no-reconnect' | 'gave-up') {
    const detail = reason ? `: ${reason}` : '';
    super(
      why === 'policy'
        ? `The hub closed the connection by policy (1008${detail}); not reconnecting.`
        : why === 'no-reconnect'
          ? `The connection closed (code ${code}${detail}); reconnect is off.`
          : `The connection closed (code ${code}${detail}) and reconnecting gave up.`,
    );
    this.code = code;
    this.reason = reason;
    this.why = why;
  }
}
