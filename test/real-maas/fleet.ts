// The fixture fleet as the MAAS suites sweep it into the real region: simulated BMCs set up the way
// `simulate --write` sets them up (HTTPS with their own CA, a BMC list, a password file), a
// configuration whose target is that region, the CLI's own `sweep`, and what each fixture's machine
// must look like in MAAS afterwards: its fixture's expected commissioning document, as fleet
// machine i serves the fixture (MACs, UUIDs and serials varied per machine).
import https from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fixtureTrees } from '../../src/cli/fixtures.ts';
import { applyIdentity, identityTables, loadTrees, startFleet, type FleetTree, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { variantValue } from '../../src/redfish/simulator/identity.ts';
import type { SweepReport } from '../../src/sweep/sweep.ts';
import { writeSimulatedSetup } from '../../src/sweep/simulated-setup.ts';
import { runCli } from '../helpers/cli.ts';
import { MAAS_URL, maasGet } from './region.ts';

/** A running fixture fleet and the trees its BMCs serve (BMC i serves tree i mod trees). */
export interface FixtureFleet {
  readonly fleet: SimulatedFleet;
  readonly trees: readonly FleetTree[];
  readonly dirs: readonly string[];
  /** A folder of this fleet's files (configurations, reports, state); removed by close(). */
  readonly folder: string;
  close(): Promise<void>;
}

/** Starts SIZE HTTPS BMCs cycling over the project's fixtures (or those NAMED), as `simulate --fleet SIZE` does. */
export async function startFixtureFleet(size: number, named?: readonly string[]): Promise<FixtureFleet> {
  const dirs = fixtureTrees().filter((dir) => named === undefined || named.includes(basename(dir)));
  const trees = await loadTrees(dirs);
  const fleet = await startFleet({ trees, size });
  const folder = mkdtempSync(join(tmpdir(), 'real-maas-fleet-'));
  return {
    fleet,
    trees,
    dirs,
    folder,
    close: async () => {
      await fleet.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** How a configuration's BMC addresses are written: as `simulate --write` writes them, or `host:port`. */
export type AddressStyle = 'url' | 'host:port';

/** What a sweep configuration against the region says besides its BMCs. */
export interface MaasConfigOptions {
  readonly apiKeyFile?: string;
  readonly credentialsDir?: string;
  /** The collector's state. @default state.db in the configuration's folder */
  readonly stateDatabase?: string;
  /** Each BMC's address form. @default 'url' for all */
  readonly style?: (index: number) => AddressStyle;
  /** The BMCs listed. @default all */
  readonly only?: (index: number) => boolean;
}

/**
 * Writes what `simulate --write` writes into the folder NAME of the fleet's folder, then points its
 * configuration at the region: `target: {kind: maas, url, …, stateDatabase}`. Returns the file.
 */
export async function writeMaasConfig(fixture: FixtureFleet, name: string, options: MaasConfigOptions): Promise<string> {
  const dir = join(fixture.folder, name);
  mkdirSync(dir, { recursive: true });
  const setup = await writeSimulatedSetup(fixture.fleet, dir);
  const list = parse(readFileSync(setup.bmcList, 'utf8')) as { bmcs: { address: string }[] };
  list.bmcs.forEach((bmc, index) => {
    if (options.style?.(index) === 'host:port') bmc.address = new URL(bmc.address).host;
  });
  list.bmcs = list.bmcs.filter((_, index) => options.only?.(index) ?? true);
  writeFileSync(setup.bmcList, stringify(list));
  const config = parse(readFileSync(setup.config, 'utf8')) as Record<string, unknown>;
  config.target = {
    kind: 'maas',
    url: MAAS_URL,
    ...(options.apiKeyFile === undefined ? {} : { apiKeyFile: options.apiKeyFile }),
    ...(options.credentialsDir === undefined ? {} : { credentialsDir: options.credentialsDir }),
    stateDatabase: options.stateDatabase ?? join(dir, 'state.db'),
  };
  writeFileSync(setup.config, stringify(config));
  return setup.config;
}

/** One `redfish-enlist sweep --config CONFIG --json …` run by the CLI itself: exit status, output and report. */
export async function sweepCli(config: string, args: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string; report: SweepReport | undefined; json: string }> {
  const file = join(config, '..', `report-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
  const { code, stdout, stderr } = await runCli(['sweep', '--config', config, '--json', file, ...args]);
  let json = '';
  try {
    json = readFileSync(file, 'utf8');
  } catch {
    // No report: the sweep stopped before it had one (its stderr says why).
  }
  return { code, stdout, stderr, report: json ? (JSON.parse(json) as SweepReport) : undefined, json };
}

/** What MAAS must show for one machine, from its fixture's expected commissioning document. */
export interface ExpectedMachine {
  readonly fixture: string;
  readonly uuid: string | undefined;
  readonly cpuCount: number;
  readonly memoryMiB: number;
  readonly disks: readonly Disk[];
  readonly interfaces: readonly Interface[];
  readonly pci: readonly PciDevice[];
  /** MAAS's `hardware_info` for the system, mainboard, firmware and chassis ("Unknown" when not known). */
  readonly hardwareInfo: Readonly<Record<string, string>>;
}

export interface Disk {
  readonly serial: string;
  readonly model: string;
  readonly size: number;
  /** How MAAS tags the disk: `rotary` (the BMC gave a rotation speed) or `ssd`. */
  readonly kind: 'rotary' | 'ssd';
}

export interface Interface {
  readonly mac: string;
  readonly vendor: string;
  readonly linkSpeed: number;
  readonly linkConnected: boolean;
}

export interface PciDevice {
  readonly pciAddress: string;
  readonly vendorId: string;
  readonly productId: string;
}

interface CommissioningDocument {
  resources: {
    cpu: { sockets: { cores: { threads: unknown[] }[] }[] };
    memory: { total: number };
    storage: { disks: { serial: string; model: string; size: number; rpm: number; read_only: boolean; type: string }[] };
    network: { cards: { vendor: string; ports?: { address: string; link_speed: number; link_detected: boolean }[] }[] };
    pci: { devices: { pci_address: string; vendor_id: string; product_id: string }[] };
    system: {
      uuid?: string;
      vendor: string;
      product: string;
      serial: string;
      firmware: { version: string };
      chassis: { type: string };
      motherboard: { vendor: string; product: string };
    };
  };
}

/** Machine INDEX of the fleet as MAAS must show it: its fixture's expected document, with machine INDEX's identity. */
export function expectedMachine(fixture: FixtureFleet, index: number): ExpectedMachine {
  const tree = fixture.trees[index % fixture.trees.length]!;
  const dir = fixture.dirs[index % fixture.dirs.length]!;
  const tables = identityTables(tree.mockup);
  const text = readFileSync(join(dir, 'expected', 'commissioning.json'), 'utf8');
  // MACs and UUIDs are varied wherever they occur; serials where Redfish names them SerialNumber.
  const document = JSON.parse(applyIdentity(text, index, tables)) as CommissioningDocument;
  const { resources } = document;
  return {
    fixture: basename(dir),
    uuid: resources.system.uuid?.toLowerCase(),
    cpuCount: resources.cpu.sockets.reduce((sum, socket) => sum + socket.cores.reduce((n, core) => n + core.threads.length, 0), 0),
    memoryMiB: Math.floor(resources.memory.total / 2 ** 20),
    // MAAS keeps neither read-only devices nor CD-ROMs (metadataserver/builtin_scripts/hooks.py).
    disks: resources.storage.disks
      .filter((disk) => !disk.read_only && disk.type !== 'cdrom')
      .map((disk) => ({
        serial: variantValue('SerialNumber', disk.serial, index, tables).trim(),
        model: disk.model,
        size: disk.size,
        kind: disk.rpm ? ('rotary' as const) : ('ssd' as const),
      }))
      .sort(bySerial),
    interfaces: resources.network.cards
      .flatMap((card) => (card.ports ?? []).map((port) => ({ mac: port.address.toLowerCase(), vendor: card.vendor, linkSpeed: port.link_speed, linkConnected: port.link_detected })))
      .sort((a, b) => a.mac.localeCompare(b.mac)),
    pci: resources.pci.devices
      .map((device) => ({ pciAddress: device.pci_address, vendorId: device.vendor_id, productId: device.product_id }))
      .sort((a, b) => a.pciAddress.localeCompare(b.pciAddress)),
    hardwareInfo: known({
      system_vendor: resources.system.vendor,
      system_product: resources.system.product,
      system_serial: resources.system.serial && variantValue('SerialNumber', resources.system.serial, index, tables),
      mainboard_vendor: resources.system.motherboard.vendor,
      mainboard_product: resources.system.motherboard.product,
      mainboard_firmware_version: resources.system.firmware.version,
      chassis_type: resources.system.chassis.type,
    }),
  };
}

/** MAAS's words for a value it was not given. */
function known(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value === '' ? 'Unknown' : value]));
}

const HARDWARE_INFO_KEYS = ['system_vendor', 'system_product', 'system_serial', 'mainboard_vendor', 'mainboard_product', 'mainboard_firmware_version', 'chassis_type'];

/** What MAAS shows of one machine, read from its own API: machine read, block devices, interfaces, devices. */
export interface MaasView {
  readonly systemId: string;
  readonly hostname: string;
  readonly owner: string | null;
  readonly statusName: string;
  readonly powerType: string;
  readonly powerAddress: string;
  readonly uuid: string | undefined;
  readonly cpuCount: number;
  readonly memoryMiB: number;
  readonly disks: readonly Disk[];
  readonly interfaces: readonly Interface[];
  readonly pci: readonly PciDevice[];
  readonly hardwareInfo: Readonly<Record<string, string>>;
}

interface MaasMachineJson {
  system_id: string;
  owner: string | null;
  hardware_info: Record<string, string>;
  hostname: string;
  status_name: string;
  power_type: string;
  hardware_uuid: string | null;
  cpu_count: number;
  memory: number;
}

/** Reads one machine as MAAS shows it. */
export async function maasView(systemId: string): Promise<MaasView> {
  const [machine, power, blockDevices, interfaces, devices] = await Promise.all([
    maasGet<MaasMachineJson>(`api/2.0/machines/${systemId}/`),
    maasGet<{ power_address?: string }>(`api/2.0/machines/${systemId}/?op=power_parameters`),
    maasGet<{ type: string; serial: string; model: string; size: number; tags: string[] }[]>(`api/2.0/nodes/${systemId}/blockdevices/`),
    maasGet<{ type: string; mac_address: string; vendor: string | null; link_speed: number; link_connected: boolean }[]>(`api/2.0/nodes/${systemId}/interfaces/`),
    maasGet<{ bus_name: string; pci_address: string; vendor_id: string; product_id: string }[]>(`api/2.0/nodes/${systemId}/devices/`),
  ]);
  return {
    systemId,
    hostname: machine.hostname,
    owner: machine.owner,
    statusName: machine.status_name,
    powerType: machine.power_type,
    powerAddress: power.power_address ?? '',
    uuid: machine.hardware_uuid?.toLowerCase(),
    cpuCount: machine.cpu_count,
    memoryMiB: machine.memory,
    disks: blockDevices
      .filter((device) => device.type === 'physical')
      .map((device) => ({
        serial: device.serial,
        model: device.model,
        size: device.size,
        kind: device.tags.includes('rotary') ? ('rotary' as const) : ('ssd' as const),
      }))
      .sort(bySerial),
    interfaces: interfaces
      .filter((nic) => nic.type === 'physical')
      .map((nic) => ({ mac: nic.mac_address, vendor: nic.vendor ?? '', linkSpeed: nic.link_speed, linkConnected: nic.link_connected }))
      .sort((a, b) => a.mac.localeCompare(b.mac)),
    pci: devices
      .filter((device) => device.bus_name === 'PCIE')
      .map((device) => ({ pciAddress: device.pci_address, vendorId: device.vendor_id, productId: device.product_id }))
      .sort((a, b) => a.pciAddress.localeCompare(b.pciAddress)),
    hardwareInfo: Object.fromEntries(HARDWARE_INFO_KEYS.map((key) => [key, machine.hardware_info[key] ?? ''])),
  };
}

/** The hardware part of a view, to compare with an ExpectedMachine. */
export function hardwareOf(view: MaasView | ExpectedMachine): Omit<ExpectedMachine, 'fixture'> {
  return { uuid: view.uuid, cpuCount: view.cpuCount, memoryMiB: view.memoryMiB, disks: view.disks, interfaces: view.interfaces, pci: view.pci, hardwareInfo: view.hardwareInfo };
}

function bySerial(a: Disk, b: Disk): number {
  return a.serial.localeCompare(b.serial) || a.size - b.size;
}

// Changing a simulated BMC's hardware as a technician would: the resources and the listings that lead to them.
type Resource = Record<string, unknown> & { Members?: { '@odata.id': string }[] };
type Bmc = SimulatedFleet['bmcs'][number];

/** One resource as the BMC serves it (its fleet identity applied); the BMC's certificate is the fleet's own CA. */
export async function readResource(bmc: Bmc, path: string): Promise<Resource> {
  const auth = `${bmc.credentials.username}:${bmc.credentials.password}`;
  const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = https.get(`${bmc.url}${path}`, { auth, ca: bmc.certificatePem }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text }));
      answer.on('error', reject);
    });
    request.on('error', reject);
  });
  if (response.status !== 200) throw new Error(`${bmc.name} ${path}: HTTP ${response.status}`);
  return JSON.parse(response.text) as Resource;
}

/** Where the BMC's (first) system links to for NAME (`Storage`, `Memory`). */
async function systemLink(bmc: Bmc, name: 'Storage' | 'Memory'): Promise<string> {
  const systems = await readResource(bmc, '/redfish/v1/Systems');
  const system = await readResource(bmc, systems.Members![0]!['@odata.id']);
  const link = (system[name] as { '@odata.id'?: string } | undefined)?.['@odata.id'];
  if (!link) throw new Error(`${bmc.name}: the system links to no ${name}`);
  return link;
}

/** Pulls the last drive of the system's first storage subsystem with drives; returns its serial as the BMC gave it. */
export async function removeDrive(bmc: Bmc): Promise<string> {
  const storage = await readResource(bmc, await systemLink(bmc, 'Storage'));
  for (const member of storage.Members ?? []) {
    const subsystem = await readResource(bmc, member['@odata.id']);
    const drives = (subsystem.Drives ?? []) as { '@odata.id': string }[];
    const last = drives.at(-1);
    if (last === undefined) continue;
    const drive = await readResource(bmc, last['@odata.id']);
    bmc.deleteResource(last['@odata.id']);
    bmc.setResource(member['@odata.id'], { ...subsystem, Drives: drives.slice(0, -1), 'Drives@odata.count': drives.length - 1 });
    // A chassis that lists its drives (iDRAC, iBMC, iLO, bmcweb) no longer lists this one either.
    for (const { '@odata.id': path } of (await readResource(bmc, '/redfish/v1/Chassis')).Members ?? []) {
      const chassis = await readResource(bmc, path);
      const links = chassis.Links as { Drives?: { '@odata.id': string }[] } | undefined;
      if (!links?.Drives?.some((link) => link['@odata.id'] === last['@odata.id'])) continue;
      const kept = links.Drives.filter((link) => link['@odata.id'] !== last['@odata.id']);
      bmc.setResource(path, { ...chassis, Links: { ...links, Drives: kept, 'Drives@odata.count': kept.length } });
    }
    return String(drive.SerialNumber).trim();
  }
  throw new Error(`${bmc.name}: no storage subsystem with drives`);
}

/**
 * Fits one more DIMM, like the first one, in a new slot; returns its MiB. (The system resource is left
 * alone: set back through the simulator, its UUID would be varied a second time.)
 */
export async function addDimm(bmc: Bmc): Promise<number> {
  const memory = await systemLink(bmc, 'Memory');
  const listing = await readResource(bmc, memory);
  const members = listing.Members ?? [];
  const model = await readResource(bmc, members[0]!['@odata.id']);
  const id = 'DIMM.Socket.Z9';
  const path = `${memory}/${id}`;
  const capacity = Number(model.CapacityMiB);
  bmc.setResource(path, { ...model, '@odata.id': path, Id: id, Name: 'DIMM Z9', DeviceLocator: id, SerialNumber: 'ADDEDDIMM01' });
  bmc.setResource(memory, { ...listing, Members: [...members, { '@odata.id': path }], 'Members@odata.count': members.length + 1 });
  return capacity;
}
