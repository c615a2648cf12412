// Raw crawl → HardwareInventory, one per ComputerSystem. Pure: the same resources always give the
// same inventory. Each area reads through its own SectionReader, so a failed read makes exactly
// that section unknown.
import { isResource, linkAt, linksAt, membersOf, type Resource } from '../redfish/navigate.ts';
import { readProcessors } from './cpu.ts';
import { readFirmware, readManager } from './firmware.ts';
import { boardChassis, compact, mainChassis, readChassis, readIdentity, readMaker, readMotherboard, readOs } from './identity.ts';
import { readMemory } from './memory.ts';
import type { Finding, HardwareInventory, Note, SectionName } from './model.ts';
import { managerAddresses, managerMacs, readNetwork } from './network.ts';
import { readPci } from './pci.ts';
import { hostsOf, type HostGroup } from './hosts.ts';
import { str, text } from './read.ts';
import { keyOf, SectionReader, type ResourceSource } from './source.ts';
import { readStorage } from './storage.ts';
import { detectVendor } from './vendor.ts';

/**
 * ComputerSystem paths reachable from the root: /Systems members and Chassis ComputerSystems
 * links; when those name none, the managers' ManagerForServers links; then any other system the
 * managers in the source serve (as the crawl finds them).
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
  // A manager that serves a system no listing names: that system too, as the crawl reads it.
  for (const manager of servingManagers(source, [...paths])) linksAt(manager, ['Links', 'ManagerForServers']).forEach(add);
  return [...paths];
}

// The managers of these systems (their Links.ManagedBy, and the Managers listing) that the
// source holds, looked at without recording a missing one as a failed read.
function servingManagers(source: ResourceSource, systems: readonly string[]): Resource[] {
  const bodyAt = (link: string | undefined) => {
    const key = link === undefined ? undefined : keyOf(source, link);
    const outcome = key === undefined ? undefined : source.resources.get(key);
    return outcome?.ok && isResource(outcome.body) ? outcome.body : undefined;
  };
  const links = [...systems.flatMap((path) => linksAt(bodyAt(path), ['Links', 'ManagedBy'])), ...membersOf(bodyAt(linkAt(bodyAt('/redfish/v1'), ['Managers'])))];
  return [...new Set(links.map((link) => keyOf(source, link)))].map((key) => bodyAt(key)).filter((body): body is Resource => body !== undefined);
}

/**
 * The inventory of every machine the source holds that could be read: one per system, except that
 * systems the BMC links as parts of one host are one machine (hosts.ts).
 */
export function toInventories(source: ResourceSource, systems: readonly string[] = systemsOf(source)): HardwareInventory[] {
  return hostsOf(source, systems)
    .map((group) => toInventory(source, group.host, group))
    .filter((inventory): inventory is HardwareInventory => inventory !== undefined);
}

/**
 * The inventory of one machine: the system at `systemPath` and the systems that are parts of it
 * (`group.parts`, whose CPUs, memory, disks, ports and devices it holds too). Undefined when the
 * host's system resource itself could not be read.
 */
export function toInventory(source: ResourceSource, systemPath: string, group: Pick<HostGroup, 'parts' | 'notes'> = { parts: [], notes: [] }): HardwareInventory | undefined {
  const findings: Finding[] = [];
  const readers = new Map<SectionName, SectionReader>();
  const reader = (name: SectionName) => {
    let found = readers.get(name);
    if (!found) readers.set(name, (found = new SectionReader(source, name)));
    return found;
  };
  const identityReader = reader('identity');
  const host = identityReader.get(systemPath);
  if (host === undefined) return undefined;
  const systems = [host, ...group.parts.map((part) => identityReader.get(part)).filter((part): part is Resource => part !== undefined)];
  // What the host leaves blank (its serial, its BIOS version) may be on a part.
  const system = withFallbacks(systems);
  const root = identityReader.get('/redfish/v1');
  const chassis = unique(systems.flatMap((each) => reader('chassis').follow(each, ['Links', 'Chassis'])));
  // Adapters, drives and PCIe devices are read under the chassis: an unreadable chassis leaves
  // those sections incomplete, not smaller.
  for (const failure of reader('chassis').provenance().failures) {
    for (const section of ['network', 'storage', 'pci'] as const) reader(section).fail(failure.path, failure.kind, `chassis unreadable: ${failure.message}`);
  }
  const managers = unique(systems.flatMap((each) => managersOf(each, root, reader('bmc'))));
  const profile = detectVendor(root, managers[0]);

  const processors = readProcessors(systems, reader('cpu'), findings);
  const memory = readMemory(systems, reader('memory'), processors.socketsPerSystem, findings);
  const storage = readStorage(systems, chassis, reader('storage'), findings);
  const ownMacs = managerMacs(managers, reader('bmc'));
  const pci = readPci(systems, chassis, reader('pci'), profile, processors.gpus);
  const network = readNetwork(systems, chassis, reader('network'), source, new Set([...ownMacs, ...profile.bmcOnlyMacs]), findings, pci.links);
  const firmware = readFirmware(system, root, reader('firmware'), findings);
  const main = mainChassis(chassis);
  const maker = readMaker(system, main, profile);
  const os = readOs(system);
  const powerState = str(host.PowerState);
  const bmcFirmware = readManager(managers);

  const sections = Object.fromEntries(
    (['identity', 'cpu', 'memory', 'storage', 'network', 'pci', 'firmware', 'chassis', 'bmc'] as const).map((name) => [name, reader(name).provenance()]),
  ) as HardwareInventory['sections'];
  return {
    system: systemPath,
    systemId: str(host.Id) ?? systemPath.split('/').pop() ?? systemPath,
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
    ...withNotes([...group.notes, ...(maker.note ? [maker.note] : []), ...processors.notes, ...network.notes, ...storage.notes]),
  };
}

// The fields that name the machine and its firmware, taken from the first system of the machine
// that gives them (the host's own first).
const IDENTITY_FIELDS = ['UUID', 'SerialNumber', 'SKU', 'AssetTag', 'HostName', 'Manufacturer', 'Model', 'PartNumber', 'BiosVersion'] as const;

function withFallbacks(systems: readonly Resource[]): Resource {
  const [host, ...parts] = systems;
  if (parts.length === 0) return host!;
  const merged: Record<string, unknown> = { ...host };
  for (const field of IDENTITY_FIELDS) {
    if (text(host![field]) !== undefined) continue;
    const from = parts.find((part) => text(part[field]) !== undefined);
    if (from !== undefined) merged[field] = from[field];
  }
  return merged;
}

// Resources de-duplicated by their @odata.id, in order.
function unique(resources: readonly Resource[]): Resource[] {
  const seen = new Set<string>();
  return resources.filter((resource) => {
    const id = str(resource['@odata.id']);
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
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
