/**
 * The network face of a hub: one HTTP server for /healthz, /readyz, /metrics
 * (or a second one for /metrics alone, NEXT_CHAT_METRICS_PORT) and the
 * WebSocket upgrade at /next-chat. Owns the set of open connections, the
 * per-user slots that share limits, their heartbeat, and the SIGTERM drain.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, PROTOCOL_PATH } from '@next-chat/core';
import type { Config } from '../config.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Dispatcher } from '../rpc/dispatch.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import { FrameAdmission, RefusalMeter, TokenBucket } from '../rpc/rate-limit.js';
import { AuthError, tokenFromRequest, type Authenticator, type Identity } from './auth.js';
import { Connection, type ConnectionLimits } from './connection.js';
import { UserSlot } from './user-slot.js';

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

/** Answers a refused upgrade with a plain HTTP response and a JSON reason. */
function refuseUpgrade(socket: Duplex, status: number, error: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Answers a request the HTTP parser gave up on, then reads (and drops) what
 * the client is still sending until it closes: closing a socket with unread
 * input makes the kernel send a reset, and the client would never see the answer.
 */
function answerAndDrain(socket: Duplex, status: number, error: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  socket.on('data', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}

export class Gateway {
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly metricsHttp: http.Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly users = new Map<string, UserSlot>();
  private readonly limits: ConnectionLimits;
  private heartbeat: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    private readonly config: Config,
    private readonly hub: Hub,
    private readonly dispatcher: Dispatcher,
    private readonly authenticate: Authenticator,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly limitLog: ThrottledLog,
  ) {
    this.limits = {
      maxBufferedBytes: config.maxBufferedBytes,
      slowConsumerMs: config.slowConsumerMs,
      maxBufferedHardBytes: Math.max(config.maxBufferedHardBytes, config.maxBufferedBytes),
      maxUserBufferedBytes: config.maxUserBufferedBytes,
      maxRequestsInFlight: config.maxRequestsInFlight,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxFrameBytes,
      // One message event per socket per event-loop turn: a client that packs
      // thousands of frames into one TCP write cannot hold the loop while
      // every frame is handled; other sockets are served in between.
      allowSynchronousEvents: false,
      // Invalid UTF-8 gets a JSON-RPC parse error from the dispatcher instead
      // of ws closing the socket with 1007: a bad frame never closes it.
      skipUTF8Validation: true,
      perMessageDeflate: false,
    });
    this.http = http.createServer(
      // Node checks header timeouts on this interval (30 s by default), so a
      // short handshake timeout needs a shorter interval to mean anything.
      { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.handshakeTimeoutMs / 2))) },
      (req, res) => void this.onRequest(req, res),
    );
    this.http.headersTimeout = config.handshakeTimeoutMs;
    this.http.requestTimeout = config.handshakeTimeoutMs;
    this.http.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
    this.http.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.metrics.limited.inc({ limit: 'handshake_timeout' });
      if (err.code === 'HPE_HEADER_OVERFLOW') {
        this.metrics.upgradesRefused.inc({ reason: 'headers_too_large' });
        return answerAndDrain(socket, 431, 'headers_too_large', 'the request headers (a token, perhaps) are larger than this hub accepts (16 KiB)');
      }
      socket.destroy();
    });
    this.metricsHttp =
      config.metricsPort === undefined
        ? undefined
        : http.createServer((req, res) => {
            const path = (req.url ?? '/').split('?')[0];
            if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') void this.serveMetrics(req, res);
            else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'this port serves /metrics only' }));
          });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    if (this.metricsHttp) {
      const server = this.metricsHttp;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.config.metricsPort, this.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
    this.heartbeat = setInterval(() => this.beat(), this.config.pingIntervalMs);
    this.heartbeat.unref();
    return this.http.address() as AddressInfo;
  }

  /** Where /metrics is served when it has a port of its own. */
  get metricsAddress(): AddressInfo | undefined {
    return (this.metricsHttp?.address() as AddressInfo | null) ?? undefined;
  }

  private ready(): boolean {
    return !this.draining && this.hub.engine.broker.isReady();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    // HEAD is GET without a body (Node leaves the body out): probes may use either.
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (read && path === '/readyz') {
      const ok = this.ready();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ready' : this.draining ? 'draining' : 'unavailable' }));
    } else if (read && path === '/metrics' && !this.metricsHttp) {
      await this.serveMetrics(req, res);
    } else if (path === PROTOCOL_PATH) {
      res
        .writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' })
        .end(JSON.stringify({ error: 'upgrade_required', message: `connect with a WebSocket to ${PROTOCOL_PATH}` }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: `no such path; the WebSocket endpoint is ${PROTOCOL_PATH}` }));
    }
  }

  private async serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body);
    } catch (err) {
      this.log.error({ err }, 'metrics failed');
      res.writeHead(500).end();
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PROTOCOL_PATH) {
      this.metrics.upgradesRefused.inc({ reason: 'not_found' });
      return refuseUpgrade(socket, 404, 'not_found', `no WebSocket endpoint here; connect to ${PROTOCOL_PATH}`);
    }
    if (this.draining) {
      this.metrics.upgradesRefused.inc({ reason: 'draining' });
      return refuseUpgrade(socket, 503, 'draining', 'this instance is shutting down; connect again (to another instance)');
    }
    let identity: Identity;
    try {
      identity = await this.authenticate(tokenFromRequest(req, url));
    } catch (err) {
      this.metrics.upgradesRefused.inc({ reason: 'unauthorized' });
      const message = err instanceof AuthError ? err.message : 'authentication failed';
      if (!(err instanceof AuthError)) this.log.warn({ err }, 'authentication error');
      return refuseUpgrade(socket, 401, 'unauthorized', message);
    }
    const max = this.config.maxConnectionsPerUser;
    if (max > 0 && (this.users.get(identity.userId)?.connections.size ?? 0) >= max) {
      this.metrics.upgradesRefused.inc({ reason: 'too_many_connections' });
      this.metrics.limited.inc({ limit: 'connections_per_user' });
      this.limitLog.write('warn', 'too_many_connections', { user: identity.userId, max }, 'upgrade refused with 429: the user has the most connections allowed on this instance');
      return refuseUpgrade(socket, 429, 'too_many_connections', `user '${identity.userId}' already has ${max} connections open on this instance; close one first`);
    }
    if (this.draining || socket.destroyed) return refuseUpgrade(socket, 503, 'draining', 'this instance is shutting down; connect again');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, socket, identity));
  }

  private userSlot(userId: string): UserSlot {
    let slot = this.users.get(userId);
    if (!slot) {
      const rate = this.config.userRateLimit;
      slot = new UserSlot(userId, rate > 0 ? new TokenBucket(rate, rate * 2) : undefined);
      this.users.set(userId, slot);
    }
    return slot;
  }

  private admission(user: UserSlot): FrameAdmission {
    const rate = this.config.rateLimit;
    // Refusals are tolerated for `rateLimitCloseAfterSeconds` worth of the
    // rate (500 frames at the defaults) before the connection counts as flooding.
    const meterRate = rate > 0 ? rate : this.config.userRateLimit;
    return new FrameAdmission(
      rate > 0 ? new TokenBucket(rate, rate * 2) : undefined,
      user.limiter,
      meterRate > 0 ? new RefusalMeter(meterRate, meterRate * this.config.rateLimitCloseAfterSeconds) : undefined,
    );
  }

  private onConnection(ws: WebSocket, socket: Duplex, identity: Identity): void {
    const user = this.userSlot(identity.userId);
    const conn = new Connection(ws, socket, user, this.admission(user), this.limits, this.metrics, this.limitLog, (c, data, isBinary) => void this.dispatcher.handle(c, data, isBinary));
    this.connections.add(conn);
    user.connections.add(conn);
    this.metrics.connections.set(this.connections.size);
    this.metrics.connectionsTotal.inc();
    this.hub.connected(conn);
    if (identity.expiresAtMs !== undefined) conn.expireAt(identity.expiresAtMs);

    ws.on('pong', () => (conn.missedPongs = 0));
    ws.on('error', (err) => {
      // ws closes the socket itself (1009 for an oversized frame); count it.
      const code = (err as Error & { code?: string }).code;
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.metrics.limited.inc({ limit: 'frame_size' });
      this.log.debug({ err, user: conn.userId }, 'socket error');
    });
    ws.on('close', () => {
      conn.dispose();
      this.connections.delete(conn);
      user.connections.delete(conn);
      if (user.connections.size === 0) this.users.delete(user.userId);
      this.metrics.connections.set(this.connections.size);
      this.hub.disconnected(conn);
    });
  }

  /** Pings every connection; one that missed two pongs in a row is dropped. */
  private beat(): void {
    for (const conn of this.connections) {
      if (conn.missedPongs >= 2) {
        this.metrics.closes.inc({ code: '1006', reason: 'missed_pongs' });
        conn.ws.terminate();
        continue;
      }
      conn.missedPongs++;
      conn.ws.ping();
    }
  }

  /**
   * Stops accepting (upgrades and /readyz answer 503, so load balancers and
   * reconnecting clients move on), tells every client to reconnect elsewhere
   * (1001), and waits, bounded, for the sockets to close. The listener stays
   * open until `close()`, so nothing arriving meanwhile meets a refused port.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const conn of this.connections) conn.close(CloseCode.GoingAway, 'server shutting down: reconnect', 'shutdown');
    const deadline = Date.now() + Math.min(timeoutMs, 3000);
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.connections) conn.ws.terminate();
  }

  /** Closes the listeners and any HTTP connection left. */
  async close(): Promise<void> {
    const servers = [this.http, ...(this.metricsHttp ? [this.metricsHttp] : [])];
    await Promise.all(
      servers.map((server) => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        return closed;
      }),
    );
  }
}
