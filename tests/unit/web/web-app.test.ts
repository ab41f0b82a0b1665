/**
 * The hub's side of the web app (packages/server/src/gateway/web-app.ts):
 * the built files read once, index.html carrying the hub's settings, the
 * CSP, and a hub whose app is not built.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../packages/server/src/config.js';
import { contentSecurityPolicy, WebApp, withSettings } from '../../../packages/server/src/gateway/web-app.js';

const INDEX = '<!doctype html><head><meta name="next-chat-config" content="{}" /><script type="module" src="/assets/index-abc.js"></script></head>';

function serve(app: WebApp): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (!app.serve(req, res, (req.url ?? '/').split('?')[0])) res.writeHead(404).end('not ours');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

describe('WebApp', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir, 'assets/index-abc.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the built files, / as index.html with the settings, and nothing else', async () => {
    const app = WebApp.load({ authMode: 'jwt', tokenUrl: '/auth/token' }, dir);
    expect(app.missing).toBeUndefined();
    expect(app.paths).toEqual(['/', '/assets/index-abc.js', '/favicon.svg', '/index.html']);
    const s = await serve(app);
    try {
      const index = await fetch(`${s.url}/`);
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(await index.text()).toContain('content="{&quot;authMode&quot;:&quot;jwt&quot;,&quot;tokenUrl&quot;:&quot;/auth/token&quot;,&quot;path&quot;:&quot;/next-chat&quot;}"');
      const icon = await fetch(`${s.url}/favicon.svg`);
      expect(icon.headers.get('cache-control')).toBe('no-cache');
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      const js = await fetch(`${s.url}/assets/index-abc.js`);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${s.url}/assets/other.js`)).status).toBe(404);
      expect((await fetch(`${s.url}/../index.html`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a hub whose app is not built answers / with a sentence and starts all the same', async () => {
    const app = WebApp.load({ authMode: 'trust' }, path.join(dir, 'nope'));
    expect(app.missing).toMatch(/the web app is not built .*run npm run build/);
    const s = await serve(app);
    try {
      const r = await fetch(`${s.url}/`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { message: string }).message).toBe(app.missing);
      expect(await (await fetch(`${s.url}/other`)).text()).toBe('not ours');
    } finally {
      await s.close();
    }
  });

  it('the CSP names the token URL origin only when it is elsewhere', () => {
    expect(contentSecurityPolicy({ authMode: 'trust' })).toContain("connect-src 'self';");
    expect(contentSecurityPolicy({ authMode: 'jwt', tokenUrl: '/t' })).toContain("connect-src 'self';");
    expect(contentSecurityPolicy({ authMode: 'jwt', tokenUrl: 'https://sso.example.com:8443/t?x=1' })).toContain("connect-src 'self' https://sso.example.com:8443;");
  });

  it('escapes what it writes into the page', () => {
    const html = withSettings(INDEX, { authMode: 'jwt', tokenUrl: 'https://x.example/"><script>' });
    expect(html).not.toContain('"><script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(() => withSettings('<html></html>', { authMode: 'trust' })).toThrow(/next-chat-config/);
  });
});

describe('NEXT_CHAT_WEB and NEXT_CHAT_WEB_TOKEN_URL', () => {
  const jwt = { NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: 's'.repeat(32) };
  const problem = (env: Record<string, string>) => {
    try {
      parseConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  it('serve the app by default, and take on/off', () => {
    expect(parseConfig({}).web).toBe('on');
    expect(parseConfig({ NEXT_CHAT_WEB: 'off' }).web).toBe('off');
    expect(problem({ NEXT_CHAT_WEB: 'false' })).toContain("NEXT_CHAT_WEB must be 'on' or 'off', got 'false'");
  });
  it('take a token URL or a path, in jwt mode, with the app on', () => {
    expect(parseConfig({ ...jwt, NEXT_CHAT_WEB_TOKEN_URL: 'https://sso.example.com/chat-token' }).webTokenUrl).toBe('https://sso.example.com/chat-token');
    expect(parseConfig({ ...jwt, NEXT_CHAT_WEB_TOKEN_URL: '/auth/chat-token' }).webTokenUrl).toBe('/auth/chat-token');
    expect(problem({ ...jwt, NEXT_CHAT_WEB_TOKEN_URL: 'ftp://x/y' })).toContain('NEXT_CHAT_WEB_TOKEN_URL must be a URL starting with http:// or https://, or a path starting with /');
    expect(problem({ ...jwt, NEXT_CHAT_WEB_TOKEN_URL: '//evil.example/t' })).toContain('NEXT_CHAT_WEB_TOKEN_URL must be a URL');
    expect(problem({ NEXT_CHAT_WEB_TOKEN_URL: '/t' })).toContain('NEXT_CHAT_WEB_TOKEN_URL only makes sense with NEXT_CHAT_AUTH_MODE=jwt');
    expect(problem({ ...jwt, NEXT_CHAT_WEB: 'off', NEXT_CHAT_WEB_TOKEN_URL: '/t' })).toContain('NEXT_CHAT_WEB_TOKEN_URL is for the web app, which NEXT_CHAT_WEB=off turns off');
  });
});
