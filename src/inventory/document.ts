// A commissioning document read the way MAAS's process_lxd_results reads it (canonical/maas
// metadataserver/builtin_scripts/hooks.py and provisioningserver/utils/lxd.py), as plain data the
// embedded registry stores, and a diff of two such readings for the machine's hardware history.
import type { HardwareChange } from './diff.ts';
import { diskSize } from './units.ts';
import { at, isResource } from '../redfish/navigate.ts';

/** A block device as MAAS keeps it. */
export interface ParsedDisk {
  readonly name: string;
  readonly idPath: string;
  readonly size: number;
  readonly blockSize: number;
  readonly model: string;
  readonly serial: string;
  readonly firmwareVersion: string;
  readonly tags: readonly string[];
  readonly numaNode: number;
}

/** A physical interface as MAAS keeps it. */
export interface ParsedInterface {
  readonly name: string;
  readonly mac: string;
  readonly vendor: string;
  readonly product: string;
  readonly firmwareVersion: string;
  readonly linkConnected: boolean;
  readonly linkSpeed: number;
  readonly interfaceSpeed: number;
  readonly numaNode: number;
  /** Addresses as "address/prefix". */
  readonly ips: readonly string[];
}

/** A PCI or USB device. */
export interface ParsedDevice {
  readonly bus: 'pcie' | 'usb';
  readonly hardwareType: 'gpu' | 'network' | 'storage' | 'node';
  readonly address: string;
  readonly vendorId: string;
  readonly productId: string;
  readonly vendorName: string;
  readonly productName: string;
  readonly numaNode: number;
}

/** Everything MAAS takes from a commissioning document. */
export interface ParsedHardware {
  /** e.g. "amd64/generic". */
  readonly architecture: string;
  readonly osName?: string;
  readonly osVersion?: string;
  readonly cpuCount: number;
  readonly cpuSpeed: number;
  /** MiB. */
  readonly memory: number;
  readonly numaNodes: readonly { readonly index: number; readonly memory: number; readonly cores: readonly number[] }[];
  readonly disks: readonly ParsedDisk[];
  readonly interfaces: readonly ParsedInterface[];
  readonly devices: readonly ParsedDevice[];
  readonly hardwareUuid?: string;
  /** The hardware_info keys that have a value (MAAS deletes the others). */
  readonly hardwareInfo: Readonly<Record<string, string>>;
  /** `type` other than "physical" tags the machine virtual. */
  readonly virtual: boolean;
}

/** The 18 hardware_info keys MAAS shows, in its order. */
export const HARDWARE_INFO_KEYS: readonly string[] = [
  'system_vendor',
  'system_product',
  'system_family',
  'system_version',
  'system_sku',
  'system_serial',
  'cpu_model',
  'mainboard_vendor',
  'mainboard_product',
  'mainboard_serial',
  'mainboard_version',
  'mainboard_firmware_vendor',
  'mainboard_firmware_date',
  'mainboard_firmware_version',
  'chassis_vendor',
  'chassis_type',
  'chassis_serial',
  'chassis_version',
];

// provisioningserver.utils.kernel_to_debian_architecture
const DEBIAN_ARCHITECTURE: Readonly<Record<string, string>> = {
  i686: 'i386/generic',
  x86_64: 'amd64/generic',
  aarch64: 'arm64/generic',
  ppc64le: 'ppc64el/generic',
  s390x: 's390x/generic',
  mips: 'mips/generic',
  mips64: 'mips64el/generic',
};

/** MAAS skips new disks this small (MIN_BLOCK_DEVICE_SIZE, 4 MiB). */
export const MIN_BLOCK_DEVICE_SIZE = 4 * 1024 * 1024;
const OPENBMC_MAC = '02:00:00:00:00:02';
const UUID = /^[\da-f]{8}-?([\da-f]{4}-?){3}[\da-f]{12}$/i;

/** Reads a document that passed validateCommissioningData, as MAAS does. */
export function parseCommissioningData(document: unknown): ParsedHardware {
  const environment = obj(at(document, ['environment']));
  const resources = obj(at(document, ['resources']));
  const cpu = obj(resources.cpu);
  const sockets = arr(cpu.sockets);
  const numa = new Map<number, { memory: number; cores: number[] }>();
  const node = (index: number) => {
    let entry = numa.get(index);
    if (!entry) numa.set(index, (entry = { memory: 0, cores: [] }));
    return entry;
  };
  for (const socket of sockets) {
    for (const core of arr(at(socket, ['cores']))) {
      for (const thread of arr(at(core, ['threads']))) node(Number(at(thread, ['numa_node']))).cores.push(Number(at(thread, ['id'])));
    }
  }
  const memory = obj(resources.memory);
  const memoryNodes = arr(memory.nodes);
  for (const memoryNode of memoryNodes.length > 0 ? memoryNodes : [{ numa_node: 0, total: memory.total }]) {
    node(Number(at(memoryNode, ['numa_node']))).memory = Math.floor(Number(at(memoryNode, ['total']) ?? 0) / 1024 ** 2);
  }
  const system = obj(resources.system);
  const uuid = typeof system.uuid === 'string' && UUID.test(system.uuid) ? system.uuid : undefined;
  const osName = typeof environment.os_name === 'string' && environment.os_name ? environment.os_name.toLowerCase() : undefined;
  const osVersion = typeof environment.os_version === 'string' && environment.os_version ? environment.os_version.toLowerCase() : undefined;
  return {
    architecture: DEBIAN_ARCHITECTURE[String(environment.kernel_architecture)] ?? 'amd64/generic',
    ...(osName ? { osName } : {}),
    ...(osVersion ? { osVersion } : {}),
    cpuCount: Number(cpu.total ?? 0),
    cpuSpeed: cpuSpeed(sockets),
    memory: Math.floor(Number(memory.total ?? 0) / 1024 ** 2),
    numaNodes: [...numa.entries()].sort(([a], [b]) => a - b).map(([index, entry]) => ({ index, ...entry })),
    disks: disks(obj(resources.storage)),
    interfaces: interfaces(obj(resources.network), document),
    devices: devices(resources),
    ...(uuid ? { hardwareUuid: uuid } : {}),
    hardwareInfo: hardwareInfo(system, cpuModel(sockets)),
    virtual: typeof system.type === 'string' && system.type !== '' && system.type !== 'physical',
  };
}

// cpu_model: the socket name up to " @" when all sockets agree.
function cpuModel(sockets: readonly unknown[]): string | undefined {
  const names = sockets.map((socket) => at(socket, ['name'])).filter((name): name is string => typeof name === 'string');
  if (names.length === 0 || !names.every((name) => name === names[0])) return undefined;
  return names[0]!.split(' @')[0] || undefined;
}

// cpu_speed: "@ X.XXGHz" in a shared name, else the highest turbo frequency, else the mean current one.
function cpuSpeed(sockets: readonly unknown[]): number {
  const names = sockets.map((socket) => at(socket, ['name']));
  if (names.length > 0 && names.every((name) => name === names[0]) && typeof names[0] === 'string') {
    const match = /\s@\s(\d+\.\d+)GHz$/m.exec(names[0]);
    if (match) return Math.trunc(Number(match[1]) * 1000);
  }
  const turbo = Math.max(0, ...sockets.map((socket) => Number(at(socket, ['frequency_turbo']) ?? 0)));
  if (turbo > 0) return turbo;
  const mean = sockets.reduce((sum: number, socket) => sum + Number(at(socket, ['frequency']) ?? 0), 0) / Math.max(1, sockets.length);
  return Math.round(mean / 100) * 100;
}

function disks(storage: Record<string, unknown>): ParsedDisk[] {
  const out: ParsedDisk[] = [];
  for (const disk of arr(storage.disks)) {
    if (at(disk, ['read_only']) === true || at(disk, ['type']) === 'cdrom') continue;
    const name = String(at(disk, ['id']));
    const serial = str(at(disk, ['serial']));
    const deviceId = str(at(disk, ['device_id']));
    const idPath = deviceId && serial ? `/dev/disk/by-id/${deviceId}` : `/dev/${name}`;
    const rpm = Number(at(disk, ['rpm']) ?? 0);
    const tags = rpm > 0 ? ['rotary', `${rpm}rpm`] : ['ssd'];
    if (at(disk, ['removable']) === true) tags.push('removable');
    if (at(disk, ['type']) === 'sata') tags.push('sata');
    out.push({
      name,
      idPath,
      size: Number(at(disk, ['size']) ?? 0),
      blockSize: Number(at(disk, ['block_size']) || 512),
      model: str(at(disk, ['model'])),
      serial,
      firmwareVersion: str(at(disk, ['firmware_version'])),
      tags,
      numaNode: Number(at(disk, ['numa_node']) ?? 0),
    });
  }
  return out;
}

function interfaces(network: Record<string, unknown>, document: unknown): ParsedInterface[] {
  const networks = obj(at(document, ['networks']));
  const out: ParsedInterface[] = [];
  for (const card of arr(network.cards)) {
    for (const port of arr(at(card, ['ports']))) {
      const mac = at(port, ['address']);
      if (typeof mac !== 'string' || mac === OPENBMC_MAC) continue;
      const name = String(at(port, ['id']));
      const modes = at(port, ['supported_modes']);
      const speeds = Array.isArray(modes) ? modes.map((mode) => Number.parseInt(String(mode).split('base')[0] ?? '', 10)).filter(Number.isFinite) : [];
      const state = obj(networks[name]);
      const ips = arr(state.addresses)
        .filter((address) => at(address, ['scope']) !== 'link')
        .map((address) => `${String(at(address, ['address']))}/${String(at(address, ['netmask']))}`);
      out.push({
        name,
        mac,
        vendor: str(at(card, ['vendor'])),
        product: str(at(card, ['product'])),
        firmwareVersion: str(at(card, ['firmware_version'])),
        linkConnected: at(port, ['link_detected']) === true,
        linkSpeed: Number(at(port, ['link_speed']) ?? 0),
        interfaceSpeed: speeds.length > 0 ? Math.max(...speeds) : 0,
        numaNode: Number(at(card, ['numa_node']) ?? 0),
        ips,
      });
    }
  }
  return out;
}

// MAAS types a device by what shares its bus address: a network card, then a disk, then a GPU.
function devices(resources: Record<string, unknown>): ParsedDevice[] {
  const addresses = (items: unknown[]) => new Set(items.map((item) => at(item, ['pci_address'])).filter((address): address is string => typeof address === 'string'));
  const network = addresses(arr(at(resources, ['network', 'cards'])));
  const storage = addresses(arr(at(resources, ['storage', 'disks'])).map((disk) => ({ pci_address: at(disk, ['pci_address']) ?? PCI_DEVICE_PATH.exec(str(at(disk, ['device_path'])))?.[1] })));
  const gpus = addresses(arr(at(resources, ['gpu', 'cards'])));
  const typeOf = (address: string) => (network.has(address) ? 'network' : storage.has(address) ? 'storage' : gpus.has(address) ? 'gpu' : 'node');
  const out: ParsedDevice[] = [];
  for (const device of arr(at(resources, ['pci', 'devices']))) {
    const address = str(at(device, ['pci_address']));
    out.push({
      bus: 'pcie',
      hardwareType: typeOf(address),
      address,
      vendorId: str(at(device, ['vendor_id'])),
      productId: str(at(device, ['product_id'])),
      vendorName: str(at(device, ['vendor'])),
      productName: str(at(device, ['product'])),
      numaNode: Number(at(device, ['numa_node']) ?? 0),
    });
  }
  for (const device of arr(at(resources, ['usb', 'devices']))) {
    out.push({
      bus: 'usb',
      hardwareType: 'node',
      // LXD sends the USB bus and device numbers as numbers.
      address: `${numberOrText(at(device, ['bus_address']))}:${numberOrText(at(device, ['device_address']))}`,
      vendorId: str(at(device, ['vendor_id'])),
      productId: str(at(device, ['product_id'])),
      vendorName: str(at(device, ['vendor'])),
      productName: str(at(device, ['product'])),
      numaNode: 0,
    });
  }
  return out;
}

// A disk on a PCI controller: `pci-0000:3b:00.0-nvme-1` (MAAS reads the address from it too).
const PCI_DEVICE_PATH = /^pci-([\da-fA-F:.]+)-/;

function numberOrText(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : str(value);
}

// "Some vendors use placeholders when not setting data": empty, "none" and "0123456789" remove a key.
function hardwareInfo(system: Record<string, unknown>, model: string | undefined): Record<string, string> {
  const info: Record<string, string> = {};
  const set = (key: string, value: unknown) => {
    if (typeof value !== 'string' || value === '' || ['0123456789', 'none'].includes(value.toLowerCase())) return;
    info[key] = value;
  };
  for (const key of ['vendor', 'product', 'family', 'version', 'sku', 'serial']) set(`system_${key}`, system[key]);
  if (model) info.cpu_model = model;
  const part = (name: string) => obj(system[name]);
  for (const key of ['vendor', 'product', 'serial', 'version']) set(`mainboard_${key}`, part('motherboard')[key]);
  for (const key of ['vendor', 'date', 'version']) set(`mainboard_firmware_${key}`, part('firmware')[key]);
  for (const key of ['vendor', 'type', 'serial', 'version']) set(`chassis_${key}`, part('chassis')[key]);
  return info;
}

/** What changed between two readings of a machine's commissioning documents. */
export function diffParsedHardware(before: ParsedHardware, after: ParsedHardware): HardwareChange[] {
  const changes: HardwareChange[] = [];
  if (before.cpuCount !== after.cpuCount || before.hardwareInfo.cpu_model !== after.hardwareInfo.cpu_model) {
    changes.push({
      area: 'cpu',
      kind: 'changed',
      subject: 'processors',
      description: `processors changed: ${before.cpuCount} × ${before.hardwareInfo.cpu_model ?? 'CPU'} → ${after.cpuCount} × ${after.hardwareInfo.cpu_model ?? 'CPU'}`,
    });
  }
  if (before.memory !== after.memory) {
    const verb = after.memory < before.memory ? 'removed' : 'added';
    changes.push({ area: 'memory', kind: 'changed', subject: 'memory', description: `memory ${verb}: ${gib(before.memory)} → ${gib(after.memory)}` });
  }
  const key = (disk: ParsedDisk) => disk.serial || disk.idPath;
  const afterKeys = new Set(after.disks.map(key));
  const beforeKeys = new Set(before.disks.map(key));
  const added = after.disks.filter((disk) => !beforeKeys.has(key(disk)));
  for (const disk of before.disks.filter((candidate) => !afterKeys.has(key(candidate)))) {
    const successor = added.find((candidate) => candidate.name === disk.name);
    if (successor) {
      added.splice(added.indexOf(successor), 1);
      changes.push({ area: 'disk', kind: 'replaced', subject: disk.name, description: `disk ${disk.name} replaced: ${describeDisk(disk)} → ${describeDisk(successor)}` });
    } else {
      changes.push({ area: 'disk', kind: 'removed', subject: disk.name, description: `disk ${disk.name} removed: ${describeDisk(disk)}` });
    }
  }
  for (const disk of added) changes.push({ area: 'disk', kind: 'added', subject: disk.name, description: `disk ${disk.name} added: ${describeDisk(disk)}` });
  const old = new Map(before.interfaces.map((iface) => [iface.mac, iface]));
  const fresh = new Map(after.interfaces.map((iface) => [iface.mac, iface]));
  for (const [mac, iface] of old) {
    const now = fresh.get(mac);
    if (!now) changes.push({ area: 'nic', kind: 'removed', subject: mac, description: `NIC ${mac} removed` });
    else if (now.linkConnected !== iface.linkConnected) {
      changes.push({ area: 'nic', kind: 'changed', subject: mac, description: `NIC ${mac} link ${now.linkConnected ? 'up' : 'down'}` });
    }
  }
  for (const mac of fresh.keys()) if (!old.has(mac)) changes.push({ area: 'nic', kind: 'added', subject: mac, description: `NIC ${mac} added` });
  const device = (entry: ParsedDevice) => `${entry.address} ${entry.vendorId}:${entry.productId}${entry.productName ? ` ${entry.productName}` : ''}`;
  const oldDevices = new Set(before.devices.map(device));
  const newDevices = new Set(after.devices.map(device));
  for (const entry of oldDevices) if (!newDevices.has(entry)) changes.push({ area: 'pci', kind: 'removed', subject: entry, description: `device ${entry} removed` });
  for (const entry of newDevices) if (!oldDevices.has(entry)) changes.push({ area: 'pci', kind: 'added', subject: entry, description: `device ${entry} added` });
  for (const infoKey of ['mainboard_firmware_version', 'system_serial', 'chassis_serial']) {
    if (before.hardwareInfo[infoKey] !== after.hardwareInfo[infoKey]) {
      changes.push({
        area: infoKey.includes('firmware') ? 'firmware' : 'identity',
        kind: 'changed',
        subject: infoKey,
        description: `${infoKey} ${before.hardwareInfo[infoKey] ?? '(none)'} → ${after.hardwareInfo[infoKey] ?? '(none)'}`,
      });
    }
  }
  return changes;
}

function describeDisk(disk: ParsedDisk): string {
  return [disk.model, disk.serial ? `serial ${disk.serial}` : undefined, diskSize(disk.size)].filter(Boolean).join(', ');
}

function gib(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

function obj(value: unknown): Record<string, unknown> {
  return isResource(value) ? (value as Record<string, unknown>) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
