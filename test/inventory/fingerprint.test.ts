import { describe, expect, it } from 'vitest';
import { diffInventories } from '../../src/inventory/diff.ts';
import { fingerprint } from '../../src/inventory/fingerprint.ts';
import { toInventory } from '../../src/inventory/normalise.ts';
import { carryForward, unknownSections } from '../../src/inventory/partial.ts';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { failedRead, sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree, type TreeSpec } from '../helpers/redfish-tree.ts';

const base = (): TreeSpec => ({
  processors: [{ ProcessorType: 'CPU', InstructionSet: 'x86-64', Model: 'EPYC 7313', TotalCores: 16, TotalThreads: 32 }],
  memory: ['A1', 'A2', 'B1'].map((slot, i) => ({ DeviceLocator: slot, CapacityMiB: 16384, SerialNumber: `M${i}` })),
  storage: [{ drives: [{ CapacityBytes: 1.92e12, MediaType: 'SSD', Protocol: 'SAS', Model: 'PM1643a', SerialNumber: 'S3Z1NA0K100001' }, { CapacityBytes: 1.92e12, MediaType: 'SSD', Protocol: 'SAS', Model: 'PM1643a', SerialNumber: 'S3Z1NA0K100002' }] }],
  interfaces: [{ MACAddress: '3c:ec:ef:10:20:30', LinkStatus: 'LinkUp', SpeedMbps: 25000 }, { MACAddress: '3c:ec:ef:10:20:31', LinkStatus: 'LinkUp', SpeedMbps: 25000 }],
  system: { BiosVersion: '2.1.7' },
});
const inventoryOf = (spec: TreeSpec, patch?: (resources: Record<string, unknown>) => void) => {
  const resources = tree(spec);
  patch?.(resources);
  return toInventory(sourceOf(resources), PATHS.SYSTEM)!;
};

describe('fingerprint', () => {
  it('is the same for the same hardware whatever the BMC says about power or ordering', () => {
    const first = inventoryOf(base());
    const reordered = base();
    reordered.memory = [...(reordered.memory as object[])].reverse() as never;
    reordered.system = { ...reordered.system, PowerState: 'Off' };
    expect(fingerprint(inventoryOf(reordered))).toBe(fingerprint(first));
  });

  it('is the same when the BMC sends every object\'s keys in another order', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reversed) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([key, field]) => [key, reversed(field)])) : value;
    const first = inventoryOf(base());
    const system = tree(base())[PATHS.SYSTEM];
    expect(JSON.stringify(reversed(system))).not.toBe(JSON.stringify(system));
    const shuffled = inventoryOf(base(), (resources) => {
      for (const [path, body] of Object.entries(resources)) resources[path] = reversed(body);
    });
    expect(shuffled.drives).toHaveLength(2);
    expect(fingerprint(shuffled)).toBe(fingerprint(first));
  });

  it('changes when a DIMM is removed', () => {
    const removed = base();
    removed.memory = (removed.memory as object[]).slice(0, 2) as never;
    expect(fingerprint(inventoryOf(removed))).not.toBe(fingerprint(inventoryOf(base())));
  });

  it('changes when a link goes down', () => {
    const down = base();
    down.interfaces = [{ MACAddress: '3c:ec:ef:10:20:30', LinkStatus: 'NoLink', SpeedMbps: 25000 }, (down.interfaces as object[])[1] as never];
    expect(fingerprint(inventoryOf(down))).not.toBe(fingerprint(inventoryOf(base())));
  });
});

describe('diffInventories', () => {
  it('says nothing when nothing changed', () => {
    expect(diffInventories(inventoryOf(base()), inventoryOf(base()))).toEqual([]);
  });

  it('names a removed DIMM by slot and size', () => {
    const removed = base();
    removed.memory = (removed.memory as object[]).filter((_, i) => i !== 2) as never;
    expect(diffInventories(inventoryOf(base()), inventoryOf(removed)).map((change) => change.description)).toEqual(['DIMM B1 16 GiB removed']);
  });

  it('says a disk was replaced when another serial sits under its name', () => {
    const swapped = base();
    swapped.storage = [{ drives: [(swapped.storage![0]!.drives[0]!), { ...swapped.storage![0]!.drives[1]!, SerialNumber: 'S3Z1NA0K999999' }] }];
    const changes = diffInventories(inventoryOf(base()), inventoryOf(swapped));
    expect(changes).toEqual([expect.objectContaining({ area: 'disk', kind: 'replaced', subject: 'sdb' })]);
    expect(changes[0]?.description).toBe('disk sdb replaced: PM1643a, serial S3Z1NA0K100002, 1.92 TB → PM1643a, serial S3Z1NA0K999999, 1.92 TB');
  });

  it('reports a NIC whose link went down, and firmware updates', () => {
    const after = base();
    after.interfaces = [{ MACAddress: '3c:ec:ef:10:20:30', LinkStatus: 'NoLink' }, (after.interfaces as object[])[1] as never];
    after.system = { BiosVersion: '2.2.4' };
    expect(diffInventories(inventoryOf(base()), inventoryOf(after)).map((change) => change.description)).toEqual([
      'NIC 3c:ec:ef:10:20:30 link down',
      'BIOS 2.1.7 → 2.2.4',
    ]);
  });
});

describe('a partial crawl', () => {
  const gated = (resources: Record<string, unknown>) => {
    resources[`${PATHS.SYSTEM}/Storage`] = failedRead('licence', 403);
    resources[`${PATHS.SYSTEM}/EthernetInterfaces`] = failedRead('timeout');
  };

  it('marks the sections it could not read as unknown', () => {
    const partial = inventoryOf(base(), gated);
    expect(unknownSections(partial)).toEqual(['storage', 'network']);
    expect(partial.drives).toEqual([]);
  });

  it('never replaces known disks or interfaces with nothing: unknown sections are carried over', () => {
    const before = inventoryOf(base());
    const partial = inventoryOf(base(), gated);
    const merged = carryForward(before, partial, 'sweep of 2026-11-24T10:00:00Z');
    expect(merged.drives).toEqual(before.drives);
    expect(merged.nics).toEqual(before.nics);
    expect(merged.sections.storage.carriedFrom).toBe('sweep of 2026-11-24T10:00:00Z');
    expect(unknownSections(merged)).toEqual([]);
    const document = toCommissioningData(merged);
    expect((document.resources.storage as { disks: unknown[] }).disks).toHaveLength(2);
    expect(Object.keys(document.networks)).toHaveLength(2);
    expect(fingerprint(merged)).toBe(fingerprint(before));
  });

  it('keeps sections that were read, even when they are now empty', () => {
    const before = inventoryOf(base());
    const empty = base();
    empty.storage = [{ drives: [] }];
    expect(carryForward(before, inventoryOf(empty)).drives).toEqual([]);
  });

  it('carries over what was left out of a carried section, with the section', () => {
    const withPartitions = base();
    withPartitions.adapters = [{ ports: [{ Id: '1', Ethernet: { AssociatedMACAddresses: ['3c:ec:ef:10:20:30'] } }], functions: [{ Ethernet: { MACAddress: '3c:ec:ef:10:20:3f' }, Status: { State: 'Disabled' } }] }];
    const before = inventoryOf(withPartitions);
    expect(before.notes?.map((note) => note.subject)).toEqual(['3c:ec:ef:10:20:3f']);
    const partial = inventoryOf(withPartitions, (resources) => {
      resources[`${PATHS.CHASSIS}/NetworkAdapters`] = failedRead('timeout');
    });
    expect(partial.notes).toBeUndefined();
    const merged = carryForward(before, partial);
    expect(merged.notes).toEqual(before.notes);
    expect(document(merged)['redfish-enlist']).toEqual({ notes: before.notes });
  });
});

const document = (inventory: Parameters<typeof toCommissioningData>[0]) => toCommissioningData(inventory) as unknown as Record<string, unknown>;
