import { describe, expect, it } from 'vitest';
import { deviceId, supportedModes, toCommissioningData } from '../../src/inventory/commissioning.ts';
import type { Drive, HardwareInventory } from '../../src/inventory/model.ts';
import { toInventory } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const cpu = (socket: string, cores: number, threads: number) => ({
  ProcessorType: 'CPU',
  InstructionSet: 'x86-64',
  Manufacturer: 'Intel(R) Corporation',
  Model: 'Intel(R) Xeon(R) Silver 4310 CPU @ 2.10GHz',
  Socket: socket,
  TotalCores: cores,
  TotalThreads: threads,
  MaxSpeedMHz: 3300,
  OperatingSpeedMHz: 2100,
});

function machine(): HardwareInventory {
  return toInventory(
    sourceOf(
      tree({
        system: { HostName: 'db-07.example.net', SKU: '7XQ2M93' },
        processors: [cpu('CPU 1', 12, 24), cpu('CPU 2', 12, 24)],
        memory: [1, 2].flatMap((socket) => [1, 2].map((slot) => ({ DeviceLocator: `P${socket}-DIMM${slot}`, CapacityMiB: 32768, MemoryLocation: { Socket: socket } }))),
        storage: [{ drives: [{ CapacityBytes: 480_103_981_056, MediaType: 'SSD', Protocol: 'SATA', Model: 'MTFDDAK480TDS', SerialNumber: '2101E5A1B2C3', Identifiers: [{ DurableNameFormat: 'NAA', DurableName: '500A0751E5A1B2C3' }] }] }],
        interfaces: [{ MACAddress: 'b4:96:91:aa:bb:01', SpeedMbps: 10000, LinkStatus: 'LinkUp', IPv4Addresses: [{ Address: '10.0.0.7', SubnetMask: '255.255.255.0' }] }, { MACAddress: 'b4:96:91:aa:bb:02', LinkStatus: 'NoLink' }],
      }),
    ),
    PATHS.SYSTEM,
  )!;
}

describe('toCommissioningData', () => {
  it('produces a document MAAS accepts', () => {
    expect(validateCommissioningData(toCommissioningData(machine()))).toEqual([]);
  });

  it('synthesises one thread entry per logical CPU, each with an id and its socket as NUMA node', () => {
    const cpuSection = toCommissioningData(machine()).resources.cpu as { total: number; sockets: { cores: { threads: { id: number; numa_node: number }[] }[] }[] };
    expect(cpuSection.total).toBe(48);
    const threads = cpuSection.sockets.flatMap((socket) => socket.cores.flatMap((core) => core.threads));
    expect(threads.map((thread) => thread.id)).toEqual(Array.from({ length: 48 }, (_, i) => i));
    expect(threads.filter((thread) => thread.numa_node === 1)).toHaveLength(24);
    expect(cpuSection.sockets[0]?.cores).toHaveLength(12);
  });

  it('reports memory in bytes, per NUMA node', () => {
    const memory = toCommissioningData(machine()).resources.memory as { total: number; nodes: { numa_node: number; total: number }[] };
    expect(memory.total).toBe(128 * 1024 ** 3);
    expect(memory.nodes.map((node) => [node.numa_node, node.total])).toEqual([
      [0, 64 * 1024 ** 3],
      [1, 64 * 1024 ** 3],
    ]);
  });

  it('maps the kernel architecture and names the producer', () => {
    const environment = toCommissioningData(machine(), { name: 'redfish-enlist', version: '1.2.3' }).environment;
    expect(environment).toMatchObject({ kernel_architecture: 'x86_64', server: 'redfish-enlist', server_version: '1.2.3', server_name: 'db-07.example.net' });
  });

  it('lists every port with a broadcast network entry of the same name and MAC', () => {
    const document = toCommissioningData(machine());
    expect(Object.keys(document.networks)).toEqual(['enxb49691aabb01', 'enxb49691aabb02']);
    expect(document.networks.enxb49691aabb01).toMatchObject({
      hwaddr: 'b4:96:91:aa:bb:01',
      state: 'up',
      type: 'broadcast',
      addresses: [{ family: 'inet', address: '10.0.0.7', netmask: '24', scope: 'global' }],
      bond: null,
      bridge: null,
      vlan: null,
    });
    expect(document.networks.enxb49691aabb02).toMatchObject({ state: 'down', addresses: [] });
  });

  it('gives a disk the by-id name udev would, so MAAS can match it by id_path', () => {
    const disk = (toCommissioningData(machine()).resources.storage as { disks: Record<string, unknown>[] }).disks[0];
    expect(disk).toMatchObject({ id: 'sda', type: 'sata', rpm: 0, wwn: '0x500a0751e5a1b2c3', device_id: 'wwn-0x500a0751e5a1b2c3', serial: '2101E5A1B2C3', block_size: 512 });
  });

  it.each<[Partial<Drive>, string]>([
    [{ protocol: 'sata', model: 'Samsung SSD 870', serial: 'S6PN' }, 'ata-Samsung_SSD_870_S6PN'],
    [{ protocol: 'nvme', model: 'Micron 7450', serial: 'M1', eui: '000000000000000100a0750123456789' }, 'nvme-eui.000000000000000100a0750123456789'],
    [{ protocol: 'nvme', model: 'Micron 7450', serial: 'M1' }, 'nvme-Micron_7450_M1'],
    [{ protocol: 'sas', model: 'ST2400MM0129', serial: 'WFK1' }, 'scsi-SST2400MM0129_WFK1'],
    [{ protocol: 'sas', model: 'ST2400MM0129' }, ''],
  ])('derives device_id %o → %s', (drive, expected) => {
    expect(deviceId({ name: 'sda', sizeBytes: 1, media: 'ssd', rpm: 0, removable: false, source: '/x', ...drive })).toBe(expected);
  });

  it('derives supported modes from speeds, leading with the number MAAS reads', () => {
    expect(supportedModes({ speedMbps: 10000, maxSpeedMbps: 25000 })).toEqual(['10000baseT/Full', '25000baseSR/Full']);
    expect(supportedModes({})).toEqual([]);
  });

  it('leaves supported_modes out for a port of unknown speed, since MAAS fails on an empty list', () => {
    const document = toCommissioningData(machine());
    const ports = (document.resources.network as { cards: { ports: Record<string, unknown>[] }[] }).cards.flatMap((card) => card.ports);
    expect(ports.find((port) => port.address === 'b4:96:91:aa:bb:02')).not.toHaveProperty('supported_modes');
  });

  it('is byte-for-byte the same for the same inventory', () => {
    expect(JSON.stringify(toCommissioningData(machine()))).toBe(JSON.stringify(toCommissioningData(machine())));
  });
});
