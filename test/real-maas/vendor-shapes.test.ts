// The project's shape fixtures (fixtures/shapes/), each one class of BMC behaviour, served by a
// simulated BMC and swept into the real MAAS region: what MAAS itself then stores for the machine
// (interfaces and MACs, disks and sizes, architecture, CPU count, memory), read back through MAAS's
// own CLI, never what the project believes it sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadMockup } from '../../src/redfish/mockup.ts';
import { startBmc, type SimulatedBmc } from '../../src/redfish/simulator/index.ts';
import { MaasTarget } from '../../src/maas/target.ts';
import { Store } from '../../src/registry/store.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { runSweep, type SweepReport, type SweepSettings } from '../../src/sweep/sweep.ts';
import { SHAPES } from '../helpers/mockup.ts';
import { adminKey, MAAS_URL, maasJson, maasLogin, resetRegion } from './region.ts';

const PASSWORD = 'shape-fixture-pw';

interface Swept {
  readonly report: SweepReport;
  readonly bmc: SimulatedBmc;
  /** MAAS's system id of each machine the sweep created or found. */
  readonly systemIds: string[];
}

interface MaasMachine {
  readonly system_id: string;
  readonly hostname: string;
  readonly architecture: string;
  readonly cpu_count: number;
  readonly cpu_speed: number;
  readonly memory: number;
  readonly status_name: string;
  readonly hardware_info: Record<string, string>;
  readonly interface_set: readonly { name: string; mac_address: string; interface_speed: number; link_connected: boolean }[];
  readonly physicalblockdevice_set: readonly { name: string; size: number; model: string; serial: string; tags: string[]; id_path: string | null }[];
  readonly numanode_set: readonly { index: number; memory: number; cores: number[] }[];
}

const bmcs: SimulatedBmc[] = [];
const state = new Store(':memory:');
let target: MaasTarget;

// Served over HTTPS with a pinned certificate and addressed as host:port, as an operator's BMC
// list writes a BMC: MAAS gets that address as the machine's power address.
async function sweepShape(tree: string, settings: Partial<SweepSettings> = {}): Promise<Swept> {
  const bmc = await startBmc({ mockup: await loadMockup(join(SHAPES, tree)), credentials: { username: 'root', password: PASSWORD } });
  bmcs.push(bmc);
  const config: BmcConfig = {
    name: tree,
    address: `127.0.0.1:${bmc.port}`,
    username: 'root',
    password: PASSWORD,
    credentials: 'inline',
    tls: { mode: 'pin', fingerprint256: bmc.fingerprint256! },
    tags: [],
    client: {},
    discovered: false,
  };
  const report = await runSweep([config], target, state, { concurrency: 1, ...settings });
  const systemIds = report.results.flatMap((result) => result.machines.map((machine) => machine.systemId).filter((id): id is string => id !== undefined));
  return { report, bmc, systemIds };
}

async function machine(systemId: string): Promise<MaasMachine> {
  return maasJson<MaasMachine>(['admin', 'machine', 'read', systemId]);
}

/** The document MAAS keeps as the machine's `50-maas-01-commissioning` result. */
async function commissioningResult(systemId: string): Promise<Record<string, any>> {
  const results = await maasJson<{ results: { name: string; stdout: string }[] }[]>(['admin', 'node-script-results', 'read', systemId, 'type=commissioning', 'include_output=true']);
  const entry = results.flatMap((set) => set.results).find((result) => result.name === '50-maas-01-commissioning');
  expect(entry, `MAAS keeps a 50-maas-01-commissioning result for ${systemId}`).toBeDefined();
  return JSON.parse(Buffer.from(entry!.stdout, 'base64').toString('utf8')) as Record<string, any>;
}

const disks = (found: MaasMachine) => found.physicalblockdevice_set.map((disk) => [disk.name, disk.size, disk.model, disk.serial]);

beforeAll(async () => {
  await resetRegion();
  await maasLogin('admin');
  target = new MaasTarget({ url: MAAS_URL, apiKey: adminKey(), skipCheck: true });
});

afterAll(async () => {
  await target?.close();
  state.close();
  await Promise.all(bmcs.map((bmc) => bmc.close()));
});

describe('phantom host ports: a partitioned 2-port adapter (dell-npar-phantom-ports)', () => {
  it('MAAS holds the three interfaces the host uses, not sixteen, and its commissioning result says which MACs were left out', async () => {
    const { report, systemIds } = await sweepShape('dell-npar-phantom-ports');
    expect(report.totals.created).toBe(1);
    const found = await machine(systemIds[0]!);
    expect(found.status_name).toBe('Deployed');
    expect(found.interface_set.map((iface) => [iface.mac_address, iface.interface_speed]).sort()).toEqual([
      ['34:80:0d:7a:41:10', 25000],
      ['34:80:0d:7a:42:10', 25000],
      ['34:80:0d:7a:42:11', 25000],
    ]);
    const notes = (await commissioningResult(systemIds[0]!))['redfish-enlist'].notes as { subject: string; action: string }[];
    expect(notes).toHaveLength(13);
    expect(notes.every((note) => note.action === 'left out')).toBe(true);
    expect(notes.map((note) => note.subject)).not.toContain('34:80:0d:7a:41:10');
  });
});

describe('drives only under an OEM storage path: an older iLO 5 blade (hpe-blade-smartstorage)', () => {
  it('MAAS holds the three drives of the SmartStorage tree with their sizes, models and serials', async () => {
    const { systemIds } = await sweepShape('hpe-blade-smartstorage');
    const found = await machine(systemIds[0]!);
    expect(disks(found)).toEqual([
      ['sda', 600127266816, 'EG0600JETKA', 'WFK1LH2Z0000K8110QJ1'],
      ['sdb', 600127266816, 'EG0600JETKA', 'WFK1LJ8T0000K8120B6H'],
      ['sdc', 480103981056, 'MK000480GWCEV', 'PHYF8264015T480BGN'],
    ]);
    expect(found.physicalblockdevice_set.map((disk) => disk.tags.sort())).toEqual([
      ['10000rpm', 'rotary'],
      ['10000rpm', 'rotary'],
      ['sata', 'ssd'],
    ]);
    expect([found.cpu_count, found.memory]).toEqual([64, 192 * 1024]);
  });
});

describe('capacity in the wrong unit: a storage server sending MiB as CapacityBytes (storage-server-mib-capacity)', () => {
  it('MAAS holds twelve 4 TB disks, not twelve of 3.8 MB, and not the SATA DOM whose size nothing corrects', async () => {
    const { systemIds } = await sweepShape('storage-server-mib-capacity');
    const found = await machine(systemIds[0]!);
    expect(found.physicalblockdevice_set).toHaveLength(12);
    expect(new Set(found.physicalblockdevice_set.map((disk) => disk.size))).toEqual(new Set([4_000_786_153_472]));
    expect(found.physicalblockdevice_set.map((disk) => disk.serial)).not.toContain('B0A7D1C2E00311');
  });
});

describe('smaller shapes: a Dell with a blank maker, turbo-only speeds and NVMe named by its controller (dell-blank-maker-nvme-on-controller)', () => {
  it('MAAS shows the machine as Dell Inc., with three NVMe disks, 128 CPUs at the turbo speed and 384 GiB', async () => {
    const { systemIds } = await sweepShape('dell-blank-maker-nvme-on-controller');
    const found = await machine(systemIds[0]!);
    expect([found.hardware_info.system_vendor, found.hardware_info.mainboard_vendor]).toEqual(['Dell Inc.', 'Dell Inc.']);
    expect(disks(found)).toEqual([
      ['nvme0n1', 3840755982336, 'Dell Ent NVMe PM1733a RI 3.84TB', 'S6CSNA0T201847'],
      ['nvme1n1', 3840755982336, 'Dell Ent NVMe PM1733a RI 3.84TB', 'S6CSNA0T201852'],
      ['nvme2n1', 3840755982336, 'Dell Ent NVMe PM1733a RI 3.84TB', 'S6CSNA0T201903'],
    ]);
    expect(found.physicalblockdevice_set.map((disk) => disk.id_path)).toEqual([
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201847',
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201852',
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201903',
    ]);
    expect([found.architecture, found.cpu_count, found.cpu_speed, found.memory]).toEqual(['amd64/generic', 128, 3750, 384 * 1024]);
  });
});

describe('smaller shapes: a host linked only from its manager, with a processor summary that counts sockets only (manager-linked-summary-only)', () => {
  it('MAAS gets the machine with its disk, interfaces and memory, and no CPU count made up from the sockets', async () => {
    const { report, systemIds } = await sweepShape('manager-linked-summary-only');
    expect(report.results[0]?.machines.map((entry) => [entry.system, entry.outcome])).toEqual([['/redfish/v1/Systems/host0', 'created']]);
    const found = await machine(systemIds[0]!);
    expect(found.interface_set.map((iface) => iface.mac_address).sort()).toEqual(['70:b3:d5:1e:60:10', '70:b3:d5:1e:60:11']);
    expect(disks(found)).toEqual([['sda', 960197124096, 'MTFDDAK960TGA', '2317E6D1A0F4']]);
    expect([found.cpu_count, found.memory, found.hardware_info.cpu_model]).toEqual([0, 64 * 1024, 'Unknown']);
  });
});

describe('multi-node trays and Arm hosts: a tray listing its host and its CPU/GPU module as two systems (arm-tray-host-and-module)', () => {
  it('MAAS holds one arm64 machine with 144 CPUs, 960 GiB, the host\'s two NVMe disks and two interfaces', async () => {
    const { report, systemIds } = await sweepShape('arm-tray-host-and-module');
    expect(report.results[0]?.machines.map((entry) => [entry.system, entry.outcome])).toEqual([['/redfish/v1/Systems/System_0', 'created']]);
    const found = await machine(systemIds[0]!);
    expect([found.architecture, found.cpu_count, found.memory]).toEqual(['arm64/generic', 144, 960 * 1024]);
    expect(disks(found)).toEqual([
      ['nvme0n1', 7681501126656, 'CN7T6 E1.S 7.68TB', 'CTN7T6E1S00512'],
      ['nvme1n1', 7681501126656, 'CN7T6 E1.S 7.68TB', 'CTN7T6E1S00519'],
    ]);
    expect(found.interface_set.map((iface) => [iface.mac_address, iface.interface_speed]).sort()).toEqual([
      ['a0:88:c2:5d:1e:40', 100000],
      ['a0:88:c2:5d:1e:41', 100000],
    ]);
    expect(found.numanode_set.map((node) => [node.index, node.memory, node.cores.length])).toEqual([
      [0, 480 * 1024, 72],
      [1, 480 * 1024, 72],
    ]);
    const all = await maasJson<{ hostname: string }[]>(['admin', 'machines', 'read']);
    expect(all.filter((entry) => entry.hostname.startsWith('arm-tray'))).toHaveLength(1);
  });
});

describe('a system "Starting" forever whose OEM data says discovery is complete (hpe-starting-discovery-complete)', () => {
  it('is read once, not again and again, and MAAS holds its 80 CPUs, 256 GiB and two disks', async () => {
    const { report, bmc, systemIds } = await sweepShape('hpe-starting-discovery-complete');
    expect(report.results[0]?.warnings).toEqual([]);
    expect(bmc.stats.requestsByPath.get('/redfish/v1/Systems/1') ?? 0).toBeLessThanOrEqual(1);
    const found = await machine(systemIds[0]!);
    expect([found.status_name, found.cpu_count, found.memory, found.cpu_speed]).toEqual(['Deployed', 80, 256 * 1024, 2100]);
    expect(disks(found)).toEqual([
      ['sda', 480103981056, 'MZ7LH480HAHQ', 'S455NY0M812044'],
      ['sdb', 480103981056, 'MZ7LH480HAHQ', 'S455NY0M812051'],
    ]);
  });
});
