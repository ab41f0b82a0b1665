/**
 * Who may become a WebSocket: the path, the instance not draining, the
 * identity (auth.ts), the per-user connection cap. Runs in the HTTP
 * `upgrade` event, before the socket is a WebSocket (as ws recommends); a
 * refusal is an HTTP answer with a JSON reason.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_PATH } from '@next-chat/core';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import { AuthError, tokenFromRequest, type Authenticator, type Identity } from './auth.js';
import { refuseUpgrade } from './http-answers.js';
import type { ConnectionRegistry } from './registry.js';

export type Accept = (ws: WebSocket, socket: Duplex, identity: Identity) => void;

export class Upgrader {
  constructor(
    private readonly wss: WebSocketServer,
    private readonly authenticate: Authenticator,
    private readonly registry: ConnectionRegistry,
    private readonly draining: () => boolean,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly limitLog: ThrottledLog,
  ) {}

  async handle(req: IncomingMessage, socket: Duplex, head: Buffer, accept: Accept): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PROTOCOL_PATH) return this.refuse(socket, 404, 'not_found', `no WebSocket endpoint here; connect to ${PROTOCOL_PATH}`);
    if (this.draining()) return this.refuse(socket, 503, 'draining', 'this instance is shutting down; connect again (to another instance)');
    let identity: Identity;
    try {
      identity = await this.authenticate(tokenFromRequest(req, url));
    } catch (err) {
      if (!(err instanceof AuthError)) this.log.warn({ err }, 'authentication error');
      return this.refuse(socket, 401, 'unauthorized', err instanceof AuthError ? err.message : 'authentication failed');
    }
    const max = this.registry.refusal(identity.userId);
    if (max !== null) {
      this.metrics.limited.inc({ limit: 'connections_per_user' });
      this.limitLog.write('warn', 'too_many_connections', { user: identity.userId, max }, 'upgrade refused with 429: the user has the most connections allowed on this instance');
      return this.refuse(socket, 429, 'too_many_connections', `user '${identity.userId}' already has ${max} connections open on this instance; close one first`);
    }
    // Authentication took a while: the instance may have begun draining, or the client gone.
    if (this.draining() || socket.destroyed) return this.refuse(socket, 503, 'draining', 'this instance is shutting down; connect again');
    this.wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, identity));
  }

  private refuse(socket: Duplex, status: number, error: string, message: string): void {
    this.metrics.upgradesRefused.inc({ reason: error });
    refuseUpgrade(socket, status, error, message);
  }
}
