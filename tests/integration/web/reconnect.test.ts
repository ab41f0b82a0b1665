/**
 * A connection lost and found again, in a real Chromium: the page reaches
 * the hub through a TCP proxy that the test cuts. While the browser is away
 * another person writes and edits, and the browser's own send fails; when
 * the network is back the banner says how many messages were caught up,
 * every message is there exactly once, the edit shows, and the failed send
 * goes out once (same clientMessageId).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { createRoom, editBox, joinRoom, launchBrowser, messageTexts, openPage, send, signIn, type WatchedPage } from './browser.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

let hub: HubProcess;
let proxy: TcpProxy;
let browser: Browser;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startHub(), launchBrowser()]);
  proxy = await startProxy(hub.port);
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await hub?.stop();
});

describe('across a lost connection', () => {
  it('shows the banner, catches up on what was missed, and sends what failed: nothing lost, nothing twice', async () => {
    const alice: WatchedPage = (await openPage(browser, proxy.url)).page;
    const bob: WatchedPage = (await openPage(browser, `${hub.httpUrl}/`)).page;
    await signIn(alice, 'alice');
    await createRoom(alice, 'ops');
    await signIn(bob, 'bob');
    await joinRoom(bob, 'ops');
    await send(bob, 'before');
    await expect.poll(() => messageTexts(alice)).toEqual(['before']);

    proxy.cut();
    const banner = alice.locator('.banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/^Connection lost\. Reconnecting/);

    // Meanwhile: bob writes three and edits the first; alice's own send fails.
    await send(bob, 'missed 1');
    await send(bob, 'missed 2');
    await send(bob, 'missed 3');
    await expect.poll(() => messageTexts(bob)).toEqual(['before', 'missed 1', 'missed 2', 'missed 3']);
    const row = bob.locator('li.msg.mine[data-id]', { hasText: 'before' });
    await row.hover();
    await row.getByRole('button', { name: /^Edit message/ }).click();
    const box = await editBox(bob);
    await box.fill('before, edited');
    await box.press('Enter');
    await expect.poll(() => messageTexts(bob)).toContain('before, edited (edited)');
    await send(alice, 'written while away');
    await alice.locator('li.msg.pending.failed', { hasText: 'written while away' }).getByText('Not sent yet: it goes out when the connection is back.').waitFor();
    expect(await messageTexts(alice)).toEqual(['before']);

    proxy.restore();
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toBe('Back online. Caught up: 3 missed messages.');
    const want = ['before, edited (edited)', 'missed 1', 'missed 2', 'missed 3', 'written while away'];
    await expect.poll(() => messageTexts(alice)).toEqual(want);
    await expect.poll(() => messageTexts(bob)).toEqual(want);
    expect(await alice.locator('li.msg.pending').count()).toBe(0);

    // And once more: a second drop loses nothing either, and still doubles nothing.
    proxy.cut();
    await send(bob, 'missed 4');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/^Connection lost/);
    proxy.restore();
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toBe('Back online. Caught up: 1 missed message.');
    await expect.poll(() => messageTexts(alice)).toEqual([...want, 'missed 4']);

    // The browser says it is offline: the banner says so; back online, it catches up again.
    await alice.context().setOffline(true);
    await expect.poll(() => banner.textContent()).toBe('You are offline. What you write is sent when the connection is back.');
    await alice.context().setOffline(false);
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toMatch(/^(Back online\. Caught up: 0 missed messages\.)?$/);
    await send(alice, 'online again');
    await expect.poll(() => messageTexts(bob)).toEqual([...want, 'missed 4', 'online again']);
    expect(alice.problems.filter((p) => !/WebSocket|ERR_CONNECTION|net::/.test(p))).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
