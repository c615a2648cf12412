// Raw crawl → HardwareInventory, one per ComputerSystem. Pure: the same resources always give the
// same inventory. Each area reads through its own SectionReader, so a failed read makes exactly
// that section unknown.
import { linkAt, linksAt, membersOf, type Resource } from '../redfish/navigate.ts';
import { readProcessors } from './cpu.ts';
import { readFirmware, readManager } from './firmware.ts';
import { boardChassis, compact, mainChassis, readChassis, readIdentity, readMaker, readMotherboard, readOs } from './identity.ts';
import { readMemory } from './memory.ts';
import type { Finding, HardwareInventory, Note, SectionName } from './model.ts';
import { managerAddresses, managerMacs, readNetwork } from './network.ts';
import { readPci } from './pci.ts';
import { str } from './read.ts';
import { keyOf, SectionReader, type ResourceSource } from './source.ts';
import { readStorage } from './storage.ts';
import { detectVendor } from './vendor.ts';

/**
 * ComputerSystem paths reachable from the root: /Systems members and Chassis ComputerSystems
 * links; when those name none, the managers' ManagerForServers links (as the crawl finds them).
 */
export function systemsOf(source: ResourceSource): string[] {
  const reader = new SectionReader(source, 'identity');
  const root = reader.get('/redfish/v1');
  const paths = new Set<string>();
  const add = (link: string) => {
    const key = keyOf(source, link);
    if (key) paths.add(key);
  };
  membersOf(reader.get(linkAt(root, ['Systems']))).forEach(add);
  for (const chassis of reader.members(linkAt(root, ['Chassis']))) linksAt(chassis, ['Links', 'ComputerSystems']).forEach(add);
  if (paths.size === 0) for (const manager of reader.members(linkAt(root, ['Managers']))) linksAt(manager, ['Links', 'ManagerForServers']).forEach(add);
  return [...paths];
}

/** The inventory of every system the source holds that could be read. */
export function toInventories(source: ResourceSource, systems: readonly string[] = systemsOf(source)): HardwareInventory[] {
  return systems.map((path) => toInventory(source, path)).filter((inventory): inventory is HardwareInventory => inventory !== undefined);
}

/** The inventory of one system, or undefined when the system resource itself could not be read. */
export function toInventory(source: ResourceSource, systemPath: string): HardwareInventory | undefined {
  const findings: Finding[] = [];
  const readers = new Map<SectionName, SectionReader>();
  const reader = (name: SectionName) => {
    let found = readers.get(name);
    if (!found) readers.set(name, (found = new SectionReader(source, name)));
    return found;
  };
  const identityReader = reader('identity');
  const system = identityReader.get(systemPath);
  if (system === undefined) return undefined;
  const root = identityReader.get('/redfish/v1');
  const chassis = reader('chassis').follow(system, ['Links', 'Chassis']);
  // Adapters, drives and PCIe devices are read under the chassis: an unreadable chassis leaves
  // those sections incomplete, not smaller.
  for (const failure of reader('chassis').provenance().failures) {
    for (const section of ['network', 'storage', 'pci'] as const) reader(section).fail(failure.path, failure.kind, `chassis unreadable: ${failure.message}`);
  }
  const managers = managersOf(system, root, reader('bmc'));
  const profile = detectVendor(root, managers[0]);

  const processors = readProcessors(system, reader('cpu'), findings);
  const memory = readMemory(system, reader('memory'), processors.cpus.length, findings);
  const storage = readStorage(system, chassis, reader('storage'), findings);
  const ownMacs = managerMacs(managers, reader('bmc'));
  const pci = readPci(system, chassis, reader('pci'), profile, processors.gpus);
  const network = readNetwork(system, chassis, reader('network'), source, new Set([...ownMacs, ...profile.bmcOnlyMacs]), findings, pci.deviceAddresses);
  const firmware = readFirmware(system, root, reader('firmware'), findings);
  const main = mainChassis(chassis);
  const maker = readMaker(system, main, profile);
  const os = readOs(system);
  const powerState = str(system.PowerState);
  const bmcFirmware = readManager(managers);

  const sections = Object.fromEntries(
    (['identity', 'cpu', 'memory', 'storage', 'network', 'pci', 'firmware', 'chassis', 'bmc'] as const).map((name) => [name, reader(name).provenance()]),
  ) as HardwareInventory['sections'];
  return {
    system: systemPath,
    systemId: str(system.Id) ?? systemPath.split('/').pop() ?? systemPath,
    vendor: profile.name,
    identity: readIdentity(system, profile, maker.manufacturer),
    ...(powerState ? { powerState } : {}),
    ...(processors.architecture ? { architecture: processors.architecture } : {}),
    ...(os ? { os } : {}),
    cpus: processors.cpus,
    memory,
    drives: storage.drives,
    volumes: storage.volumes,
    nics: network.nics,
    pci: pci.functions,
    gpus: pci.gpus,
    firmware,
    chassis: readChassis(main),
    motherboard: readMotherboard(system, boardChassis(chassis), profile, maker.manufacturer),
    bmc: compact({ ...bmcFirmware, macs: ownMacs, addresses: managerAddresses(managers, reader('bmc')) }),
    sections,
    findings,
    ...withNotes([...(maker.note ? [maker.note] : []), ...network.notes, ...storage.notes]),
  };
}

// Notes only when there are some, so an inventory without any is what it was before notes existed
// (same fingerprint: nothing is pushed again for it).
function withNotes(notes: readonly Note[]): { notes?: readonly Note[] } {
  return notes.length > 0 ? { notes } : {};
}

// The managers of a system: its ManagedBy links, else every manager of the service.
function managersOf(system: Resource, root: Resource | undefined, reader: SectionReader): Resource[] {
  const linked = reader.follow(system, ['Links', 'ManagedBy']);
  if (linked.length > 0) return linked;
  return reader.members(linkAt(root, ['Managers']));
}
