import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { registerController, unregisterController } from '../../src/registry/controllers.ts';
import { pushHardware } from '../../src/registry/hardware.ts';
import { machineJson } from '../../src/registry/machine-json.ts';
import { applyMachineEvent, createMachine, findMachine, listMachines, updateMachine, type MachineRow } from '../../src/registry/machines.ts';
import { RegistryError, type Store } from '../../src/registry/store.ts';
import { createUser, machineToken, type User } from '../../src/registry/users.ts';
import { fixtureDocument, macsOf, temporaryStore } from './fixtures.ts';

let store: Store;
let admin: User;
let dispose: () => void;
let dell: CommissioningData;

beforeEach(async () => {
  ({ store, admin, dispose } = temporaryStore());
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
    expect(refusal(() => updateMachine(store, row.system_id, { power_type: 'redfish' })).field).toBe('mac_addresses');
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

  it('refuses to release a locked machine with 409', () => {
    const row = enlist();
    applyMachineEvent(store, row.system_id, { type: 'lock' });
    expect(refusal(() => applyMachineEvent(store, row.system_id, { type: 'release' })).status).toBe(409);
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
