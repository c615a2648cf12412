// What the three pages show after real (simulated) sweeps, read from the server-rendered HTML cell
// by cell: machine identity, CPUs, NICs, disks and last sweep; the BMCs page's figures and its
// configured BMCs; the listing's Lock and "Hardware updated" columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bmcState, findMachine, listBmcStates, serveRegistry, type RegistryServer, type Store, type User } from '../../src/registry/index.ts';
import { actionNamed, createSession, performAction, webInterface, type ConfiguredBmc } from '../../src/web/index.ts';
import { DEFAULT_BMC_QUERY, parseBmcQuery } from '../../src/web/bmcs-page.ts';
import * as format from '../../src/web/format.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { factsOf, tableRows, textOf } from './page-html.ts';
import { seed, type Seeded, type SeededMachine } from './seed.ts';

let store: Store;
let admin: User;
let dispose: () => void;
let server: RegistryServer;
let seeded: Seeded;
let cookie: string;
// The registry's clock runs this far ahead of the sweeps once they are done, so "ago" figures are known.
let offsetMs = 0;
const SPARE: ConfiguredBmc = { name: 'spare-r750-rack-c', address: 'https://10.20.30.40', tls: 'ca' };
const configured = (): ConfiguredBmc[] => [...seeded.machines.map((machine) => ({ name: `bmc-${machine.tree}`, address: machine.address, tls: 'pin' as const })), SPARE];

beforeAll(async () => {
  ({ store, admin, dispose } = temporaryStore(() => new Date(Date.now() + offsetMs)));
  seeded = await seed(store);
  offsetMs = (3 * 60 + 5) * 60_000;
  server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store, { configuredBmcs: configured }) });
  cookie = `rfe-session=${createSession(store, admin).id}`;
});
afterAll(async () => {
  await server?.close();
  dispose?.();
});

async function page(path: string): Promise<string> {
  const answer = await fetch(`${server.url.replace(/\/MAAS$/, '')}${path}`, { headers: { cookie }, redirect: 'manual' });
  expect(answer.status, path).toBe(200);
  const text = await answer.text();
  expect(text, path).not.toContain(seeded.bmcPassword);
  return text;
}

const byTree = (tree: string): SeededMachine => seeded.machines.find((machine) => machine.tree === tree)!;
const machinePage = (machine: SeededMachine) => page(`/machines/${machine.systemId}`);

describe('the machine page', () => {
  it("shows each machine's UUID, serial, service tag, asset tag and BMC address as its BMC reported them", async () => {
    for (const machine of seeded.machines) {
      const identity = factsOf(await machinePage(machine), 'Identity');
      const id = machine.inventory.identity;
      expect(identity['Hardware UUID']?.toLowerCase(), machine.tree).toBe(id.uuid!.toLowerCase());
      expect(identity.Serial, machine.tree).toBe(id.serial);
      expect(identity['Service tag'], machine.tree).toBe(id.serviceTag ?? '—');
      expect(identity['Asset tag'], machine.tree).toBe(id.assetTag ?? machine.inventory.chassis.assetTag ?? '—');
      expect(identity['BMC address'], machine.tree).toBe(machine.address);
    }
    expect(factsOf(await machinePage(byTree('dell-r750-idrac9')), 'Identity')['Service tag']).toMatch(/^\w{7}$/);
    expect(factsOf(await machinePage(byTree('hpe-dl380-gen10-ilo5')), 'Identity')['Asset tag']).toMatch(/^HPC-RACK/);
  });

  it('lists every CPU socket with its model, cores, threads and speed, a turbo figure alone as the maximum', async () => {
    // The machine added late, whose Processors could not be read, has the summary's figures only.
    for (const machine of seeded.machines.filter((entry) => !entry.inventory.sections.cpu.unknown)) {
      const rows = tableRows(await machinePage(machine), { after: '<h3>CPU</h3>' }).map((row) => row.text);
      expect(rows, machine.tree).toEqual(
        machine.inventory.cpus.map((cpu) => ({ Socket: cpu.socket, Model: cpu.model ?? '', Cores: String(cpu.cores), Threads: String(cpu.threads), Speed: cpu.speedMHz ? `${cpu.speedMHz} MHz` : `max ${cpu.maxSpeedMHz} MHz` })),
      );
    }
    const hpe = tableRows(await machinePage(byTree('hpe-dl380-gen10-ilo5')), { after: '<h3>CPU</h3>' });
    expect(hpe.map((row) => row.text.Speed)).toEqual(['max 4000 MHz', 'max 4000 MHz']);
    const dell = tableRows(await machinePage(byTree('dell-r750-idrac9')), { after: '<h3>CPU</h3>' });
    expect(dell.map((row) => row.text.Cores)).toEqual(['28', '28']);
  });

  it("lists each network port's MAC, speed and link, a port without link as down", async () => {
    const dell = byTree('dell-r750-idrac9');
    const rows = tableRows(await machinePage(dell), { className: 'nics' }).map((row) => row.text);
    const ports = dell.inventory.nics.flatMap((nic) => nic.ports);
    expect(rows.map((row) => row.MAC).sort()).toEqual(ports.map((port) => port.mac).sort());
    for (const port of ports) {
      const row = rows.find((entry) => entry.MAC === port.mac)!;
      expect(row.Link, port.mac).toBe(port.link === 'up' ? 'up' : 'down');
      expect(row.Speed, port.mac).toBe(format.speed((port.speedMbps ?? port.maxSpeedMbps)!));
    }
    expect(rows.filter((row) => row.Link === 'down')).toHaveLength(1);
    expect(new Set(rows.map((row) => row.Speed))).toEqual(new Set(['25 Gb/s', '10 Gb/s']));
  });

  it('shows each disk with its serial, size and media, including the disk replaced since the first sweep', async () => {
    const dell = byTree('dell-r750-idrac9');
    const rows = tableRows(await machinePage(dell), { className: 'disks' }).map((row) => row.text);
    expect(rows).toHaveLength(dell.inventory.drives.length);
    for (const drive of dell.inventory.drives) {
      const row = rows.find((entry) => entry.Serial === drive.serial)!;
      expect(row.Size, drive.serial).toBe(format.size(drive.sizeBytes));
      expect(row.Media, drive.serial).toMatch(new RegExp(`^${drive.media === 'ssd' ? 'SSD' : 'HDD'} · ${drive.protocol!.toUpperCase()}`));
    }
    expect(rows.find((row) => row.Serial?.startsWith('REPL'))).toMatchObject({ Size: '480.1 GB', Media: 'SSD · SATA' });
    expect(rows.filter((row) => row.Size === '1.20 TB').map((row) => row.Media)).toEqual(['HDD · SAS · 10000rpm', 'HDD · SAS · 10000rpm']);
  });

  it("shows the last sweep's outcome, and for a failed one its error class and message", async () => {
    const failed = factsOf(await machinePage(byTree('hpe-dl380-gen10-ilo5')), 'Last sweep');
    expect(failed).toMatchObject({ Outcome: 'failed', 'Error class': 'auth', 'Consecutive failures': '1' });
    expect(failed.Message).toContain('HTTP 401');
    const updated = factsOf(await machinePage(byTree('dell-r750-idrac9')), 'Last sweep');
    // Its firmware inventory answered 503 at the second sweep: updated, and incomplete.
    expect(updated).toMatchObject({ Outcome: 'updated incomplete', 'Error class': '—', Message: '—', 'Consecutive failures': '0' });
    expect(updated['Unknown sections']).toMatch(/^firmware unknown: server at \/redfish\/v1\/UpdateService\/FirmwareInventory \(showing the sweep of \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    const complete = factsOf(await machinePage(byTree('lenovo-sr650v2-xcc')), 'Last sweep');
    expect(complete).toMatchObject({ Outcome: 'unchanged', 'Unknown sections': '—' });
  });
});

describe('the BMCs page', () => {
  it('reads its sort from the URL and falls back to failing-first for anything it does not know', () => {
    expect(parseBmcQuery(new URLSearchParams('sort=duration&dir=desc&silent=1'))).toMatchObject({ sort: 'duration', descending: true, silentOnly: true });
    expect(parseBmcQuery(new URLSearchParams('sort=address;DROP TABLE bmc_state'))).toEqual(DEFAULT_BMC_QUERY);
    expect(parseBmcQuery(new URLSearchParams('sort=constructor'))).toEqual(DEFAULT_BMC_QUERY);
  });

  it("shows each BMC's own request count, bytes and duration", async () => {
    const rows = tableRows(await page('/bmcs'), { className: 'bmcs' });
    expect(rows).toHaveLength(listBmcStates(store).length);
    for (const row of rows) {
      const last = bmcState(store, textOf(row.markup.Address!.replace(/<div class="sub">[\s\S]*<\/div>/, '')))!.last!;
      expect(row.text.Requests, row.text.Address).toBe(`${last.requests} ${format.transferred(last.bytes)}`);
      expect(row.text.Duration, row.text.Address).toBe(format.duration(last.ms));
    }
    const hpe = rows.find((row) => row.text.Address!.startsWith(seeded.failingBmc))!;
    expect(hpe.text.Requests).toMatch(/^2 \d+ B$/);
    expect(hpe.text.Duration).toMatch(/^\d+ ms$/);
  });

  it('names configured BMCs and lists a configured BMC that was never swept, with its TLS mode', async () => {
    const text = await page('/bmcs');
    const dell = tableRows(text, { className: 'bmcs' }).find((row) => row.text.Address!.startsWith(byTree('dell-r750-idrac9').address))!;
    expect(dell.text.Address).toBe(`${byTree('dell-r750-idrac9').address} bmc-dell-r750-idrac9`);
    expect(tableRows(text, { className: 'configured' }).map((row) => row.text)).toEqual([{ Name: SPARE.name, Address: SPARE.address, TLS: 'ca', 'Last sweep': 'never' }]);
    expect(text).toContain('Configured, never swept (1)');
  });

  it('narrows the never-swept list with the address filter, and hides it when showing failing BMCs only', async () => {
    expect(await page('/bmcs?q=10.20.30')).toContain(SPARE.address);
    expect(await page('/bmcs?q=spare-r750')).toContain(SPARE.address);
    expect(await page('/bmcs?q=127.0.0.1')).not.toContain(SPARE.address);
    expect(await page('/bmcs?failing=1')).not.toContain(SPARE.address);
  });
});

describe('the machine listing', () => {
  it('marks a locked machine in the Lock column, and only that one', async () => {
    const lenovo = byTree('lenovo-sr650v2-xcc');
    performAction(store, lenovo.systemId, actionNamed('lock')!, admin);
    const rows = tableRows(await page('/'), { className: 'machines' });
    expect(rows).toHaveLength(seeded.machines.length);
    const locked = rows.filter((row) => row.text.Lock === 'locked').map((row) => row.text['Host name']);
    expect(locked).toEqual([expect.stringContaining(lenovo.hostname)]);
    performAction(store, lenovo.systemId, actionNamed('unlock')!, admin);
    expect(tableRows(await page('/'), { className: 'machines' }).filter((row) => row.text.Lock !== '')).toEqual([]);
  });

  it('shows when each machine\'s hardware was last updated, as a time and how long ago', async () => {
    // One machine whose hardware has not been pushed for two days, the rest from the sweeps.
    const stale = byTree('cisco-c220m5-cimc');
    const twoDays = new Date(store.now().getTime() - 2 * 86_400_000 - 60_000).toISOString();
    store.run('UPDATE machines SET last_sync = ? WHERE system_id = ?', twoDays, stale.systemId);
    const rows = tableRows(await page('/'), { className: 'machines' });
    for (const machine of seeded.machines) {
      const row = rows.find((entry) => entry.text['Host name']!.startsWith(`${machine.hostname} `))!;
      expect(row.markup['Hardware updated'], machine.tree).toContain(`datetime="${findMachine(store, machine.systemId)!.last_sync}"`);
      expect(row.text['Hardware updated'], machine.tree).toBe(machine === stale ? '2 days ago' : '3 h ago');
    }
  });

  it('keeps showing a released machine’s hardware and when it was last updated, though its MAAS fields no longer say it syncs', async () => {
    const released = byTree('huawei-2288hv5-ibmc');
    performAction(store, released.systemId, actionNamed('release')!, admin);
    const row = tableRows(await page('/'), { className: 'machines' }).find((entry) => entry.text['Host name']!.startsWith(`${released.hostname} `))!;
    expect(row.text.Status).toBe('Ready');
    expect(row.text['Hardware updated']).toBe('3 h ago');
    expect(row.text['Vendor / model']).toMatch(/Huawei/);
    expect(row.text.CPU).not.toBe('—');
    expect(await machinePage(released)).not.toContain('No hardware information yet');
  });
});
