// What the browser tests (test/web/browser*.test.ts) share: a seeded registry served with its web
// interface, a headless Chromium (driven by playwright-core) with one page on it, logging in, the
// screenshots the README shows (saved only when asked: `npm run screenshots`), a viewport set for
// one check, and where the browser broke an element's text into lines.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { VERSION } from '../../src/cli/io.ts';
import { serveRegistry, type RegistryServer, type Store } from '../../src/registry/index.ts';
import { webInterface } from '../../src/web/index.ts';
import { findChromium } from '../helpers/chromium.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { seed, type Seeded, type SeedOptions } from './seed.ts';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** The viewport pages are read at unless a test sets another. */
export const VIEWPORT = { width: 1500, height: 950 } as const;

/** A seeded registry, its server and a browser page on it. */
export interface InBrowser {
  readonly store: Store;
  readonly seeded: Seeded;
  /** The server's origin, e.g. http://127.0.0.1:40123. */
  readonly base: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Messages of every dialog a page opened (none should). */
  readonly dialogs: readonly string[];
  /** Closes the browser and the server and removes the registry. */
  close(): Promise<void>;
}

/** Seeds a registry (see seed.ts), serves it as the package's version and opens Chromium on it, not logged in. */
export async function openBrowser(options: SeedOptions & { version?: string } = {}): Promise<InBrowser> {
  const browser = findChromium();
  if ('problem' in browser) throw new Error(browser.problem);
  const { store, dispose } = temporaryStore();
  const seeded = await seed(store, options);
  const version = options.version ?? VERSION;
  const server: RegistryServer = await serveRegistry(store, { port: 0, version, fallback: webInterface(store, { version }) });
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: VIEWPORT,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(5000);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  if (UPDATE_SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    store,
    seeded,
    base: server.url.replace(/\/MAAS$/, ''),
    context,
    page,
    dialogs,
    async close() {
      await context.close();
      await server.close();
      dispose();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs the seeded user in through the login page. */
export async function logIn(browser: InBrowser): Promise<void> {
  const { page, base, seeded } = browser;
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill(seeded.username);
  await page.getByLabel('Password').fill(seeded.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Machines' }).waitFor();
}

/** Saves the page for the README, when the run was asked to (UPDATE_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (UPDATE_SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), ...options });
}

/** Runs `check` with the page at `width` × `height`, then puts the usual viewport back. */
export async function atViewport<T>(page: Page, size: { width: number; height: number }, check: () => Promise<T>): Promise<T> {
  await page.setViewportSize(size);
  try {
    return await check();
  } finally {
    await page.setViewportSize(VIEWPORT);
  }
}

/** Whether the page scrolls sideways: its content wider than the window. */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.locator('html').evaluate((element) => element.scrollWidth > element.ownerDocument.defaultView!.innerWidth);
}

/** An element's text as shown (hidden parts left out) and the offsets in it where a new line starts. */
export interface Lines {
  readonly text: string;
  readonly breaks: readonly number[];
}

/** Where the browser broke the text of each element `locator` matches into lines. */
export function lineBreaks(locator: Locator): Promise<Lines[]> {
  return locator.evaluateAll((elements) =>
    elements.map((element) => {
      const walker = element.ownerDocument.createTreeWalker(element, 4 /* NodeFilter.SHOW_TEXT */);
      const range = element.ownerDocument.createRange();
      let text = '';
      const breaks: number[] = [];
      let previous: { top: number; bottom: number } | undefined;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let index = 0; index < node.textContent!.length; index++) {
          range.setStart(node, index);
          range.setEnd(node, index + 1);
          const box = range.getBoundingClientRect();
          if (box.width === 0 && box.height === 0) continue; // hidden, or whitespace that collapsed
          // A character that starts below the bottom of the one before it is on a new line.
          if (previous && box.top >= previous.bottom - 2) breaks.push(text.length);
          text += node.textContent![index];
          previous = box;
        }
      }
      return { text, breaks };
    }),
  );
}
