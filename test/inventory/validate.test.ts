import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { toInventory } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

type Doc = Record<string, any>;

function valid(): Doc {
  const inventory = toInventory(
    sourceOf(
      tree({
        processors: [{ ProcessorType: 'CPU', InstructionSet: 'x86-64', TotalCores: 2, TotalThreads: 4 }],
        memory: [{ DeviceLocator: 'A1', CapacityMiB: 8192 }],
        storage: [{ drives: [{ CapacityBytes: 1e12, MediaType: 'SSD', Protocol: 'SATA', SerialNumber: 'S' }] }],
        interfaces: [{ MACAddress: 'b4:96:91:00:00:01', SpeedMbps: 1000, LinkStatus: 'LinkUp' }],
        pcie: [{ body: { Manufacturer: 'Intel' }, functions: [{ VendorId: '0x8086', DeviceId: '0x1572', ClassCode: '0x020000', FunctionId: 0 }] }],
      }),
    ),
    PATHS.SYSTEM,
  )!;
  return structuredClone(toCommissioningData(inventory)) as Doc;
}

describe('validateCommissioningData', () => {
  it('accepts a complete document', () => {
    expect(validateCommissioningData(valid())).toEqual([]);
  });

  it.each<[string, (doc: Doc) => void, string]>([
    ['an api_version other than 1.0', (doc) => (doc.api_version = '2.0'), 'api_version'],
    ['a missing required extension', (doc) => (doc.api_extensions = ['resources']), 'api_extensions'],
    ['an unknown architecture', (doc) => (doc.environment.kernel_architecture = 'riscv64'), 'environment.kernel_architecture'],
    ['a thread without an id', (doc) => delete doc.resources.cpu.sockets[0].cores[0].threads[0].id, 'resources.cpu.sockets[0].cores[0].threads[0].id'],
    ['a thread without a NUMA node', (doc) => delete doc.resources.cpu.sockets[0].cores[1].threads[1].numa_node, 'resources.cpu.sockets[0].cores[1].threads[1].numa_node'],
    ['a cpu total that does not match the threads', (doc) => (doc.resources.cpu.total = 99), 'resources.cpu.total'],
    ['a memory node without numa_node', (doc) => delete doc.resources.memory.nodes[0].numa_node, 'resources.memory.nodes[0].numa_node'],
    ['a mode without a leading speed', (doc) => (doc.resources.network.cards[0].ports[0].supported_modes = ['Autoneg']), 'resources.network.cards[0].ports[0].supported_modes[0]'],
    ['an empty list of modes', (doc) => (doc.resources.network.cards[0].ports[0].supported_modes = []), 'resources.network.cards[0].ports[0].supported_modes'],
    ['an interface name over 15 characters', (doc) => (doc.resources.network.cards[0].ports[0].id = 'enp175s0f0np0-xyz'), 'resources.network.cards[0].ports[0].id'],
    ['an upper-case MAC', (doc) => (doc.resources.network.cards[0].ports[0].address = 'B4:96:91:00:00:01'), 'resources.network.cards[0].ports[0].address'],
    ['a disk without rpm', (doc) => delete doc.resources.storage.disks[0].rpm, 'resources.storage.disks[0].rpm'],
    ['a disk without read_only', (doc) => delete doc.resources.storage.disks[0].read_only, 'resources.storage.disks[0].read_only'],
    ['a disk on a NUMA node that does not exist', (doc) => (doc.resources.storage.disks[0].numa_node = 3), 'resources.storage.disks[0].numa_node'],
    ['a PCI device without a vendor id', (doc) => delete doc.resources.pci.devices[0].vendor_id, 'resources.pci.devices[0].vendor_id'],
    ['a PCI device without an address', (doc) => (doc.resources.pci.devices[0].pci_address = ''), 'resources.pci.devices[0].pci_address'],
    ['a malformed system UUID', (doc) => (doc.resources.system.uuid = 'ServiceTag-7XQ2M93'), 'resources.system.uuid'],
    ['a missing networks section', (doc) => delete doc.networks, 'networks'],
    ['a network entry without bond', (doc) => delete doc.networks.enxb49691000001.bond, 'networks.enxb49691000001.bond'],
    ['a network entry whose MAC is not its port', (doc) => (doc.networks.enxb49691000001.hwaddr = 'b4:96:91:00:00:99'), 'networks.enxb49691000001.hwaddr'],
    ['a port without a network entry', (doc) => delete doc.networks.enxb49691000001, 'networks.enxb49691000001'],
  ])('reports %s at its path', (_name, breakIt, path) => {
    const doc = valid();
    breakIt(doc);
    expect(validateCommissioningData(doc).map((violation) => violation.path)).toContain(path);
  });

  it('reports duplicated MACs, as MAAS refuses them', () => {
    const doc = valid();
    doc.resources.network.cards.push({ ...structuredClone(doc.resources.network.cards[0]), ports: [{ ...doc.resources.network.cards[0].ports[0], id: 'enx2' }] });
    expect(validateCommissioningData(doc)).toContainEqual({ path: 'resources.network.cards[1].ports[0].address', problem: expect.stringContaining('duplicates MAC') });
  });

  it('lists every violation, not just the first', () => {
    const doc = valid();
    doc.api_version = '0.9';
    doc.environment.kernel_architecture = 'sparc';
    delete doc.resources.storage.disks[0].type;
    expect(validateCommissioningData(doc)).toHaveLength(3);
  });

  it('refuses things that are not documents without throwing', () => {
    for (const value of [null, 42, 'text', [], { resources: 'x' }]) {
      expect(validateCommissioningData(value).length).toBeGreaterThan(0);
    }
  });
});
