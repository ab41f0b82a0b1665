/**
 * The network face of a hub, put together: the HTTP server of the public
 * port (routes.ts with the web app, web-app.ts, and the upgrade at
 * /next-chat, upgrade.ts), the metrics
 * port when it has its own (NEXT_CHAT_METRICS_PORT), the open connections
 * (registry.ts), their heartbeat, and the SIGTERM drain.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '@next-chat/core';
import type { Config } from '../config.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ThrottledLog } from '../observability/throttled-log.js';
import type { Dispatcher } from '../rpc/dispatch.js';
import type { Authenticator, Identity } from './auth.js';
import { answerAndDrain } from './http-answers.js';
import { ConnectionRegistry } from './registry.js';
import { Routes, type Readiness } from './routes.js';
import { Upgrader } from './upgrade.js';
import { WebApp } from './web-app.js';

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export class Gateway {
  private readonly http: http.Server;
  private readonly metricsHttp: http.Server | undefined;
  private readonly registry: ConnectionRegistry;
  private heartbeat: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    private readonly config: Config,
    private readonly hub: Hub,
    private readonly dispatcher: Dispatcher,
    authenticate: Authenticator,
    private readonly metrics: Metrics,
    log: Logger,
    limitLog: ThrottledLog,
  ) {
    this.registry = new ConnectionRegistry(config, metrics, limitLog);
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxFrameBytes,
      // ws emits a read's frames at once; Connection handles a few per turn
      // and holds the rest (connection.ts, FRAMES_PER_TURN).
      // Invalid UTF-8 gets a JSON-RPC parse error from the dispatcher instead
      // of ws closing the socket with 1007: a bad frame never closes it.
      skipUTF8Validation: true,
      perMessageDeflate: false,
    });
    const web = config.web === 'on' ? WebApp.load({ authMode: config.authMode, tokenUrl: config.webTokenUrl }) : undefined;
    if (web?.missing !== undefined) log.warn(web.missing);
    const routes = new Routes(metrics, log, () => this.readiness(), config.metricsPort === undefined, web);
    const upgrader = new Upgrader(wss, authenticate, this.registry, () => this.draining, metrics, log, limitLog);
    this.http = http.createServer(
      // Node checks header timeouts on this interval (30 s by default), so a
      // short handshake timeout needs a shorter interval to mean anything.
      { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.handshakeTimeoutMs / 2))) },
      (req, res) => routes.handle(req, res),
    );
    this.http.headersTimeout = config.handshakeTimeoutMs;
    this.http.requestTimeout = config.handshakeTimeoutMs;
    this.http.on('upgrade', (req, socket: Duplex, head: Buffer) => void upgrader.handle(req, socket, head, (ws, s, identity) => this.accept(ws, s, identity)));
    this.http.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.metrics.limited.inc({ limit: 'handshake_timeout' });
      if (err.code === 'HPE_HEADER_OVERFLOW') {
        this.metrics.upgradesRefused.inc({ reason: 'headers_too_large' });
        return answerAndDrain(socket, 431, 'headers_too_large', 'the request headers (a token, perhaps) are larger than this hub accepts (16 KiB)');
      }
      socket.destroy();
    });
    this.metricsHttp = config.metricsPort === undefined ? undefined : http.createServer((req, res) => routes.handleMetricsPort(req, res));
  }

  get connectionCount(): number {
    return this.registry.size;
  }

  async listen(): Promise<AddressInfo> {
    await listen(this.http, this.config.port, this.config.host);
    if (this.metricsHttp) await listen(this.metricsHttp, this.config.metricsPort as number, this.config.host);
    // Pings every connection; one that missed two pongs in a row is dropped.
    this.heartbeat = setInterval(() => {
      for (const conn of this.registry) conn.heartbeat();
    }, this.config.pingIntervalMs);
    this.heartbeat.unref();
    return this.http.address() as AddressInfo;
  }

  /** Where /metrics is served when it has a port of its own. */
  get metricsAddress(): AddressInfo | undefined {
    return (this.metricsHttp?.address() as AddressInfo | null) ?? undefined;
  }

  private readiness(): Readiness {
    if (this.draining) return 'draining';
    return this.hub.engine.broker.isReady() ? 'ready' : 'unavailable';
  }

  private accept(ws: WebSocket, socket: Duplex, identity: Identity): void {
    const conn = this.registry.add(
      ws,
      socket,
      identity.userId,
      (c, data, isBinary) => void this.dispatcher.handle(c, data, isBinary),
      (c) => this.hub.disconnected(c),
    );
    this.hub.connected(conn);
    if (identity.expiresAtMs !== undefined) conn.expireAt(identity.expiresAtMs);
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
    for (const conn of this.registry) conn.close(CloseCode.GoingAway, 'server shutting down: reconnect', 'shutdown');
    const deadline = Date.now() + Math.min(timeoutMs, 3000);
    while (this.registry.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.registry) conn.terminate();
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
