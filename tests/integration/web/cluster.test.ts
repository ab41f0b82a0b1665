/**
 * The web app on a cluster, in a real Chromium: two hub processes on the
 * shared test Redis and MariaDB (a random key prefix and a database of this
 * file's own). Two people, each browser on a different hub, talk both ways.
 * Then the hub under one browser is killed (SIGKILL): its page reaches
 * the hub through a TCP proxy, which is pointed at the other hub, as a load
 * balancer would; meanwhile the other person writes. The page shows the
 * reconnect banner, then catches up: every message exactly once, none missing.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { createRoom, joinRoom, launchBrowser, messageTexts, openPage, send, signIn, type WatchedPage } from './browser.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

let hubA: HubProcess;
let hubB: HubProcess;
let proxy: TcpProxy;
let browser: Browser;
let alice: WatchedPage;
let bob: WatchedPage;

beforeAll(async () => {
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const prefix = randomPrefix();
  const env = (i: number) => hubEnv({ redisUrl: inject('redisUrl'), mysqlUrl, prefix, instanceId: `${prefix}-hub${i}`, extra: { NEXT_CHAT_HISTORY_FLUSH_MS: '50' } });
  [hubA, hubB, browser] = await Promise.all([startHub(env(0)), startHub(env(1)), launchBrowser()]);
  proxy = await startProxy(hubA.port);
  // alice reaches hub A through the proxy; bob is on hub B.
  alice = (await openPage(browser, proxy.url)).page;
  bob = (await openPage(browser, `${hubB.httpUrl}/`)).page;
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await Promise.all([hubA?.stop(), hubB?.stop()]);
});

describe('two browsers on two hubs', () => {
  it('talk both ways across the hubs', async () => {
    await signIn(alice, 'alice');
    await createRoom(alice, 'across', { title: 'Across hubs' });
    await signIn(bob, 'bob');
    await joinRoom(bob, 'across');
    await bob.getByRole('heading', { level: 2, name: 'Across hubs' }).waitFor();

    await send(alice, 'hello from hub A');
    await expect.poll(() => messageTexts(bob)).toEqual(['hello from hub A']);
    await send(bob, 'hello from hub B');
    await expect.poll(() => messageTexts(alice)).toEqual(['hello from hub A', 'hello from hub B']);
    await expect.poll(() => messageTexts(bob)).toEqual(['hello from hub A', 'hello from hub B']);
  });

  it('a hub killed under a browser: banner, then caught up from the other hub, each message once', async () => {
    const before = ['hello from hub A', 'hello from hub B'];
    await hubA.kill9();
    const banner = alice.locator('.banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/^Connection lost\. Reconnecting/);

    // Meanwhile bob writes through hub B; alice's page keeps retrying a dead hub.
    const missed = ['while A was down 1', 'while A was down 2', 'while A was down 3'];
    for (const text of missed) await send(bob, text);
    await expect.poll(() => messageTexts(bob)).toEqual([...before, ...missed]);
    expect(await messageTexts(alice)).toEqual(before);

    // The proxy now leads to hub B, as a load balancer would after its health check.
    proxy.retarget(hubB.port);
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toBe('Back online. Caught up: 3 missed messages.');
    await expect.poll(() => messageTexts(alice)).toEqual([...before, ...missed]);

    // And the page talks through hub B now, both ways.
    await send(alice, 'back, via hub B');
    await send(bob, 'welcome back');
    const all = [...before, ...missed, 'back, via hub B', 'welcome back'];
    await expect.poll(() => messageTexts(bob)).toEqual(all);
    await expect.poll(() => messageTexts(alice)).toEqual(all);
    const shown = await messageTexts(alice);
    expect(new Set(shown).size).toBe(shown.length);
    expect(await alice.locator('li.msg.pending').count()).toBe(0);
    expect(alice.problems.filter((p) => !/WebSocket|ERR_CONNECTION|ERR_EMPTY_RESPONSE|net::/.test(p))).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
