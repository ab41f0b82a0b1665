/**
 * The plain HTTP routes of the hub: /healthz, /readyz, /metrics (unless it
 * has a port of its own), the web app at / (web-app.ts, unless
 * NEXT_CHAT_WEB=off), and a sentence for everything else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_PATH } from '@next-chat/core';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { WebApp } from './web-app.js';

export type Readiness = 'ready' | 'draining' | 'unavailable';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** HEAD is GET without a body (Node leaves the body out): probes may use either. */
function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] as string;
}

export class Routes {
  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly readiness: () => Readiness,
    /** False when /metrics is served on a port of its own. */
    private readonly metricsHere: boolean,
    /** Undefined with NEXT_CHAT_WEB=off. */
    private readonly web: WebApp | undefined,
  ) {}

  /** The public port. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    if (isRead(req) && path === '/healthz') json(res, 200, { status: 'ok' });
    else if (isRead(req) && path === '/readyz') {
      const state = this.readiness();
      json(res, state === 'ready' ? 200 : 503, { status: state });
    } else if (isRead(req) && path === '/metrics' && this.metricsHere) void this.serveMetrics(res);
    else if (path === PROTOCOL_PATH) json(res, 426, { error: 'upgrade_required', message: `connect with a WebSocket to ${PROTOCOL_PATH}` }, { upgrade: 'websocket' });
    else if (this.web?.serve(req, res, path)) return;
    else json(res, 404, { error: 'not_found', message: `no such path; the WebSocket endpoint is ${PROTOCOL_PATH}` });
  }

  /** The metrics port (NEXT_CHAT_METRICS_PORT). */
  handleMetricsPort(req: IncomingMessage, res: ServerResponse): void {
    if (isRead(req) && pathOf(req) === '/metrics') void this.serveMetrics(res);
    else json(res, 404, { error: 'not_found', message: 'this port serves /metrics only' });
  }

  private async serveMetrics(res: ServerResponse): Promise<void> {
    try {
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body);
    } catch (err) {
      this.log.error({ err }, 'metrics failed');
      res.writeHead(500).end();
    }
  }
}
