// The crawler against simulated BMCs over real sockets: public dumps of real servers, the
// project's fixtures, and BMCs that misbehave in the ways redfish-collection.md lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { systemsOf, toInventories } from '../../src/inventory/normalise.ts';
import { sourceFromCrawl } from '../../src/inventory/source.ts';
import { withRedfishClient, type BmcEndpoint } from '../../src/redfish/client.ts';
import { crawl, type RawCrawl } from '../../src/redfish/crawl.ts';
import { loadMockup, type Mockup } from '../../src/redfish/mockup.ts';
import { inventoryComplete } from '../../src/redfish/starting.ts';
import { linkAt, linksAt, membersOf } from '../../src/redfish/navigate.ts';
import type { ClientOptions } from '../../src/redfish/options.ts';
import { loadBehaviour, startBmc, type BmcOptions, type SimulatedBmc } from '../../src/redfish/simulator/index.ts';
import { FIXTURES, SHAPES, SHARED_MOCKUPS, treesIn } from '../helpers/mockup.ts';

let bmc: SimulatedBmc | undefined;
afterEach(async () => {
  await bmc?.close();
  bmc = undefined;
});

const fast: Partial<ClientOptions> = { backoffBaseMs: 5, backoffMaxMs: 20, requestTimeoutMs: 5_000 };

async function serve(options: BmcOptions): Promise<{ endpoint: BmcEndpoint; bmc: SimulatedBmc }> {
  bmc = await startBmc({ tls: false, ...options });
  return { bmc, endpoint: { address: bmc.url, username: bmc.credentials.username, password: bmc.credentials.password } };
}

async function crawlTree(folder: string, options: Partial<ClientOptions> = {}, extra: Partial<BmcOptions> = {}): Promise<{ result: RawCrawl; bmc: SimulatedBmc; mockup: Mockup }> {
  const mockup = await loadMockup(folder);
  const served = await serve({ mockup, behaviour: await loadBehaviour(folder), ...extra });
  const result = await withRedfishClient(served.endpoint, { ...fast, ...options }, {}, (client) => crawl(client, { startingDelayMs: 10 }));
  return { result, bmc: served.bmc, mockup };
}

// Systems reachable from the root, computed from the mockup itself.
function reachableSystems(mockup: Mockup): string[] {
  const body = (link: string | undefined) => (link ? mockup.get(link.replace(/\/$/, ''))?.body : undefined);
  const root = body('/redfish/v1');
  const found = new Set<string>();
  for (const link of membersOf(body(linkAt(root, ['Systems'])))) if (mockup.has(link.replace(/\/$/, ''))) found.add(link.replace(/\/$/, ''));
  for (const chassis of membersOf(body(linkAt(root, ['Chassis'])))) {
    for (const link of linksAt(body(chassis), ['Links', 'ComputerSystems'])) if (mockup.has(link.replace(/\/$/, ''))) found.add(link.replace(/\/$/, ''));
  }
  return [...found].sort();
}

const shared = treesIn(SHARED_MOCKUPS);

describe('crawling public mockups through the simulator', () => {
  if (shared.length === 0) {
    it('says plainly that ../shared/redfish-mockups is absent', () => {
      console.warn(`crawl conformance not run: ${SHARED_MOCKUPS} is absent`);
      expect(shared).toEqual([]);
    });
  }

  it.each(shared)('%s: finds every ComputerSystem reachable from the root and leaves no session open', async (tree) => {
    const { result, bmc: served, mockup } = await crawlTree(join(SHARED_MOCKUPS, tree));
    expect([...result.systems].sort()).toEqual(reachableSystems(mockup));
    expect(served.stats.openSessions).toBe(0);
    expect(served.stats.sessionsCreated).toBe(1);
  });
});

const projectTrees = [...treesIn(FIXTURES), ...treesIn(SHAPES).map((tree) => join('shapes', tree))];

describe('crawling the project fixtures', () => {
  it.each(projectTrees)('%s gives the same document as the mockup read from disk', async (tree) => {
    const { result } = await crawlTree(join(FIXTURES, tree));
    const [inventory] = toInventories(sourceFromCrawl(result));
    const golden = JSON.parse(readFileSync(join(FIXTURES, tree, 'expected', 'commissioning.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(toCommissioningData(inventory!)))).toEqual(golden);
  });

  it.each(projectTrees)('reads nothing from %s that the document does not use: no BIOS settings, no storage controllers of drives that name their protocol', async (tree) => {
    const { bmc } = await crawlTree(join(FIXTURES, tree));
    const read = [...bmc.stats.requestsByPath.keys()];
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((path) => /\/Systems\/[^/]+\/Bios$|\/Storage\/[^/]+\/Controllers(\/|$)/.test(path))).toEqual([]);
  });

  it('uses fewer requests with $expand than member by member, for the same document', async () => {
    const folder = join(FIXTURES, 'dell-r750-idrac9');
    const expanded = await crawlTree(folder);
    const expandedRequests = expanded.bmc.stats.requests;
    await expanded.bmc.close();
    const plain = await crawlTree(folder, { expand: 'off' });
    expect(expandedRequests).toBeLessThan(plain.bmc.stats.requests * 0.6);
    const doc = (crawled: RawCrawl) => JSON.stringify(toCommissioningData(toInventories(sourceFromCrawl(crawled))[0]!));
    expect(doc(expanded.result)).toBe(doc(plain.result));
  });

  it.each(['broken-json', 'drop-fields', 'ignored'] as const)('falls back to member reads when an expanded answer is %s', async (mode) => {
    const folder = join(FIXTURES, 'dell-r750-idrac9');
    const { result } = await crawlTree(folder, {}, { behaviour: { expand: mode } });
    const golden = JSON.parse(readFileSync(join(folder, 'expected', 'commissioning.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(toCommissioningData(toInventories(sourceFromCrawl(result))[0]!)))).toEqual(golden);
  });
  it('reads no listing twice when the expansion drops the members\' properties (AMI)', async () => {
    const folder = join(FIXTURES, 'dell-r750-idrac9');
    const dropped = await crawlTree(folder, {}, { behaviour: { expand: 'drop-fields' } });
    const droppedRequests = dropped.bmc.stats.requests;
    await dropped.bmc.close();
    const plain = await crawlTree(folder, { expand: 'off' });
    expect(droppedRequests).toBe(plain.bmc.stats.requests);
  });
});

describe('vendor storage paths', () => {
  const smartStorage = (paths: Iterable<string>) => [...paths].filter((path) => path.includes('/SmartStorage'));

  it('reads HPE SmartStorage when the standard Storage collection lists no drive', async () => {
    const { result, bmc: served } = await crawlTree(join(SHAPES, 'hpe-blade-smartstorage'));
    expect(smartStorage(served.stats.requestsByPath.keys()).length).toBeGreaterThan(0);
    expect(toInventories(sourceFromCrawl(result))[0]!.drives.map((drive) => drive.serial)).toEqual(['WFK1LH2Z0000K8110QJ1', 'WFK1LJ8T0000K8120B6H', 'PHYF8264015T480BGN']);
  });

  it('never asks for SmartStorage when the standard storage lists drives', async () => {
    const mockup = await loadMockup(join(SHAPES, 'hpe-blade-smartstorage'));
    const served = await serve({ mockup });
    const storage = '/redfish/v1/Systems/1/Storage';
    served.bmc.setResource(storage, { '@odata.id': storage, Members: [{ '@odata.id': `${storage}/DA000000` }] });
    served.bmc.setResource(`${storage}/DA000000`, { '@odata.id': `${storage}/DA000000`, Drives: [{ '@odata.id': `${storage}/DA000000/Drives/0` }] });
    served.bmc.setResource(`${storage}/DA000000/Drives/0`, { '@odata.id': `${storage}/DA000000/Drives/0`, CapacityBytes: 960197124096, Protocol: 'NVMe', SerialNumber: 'S64ANS0T512345' });
    const result = await withRedfishClient(served.endpoint, fast, {}, (client) => crawl(client));
    expect(smartStorage(served.bmc.stats.requestsByPath.keys())).toEqual([]);
    expect(toInventories(sourceFromCrawl(result))[0]!.drives.map((drive) => drive.serial)).toEqual(['S64ANS0T512345']);
  });

  it('asks SmartStorage for the size of a standard drive whose CapacityBytes no drive has', async () => {
    const mockup = await loadMockup(join(SHAPES, 'hpe-blade-smartstorage'));
    const served = await serve({ mockup });
    const storage = '/redfish/v1/Systems/1/Storage';
    served.bmc.setResource(storage, { '@odata.id': storage, Members: [{ '@odata.id': `${storage}/DE00A000` }] });
    served.bmc.setResource(`${storage}/DE00A000`, { '@odata.id': `${storage}/DE00A000`, Drives: [{ '@odata.id': `${storage}/DE00A000/Drives/0` }] });
    served.bmc.setResource(`${storage}/DE00A000/Drives/0`, { '@odata.id': `${storage}/DE00A000/Drives/0`, CapacityBytes: 572325, Protocol: 'SAS', MediaType: 'HDD', SerialNumber: 'WFK1LH2Z0000K8110QJ1' });
    const result = await withRedfishClient(served.endpoint, fast, {}, (client) => crawl(client));
    expect(smartStorage(served.bmc.stats.requestsByPath.keys()).length).toBeGreaterThan(0);
    expect(toInventories(sourceFromCrawl(result))[0]!.drives.map((drive) => [drive.serial, drive.sizeBytes])).toEqual([['WFK1LH2Z0000K8110QJ1', 572325 * 2 ** 20]]);
  });
});

describe('systems reachable only through their manager', () => {
  it('finds the host a BMC links only from its manager (ManagerForServers), with an empty /Systems', async () => {
    const { result } = await crawlTree(join(SHAPES, 'manager-linked-summary-only'));
    expect(result.systems).toEqual(['/redfish/v1/Systems/host0']);
    const [inventory] = toInventories(sourceFromCrawl(result));
    expect([inventory!.systemId, inventory!.nics.length, inventory!.drives.length]).toEqual(['host0', 2, 1]);
  });

  it('finds a host its manager serves when /Systems lists only another host', async () => {
    // host1 is a copy of host0 that /Systems lists; host0 stays linked from the manager alone.
    const base = await loadMockup(join(SHAPES, 'manager-linked-summary-only'));
    const mockup = new Map(base);
    for (const [path, resource] of base) {
      if (!path.startsWith('/redfish/v1/Systems/host0')) continue;
      const text = JSON.stringify(resource.body).replaceAll('/Systems/host0', '/Systems/host1').replaceAll('"host0"', '"host1"').replace(/70:b3:d5:1e:60:1/gi, '70:b3:d5:1e:61:1');
      mockup.set(path.replace('/Systems/host0', '/Systems/host1'), { ...resource, body: JSON.parse(text) });
    }
    mockup.set('/redfish/v1/Systems', { body: { '@odata.id': '/redfish/v1/Systems', Members: [{ '@odata.id': '/redfish/v1/Systems/host1' }], 'Members@odata.count': 1 } });
    const manager = base.get('/redfish/v1/Managers/bmc0')!.body as { Links: Record<string, unknown> };
    mockup.set('/redfish/v1/Managers/bmc0', { body: { ...manager, Links: { ...manager.Links, ManagerForServers: [{ '@odata.id': '/redfish/v1/Systems/host0' }, { '@odata.id': '/redfish/v1/Systems/host1' }] } } });
    const served = await serve({ mockup });
    const result = await withRedfishClient(served.endpoint, fast, {}, (client) => crawl(client, { startingDelayMs: 10 }));
    expect(result.systems).toEqual(['/redfish/v1/Systems/host1', '/redfish/v1/Systems/host0']);
    expect(toInventories(sourceFromCrawl(result)).map((inventory) => [inventory.systemId, inventory.nics.length, inventory.drives.length])).toEqual([
      ['host1', 2, 1],
      ['host0', 2, 1],
    ]);
    // The static reading of the same answers finds the same systems.
    expect(systemsOf(sourceFromCrawl(result))).toEqual(result.systems);
  });

  it('does not read the managers for systems when /Systems lists them', async () => {
    const { bmc: served } = await crawlTree(join(FIXTURES, 'dell-r750-idrac9'));
    expect(served.stats.requestsByPath.has('/redfish/v1/Managers')).toBe(false);
  });
});

describe('drive protocols from the storage controllers', () => {
  const controllers = (paths: Iterable<string>) => [...paths].filter((path) => /\/Controllers(\/|$)/.test(path));
  const base = '/redfish/v1/Systems/System.Embedded.1/Storage/CPU.1';

  it('reads a subsystem\'s Controllers only when a drive does not name its protocol and the controllers are not inline', async () => {
    const mockup = await loadMockup(join(SHAPES, 'dell-blank-maker-nvme-on-controller'));
    const served = await serve({ mockup });
    const { StorageControllers: _, ...storage } = mockup.get(base)!.body as Record<string, unknown>;
    served.bmc.setResource(base, { ...storage, Controllers: { '@odata.id': `${base}/Controllers` } });
    served.bmc.setResource(`${base}/Controllers`, { '@odata.id': `${base}/Controllers`, Members: [{ '@odata.id': `${base}/Controllers/0` }] });
    served.bmc.setResource(`${base}/Controllers/0`, { '@odata.id': `${base}/Controllers/0`, Id: '0', SupportedDeviceProtocols: ['NVMe'] });
    const result = await withRedfishClient(served.endpoint, fast, {}, (client) => crawl(client));
    expect(controllers(served.bmc.stats.requestsByPath.keys()).length).toBeGreaterThan(0);
    expect(toInventories(sourceFromCrawl(result))[0]!.drives.map((drive) => drive.name)).toEqual(['nvme0n1', 'nvme1n1', 'nvme2n1']);
  });

  it('leaves the Controllers unread when the controllers are inline', async () => {
    const { bmc: served } = await crawlTree(join(SHAPES, 'dell-blank-maker-nvme-on-controller'));
    expect(controllers(served.stats.requestsByPath.keys())).toEqual([]);
  });
});

describe('crawl discipline', () => {
  it('refuses links to another host without requesting them, and reports them', async () => {
    const folder = join(FIXTURES, 'supermicro-x12dpt-bmc');
    const { result } = await crawlTree(folder, {}, { faults: [{ path: '/redfish/v1/Systems/1/EthernetInterfaces', action: { type: 'foreign-links', origin: 'http://203.0.113.9' } }] });
    expect(result.refusedLinks.length).toBeGreaterThan(0);
    expect(result.refusedLinks.every((refused) => refused.link.startsWith('http://203.0.113.9/'))).toBe(true);
  });

  it('stops following a nextLink that loops back and keeps the members it read', async () => {
    const mockup = await loadMockup(join(FIXTURES, 'dell-r750-idrac9'));
    const served = await serve({ mockup });
    const path = '/redfish/v1/Systems/System.Embedded.1/Memory';
    const collection = mockup.get(path)!.body as { Members: unknown[] };
    served.bmc.setResource(path, { ...collection, 'Members@odata.nextLink': `${path}?$skip=0` });
    const result = await withRedfishClient(served.endpoint, { ...fast, expand: 'off' }, {}, (client) => crawl(client));
    expect(result.warnings.some((warning) => warning.includes('loops back'))).toBe(true);
    expect(toInventories(sourceFromCrawl(result))[0]!.memory.dimms).toHaveLength(16);
  });

  it('follows nextLink pages of a paged collection', async () => {
    const folder = join(FIXTURES, 'dell-r750-idrac9');
    const { result } = await crawlTree(folder, { expand: 'off' }, { pageSize: 3 });
    expect(toInventories(sourceFromCrawl(result))[0]!.memory.dimms).toHaveLength(16);
  });

  it('treats a collection of 100,000 members as a bad response for that collection only', async () => {
    const mockup = await loadMockup(join(FIXTURES, 'dell-r750-idrac9'));
    const served = await serve({ mockup });
    const path = '/redfish/v1/Systems/System.Embedded.1/Memory';
    served.bmc.setResource(path, { Members: Array.from({ length: 100_000 }, (_, i) => ({ '@odata.id': `${path}/DIMM${i}` })) });
    const result = await withRedfishClient(served.endpoint, { ...fast, expand: 'off' }, {}, (client) => crawl(client));
    expect(result.resources.get(path)).toMatchObject({ ok: false, error: { kind: 'bad-response' } });
    const [inventory] = toInventories(sourceFromCrawl(result));
    expect(inventory!.sections.memory.unknown).toBe(true);
    expect(inventory!.cpus).toHaveLength(2);
  });

  it('does not read a Starting system again when its OEM POST state says discovery is complete, and warns of nothing', async () => {
    const path = '/redfish/v1/Systems/1';
    const { result, bmc: served } = await crawlTree(join(SHAPES, 'hpe-starting-discovery-complete'), {}, {});
    expect(served.stats.requestsByPath.get(path) ?? 0).toBeLessThanOrEqual(1);
    expect(result.warnings).toEqual([]);
    const [inventory] = toInventories(sourceFromCrawl(result));
    expect([inventory!.cpus.length, inventory!.memory.totalMiB, inventory!.drives.length]).toEqual([2, 256 * 1024, 2]);
  });

  it('reads a Starting system again when nothing says its inventory is complete, and warns when it stays Starting', async () => {
    const folder = join(SHAPES, 'hpe-starting-discovery-complete');
    const path = '/redfish/v1/Systems/1';
    const mockup = await loadMockup(folder);
    const { Oem: _, ...silent } = mockup.get(path)!.body as Record<string, unknown>;
    const served = await serve({ mockup });
    served.bmc.setResource(path, silent);
    const result = await withRedfishClient(served.endpoint, fast, {}, (client) => crawl(client, { startingDelayMs: 10 }));
    expect(served.bmc.stats.requestsByPath.get(path)).toBeGreaterThanOrEqual(3);
    expect(result.warnings).toEqual([`${path}: still Starting after 3 re-reads over 0 s, and nothing says its inventory is complete: its CPUs, memory or disks may be missing`]);
  });

  it.each([
    [{ BootProgress: { LastState: 'OSRunning' } }, 'BootProgress.LastState is OSRunning'],
    [{ BootProgress: { LastState: 'SystemHardwareInitializationComplete' } }, 'BootProgress.LastState is SystemHardwareInitializationComplete'],
    [{ Oem: { Hpe: { PostState: 'FinishedPost' } } }, 'Oem.Hpe.PostState is FinishedPost'],
    [{ Oem: { Hp: { DeviceDiscoveryComplete: { DeviceDiscovery: 'vMainDeviceDiscoveryComplete' } } } }, 'Oem.Hp.DeviceDiscoveryComplete.DeviceDiscovery is vMainDeviceDiscoveryComplete'],
    [{ BootProgress: { LastState: 'MemoryInitializationStarted' } }, undefined],
    [{ Oem: { Hpe: { PostState: 'InPost', DeviceDiscoveryComplete: { DeviceDiscovery: 'vAuxDeviceDiscoveryComplete' } } } }, undefined],
  ])('takes %o as %s', (system, evidence) => {
    expect(inventoryComplete({ Status: { State: 'Starting' }, ...system })).toBe(evidence);
  });

  it('reads a system again when it reports Status.State Starting', async () => {
    const folder = join(FIXTURES, 'dell-r750-idrac9');
    const mockup = await loadMockup(folder);
    const path = '/redfish/v1/Systems/System.Embedded.1';
    const system = mockup.get(path)!.body as Record<string, unknown>;
    const starting = JSON.stringify({ ...system, Status: { State: 'Starting' }, ProcessorSummary: { Count: 0 } });
    const { result } = await crawlTree(folder, {}, { faults: [{ path, times: 1, action: { type: 'body', body: starting } }] });
    expect((result.resources.get(path) as { body: { Status: { State: string } } }).body.Status.State).toBe('Enabled');
  });
});
