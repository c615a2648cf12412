import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { registerController, unregisterController } from '../../src/registry/controllers.ts';
import { pushHardware } from '../../src/registry/hardware.ts';
import { machineJson } from '../../src/registry/machine-json.ts';
import { applyMachineEvent, createMachine, findMachine, listMachines, updateMachine, type MachineRow } from '../../src/registry/machines.ts';
import { registerMachine } from '../../src/registry/register.ts';
import { RegistryError, type Store } from '../../src/registry/store.ts';
import { createUser, machineToken, type User } from '../../src/registry/users.ts';
import { fixtureDocument, macsOf, temporaryStore } from './fixtures.ts';

let store: Store;
let admin: User;
let dispose: () => void;
let dell: CommissioningData;

beforeEach(async () => {
  // A clock that moves on every reading, so any write shows in a timestamp.
  let tick = 0;
  ({ store, admin, dispose } = temporaryStore(() => new Date(Date.UTC(2024, 0, 1) + tick++ * 1000)));
  dell = await fixtureDocument('dell-r750-idrac9');
});
afterEach(() => dispose());

const refusal = (work: () => unknown): RegistryError => {
  try {
    work();
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

function enlist(hostname = 'r750-db01', macs = macsOf(dell)): MachineRow {
  return createMachine(
    store,
    { hostname, architecture: 'amd64', macAddresses: macs, powerType: 'redfish', powerParameters: { power_address: '10.0.0.5', power_user: 'root', power_pass: 'calvin', node_id: 'System.Embedded.1' }, deployed: true },
    admin,
  );
}

describe('enlisting', () => {
  it('creates a Deployed machine owned by the admin, with a token and amd64/generic', () => {
    const row = enlist();
    expect(row).toMatchObject({ status: 6, owner: 'admin', architecture: 'amd64/generic', hostname: 'r750-db01' });
    expect(machineToken(store, row.id)).toBeDefined();
    expect(row.system_id).toMatch(/^[a-z0-9]{6}$/);
  });

  it('creates a Deployed machine without a MAC when power is Unknown', () => {
    expect(createMachine(store, { hostname: 'win-01', deployed: true }, admin)).toMatchObject({ status: 6, power_type: 'unknown' });
  });

  it('refuses a redfish machine without MACs, naming the field', () => {
    const error = refusal(() => createMachine(store, { hostname: 'x', powerType: 'redfish', architecture: 'amd64', deployed: true }, admin));
    expect(error).toMatchObject({ status: 400, field: 'mac_addresses' });
  });

  it('refuses a MAC already in use on another machine, in MAAS words', () => {
    enlist('first');
    const error = refusal(() => enlist('second', [macsOf(dell)[0]!]));
    expect(error.message).toBe(`MAC address ${macsOf(dell)[0]} already in use on first.`);
    expect(listMachines(store)).toHaveLength(1);
  });

  it('refuses deployed=true from a non-administrator', () => {
    const user = createUser(store, 'operator');
    expect(refusal(() => createMachine(store, { hostname: 'x', deployed: true }, user)).status).toBe(403);
  });

  it('adds a MAC when an Unknown machine without MACs gets the redfish driver', () => {
    const row = createMachine(store, { hostname: 'win-01', deployed: true }, admin);
    expect(refusal(() => updateMachine(store, row.system_id, { power_type: 'redfish' })).field).toBe('power_type');
    const updated = updateMachine(store, row.system_id, { power_type: 'redfish', mac_addresses: ['B0:26:28:5E:1A:40'] });
    expect(updated.power_type).toBe('redfish');
    expect(machineJson(store, updated).interface_set).toEqual([expect.objectContaining({ mac_address: 'b0:26:28:5e:1a:40' })]);
  });

  it('never lists the BMC password in a machine JSON', () => {
    expect(JSON.stringify(machineJson(store, enlist()))).not.toContain('calvin');
  });

  it('filters machines by hostname, MAC, id and status, binding every value', () => {
    const row = enlist();
    expect(listMachines(store, { mac_address: [macsOf(dell)[1]!.toUpperCase()] }).map((m) => m.system_id)).toEqual([row.system_id]);
    expect(listMachines(store, { hostname: ["r750-db01' OR '1'='1"] })).toEqual([]);
    expect(listMachines(store, { status: ['deployed'] })).toHaveLength(1);
    expect(listMachines(store, { status: ['ready'] })).toHaveLength(0);
  });
});

describe('hardware pushes', () => {
  it('parses the document as MAAS does: CPUs, memory, disks, interfaces, hardware_info', () => {
    const row = enlist();
    pushHardware(store, row.id, dell);
    const json = machineJson(store, findMachine(store, row.system_id)!) as Record<string, any>;
    expect(json).toMatchObject({ cpu_count: 112, memory: 524288, cpu_speed: 2000, hardware_uuid: '4c4c4544-0052-5710-8032-b7c04f4b5133', status_name: 'Deployed' });
    expect(json.physicalblockdevice_set.map((d: any) => d.serial)).toHaveLength(6);
    expect(json.physicalblockdevice_set[0]).toMatchObject({ name: 'sda', id_path: '/dev/disk/by-id/wwn-0x500a07512f3a71f0', tags: ['ssd', 'sata'] });
    expect(json.physicalblockdevice_set.find((d: any) => d.serial === 'WFK3N7QD').tags).toEqual(['rotary', '10000rpm']);
    expect(json.interface_set.map((i: any) => i.mac_address).sort()).toEqual(macsOf(dell).sort());
    expect(json.interface_set.find((i: any) => i.mac_address === 'b0:26:28:5e:1a:41').link_connected).toBe(false);
    expect(json.hardware_info).toMatchObject({ system_serial: '7RW2KQ3', mainboard_serial: 'CNFCP0023A00QH', cpu_model: 'Intel(R) Xeon(R) Gold 6330 CPU', system_family: 'Unknown' });
  });

  it('keeps the last 10 commissioning results of a machine, newest last', () => {
    const row = enlist();
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(dell) as any;
      next.resources.memory.total -= i * 1024 ** 3;
      pushHardware(store, row.id, next);
      const kept = store.all<{ document: string }>('SELECT document FROM commissioning_results WHERE machine_id = ? ORDER BY id', row.id);
      expect(kept).toHaveLength(Math.min(i + 1, 10));
      expect(JSON.parse(kept.at(-1)!.document).resources.memory.total).toBe(next.resources.memory.total);
    }
  });

  it('changes nothing when the same document is pushed twice', () => {
    const row = enlist();
    expect(pushHardware(store, row.id, dell).changed).toBe(true);
    const before = JSON.stringify(store.all('SELECT * FROM machines'));
    expect(pushHardware(store, row.id, dell)).toMatchObject({ changed: false, changes: [] });
    expect(JSON.stringify(store.all('SELECT * FROM machines'))).toBe(before);
    expect(store.all('SELECT * FROM hardware_history')).toHaveLength(0);
  });

  it('records a history entry naming a replaced disk and removed memory', () => {
    const row = enlist();
    pushHardware(store, row.id, dell);
    const changed = structuredClone(dell) as any;
    changed.resources.storage.disks[1].serial = 'NEWSERIAL01';
    changed.resources.storage.disks[1].device_id = 'wwn-0x500a0751ffffffff';
    changed.resources.memory.total -= 32 * 1024 ** 3;
    changed.resources.memory.nodes[1].total -= 32 * 1024 ** 3;
    const outcome = pushHardware(store, row.id, changed);
    expect(outcome.changes.map((change) => change.description)).toEqual([
      'memory removed: 512 GiB → 480 GiB',
      'disk sdb replaced: MTFDDAK480TDS, serial 2145332A72C4, 480.1 GB → MTFDDAK480TDS, serial NEWSERIAL01, 480.1 GB',
    ]);
    expect(store.all('SELECT * FROM hardware_history')).toHaveLength(1);
    const json = machineJson(store, findMachine(store, row.system_id)!) as any;
    expect(json.physicalblockdevice_set.map((d: any) => d.serial)).toContain('NEWSERIAL01');
    expect(json.physicalblockdevice_set.map((d: any) => d.serial)).not.toContain('2145332A72C4');
  });

  it('refuses a document that fails validation, listing every violation, and changes nothing', () => {
    const row = enlist();
    pushHardware(store, row.id, dell);
    const before = JSON.stringify(store.all('SELECT * FROM block_devices'));
    const broken = structuredClone(dell) as any;
    broken.environment.kernel_architecture = 'vax';
    delete broken.resources.storage.disks[0].rpm;
    const error = refusal(() => pushHardware(store, row.id, broken));
    expect(error.status).toBe(400);
    expect(error.details).toEqual(['environment.kernel_architecture: must be one of i686, x86_64, aarch64, ppc64le, s390x, mips, mips64', 'resources.storage.disks[0].rpm: is required']);
    expect(JSON.stringify(store.all('SELECT * FROM block_devices'))).toBe(before);
  });

  it('moves a MAC that another machine had to the machine that reports it', () => {
    const other = createMachine(store, { hostname: 'old-host', architecture: 'amd64', macAddresses: [macsOf(dell)[0]!], powerType: 'manual' }, admin);
    const row = enlist('r750-db01', macsOf(dell).slice(1));
    pushHardware(store, row.id, dell);
    expect(machineJson(store, findMachine(store, other.system_id)!).interface_set).toEqual([]);
  });

  it('refuses FAILED for a Deployed machine and keeps it Deployed', () => {
    const row = enlist();
    expect(refusal(() => pushHardware(store, row.id, dell, { status: 'FAILED' })).message).toBe('Invalid transition: Deployed -> Failed commissioning.');
    expect(findMachine(store, row.system_id)!.status).toBe(6);
  });

  it('moves a Deployed machine to Ready on OK, as MAAS does, clearing owner and token', () => {
    const row = enlist();
    pushHardware(store, row.id, dell, { status: 'OK' });
    const after = findMachine(store, row.system_id)!;
    expect(after).toMatchObject({ status: 4, owner: null });
    expect(machineToken(store, row.id)).toBeUndefined();
  });
});

describe('lifecycle through the registry', () => {
  it('releases a Deployed machine with hardware information to Ready', () => {
    const row = enlist();
    pushHardware(store, row.id, dell);
    expect(applyMachineEvent(store, row.system_id, { type: 'release' })).toMatchObject({ status: 4, owner: null });
  });

  it('releases a Deployed machine without hardware information to New', () => {
    const row = createMachine(store, { hostname: 'win-01', deployed: true }, admin);
    expect(applyMachineEvent(store, row.system_id, { type: 'release' })).toMatchObject({ status: 0 });
  });

  it('refuses to release a locked machine with 403, saying why', () => {
    const row = enlist();
    applyMachineEvent(store, row.system_id, { type: 'lock' });
    expect(refusal(() => applyMachineEvent(store, row.system_id, { type: 'release' }))).toMatchObject({ status: 403, message: 'Cannot release the machine because the machine is locked.' });
  });

  it('makes a controller machine Deployed, locked and annotated; removal unlocks it', () => {
    const row = enlist();
    registerController(store, 'region-1', admin, row.system_id);
    const linked = findMachine(store, row.system_id)!;
    expect(linked).toMatchObject({ status: 6, locked: 1 });
    expect(JSON.parse(linked.workload_annotations)).toMatchObject({ 'maas-controller': 'region-1' });
    expect(registerController(store, 'region-1', admin, row.system_id)).toEqual({ name: 'region-1', systemId: row.system_id });
    expect(unregisterController(store, 'region-1', admin)).toEqual({ systemId: row.system_id, deleted: false });
    expect(findMachine(store, row.system_id)!.locked).toBe(0);
  });

  it('removes a controller machine that has no BMC when the controller goes', () => {
    const { systemId } = registerController(store, 'rack-7', admin);
    expect(findMachine(store, systemId)).toMatchObject({ status: 6, locked: 1 });
    expect(unregisterController(store, 'rack-7', admin)).toEqual({ systemId, deleted: true });
    expect(findMachine(store, systemId)).toBeUndefined();
  });
});

describe('rule 5: registering the same machine again never duplicates or renames it', () => {
  const bmc = { power_address: '10.0.0.5', power_user: 'root', power_pass: 'calvin', node_id: 'System.Embedded.1' };
  const registration = (hostname: string, macAddresses = macsOf(dell)) => ({
    hostname,
    architecture: 'amd64',
    macAddresses,
    powerType: 'redfish',
    powerParameters: bmc,
    powerAddress: bmc.power_address,
    nodeId: bmc.node_id,
  });

  it('finds the machine again by one of its MACs and keeps the name it was first registered with', () => {
    const first = registerMachine(store, registration('r750-db01'), admin);
    const again = registerMachine(store, registration('renamed-host', [macsOf(dell)[2]!]), admin);
    expect(again).toMatchObject({ created: false, row: { system_id: first.row.system_id, hostname: 'r750-db01' } });
    expect(listMachines(store)).toHaveLength(1);
  });

  it('finds the machine again by hardware UUID when every MAC has changed, and adds the new MACs', () => {
    const { row } = registerMachine(store, registration('r750-db01'), admin);
    pushHardware(store, row.id, dell);
    // A new BMC address too, so nothing but the UUID can identify it.
    const moved = { ...registration('r750-db01', ['52:54:00:aa:bb:01']), powerParameters: { ...bmc, power_address: '10.9.9.9' }, powerAddress: '10.9.9.9' };
    const again = registerMachine(store, { ...moved, uuid: '4C4C4544-0052-5710-8032-B7C04F4B5133' }, admin);
    expect(again.row.system_id).toBe(row.system_id);
    expect(machineJson(store, again.row).interface_set).toContainEqual(expect.objectContaining({ mac_address: '52:54:00:aa:bb:01' }));
    expect(listMachines(store)).toHaveLength(1);
  });

  it('finds a machine without MACs again by its BMC address and node id; another node of the same BMC is another machine', () => {
    const ipmi = (nodeId: string) => ({ hostname: 'blade', powerType: 'ipmi', powerParameters: { power_address: '10.0.0.9', node_id: nodeId }, powerAddress: '10.0.0.9', nodeId });
    const first = registerMachine(store, ipmi('Node1'), admin);
    expect(registerMachine(store, ipmi('Node1'), admin)).toMatchObject({ created: false, row: { system_id: first.row.system_id } });
    expect(registerMachine(store, ipmi('Node2'), admin)).toMatchObject({ created: true, row: { hostname: 'blade-2' } });
    expect(listMachines(store)).toHaveLength(2);
  });

  it('writes nothing when an unchanged machine is registered again', () => {
    registerMachine(store, registration('r750-db01'), admin);
    const before = JSON.stringify(store.all('SELECT * FROM machines'));
    registerMachine(store, registration('r750-db01'), admin);
    expect(JSON.stringify(store.all('SELECT * FROM machines'))).toBe(before);
  });

  it('registers a locked controller machine again without a refusal, and still refuses to change it', () => {
    const { row } = registerMachine(store, registration('r750-db01'), admin);
    registerController(store, 'region-1', admin, row.system_id);
    expect(registerMachine(store, registration('r750-db01'), admin)).toMatchObject({ created: false, row: { system_id: row.system_id, locked: 1 } });
    const moved = { ...registration('r750-db01'), powerParameters: { ...bmc, power_address: '10.0.0.6' } };
    expect(refusal(() => registerMachine(store, moved, admin)).status).toBe(403);
  });

  it('updates the BMC credentials of a machine registered again', () => {
    const { row } = registerMachine(store, registration('r750-db01'), admin);
    registerMachine(store, { ...registration('r750-db01'), powerParameters: { ...bmc, power_pass: 'rotated' } }, admin);
    expect(JSON.parse(findMachine(store, row.system_id)!.power_parameters)).toMatchObject({ power_pass: 'rotated', power_user: 'root' });
  });
});

describe('rule 9: enlisting needs an administrator', () => {
  it('refuses registration by a non-administrator with 403 and creates nothing', () => {
    const operator = createUser(store, 'operator');
    const error = refusal(() => registerMachine(store, { hostname: 'x', macAddresses: macsOf(dell), architecture: 'amd64', powerType: 'redfish' }, operator));
    expect(error.status).toBe(403);
    expect(listMachines(store)).toEqual([]);
  });
});

describe('reading the commissioning document', () => {
  const disksOf = (row: MachineRow) => (machineJson(store, findMachine(store, row.system_id)!) as any).physicalblockdevice_set as any[];
  const idsByName = (row: MachineRow) => Object.fromEntries(disksOf(row).map((disk) => [disk.name, disk.id]));
  // sde and sdf without serials: MAAS can only know them by id_path, which is then /dev/<name>.
  const withoutSerials = () => {
    const document = structuredClone(dell) as any;
    for (const disk of document.resources.storage.disks.slice(4)) disk.serial = '';
    return document;
  };

  it('gives a disk without a serial the id_path /dev/<name>, even when it has a device id', () => {
    const row = enlist();
    pushHardware(store, row.id, withoutSerials());
    expect(disksOf(row).find((disk) => disk.name === 'sde')).toMatchObject({ id_path: '/dev/sde', serial: '' });
  });

  it('keeps the record of a disk without a serial by its id_path, whatever order the disks come in', () => {
    const row = enlist();
    pushHardware(store, row.id, withoutSerials());
    const before = idsByName(row);
    const reordered = withoutSerials();
    const disks = reordered.resources.storage.disks;
    [disks[4], disks[5]] = [disks[5], disks[4]];
    disks[4].firmware_version = 'NEWFW';
    pushHardware(store, row.id, reordered);
    expect(idsByName(row)).toEqual(before);
    expect(disksOf(row).find((disk) => disk.name === 'sdf').firmware_version).toBe('NEWFW');
  });

  it('treats a disk without a serial under a new id_path as a new disk and removes the old one', () => {
    const row = enlist();
    pushHardware(store, row.id, withoutSerials());
    const before = idsByName(row);
    const renamed = withoutSerials();
    renamed.resources.storage.disks[5].id = 'sdg';
    pushHardware(store, row.id, renamed);
    const after = idsByName(row);
    expect(Object.keys(after).sort()).toEqual(['sda', 'sdb', 'sdc', 'sdd', 'sde', 'sdg']);
    expect(Object.values(before)).not.toContain(after.sdg);
  });

  it('keeps the record of a disk with a serial when its name changes', () => {
    const row = enlist();
    pushHardware(store, row.id, dell);
    const before = idsByName(row);
    const renamed = structuredClone(dell) as any;
    renamed.resources.storage.disks[0].id = 'sdz';
    pushHardware(store, row.id, renamed);
    expect(idsByName(row).sdz).toBe(before.sda);
  });

  it('stores every PCI device with its ids, names and NUMA node, typed GPU or network as MAAS types them', () => {
    const row = enlist();
    const document = structuredClone(dell) as any;
    document.resources.pci.devices.find((device: any) => device.pci_address === 'ffff:05:00.0').numa_node = 1;
    pushHardware(store, row.id, document);
    const devices = store.all<any>("SELECT * FROM node_devices WHERE machine_id = ? AND bus = 'pcie'", row.id);
    expect(devices).toHaveLength(document.resources.pci.devices.length);
    expect(devices.find((device) => device.address === 'ffff:05:00.0')).toMatchObject({ hardware_type: 'gpu', vendor_id: '10de', product_id: '25b6', product_name: 'NVIDIA A2', vendor_name: 'NVIDIA Corporation', numa_node: 1 });
    // The Broadcom NIC's card carries this address, so the device is the network card's.
    expect(devices.find((device) => device.address === 'ffff:01:00.0')).toMatchObject({ hardware_type: 'network', vendor_id: '14e4', product_id: '16d8' });
    expect(devices.filter((device) => device.hardware_type === 'node').length).toBeGreaterThan(0);
  });

  it('stores USB devices, and replaces the device list on the next push', () => {
    const row = enlist();
    const document = structuredClone(dell) as any;
    document.resources.usb = { devices: [{ bus_address: 1, device_address: 3, vendor_id: '0781', product_id: '5581', vendor: 'SanDisk Corp.', product: 'Ultra', speed: 480, interfaces: [] }], total: 1 };
    pushHardware(store, row.id, document);
    const usb = () => store.all<any>("SELECT * FROM node_devices WHERE machine_id = ? AND bus = 'usb'", row.id);
    expect(usb()).toEqual([expect.objectContaining({ hardware_type: 'node', address: '1:3', vendor_id: '0781', product_id: '5581', vendor_name: 'SanDisk Corp.', product_name: 'Ultra' })]);
    pushHardware(store, row.id, dell);
    expect(usb()).toEqual([]);
    expect(store.all("SELECT 1 FROM node_devices WHERE machine_id = ? AND bus = 'pcie'", row.id)).toHaveLength((dell as any).resources.pci.devices.length);
  });

  it('stores one NUMA node per node reported, with its memory in MiB and its CPU threads', () => {
    const row = enlist();
    const document = structuredClone(dell) as any;
    document.resources.memory.nodes[1].total = 128 * 1024 ** 3;
    pushHardware(store, row.id, document);
    const nodes = (machineJson(store, findMachine(store, row.system_id)!) as any).numanode_set as { index: number; memory: number; cores: number[] }[];
    expect(nodes.map(({ index, memory }) => ({ index, memory }))).toEqual([{ index: 0, memory: 262144 }, { index: 1, memory: 131072 }]);
    const threads = (node: number) => document.resources.cpu.sockets.flatMap((socket: any) => socket.cores.flatMap((core: any) => core.threads.filter((t: any) => t.numa_node === node).map((t: any) => t.id)));
    expect(nodes[0]!.cores.sort((a, b) => a - b)).toEqual(threads(0).sort((a: number, b: number) => a - b));
    expect(nodes[1]!.cores.sort((a, b) => a - b)).toEqual(threads(1).sort((a: number, b: number) => a - b));
    expect(nodes[1]!.cores).toHaveLength(56);
  });

  it("takes the architecture from the kernel's, as MAAS does, even over the one given at enlistment", () => {
    const row = enlist();
    const arm = structuredClone(dell) as any;
    arm.environment.kernel_architecture = 'aarch64';
    pushHardware(store, row.id, arm);
    expect(machineJson(store, findMachine(store, row.system_id)!).architecture).toBe('arm64/generic');
    const unknown = createMachine(store, { hostname: 'win-01', deployed: true }, admin);
    pushHardware(store, unknown.id, dell);
    expect(findMachine(store, unknown.system_id)!.architecture).toBe('amd64/generic');
  });
});
