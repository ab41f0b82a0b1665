/**
 * Real Chromium for the web app's tests: Debian's /usr/bin/chromium driven
 * by playwright-core (Playwright's own browser download cannot be used
 * here; `.ci/run` installs the package). Helpers sign people in the way a
 * person does, through the page.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { beforeEach, expect } from 'vitest';

/** Where a failed test leaves a full-page screenshot of each page it had open (ignored by git). */
export const FAILURE_SHOTS = fileURLToPath(new URL('../../../test-results/web/', import.meta.url));

const browsers = new Set<Browser>();

/** A file name from a test's name: letters, digits, spaces, dots, dashes and brackets kept. */
function fileName(name: string): string {
  return name.replace(/[^\p{L}\p{N} ._()-]+/gu, '_').replace(/\s+/g, ' ').trim().slice(0, 150) || 'test';
}

// Every test of a file that imports this module: on failure, a full-page
// screenshot of each page still open in the browsers it launched, as
// test-results/web/<test name>.png (<test name> <n>.png from the second page on).
beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    const pages = [...browsers].filter((b) => b.isConnected()).flatMap((b) => b.contexts().flatMap((c) => c.pages()));
    if (pages.length === 0) return;
    fs.mkdirSync(FAILURE_SHOTS, { recursive: true });
    const base = fileName(ctx.task.name);
    await Promise.all(
      pages.map((page, i) =>
        page
          .screenshot({ path: path.join(FAILURE_SHOTS, `${base}${i === 0 ? '' : ` ${i + 1}`}.png`), fullPage: true, timeout: 5_000 })
          .catch(() => undefined /* a page that cannot be shot (closed, hung) is skipped */),
      ),
    );
  });
});

/** Debian's chromium first (what .ci/run installs); the others are where CI images keep theirs. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const given = process.env.NEXT_CHAT_TEST_CHROMIUM;
  const found = given ?? CANDIDATES.find((p) => fs.existsSync(p));
  if (found === undefined || !fs.existsSync(found)) {
    throw new Error(`The web tests need Chromium (${given ?? CANDIDATES.join(', ')}): apt-get install chromium (bash .ci/run does), or set NEXT_CHAT_TEST_CHROMIUM`);
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
  browsers.add(browser);
  browser.on('disconnected', () => browsers.delete(browser));
  return browser;
}

/** A page whose console errors and uncaught exceptions are kept for the test to check. */
export interface WatchedPage extends Page {
  problems: string[];
}

export async function openPage(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: WatchedPage }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: 'en-GB', timezoneId: 'UTC', ...options });
  const page = (await context.newPage()) as WatchedPage;
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  return { context, page };
}

/** Trust mode: type the user id and sign in; resolves when the chat screen shows. */
export async function signIn(page: Page, userId: string): Promise<void> {
  await page.getByLabel('User id').fill(userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Conversations and rooms' }).waitFor();
  await expect.poll(() => page.locator('.me-name').textContent()).toBe(userId);
}

/** Creates a room through the "New room" dialog; the room opens. */
export async function createRoom(page: Page, id: string, o: { title?: string; topic?: string; private?: boolean } = {}): Promise<void> {
  await page.getByRole('button', { name: 'New room' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a room' });
  await dialog.getByLabel('Name (used in its address, cannot change)').fill(id);
  if (o.title) await dialog.getByLabel('Title (optional)').fill(o.title);
  if (o.topic) await dialog.getByLabel('Topic (optional)').fill(o.topic);
  if (o.private) await dialog.getByLabel(/Private/).check();
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('heading', { level: 2, name: o.title ?? id }).waitFor();
}

/** Joins a public room from the directory; the room opens. */
export async function joinRoom(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'Find rooms' }).click();
  const dialog = page.getByRole('dialog', { name: 'Find a room' });
  await dialog.getByLabel('Room name begins with').fill(id);
  await dialog.getByRole('button', { name: `Join #${id}` }).click();
  await dialog.waitFor({ state: 'detached' });
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.locator('#composer');
  await box.fill(text);
  await box.press('Enter');
}

/** The edit box of a message, once it has focus (as a person would wait for it to open). */
export async function editBox(page: Page) {
  await expect.poll(() => page.evaluate('document.activeElement?.classList.contains("edit-input") === true')).toBe(true);
  return page.getByRole('textbox', { name: 'Edit message' });
}

/** The texts of the messages shown, in order (not the sends still under way). */
export function messageTexts(page: Page): Promise<string[]> {
  return page.locator('li.msg[data-id] .msg-body').allTextContents();
}

/** The conversation-list button of a conversation. */
export function conversationButton(page: Page, id: string) {
  return page.locator(`button.conv[data-id="${id}"]`);
}

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page (WCAG 2.1 A and AA rules: contrast, names,
 * roles, landmarks), from the axe-core package: no network needed.
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply to it.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })`,
  )) as { violations: AxeViolation[]; passes: { id: string }[]; incomplete: { id: string }[] };
  // The rules that matter most here did run (and did not merely find nothing to look at).
  const ran = new Set([...result.passes, ...result.violations, ...result.incomplete].map((r) => r.id));
  for (const rule of ['color-contrast', 'button-name', 'aria-allowed-attr']) expect(ran, `axe rule ${rule}`).toContain(rule);
  return result.violations;
}

export function describeViolations(v: AxeViolation[]): string {
  return v.map((x) => `${x.id} (${x.impact}): ${x.help}\n  ${x.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');
}
