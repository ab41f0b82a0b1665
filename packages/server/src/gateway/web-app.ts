/**
 * The web app on the public port (NEXT_CHAT_WEB=on, the default): the files
 * `vite build` wrote to packages/web/dist, read once at start-up, with their
 * gzip and brotli forms, served at `/`.
 *
 * - `index.html` is `no-cache` (revalidated by ETag on every load, so a new
 *   release is picked up at once) and carries the hub's settings the page
 *   needs (auth mode, token URL) in its `next-chat-config` meta tag: no
 *   extra request, no inline script.
 * - `assets/*` have content hashes in their names: `immutable`, for a year.
 * - Every answer has a strict Content-Security-Policy: scripts, styles and
 *   connections to this origin only (plus the token URL's origin), no
 *   inline code, no framing, Trusted Types required.
 *
 * The same relative place holds in the repository and in the hub image
 * (docker/Dockerfile copies packages/web/dist beside packages/server/dist).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { PROTOCOL_PATH } from '@next-chat/core';

/** Where `npm run build` puts the app, from packages/server/{src,dist}/gateway/. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** What the page learns about the hub (packages/web/src/config.ts reads it). */
export interface WebSettings {
  authMode: 'trust' | 'jwt';
  /** NEXT_CHAT_WEB_TOKEN_URL */
  tokenUrl?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt', '.ico']);

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

interface WebFile {
  type: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

/** The CSP of every answer: this origin only, and the token URL's when it is elsewhere. */
export function contentSecurityPolicy(settings: WebSettings): string {
  let connect = "'self'";
  if (settings.tokenUrl !== undefined && !settings.tokenUrl.startsWith('/')) connect += ` ${new URL(settings.tokenUrl).origin}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** index.html with the hub's settings in its config meta tag. */
export function withSettings(html: string, settings: WebSettings): string {
  const marker = /(<meta name="next-chat-config" content=")[^"]*(")/;
  if (!marker.test(html)) throw new Error('index.html has no <meta name="next-chat-config"> to carry the hub settings');
  const json = JSON.stringify({ authMode: settings.authMode, ...(settings.tokenUrl !== undefined ? { tokenUrl: settings.tokenUrl } : {}), path: PROTOCOL_PATH });
  return html.replace(marker, (_, a: string, b: string) => `${a}${escapeAttribute(json)}${b}`);
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : listFiles(path.join(dir, e.name), rel);
    return e.isFile() ? [rel] : [];
  });
}

function prepare(rel: string, body: Buffer): WebFile {
  const ext = path.extname(rel).toLowerCase();
  const file: WebFile = {
    type: TYPES[ext] ?? 'application/octet-stream',
    cacheControl: rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    identity: body,
  };
  if (COMPRESSIBLE.has(ext) && body.length >= 512) {
    file.gzip = zlib.gzipSync(body, { level: 9 });
    file.br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  }
  return file;
}

/** The encodings a request accepts (`q=0` refuses one). */
function accepts(req: IncomingMessage, encoding: string): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== encoding) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export class WebApp {
  private readonly files = new Map<string, WebFile>();
  private readonly headers: Record<string, string>;

  private constructor(
    settings: WebSettings,
    /** Why nothing is served (the app is not built), or undefined. */
    readonly missing: string | undefined,
  ) {
    this.headers = {
      'content-security-policy': contentSecurityPolicy(settings),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    };
  }

  /**
   * Reads the built app from `dir`. An app that was not built is no reason
   * to stop the hub (chat works without it): `missing` says why, `/` answers
   * 404 with that sentence, and the gateway logs it once.
   */
  static load(settings: WebSettings, dir: string = WEB_DIST_DIR): WebApp {
    const index = path.join(dir, 'index.html');
    if (!fs.existsSync(index)) return new WebApp(settings, `the web app is not built (no ${index}): run npm run build`);
    const app = new WebApp(settings, undefined);
    for (const rel of listFiles(dir)) {
      let body = fs.readFileSync(path.join(dir, rel));
      if (rel === 'index.html') body = Buffer.from(withSettings(body.toString('utf8'), settings));
      app.files.set(`/${rel}`, prepare(rel, body));
    }
    app.files.set('/', app.files.get('/index.html') as WebFile);
    return app;
  }

  /** Paths this app answers, for tests and logs. */
  get paths(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Answers `path` when it is one of the app's, GET or HEAD; false: not ours. */
  serve(req: IncomingMessage, res: ServerResponse, urlPath: string): boolean {
    if (this.missing !== undefined) {
      if (urlPath !== '/' && urlPath !== '/index.html') return false;
      res.writeHead(404, { 'content-type': 'application/json', 'cache-control': REVALIDATE }).end(JSON.stringify({ error: 'not_found', message: this.missing }));
      return true;
    }
    const file = this.files.get(urlPath);
    if (!file) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: 'method_not_allowed', message: 'the web app answers GET and HEAD only' }));
      return true;
    }
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': file.type,
      'cache-control': file.cacheControl,
      etag: file.etag,
      vary: 'Accept-Encoding',
    };
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === file.etag || t.trim() === `W/${file.etag}`)) {
      res.writeHead(304, headers).end();
      return true;
    }
    let body = file.identity;
    if (file.br && accepts(req, 'br')) {
      body = file.br;
      headers['content-encoding'] = 'br';
    } else if (file.gzip && accepts(req, 'gzip')) {
      body = file.gzip;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers).end(body);
    return true;
  }
}
