/**
 * Sign-in in jwt mode, in a real Chromium: a token handed over in the link
 * (`#token=...`, gone from the address bar at once, kept for a reload of
 * the tab), refused and expired tokens sent back to sign-in with a
 * sentence, and the token URL of an organisation's login (called with the
 * browser's cookies, refreshed before the token runs out).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { createRoom, launchBrowser, messageTexts, openPage, send } from './browser.js';

const SECRET = 'web-tests-secret-0123456789abcdef0123';

async function token(sub: string, ttlSeconds: number, secret = SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(now).setExpirationTime(now + ttlSeconds).sign(new TextEncoder().encode(secret));
}

const JWT_ENV = { NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: SECRET };

let hub: HubProcess;
let browser: Browser;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startHub(JWT_ENV), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('a token in the link', () => {
  it('signs in, leaves the address bar clean, survives a reload of the tab, and signs out', async () => {
    const { page, context } = await openPage(browser, `${hub.httpUrl}/#token=${await token('dora', 3600)}`);
    try {
      await expect.poll(() => page.locator('.me-name').textContent()).toBe('dora');
      expect(page.url()).toBe(`${hub.httpUrl}/`);
      await createRoom(page, 'jwt-room');
      await send(page, 'signed by a token');
      await expect.poll(() => messageTexts(page)).toEqual(['signed by a token']);
      await page.reload();
      await expect.poll(() => page.locator('.me-name').textContent()).toBe('dora');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('Open the sign-in link you were given').waitFor();
      await page.reload();
      await page.getByText('Open the sign-in link you were given').waitFor();
      expect(page.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an expiring token sends the person back to sign-in with a sentence', async () => {
    const { page, context } = await openPage(browser, `${hub.httpUrl}/#token=${await token('eve', 8)}`);
    try {
      await expect.poll(() => page.locator('.me-name').textContent()).toBe('eve');
      await page.getByText('Your session has expired; sign in again to go on.').waitFor({ timeout: 15_000 });
      expect(await page.locator('.me-name').count()).toBe(0);
      // Nothing of it is left for a reload.
      await page.reload();
      await page.getByText('Open the sign-in link you were given').waitFor();
      expect(await page.getByText('Your session has expired').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('an expired link, a forged token and a pasted one', async () => {
    const { page, context } = await openPage(browser, `${hub.httpUrl}/#token=${await token('eve', -10)}`);
    try {
      await page.getByText('This sign-in link has expired; ask for a new one.').waitFor();
      expect(page.url()).toBe(`${hub.httpUrl}/`);
      await page.goto(`${hub.httpUrl}/#token=${await token('mallory', 3600, 'not-the-hubs-secret-at-all-0123456789')}`);
      await page.getByText('The hub did not accept this token: it may have expired, or be meant for another hub. Sign in again.').waitFor();
      await page.getByLabel('Token').fill(await token('frank', 3600));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('.me-name').textContent()).toBe('frank');
    } finally {
      await context.close();
    }
  });
});

describe('NEXT_CHAT_WEB_TOKEN_URL', () => {
  let login: http.Server;
  let loginUrl = '';
  let calls = 0;
  let tokenHub: HubProcess;

  beforeAll(async () => {
    // An organisation's login service: its own cookie session answers with a short-lived chat token.
    login = http.createServer((req, res) => {
      calls++;
      const user = /(?:^|;\s*)login=([A-Za-z0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
      const cors = { 'access-control-allow-origin': req.headers.origin ?? '*', 'access-control-allow-credentials': 'true', vary: 'Origin' };
      if (!user) return void res.writeHead(401, cors).end();
      // 20 s: shorter than the app's one-minute margin, so it renews at half its time, within seconds.
      void token(user, 20).then((t) => res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ token: t })));
    });
    await new Promise<void>((r) => login.listen(0, '127.0.0.1', r));
    loginUrl = `http://127.0.0.1:${(login.address() as AddressInfo).port}`;
    tokenHub = await startHub({ ...JWT_ENV, NEXT_CHAT_WEB_TOKEN_URL: `${loginUrl}/chat-token` });
  });

  afterAll(async () => {
    await tokenHub?.stop();
    await new Promise<void>((r) => login.close(() => r()));
  });

  it('without a login: a sentence; with one: signed in, and the token renewed before it runs out', async () => {
    const { page, context } = await openPage(browser, `${tokenHub.httpUrl}/`);
    try {
      await page.getByText('You are not signed in with your organisation; sign in there, then try again.').waitFor();
      await context.addCookies([{ name: 'login', value: 'gina', url: loginUrl }]);
      const before = calls;
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect.poll(() => page.locator('.me-name').textContent()).toBe('gina');
      await createRoom(page, 'sso');
      await send(page, 'first');
      // Renewed (another call to the login service) and reconnected with it, quietly.
      await expect.poll(() => calls - before, { timeout: 25_000 }).toBeGreaterThanOrEqual(2);
      // The quiet reconnect may show "Reconnecting" while it lasts (a loaded machine): it must end, with the banner gone.
      await expect.poll(() => page.locator('.banner').getAttribute('class'), { timeout: 15_000 }).toBe('banner empty');
      await send(page, 'after the renewal');
      await expect.poll(() => messageTexts(page)).toEqual(['first', 'after the renewal']);
      expect(page.problems.filter((p) => !/401/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
