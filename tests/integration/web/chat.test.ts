/**
 * The web app in a real Chromium against a real hub (trust mode): two
 * people in two browser contexts sign in, make and join rooms, talk, edit
 * and delete; unread badges and the tab title; a direct conversation and
 * an invitation; the main path by keyboard alone; axe-core in light and
 * dark; a 360 px wide screen.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { axe, conversationButton, createRoom, describeViolations, editBox, joinRoom, launchBrowser, messageTexts, openPage, send, signIn, type WatchedPage } from './browser.js';

let hub: HubProcess;
let browser: Browser;
let alice: WatchedPage;
let bob: WatchedPage;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startHub(), launchBrowser()]);
  alice = (await openPage(browser, `${hub.httpUrl}/`)).page;
  bob = (await openPage(browser, `${hub.httpUrl}/`)).page;
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** What the page has focused, for the keyboard test. */
function focused(page: WatchedPage): Promise<string> {
  return page.evaluate(
    `(() => { const e = document.activeElement; if (!e) return ''; return (e.getAttribute('aria-label') || e.id || e.textContent || e.tagName).trim().slice(0, 60); })()`,
  ) as Promise<string>;
}

/** Presses Tab until `want` (a part of the focused element's name) has focus. */
async function tabTo(page: WatchedPage, want: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)).includes(want)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached '${want}' (now at '${await focused(page)}')`);
}

describe('two people in a room', () => {
  it('sign in, create a room, join it, and talk both ways', async () => {
    await signIn(alice, 'alice');
    await createRoom(alice, 'lobby', { title: 'The Lobby', topic: 'Say hello' });
    await expect.poll(() => alice.locator('.topic').textContent()).toBe('Say hello');
    await signIn(bob, 'bob');
    await joinRoom(bob, 'lobby');
    await bob.getByRole('heading', { level: 2, name: 'The Lobby' }).waitFor();

    // Typing shows on the other side, and stops with the message.
    await bob.locator('#composer').fill('hm');
    await alice.locator('.typing', { hasText: 'bob is typing…' }).waitFor();
    await bob.locator('#composer').fill('');
    await send(alice, 'hello bob');
    await expect.poll(() => messageTexts(bob)).toEqual(['hello bob']);
    await send(bob, 'hi alice\nhow are you?');
    await expect.poll(() => messageTexts(alice)).toEqual(['hello bob', 'hi alice\nhow are you?']);

    // Author, time and a day separator; own messages marked as mine.
    const mine = alice.locator('li.msg.mine[data-id]');
    await expect.poll(() => mine.locator('.author').allTextContents()).toEqual(['You']);
    await expect.poll(() => alice.locator('li.msg:not(.mine)[data-id] .author').allTextContents()).toEqual(['bob']);
    expect(await alice.locator('li.msg[data-id] time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await alice.locator('li.day h3').allTextContents()).toEqual(['Today']);
    // The members panel: both, with presence and roles.
    await alice.getByRole('button', { name: 'Members (2)' }).click();
    const panel = alice.getByRole('complementary', { name: 'Members' });
    await expect.poll(() => panel.locator('.member-name').allTextContents()).toEqual(['alice (you)', 'bob']);
    expect(await panel.locator('.member').first().textContent()).toContain('Owner');
    expect(await panel.locator('.member').nth(1).textContent()).toContain('online');
    await panel.getByRole('button', { name: 'Close members' }).click();
  });

  it('edits and deletes reach the other side; only own messages offer them', async () => {
    const row = alice.locator('li.msg.mine[data-id]', { hasText: 'hello bob' });
    await row.hover();
    await row.getByRole('button', { name: /^Edit message/ }).click();
    const box = await editBox(alice);
    await box.fill('hello bob, edited');
    await box.press('Enter');
    await expect.poll(() => messageTexts(bob)).toEqual(['hello bob, edited (edited)', 'hi alice\nhow are you?']);
    // bob is a plain member: nothing to edit or delete on alice's message.
    expect(await bob.locator('li.msg:not(.mine)[data-id] .msg-actions button').count()).toBe(0);

    await row.hover();
    await row.getByRole('button', { name: /^Delete message/ }).click();
    const confirm = alice.getByRole('dialog', { name: 'Delete message' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => messageTexts(bob)).toEqual(['This message was deleted.', 'hi alice\nhow are you?']);
    await expect.poll(() => messageTexts(alice)).toEqual(['This message was deleted.', 'hi alice\nhow are you?']);
  });

  it('unread: a badge, bold, the total in the tab title, the new-messages line, and read when opened', async () => {
    await createRoom(alice, 'random');
    await joinRoom(bob, 'random');
    await bob.getByRole('heading', { level: 2, name: 'random' }).waitFor();
    // bob looks at #random; alice writes in #lobby.
    await conversationButton(alice, 'lobby').click();
    await send(alice, 'one');
    await send(alice, 'two');
    const lobby = conversationButton(bob, 'lobby');
    await expect.poll(() => lobby.locator('.badge').textContent()).toBe('2');
    expect(await lobby.getAttribute('class')).toContain('unread');
    expect(await lobby.textContent()).toContain('2 unread');
    await expect.poll(() => bob.title()).toBe('(2) random · Next Chat');
    // The live region reads out only the open conversation's new messages.
    expect(await bob.locator('#announcer').textContent()).toBe('');

    await lobby.click();
    await bob.locator('.unread-line', { hasText: 'New messages' }).waitFor();
    expect(await bob.locator('.jump-bar').textContent()).toContain('2 unread messages');
    await expect.poll(() => bob.title()).toBe('The Lobby · Next Chat');
    expect(await lobby.locator('.badge').count()).toBe(0);
    // Read on every connection of bob's: a second tab agrees.
    const bob2 = (await openPage(browser, `${hub.httpUrl}/`)).page;
    await signIn(bob2, 'bob');
    await expect.poll(() => conversationButton(bob2, 'lobby').getAttribute('class')).toBe('conv');
    await bob2.context().close();

    // While bob reads #lobby, alice's next message is read out and stays read.
    await send(alice, 'three');
    await expect.poll(() => bob.locator('#announcer').textContent()).toBe('alice: three');
    await expect.poll(() => bob.title()).toBe('The Lobby · Next Chat');
  });

  it('jump to the first unread pages back through history (infinite scroll)', async () => {
    // 70 messages while bob looks elsewhere: more than a page (50).
    await conversationButton(bob, 'random').click();
    await conversationButton(alice, 'lobby').click();
    for (let i = 1; i <= 70; i++) await send(alice, `n${i}`);
    await expect.poll(() => conversationButton(bob, 'lobby').locator('.badge').textContent(), { timeout: 30_000 }).toBe('70');
    // A new tab of bob's knows only what the hub says: 70 unread, and the newest page.
    const { page: tab, context } = await openPage(browser, `${hub.httpUrl}/`);
    try {
      await signIn(tab, 'bob');
      await expect.poll(() => conversationButton(tab, 'lobby').locator('.badge').textContent()).toBe('70');
      await conversationButton(tab, 'lobby').click();
      await expect.poll(async () => (await messageTexts(tab)).length).toBe(50);
      expect(await tab.locator('.unread-line').count()).toBe(0);
      await tab.getByRole('button', { name: 'Jump to first unread' }).click();
      await tab.locator('.unread-line', { hasText: 'New messages' }).waitFor();
      await expect.poll(() => tab.evaluate('document.activeElement.querySelector(".msg-body")?.textContent')).toBe('n1');
      const texts = await messageTexts(tab);
      expect(texts.filter((t) => /^n\d+$/.test(t))).toEqual(Array.from({ length: 70 }, (_, i) => `n${i + 1}`));
      // Scrolled up to the top: the start of the conversation, each message once.
      await tab.locator('.scroller').evaluate('(el) => { el.scrollTop = 0; }');
      await tab.getByText('This is the start of the conversation.').waitFor();
      const all = await messageTexts(tab);
      expect(all.slice(0, 5)).toEqual(['This message was deleted.', 'hi alice\nhow are you?', 'one', 'two', 'three']);
      expect(new Set(all).size).toBe(all.length);
      // Read here: bob's first tab hears it too.
      await tab.locator('.scroller').evaluate('(el) => { el.scrollTop = el.scrollHeight; }');
      await expect.poll(() => conversationButton(bob, 'lobby').locator('.badge').count()).toBe(0);
      expect(tab.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a direct conversation from a member, and an invitation to a private room', async () => {
    await conversationButton(alice, 'lobby').click();
    await alice.getByRole('button', { name: /^Members/ }).click();
    await alice.getByRole('button', { name: 'Actions for bob' }).click();
    await alice.getByRole('button', { name: 'Message', exact: true }).click();
    await alice.getByRole('heading', { level: 2, name: 'bob' }).waitFor();
    await alice.getByRole('button', { name: 'Close members' }).click();
    await send(alice, 'psst');
    // bob hears of it (conversation.added) and gets it.
    await bob.getByText('alice started a conversation with you.').waitFor();
    const dm = bob.locator('button.conv[data-id^="dm-"]');
    await expect.poll(() => dm.locator('.badge').textContent()).toBe('1');
    await dm.click();
    await expect.poll(() => messageTexts(bob)).toEqual(['psst']);

    await createRoom(alice, 'secret', { private: true });
    await alice.getByRole('button', { name: /^Members/ }).click();
    await alice.getByLabel('Invite someone').fill('bob');
    await alice.getByRole('button', { name: 'Invite', exact: true }).click();
    await alice.getByText('bob is invited.').waitFor();
    await bob.getByRole('button', { name: /^Invitations/ }).click();
    const inv = bob.getByRole('dialog', { name: 'Invitations' });
    await inv.getByRole('button', { name: 'Accept the invitation to secret' }).click();
    await bob.getByRole('heading', { level: 2, name: /^secret/ }).waitFor();
    // A plain member of a private room has no settings and no invite form.
    expect(await bob.getByRole('button', { name: 'Settings' }).count()).toBe(0);
    // Protocol errors are sentences: bob tries to create a room that exists.
    await bob.getByRole('button', { name: 'New room' }).click();
    const create = bob.getByRole('dialog', { name: 'Create a room' });
    await create.getByLabel('Name (used in its address, cannot change)').fill('lobby');
    await create.getByRole('button', { name: 'Create room' }).click();
    await create.getByText("A room called 'lobby' exists already; pick another name, or join it from the directory.").waitFor();
    await create.getByRole('button', { name: 'Cancel' }).click();
  });

  it('the owner kicks: the kicked person is told in a sentence and the room goes from their list', async () => {
    await alice.getByRole('button', { name: 'Actions for bob' }).click();
    await alice.getByRole('button', { name: 'Remove', exact: true }).click();
    await alice.getByRole('dialog', { name: 'Remove bob' }).getByRole('button', { name: 'Remove' }).click();
    await bob.getByText('alice removed you from secret.').waitFor();
    await expect.poll(() => conversationButton(bob, 'secret').count()).toBe(0);
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });

  it('roles, settings, a ban and deleting a room, each offered only to whom it is allowed', async () => {
    await conversationButton(alice, 'random').click();
    await conversationButton(bob, 'random').click();
    expect(await bob.getByRole('button', { name: 'Settings' }).count()).toBe(0);
    const panel = alice.getByRole('complementary', { name: 'Members' });
    if (!(await panel.isVisible())) await alice.getByRole('button', { name: /^Members/ }).click();
    await panel.getByRole('button', { name: 'Actions for bob' }).click();
    await panel.getByRole('button', { name: 'Make admin' }).click();
    // bob hears of his role (member.role) and gets the settings.
    await bob.getByRole('button', { name: 'Settings' }).click();
    const settings = bob.getByRole('dialog', { name: 'Settings of #random' });
    expect(await settings.getByRole('button', { name: 'Delete room' }).count()).toBe(0);
    await settings.getByLabel('Topic').fill('Admins were here');
    await settings.getByRole('button', { name: 'Save' }).click();
    await alice.locator('.topic', { hasText: 'Admins were here' }).waitFor();
    await expect.poll(() => panel.locator('.member', { hasText: 'bob' }).textContent()).toContain('Admin');

    await panel.getByRole('button', { name: 'Ban', exact: true }).click();
    await alice.getByRole('dialog', { name: 'Ban bob' }).getByRole('button', { name: 'Ban' }).click();
    await bob.getByText('alice banned you from random.').waitFor();
    await expect.poll(() => conversationButton(bob, 'random').count()).toBe(0);

    await alice.getByRole('button', { name: 'Settings' }).click();
    await alice.getByRole('dialog', { name: 'Settings of #random' }).getByRole('button', { name: 'Delete room' }).click();
    await alice.getByRole('dialog', { name: 'Delete #random' }).getByRole('button', { name: 'Delete room' }).click();
    await expect.poll(() => conversationButton(alice, 'random').count()).toBe(0);
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });

  it('declines an invitation', async () => {
    await createRoom(alice, 'maybe', { private: true });
    const panel = alice.getByRole('complementary', { name: 'Members' });
    if (!(await panel.isVisible())) await alice.getByRole('button', { name: /^Members/ }).click();
    await panel.getByLabel('Invite someone').fill('bob');
    await panel.getByRole('button', { name: 'Invite', exact: true }).click();
    await bob.getByText('alice invited you to maybe.').waitFor();
    await expect.poll(() => bob.getByRole('button', { name: /^Invitations/ }).textContent()).toContain('1');
    await bob.getByRole('button', { name: /^Invitations/ }).click();
    const inv = bob.getByRole('dialog', { name: 'Invitations' });
    await inv.getByRole('button', { name: 'Decline the invitation to maybe' }).click();
    await inv.getByText('No invitations right now.').waitFor();
    await inv.getByRole('button', { name: 'Close' }).click();
    expect(await conversationButton(bob, 'maybe').count()).toBe(0);
  });

  it('keeps to the 4,000 character limit before sending', async () => {
    await conversationButton(bob, 'lobby').click();
    await bob.locator('#composer').fill('x'.repeat(4001));
    await bob.getByText('This message is 1 characters over the limit of 4,000; shorten it to send it.').waitFor();
    expect(await bob.locator('#composer-count').textContent()).toBe('4,001 / 4,000');
    expect(await bob.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await bob.locator('#composer').fill('');
  });
});

describe('by keyboard alone', () => {
  it('signs in, finds and joins a room, sends, edits the last message, moves through messages', async () => {
    const { page, context } = await openPage(browser, `${hub.httpUrl}/`);
    try {
      await expect.poll(() => focused(page)).toBe('user-id');
      await page.keyboard.type('carol');
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Conversations and rooms' }).waitFor();
      await tabTo(page, 'Find rooms');
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('room-search');
      await page.keyboard.type('lobby');
      await tabTo(page, 'Join #lobby');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'The Lobby' }).waitFor();
      await expect.poll(() => focused(page)).toBe('composer');
      await page.keyboard.type('typed, not clicked');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('second line');
      await page.keyboard.press('Enter');
      await page.locator('li.msg.mine[data-id]', { hasText: 'typed, not clicked' }).waitFor();
      expect((await messageTexts(page)).at(-1)).toBe('typed, not clicked\nsecond line');
      // Up in the empty box edits the last own message; Enter saves.
      await page.keyboard.press('ArrowUp');
      await expect.poll(() => focused(page)).toMatch(/^edit-/);
      await page.keyboard.press('End');
      await page.keyboard.type('!');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await messageTexts(page)).at(-1)).toBe('typed, not clicked\nsecond line! (edited)');
      await expect.poll(() => focused(page)).toBe('composer');
      // The message list is one tab stop, just before the box; arrows move through it, Escape goes back.
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toContain('typed, not clicked');
      await page.keyboard.press('ArrowUp');
      expect(await page.evaluate('document.activeElement.querySelector(".msg-body").textContent')).toBe('n70');
      await page.keyboard.press('Escape');
      await expect.poll(() => focused(page)).toBe('composer');
      // Round to the conversation list: its conversation, then leave the room by keyboard.
      await tabTo(page, 'The Lobby');
      await tabTo(page, 'Leave');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'Leave The Lobby' }).waitFor();
      await page.keyboard.press('Enter');
      await expect.poll(() => conversationButton(page, 'lobby').count()).toBe(0);
      expect(page.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('accessible and responsive', () => {
  it('passes axe-core (WCAG 2.1 AA: contrast, names, roles) in light and dark, signed out and in', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context } = await openPage(browser, `${hub.httpUrl}/`, { colorScheme });
      try {
        let v = await axe(page);
        expect(v, `sign-in, ${colorScheme}:\n${describeViolations(v)}`).toEqual([]);
        await signIn(page, `dave-${colorScheme}`);
        await joinRoom(page, 'lobby');
        await page.getByRole('heading', { level: 2, name: 'The Lobby' }).waitFor();
        await send(page, `seen in ${colorScheme}`);
        await page.locator('li.msg.mine[data-id]', { hasText: `seen in ${colorScheme}` }).waitFor();
        await page.getByRole('button', { name: /^Members/ }).click();
        await page.locator('.member').first().waitFor();
        v = await axe(page);
        expect(v, `chat, ${colorScheme}:\n${describeViolations(v)}`).toEqual([]);
        await page.getByRole('button', { name: 'Find rooms' }).click();
        await page.getByRole('dialog', { name: 'Find a room' }).locator('.room').first().waitFor();
        v = await axe(page);
        expect(v, `directory, ${colorScheme}:\n${describeViolations(v)}`).toEqual([]);
        expect(page.problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });

  it('works 360 px wide: one column at a time, nothing wider than the screen', async () => {
    const { page, context } = await openPage(browser, `${hub.httpUrl}/`, { viewport: { width: 360, height: 720 }, isMobile: true, hasTouch: true });
    try {
      const overflow = () => page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;
      expect(await overflow()).toBeLessThanOrEqual(0);
      await signIn(page, 'erin');
      await joinRoom(page, 'lobby');
      await page.getByRole('heading', { level: 2, name: 'The Lobby' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Conversations and rooms' }).isVisible()).toBe(false);
      await send(page, 'from a phone');
      await page.locator('li.msg.mine[data-id]', { hasText: 'from a phone' }).waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      const composer = await page.locator('#composer').boundingBox();
      expect(composer!.x + composer!.width).toBeLessThanOrEqual(360);
      // Touch screens show a message's actions without hovering.
      expect(await page.locator('li.msg.mine[data-id]', { hasText: 'from a phone' }).getByRole('button', { name: /^Edit/ }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Back to conversations' }).click();
      expect(await page.getByRole('navigation', { name: 'Conversations and rooms' }).isVisible()).toBe(true);
      expect(await page.locator('#composer').count()).toBe(0);
      const v = await axe(page);
      expect(v, describeViolations(v)).toEqual([]);
      expect(page.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
