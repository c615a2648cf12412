// The machine listing and the machine page in a real headless Chromium: log in, read a fleet of
// 57 machines after two sweeps — one line each, 25 or more on a screen, usable at 800 px — filter
// by MAC and by vendor, open a machine, release it. The BMCs page is browser-bmcs.test.ts; hostile
// strings, CSRF and logging out are browser-security.test.ts.
// Saves the screenshots the README shows when asked to (`npm run screenshots`): an ordinary test run
// leaves the checkout as it was.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMachine, registerMachine, type Store } from '../../src/registry/index.ts';
import { createUser } from '../../src/registry/users.ts';
import * as format from '../../src/web/format.ts';
import { atViewport, lineBreaks, openBrowser, screenshot, scrollsSideways, type InBrowser } from './browser-harness.ts';
import type { Seeded, SeededMachine } from './seed.ts';

let browser: InBrowser;
let store: Store;
let base: string;
let seeded: Seeded;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await openBrowser({ copies: 7, silentDiscovered: 40 });
  ({ store, base, seeded, context, page } = browser);
});

afterAll(async () => {
  await browser?.close();
});

const machine = (tree: string): SeededMachine => seeded.machines.find((entry) => entry.tree === tree)!;
/** The BMCs that answered: every machine's and the one where nothing answers. */
const answeringBmcs = () => new Set(seeded.machines.map((entry) => entry.address)).size + 1;
const rowOf = (hostname: string) => page.locator('table.machines tbody tr', { has: page.getByRole('link', { name: hostname, exact: true }) });

describe('the machine listing and the machine page in a browser', () => {
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

  it('lists every swept machine with its CPU, memory and storage as MAAS shows them, its MACs and BMC health', async () => {
    await page.goto(`${base}/?size=100`);
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
    expect(cells[6]).toBe(`${dell.inventory.cpus.length} × ${cores / dell.inventory.cpus.length} · ${threads} threads`);
    // MAAS's conventions: memory in GiB, disks and storage in decimal GB/TB.
    expect(cells[7]).toBe(format.memory(dell.inventory.memory.totalMiB));
    expect(cells[7]).toMatch(/^\d+ GiB$/);
    expect(cells[8]).toBe(format.size(dell.inventory.drives.reduce((sum, drive) => sum + drive.sizeBytes, 0)));
    expect(cells[8]).toMatch(/^\d+(\.\d+)? TB$/);
    expect(cells[9]).toBe(String(dell.inventory.drives.length));
    expect(cells[12]).toBe('incomplete'); // its firmware inventory answered 503 at the second sweep
    expect(await rowOf(machine('lenovo-sr650v2-xcc').hostname).locator('td').last().innerText()).toBe('ok');
    expect(await rowOf(seeded.failing.hostname).locator('td').last().innerText()).toBe('failing (auth)');
    expect(await rowOf(seeded.rekeyed.hostname).locator('td').last().innerText()).toBe('failing (tls)');
    const summary = page.getByRole('region', { name: 'Fleet summary' });
    await expect.poll(() => summary.innerText()).toContain(`Deployed ${seeded.machines.length}`);
    expect(await summary.innerText()).toMatch(new RegExp(`3\\s+BMCs failing of ${answeringBmcs()}\\s+9 incomplete$`));
  });

  it("shows one line per machine, its first MAC and +N with every MAC on hover, and 25 or more machines at 1400×1000", async () => {
    await atViewport(page, { width: 1400, height: 1000 }, async () => {
      await page.goto(`${base}/`);
      const rows = page.locator('table.machines tbody tr');
      const heights = await rows.evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().height));
      const line = await page.locator('table.machines tbody td a.host').first().evaluate((element) => Number.parseFloat(element.ownerDocument.defaultView!.getComputedStyle(element).lineHeight));
      for (const height of heights) expect(height).toBeLessThan(line * 1.9);
      const visible = await rows.evaluateAll((elements) => elements.filter((element) => element.getBoundingClientRect().bottom <= element.ownerDocument.defaultView!.innerHeight).length);
      expect(visible).toBeGreaterThanOrEqual(25);
      // Every column in view, the BMC health badges too: nothing cut at the right edge.
      const wrapper = page.locator('div.scroll:has(table.machines)');
      expect(await wrapper.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      const badge = await rowOf(seeded.failing.hostname).locator('td').last().locator('.badge').boundingBox();
      expect(badge!.x + badge!.width).toBeLessThanOrEqual(await wrapper.evaluate((element) => element.getBoundingClientRect().right) - 4);
      const dell = seeded.changed;
      const macs = rowOf(dell.hostname).locator('td.macs');
      expect(await macs.innerText()).toBe(`${[...dell.macs].sort()[0]} +${dell.macs.length - 1}`);
      expect((await macs.getAttribute('title'))!.split('\n').sort()).toEqual([...dell.macs].sort());
      // Vendor and model cut to the column, whole on hover.
      expect(await rowOf(dell.hostname).locator('td.vendor').getAttribute('title')).toBe('Dell Inc. PowerEdge R750');
      // The footer names the version served, the package's (the README's screenshots show it).
      const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      expect(await page.locator('footer').innerText()).toContain(`redfish-enlist ${version} · `);
      await screenshot(page, 'machines.png');
    });
  });

  it('shows the summary strip on one line at 1400×1000, with machines in three statuses and every vendor', async () => {
    const moved = [machine('cisco-c220m5-cimc'), machine('huawei-2288hv5-ibmc')];
    store.run('UPDATE machines SET status = 4 WHERE system_id = ?', moved[0]!.systemId); // Ready
    store.run('UPDATE machines SET status = 8 WHERE system_id = ?', moved[1]!.systemId); // Broken
    try {
      await atViewport(page, { width: 1400, height: 1000 }, async () => {
        await page.goto(`${base}/`);
        const summary = page.getByRole('region', { name: 'Fleet summary' });
        expect(await summary.locator('a.chip').allInnerTexts()).toEqual(expect.arrayContaining(['Deployed 55', 'Ready 1', 'Broken 1', 'Dell Inc. 7', 'Supermicro 8']));
        expect(await summary.locator('a.chip').count()).toBe(3 + 8); // three statuses, the eight fixtures' vendors
        // Every part of it on the line the first is on.
        const boxes = await summary.locator('.total, a.chip, a.bmc-health').evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect()).map(({ top, bottom }) => ({ top, bottom })));
        for (const box of boxes) expect(box.top).toBeLessThan(boxes[0]!.bottom);
      });
    } finally {
      for (const entry of moved) store.run('UPDATE machines SET status = 6 WHERE system_id = ?', entry.systemId);
    }
  });

  it('is usable 800 px wide: no sideways scrolling, host name, status, sizes and BMC health in view', async () => {
    await atViewport(page, { width: 800, height: 1000 }, async () => {
      await page.goto(`${base}/`);
      expect(await page.locator('html').evaluate((element) => element.scrollWidth)).toBeLessThanOrEqual(800);
      const wrapper = page.locator('div.scroll:has(table.machines)');
      expect(await wrapper.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      const headers = await page.locator('table.machines thead th').evaluateAll((elements) => elements.filter((element) => element.getBoundingClientRect().width > 0).map((element) => (element.textContent ?? '').trim().replace(/ [▲▼]$/, '')));
      expect(headers).toEqual(expect.arrayContaining(['Host name', 'Status', 'Vendor / model', 'Memory', 'Storage', 'BMC']));
      expect(await rowOf(seeded.failing.hostname).locator('td').last().innerText()).toBe('failing (auth)');
      // The lock column is gone at this width: a locked machine says so beside its status.
      const lenovo = machine('lenovo-sr650v2-xcc');
      store.run('UPDATE machines SET locked = 1 WHERE system_id = ?', lenovo.systemId);
      await page.goto(`${base}/?q=${lenovo.hostname}`);
      expect(await rowOf(lenovo.hostname).locator('td').nth(1).innerText()).toBe('Deployed locked');
      store.run('UPDATE machines SET locked = 0 WHERE system_id = ?', lenovo.systemId);
    });
  });

  it('filters by vendor from the summary strip, "Unknown" for machines without one, and clears the filter on a second click', async () => {
    const admin = createUser(store, 'registrar', { admin: true });
    const { row } = registerMachine(store, { hostname: 'no-hardware-yet', architecture: 'amd64', macAddresses: ['52:54:00:aa:bb:01'], powerType: 'manual' }, admin);
    await page.goto(`${base}/`);
    const summary = page.getByRole('region', { name: 'Fleet summary' });
    await summary.getByRole('link', { name: /^Unknown 1$/ }).click();
    await expect.poll(() => page.locator('table.machines tbody tr').count()).toBe(1);
    expect(await page.locator('table.machines tbody tr a.host').innerText()).toBe('no-hardware-yet');
    expect(await rowOf('no-hardware-yet').locator('td.vendor').innerText()).toBe('no hardware information yet');
    expect(await rowOf('no-hardware-yet').locator('td').nth(6).innerText()).toBe('—');
    await summary.getByRole('link', { name: /^Unknown 1$/ }).click();
    await expect.poll(() => page.locator('table.machines tbody tr').count()).toBe(50);
    await summary.getByRole('link', { name: /^Dell Inc\. 7$/ }).click();
    await expect.poll(() => page.locator('table.machines tbody tr').count()).toBe(7);
    for (const vendor of await page.locator('table.machines td.vendor').allInnerTexts()) expect(vendor).toBe('Dell Inc. PowerEdge R750');
    expect(await summary.locator('a.chip.chosen').innerText()).toBe('Dell Inc. 7');
    // The machine page says there is nothing yet, rather than "CPU: 0 threads".
    await page.goto(`${base}/machines/${row.system_id}`);
    const hardware = await page.locator('section.panel', { has: page.getByRole('heading', { name: 'Hardware', exact: true }) }).innerText();
    expect(hardware).toContain('No hardware information yet');
    expect(hardware).not.toMatch(/0 threads|0 disks/);
    expect(hardware).toContain('52:54:00:aa:bb:01');
    store.run('DELETE FROM machines WHERE id = ?', row.id);
  });

  it("shows a section the BMC would not give as unknown with its cause, never as 0 disks: Supermicro's licence-gated storage is \"unknown: licence\"", async () => {
    const supermicro = machine('supermicro-x12dpt-bmc');
    await page.goto(`${base}/?q=${supermicro.hostname}`);
    const row = rowOf(supermicro.hostname);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[8]).toBe('unknown: licence');
    expect(cells[9]).toBe('?'); // the disk count, whose cause is on hover
    expect(cells[12]).toBe('incomplete');
    expect(await row.locator('td .unknown').first().getAttribute('title')).toMatch(/^storage unknown: licence at \/redfish\/v1\/Systems\/1\/Storage/);
    expect(await row.locator('td').last().locator('a').getAttribute('title')).toMatch(/storage unknown: licence at .*\nfirmware unknown: licence at/);
    await page.getByRole('link', { name: supermicro.hostname, exact: true }).click();
    await page.getByRole('heading', { name: 'Hardware history' }).waitFor();
    const hardware = await page.locator('section.panel', { hasText: 'Hardware' }).last().innerText();
    expect(hardware).toMatch(/Storage unknown: licence at \/redfish\/v1\/Systems\/1\/Storage — the last sweep could not read it\./);
    expect(hardware).not.toMatch(/0 disks/);
    expect(await page.locator('dl.facts', { hasText: 'Unknown sections' }).innerText()).toMatch(/storage unknown: licence at/);
    // A section kept from the last sweep says whose figures are shown.
    await page.goto(`${base}/machines/${seeded.changed.systemId}`);
    expect(await page.locator('p.unknown-note').innerText()).toMatch(/^Firmware unknown: server at \/redfish\/v1\/UpdateService\/FirmwareInventory — showing what the sweep of .* UTC read\.$/);
    // The BMCs page names what each incomplete BMC could not read; the summary strip counts them.
    await page.goto(`${base}/bmcs?q=${encodeURIComponent(supermicro.address)}`);
    const bmc = await page.locator('table.bmcs tbody tr').first().locator('td').allInnerTexts();
    expect(bmc[2]).toMatch(/^unchanged incomplete/);
    expect(bmc[4]).toMatch(/^storage unknown: licence at/);
    await page.goto(`${base}/`);
    expect(await page.getByRole('region', { name: 'Fleet summary' }).innerText()).toMatch(/\b9 incomplete$/);
  });

  it("shows a machine first read with its memory and CPUs unknown as unknown with the cause: the summary's total but no DIMM count, its threads but no cores", async () => {
    const late = seeded.memoryUnknown;
    await page.goto(`${base}/machines/${late.systemId}`);
    const history = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Hardware history' }) });
    expect(await history.locator('p').innerText()).toBe('No hardware change since the machine was first seen.');
    const hardware = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Hardware', exact: true }) });
    const text = await hardware.innerText();
    expect(text).toContain('Memory unknown: server at /redfish/v1/Systems/1/Memory — the last sweep could not read it.');
    expect(text).toContain("256 GiB in total, as the system's summary gives it; no DIMM is known.");
    expect(text).not.toMatch(/\b0 DIMMs|reported only a total/);
    expect(await hardware.locator('table.dimms').count()).toBe(0);
    expect(text).toContain('CPU unknown: server at /redfish/v1/Systems/1/Processors — the last sweep could not read it.');
    // The summary counts sockets and threads, not cores: none is made up (MAAS's document lists
    // unknown cores one per thread).
    expect(text).toMatch(/Intel\(R\) Xeon\(R\) Silver 4314 CPU: 2 sockets, cores unknown, 64 threads\b/);
    expect(text).not.toMatch(/\d+ cores/);
    // The listing marks the figures it has from the summaries, and says why on hover.
    await page.goto(`${base}/?q=${late.hostname}`);
    const memory = rowOf(late.hostname).locator('td').nth(7);
    expect(await memory.innerText()).toBe('256 GiB ⚠');
    expect(await memory.locator('.unknown').getAttribute('title')).toBe('memory unknown: server at /redfish/v1/Systems/1/Memory');
    expect(await rowOf(late.hostname).locator('td').nth(6).innerText()).toBe('64 threads ⚠');
  });

  it("names an OpenBMC machine's DIMMs apart, from their labels, where the BMC calls every one \"DIMM Slot\"", async () => {
    await page.goto(`${base}/machines/${machine('openbmc-altra-bmcweb').systemId}`);
    const slots = await page.locator('table.dimms tbody tr td:first-child').allInnerTexts();
    expect(slots.length).toBeGreaterThan(1);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots).toContain('DIMM A0');
    expect(slots).not.toContain('DIMM Slot');
  });

  it('finds exactly one machine by a MAC typed as on a label', async () => {
    const lenovo = machine('lenovo-sr650v2-xcc');
    await page.goto(`${base}/`);
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
    await screenshot(page, 'machine.png', { fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download 50-maas-01-commissioning/ }).click()]);
    const document = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { api_version: string; resources: { memory: { total: number } } };
    expect(document.api_version).toBe('1.0');
    expect(document.resources.memory.total).toBe(dell.inventory.memory.totalMiB * 1024 * 1024);
  });

  it('keeps every MAC and serial on a machine page 800 px wide on one line, with no sideways scrolling', async () => {
    await atViewport(page, { width: 800, height: 1000 }, async () => {
      for (const shown of [seeded.changed, machine('supermicro-x12dpt-bmc'), machine('hpe-dl380-gen10-ilo5')]) {
        await page.goto(`${base}/machines/${shown.systemId}`);
        expect(await scrollsSideways(page), shown.tree).toBe(false);
        const macs = await lineBreaks(page.locator('table.nics td:nth-child(2)'));
        expect(macs.map((entry) => entry.text).sort(), shown.tree).toEqual([...shown.macs].sort());
        const serials = await lineBreaks(page.locator('table.disks td:nth-child(3), table.dimms td:last-child, dl.facts dt:text-is("Serial") + dd').filter({ hasText: /./ }));
        expect(serials.length, shown.tree).toBeGreaterThan(1);
        for (const { text, breaks } of [...macs, ...serials]) expect(breaks, `${shown.tree} ${text}`).toEqual([]);
      }
    });
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

});
