// The project's shape fixtures (fixtures/shapes/), one per class of BMC behaviour seen on servers
// outside the vendor fixtures, each read through the whole pure pipeline: what the commissioning
// document says, and what MAAS makes of it (parseCommissioningData reads it as MAAS does).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTES_KEY, toCommissioningData, type CommissioningData } from '../../src/inventory/commissioning.ts';
import { parseCommissioningData, type ParsedHardware } from '../../src/inventory/document.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { loadSource, SHAPES } from '../helpers/mockup.ts';

interface Read {
  readonly inventory: HardwareInventory;
  readonly document: CommissioningData;
  readonly maas: ParsedHardware;
  readonly notes: readonly { area: string; subject: string; action: string; reason: string; resource: string }[];
}

async function read(tree: string): Promise<Read> {
  const inventories = toInventories(await loadSource(join(SHAPES, tree)));
  expect(inventories, `${tree} is one machine`).toHaveLength(1);
  const inventory = inventories[0]!;
  const document = toCommissioningData(inventory);
  expect(validateCommissioningData(document)).toEqual([]);
  return { inventory, document, maas: parseCommissioningData(document), notes: document[NOTES_KEY]?.notes ?? [] };
}

describe('phantom host ports: a partitioned 2-port adapter (dell-npar-phantom-ports)', () => {
  it('gives MAAS the three partitions the host uses as interfaces, not sixteen', async () => {
    const { document, maas } = await read('dell-npar-phantom-ports');
    expect(Object.keys(document.networks)).toEqual(['enx34800d7a4110', 'enx34800d7a4210', 'enx34800d7a4211']);
    expect(maas.interfaces.map((iface) => [iface.mac, iface.interfaceSpeed, iface.linkConnected])).toEqual([
      ['34:80:0d:7a:41:10', 25000, true],
      ['34:80:0d:7a:42:10', 25000, true],
      ['34:80:0d:7a:42:11', 25000, true],
    ]);
  });

  it('says in the document which 13 MACs were left out and why', async () => {
    const { notes } = await read('dell-npar-phantom-ports');
    expect(notes).toHaveLength(13);
    expect(notes.every((note) => note.area === 'network' && note.action === 'left out')).toBe(true);
    const why = Object.fromEntries(notes.map((note) => [note.resource.split('/').pop(), note.reason]));
    expect(why['NIC.Slot.2-1-2']).toBe('its network device function is of type iSCSI, not an Ethernet interface');
    expect(why['NIC.Slot.2-1-3']).toBe('its network device function is of type FibreChannelOverEthernet, not an Ethernet interface');
    expect(why['NIC.Slot.2-1-4']).toBe('its network device function is disabled (NetDevFuncType Disabled)');
    expect(why['NIC.Slot.2-2-8']).toBe('its network device function is on no physical port of its adapter');
  });
});

describe('drives only under an OEM storage path: an older iLO 5 blade (hpe-blade-smartstorage)', () => {
  it('gives MAAS the three drives of the SmartStorage tree when the standard Storage collection is empty', async () => {
    const { maas, inventory } = await read('hpe-blade-smartstorage');
    expect(maas.disks.map((disk) => [disk.name, disk.size, disk.model, disk.serial, disk.idPath, disk.tags])).toEqual([
      ['sda', 600127266816, 'EG0600JETKA', 'WFK1LH2Z0000K8110QJ1', '/dev/disk/by-id/wwn-0x5000c500b2a7e1c1', ['rotary', '10000rpm']],
      ['sdb', 600127266816, 'EG0600JETKA', 'WFK1LJ8T0000K8120B6H', '/dev/disk/by-id/wwn-0x5000c500b2a81f05', ['rotary', '10000rpm']],
      ['sdc', 480103981056, 'MK000480GWCEV', 'PHYF8264015T480BGN', '/dev/disk/by-id/ata-MK000480GWCEV_PHYF8264015T480BGN', ['ssd', 'sata']],
    ]);
    expect(maas.disks.map((disk) => disk.firmwareVersion)).toEqual(['HPD4', 'HPD4', 'HPG0']);
    expect(inventory.sections.storage.unknown).toBe(false);
    expect(inventory.sections.storage.sources).toContain('/redfish/v1/Systems/1/SmartStorage/ArrayControllers/2/DiskDrives/0');
  });
});

describe('capacity in the wrong unit: a storage server sending MiB as CapacityBytes (storage-server-mib-capacity)', () => {
  it('gives MAAS twelve 4 TB disks, not twelve of 3.8 MB', async () => {
    const { maas } = await read('storage-server-mib-capacity');
    expect(maas.disks.map((disk) => disk.name)).toEqual(['sda', 'sdb', 'sdc', 'sdd', 'sde', 'sdf', 'sdg', 'sdh', 'sdi', 'sdj', 'sdk', 'sdl']);
    expect(new Set(maas.disks.map((disk) => disk.size))).toEqual(new Set([4_000_786_153_472]));
    expect(maas.disks.every((disk) => disk.tags.join(',') === 'rotary,7200rpm')).toBe(true);
  });

  it('says how each size was corrected, and leaves out the SATA DOM whose size nothing corrects', async () => {
    const { notes, maas } = await read('storage-server-mib-capacity');
    const bay = (n: number) => notes.find((note) => note.resource.endsWith(`/RAID0/Drives/${n}`))!;
    expect(bay(0)).toMatchObject({ action: 'corrected', reason: expect.stringContaining('is in MiB: 4000786153472 bytes, as volume /redfish/v1/Systems/Self/Storage/RAID0/Volumes/0 (RAID6 over 10 drives') });
    expect(bay(10)).toMatchObject({ action: 'corrected', reason: 'CapacityBytes 3815447 is in MiB, as the drive\'s Name "HGST Ultrastar 7K6 4TB" says: 4000786153472 bytes' });
    expect(bay(11)).toMatchObject({ action: 'corrected', reason: 'CapacityBytes 3815447 is in MiB, as Oem.Ami.CapacityMiB 3815447 shows: 4000786153472 bytes' });
    expect(notes.filter((note) => note.action === 'left out')).toEqual([
      {
        area: 'storage',
        subject: 'B0A7D1C2E00311',
        action: 'left out',
        reason: 'CapacityBytes 61057 is no plausible size for a drive (below 1 GB) and the BMC gives no other size to check it against',
        resource: '/redfish/v1/Systems/Self/Storage/AHCI0/Drives/0',
      },
    ]);
    expect(maas.disks.some((disk) => disk.serial === 'B0A7D1C2E00311')).toBe(false);
  });
});

describe('smaller shapes: a Dell with a blank maker, turbo-only speeds and NVMe named by its controller (dell-blank-maker-nvme-on-controller)', () => {
  it('names the system Dell Inc., as the service root says, and says so in the document', async () => {
    const { document, notes } = await read('dell-blank-maker-nvme-on-controller');
    const system = document.resources.system as { vendor: string; motherboard: { vendor: string } };
    expect([system.vendor, system.motherboard.vendor]).toEqual(['Dell Inc.', 'Dell Inc.']);
    expect(notes).toEqual([
      {
        area: 'identity',
        subject: 'System.Embedded.1',
        action: 'corrected',
        reason: 'Manufacturer is blank; "Dell Inc." as the service root\'s Oem.Dell says',
        resource: '/redfish/v1/Systems/System.Embedded.1',
      },
    ]);
  });

  it('gives MAAS three NVMe disks, not SCSI ones, when only the controller says NVMe', async () => {
    const { maas } = await read('dell-blank-maker-nvme-on-controller');
    expect(maas.disks.map((disk) => [disk.name, disk.size, disk.serial, disk.tags])).toEqual([
      ['nvme0n1', 3840755982336, 'S6CSNA0T201847', ['ssd']],
      ['nvme1n1', 3840755982336, 'S6CSNA0T201852', ['ssd']],
      ['nvme2n1', 3840755982336, 'S6CSNA0T201903', ['ssd']],
    ]);
    expect(maas.disks.map((disk) => disk.idPath)).toEqual([
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201847',
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201852',
      '/dev/disk/by-id/nvme-Dell_Ent_NVMe_PM1733a_RI_3.84TB_S6CSNA0T201903',
    ]);
  });

  it('keeps the turbo figure as the turbo: the sockets claim no speed, MAAS shows 3750 MHz as it would in-band', async () => {
    const { document, maas } = await read('dell-blank-maker-nvme-on-controller');
    const sockets = (document.resources.cpu as { sockets: { frequency: number; frequency_turbo: number }[] }).sockets;
    expect(sockets.map((socket) => [socket.frequency, socket.frequency_turbo])).toEqual([
      [0, 3750],
      [0, 3750],
    ]);
    expect([maas.cpuCount, maas.cpuSpeed, maas.memory]).toEqual([128, 3750, 384 * 1024]);
  });
});

describe('smaller shapes: a host linked only from its manager, with a processor summary that counts sockets only (manager-linked-summary-only)', () => {
  it('is found through the manager and gives MAAS its disk, interfaces and memory', async () => {
    const { inventory, maas } = await read('manager-linked-summary-only');
    expect(inventory.system).toBe('/redfish/v1/Systems/host0');
    expect(maas.interfaces.map((iface) => iface.mac)).toEqual(['70:b3:d5:1e:60:10', '70:b3:d5:1e:60:11']);
    expect(maas.disks.map((disk) => [disk.name, disk.size])).toEqual([['sda', 960197124096]]);
    expect(maas.memory).toBe(64 * 1024);
  });

  it('invents no cores, threads or model for the two sockets the summary counts: MAAS gets no CPU count', async () => {
    const { inventory, document, maas } = await read('manager-linked-summary-only');
    expect(inventory.cpus.map((cpu) => [cpu.socket, cpu.cores, cpu.threads, cpu.model])).toEqual([
      ['CPU 1', 0, 0, undefined],
      ['CPU 2', 0, 0, undefined],
    ]);
    expect(document.resources.cpu).toMatchObject({ total: 0, sockets: [{ name: '', cores: [] }, { name: '', cores: [] }] });
    expect([maas.cpuCount, maas.hardwareInfo.cpu_model]).toEqual([0, undefined]);
  });
});

describe('multi-node trays and Arm hosts: a tray listing its host and its CPU/GPU module as two systems (arm-tray-host-and-module)', () => {
  it('gives MAAS one machine with the module\'s CPUs, memory and GPUs and the host\'s disks and interfaces', async () => {
    const { inventory, document, maas } = await read('arm-tray-host-and-module');
    expect([inventory.system, inventory.systemId]).toEqual(['/redfish/v1/Systems/System_0', 'System_0']);
    expect([maas.cpuCount, maas.memory]).toEqual([144, 960 * 1024]);
    expect(maas.numaNodes.map((node) => [node.index, node.cores.length, node.memory])).toEqual([
      [0, 72, 480 * 1024],
      [1, 72, 480 * 1024],
    ]);
    expect(maas.disks.map((disk) => [disk.name, disk.size, disk.serial])).toEqual([
      ['nvme0n1', 7681501126656, 'CTN7T6E1S00512'],
      ['nvme1n1', 7681501126656, 'CTN7T6E1S00519'],
    ]);
    expect(maas.interfaces.map((iface) => [iface.mac, iface.interfaceSpeed])).toEqual([
      ['a0:88:c2:5d:1e:40', 100000],
      ['a0:88:c2:5d:1e:41', 100000],
    ]);
    expect((document.resources.gpu as { total: number }).total).toBe(2);
    expect(maas.hardwareUuid).toBe('b3e1d0a4-5f62-4c8e-9a17-0c4d2e8f6a13');
  });

  it('is an arm64 machine, from the processors\' InstructionSet and ProcessorArchitecture, not the x86_64 fallback', async () => {
    const { document, maas } = await read('arm-tray-host-and-module');
    expect(document.environment.kernel_architecture).toBe('aarch64');
    expect(maas.architecture).toBe('arm64/generic');
  });

  it('says in the document that the module is part of the host, and why', async () => {
    const { notes } = await read('arm-tray-host-and-module');
    expect(notes).toEqual([
      {
        area: 'identity',
        subject: '/redfish/v1/Systems/Module_0',
        action: 'merged',
        reason:
          'part of /redfish/v1/Systems/System_0: its chassis /redfish/v1/Chassis/Module_0 is inside /redfish/v1/Chassis/Tray_0, a chassis of /redfish/v1/Systems/System_0, and it has no network interface of its own and the host no CPU or memory',
        resource: '/redfish/v1/Systems/Module_0',
      },
    ]);
  });
});
