// The web interface end to end in a real headless Chromium (Debian's, driven by playwright-core):
// log in, read the fleet after a sweep, filter, open a machine, release it, hostile names, CSRF.
// Saves the screenshots the README shows when asked to (`npm run screenshots`): an ordinary test run
// leaves the checkout as it was.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMachine, registerMachine, serveRegistry, type RegistryServer, type Store } from '../../src/registry/index.ts';
import { createUser } from '../../src/registry/users.ts';
import * as format from '../../src/web/format.ts';
import { webInterface } from '../../src/web/index.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { findChromium } from '../helpers/chromium.ts';
import { HOSTILE, seed, type Seeded, type SeededMachine } from './seed.ts';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

let store: Store;
let dispose: () => void;
let server: RegistryServer;
let base: string;
let seeded: Seeded;
let profile: string;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  const browser = findChromium();
  if ('problem' in browser) throw new Error(browser.problem);
  ({ store, dispose } = temporaryStore());
  seeded = await seed(store);
  server = await serveRegistry(store, { port: 0, version: '0.1.0-test', fallback: webInterface(store, { version: '0.1.0-test' }) });
  base = server.url.replace(/\/MAAS$/, '');
  profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 950 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(5000);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  if (UPDATE_SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

/** Saves the page for the README, when the run was asked to (UPDATE_SCREENSHOTS=1). */
async function screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (UPDATE_SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), ...options });
}

afterAll(async () => {
  await context?.close();
  await server?.close();
  dispose?.();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const machine = (tree: string): SeededMachine => seeded.machines.find((entry) => entry.tree === tree)!;
const rowOf = (hostname: string) => page.locator('table.machines tbody tr', { has: page.getByRole('link', { name: hostname, exact: true }) });

describe('the web interface in a browser', () => {
  it('sends a visitor to the login page and lets a user in with the right password only', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('User name').fill(seeded.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong user name or password.');
    await page.getByLabel('Password').fill(seeded.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Machines' }).waitFor();
    const [cookie] = (await context.cookies()).filter((entry) => entry.name === 'rfe-session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
  });

  it('lists every swept machine with its CPU, memory, storage, MACs and BMC health', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('table.machines tbody tr').count()).toBe(seeded.machines.length);
    const dell = seeded.changed;
    const row = rowOf(dell.hostname);
    const cells = await row.locator('td').allInnerTexts();
    const cores = dell.inventory.cpus.reduce((sum, cpu) => sum + cpu.cores, 0);
    const threads = dell.inventory.cpus.reduce((sum, cpu) => sum + cpu.threads, 0);
    expect(cells[1]).toBe('Deployed');
    expect(cells[2]).toBe(seeded.username);
    expect(cells[4]).toBe('redfish');
    expect(cells[5]).toBe('Dell Inc. PowerEdge R750');
    expect(cells[6]).toBe(`${dell.inventory.cpus.length} × ${cores / dell.inventory.cpus.length}\n${threads} threads`);
    expect(cells[7]).toBe(format.memory(dell.inventory.memory.totalMiB));
    expect(cells[8]).toBe(format.size(dell.inventory.drives.reduce((sum, drive) => sum + drive.sizeBytes, 0)));
    expect(cells[9]).toBe(String(dell.inventory.drives.length));
    for (const mac of dell.macs) expect(cells[10]).toContain(mac);
    expect(cells[12]).toBe('ok');
    expect(await rowOf(machine('hpe-dl380-gen10-ilo5').hostname).locator('td').last().innerText()).toBe('failing (auth)');
    const summary = page.getByRole('region', { name: 'Fleet summary' });
    await expect.poll(() => summary.innerText()).toContain(`Deployed ${seeded.machines.length}`);
    expect(await summary.innerText()).toMatch(/2\s+BMCs failing of 10/);
    await screenshot('machines.png', { fullPage: true });
  });

  it('finds exactly one machine by a MAC typed as on a label', async () => {
    const lenovo = machine('lenovo-sr650v2-xcc');
    await page.getByRole('searchbox', { name: 'Filter' }).fill(lenovo.macs[0]!.toUpperCase().replaceAll(':', '-'));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.machines tbody tr').count()).toBe(1);
    expect(await page.locator('table.machines tbody tr a.host').innerText()).toBe(lenovo.hostname);
  });

  it("opens a machine and shows its disks, DIMMs, history and raw document, never the BMC password", async () => {
    const dell = seeded.changed;
    await page.goto(`${base}/?q=${dell.hostname}`);
    await page.getByRole('link', { name: dell.hostname, exact: true }).click();
    await page.getByRole('heading', { name: 'Hardware history' }).waitFor();
    const disks = await page.locator('table.disks tbody tr').allInnerTexts();
    expect(disks).toHaveLength(dell.inventory.drives.length);
    for (const drive of dell.inventory.drives) expect(disks.join('\n')).toContain(drive.serial!);
    expect(await page.locator('table.dimms tbody tr').count()).toBe(dell.inventory.memory.dimms.length);
    const timeline = await page.locator('.timeline').innerText();
    for (const change of seeded.changes) expect(timeline).toContain(change.description);
    expect(timeline).toMatch(/disk sdb replaced/);
    expect(timeline).toMatch(/DIMM\.Socket\.B8 32 GiB removed/);
    const content = await page.content();
    expect(content).toContain(dell.address);
    expect(content).not.toContain(seeded.bmcPassword);
    await screenshot('machine.png', { fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download 50-maas-01-commissioning/ }).click()]);
    const document = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { api_version: string; resources: { memory: { total: number } } };
    expect(document.api_version).toBe('1.0');
    expect(document.resources.memory.total).toBe(dell.inventory.memory.totalMiB * 1024 * 1024);
  });

  it('releases a Deployed machine with passed commissioning to Ready, after a confirmation', async () => {
    const dell = seeded.changed;
    await page.goto(`${base}/machines/${dell.systemId}`);
    await page.getByRole('link', { name: 'Release…' }).click();
    expect(await page.locator('.next-status').innerText()).toBe('Ready');
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').innerText()).toBe(`Release done: ${dell.hostname} is Ready.`);
    expect(await page.locator('h1 .status').innerText()).toBe('Ready');
    expect(findMachine(store, dell.systemId)).toMatchObject({ status: 4, owner: null });
  });

  it('releases a Deployed machine that never had hardware information to New', async () => {
    const admin = createUser(store, 'enlister', { admin: true });
    const { row } = registerMachine(store, { hostname: 'bare-metal-01', architecture: 'amd64', macAddresses: ['52:54:00:12:34:56'], powerType: 'manual' }, admin);
    await page.goto(`${base}/machines/${row.system_id}/actions/release`);
    expect(await page.locator('.next-status').innerText()).toBe('New');
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('h1 .status').innerText()).toBe('New');
  });

  it("refuses an action the lifecycle model does not allow, with MAAS's reason", async () => {
    const lenovo = machine('lenovo-sr650v2-xcc');
    const answer = await page.goto(`${base}/machines/${lenovo.systemId}/actions/mark_fixed`);
    expect(answer?.status()).toBe(409);
    expect(await page.getByRole('alert').innerText()).toBe("Can't mark a non-broken node as 'Ready'.");
    expect(await page.getByRole('button', { name: 'Mark fixed' }).count()).toBe(0);
  });

  it('shows a host name and vendor containing markup as text, running nothing', async () => {
    const hostile = seeded.hostile;
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
    expect(dialogs).toEqual([]);
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

  it("lists every BMC with its last outcome, error class, TLS mode and pinned certificate", async () => {
    await page.goto(`${base}/bmcs`);
    const rows = page.locator('table.bmcs tbody tr');
    expect(await rows.count()).toBe(10);
    const failing = await rows.first().locator('td').allInnerTexts();
    expect(failing.slice(0, 4)).toEqual([seeded.failingBmc, expect.any(String), 'failed', 'auth']);
    expect(failing[4]).toContain('HTTP 401');
    expect(failing[9]).toBe(machine('hpe-dl380-gen10-ilo5').hostname);
    const dell = await page.locator('table.bmcs tbody tr', { hasText: seeded.changed.address }).locator('td').allInnerTexts();
    expect(dell[7]).toBe('pin');
    expect(dell[8]!.replace(/\s/g, '')).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await screenshot('bmcs.png');
  });

  it('logs out with a POST, after which pages ask for a login again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.goto(`${base}/bmcs`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
