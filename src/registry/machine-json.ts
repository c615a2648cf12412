// Machines as MAAS's API shows them, field names and all, so MAAS clients read the registry as
// they read MAAS. Power parameters (and so BMC passwords) are never part of a machine's JSON.
import { HARDWARE_INFO_KEYS } from '../inventory/document.ts';
import { statusName, interfacesOf, type MachineRow } from './machines.ts';
import type { Store } from './store.ts';

/** The MAAS JSON of one machine. */
export function machineJson(store: Store, row: MachineRow, base = '/MAAS/api/2.0'): Record<string, unknown> {
  const interfaces = interfacesOf(store, row.id);
  const disks = store.all<Record<string, unknown>>('SELECT * FROM block_devices WHERE machine_id = ? ORDER BY name', row.id);
  const info = JSON.parse(row.hardware_info) as Record<string, string>;
  const storageBytes = disks.reduce((sum, disk) => sum + Number(disk.size), 0);
  return {
    system_id: row.system_id,
    hostname: row.hostname,
    fqdn: `${row.hostname}.maas`,
    domain: { name: 'maas', id: 0 },
    description: row.description,
    status: row.status,
    status_name: statusName(row.status),
    owner: row.owner,
    locked: row.locked === 1,
    architecture: row.architecture ?? '',
    cpu_count: row.cpu_count,
    cpu_speed: row.cpu_speed,
    memory: row.memory,
    // MAAS reports storage in MB.
    storage: Math.round(storageBytes / 1e6 * 100) / 100,
    hardware_uuid: row.hardware_uuid,
    power_type: row.power_type === 'unknown' ? '' : row.power_type,
    power_state: 'unknown',
    interface_set: interfaces.map((iface) => ({
      id: iface.id,
      name: iface.name,
      type: iface.type,
      mac_address: iface.mac_address,
      vendor: iface.vendor || null,
      product: iface.product || null,
      firmware_version: iface.firmware_version || null,
      link_connected: iface.link_connected === 1,
      link_speed: iface.link_speed,
      interface_speed: iface.interface_speed,
      numa_node: iface.numa_node,
      enabled: true,
      links: (JSON.parse(iface.ips) as string[]).map((ip) => ({ mode: 'auto', ip_address: ip.split('/')[0] })),
    })),
    boot_interface: interfaces[0] ? { name: interfaces[0].name, mac_address: interfaces[0].mac_address } : null,
    physicalblockdevice_set: disks.map((disk) => ({
      id: disk.id,
      name: disk.name,
      id_path: disk.id_path,
      size: disk.size,
      block_size: disk.block_size,
      model: disk.model,
      serial: disk.serial,
      firmware_version: disk.firmware_version || null,
      tags: JSON.parse(String(disk.tags)) as string[],
      numa_node: disk.numa_node,
      type: 'physical',
    })),
    blockdevice_set: [],
    numanode_set: store
      .all<{ idx: number; memory: number; cores: string }>('SELECT idx, memory, cores FROM numa_nodes WHERE machine_id = ? ORDER BY idx', row.id)
      .map((node) => ({ index: node.idx, memory: node.memory, cores: JSON.parse(node.cores) as number[] })),
    hardware_info: Object.fromEntries(HARDWARE_INFO_KEYS.map((key) => [key, info[key] ?? 'Unknown'])),
    workload_annotations: JSON.parse(row.workload_annotations) as Record<string, string>,
    enable_hw_sync: true,
    last_sync: row.last_sync,
    sync_interval: null,
    next_sync: null,
    tag_names: [],
    created: row.created_at,
    updated: row.updated_at,
    resource_uri: `${base}/machines/${row.system_id}/`,
  };
}
