/**
 * How the hub serves the web app, over plain HTTP: index.html no-cache with
 * the hub's settings in it, hashed assets immutable and compressed, a
 * strict Content-Security-Policy on every answer, conditional requests,
 * NEXT_CHAT_WEB=off, and the initial JavaScript within its budget, measured
 * again from the build output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_JS_BUDGET_BYTES, initialScripts } from '../../../packages/web/build/initial-load.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';

const DIST = fileURLToPath(new URL('../../../packages/web/dist/', import.meta.url));

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { headers, method });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

/** Node's fetch decodes bodies itself; this asks for the raw bytes of one encoding. */
async function getRaw(url: string, encoding: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the web app as the hub serves it', () => {
  let hub: HubProcess;
  let asset: string;
  beforeAll(async () => {
    hub = await startHub();
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    asset = initialScripts(html)[0];
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('answers / with index.html: no-cache, a strict CSP, the hub settings in a meta tag', async () => {
    const r = await get(`${hub.httpUrl}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const csp = r.headers.get('content-security-policy') ?? '';
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "require-trusted-types-for 'script'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = r.body.toString('utf8');
    expect(html).toContain('<meta name="next-chat-config" content="{&quot;authMode&quot;:&quot;trust&quot;,&quot;path&quot;:&quot;/next-chat&quot;}" />');
    // No inline script or style for the CSP to allow.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style="/);
  });

  it('serves hashed assets immutable, compressed, with the same CSP; revalidates by ETag', async () => {
    expect(asset).toMatch(/^assets\/index-[A-Za-z0-9_-]+\.js$/);
    const plain = await get(`${hub.httpUrl}/${asset}`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(plain.body.equals(fs.readFileSync(path.join(DIST, asset)))).toBe(true);
    const br = await getRaw(`${hub.httpUrl}/${asset}`, 'br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await getRaw(`${hub.httpUrl}/${asset}`, 'gzip;q=1, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const again = await get(`${hub.httpUrl}/${asset}`, { 'if-none-match': plain.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(`${hub.httpUrl}/`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
  });

  it('leaves the other routes as they were', async () => {
    expect((await get(`${hub.httpUrl}/healthz`)).status).toBe(200);
    expect((await get(`${hub.httpUrl}/nope`)).status).toBe(404);
    expect((await get(`${hub.httpUrl}/next-chat`)).status).toBe(426);
    const post = await fetch(`${hub.httpUrl}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('settings', () => {
  it('NEXT_CHAT_WEB=off: / is 404, the WebSocket endpoint and probes stay', async () => {
    const hub = await startHub({ NEXT_CHAT_WEB: 'off' });
    try {
      const r = await get(`${hub.httpUrl}/`);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body.toString())).toMatchObject({ error: 'not_found' });
      expect((await get(`${hub.httpUrl}/index.html`)).status).toBe(404);
      expect((await get(`${hub.httpUrl}/healthz`)).status).toBe(200);
      expect((await get(`${hub.httpUrl}/next-chat`)).status).toBe(426);
    } finally {
      await hub.stop();
    }
  });

  it('jwt mode with a token URL elsewhere: the page learns both, and the CSP lets it reach that origin only', async () => {
    const hub = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: 'x'.repeat(32), NEXT_CHAT_WEB_TOKEN_URL: 'https://login.example.com/chat/token' });
    try {
      const r = await get(`${hub.httpUrl}/`);
      const meta = /<meta name="next-chat-config" content="([^"]*)"/.exec(r.body.toString())![1].replace(/&quot;/g, '"');
      expect(JSON.parse(meta)).toEqual({ authMode: 'jwt', tokenUrl: 'https://login.example.com/chat/token', path: '/next-chat' });
      expect(r.headers.get('content-security-policy')).toContain("connect-src 'self' https://login.example.com;");
    } finally {
      await hub.stop();
    }
  });
});

describe('the initial JavaScript', () => {
  it(`is at most ${INITIAL_JS_BUDGET_BYTES / 1000} KB gzipped, measured from the build output`, () => {
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const gz = scripts.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length, 0);
    // The figure `vite build` prints, for the record in the test output.
    console.log(`web: initial JavaScript ${(gz / 1000).toFixed(1)} KB gzipped (${scripts.join(', ')})`);
    expect(gz).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // Nothing for Node came along: the SDK's `ws` import is aliased away.
    const js = scripts.map((f) => fs.readFileSync(path.join(DIST, f), 'utf8')).join('\n');
    expect(js).not.toMatch(/permessage-deflate|node:crypto|require\("ws"\)/);
  });
});
