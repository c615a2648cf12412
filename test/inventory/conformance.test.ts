// Conformance over public dumps of real servers (../shared/redfish-mockups): every system found
// gives a valid document whose figures agree with the raw JSON, computed here independently.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toCommissioningData, type CommissioningData } from '../../src/inventory/commissioning.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { keyOf, type ResourceSource } from '../../src/inventory/source.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { at, isResource, linkAt, linksAt, membersOf } from '../../src/redfish/navigate.ts';
import { FIXTURES, SHARED_MOCKUPS, loadSource, treesIn } from '../helpers/mockup.ts';

const shared = treesIn(SHARED_MOCKUPS);
const cases = [...shared.map((tree) => ({ tree, folder: join(SHARED_MOCKUPS, tree) })), ...treesIn(FIXTURES).map((tree) => ({ tree: `fixtures/${tree}`, folder: join(FIXTURES, tree) }))];
const coverage: Record<string, unknown>[] = [];

// Independent readings of the raw JSON.
function body(source: ResourceSource, link: string | undefined): unknown {
  if (link === undefined) return undefined;
  const outcome = source.resources.get(keyOf(source, link) ?? '');
  return outcome?.ok ? outcome.body : undefined;
}
function members(source: ResourceSource, link: string | undefined): unknown[] {
  return membersOf(body(source, link)).map((member) => body(source, member)).filter(isResource);
}
const present = (resource: unknown) => at(resource, ['Status', 'State']) !== 'Absent';
const isMac = (value: unknown): value is string => typeof value === 'string' && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(value.trim());
const canonicalMac = (value: string) => value.trim().toLowerCase().replaceAll('-', ':');
const validHostMac = (mac: string) => !/^(00:){5}00$|^(ff:){5}ff$/.test(mac) && (Number.parseInt(mac.slice(0, 2), 16) & 1) === 0;

// Undefined when a socket does not report its threads (then there is no reported sum to check).
function expectedThreads(source: ResourceSource, system: unknown): number | undefined {
  const cpus = members(source, linkAt(system, ['Processors'])).filter((p) => present(p) && [undefined, 'CPU'].includes(at(p, ['ProcessorType']) as string));
  if (cpus.some((p) => !(Number(at(p, ['TotalThreads'])) > 0))) return undefined;
  if (cpus.length > 0) return cpus.reduce((sum: number, p) => sum + Number(at(p, ['TotalThreads'])), 0);
  return Number(at(system, ['ProcessorSummary', 'LogicalProcessorCount']) ?? 0);
}

function expectedMemoryMiB(source: ResourceSource, system: unknown): number {
  const dimms = members(source, linkAt(system, ['Memory'])).filter((d) => present(d) && Number(at(d, ['CapacityMiB'])) > 0);
  if (dimms.length > 0) return dimms.reduce((sum: number, d) => sum + Number(at(d, ['CapacityMiB'])), 0);
  return Math.round(Number(at(system, ['MemorySummary', 'TotalSystemMemoryGiB']) ?? 0) * 1024);
}

function expectedDrives(source: ResourceSource, system: unknown): Set<string> {
  const found = new Map<string, unknown>();
  for (const storage of members(source, linkAt(system, ['Storage']))) {
    for (const link of linksAt(storage, ['Drives'])) found.set(keyOf(source, link) ?? link, body(source, link));
  }
  for (const chassis of linksAt(system, ['Links', 'Chassis']).map((link) => body(source, link))) {
    for (const drive of [...members(source, linkAt(chassis, ['Drives'])), ...linksAt(chassis, ['Links', 'Drives']).map((link) => body(source, link))]) {
      if (isResource(drive)) found.set(String(drive['@odata.id']), drive);
    }
  }
  const keys = new Set<string>();
  for (const [path, drive] of found) {
    if (!present(drive) || !(Number(at(drive, ['CapacityBytes'])) > 0)) continue;
    keys.add(String(at(drive, ['SerialNumber']) ?? path).trim());
  }
  return keys;
}

function macsIn(source: ResourceSource, system: unknown): { host: Set<string>; bmc: Set<string> } {
  const host = new Set<string>();
  const add = (target: Set<string>, values: unknown[]) => values.filter(isMac).map(canonicalMac).filter(validHostMac).forEach((mac) => target.add(mac));
  for (const iface of members(source, linkAt(system, ['EthernetInterfaces']))) add(host, [at(iface, ['MACAddress']) || at(iface, ['PermanentMACAddress'])]);
  for (const chassis of linksAt(system, ['Links', 'Chassis']).map((link) => body(source, link))) {
    for (const adapter of members(source, linkAt(chassis, ['NetworkAdapters']))) {
      for (const port of members(source, linkAt(adapter, ['Ports']) ?? linkAt(adapter, ['NetworkPorts']))) {
        add(host, [...((at(port, ['Ethernet', 'AssociatedMACAddresses']) as unknown[]) ?? []), ...((at(port, ['AssociatedNetworkAddresses']) as unknown[]) ?? [])]);
      }
      for (const fn of members(source, linkAt(adapter, ['NetworkDeviceFunctions']))) add(host, [at(fn, ['Ethernet', 'MACAddress']) || at(fn, ['Ethernet', 'PermanentMACAddress'])]);
    }
  }
  const bmc = new Set<string>(['02:00:00:00:00:02']);
  let managers = linksAt(system, ['Links', 'ManagedBy']).map((link) => body(source, link));
  if (managers.length === 0) managers = members(source, linkAt(body(source, '/redfish/v1'), ['Managers']));
  for (const manager of managers) {
    for (const iface of members(source, linkAt(manager, ['EthernetInterfaces']))) add(bmc, [at(iface, ['MACAddress']), at(iface, ['PermanentMACAddress'])]);
  }
  for (const mac of bmc) host.delete(mac);
  return { host, bmc };
}

const ARCHITECTURE: Record<string, string> = { 'x86-64': 'x86_64', 'ARM-A64': 'aarch64', PowerISA: 'ppc64le' };

function check(tree: string, source: ResourceSource, inventory: HardwareInventory, document: CommissioningData): void {
  const system = body(source, inventory.system);
  const resources = document.resources as Record<string, any>;
  expect(validateCommissioningData(document), `${tree} validates`).toEqual([]);
  const threads = expectedThreads(source, system);
  if (threads !== undefined) expect(resources.cpu.total, `${tree}: CPU total is the sum of threads reported`).toBe(threads);
  expect(resources.memory.total / 1024 ** 2, `${tree}: memory is the sum of present DIMMs`).toBe(expectedMemoryMiB(source, system));
  const disks = new Set<string>((resources.storage.disks as any[]).map((disk) => disk.serial || disk.id));
  const drives = expectedDrives(source, system);
  if (!inventory.sections.storage.unknown && drives.size > 0) expect(disks.size, `${tree}: every drive with a capacity is a disk`).toBe(drives.size);
  const reported = Object.values(document.networks).map((entry: any) => entry.hwaddr as string);
  const { host, bmc } = macsIn(source, system);
  expect(new Set(reported).size, `${tree}: no MAC twice`).toBe(reported.length);
  for (const mac of reported) {
    expect(mac, `${tree}: MAC form`).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(bmc.has(mac), `${tree}: BMC MAC ${mac} is not a host port`).toBe(false);
  }
  if (!inventory.sections.network.unknown) expect(new Set(reported), `${tree}: every host MAC appears once`).toEqual(host);
  const firstCpu = members(source, linkAt(system, ['Processors'])).find((p) => present(p) && at(p, ['ProcessorType']) !== 'GPU');
  const expectedArchitecture = ARCHITECTURE[String(at(firstCpu, ['InstructionSet']))];
  if (expectedArchitecture) expect(document.environment.kernel_architecture, `${tree}: architecture`).toBe(expectedArchitecture);
  if (inventory.vendor === 'dell' && typeof at(system, ['SKU']) === 'string') {
    expect(resources.system.serial, `${tree}: Dell uses the service tag`).toBe(String(at(system, ['SKU'])).trim());
  }
}

describe(`conformance over ${SHARED_MOCKUPS}`, () => {
  if (shared.length === 0) {
    it('says plainly that ../shared/redfish-mockups is absent, so only the project fixtures were checked', () => {
      console.warn(`conformance over public mockups not run: ${SHARED_MOCKUPS} is absent (set REDFISH_MOCKUPS)`);
      expect(shared).toEqual([]);
    });
  }

  it.each(cases)('$tree: every system gives a valid document that agrees with the raw JSON', async ({ tree, folder }) => {
    const source = await loadSource(folder);
    const inventories = toInventories(source);
    // A tree holding a ComputerSystem must yield one, unless the dump lacks the collection the
    // service root links (systems are found by links, never by guessing ids): say which.
    const held = [...source.resources.values()].some((outcome) => outcome.ok && /#ComputerSystem\./.test(String(at(outcome.body, ['@odata.type']))));
    if (held && inventories.length === 0) {
      const systems = linkAt(body(source, '/redfish/v1'), ['Systems']);
      expect(body(source, systems), `${tree}: holds a ComputerSystem, and its root's Systems collection is in the dump, yet none was found`).toBeUndefined();
      coverage.push({ tree: tree.slice(0, 34), system: '(none reachable)', unknown: `the dump lacks ${systems ?? 'a Systems link'}` });
    }
    for (const inventory of inventories) {
      const document = toCommissioningData(inventory);
      check(tree, source, inventory, document);
      const resources = document.resources as Record<string, any>;
      coverage.push({
        tree: tree.slice(0, 34),
        system: inventory.systemId.slice(0, 18),
        vendor: inventory.vendor,
        arch: inventory.architecture ?? '-',
        threads: resources.cpu.total,
        'mem GiB': Math.round(resources.memory.total / 1024 ** 3),
        disks: resources.storage.disks.length,
        ports: Object.keys(document.networks).length,
        pci: resources.pci.devices.length,
        gpus: resources.gpu.cards.length,
        uuid: inventory.identity.uuid ? 'y' : '-',
        serial: inventory.identity.serial ? 'y' : '-',
        bios: inventory.firmware.bios?.version ? 'y' : '-',
        unknown: Object.entries(inventory.sections).filter(([, p]) => p.unknown).map(([n]) => n).join(',') || '-',
      });
    }
  });

  afterAll(() => {
    console.log(`\nFields filled per system (${coverage.length} systems):`);
    console.table(coverage);
  });
});
