import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toInventory } from '../../src/inventory/normalise.ts';
import { caseFile, FIXTURES, loadSource, sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const cpu = { ProcessorType: 'CPU', InstructionSet: 'x86-64', TotalCores: 8, TotalThreads: 16 };
const dimm = (slot: string, socket: number, sizeMiB = 16384) => ({
  DeviceLocator: slot,
  CapacityMiB: sizeMiB,
  MemoryDeviceType: 'DDR5',
  OperatingSpeedMhz: 4800,
  SerialNumber: `S-${slot}`,
  MemoryLocation: { Socket: socket },
  Status: { State: 'Enabled' },
});
const inventoryOf = (spec: Parameters<typeof tree>[0]) => toInventory(sourceOf(tree(spec)), PATHS.SYSTEM)!;

describe('memory', () => {
  it('sums the present DIMMs and skips empty slots', async () => {
    const inventory = inventoryOf({ processors: [cpu, cpu], memory: [dimm('A1', 1), dimm('B1', 2), await caseFile('memory', 'slot-absent')] });
    expect(inventory.memory).toMatchObject({ totalMiB: 32768, fromDimms: true });
    expect(inventory.memory.dimms.map((d) => d.slot)).toEqual(['A1', 'B1']);
  });

  it('names DIMMs apart when the BMC names them all alike (OpenBMC\'s "DIMM Slot"): by service label, else by Id', () => {
    const alike = (id: string, label?: string) => ({ Id: id, Name: 'DIMM Slot', CapacityMiB: 32768, Status: { State: 'Enabled' }, ...(label ? { Location: { PartLocation: { ServiceLabel: label } } } : {}) });
    const labelled = inventoryOf({ memory: [alike('dimm0', 'DIMM A0'), alike('dimm1', 'DIMM A1')] });
    expect(labelled.memory.dimms.map((d) => d.slot)).toEqual(['DIMM A0', 'DIMM A1']);
    const bare = inventoryOf({ memory: [alike('dimm0'), alike('dimm1'), alike('dimm10'), { ...dimm('P1-DIMMA1', 1), Name: 'DIMM Slot' }] });
    expect(bare.memory.dimms.map((d) => d.slot)).toEqual(['dimm0', 'dimm1', 'dimm10', 'P1-DIMMA1']);
  });

  it('names the OpenBMC fixture\'s DIMMs by their labels, every one different', async () => {
    const source = await loadSource(join(FIXTURES, 'openbmc-altra-bmcweb'));
    const slots = toInventory(source, '/redfish/v1/Systems/system')!.memory.dimms.map((d) => d.slot);
    expect(slots.length).toBeGreaterThan(1);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots).toContain('DIMM A0');
  });

  it('puts each DIMM on its socket, numbering sockets from 0', () => {
    const oneBased = inventoryOf({ processors: [cpu, cpu], memory: [dimm('A1', 1), dimm('B1', 2)] });
    const zeroBased = inventoryOf({ processors: [cpu, cpu], memory: [dimm('A1', 0), dimm('B1', 1)] });
    expect(oneBased.memory.dimms.map((d) => d.socket)).toEqual([0, 1]);
    expect(zeroBased.memory.dimms.map((d) => d.socket)).toEqual([0, 1]);
  });

  it('takes the socket from a slot name that states it when the BMC gives no MemoryLocation (AMI)', () => {
    const named = (slot: string) => ({ DeviceLocator: slot, CapacityMiB: 32768, Status: { State: 'Enabled' } });
    const sockets = (slots: string[]) => inventoryOf({ processors: [cpu, cpu], memory: slots.map(named) }).memory.dimms.map((d) => [d.slot, d.socket]);
    expect(sockets(['DIMM_P0_A0', 'DIMM_P1_A0'])).toEqual([['DIMM_P0_A0', 0], ['DIMM_P1_A0', 1]]);
    expect(sockets(['CPU1_DIMM_A1', 'CPU2_DIMM_A1'])).toEqual([['CPU1_DIMM_A1', 0], ['CPU2_DIMM_A1', 1]]);
    expect(sockets(['PROC 2 DIMM 4'])).toEqual([['PROC 2 DIMM 4', 1]]);
    // A board's letter convention (Dell's A1 for CPU 1) states no socket: left unknown.
    expect(sockets(['A1', 'B1'])).toEqual([['A1', undefined], ['B1', undefined]]);
  });

  it('puts the AMI fixture’s DIMMs on the two sockets their names give', async () => {
    const inventory = toInventory(await loadSource(join(FIXTURES, 'ami-megarac-gigabyte')), '/redfish/v1/Systems/Self')!;
    expect(inventory.memory.dimms.filter((d) => d.socket === 0)).toHaveLength(8);
    expect(inventory.memory.dimms.filter((d) => d.socket === 1)).toHaveLength(8);
  });

  it('reads CapacityMiB sent as a string (AMI), with a finding', async () => {
    const inventory = inventoryOf({ memory: [await caseFile('memory', 'capacity-string')] });
    expect(inventory.memory.totalMiB).toBe(32768);
    expect(inventory.findings).toContainEqual(expect.objectContaining({ path: 'CapacityMiB' }));
  });

  it('uses MemorySummary when the collection has Members: null', () => {
    const inventory = inventoryOf({ system: { MemorySummary: { TotalSystemMemoryGiB: 512 } }, memory: null });
    expect(inventory.memory).toEqual({ totalMiB: 524288, fromDimms: false, dimms: [] });
  });

  it('orders slots as people number them', () => {
    const inventory = inventoryOf({ memory: [dimm('DIMM 10', 1), dimm('DIMM 2', 1), dimm('DIMM 1', 1)] });
    expect(inventory.memory.dimms.map((d) => d.slot)).toEqual(['DIMM 1', 'DIMM 2', 'DIMM 10']);
  });
});
