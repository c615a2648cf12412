// Hostile input and forged requests in a real headless Chromium: a host name and vendor made of
// markup show as text and run nothing; a change without the session's CSRF token, or from another
// site, is refused; logging out ends the session.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMachine, type Store } from '../../src/registry/index.ts';
import { logIn, openBrowser, type InBrowser } from './browser-harness.ts';
import { HOSTILE, type Seeded, type SeededMachine } from './seed.ts';

let browser: InBrowser;
let store: Store;
let base: string;
let seeded: Seeded;
let page: Page;

beforeAll(async () => {
  browser = await openBrowser({ copies: 1, hostile: true });
  ({ store, base, seeded, page } = browser);
  await logIn(browser);
});

afterAll(async () => {
  await browser?.close();
});

const machine = (tree: string): SeededMachine => seeded.machines.find((entry) => entry.tree === tree)!;

describe('hostile input and forged requests in a browser', () => {
  it('shows a host name and vendor containing markup as text, running nothing', async () => {
    const hostile = seeded.hostile!;
    await page.goto(`${base}/machines/${hostile.systemId}`);
    for (const text of [HOSTILE.vendor, HOSTILE.serial]) expect(await page.getByText(text, { exact: true }).first().isVisible()).toBe(true);
    // The collector never names a machine with markup (a BMC's host name must be a DNS name to be
    // used); force one anyway, as an older or hand-edited database could hold.
    store.run('UPDATE machines SET hostname = ? WHERE system_id = ?', HOSTILE.hostName, hostile.systemId);
    await page.goto(`${base}/machines/${hostile.systemId}`);
    expect(await page.locator('h1').innerText()).toContain(HOSTILE.hostName);
    await page.goto(`${base}/?q=${encodeURIComponent('<script>')}`);
    expect(await page.locator('table.machines tbody tr a.host').innerText()).toBe(HOSTILE.hostName);
    await page.goto(`${base}/`);
    expect(await page.locator('table.machines td.vendor', { hasText: 'Evil & Co' }).innerText()).toBe(`${HOSTILE.vendor} SYS-220BT-HNTR`);
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.title()).toBe('Machines · redfish-enlist');
    expect(browser.dialogs).toEqual([]);
  });

  it('refuses a state-changing request without the CSRF token, or from another origin', async () => {
    const lenovo = machine('lenovo-sr650v2-xcc');
    const url = `${base}/machines/${lenovo.systemId}/actions/lock`;
    const missing = await page.request.post(url, { form: { confirm: 'yes' }, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    expect(await missing.text()).toContain('CSRF');
    const wrong = await page.request.post(url, { form: { confirm: 'yes', csrf: 'forged' }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    await page.goto(`${base}/machines/${lenovo.systemId}/actions/lock`);
    const token = await page.locator('input[name=csrf]').first().getAttribute('value');
    const foreign = await page.request.post(url, { form: { confirm: 'yes', csrf: token! }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
    expect(foreign.status()).toBe(403);
    expect(findMachine(store, lenovo.systemId)!.locked).toBe(0);
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('status').waitFor();
    expect(findMachine(store, lenovo.systemId)!.locked).toBe(1);
  });

  it('logs out with a POST, after which pages ask for a login again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.goto(`${base}/bmcs`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
