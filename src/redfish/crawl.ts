// The crawl: from the service root, follow links (never ids) to every ComputerSystem and to what
// MAAS needs to know about it, and nothing else: the BIOS settings, which no part of the document
// comes from, are not read, nor storage controllers unless a drive leaves its protocol to them
// (one to three requests fewer per BMC, every sweep). The result is vendor-neutral and raw — every read's outcome keyed by path — so
// normalisation is a pure walk over it and a failed read is visible as unknown.
import type { RedfishClient } from './client.ts';
import { RedfishError } from './errors.ts';
import type { Priority } from './limit.ts';
import { ARRAY_CONTROLLERS, PHYSICAL_DRIVES, SMART_STORAGE } from './oem/hpe.ts';
import { lacksProtocol, PLAUSIBLE_DRIVE_BYTES } from './resources/storage.ts';
import { inventoryComplete, isStarting } from './starting.ts';
import { at, idOf, isResource, linkAt, linkKey, linksAt, membersOf, normalisePath, type Resource } from './navigate.ts';
import { failed, type Outcome, type RawCrawl, type ReadFailure } from './outcome.ts';

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

/**
 * What an unchanged listing lets the crawl reuse: nothing; its members (leaf components such as
 * DIMMs, drives, interfaces); or, for the fixed parts of a component (an adapter's ports, a PCIe
 * device's functions), the whole listing when the component itself is unchanged.
 */
type Reuse = 'none' | 'members' | 'whole';

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

const MEMBERS = ['Members'];
const ODATA_ID = ['@odata.id'];

/** The state of one crawl: outcomes so far, and reads in progress (so no path is read twice). */
class Crawl {
  readonly outcomes = new Map<string, Outcome>();
  readonly warnings: string[] = [];
  reused = 0;
  readonly #client: RedfishClient;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #reuse: boolean;
  // For reuse: each path's body as the last sweep read it and as read now; the members that came
  // inline in a collection; and the verdicts reached (a path read again and found unchanged, or
  // part of such a listing, is "vouched for").
  readonly #reads = new Map<string, { readonly before: unknown; readonly after: unknown }>();
  readonly #inlineIn = new Map<string, string>();
  readonly #vouched = new Map<string, boolean>();

  constructor(client: RedfishClient, reuse: boolean) {
    this.#client = client;
    this.#reuse = reuse;
  }

  get root(): unknown {
    return this.body('/redfish/v1');
  }

  store(path: string, outcome: Outcome): void {
    this.outcomes.set(path, outcome);
  }

  /** The body read at a path, if the read succeeded. */
  body(path: string): unknown {
    const outcome = this.outcomes.get(path);
    return outcome?.ok ? outcome.body : undefined;
  }

  /** The store key of a link, or undefined for another origin. */
  pathOf(link: string): string | undefined {
    return linkKey(this.#client.origin, link);
  }

  /** Links at a pointer, with refused ones recorded and dropped. */
  links(body: unknown, pointer: readonly string[], from: string): string[] {
    return this.#accepted(body, pointer, from, (link) => link);
  }

  // The links at a pointer that stay on the BMC's origin, as `pick` makes them (the link or its
  // store key); the others are recorded as refused.
  #accepted<T>(body: unknown, pointer: readonly string[], from: string, pick: (link: string, path: string) => T): T[] {
    const accepted: T[] = [];
    for (const link of linksAt(body, pointer)) {
      const path = this.pathOf(link);
      if (path !== undefined) accepted.push(pick(link, path));
      else this.#client.refusedLinks.push({ link, from, reason: 'another origin' });
    }
    return accepted;
  }

  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Reads a resource once (unless `again`), recording the outcome; resolves to the body or undefined. */
  // Not async, like the reads below it: each async layer is a frame and two ticks per request.
  resource(link: string, from: string, again = false, priority: Priority = 'unlocks'): Promise<unknown> {
    const path = this.pathOf(link);
    if (path === undefined) return this.#record(link, this.#client.get(link, from)).then(() => undefined);
    if (!again && this.outcomes.has(path)) return Promise.resolve(this.body(path));
    const pending = this.#inflight.get(path);
    if (pending && !again) return pending;
    const read = this.#record(path, this.#fetch(link, path, from, undefined, priority));
    this.#inflight.set(path, read);
    return read;
  }

  /** A leaf component listed by `from`: reused when `from` is vouched for, else read. */
  async member(link: string, from: string): Promise<unknown> {
    const path = this.pathOf(link);
    if (path !== undefined && !this.outcomes.has(path) && !this.#inflight.has(path) && this.isVouched(from)) {
      const kept = this.#client.remembered(link);
      if (kept !== undefined) {
        this.store(path, { ok: true, body: kept });
        this.reused++;
        return kept;
      }
    }
    return this.resource(link, from, false, 'leaf');
  }

  /** True when `path` was read again and is unchanged, or came inline in a listing that is. */
  isVouched(path: string): boolean {
    if (!this.#reuse) return false;
    let verdict = this.#vouched.get(path);
    if (verdict === undefined) {
      const read = this.#reads.get(path);
      const listing = this.#inlineIn.get(path);
      verdict = read ? read.before === read.after || JSON.stringify(read.before) === JSON.stringify(read.after) : listing !== undefined && this.isVouched(listing);
      this.#vouched.set(path, verdict);
    }
    return verdict;
  }

  // Reads through the client, keeping what the last sweep read for the verdicts above.
  #fetch(link: string, path: string, from: string, query?: string, priority: Priority = 'unlocks'): Promise<unknown> {
    const before = this.#reuse ? this.#client.remembered(link, query) : undefined;
    if (before === undefined) return this.#client.get(link, from, query, priority);
    return this.#client.get(link, from, query, priority).then((body) => {
      this.#reads.set(path, { before, after: body });
      this.#vouched.delete(path);
      return body;
    });
  }

  /** Like `resource`, for links that may be absent. */
  async optional(link: string | undefined, from: string): Promise<unknown> {
    return link === undefined ? undefined : this.resource(link, from);
  }

  /**
   * Reads a collection and its members; resolves to the member paths. With `$expand` the members
   * arrive inline; an expanded answer that is broken is read again plainly, one that lacks members'
   * properties is used as the listing and its members read one by one; either way expansion is
   * dropped for the rest of this BMC's crawl.
   */
  async collection(link: string | undefined, from: string, expandable = false, reuse: Reuse = 'none'): Promise<string[]> {
    if (link === undefined) return [];
    const path = this.pathOf(link);
    if (path === undefined) {
      await this.resource(link, from);
      return [];
    }
    if (this.outcomes.has(path) || this.#inflight.has(path)) {
      await this.#inflight.get(path);
      return this.#memberPaths(path);
    }
    const read = reuse === 'whole' && this.#reuseWhole(link, path, from, expandable) ? Promise.resolve() : this.#readCollection(link, path, from, expandable, reuse);
    this.#inflight.set(path, read);
    await read;
    return this.#memberPaths(path);
  }

  // The fixed parts of a vouched-for component, taken whole from the last sweep's read of the
  // listing (expanded or not). False when there is nothing to reuse.
  #reuseWhole(link: string, path: string, from: string, expandable: boolean): boolean {
    if (!this.isVouched(from)) return false;
    const expand = expandable ? this.#client.expandQuery : undefined;
    const kept = (expand ? this.#client.remembered(link, expand) : undefined) ?? this.#client.remembered(link);
    const members = at(kept, ['Members']);
    if (!isResource(kept) || !Array.isArray(members) || kept['Members@odata.nextLink'] !== undefined) return false;
    const links = members.map((member) => linkAt(member, ['@odata.id'])).map((member) => member && this.pathOf(member));
    // Every member must be inline or remembered, or the listing is read again.
    const bodies = members.map((member, index) => (isResource(member) && isComplete(member) && Object.keys(member).length > 1 ? member : links[index] && this.#client.remembered(links[index])));
    if (bodies.some((body, index) => body === undefined || links[index] === undefined)) return false;
    bodies.forEach((body, index) => {
      const member = links[index]!;
      if (!this.outcomes.has(member)) this.store(member, { ok: true, body });
      this.#inlineIn.set(member, path);
    });
    this.store(path, { ok: true, body: { ...kept, Members: links.map((member) => ({ '@odata.id': member })) } });
    this.#vouched.set(path, true);
    this.reused += 1 + members.length;
    return true;
  }

  async #readCollection(link: string, path: string, from: string, expandable: boolean, reuse: Reuse): Promise<void> {
    const expand = expandable ? this.#client.expandQuery : undefined;
    const read = (member: string) => (reuse === 'none' ? this.resource(member, path) : this.member(member, path));
    // AMI's expansion keeps only the members' identities: such an answer is still the listing.
    let listing: unknown;
    if (expand) {
      // Expanded, a listing of leaves (DIMMs, ports) is the last read of its branch.
      const priority: Priority = reuse === 'none' ? 'unlocks' : 'leaf';
      try {
        const first = await this.#fetch(link, path, from, expand, priority);
        const members = isResource(first) && Array.isArray(first.Members) ? (first.Members as unknown[]) : [];
        if (members.every(isComplete)) {
          const collected = await this.#pages(first, path, expand, priority);
          for (const member of collected.inline) {
            const id = idOf(member);
            if (id !== undefined && this.pathOf(id) !== undefined && !this.outcomes.has(id)) {
              this.store(id, { ok: true, body: member });
              this.#inlineIn.set(id, path);
            }
          }
          this.store(path, { ok: true, body: collected.body });
          await Promise.all(collected.links.filter((member) => !this.outcomes.has(member)).map(read));
          return;
        }
        this.#client.disableExpand(`${path}: expanded members lack their properties`);
        listing = first;
      } catch (error) {
        if (!(error instanceof RedfishError) || error.kind !== 'bad-response') {
          this.store(path, failed(error));
          return;
        }
        this.#client.disableExpand(`${path}: expanded answer unusable (${error.message})`);
      }
    }
    await this.#record(
      path,
      (async () => {
        const body = listing ?? (await this.#fetch(link, path, from));
        return (await this.#pages(body, path, undefined)).body;
      })(),
    );
    await Promise.all(this.#memberPaths(path).map(read));
  }

  // Follows Members@odata.nextLink with a page cap and loop detection; returns the collection with
  // every member as a link, and the inline member bodies when the pages were expanded.
  async #pages(first: unknown, path: string, expand: string | undefined, priority: Priority = 'unlocks'): Promise<{ body: Resource; inline: Resource[]; links: string[] }> {
    if (!isResource(first)) throw new RedfishError('bad-response', `${path}: collection is not a JSON object`, { path });
    const rawMembers = first.Members;
    if (rawMembers !== null && rawMembers !== undefined && !Array.isArray(rawMembers)) {
      throw new RedfishError('bad-response', `${path}: Members is not an array`, { path });
    }
    // One pass over each page's members: their links (first occurrence wins) and the inline bodies.
    const links: string[] = [];
    const linked = new Set<string>();
    const inline: Resource[] = [];
    let count = 0;
    const take = (members: readonly unknown[]) => {
      count += members.length;
      this.#checkSize(count, path);
      for (const member of members) {
        const link = linkAt(member, ODATA_ID);
        if (link !== undefined && !linked.has(link)) {
          linked.add(link);
          links.push(link);
        }
        if (isComplete(member)) inline.push(member as Resource);
      }
    };
    take((rawMembers as unknown[] | null | undefined) ?? []);
    const seen = new Set<string>([path]);
    let next = linkAt(first, ['Members@odata.nextLink']);
    for (let pages = 1; next !== undefined; pages++) {
      const key = next;
      if (seen.has(key)) {
        this.warnings.push(`${path}: Members@odata.nextLink loops back to ${key}; stopped paging`);
        break;
      }
      if (pages >= this.#client.options.maxPages) {
        throw new RedfishError('bad-response', `${path}: more than ${this.#client.options.maxPages} pages of members`, { path });
      }
      seen.add(key);
      const page = await this.#client.get(key, path, expand, priority);
      const members = at(page, MEMBERS);
      if (Array.isArray(members)) take(members as unknown[]);
      next = linkAt(page, ['Members@odata.nextLink']);
    }
    const { ['Members@odata.nextLink']: _next, ...rest } = first;
    return { body: { ...rest, Members: links.map((link) => ({ '@odata.id': link })) }, inline, links };
  }

  #checkSize(count: number, path: string): void {
    const max = this.#client.options.maxMembers;
    if (count > max) throw new RedfishError('bad-response', `${path}: more than ${max} members`, { path });
  }

  #memberPaths(path: string): string[] {
    return this.#accepted(this.body(path), MEMBERS, path, (_link, member) => member);
  }

  async #record(path: string, reading: Promise<unknown>): Promise<unknown> {
    const key = normalisePath(path);
    try {
      const body = await reading;
      this.store(key, { ok: true, body });
      return body;
    } catch (error) {
      this.store(key, failed(error));
      return undefined;
    } finally {
      this.#inflight.delete(key);
    }
  }
}

// An expanded member is usable when it carries more than its identity: AMI's expansion keeps only
// `@odata.id`, `@odata.type` and `Name`.
function isComplete(member: unknown): boolean {
  if (!isResource(member)) return false;
  let keys = 0;
  for (const key in member) {
    if (!Object.hasOwn(member, key)) continue;
    keys++;
    if (key.charCodeAt(0) !== 0x40 && key !== 'Name' && key !== 'Id' && key !== 'Description') return true;
  }
  return keys === 1 && Object.hasOwn(member, '@odata.id'); // a plain link
}
