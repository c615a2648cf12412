// A registry as real sweeps leave it, for the web interface's tests: a simulated fleet of every
// fixture tree, `copies` machines of each (plus an address where nothing answers, a discovery
// range where nothing does and, when asked, a BMC that reports hostile strings) swept into the
// registry; then the first Dell loses a DIMM and gets a new disk, the first HPE BMC's password
// stops working, the first Huawei BMC's certificate no longer matches its pin, and a second sweep
// records all of that and reads one more BMC, whose Memory and Processors fail: its machine is new,
// both unknown. The Supermicro machines' storage is licence-gated: unknown.
import { join } from 'node:path';
import type { HardwareChange } from '../../src/inventory/diff.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { lastInventory, machineHistory, pinCertificate, type BmcState } from '../../src/registry/index.ts';
import { findMachine, listMachines } from '../../src/registry/machines.ts';
import type { Store } from '../../src/registry/store.ts';
import { createUser, setPassword } from '../../src/registry/users.ts';
import { loadMockup } from '../../src/redfish/mockup.ts';
import { loadTrees, startBmc, startFleet, type FleetTree, type SimulatedBmc } from '../../src/redfish/simulator/index.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { FIXTURES, treesIn } from '../helpers/mockup.ts';

/** One machine the sweeps enlisted. */
export interface SeededMachine {
  readonly systemId: string;
  readonly hostname: string;
  /** The fixture tree its BMC serves; 'hostile' and 'added-late' for the seed's two BMCs of their own. */
  readonly tree: string;
  /** The BMC it is reached through. */
  readonly address: string;
  readonly macs: readonly string[];
  /** The inventory as last swept. */
  readonly inventory: HardwareInventory;
}

/** What the seed made. */
export interface Seeded {
  readonly username: string;
  readonly password: string;
  readonly machines: readonly SeededMachine[];
  /** The Dell machine, whose DIMM was removed and disk replaced before the second sweep. */
  readonly changed: SeededMachine;
  readonly changes: readonly HardwareChange[];
  /** The BMC whose last sweep failed (auth), with a machine behind it. */
  readonly failingBmc: string;
  /** The machine behind it. */
  readonly failing: SeededMachine;
  /** The machine whose BMC presents another certificate than the one pinned (its last sweep failed: tls). */
  readonly rekeyed: SeededMachine;
  /** The machine first swept at the second sweep, which could not read its memory or CPUs (the system's summaries give a total and a thread count). */
  readonly memoryUnknown: SeededMachine;
  /** The machine whose BMC reports markup as vendor and serial (and `<script>` as host name), when asked for. */
  readonly hostile?: SeededMachine;
  /** The BMC password the sweeps used; no page may show it. */
  readonly bmcPassword: string;
}

/** The hostile strings the hostile BMC reports. */
export const HOSTILE = { hostName: '<script>alert("hostile")</script>', vendor: '<img src=x onerror=alert(1)>Evil & Co', serial: 'EVIL<b>1</b>' } as const;

const PASSWORD = 'correct horse battery staple';
const BMC_PASSWORD = 'calvin-secret-9f2';
const NOTHING_ANSWERS = 'https://127.0.0.2:9';
/** The pin a re-keyed BMC's certificate no longer matches. */
const OLD_PIN = '5E:0F:93:1C:A4:77:D2:08:6B:E1:3F:9A:40:C5:28:B6:71:0D:EE:94:3A:5C:86:F2:19:B7:04:6D:C8:E3:52:A1';

/** How big a fleet to seed. */
export interface SeedOptions {
  /** Machines made from each fixture tree. @default 1 */
  readonly copies?: number;
  /** Addresses of a discovery range where nothing answers. @default 0 */
  readonly silentDiscovered?: number;
  /** Sweep a BMC reporting HOSTILE's strings too (tests of escaping; never the screenshots' fleet). @default false */
  readonly hostile?: boolean;
}

/** Fills a registry by sweeping a simulated fleet twice (see the file comment). */
export async function seed(store: Store, options: SeedOptions = {}): Promise<Seeded> {
  // The collector acts as the registry's first administrator; that user also logs in to the web.
  const admin = store.get<{ username: string }>('SELECT username FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1')?.username;
  const username = admin ?? createUser(store, 'operator', { admin: true }).username;
  setPassword(store, username, PASSWORD);
  const trees = treesIn(FIXTURES);
  const loaded = await loadTrees(trees.map((tree) => join(FIXTURES, tree)));
  const size = trees.length * (options.copies ?? 1);
  const fleet = await startFleet({ trees: loaded, size, credentials: { username: 'root', password: BMC_PASSWORD } });
  const hostile = options.hostile ? await hostileBmc() : undefined;
  const late = await addedLate(loaded, size);
  try {
    // Every other BMC pins its certificate on first use; the rest verify it against the fleet's CA.
    const config = (bmc: SimulatedBmc, index: number, password = BMC_PASSWORD): BmcConfig => ({
      name: bmc.name,
      address: bmc.url,
      username: 'root',
      password,
      credentials: 'fleet',
      tls: index % 2 === 0 ? { mode: 'pin' } : { mode: 'ca', ca: fleet.caPem! },
      tags: [],
      client: {},
      discovered: false,
    });
    const bmcs = [...fleet.bmcs.map((bmc, index) => config(bmc, index)), ...(hostile ? [{ ...config(hostile, 0), name: 'hostile' }] : [])];
    const settings = { concurrency: 8, client: { requestTimeoutMs: 5_000, backoffBaseMs: 5 } };
    await runSweep(bmcs, new EmbeddedTarget(store), store, settings);

    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    await service(dell);
    const hpeIndex = fleet.bmcs.findIndex((bmc) => bmc.name.includes('hpe'));
    bmcs[hpeIndex] = config(fleet.bmcs[hpeIndex]!, hpeIndex, 'password-changed-on-the-bmc');
    // The Huawei BMC was re-keyed since its first sweep pinned its certificate: as seen from the
    // collector, the certificate it presents is no longer the one pinned.
    const huawei = fleet.bmcs.find((bmc, index) => bmc.name.includes('huawei') && bmcs[index]!.tls.mode === 'pin')!;
    pinCertificate(store, huawei.url, OLD_PIN);
    const unreachable: BmcConfig = { ...bmcs[0]!, name: 'nothing-answers', address: NOTHING_ANSWERS, tls: { mode: 'verify' } };
    const silent = Array.from({ length: options.silentDiscovered ?? 0 }, (_, index): BmcConfig => {
      const address = `https://127.0.3.${index + 1}:9`;
      return { ...unreachable, name: address, address, discovered: true };
    });
    await runSweep([...bmcs, config(late, size), unreachable, ...silent], new EmbeddedTarget(store), store, settings);

    const machines = listMachines(store).map((row) => seededMachine(store, row.system_id, fleet.bmcs, { hostile, late }));
    const changed = machines.find((machine) => machine.address === dell.url)!;
    return {
      username,
      password: PASSWORD,
      machines,
      changed,
      changes: machineHistory(store, findMachine(store, changed.systemId)!.id).flatMap((entry) => entry.changes),
      failingBmc: fleet.bmcs[hpeIndex]!.url,
      failing: machines.find((machine) => machine.address === fleet.bmcs[hpeIndex]!.url)!,
      rekeyed: machines.find((machine) => machine.address === huawei.url)!,
      memoryUnknown: machines.find((machine) => machine.address === late.url)!,
      ...(hostile ? { hostile: machines.find((machine) => machine.tree === 'hostile')! } : {}),
      bmcPassword: BMC_PASSWORD,
    };
  } finally {
    await Promise.all([fleet.close(), hostile?.close(), late.close()]);
  }
}

// The Dell after a service visit: DIMM B8 pulled, the disk in bay 1 swapped for a new one, and its
// firmware inventory answering 503 (the page then shows the first sweep's, and says so). The
// simulator renders each BMC's identity on top of what is set here, as on the tree itself.
async function service(dell: SimulatedBmc): Promise<void> {
  dell.setFaults([{ path: /\/UpdateService\/FirmwareInventory/, action: { type: 'status', status: 503 } }]);
  const mockup = await loadMockup(join(FIXTURES, 'dell-r750-idrac9'));
  const read = (path: string) => mockup.get(path)!.body as Record<string, unknown>;
  const memory = '/redfish/v1/Systems/System.Embedded.1/Memory';
  const dimm = `${memory}/DIMM.Socket.B8`;
  const members = (read(memory).Members as { '@odata.id': string }[]).filter((member) => member['@odata.id'] !== dimm);
  dell.setResource(memory, { ...read(memory), Members: members, 'Members@odata.count': members.length });
  dell.deleteResource(dimm);
  const drive = '/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.1:Enclosure.Internal.0-1:RAID.Integrated.1-1';
  dell.setResource(drive, { ...read(drive), SerialNumber: 'REPLACED01', Identifiers: [] });
}

// A Supermicro BMC added to the configuration after the first sweep and still collecting its
// inventory: its Memory and Processors collections answer 500. Its machine is created with both
// sections unknown (and its storage licence-gated), the system's summaries giving a memory total
// and a thread count. Fleet identity `index` makes it a machine of its own.
async function addedLate(trees: readonly FleetTree[], index: number): Promise<SimulatedBmc> {
  const tree = trees.find((candidate) => candidate.name === 'supermicro-x12dpt-bmc')!;
  return startBmc({
    mockup: tree.mockup,
    ...(tree.behaviour ? { behaviour: tree.behaviour } : {}),
    name: `sim-late-${tree.name}`,
    identity: index,
    credentials: { username: 'root', password: BMC_PASSWORD },
    faults: [{ path: /\/Systems\/[^/]+\/(Memory|Processors)(\/|$)/, action: { type: 'status', status: 500 } }],
  });
}

// A BMC (no fleet identity, so its strings are served as written) whose system reports markup.
async function hostileBmc(): Promise<SimulatedBmc> {
  const mockup = await loadMockup(join(FIXTURES, 'supermicro-x12dpt-bmc'));
  const bmc = await startBmc({ mockup, credentials: { username: 'root', password: BMC_PASSWORD } });
  const system = mockup.get('/redfish/v1/Systems/1')!.body as Record<string, unknown>;
  bmc.setResource('/redfish/v1/Systems/1', { ...system, HostName: HOSTILE.hostName, Manufacturer: HOSTILE.vendor, SerialNumber: HOSTILE.serial });
  return bmc;
}

function seededMachine(store: Store, systemId: string, fleet: readonly SimulatedBmc[], others: { hostile: SimulatedBmc | undefined; late: SimulatedBmc }): SeededMachine {
  const row = findMachine(store, systemId)!;
  const address = (JSON.parse(row.power_parameters) as { power_address: string }).power_address;
  const state = store.get<{ systems: string }>('SELECT systems FROM bmc_state WHERE address = ?', address);
  const systems = JSON.parse(state?.systems ?? '{}') as BmcState['systems'];
  const system = Object.entries(systems).find(([, id]) => id === systemId)?.[0] ?? '/redfish/v1/Systems/1';
  const inventory = lastInventory<HardwareInventory>(store, address, system)!.inventory;
  const bmc = [...fleet, others.late, ...(others.hostile ? [others.hostile] : [])].find((candidate) => candidate.url === address)!;
  return {
    systemId,
    hostname: row.hostname,
    tree: bmc === others.hostile ? 'hostile' : bmc === others.late ? 'added-late' : bmc.name.replace(/^sim-\d+-/, ''),
    address,
    macs: inventory.nics.flatMap((nic) => nic.ports.map((port) => port.mac)),
    inventory,
  };
}
