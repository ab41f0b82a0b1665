/**
 * The README's picture of the web app, taken from a real run: two people
 * in a room, a short conversation with one message edited, seen by one of
 * them at 1280x800. The test always runs the conversation and takes the
 * picture; it writes docs/web-screenshot.png only with NEXT_CHAT_SCREENSHOT=1
 * (`NEXT_CHAT_SCREENSHOT=1 npx vitest run tests/integration/web/screenshot.test.ts`),
 * so a normal run does not rewrite a tracked file.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { createRoom, editBox, joinRoom, launchBrowser, messageTexts, openPage, send, signIn, type WatchedPage } from './browser.js';

const OUT = fileURLToPath(new URL('../../../docs/web-screenshot.png', import.meta.url));
const VIEWPORT = { width: 1280, height: 800 };

let hub: HubProcess;
let browser: Browser;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startHub(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the README screenshot', () => {
  it('a short conversation in a room, one message edited, at 1280x800', async () => {
    const alice: WatchedPage = (await openPage(browser, `${hub.httpUrl}/`, { viewport: VIEWPORT })).page;
    const bob: WatchedPage = (await openPage(browser, `${hub.httpUrl}/`, { viewport: VIEWPORT })).page;
    await signIn(alice, 'alice');
    await createRoom(alice, 'release', { title: 'Release 2.0', topic: 'Shipping on Friday: what is left' });
    await signIn(bob, 'bob');
    await joinRoom(bob, 'release');
    await bob.getByRole('heading', { level: 2, name: 'Release 2.0' }).waitFor();

    await send(alice, 'Morning! The release branch is cut. Anything still open?');
    await expect.poll(() => messageTexts(bob)).toHaveLength(1);
    await send(bob, 'Two things: the migration notes, and the chart bump.');
    await send(bob, 'I can take the chart this afternoon.');
    await expect.poll(() => messageTexts(alice)).toHaveLength(3);
    await send(alice, 'Great, I will write the migration notes.');
    await send(alice, 'Lets aim for a release candidate on Thursday');
    await expect.poll(() => messageTexts(bob)).toHaveLength(5);

    // alice fixes her last message.
    const row = alice.locator('li.msg.mine[data-id]', { hasText: 'Lets aim' });
    await row.hover();
    await row.getByRole('button', { name: /^Edit message/ }).click();
    const box = await editBox(alice);
    await box.fill("Let's aim for a release candidate on Thursday morning.");
    await box.press('Enter');
    await send(bob, 'Sounds good, thanks!');
    const want = [
      'Morning! The release branch is cut. Anything still open?',
      'Two things: the migration notes, and the chart bump.',
      'I can take the chart this afternoon.',
      'Great, I will write the migration notes.',
      "Let's aim for a release candidate on Thursday morning. (edited)",
      'Sounds good, thanks!',
    ];
    await expect.poll(() => messageTexts(bob)).toEqual(want);
    await expect.poll(() => messageTexts(alice)).toEqual(want);

    // As alice sees it, the pointer away from the messages (no hover toolbar) and nothing focused.
    await alice.mouse.move(0, 0);
    await alice.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
    const png = await alice.screenshot({ animations: 'disabled' });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(VIEWPORT.width);
    expect(png.readUInt32BE(20)).toBe(VIEWPORT.height);
    if (process.env.NEXT_CHAT_SCREENSHOT === '1') fs.writeFileSync(OUT, png);
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});
