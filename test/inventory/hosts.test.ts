// Which systems of one BMC are one machine: by the links between systems and by chassis
// containment with a system that cannot be a machine alone; never by names or ids.
import { describe, expect, it } from 'vitest';
import { hostsOf } from '../../src/inventory/hosts.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { failedRead, sourceOf } from '../helpers/mockup.ts';

type Body = Record<string, unknown>;
const V1 = '/redfish/v1';
const ref = (path: string) => ({ '@odata.id': path });

interface SystemSpec {
  readonly id: string;
  readonly body?: Body;
  /** CPU sockets, each with 16 cores and 32 threads. */
  readonly cpus?: number;
  /** DIMMs of 32 GiB, each on socket 1. */
  readonly dimms?: number;
  readonly macs?: readonly string[];
  /** The chassis it is in. */
  readonly chassis: string;
}

// A BMC's tree of several systems and chassis (`parents`: chassis → the chassis it is inside).
function bmc(systems: readonly SystemSpec[], parents: Record<string, string> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const collection = (path: string, members: readonly string[]) => (out[path] = { '@odata.id': path, Members: members.map(ref) });
  const chassis = [...new Set([...systems.map((system) => system.chassis), ...Object.keys(parents), ...Object.values(parents)])];
  for (const id of chassis) {
    const path = `${V1}/Chassis/${id}`;
    out[path] = {
      '@odata.id': path,
      Id: id,
      ChassisType: parents[id] ? 'Module' : 'Enclosure',
      Links: {
        ComputerSystems: systems.filter((system) => system.chassis === id).map((system) => ref(`${V1}/Systems/${system.id}`)),
        ...(parents[id] ? { ContainedBy: ref(`${V1}/Chassis/${parents[id]}`) } : {}),
      },
    };
  }
  for (const system of systems) {
    const path = `${V1}/Systems/${system.id}`;
    const cpus = Array.from({ length: system.cpus ?? 0 }, (_, index) => `${path}/Processors/CPU${index}`);
    cpus.forEach((cpu, index) => (out[cpu] = { '@odata.id': cpu, Id: `CPU${index}`, Socket: `CPU ${index}`, ProcessorType: 'CPU', InstructionSet: 'x86-64', TotalCores: 16, TotalThreads: 32 }));
    const dimms = Array.from({ length: system.dimms ?? 0 }, (_, index) => `${path}/Memory/DIMM${index}`);
    dimms.forEach((dimm, index) => (out[dimm] = { '@odata.id': dimm, Id: `DIMM${index}`, Name: 'DIMM', CapacityMiB: 32768, MemoryLocation: { Socket: 1 } }));
    const macs = (system.macs ?? []).map((_, index) => `${path}/EthernetInterfaces/${index}`);
    macs.forEach((iface, index) => (out[iface] = { '@odata.id': iface, Id: String(index), MACAddress: system.macs![index], LinkStatus: 'LinkUp' }));
    collection(`${path}/Processors`, cpus);
    collection(`${path}/Memory`, dimms);
    collection(`${path}/EthernetInterfaces`, macs);
    out[path] = {
      '@odata.id': path,
      Id: system.id,
      SystemType: 'Physical',
      Processors: ref(`${path}/Processors`),
      Memory: ref(`${path}/Memory`),
      EthernetInterfaces: ref(`${path}/EthernetInterfaces`),
      ...system.body,
      Links: { Chassis: [ref(`${V1}/Chassis/${system.chassis}`)], ...(system.body?.Links as Body | undefined) },
    };
  }
  collection(`${V1}/Systems`, systems.map((system) => `${V1}/Systems/${system.id}`));
  collection(`${V1}/Chassis`, chassis.map((id) => `${V1}/Chassis/${id}`));
  out[V1] = { '@odata.id': V1, Systems: ref(`${V1}/Systems`), Chassis: ref(`${V1}/Chassis`) };
  return out;
}

const groups = (resources: Record<string, unknown>) => {
  const source = sourceOf(resources);
  return hostsOf(source, [...source.resources.keys()].filter((path) => /^\/redfish\/v1\/Systems\/[^/]+$/.test(path))).map((group) => [group.host.split('/').pop(), group.parts.map((part) => part.split('/').pop())]);
};

describe('systems that are one machine', () => {
  it('are merged when a system lists another in Links.SupplyingComputerSystems, each socket and DIMM kept apart', () => {
    const tree = bmc([
      { id: 'host', chassis: 'tray', cpus: 2, dimms: 2, macs: ['0c:42:a1:00:00:01'], body: { Links: { SupplyingComputerSystems: [ref(`${V1}/Systems/node-b`)] } } },
      { id: 'node-b', chassis: 'tray', cpus: 2, dimms: 2 },
    ]);
    expect(groups(tree)).toEqual([['host', ['node-b']]]);
    const [machine] = toInventories(sourceOf(tree));
    expect(machine!.cpus.map((cpu) => [cpu.socket, cpu.index])).toEqual([
      ['host CPU 0', 0],
      ['host CPU 1', 1],
      ['node-b CPU 0', 2],
      ['node-b CPU 1', 3],
    ]);
    expect(machine!.memory.dimms.map((dimm) => [dimm.slot, dimm.socket])).toEqual([
      ['host DIMM0', 0],
      ['host DIMM1', 0],
      ['node-b DIMM0', 2],
      ['node-b DIMM1', 2],
    ]);
    expect(machine!.notes?.[0]).toMatchObject({ action: 'merged', reason: 'part of /redfish/v1/Systems/host: /redfish/v1/Systems/host lists it in Links.SupplyingComputerSystems' });
  });

  it('are merged when the part lists the host in Links.ConsumingComputerSystems', () => {
    const tree = bmc([
      { id: 'host', chassis: 'tray', macs: ['0c:42:a1:00:00:01'] },
      { id: 'module', chassis: 'tray', cpus: 1, dimms: 1, body: { Links: { ConsumingComputerSystems: [ref(`${V1}/Systems/host`)] } } },
    ]);
    expect(groups(tree)).toEqual([['host', ['module']]]);
  });

  it('are merged when a system without CPU or memory holds the chassis another system\'s chassis is inside', () => {
    const tree = bmc(
      [
        { id: 'host', chassis: 'tray', macs: ['0c:42:a1:00:00:01'] },
        { id: 'module', chassis: 'module-chassis', cpus: 2, dimms: 4 },
      ],
      { 'module-chassis': 'tray' },
    );
    expect(groups(tree)).toEqual([['host', ['module']]]);
    const [machine] = toInventories(sourceOf(tree));
    expect([machine!.system, machine!.cpus.length, machine!.memory.totalMiB, machine!.nics.length]).toEqual(['/redfish/v1/Systems/host', 2, 4 * 32768, 1]);
  });

  it('are merged when the contained system is the one that cannot be a machine alone (a GPU board)', () => {
    const tree = bmc(
      [
        { id: 'host', chassis: 'tray', cpus: 2, dimms: 2, macs: ['0c:42:a1:00:00:01'] },
        { id: 'gpu-board', chassis: 'board', body: { ProcessorSummary: { Count: 0 } } },
      ],
      { board: 'tray' },
    );
    expect(groups(tree)).toEqual([['host', ['gpu-board']]]);
  });

  it('are merged when the module lists the host\'s own chassis, and the host is the one with the network interfaces', () => {
    const tree = bmc([
      { id: 'module', chassis: 'tray', cpus: 2, dimms: 4 },
      { id: 'host', chassis: 'tray', macs: ['0c:42:a1:00:00:01'] },
    ]);
    expect(groups(tree)).toEqual([['host', ['module']]]);
    const [machine] = toInventories(sourceOf(tree));
    expect(machine!.notes?.[0]?.reason).toBe('part of /redfish/v1/Systems/host: its chassis /redfish/v1/Chassis/tray is also a chassis of /redfish/v1/Systems/host, and it has no network interface of its own and the host no CPU or memory');
  });

  it('are merged when the host\'s summaries count the module\'s CPUs and memory but its own collections are empty', () => {
    const tree = bmc(
      [
        { id: 'host', chassis: 'tray', macs: ['0c:42:a1:00:00:01'], body: { ProcessorSummary: { Count: 2, LogicalProcessorCount: 64 }, MemorySummary: { TotalSystemMemoryGiB: 128 } } },
        { id: 'module', chassis: 'module-chassis', cpus: 2, dimms: 4 },
      ],
      { 'module-chassis': 'tray' },
    );
    expect(groups(tree)).toEqual([['host', ['module']]]);
    const [machine] = toInventories(sourceOf(tree));
    expect([machine!.cpus.length, machine!.memory.totalMiB, machine!.nics.length]).toEqual([2, 4 * 32768, 1]);
  });

  it('each module joins the node whose chassis holds it, in a tray of two nodes', () => {
    const tree = bmc(
      [
        { id: 'node0', chassis: 'node0-chassis', macs: ['0c:42:a1:00:00:01'] },
        { id: 'node1', chassis: 'node1-chassis', macs: ['0c:42:a1:00:00:02'] },
        { id: 'module0', chassis: 'module0-chassis', cpus: 2, dimms: 2 },
        { id: 'module1', chassis: 'module1-chassis', cpus: 2, dimms: 2 },
      ],
      { 'node0-chassis': 'tray', 'node1-chassis': 'tray', 'module0-chassis': 'node0-chassis', 'module1-chassis': 'node1-chassis' },
    );
    expect(groups(tree)).toEqual([
      ['node0', ['module0']],
      ['node1', ['module1']],
    ]);
  });
});

describe('systems that stay machines of their own', () => {
  it('two complete nodes whose chassis are inside one enclosure', () => {
    const tree = bmc(
      [
        { id: 'node0', chassis: 'blade0', cpus: 2, dimms: 2 },
        { id: 'node1', chassis: 'blade1', cpus: 2, dimms: 2 },
        { id: 'manager-node', chassis: 'enclosure', cpus: 1, dimms: 1 },
      ],
      { blade0: 'enclosure', blade1: 'enclosure' },
    );
    expect(groups(tree)).toEqual([
      ['node0', []],
      ['node1', []],
      ['manager-node', []],
    ]);
  });

  it('modules that could belong to either of two nodes in one tray, flagged as such, rather than both given to the first', () => {
    const tree = bmc(
      [
        { id: 'node0', chassis: 'tray', macs: ['0c:42:a1:00:00:01'] },
        { id: 'node1', chassis: 'tray', macs: ['0c:42:a1:00:00:02'] },
        { id: 'module0', chassis: 'module0-chassis', cpus: 2, dimms: 2 },
        { id: 'module1', chassis: 'module1-chassis', cpus: 2, dimms: 2 },
      ],
      { 'module0-chassis': 'tray', 'module1-chassis': 'tray' },
    );
    expect(groups(tree)).toEqual([
      ['node0', []],
      ['node1', []],
      ['module0', []],
      ['module1', []],
    ]);
    const module0 = toInventories(sourceOf(tree)).find((machine) => machine.system.endsWith('/module0'))!;
    expect(module0.notes).toEqual([
      {
        area: 'identity',
        subject: '/redfish/v1/Systems/module0',
        action: 'flagged',
        reason: 'kept as a machine of its own: by its chassis it could be part of /redfish/v1/Systems/node0 and /redfish/v1/Systems/node1, and the BMC does not say which',
        resource: '/redfish/v1/Systems/module0',
      },
    ]);
  });

  it('a node with network interfaces whose processor collection is empty, beside a complete node in the same chassis', () => {
    const tree = bmc([
      { id: 'node0', chassis: 'enclosure', cpus: 2, dimms: 2, macs: ['0c:42:a1:00:00:01'] },
      { id: 'node1', chassis: 'enclosure', dimms: 2, macs: ['0c:42:a1:00:00:02'], body: { ProcessorSummary: { Count: 2 } } },
    ]);
    expect(groups(tree)).toEqual([
      ['node0', []],
      ['node1', []],
    ]);
  });

  it('a host whose processor and memory collections could not be read, whatever its chassis holds', () => {
    const tree = bmc(
      [
        { id: 'host', chassis: 'tray', macs: ['0c:42:a1:00:00:01'] },
        { id: 'module', chassis: 'module-chassis', cpus: 2, dimms: 2 },
      ],
      { 'module-chassis': 'tray' },
    );
    tree[`${V1}/Systems/host/Processors`] = failedRead('server', 503);
    tree[`${V1}/Systems/host/Memory`] = failedRead('timeout');
    expect(groups(tree)).toEqual([
      ['host', []],
      ['module', []],
    ]);
  });

  it('a complete system inside a complete one', () => {
    const tree = bmc(
      [
        { id: 'host', chassis: 'tray', cpus: 2, dimms: 2 },
        { id: 'inner', chassis: 'sub', cpus: 1, dimms: 1 },
      ],
      { sub: 'tray' },
    );
    expect(groups(tree)).toEqual([
      ['host', []],
      ['inner', []],
    ]);
  });

  it('a DPU, a VM or an OS, whatever links or chassis tie them to the host', () => {
    for (const type of ['DPU', 'Virtual', 'OS']) {
      const tree = bmc(
        [
          { id: 'host', chassis: 'server', macs: ['0c:42:a1:00:00:01'], body: { Links: { SupplyingComputerSystems: [ref(`${V1}/Systems/other`)] } } },
          { id: 'other', chassis: 'card', cpus: 1, dimms: 1, body: { SystemType: type } },
        ],
        { card: 'server' },
      );
      expect(groups(tree), type).toEqual([
        ['host', []],
        ['other', []],
      ]);
    }
  });

  it('systems whose links go round in a loop', () => {
    const tree = bmc([
      { id: 'a', chassis: 'x', cpus: 1, dimms: 1, body: { Links: { SupplyingComputerSystems: [ref(`${V1}/Systems/b`)] } } },
      { id: 'b', chassis: 'y', cpus: 1, dimms: 1, body: { Links: { SupplyingComputerSystems: [ref(`${V1}/Systems/a`)] } } },
    ]);
    expect(groups(tree)).toEqual([
      ['a', []],
      ['b', []],
    ]);
  });
});
