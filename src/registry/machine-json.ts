// Machines as MAAS 3.4's API shows them: every field MAAS returns, with MAAS's types, and where the
// registry has no such concept MAAS's own value for "none" (the default zone and pool, empty lists,
// null), so MAAS clients read the registry as they read MAAS. Power parameters (and so BMC
// passwords) are never part of a machine's JSON.
import { HARDWARE_INFO_KEYS } from '../inventory/document.ts';
import { API } from './api-support.ts';
import { statusName, interfacesOf, type InterfaceRow, type MachineRow } from './machines.ts';
import { linksJson, subnetIds, vlanJson } from './network-json.ts';
import { statusEventJson } from './status-event.ts';
import type { Store } from './store.ts';

/** How the registry expects machines to report (MAAS's `hardware_sync_interval`), by default. */
export const DEFAULT_SYNC_INTERVAL_SECONDS = 3600;

/** A block device row as stored. */
export interface BlockDeviceRow {
  readonly id: number;
  readonly name: string;
  readonly id_path: string;
  readonly size: number;
  readonly block_size: number;
  readonly model: string;
  readonly serial: string;
  readonly firmware_version: string;
  readonly tags: string;
  readonly numa_node: number;
}

/** Options of the machine JSON. */
export interface MachineJsonOptions {
  /** MAAS's `sync_interval`, seconds. @default 3600 */
  readonly syncIntervalSeconds?: number;
}

// MAAS's defaults for what the registry does not model.
const DOMAIN = { authoritative: true, ttl: null, is_default: true, id: 0, resource_record_count: 0, name: 'maas', resource_uri: `${API}/domains/0/` };
/** MAAS's default zone. */
export const ZONE = { name: 'default', description: '', id: 1, resource_uri: `${API}/zones/default/` };
/** MAAS's default resource pool. */
export const POOL = { name: 'default', description: 'Default pool', id: 0, resource_uri: `${API}/resourcepool/0/` };
const NO_GATEWAYS = { ipv4: { gateway_ip: null, link_id: null }, ipv6: { gateway_ip: null, link_id: null } };
// MAAS's script statuses: 0 Pending, 2 Passed.
const SCRIPT_STATUS_NAMES: Record<number, string> = { 0: 'Pending', 2: 'Passed' };
const TEST_STATUSES = ['testing', 'cpu_test', 'memory_test', 'network_test', 'storage_test', 'other_test', 'interface_test'] as const;

/** The MAAS JSON of one machine. */
export function machineJson(store: Store, row: MachineRow, options: MachineJsonOptions = {}): Record<string, unknown> {
  const interfaces = interfacesJson(store, row);
  const disks = blockDevicesOf(store, row.id).map((disk) => blockDeviceJson(row, disk));
  const info = JSON.parse(row.hardware_info) as Record<string, string>;
  const annotations = JSON.parse(row.workload_annotations) as Record<string, string>;
  const storageBytes = disks.reduce((sum, disk) => sum + Number(disk.size), 0);
  // The registry keeps one set of commissioning results per machine, from its creation, as MAAS
  // keeps one for a machine created Deployed; its scripts pass when MAAS-style commissioning did.
  const commissioning = row.has_passed_commissioning === 1 ? 2 : 0;
  const syncInterval = options.syncIntervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS;
  // MAAS ends a machine's hardware sync when it releases it (no interval, no last sync); the
  // registry's release revokes the machine's token, so a machine is synced while it has one.
  const synced = store.get('SELECT 1 AS yes FROM tokens WHERE machine_id = ?', row.id) !== undefined;
  const lastSync = synced ? row.last_sync : null;
  const bootInterface = [...interfaces].sort((a, b) => Number(a.id) - Number(b.id))[0] ?? null;
  const bootDisk = [...disks].sort((a, b) => Number(a.id) - Number(b.id))[0] ?? null;
  return {
    system_id: row.system_id,
    hostname: row.hostname,
    description: row.description,
    hardware_uuid: row.hardware_uuid,
    domain: DOMAIN,
    ephemeral_deploy: false,
    fqdn: `${row.hostname}.maas`,
    owner: row.owner,
    owner_data: annotations,
    locked: row.locked === 1,
    cache_sets: [],
    bcaches: [],
    bios_boot_method: null,
    boot_interface: bootInterface,
    architecture: row.architecture ?? '',
    min_hwe_kernel: '',
    hwe_kernel: null,
    cpu_count: row.cpu_count,
    cpu_speed: row.cpu_speed,
    memory: row.memory,
    swap_size: null,
    // MAAS reports storage in MB.
    storage: Math.round((storageBytes / 1e6) * 100) / 100,
    status: row.status,
    osystem: '',
    distro_series: '',
    netboot: true,
    power_type: row.power_type === 'unknown' ? '' : row.power_type,
    power_state: 'unknown',
    tag_names: tagsOf(store, row.id),
    address_ttl: null,
    ip_addresses: interfaces.flatMap((iface) => (iface.links as { ip_address: string }[]).map((link) => link.ip_address)),
    interface_set: interfaces,
    zone: ZONE,
    pool: POOL,
    disable_ipv4: false,
    boot_disk: bootDisk,
    blockdevice_set: disks,
    physicalblockdevice_set: disks,
    virtualblockdevice_set: [],
    volume_groups: [],
    raids: [],
    ...statusEventJson(row),
    status_name: statusName(row.status),
    node_type: 0,
    node_type_name: 'Machine',
    special_filesystems: [],
    parent: null,
    pod: null,
    default_gateways: NO_GATEWAYS,
    current_commissioning_result_id: row.id,
    current_testing_result_id: null,
    current_installation_result_id: null,
    commissioning_status: commissioning,
    commissioning_status_name: SCRIPT_STATUS_NAMES[commissioning],
    ...Object.fromEntries(TEST_STATUSES.flatMap((name) => [[`${name}_status`, -1], [`${name}_status_name`, 'Unknown']])),
    hardware_info: Object.fromEntries(HARDWARE_INFO_KEYS.map((key) => [key, info[key] ?? 'Unknown'])),
    numanode_set: numaNodesJson(store, row.id),
    virtualmachine_id: null,
    workload_annotations: annotations,
    last_sync: lastSync,
    sync_interval: synced ? syncInterval : null,
    next_sync: lastSync ? new Date(Date.parse(lastSync) + syncInterval * 1000).toISOString() : null,
    enable_hw_sync: synced,
    resource_uri: `${API}/machines/${row.system_id}/`,
  };
}

// MAAS gives every machine NUMA node 0, empty until commissioning data says more.
function numaNodesJson(store: Store, machineId: number): Record<string, unknown>[] {
  const nodes = store.all<{ idx: number; memory: number; cores: string }>('SELECT idx, memory, cores FROM numa_nodes WHERE machine_id = ? ORDER BY idx', machineId);
  if (nodes.length === 0) return [{ index: 0, memory: 0, cores: [], hugepages_set: [] }];
  return nodes.map((node) => ({ index: node.idx, memory: node.memory, cores: JSON.parse(node.cores) as number[], hugepages_set: [] }));
}

/** A machine's interfaces as MAAS shows them (its `interface_set`, and `interfaces read`). */
export function interfacesJson(store: Store, row: MachineRow): Record<string, unknown>[] {
  const rows = interfacesOf(store, row.id);
  const addresses = rows.map((iface) => JSON.parse(iface.ips) as string[]);
  const subnets = subnetIds(store, addresses.flat());
  return rows.map((iface, index) => interfaceJson(row.system_id, iface, addresses[index]!, subnets));
}

function interfaceJson(systemId: string, iface: InterfaceRow, addresses: readonly string[], subnets: ReadonlyMap<string, number>): Record<string, unknown> {
  const links = linksJson(API, iface.id, addresses, subnets);
  return {
    system_id: systemId,
    id: iface.id,
    name: iface.name,
    type: iface.type,
    // MAAS puts an interface on a VLAN when it learns an address of it, and on none otherwise.
    vlan: links.length > 0 ? vlanJson(API) : null,
    mac_address: iface.mac_address,
    parents: [],
    children: [],
    tags: [],
    enabled: true,
    links,
    params: {},
    discovered: null,
    effective_mtu: 1500,
    vendor: iface.vendor || null,
    product: iface.product || null,
    firmware_version: iface.firmware_version || null,
    link_connected: iface.link_connected === 1,
    interface_speed: iface.interface_speed,
    link_speed: iface.link_speed,
    numa_node: iface.numa_node,
    sriov_max_vf: 0,
    resource_uri: `${API}/nodes/${systemId}/interfaces/${iface.id}/`,
  };
}

/** A machine's disks, by name. */
export function blockDevicesOf(store: Store, machineId: number): BlockDeviceRow[] {
  return store.all<BlockDeviceRow>('SELECT * FROM block_devices WHERE machine_id = ? ORDER BY name', machineId);
}

// MAAS keeps 5 MiB for a partition table (6 MiB with amd64's BIOS grub partition, 13 with
// ppc64el's PReP partition) and offers the rest in 4 MiB steps.
const MiB = 1024 * 1024;
function availableSize(size: number, architecture: string | null): number {
  const arch = (architecture ?? '').split('/')[0];
  const overhead = 5 * MiB + (arch === 'ppc64el' ? 8 * MiB : arch === 'amd64' ? MiB : 0);
  return Math.max(0, Math.floor((size - overhead) / (4 * MiB)) * 4 * MiB);
}

/**
 * One disk as MAAS shows it. `firmware_version` is a field of MAAS's physical devices: the machine's
 * sets and a single device have it, the `block-devices read` listing (plain block devices) does not.
 */
export function blockDeviceJson(row: MachineRow, disk: BlockDeviceRow, options: { firmwareVersion?: boolean } = {}): Record<string, unknown> {
  return {
    ...(options.firmwareVersion === false ? {} : { firmware_version: disk.firmware_version || null }),
    system_id: row.system_id,
    id: disk.id,
    name: disk.name,
    uuid: null,
    type: 'physical',
    path: `/dev/disk/by-dname/${disk.name}`,
    model: disk.model,
    serial: disk.serial,
    id_path: disk.id_path,
    size: disk.size,
    block_size: disk.block_size,
    available_size: availableSize(disk.size, row.architecture),
    used_size: 0,
    used_for: 'Unused',
    tags: JSON.parse(disk.tags) as string[],
    filesystem: null,
    partition_table_type: null,
    partitions: [],
    storage_pool: null,
    numa_node: disk.numa_node,
    resource_uri: `${API}/nodes/${row.system_id}/blockdevices/${disk.id}/`,
  };
}

/** A machine's tags, by name. */
export function tagsOf(store: Store, machineId: number): string[] {
  return store.all<{ tag: string }>('SELECT tag FROM machine_tags WHERE machine_id = ? ORDER BY tag', machineId).map((row) => row.tag);
}
