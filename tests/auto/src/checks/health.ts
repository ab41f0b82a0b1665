/** HTTP side of PROTOCOL.md §1 and §7: health endpoints and refused upgrades. */
import { SignJWT } from 'jose';
import type { Check, CheckContext } from '../context.js';
import { expect, fail } from '../context.js';
import { expectRefusal, short } from '../rpc.js';
import { httpUrl, withPath } from '../stats.js';

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    fail(`GET ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
  }
}

function healthCheck(name: string, path: string): Check {
  return {
    name,
    group: 'health',
    description: `GET ${path} answers 200 on every hub`,
    async run(ctx) {
      const seen: string[] = [];
      for (const ep of ctx.endpoints) {
        const url = httpUrl(ep.url, path);
        const r = await get(url, ctx.timeoutMs);
        expect(r.status === 200, `GET ${url} (${ep.name}): expected 200, got ${r.status} ${r.body.slice(0, 200)}`);
        seen.push(`${ep.name}: 200`);
      }
      return { detail: seen.join(', ') };
    },
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function expect401(ctx: CheckContext, token: string | undefined, what: string): Promise<void> {
  for (const ep of ctx.endpoints) {
    const r = await expectRefusal({ url: ep.url, token, timeoutMs: ctx.timeoutMs });
    expect(r.status === 401, `${what} on ${ep.name}: expected HTTP 401, got ${r.status} ${r.body.slice(0, 200)}`);
    const body = parseJson(r.body) as { error?: unknown; message?: unknown } | undefined;
    expect(
      body !== undefined && body.error === 'unauthorized' && typeof body.message === 'string',
      `${what} on ${ep.name}: expected a JSON body {"error":"unauthorized","message":"..."}, got ${short(r.body)}`,
    );
  }
}

export const healthChecks: Check[] = [
  healthCheck('healthz', '/healthz'),
  healthCheck('readyz', '/readyz'),
  {
    name: 'auth-missing',
    group: 'health',
    description: 'an upgrade without identity is refused with 401 and a JSON body',
    async run(ctx) {
      await expect401(ctx, undefined, 'upgrade without a token');
    },
  },
  {
    name: 'auth-bad',
    group: 'health',
    description: 'an upgrade with a bad identity is refused with 401',
    async run(ctx) {
      if (ctx.opts.jwtSecret) {
        const now = Math.floor(Date.now() / 1000);
        const wrongKey = new TextEncoder().encode(`${ctx.opts.jwtSecret}-not-it`);
        const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(ctx.user('x')).setIssuedAt(now).setExpirationTime(now + 600).sign(wrongKey);
        await expect401(ctx, forged, 'upgrade with a JWT signed by another key');
        const rightKey = new TextEncoder().encode(ctx.opts.jwtSecret);
        const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(ctx.user('x')).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(rightKey);
        await expect401(ctx, expired, 'upgrade with an expired JWT');
        await expect401(ctx, 'not-a-jwt', 'upgrade with a token that is not a JWT');
        return { detail: 'forged, expired and malformed JWTs refused' };
      }
      await expect401(ctx, 'bad user id!', "upgrade with the invalid user id 'bad user id!'");
      return { detail: 'invalid user id refused (trust mode)' };
    },
  },
  {
    name: 'path-404',
    group: 'health',
    description: 'an upgrade on another path is refused with 404',
    async run(ctx) {
      for (const ep of ctx.endpoints) {
        const url = withPath(ep.url, `/not-next-chat-${ctx.runId}`);
        const r = await expectRefusal({ url, token: await ctx.token(ctx.user('p')), timeoutMs: ctx.timeoutMs });
        expect(r.status === 404, `upgrade of ${url} (${ep.name}): expected HTTP 404, got ${r.status} ${r.body.slice(0, 200)}`);
      }
    },
  },
  {
    name: 'query-token',
    group: 'health',
    description: 'the access_token query parameter identifies the user (browsers)',
    async run(ctx) {
      for (let i = 0; i < ctx.endpoints.length; i++) {
        const conn = await ctx.connect(ctx.user('q'), i, { tokenInQuery: true });
        const r = await conn.call<{ groups?: unknown }>('group.list', { limit: 1 });
        expect(Array.isArray(r.groups), `group.list over a query-token connection: expected {groups: [...]}, got ${short(r)}`);
      }
    },
  },
  {
    name: 'bearer-header',
    group: 'health',
    description: "the Authorization header works with and without 'Bearer '",
    async run(ctx) {
      const ep = ctx.endpoint(0);
      const token = await ctx.token(ctx.user('b'));
      // With "Bearer " every other check connects; here without the prefix:
      const ws = await import('ws');
      await new Promise<void>((resolve, reject) => {
        const sock = new ws.WebSocket(ep.url, { headers: { Authorization: token }, handshakeTimeout: ctx.timeoutMs });
        const timer = setTimeout(() => {
          sock.terminate();
          reject(new Error(`connecting with a bare Authorization header took over ${ctx.timeoutMs} ms`));
        }, ctx.timeoutMs);
        sock.on('open', () => {
          clearTimeout(timer);
          sock.close();
          resolve();
        });
        sock.on('unexpected-response', (_q, res) => {
          clearTimeout(timer);
          sock.terminate();
          reject(new Error(`a bare 'Authorization: <token>' header (no 'Bearer ') was refused with HTTP ${res.statusCode}`));
        });
        sock.on('error', (e) => {
          if (/Unexpected server response/.test(e.message)) return;
          clearTimeout(timer);
          reject(e);
        });
      });
    },
  },
];
