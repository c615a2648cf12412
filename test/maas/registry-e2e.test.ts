// The MAAS client, unchanged, against this project's registry server: enlisting a fleet, pushing
// hardware with per-machine tokens, running the import twice, and the example script.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaasClient } from '../../src/maas/client.ts';
import { MaasTarget } from '../../src/maas/target.ts';
import { listMachines } from '../../src/registry/machines.ts';
import { serveRegistry, type RegistryServer } from '../../src/registry/serve.ts';
import type { Store } from '../../src/registry/store.ts';
import { createApiKey, formatApiKey } from '../../src/registry/users.ts';
import type { SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { runSweep, type SweepSettings } from '../../src/sweep/sweep.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs, fixtureFleet } from '../sweep/fleet.ts';

const run = promisify(execFile);
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'redfish-to-maas.ts');
let registry: { store: Store; dispose: () => void; folder: string };
let server: RegistryServer;
let fleet: SimulatedFleet;
let apiKey: string;
let collectorState: { store: Store; dispose: () => void };
const settings: SweepSettings = { concurrency: 4, client: { backoffBaseMs: 5, requestTimeoutMs: 5_000 } };

beforeEach(async () => {
  registry = temporaryStore();
  collectorState = temporaryStore();
  apiKey = formatApiKey(createApiKey(registry.store, registry.store.get<{ id: number; username: string }>('SELECT id, username FROM users')! as never));
  server = await serveRegistry(registry.store, { port: 0, version: 'e2e' });
  fleet = await fixtureFleet(4);
});
afterEach(async () => {
  await fleet.close();
  await server.close();
  registry.dispose();
  collectorState.dispose();
});

describe('the maas target against the registry server', () => {
  it('enlists a fleet as Deployed with hardware, and creates nothing when run again', async () => {
    const target = () => new MaasTarget({ url: server.url, apiKey });
    const first = await runSweep(bmcConfigs(fleet), target(), collectorState.store, settings);
    expect(first.totals).toMatchObject({ created: 4, failed: 0 });
    const machines = listMachines(registry.store);
    expect(machines).toHaveLength(4);
    expect(machines.every((machine) => machine.status === 6 && machine.cpu_count > 0 && machine.power_type === 'redfish')).toBe(true);
    // Each machine's lshw output is kept for op=details, as MAAS keeps it: the registry's script set lists it.
    const lshw = registry.store.all<{ data: Uint8Array }>("SELECT data FROM script_outputs WHERE name = 'maas-lshw'");
    expect(lshw).toHaveLength(4);
    expect(lshw.every((row) => Buffer.from(row.data).toString('utf8').startsWith('<?xml'))).toBe(true);
    // A new collector with no memory of the first run: it must find every machine in MAAS.
    const fresh = temporaryStore();
    try {
      const second = await runSweep(bmcConfigs(fleet), target(), fresh.store, settings);
      expect(second.totals.created).toBe(0);
      expect(second.totals.failed).toBe(0);
      expect(listMachines(registry.store)).toHaveLength(4);
    } finally {
      fresh.dispose();
    }
  });

  it('finds a machine MAAS already knows by one MAC instead of duplicating it', async () => {
    const bmcs = bmcConfigs(fleet).slice(0, 1);
    const dryRun = await runSweep(bmcs, new MaasTarget({ url: server.url, apiKey }), collectorState.store, { ...settings, dryRun: true });
    expect(dryRun.totals.created).toBe(1);
    // Someone enlisted the host by hand earlier, with only one of its MACs.
    const { createMachine } = await import('../../src/registry/machines.ts');
    const { findUser } = await import('../../src/registry/users.ts');
    const inventoryMac = await firstMac(bmcs[0]!.address);
    const existing = createMachine(registry.store, { hostname: 'hand-made', macAddresses: [inventoryMac], architecture: 'amd64', powerType: 'manual', deployed: true }, findUser(registry.store, 'admin')!);
    const report = await runSweep(bmcs, new MaasTarget({ url: server.url, apiKey }), collectorState.store, settings);
    expect(report.totals).toMatchObject({ created: 0, updated: 1 });
    expect(listMachines(registry.store).map((machine) => machine.system_id)).toEqual([existing.system_id]);
  });

  it('pushes with per-machine tokens only once machines are enlisted, holding no admin key', async () => {
    const tokens = mkdtempSync(join(tmpdir(), 'tokens-'));
    try {
      await runSweep(bmcConfigs(fleet), new MaasTarget({ url: server.url, apiKey, credentialsDir: tokens }), collectorState.store, settings);
      const files = readdirSync(tokens);
      expect(files).toHaveLength(4);
      expect(statSync(join(tokens, files[0]!)).mode & 0o777).toBe(0o600);
      // A disk is replaced; the daemon, holding machine tokens only, updates that machine.
      const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
      const drive = '/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.2:Enclosure.Internal.0-1:RAID.Integrated.1-1';
      const body = (await (await fetch(`${dell.url}${drive}`, { headers: { authorization: `Basic ${Buffer.from('admin:redfish').toString('base64')}` } })).json()) as Record<string, unknown>;
      dell.setResource(drive, { ...body, SerialNumber: 'NEWDISK01', Identifiers: [] });
      const report = await runSweep(bmcConfigs(fleet), new MaasTarget({ url: server.url, credentialsDir: tokens }), collectorState.store, settings);
      expect(report.totals).toMatchObject({ updated: 1, unchanged: 3, created: 0, failed: 0 });
      const serials = registry.store.all<{ serial: string }>('SELECT serial FROM block_devices').map((row) => row.serial);
      // (The fleet gives every serial a per-BMC variant; NEWDISK01 keeps its first letters.)
      expect(serials.some((serial) => serial.startsWith('NEW'))).toBe(true);
      expect(serials).not.toContain(body.SerialNumber);
    } finally {
      rmSync(tokens, { recursive: true, force: true });
    }
  });
});

describe('examples/redfish-to-maas.ts', () => {
  it('reads one BMC, creates the machine as Deployed with its hardware, and finds it the second time', async () => {
    const bmc = fleet.bmcs[1]!;
    const env = { ...process.env, MAAS_URL: server.url, MAAS_API_KEY: apiKey, BMC_PASSWORD: bmc.credentials.password, BMC_TLS: 'insecure' };
    const args = ['--conditions=source', EXAMPLE, bmc.url, bmc.credentials.username];
    const first = await run(process.execPath, args, { env });
    expect(first.stdout).toMatch(/^read .*\ncreated (\S+) \((\w+)\) as Deployed\npushed hardware information for \1\n$/);
    const second = await run(process.execPath, args, { env });
    expect(second.stdout).toMatch(/\nfound \S+ \(\w+\), Deployed\npushed hardware information/);
    const machines = listMachines(registry.store);
    expect(machines).toHaveLength(1);
    expect(machines[0]!.cpu_count).toBeGreaterThan(0);
  });

  it('says a machine released since is left alone, and exits 0, instead of a stack trace', async () => {
    const bmc = fleet.bmcs[1]!;
    const env = { ...process.env, MAAS_URL: server.url, MAAS_API_KEY: apiKey, BMC_PASSWORD: bmc.credentials.password, BMC_TLS: 'insecure' };
    const args = ['--conditions=source', EXAMPLE, bmc.url, bmc.credentials.username];
    await run(process.execPath, args, { env });
    const [machine] = listMachines(registry.store);
    const admin = new MaasClient({ url: server.url, apiKey });
    await admin.request('POST', `api/2.0/machines/${machine!.system_id}/`, { query: { op: 'release' } });
    admin.close();
    const again = await run(process.execPath, args, { env });
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/\nfound \S+ \(\w+\), Ready\nMachine \S+ \(\w+\) is Ready: MAAS takes pushed hardware only from Deployed machines \(it would accept the push and ignore it\); skipped\n$/);
  });
});

async function firstMac(address: string): Promise<string> {
  const { withRedfishClient } = await import('../../src/redfish/client.ts');
  const { crawl } = await import('../../src/redfish/crawl.ts');
  const { toInventories, sourceFromCrawl } = await import('../../src/inventory/index.ts');
  const raw = await withRedfishClient({ address, username: 'admin', password: 'redfish' }, {}, {}, (client) => crawl(client));
  return toInventories(sourceFromCrawl(raw))[0]!.nics[0]!.ports[0]!.mac;
}
