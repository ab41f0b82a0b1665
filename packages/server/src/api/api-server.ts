/**
 * The HTTP API's server (docs/api.md), on a port of its own
 * (NEXT_CHAT_API_PORT) so the public Service can never expose it by
 * accident. Each request: match a route, check the API key, read and
 * validate the JSON body and the query with the route's schemas, run it,
 * answer JSON. Client input never throws past this module.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, parseObject } from '@next-chat/core';
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ApiKeys } from './api-keys.js';
import { httpErrors, toHttpError } from './http-errors.js';
import { API_BASE, openApiDocument } from './openapi.js';
import { segments, type Route } from './route.js';

const MAX_BODY_BYTES = 1024 * 1024;
const DOCUMENT_PATH = '/openapi.json';

interface Matched {
  route: Route;
  params: Record<string, string>;
  /** The route's query keys read as numbers. */
  numeric: Set<string>;
}

/** Query keys whose schema is a number: their text is read as one before validation (a cursor stays text). */
function numericKeys(o: z.ZodObject<z.ZodRawShape> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(o?.shape ?? {})) {
    let inner = v as z.ZodType;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodNumber) keys.add(k);
  }
  return keys;
}

export class ApiServer {
  private readonly server: http.Server;
  private readonly keys: ApiKeys;
  private readonly table: { route: Route; parts: ReturnType<typeof segments>; numeric: Set<string> }[];
  private readonly document: string;

  constructor(
    routes: readonly Route[],
    keys: readonly string[],
    private readonly metrics: Metrics,
    private readonly log: Logger,
    version: string,
  ) {
    this.keys = new ApiKeys(keys);
    this.table = routes.map((route) => ({ route, parts: segments(route.path), numeric: numericKeys(route.query) }));
    this.document = JSON.stringify(openApiDocument(routes, version));
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const t0 = performance.now();
    let label = 'unmatched';
    let status = 500;
    try {
      const url = new URL(req.url ?? '/', 'http://api');
      if (url.pathname === API_BASE + DOCUMENT_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        label = DOCUMENT_PATH;
        status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' }).end(this.document);
        return;
      }
      const m = this.match(req.method ?? 'GET', url.pathname);
      label = m.route.path;
      const auth = this.keys.check(req.headers.authorization);
      if (auth !== 'ok') {
        throw httpErrors.unauthorized(auth === 'missing' ? 'No API key' : auth === 'malformed' ? "The Authorization header is not 'Bearer <key>'" : 'That API key is not valid here');
      }
      const params = parseObject(m.route.params ?? z.object({}), m.params, 'path');
      const query = parseObject(m.route.query ?? z.object({}), this.query(url, m.numeric), 'query');
      const body = m.route.body ? parseObject(m.route.body, await this.body(req), 'body') : {};
      const answer = await m.route.handle({ params, query, body });
      status = answer.status ?? m.route.status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    } catch (err) {
      const e = toHttpError(err);
      if (!e) this.log.error({ err, route: label }, 'API request failed');
      const out = e ?? httpErrors.internal();
      status = out.status;
      if (!res.headersSent) res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(JSON.stringify(out.body()));
      else res.destroy();
    } finally {
      this.metrics.apiRequests.inc({ route: label, method: req.method ?? '-', status: String(status) });
      this.metrics.apiDuration.observe({ route: label }, (performance.now() - t0) / 1000);
    }
  }

  private match(method: string, pathname: string): Matched {
    if (!pathname.startsWith(`${API_BASE}/`)) throw httpErrors.notFound(pathname);
    let parts: string[];
    try {
      parts = pathname.slice(API_BASE.length).split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      throw httpErrors.notFound(pathname);
    }
    const allowed: string[] = [];
    for (const t of this.table) {
      if (t.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      if (!t.parts.every((s, i) => (s.param !== null ? ((params[s.param] = parts[i]!), true) : s.literal === parts[i]))) continue;
      if (t.route.method === method) return { route: t.route, params, numeric: t.numeric };
      allowed.push(t.route.method);
    }
    if (allowed.length > 0) throw httpErrors.methodNotAllowed(allowed);
    throw httpErrors.notFound(pathname);
  }

  private query(url: URL, numeric: Set<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      if (all.length > 1) throw errors.invalidParams(key, 'is given more than once');
      const v = all[0]!;
      out[key] = numeric.has(key) && /^-?\d{1,15}$/.test(v) ? Number(v) : v;
    }
    return out;
  }

  /** The JSON body, at most MAX_BODY_BYTES; an empty body is `{}`. */
  private async body(req: http.IncomingMessage): Promise<unknown> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) throw httpErrors.tooLarge(MAX_BODY_BYTES);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw httpErrors.tooLarge(MAX_BODY_BYTES);
      chunks.push(chunk);
    }
    if (size === 0) return {};
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) throw httpErrors.unsupportedType();
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch (e) {
      throw errors.parse((e as Error).message);
    }
  }
}

