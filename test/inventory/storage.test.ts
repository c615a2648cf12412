import { describe, expect, it } from 'vitest';
import { toInventory } from '../../src/inventory/normalise.ts';
import { letters } from '../../src/inventory/storage.ts';
import { failedRead, sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const ssd = (serial: string, extra: Record<string, unknown> = {}) => ({
  CapacityBytes: 960_197_124_096,
  MediaType: 'SSD',
  Protocol: 'SATA',
  Model: 'MZ7L3960HCJR',
  SerialNumber: serial,
  Revision: 'JXTC304Q',
  BlockSizeBytes: 512,
  ...extra,
});
const hdd = (serial: string, extra: Record<string, unknown> = {}) => ({
  CapacityBytes: 2_400_476_553_216,
  MediaType: 'HDD',
  Protocol: 'SAS',
  RotationSpeedRPM: 10000,
  Model: 'ST2400MM0129',
  SerialNumber: serial,
  ...extra,
});
const nvme = (serial: string) => ({
  CapacityBytes: 3_840_755_982_336,
  MediaType: 'SSD',
  Protocol: 'NVMe',
  Model: 'Dell Ent NVMe P5600',
  SerialNumber: serial,
  Identifiers: [{ DurableNameFormat: 'EUI', DurableName: '01000000-0000-0000-5CD2E4A1B2C30001' }],
});
const inventoryOf = (resources: Record<string, unknown>) => toInventory(sourceOf(resources), PATHS.SYSTEM)!;

describe('drives', () => {
  it('names drives as the kernel would: sda… for SATA/SAS, nvme0n1… for NVMe', () => {
    const inventory = inventoryOf(tree({ storage: [{ drives: [ssd('S1'), nvme('N1'), hdd('H1'), nvme('N2')] }] }));
    expect(inventory.drives.map((drive) => [drive.name, drive.serial])).toEqual([
      ['sda', 'S1'],
      ['nvme0n1', 'N1'],
      ['sdb', 'H1'],
      ['nvme1n1', 'N2'],
    ]);
  });

  it('keeps the same names from sweep to sweep whatever order the BMC lists members in', () => {
    const forward = inventoryOf(tree({ storage: [{ drives: [ssd('S1'), ssd('S2'), ssd('S3')] }] }));
    const resources = tree({ storage: [{ drives: [ssd('S1'), ssd('S2'), ssd('S3')] }] });
    const storage = resources[`${PATHS.SYSTEM}/Storage/RAID1`] as { Drives: unknown[] };
    storage.Drives = [...storage.Drives].reverse();
    const backward = inventoryOf(resources);
    expect(backward.drives.map((drive) => [drive.name, drive.serial])).toEqual(forward.drives.map((drive) => [drive.name, drive.serial]));
  });

  it('gives SSDs rpm 0, HDDs their rotation speed, and an HDD of unknown speed rpm 1', () => {
    const inventory = inventoryOf(tree({ storage: [{ drives: [ssd('S1'), hdd('H1'), hdd('H2', { RotationSpeedRPM: null })] }] }));
    expect(inventory.drives.map((drive) => [drive.media, drive.rpm])).toEqual([
      ['ssd', 0],
      ['hdd', 10000],
      ['hdd', 1],
    ]);
  });

  it('takes the WWN from an NAA identifier and the EUI from NVMe identifiers', () => {
    const inventory = inventoryOf(
      tree({ storage: [{ drives: [hdd('H1', { Identifiers: [{ DurableNameFormat: 'NAA', DurableName: '5000C500A1B2C3D4' }] }), nvme('N1')] }] }),
    );
    expect(inventory.drives[0]?.wwn).toBe('0x5000c500a1b2c3d4');
    expect(inventory.drives[1]?.eui).toBe('01000000000000005cd2e4a1b2c30001');
  });

  it('skips empty bays and drives without a capacity', () => {
    const inventory = inventoryOf(tree({ storage: [{ drives: [ssd('S1'), { Status: { State: 'Absent' } }, ssd('S2', { CapacityBytes: null })] }] }));
    expect(inventory.drives.map((drive) => drive.serial)).toEqual(['S1']);
  });

  it('counts a drive listed by storage and by the chassis once', () => {
    const resources = tree({ storage: [{ drives: [ssd('S1')] }], chassis: { Links: { Drives: [{ '@odata.id': `${PATHS.CHASSIS}/Drives/D0` }] } } });
    resources[`${PATHS.CHASSIS}/Drives/D0`] = { '@odata.id': `${PATHS.CHASSIS}/Drives/D0`, ...ssd('S1') };
    expect(inventoryOf(resources).drives).toHaveLength(1);
  });

  it('reads SimpleStorage devices on BMCs that have no Storage resource', () => {
    const inventory = inventoryOf(
      tree({ simpleStorage: [{ Devices: [{ Name: 'Disk 0', Model: 'HUS726T4TALA6L4', CapacityBytes: 4_000_787_030_016, Status: { State: 'Enabled' } }, { Name: 'Bay 2', Status: { State: 'Absent' } }] }] }),
    );
    expect(inventory.drives).toEqual([expect.objectContaining({ name: 'sda', model: 'HUS726T4TALA6L4', sizeBytes: 4_000_787_030_016 })]);
  });

  it('says of a drive of unknown media that MAAS will tag it ssd, since MAAS has no unknown media', () => {
    const inventory = inventoryOf(tree({ simpleStorage: [{ Devices: [{ Name: 'PD1', Model: 'ST1800MM0129', CapacityBytes: 1_800_360_124_416, Status: { State: 'Enabled' } }] }], storage: [{ drives: [ssd('S1')] }] }));
    expect(inventory.drives.map((drive) => [drive.media, drive.rpm])).toEqual([['ssd', 0]]);
    const simple = inventoryOf(tree({ simpleStorage: [{ Devices: [{ Name: 'PD1', Model: 'ST1800MM0129', CapacityBytes: 1_800_360_124_416, Status: { State: 'Enabled' } }] }] }));
    expect(simple.drives.map((drive) => [drive.name, drive.media, drive.rpm])).toEqual([['sda', 'unknown', 0]]);
    expect(simple.notes).toEqual([expect.objectContaining({ area: 'storage', subject: 'sda', action: 'flagged', reason: expect.stringMatching(/^sda: the BMC does not say whether it is an SSD or a spinning disk .*MAAS tags .* ssd$/) })]);
    expect(inventory.notes ?? []).toEqual([]);
  });

  it('marks storage unknown, not empty, when the BMC withholds it behind a licence', () => {
    const resources = tree({ storage: [{ drives: [ssd('S1')] }] });
    resources[`${PATHS.SYSTEM}/Storage`] = failedRead('licence', 403);
    const inventory = inventoryOf(resources);
    expect(inventory.drives).toEqual([]);
    expect(inventory.sections.storage).toMatchObject({ unknown: true, failures: [expect.objectContaining({ kind: 'licence' })] });
  });

  it('reads volumes with their RAID level', () => {
    const inventory = inventoryOf(tree({ storage: [{ drives: [ssd('S1'), ssd('S2')], volumes: [{ Name: 'OS', CapacityBytes: 959_656_755_200, RAIDType: 'RAID1' }] }] }));
    expect(inventory.volumes).toEqual([{ name: 'OS', sizeBytes: 959_656_755_200, raidType: 'RAID1' }]);
  });

  it('counts sd names past z as the kernel does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(letters)).toEqual(['a', 'z', 'aa', 'ab', 'az', 'ba', 'zz', 'aaa']);
  });
});

describe('drive protocols the controller gives', () => {
  const { Protocol: _, ...unnamed } = nvme('N1');
  const controllers = (...protocols: string[][]) => ({ StorageControllers: protocols.map((SupportedDeviceProtocols, index) => ({ MemberId: String(index), SupportedDeviceProtocols })) });

  it('names a drive that gives no protocol, or only PCIe, after its controller\'s one device protocol', () => {
    const inventory = inventoryOf(tree({ storage: [{ body: controllers(['NVMe']), drives: [unnamed, { ...unnamed, SerialNumber: 'N2', Protocol: 'PCIe' }] }] }));
    expect(inventory.drives.map((drive) => [drive.name, drive.protocol])).toEqual([
      ['nvme0n1', 'nvme'],
      ['nvme1n1', 'nvme'],
    ]);
  });

  it('takes no protocol from a tri-mode controller, nor from one that names none', () => {
    const triMode = inventoryOf(tree({ storage: [{ body: controllers(['SAS', 'SATA', 'NVMe']), drives: [unnamed] }] }));
    const silent = inventoryOf(tree({ storage: [{ body: controllers([]), drives: [unnamed] }] }));
    expect([triMode.drives[0]?.protocol, silent.drives[0]?.protocol]).toEqual([undefined, undefined]);
  });

  it('keeps the protocol a drive names over its controller\'s', () => {
    const inventory = inventoryOf(tree({ storage: [{ body: controllers(['NVMe']), drives: [ssd('S1')] }] }));
    expect(inventory.drives.map((drive) => [drive.name, drive.protocol])).toEqual([['sda', 'sata']]);
  });

  it('does not make storage unknown for a Controllers collection that was not read', () => {
    const inventory = inventoryOf(tree({ storage: [{ body: { Controllers: { '@odata.id': `${PATHS.SYSTEM}/Storage/RAID1/Controllers` } }, drives: [unnamed] }] }));
    expect(inventory.sections.storage.unknown).toBe(false);
    expect(inventory.drives).toHaveLength(1);
  });
});

describe('drive sizes cross-checked against the other sizes the BMC gives', () => {
  const drivesOf = (resources: Record<string, unknown>) => toInventory(sourceOf(resources), PATHS.SYSTEM)!;
  const mib = 3_815_447; // a 4 TB disk in MiB
  const raid = `${PATHS.SYSTEM}/Storage/RAID1`;

  it('corrects a size sent in MiB when an OEM field gives the same figure with its unit', () => {
    const inventory = drivesOf(tree({ storage: [{ drives: [hdd('K1', { CapacityBytes: mib, Oem: { Vendor: { CapacityMiB: mib } } })] }] }));
    expect(inventory.drives.map((drive) => drive.sizeBytes)).toEqual([mib * 2 ** 20]);
    expect(inventory.notes).toEqual([
      { area: 'storage', subject: 'K1', action: 'corrected', reason: `CapacityBytes ${mib} is in MiB, as Oem.Vendor.CapacityMiB ${mib} shows: ${mib * 2 ** 20} bytes`, resource: `${raid}/Drives/Disk0` },
    ]);
  });

  it('corrects the members of a RAID volume that could not hold the volume at the size reported', () => {
    const volume = { CapacityBytes: 2 * (mib * 2 ** 20 - 2 ** 28), RAIDType: 'RAID5', Links: { Drives: [0, 1, 2].map((n) => ({ '@odata.id': `${raid}/Drives/Disk${n}` })) } };
    const inventory = drivesOf(tree({ storage: [{ drives: ['A', 'B', 'C'].map((serial) => hdd(serial, { CapacityBytes: mib })), volumes: [volume] }] }));
    expect(inventory.drives.map((drive) => drive.sizeBytes)).toEqual([mib * 2 ** 20, mib * 2 ** 20, mib * 2 ** 20]);
    expect(inventory.notes?.map((note) => note.action)).toEqual(['corrected', 'corrected', 'corrected']);
  });

  it('leaves a drive alone that holds its volume with room to spare (a volume may use part of each drive)', () => {
    const volume = { CapacityBytes: 100e9, RAIDType: 'RAID1', Links: { Drives: [0, 1].map((n) => ({ '@odata.id': `${raid}/Drives/Disk${n}` })) } };
    const inventory = drivesOf(tree({ storage: [{ drives: [hdd('A'), hdd('B')], volumes: [volume] }] }));
    expect(inventory.drives.map((drive) => drive.sizeBytes)).toEqual([2_400_476_553_216, 2_400_476_553_216]);
    expect(inventory.notes).toBeUndefined();
  });

  it('corrects an implausible size from the size the drive names, in the nearest unit', () => {
    const inventory = drivesOf(tree({ storage: [{ drives: [hdd('K1', { CapacityBytes: mib, Name: 'Ultrastar 7K6 4TB' })] }] }));
    expect(inventory.drives[0]!.sizeBytes).toBe(mib * 2 ** 20);
  });

  it('does not let a name override a plausible size', () => {
    const inventory = drivesOf(tree({ storage: [{ drives: [hdd('K1', { Name: '4TB disk' })] }] }));
    expect(inventory.drives[0]!.sizeBytes).toBe(2_400_476_553_216);
    expect(inventory.notes).toBeUndefined();
  });

  it('leaves out, with the reason, a drive whose size no drive has and nothing can correct', () => {
    const inventory = drivesOf(tree({ storage: [{ drives: [ssd('DOM1', { CapacityBytes: 61_057 }), ssd('S2')] }] }));
    expect(inventory.drives.map((drive) => [drive.name, drive.serial])).toEqual([['sda', 'S2']]);
    expect(inventory.notes).toEqual([
      expect.objectContaining({ subject: 'DOM1', action: 'left out', reason: 'CapacityBytes 61057 is no plausible size for a drive (below 1 GB) and the BMC gives no other size to check it against' }),
    ]);
  });

  it('keeps and flags a plausible size that another size contradicts in every unit', () => {
    const inventory = drivesOf(tree({ storage: [{ drives: [hdd('K1', { Oem: { Vendor: { CapacityGB: 7 } } })] }] }));
    expect(inventory.drives[0]!.sizeBytes).toBe(2_400_476_553_216);
    expect(inventory.notes).toEqual([expect.objectContaining({ action: 'flagged', reason: 'CapacityBytes 2400476553216 disagrees in every unit with Oem.Vendor.CapacityGB 7; kept as reported' })]);
  });

  it("checks an implausible size against HPE SmartStorage's figures for the same serial", () => {
    const smart = `${PATHS.SYSTEM}/SmartStorage`;
    const resources = tree({
      system: { Oem: { Hpe: { Links: { SmartStorage: { '@odata.id': smart } } } } },
      storage: [{ drives: [hdd('WFK1', { CapacityBytes: 572_325 })] }],
      extra: {
        [smart]: { '@odata.id': smart, Links: { ArrayControllers: { '@odata.id': `${smart}/ArrayControllers` } } },
        [`${smart}/ArrayControllers`]: { Members: [{ '@odata.id': `${smart}/ArrayControllers/0` }] },
        [`${smart}/ArrayControllers/0`]: { '@odata.id': `${smart}/ArrayControllers/0`, Links: { PhysicalDrives: { '@odata.id': `${smart}/ArrayControllers/0/DiskDrives` } } },
        [`${smart}/ArrayControllers/0/DiskDrives`]: { Members: [{ '@odata.id': `${smart}/ArrayControllers/0/DiskDrives/0` }] },
        [`${smart}/ArrayControllers/0/DiskDrives/0`]: { '@odata.id': `${smart}/ArrayControllers/0/DiskDrives/0`, SerialNumber: 'WFK1', CapacityLogicalBlocks: 1172123568, BlockSizeBytes: 512 },
      },
    });
    const inventory = drivesOf(resources);
    expect(inventory.drives.map((drive) => [drive.serial, drive.sizeBytes])).toEqual([['WFK1', 572_325 * 2 ** 20]]);
    expect(inventory.notes?.[0]?.reason).toContain(`SmartStorage ${smart}/ArrayControllers/0/DiskDrives/0`);
  });
});
