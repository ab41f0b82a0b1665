/**
 * One frame in, at most one response out. Decoding, request-shape checks,
 * rate limiting, param validation and routing live here; client input never
 * throws past this module, and a bad frame never closes the connection.
 */
import { TextDecoder } from 'node:util';
import {
  CloseCode,
  ErrorCode,
  errors,
  isMethodName,
  parseParams,
  RpcError,
  type MethodName,
  type RpcId,
} from '@next-chat/core';
import { EncodedResult } from '../hub/encoded-result.js';
import type { CallContext, Hub, MethodHandler } from '../hub/hub.js';
import type { Peer } from '../hub/peer.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Admission } from './rate-limit.js';
import type { ThrottledLog } from '../observability/throttled-log.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface RpcPeer extends Peer {
  /** Whether the next frame may be handled (rate limits of the connection and its user). */
  admit(): Admission;
  /** Around every admitted frame: the peer stops reading while too many are in flight. */
  requestStarted(): void;
  requestFinished(): void;
}

function isRpcId(v: unknown): v is RpcId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

export function encodeResult(id: RpcId, result: unknown): string {
  if (result instanceof EncodedResult) return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result.json}}`;
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function encodeError(id: RpcId, err: RpcError): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: err.toJSON() });
}

export class Dispatcher {
  constructor(
    private readonly hub: Hub,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly limitLog: ThrottledLog,
  ) {}

  /**
   * Handles one WebSocket message. Never rejects. The frame is counted
   * before anything else, so a flood of garbage is limited like one of
   * requests, and a connection that keeps flooding while refused is closed.
   */
  async handle(peer: RpcPeer, data: Buffer, isBinary: boolean): Promise<void> {
    // ws still emits what it had read when a close began; nobody would get the answers.
    if (peer.closed) return;
    const admission = peer.admit();
    if (!admission.ok) return this.refuse(peer, data, isBinary, admission);
    peer.requestStarted();
    try {
      await this.handleAdmitted(peer, data, isBinary);
    } finally {
      peer.requestFinished();
    }
  }

  private refuse(peer: RpcPeer, data: Buffer, isBinary: boolean, a: Exclude<Admission, { ok: true }>): void {
    this.metrics.limited.inc({ limit: a.limit });
    if (a.flooding) {
      this.metrics.limited.inc({ limit: 'flood' });
      peer.close(CloseCode.PolicyViolation, 'too many requests: far over the rate limit', 'flood');
      return;
    }
    const target = requestId(data, isBinary);
    if (target.respond && !peer.closed) peer.send(encodeError(target.id, errors.rateLimited(a.retryAfterMs, a.limit)));
  }

  private async handleAdmitted(peer: RpcPeer, data: Buffer, isBinary: boolean): Promise<void> {
    let id: RpcId = null;
    let respond = true;
    let method = '-';
    try {
      if (isBinary) throw errors.invalidRequest('binary frames are not accepted; send JSON as a text frame');
      let text: string;
      try {
        text = utf8.decode(data);
      } catch {
        throw errors.parse('the frame is not valid UTF-8');
      }
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch (e) {
        throw errors.parse((e as Error).message);
      }
      if (Array.isArray(msg)) throw errors.invalidRequest('batches (JSON arrays) are not supported; send one request per frame');
      if (msg === null || typeof msg !== 'object') throw errors.invalidRequest('the frame must be a JSON object');
      const req = msg as Record<string, unknown>;
      if ('id' in req) {
        if (!isRpcId(req.id)) throw errors.invalidRequest("'id' must be a string, a number or null");
        id = req.id;
      }
      if (req.jsonrpc !== '2.0') throw errors.invalidRequest("'jsonrpc' must be \"2.0\"");
      if (typeof req.method !== 'string') throw errors.invalidRequest("'method' must be a string");
      // JSON-RPC 2.0: params must be structured. An array is a well-formed
      // request whose params this hub cannot take (-32602, from parseParams);
      // a string or a number is not a request at all (-32600).
      if ('params' in req && (req.params === null || typeof req.params !== 'object')) {
        throw errors.invalidRequest("'params' must be an object");
      }
      // A well-formed request without an id is a JSON-RPC notification:
      // carried out, never answered.
      respond = 'id' in req;
      if (!isMethodName(req.method)) throw errors.methodNotFound(req.method.slice(0, 100));
      method = req.method;
      const params = parseParams(req.method, req.params);
      let after: (() => void) | undefined;
      const ctx: CallContext = { peer, afterReply: (fn) => (after = fn) };
      const handler = this.hub.methods[req.method] as MethodHandler<MethodName>;
      const result = await handler(ctx, params);
      this.metrics.requests.inc({ method, outcome: 'ok' });
      if (respond && !peer.closed) peer.send(encodeResult(id, result));
      after?.();
    } catch (err) {
      const rpcErr = err instanceof RpcError ? err : errors.internal();
      if (!(err instanceof RpcError)) this.log.error({ err, method, user: peer.userId }, 'method failed');
      else if (rpcErr.code === ErrorCode.Unavailable) this.limitLog.write('warn', 'unavailable', { method, error: rpcErr.message }, 'request refused with 4503: a backend is unreachable');
      this.metrics.requests.inc({ method, outcome: rpcErr.data.reason });
      if (respond && !peer.closed) peer.send(encodeError(id, rpcErr));
    }
  }
}

/**
 * The id to answer a refused frame with, read without trusting the frame:
 * `respond` is false for a well-formed notification (never answered).
 */
function requestId(data: Buffer, isBinary: boolean): { id: RpcId; respond: boolean } {
  if (isBinary) return { id: null, respond: true };
  let msg: unknown;
  try {
    msg = JSON.parse(utf8.decode(data));
  } catch {
    return { id: null, respond: true };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { id: null, respond: true };
  const req = msg as Record<string, unknown>;
  if (!('id' in req)) return { id: null, respond: !(req.jsonrpc === '2.0' && typeof req.method === 'string') };
  return { id: isRpcId(req.id) ? req.id : null, respond: true };
}
