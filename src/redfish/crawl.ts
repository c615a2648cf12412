// The crawl: from the service root, follow links (never ids) to every ComputerSystem and to what
// MAAS needs to know about it, and nothing else: the BIOS settings, which no part of the document
// comes from, are not read, nor storage controllers unless a drive leaves its protocol to them
// (one to three requests fewer per BMC, every sweep). The result is vendor-neutral and raw —
// every read's outcome keyed by path — so normalisation is a pure walk over it and a failed read
// is visible as unknown. How each read is made (once per path, collections, `$expand` and its
// fallbacks, paging, reuse) is crawl-run.ts's.
import type { RedfishClient } from './client.ts';
import { Crawl } from './crawl-run.ts';
import { ARRAY_CONTROLLERS, PHYSICAL_DRIVES, SMART_STORAGE } from './oem/hpe.ts';
import { lacksProtocol, PLAUSIBLE_DRIVE_BYTES } from './resources/storage.ts';
import { inventoryComplete, isStarting } from './starting.ts';
import { at, isResource, linkAt, linkKey, linksAt, membersOf, type Resource } from './navigate.ts';
import type { RawCrawl, ReadFailure } from './outcome.ts';

export type { Outcome, RawCrawl, ReadFailure } from './outcome.ts';

/** Crawl settings beyond the client's. */
export interface CrawlOptions {
  /**
   * Re-reads of a system whose Status.State is `Starting`, unless its BootProgress or OEM POST
   * state says its inventory is complete (starting.ts). @default 3
   */
  readonly startingRereads: number;
  /** Wait before each re-read of a starting system. @default 5000 */
  readonly startingDelayMs: number;
  /**
   * Take a component from the last sweep's reads (the client's cache) when the listing that leads
   * to it was read again and is unchanged: the members of an unchanged Memory collection, the
   * drives of an unchanged storage subsystem, the ports of an unchanged adapter. Listings and
   * parents are always read again (conditionally), so an added or removed part is seen at once; a
   * part replaced at the same path is seen at the next full read. @default false
   */
  readonly reuseUnchanged: boolean;
}

/** The defaults of every crawl option. */
export const DEFAULT_CRAWL_OPTIONS: CrawlOptions = Object.freeze({ startingRereads: 3, startingDelayMs: 5_000, reuseUnchanged: false });

// Vendor OEM links worth reading, chosen by the service root's Oem key (never by ids).
// HPE iLO 5+ lists GPUs and other adapters only in its chassis device inventory.
const OEM_CHASSIS_COLLECTIONS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Hpe: [['Oem', 'Hpe', 'Links', 'Devices']],
  Hp: [['Oem', 'Hp', 'Links', 'Devices']],
};

/** Crawls a connected client's BMC. Never throws for a resource; only the service root must be readable. */
export async function crawl(client: RedfishClient, options: Partial<CrawlOptions> = {}): Promise<RawCrawl> {
  const settings = { ...DEFAULT_CRAWL_OPTIONS, ...options };
  const run = new Crawl(client, settings.reuseUnchanged);
  const root = client.serviceRoot ?? (await client.connect());
  run.store('/redfish/v1', { ok: true, body: root });
  const oemKeys = isResource(at(root, ['Oem'])) ? Object.keys(at(root, ['Oem']) as Resource) : [];

  // The firmware needs only the service root: it starts beside the first collections, and the
  // per-BMC queue sends what leads to more reads first.
  const firmware = crawlFirmware(run, root);
  const [systemMembers, chassisMembers] = await Promise.all([
    run.collection(linkAt(root, ['Systems']), '/redfish/v1', true),
    run.collection(linkAt(root, ['Chassis']), '/redfish/v1', true),
  ]);
  const chassisBodies = await Promise.all(chassisMembers.map((path) => run.resource(path, 'Chassis')));
  // The same system is often linked from /Systems and from its chassis, spelled with or without
  // a trailing slash: keys, not links, decide what is the same.
  let systems = unique([
    ...systemMembers,
    ...chassisBodies.flatMap((chassis, index) =>
      run.links(chassis, ['Links', 'ComputerSystems'], chassisMembers[index] ?? 'Chassis').map((link) => run.pathOf(link)!),
    ),
  ]);
  // Some BMCs list no system in /Systems (an empty or missing collection) and link their host only
  // from the manager: read the managers for it then, and only then.
  if (systems.length === 0) systems = await managedSystems(run);

  await Promise.all([...systems.map((path) => crawlSystem(run, path, oemKeys, settings)), firmware]);
  // The systems' managers are read anyway; one that serves a system no listing names (a BMC
  // listing one host in /Systems and another only from its manager) gets that system read too.
  const served = servedSystems(run, systems).filter((path) => !systems.includes(path));
  if (served.length > 0) {
    systems = [...systems, ...served];
    await Promise.all(served.map((path) => crawlSystem(run, path, oemKeys, settings)));
  }
  return {
    origin: client.origin,
    resources: run.outcomes,
    systems,
    refusedLinks: client.refusedLinks,
    warnings: run.warnings,
    reused: run.reused,
  };
}

/**
 * Why a crawl found no ComputerSystem when a read on the way to them failed: the failure of the
 * Systems collection, else of the Chassis collection, else of the first system or chassis read.
 * Undefined when every read succeeded (the BMC lists no system).
 */
export function systemsFailure(raw: RawCrawl): ReadFailure | undefined {
  const outcomeAt = (link: string) => {
    const key = linkKey(raw.origin, link);
    return key === undefined ? undefined : raw.resources.get(key);
  };
  const bodyAt = (link: string) => {
    const outcome = outcomeAt(link);
    return outcome?.ok ? outcome.body : undefined;
  };
  const root = bodyAt('/redfish/v1');
  const listings = [linkAt(root, ['Systems']), linkAt(root, ['Chassis'])].filter((link) => link !== undefined);
  for (const link of [...listings, ...raw.systems, ...listings.flatMap((listing) => membersOf(bodyAt(listing)))]) {
    const outcome = outcomeAt(link);
    if (outcome && !outcome.ok) return outcome.error;
  }
  return undefined;
}

async function crawlSystem(run: Crawl, path: string, oemKeys: readonly string[], settings: CrawlOptions): Promise<void> {
  let system = await run.resource(path, 'Systems');
  // A host still in POST reports zero CPUs and memory; recording that would look like a gutted
  // machine. Read it again later instead (SMD does the same), unless the BMC's own answer says the
  // inventory is complete (some firmware says Starting for good: re-reading costs seconds).
  let rereads = 0;
  for (; isStarting(system) && inventoryComplete(system) === undefined && rereads < settings.startingRereads; rereads++) {
    await run.pause(settings.startingDelayMs);
    system = await run.resource(path, 'Systems', true);
  }
  if (isStarting(system) && inventoryComplete(system) === undefined) {
    run.warnings.push(`${path}: still Starting after ${rereads} re-read${rereads === 1 ? '' : 's'} over ${seconds(rereads * settings.startingDelayMs)}, and nothing says its inventory is complete: its CPUs, memory or disks may be missing`);
  }
  if (system === undefined) return;

  const chassisLinks = run.links(system, ['Links', 'Chassis'], path);
  const managedBy = run.links(system, ['Links', 'ManagedBy'], path);
  const managers = managedBy.length > 0 ? Promise.resolve(managedBy) : run.collection(linkAt(run.root, ['Managers']), '/redfish/v1');

  // Every branch starts at once; the per-BMC queue orders the reads (what leads to more first).
  const storage = crawlStorage(run, linkAt(system, ['Storage']) ?? linkAt(system, ['Storages']), path);
  const chassis = chassisLinks.map((link) => crawlChassis(run, link, path, oemKeys));
  // Only when the standard storage lists no drive (older iLO firmware keeps them under its OEM
  // SmartStorage alone) or one whose CapacityBytes no drive has (the OEM sizes check it): a BMC
  // whose standard drives are in order is not asked for more.
  const smartStorage = Promise.all([storage, ...chassis]).then(() => {
    const drives = standardDrives(run, system, chassisLinks);
    return drives.length === 0 || drives.some(implausibleSize) ? crawlSmartStorage(run, system, path) : undefined;
  });
  await Promise.all([
    run.collection(linkAt(system, ['Processors']), path, true, 'members'),
    run.collection(linkAt(system, ['Memory']), path, true, 'members'),
    run.collection(linkAt(system, ['EthernetInterfaces']), path, true, 'members'),
    run.collection(linkAt(system, ['SimpleStorage']), path, true, 'members'),
    storage,
    crawlPcie(run, system, path, chassisLinks),
    ...chassis,
    managers.then((links) => Promise.all(links.map((manager) => crawlManager(run, manager, path)))),
    smartStorage,
  ]);
}

// The systems the managers say they manage (Links.ManagerForServers).
// The systems the managers already read serve (Links.ManagerForServers), without reading more
// (links to other origins were recorded as refused where they were first met).
function servedSystems(run: Crawl, systems: readonly string[]): string[] {
  const paths = (links: readonly string[]) => links.map((link) => run.pathOf(link)).filter((path) => path !== undefined);
  const listing = run.pathOf(linkAt(run.root, ['Managers']) ?? '');
  const managers = unique([...systems.flatMap((path) => paths(linksAt(run.body(path), ['Links', 'ManagedBy']))), ...paths(listing === undefined ? [] : membersOf(run.body(listing)))]);
  return unique(managers.flatMap((manager) => paths(linksAt(run.body(manager), ['Links', 'ManagerForServers']))));
}

async function managedSystems(run: Crawl): Promise<string[]> {
  const managers = await run.collection(linkAt(run.root, ['Managers']), '/redfish/v1', true);
  return unique(managers.flatMap((manager) => run.links(run.body(manager), ['Links', 'ManagerForServers'], manager).map((link) => run.pathOf(link)!)));
}

// The drive bodies the system's standard storage (its storage subsystems, its chassis) names.
function standardDrives(run: Crawl, system: unknown, chassisLinks: readonly string[]): unknown[] {
  const body = (link: string) => run.body(run.pathOf(link) ?? link);
  const collection = linkAt(system, ['Storage']) ?? linkAt(system, ['Storages']);
  const links = collection === undefined ? [] : membersOf(body(collection)).flatMap((subsystem) => linksAt(body(subsystem), ['Drives']));
  for (const link of chassisLinks) {
    const chassis = body(link);
    const collection = linkAt(chassis, ['Drives']);
    links.push(...linksAt(chassis, ['Links', 'Drives']), ...(collection === undefined ? [] : membersOf(body(collection))));
  }
  return links.map(body);
}

function implausibleSize(drive: unknown): boolean {
  const size = at(drive, ['CapacityBytes']);
  return typeof size === 'number' && size > 0 && size < PLAUSIBLE_DRIVE_BYTES;
}

// HPE's OEM storage tree: SmartStorage → ArrayControllers → each controller's PhysicalDrives.
async function crawlSmartStorage(run: Crawl, system: unknown, from: string): Promise<void> {
  for (const pointer of SMART_STORAGE) {
    const link = linkAt(system, pointer);
    if (link === undefined) continue;
    const smart = await run.resource(link, from);
    const path = run.pathOf(link) ?? link;
    const controllers = await run.collection(linkAt(smart, ARRAY_CONTROLLERS), path, true);
    await Promise.all(controllers.map((controller) => run.collection(linkAt(run.body(controller), PHYSICAL_DRIVES), controller, true, 'members')));
  }
}

async function crawlStorage(run: Crawl, link: string | undefined, from: string): Promise<void> {
  const subsystems = await run.collection(link, from, true);
  await Promise.all(
    subsystems.map(async (path) => {
      const storage = run.body(path);
      const [drives] = await Promise.all([
        Promise.all(run.links(storage, ['Drives'], path).map((drive) => run.member(drive, path))),
        run.collection(linkAt(storage, ['Volumes']), path, true, 'members'),
      ]);
      // A drive that does not name its protocol: the controllers say which (NVMe), read only then
      // and only when the storage resource does not list them inline.
      const inline = at(storage, ['StorageControllers']);
      if (!(Array.isArray(inline) && inline.length > 0) && drives.some(lacksProtocol)) {
        await run.collection(linkAt(storage, ['Controllers']), path, true, 'members');
      }
    }),
  );
}

async function crawlPcie(run: Crawl, system: unknown, from: string, chassisLinks: readonly string[]): Promise<void> {
  // ComputerSystem lists PCIeDevices as an array of links (v1.x) or links a collection.
  const listed = at(system, ['PCIeDevices']);
  if (Array.isArray(listed)) {
    // The same devices are usually members of the chassis' collection, which `$expand` reads in
    // one request: read it first, and the links below are already known (iDRAC: six reads fewer).
    await Promise.all(chassisLinks.map(async (chassis) => run.collection(linkAt(await run.resource(chassis, from), ['PCIeDevices']), chassis, true)));
  }
  const devices = Array.isArray(listed)
    ? await Promise.all(run.links(system, ['PCIeDevices'], from).map((path) => run.resource(path, from).then(() => path)))
    : await run.collection(linkAt(system, ['PCIeDevices']), from, true);
  await Promise.all(devices.map((path) => crawlPcieFunctions(run, path)));
}

async function crawlPcieFunctions(run: Crawl, device: string): Promise<void> {
  const body = run.body(device);
  const collection = linkAt(body, ['PCIeFunctions']);
  if (collection) await run.collection(collection, device, true, 'whole');
  else await Promise.all(run.links(body, ['Links', 'PCIeFunctions'], device).map((path) => run.member(path, device)));
}

async function crawlChassis(run: Crawl, link: string, from: string, oemKeys: readonly string[]): Promise<void> {
  const chassis = await run.resource(link, from);
  if (chassis === undefined) return;
  const path = run.pathOf(link) ?? link;
  const [adapters, pcie] = await Promise.all([
    run.collection(linkAt(chassis, ['NetworkAdapters']), path, true),
    run.collection(linkAt(chassis, ['PCIeDevices']), path, true),
  ]);
  const oem = oemKeys.flatMap((key) => OEM_CHASSIS_COLLECTIONS[key] ?? []);
  await Promise.all([
    ...adapters.map(async (adapter) => {
      const body = run.body(adapter);
      await Promise.all([
        run.collection(linkAt(body, ['Ports']) ?? linkAt(body, ['NetworkPorts']), adapter, true, 'whole'),
        run.collection(linkAt(body, ['NetworkDeviceFunctions']), adapter, true, 'whole'),
      ]);
    }),
    ...pcie.map((device) => crawlPcieFunctions(run, device)),
    run.collection(linkAt(chassis, ['Drives']), path, true, 'members'),
    ...run.links(chassis, ['Links', 'Drives'], path).map((drive) => run.member(drive, path)),
    ...oem.map((pointer) => run.collection(linkAt(chassis, pointer), path, true, 'members')),
  ]);
}

async function crawlManager(run: Crawl, link: string, from: string): Promise<void> {
  const manager = await run.resource(link, from);
  if (manager === undefined) return;
  await run.collection(linkAt(manager, ['EthernetInterfaces']), run.pathOf(link) ?? link, true, 'members');
}

async function crawlFirmware(run: Crawl, root: unknown): Promise<void> {
  const update = await run.optional(linkAt(root, ['UpdateService']), '/redfish/v1');
  await run.collection(linkAt(update, ['FirmwareInventory']), 'UpdateService', true, 'members');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}
