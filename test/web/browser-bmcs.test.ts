// The BMCs page in a real headless Chromium: every BMC swept, failing ones first, sorted by a
// column, long messages and fingerprints folded and opened in place, discovery's silent addresses
// summarised. Saves the README's screenshot of it when asked to (`npm run screenshots`).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bmcState, type Store } from '../../src/registry/index.ts';
import { atViewport, lineBreaks, logIn, openBrowser, screenshot, scrollsSideways, type InBrowser, type Lines } from './browser-harness.ts';
import type { Seeded } from './seed.ts';

let browser: InBrowser;
let store: Store;
let base: string;
let seeded: Seeded;
let page: Page;

beforeAll(async () => {
  browser = await openBrowser({ copies: 7, silentDiscovered: 40 });
  ({ store, base, seeded, page } = browser);
  await logIn(browser);
});

afterAll(async () => {
  await browser?.close();
});

/** The BMCs that answered: every machine's and the one where nothing answers. */
const answeringBmcs = () => new Set(seeded.machines.map((entry) => entry.address)).size + 1;
const bmcRow = (address: string) => page.locator('table.bmcs tbody tr', { hasText: address });

/** Hex pairs joined by colons, as fingerprints (and MACs) are written. */
const BYTES = /[0-9A-F]{2}(?::[0-9A-F]{2}){5,}/gi;

/** The text has fingerprints that the browser had to break, and broke each only right after a colon. */
function expectBreaksBetweenBytes(elements: readonly Lines[]): void {
  expect(elements).toHaveLength(1);
  const { text, breaks } = elements[0]!;
  const inside = [...text.matchAll(BYTES)].flatMap((run) => breaks.filter((offset) => offset > run.index && offset < run.index + run[0].length));
  expect(inside.length, text).toBeGreaterThan(0);
  // Each break mid-byte as "…3A:5|E:0…".
  expect(inside.filter((offset) => text[offset - 1] !== ':').map((offset) => `…${text.slice(offset - 4, offset)}|${text.slice(offset, offset + 4)}…`), text).toEqual([]);
}

describe('the BMCs page in a browser', () => {
  it("lists every BMC with its last outcome, error class, TLS mode and pinned certificate, failing ones first", async () => {
    await page.goto(`${base}/bmcs`);
    const rows = page.locator('table.bmcs tbody tr');
    expect(await rows.count()).toBe(answeringBmcs());
    // The three failing (a password changed, a certificate changed, nothing answering) come first.
    const outcomes = await rows.locator('td:nth-child(3)').allInnerTexts();
    expect(outcomes.slice(0, 4).map((outcome) => outcome.split(' ')[0])).toEqual(['failed', 'failed', 'failed', expect.not.stringMatching(/^failed/)]);
    expect((await rows.locator('td:nth-child(4)').allInnerTexts()).slice(0, 3).sort()).toEqual(['auth', 'tls', 'unreachable']);
    const failing = await bmcRow(seeded.failingBmc).locator('td').allInnerTexts();
    expect(failing.slice(0, 4)).toEqual([seeded.failingBmc, expect.any(String), 'failed', 'auth']);
    expect(failing[9]).toBe(seeded.failing.hostname);
    const dell = bmcRow(seeded.changed.address);
    expect(await dell.locator('td').nth(7).innerText()).toBe('pin');
  });

  it('fits 1400 px without sideways scrolling, every column in view; narrower it leaves out the figures, then the sweep time, and is usable 800 px wide', async () => {
    const all = ['Address', 'Last sweep', 'Outcome', 'Error class', 'Message', 'Requests', 'Duration', 'TLS', 'Pinned certificate', 'Machines'];
    const shown = [
      [1400, all],
      [1100, ['Address', 'Last sweep', 'Outcome', 'Error class', 'Message', 'Machines']],
      [800, ['Address', 'Outcome', 'Message', 'Machines']],
    ] as const;
    for (const [width, columns] of shown) {
      await atViewport(page, { width, height: 1000 }, async () => {
        await page.goto(`${base}/bmcs`);
        expect(await scrollsSideways(page), `${width} px`).toBe(false);
        const wrapper = page.locator('div.scroll:has(table.bmcs)');
        expect(await wrapper.evaluate((element) => element.scrollWidth <= element.clientWidth), `${width} px`).toBe(true);
        const headers = await page.locator('table.bmcs thead th').evaluateAll((elements) => elements.filter((element) => element.getBoundingClientRect().width > 0).map((element) => (element.textContent ?? '').trim().replace(/ [▲▼]$/, '')));
        expect(headers, `${width} px`).toEqual(columns);
        // The failing BMC's machine, in the last column, is inside the table's box.
        const machine = await bmcRow(seeded.failingBmc).locator('td').last().getByRole('link', { name: seeded.failing.hostname }).boundingBox();
        expect(machine!.x + machine!.width, `${width} px`).toBeLessThanOrEqual(await wrapper.evaluate((element) => element.getBoundingClientRect().right));
        expect((await bmcRow(seeded.failingBmc).locator('td').nth(2).innerText()).replace(/\s+/g, ' '), `${width} px`).toBe(width === 800 ? 'failed auth' : 'failed');
        if (width === 1400) await screenshot(page, 'bmcs.png');
      });
    }
  });

  it('folds a long message to its first words and a fingerprint to its first bytes, each opened in place; a fingerprint breaks only between bytes', async () => {
    await page.goto(`${base}/bmcs`);
    const message = bmcRow(seeded.failingBmc).locator('td.message');
    const full = (await message.locator('details').evaluate((element) => element.lastChild!.textContent ?? '')).trim();
    expect(full).toMatch(/^POST \/redfish\/v1\/SessionService\/Sessions was refused with HTTP 401: .{20,}/);
    const short = (await message.innerText()).replace(/ … more$/, '');
    expect(await message.innerText()).toBe(`${short} … more`);
    expect(short.length).toBeLessThan(full.length - 10);
    // Cut between words, never inside one.
    expect(full.startsWith(short) && full[short.length] === ' ').toBe(true);
    await message.locator('summary').click();
    expect((await message.innerText()).replace(/\s+/g, ' ')).toBe(`less ${full}`);

    const pinned = bmcState(store, seeded.changed.address)!.pinnedFingerprint!;
    const cell = bmcRow(seeded.changed.address).locator('td.fingerprint');
    expect(await cell.innerText()).toBe(`${pinned.split(':').slice(0, 4).join(':')} …`);
    await cell.locator('summary').click();
    const code = cell.locator('code.full');
    expect((await code.innerText()).replace(/\s/g, '')).toBe(pinned);
    // Where the browser broke the lines: each break comes right after a colon.
    const [lines] = await lineBreaks(code);
    expect(lines!.breaks.length).toBeGreaterThan(0);
    expect(new Set(lines!.breaks.map((offset) => lines!.text[offset - 1]))).toEqual(new Set([':']));
  });

  it("breaks a certificate fingerprint in a BMC's message only between bytes, on the BMCs page and the machine page, 1400 and 800 px wide", async () => {
    const address = seeded.rekeyed.address;
    for (const width of [1400, 800]) {
      await atViewport(page, { width, height: 1000 }, async () => {
        await page.goto(`${base}/bmcs?q=${encodeURIComponent(address)}`);
        const message = bmcRow(address).locator('td.message');
        await message.locator('summary').click();
        expect(await message.innerText()).toMatch(/certificate changed since it was pinned: pinned 5E:0F:93:[\s\S]*, presented /);
        expectBreaksBetweenBytes(await lineBreaks(message.locator('details')));
        await page.goto(`${base}/machines/${seeded.rekeyed.systemId}`);
        expectBreaksBetweenBytes(await lineBreaks(page.locator('dl.facts dd', { hasText: 'certificate changed' })));
      });
    }
  });

  it('sorts the BMCs by a column, ascending then descending', async () => {
    await page.goto(`${base}/bmcs`);
    const durations = async () => (await page.locator('table.bmcs tbody tr td:nth-child(7)').allInnerTexts()).map((text) => (text.endsWith(' s') ? Number.parseFloat(text) * 1000 : Number.parseFloat(text)));
    await page.getByRole('link', { name: 'Duration', exact: true }).click();
    const ascending = await durations();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toBe('Duration ▲');
    await page.getByRole('link', { name: 'Duration ▲' }).click();
    const descending = await durations();
    expect(descending).toEqual([...ascending].sort((a, b) => b - a));
    await page.getByRole('link', { name: 'Address', exact: true }).click();
    const addresses = await page.locator('table.bmcs tbody tr td:first-child code').allInnerTexts();
    expect(addresses).toEqual([...addresses].sort());
  });

  it("sums up a discovery range's addresses that did not answer in one line, and lists them on request", async () => {
    await page.goto(`${base}/bmcs`);
    expect(await page.locator('p.silent').innerText()).toBe('40 addresses of discovery ranges did not answer at their last sweep. List them');
    expect(await page.locator('table.bmcs tbody tr', { hasText: '127.0.3.' }).count()).toBe(0);
    await page.getByRole('link', { name: 'List them' }).click();
    const rows = page.locator('table.bmcs tbody tr');
    expect(await rows.count()).toBe(40);
    for (const outcome of await rows.locator('td:nth-child(3)').allInnerTexts()) expect(outcome).toBe('skipped');
  });

});
