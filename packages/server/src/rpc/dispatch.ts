/**
 * One frame in, at most one response out. Decoding, request-shape checks,
 * rate limiting, param validation and routing live here; client input never
 * throws past this module, and a bad frame never closes the connection.
 */
import { TextDecoder } from 'node:util';
import {
  errors,
  isMethodName,
  parseParams,
  RpcError,
  type MethodName,
  type RpcId,
} from '@next-chat/core';
import type { CallContext, Hub, MethodHandler } from '../hub/hub.js';
import type { Peer } from '../hub/peer.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { TokenBucket } from './rate-limit.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface RpcPeer extends Peer {
  /** Absent when rate limiting is off. */
  readonly limiter: TokenBucket | undefined;
}

function isRpcId(v: unknown): v is RpcId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

export function encodeResult(id: RpcId, result: unknown): string {
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
  ) {}

  /** Handles one WebSocket message. Never rejects. */
  async handle(peer: RpcPeer, data: Buffer, isBinary: boolean): Promise<void> {
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
      // Counted before the shape checks, so malformed floods are limited too.
      if (peer.limiter) {
        const wait = peer.limiter.take();
        if (wait > 0) {
          this.metrics.limited.inc({ limit: 'rate' });
          throw errors.rateLimited(wait);
        }
      }
      if (req.jsonrpc !== '2.0') throw errors.invalidRequest("'jsonrpc' must be \"2.0\"");
      if (typeof req.method !== 'string') throw errors.invalidRequest("'method' must be a string");
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
      this.metrics.requests.inc({ method, outcome: rpcErr.data.reason });
      if (respond && !peer.closed) peer.send(encodeError(id, rpcErr));
    }
  }
}
