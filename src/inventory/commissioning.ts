// HardwareInventory → the `50-maas-01-commissioning` document (LXD resources API 1.0 shape) that
// MAAS's process_lxd_results parses. ../shared/docs/commissioning-data.md is the contract; the
// validator in validate.ts encodes MAAS's rules and this builder's output must always pass it.
import type { Cpu, Drive, HardwareInventory, KernelArchitecture, Nic, Note, PciFunction, Port } from './model.ts';

/** The extensions MAAS requires, then the ones MAAS's own program lists. */
export const API_EXTENSIONS: readonly string[] = [
  'resources',
  'resources_v2',
  'api_os',
  'resources_system',
  'resources_usb_pci',
  'resources_cpu_socket',
  'resources_gpu',
  'resources_numa',
  'resources_disk_sata',
  'resources_network_firmware',
  'resources_disk_id',
  'resources_cpu_threads_numa',
  'resources_cpu_core_die',
  'resources_pci_iommu',
  'resources_network_usb',
  'resources_disk_address',
];

/** The architecture assumed when a BMC reports no processor at all. */
export const FALLBACK_ARCHITECTURE: KernelArchitecture = 'x86_64';

/** The document's own key for what it leaves out or corrects (MAAS reads only the keys it knows). */
export const NOTES_KEY = 'redfish-enlist';

/** The commissioning document (only the shape this project produces). */
export interface CommissioningData {
  readonly api_version: '1.0';
  readonly api_extensions: readonly string[];
  readonly environment: Record<string, unknown>;
  readonly resources: Record<string, unknown>;
  readonly networks: Record<string, unknown>;
  /**
   * What the BMC reported that the document leaves out or corrects, and why. MAAS ignores the key
   * and keeps the whole document as the commissioning result, so an operator reading the result
   * sees why an interface or a disk is not there. Absent when there is nothing to say.
   */
  readonly [NOTES_KEY]?: { readonly notes: readonly Note[] };
}

/** Who produced the document; goes to `environment.server*`. */
export interface Producer {
  readonly name: string;
  readonly version: string;
}

const DEFAULT_PRODUCER: Producer = { name: 'redfish-enlist', version: '0' };

/** Builds the commissioning document of one machine. Pure: the same inventory gives the same bytes. */
export function toCommissioningData(inventory: HardwareInventory, producer: Producer = DEFAULT_PRODUCER): CommissioningData {
  const architecture = inventory.architecture ?? FALLBACK_ARCHITECTURE;
  const ports = inventory.nics.flatMap((nic) => nic.ports);
  return {
    api_version: '1.0',
    api_extensions: API_EXTENSIONS,
    environment: {
      kernel: '',
      kernel_architecture: architecture,
      kernel_version: '',
      os_name: inventory.os?.name ?? '',
      os_version: inventory.os?.version ?? '',
      server: producer.name,
      server_name: inventory.identity.hostName ?? '',
      server_version: producer.version,
    },
    resources: {
      cpu: cpuSection(inventory.cpus, architecture),
      memory: memorySection(inventory),
      gpu: gpuSection(inventory),
      network: networkSection(inventory),
      storage: { disks: inventory.drives.map(disk), total: inventory.drives.length },
      usb: { devices: [], total: 0 },
      pci: { devices: inventory.pci.map(pciDevice), total: inventory.pci.length },
      system: systemSection(inventory),
    },
    networks: Object.fromEntries(ports.map((port) => [port.name, networkState(port)])),
    ...withNotes([...(inventory.notes ?? []), ...coresUnknown(inventory)]),
  };
}

function withNotes(notes: readonly Note[]): { [NOTES_KEY]?: { notes: Note[] } } {
  return notes.length > 0 ? { [NOTES_KEY]: { notes: notes.map((note) => ({ ...note })) } } : {};
}

/** The reason a socket's note gives when its cores are unknown and each thread stands as a core. */
export const CORES_UNKNOWN = 'its core count is unknown (the BMC gives only threads): each thread is listed as a core of its own, the shape MAAS needs to count them';

// Sockets whose threads are known but cores not: said, so no reader takes the cores as counted.
function coresUnknown(inventory: HardwareInventory): Note[] {
  return inventory.cpus.filter((cpu) => cpu.threads > 0 && cpu.cores === 0).map((cpu) => ({ area: 'cpu', subject: cpu.socket, action: 'flagged', reason: CORES_UNKNOWN, resource: inventory.system }));
}

function cpuSection(cpus: readonly Cpu[], architecture: KernelArchitecture) {
  let nextThread = 0;
  const sockets = cpus.map((cpu) => {
    // Unknown threads (0) list no core: MAAS then counts none rather than ones made up. Threads
    // whose cores are unknown are listed one per core, the shape MAAS needs to count them.
    const coreCount = cpu.threads === 0 ? 0 : cpu.cores > 0 ? Math.min(cpu.cores, cpu.threads) : cpu.threads;
    const perCore = coreCount === 0 ? 0 : Math.floor(cpu.threads / coreCount);
    // Threads that do not divide evenly over cores go to the first cores, one each.
    const extra = cpu.threads - perCore * coreCount;
    // The speed the socket runs at; a turbo figure is only ever the turbo (MAAS shows the highest
    // turbo as the CPU speed, as it does in-band, where the kernel reports that maximum).
    const frequency = cpu.speedMHz ?? 0;
    const cores = Array.from({ length: coreCount }, (_, core) => ({
      core,
      die: 0,
      frequency,
      threads: Array.from({ length: perCore + (core < extra ? 1 : 0) }, (_, thread) => ({
        id: nextThread++,
        numa_node: cpu.index,
        thread,
        online: true,
        isolated: false,
      })),
    }));
    return {
      name: cpu.model ?? '',
      vendor: cpu.vendor ?? '',
      socket: cpu.index,
      cache: [],
      cores,
      frequency,
      frequency_minimum: 0,
      frequency_turbo: cpu.maxSpeedMHz ?? 0,
    };
  });
  return { architecture, sockets, total: nextThread };
}

const MIB = 1024 * 1024;

function memorySection(inventory: HardwareInventory) {
  const total = inventory.memory.totalMiB * MIB;
  const nodes = new Map<number, number>();
  const sockets = Math.max(1, inventory.cpus.length);
  if (inventory.memory.fromDimms) {
    for (const dimm of inventory.memory.dimms) nodes.set(dimm.socket ?? 0, (nodes.get(dimm.socket ?? 0) ?? 0) + dimm.sizeMiB * MIB);
  } else {
    // Only a total is known: spread it evenly, as a balanced population would be.
    const share = Math.floor(inventory.memory.totalMiB / sockets);
    for (let node = 0; node < sockets; node++) {
      const mib = node === sockets - 1 ? inventory.memory.totalMiB - share * (sockets - 1) : share;
      nodes.set(node, mib * MIB);
    }
  }
  if (nodes.size === 0) nodes.set(0, 0);
  return {
    nodes: [...nodes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([numa_node, bytes]) => ({ numa_node, hugepages_used: 0, hugepages_total: 0, used: 0, total: bytes })),
    hugepages_total: 0,
    hugepages_used: 0,
    hugepages_size: 0,
    used: 0,
    total,
  };
}

function gpuSection(inventory: HardwareInventory) {
  const addresses = new Map(inventory.pci.map((fn) => [fn.source, fn.address]));
  // MAAS ties a GPU to its PCI device by `pci_address`; the key is left out when the BMC did not
  // say which function the GPU is (an empty value would tie every such GPU together).
  const cards = inventory.gpus.map((gpu) => ({
    driver: '',
    driver_version: '',
    numa_node: 0,
    ...(addresses.get(gpu.source) ? { pci_address: addresses.get(gpu.source) } : {}),
    vendor: gpu.vendor ?? '',
    vendor_id: gpu.vendorId ?? '',
    product: gpu.product ?? '',
    product_id: gpu.deviceId ?? '',
  }));
  return { cards, total: cards.length };
}

// LXD lists a card per PCI function, with the ports on it: MAAS ties the function's PCI device to
// the card's interface by `pci_address`. An adapter's ports are grouped by the function each is on;
// those on no known function make a card without an address (MAAS then ties them to no device).
function networkSection(inventory: HardwareInventory) {
  const functions = new Map(inventory.pci.map((fn) => [fn.address, fn]));
  const cards = inventory.nics.flatMap((nic) => {
    const groups = new Map<string | undefined, Port[]>();
    for (const port of nic.ports) {
      const address = port.pciAddress ?? nic.pciAddress;
      groups.set(address, [...(groups.get(address) ?? []), port]);
    }
    return [...groups].map(([address, ports]) => card(nic, ports, address, address === undefined ? undefined : functions.get(address)));
  });
  return { cards, total: cards.length };
}

function card(nic: Nic, ports: readonly Port[], address: string | undefined, fn: PciFunction | undefined) {
  return {
    driver: '',
    driver_version: '',
    ports: ports.map((port, index) => networkPort(port, index)),
    sriov: { current_vfs: 0, maximum_vfs: 0, vfs: [] },
    numa_node: 0,
    vendor: nic.vendor ?? fn?.vendor ?? '',
    vendor_id: fn?.vendorId ?? nic.vendorId ?? '',
    product: nic.model ?? fn?.product ?? '',
    product_id: fn?.deviceId ?? nic.deviceId ?? '',
    firmware_version: nic.firmware ?? fn?.firmware ?? '',
    // MAAS ties a card to its PCI device by this address; left out when no device is known.
    ...(address ? { pci_address: address } : {}),
  };
}

function networkPort(port: Port, index: number) {
  const modes = supportedModes(port);
  return {
    id: port.name,
    address: port.mac,
    port: index,
    protocol: 'ethernet',
    // MAAS takes the interface speed from the largest leading number of these modes and fails on
    // an empty list, so the key is left out when no speed is known.
    ...(modes.length > 0 ? { supported_modes: modes } : {}),
    supported_ports: [],
    port_type: '',
    transceiver_type: '',
    auto_negotiation: true,
    link_detected: port.link === 'up',
    link_speed: port.link === 'up' ? (port.speedMbps ?? 0) : 0,
    link_duplex: port.link === 'up' ? 'full' : '',
  };
}

/**
 * ethtool-style link modes up to the port's top speed. BMCs rarely say the medium, so copper
 * names are used up to 10G and short-reach optics above; MAAS reads only the number.
 */
export function supportedModes(port: Pick<Port, 'speedMbps' | 'maxSpeedMbps'>): string[] {
  const speeds = [...new Set([port.speedMbps, port.maxSpeedMbps].filter((speed): speed is number => speed !== undefined && speed > 0))].sort(
    (a, b) => a - b,
  );
  return speeds.map((speed) => `${speed}${speed <= 10_000 ? 'baseT' : 'baseSR'}/Full`);
}

/** The device number (`major:minor`) the kernel would give the drive, from its name. */
export function deviceNumber(drive: Drive, index: number): string {
  const nvme = drive.protocol === 'nvme';
  const ordinal = nvme ? Number(/^nvme(\d+)/.exec(drive.name)?.[1] ?? index) : sdIndex(drive.name);
  return nvme ? `259:${ordinal}` : `8:${ordinal * 16}`;
}

function disk(drive: Drive, index: number) {
  return {
    id: drive.name,
    device: deviceNumber(drive, index),
    model: drive.model ?? '',
    type: diskType(drive.protocol),
    read_only: false,
    size: drive.sizeBytes,
    removable: drive.removable,
    // NVMe namespaces have no NAA name; the kernel's wwid for them is the EUI.
    wwn: drive.wwn ?? (drive.eui ? `eui.${drive.eui}` : ''),
    numa_node: 0,
    device_path: '',
    block_size: drive.blockSize ?? 512,
    firmware_version: drive.firmware ?? '',
    rpm: drive.rpm,
    serial: drive.serial ?? '',
    device_id: deviceId(drive),
    partitions: [],
  };
}

// LXD's disk types: the kernel sees SAS and FC disks through the SCSI layer.
function diskType(protocol: string | undefined): string {
  switch (protocol) {
    case 'sata':
    case 'nvme':
    case 'usb':
      return protocol;
    default:
      return 'scsi';
  }
}

/**
 * The /dev/disk/by-id name udev would give the disk. MAAS uses it (as id_path) only together with
 * a serial number, so without a serial none is given.
 */
export function deviceId(drive: Drive): string {
  if (!drive.serial) return '';
  const label = (text: string) => text.trim().replace(/\s+/g, '_').replace(/[^A-Za-z0-9_.:-]/g, '');
  if (drive.protocol === 'nvme') return drive.eui ? `nvme-eui.${drive.eui}` : `nvme-${label(drive.model ?? 'NVMe')}_${label(drive.serial)}`;
  if (drive.wwn) return `wwn-${drive.wwn}`;
  if (drive.protocol === 'sata') return `ata-${label(drive.model ?? 'ATA')}_${label(drive.serial)}`;
  if (drive.protocol === 'usb') return `usb-${label(drive.model ?? 'USB')}_${label(drive.serial)}`;
  return `scsi-S${label(drive.model ?? 'SCSI')}_${label(drive.serial)}`;
}

function sdIndex(name: string): number {
  const suffix = name.replace(/^sd/, '');
  let index = 0;
  for (const char of suffix) index = index * 26 + (char.charCodeAt(0) - 96);
  return Math.max(0, index - 1);
}

function pciDevice(fn: HardwareInventory['pci'][number]) {
  return {
    driver: '',
    driver_version: '',
    numa_node: 0,
    pci_address: fn.address,
    vendor: fn.vendor ?? '',
    vendor_id: fn.vendorId,
    product: fn.product ?? '',
    product_id: fn.deviceId,
    iommu_group: 0,
    vpd: { product_name: '', entries: {} },
  };
}

// DMI chassis type names, as in-band tools print them.
const CHASSIS_TYPES: Readonly<Record<string, string>> = {
  RackMount: 'Rack Mount Chassis',
  Blade: 'Blade',
  Enclosure: 'Blade Enclosure',
  StandAlone: 'Tower',
  Tower: 'Tower',
  Sled: 'Multi-system',
  Drawer: 'Multi-system',
  Card: 'Main Server Chassis',
};

/** The DMI name of a Redfish ChassisType ("Rack Mount Chassis"), as in-band tools print it. */
export function chassisTypeName(type: string): string {
  return CHASSIS_TYPES[type] ?? type;
}

function systemSection(inventory: HardwareInventory) {
  const { identity, chassis, motherboard, firmware } = inventory;
  return {
    uuid: identity.uuid ?? '',
    vendor: identity.manufacturer ?? '',
    product: identity.model ?? '',
    family: '',
    version: '',
    sku: identity.sku ?? '',
    serial: identity.serial ?? '',
    type: 'physical',
    firmware: { vendor: firmware.bios?.vendor ?? '', date: firmware.bios?.date ?? '', version: firmware.bios?.version ?? '' },
    chassis: {
      vendor: chassis.manufacturer ?? '',
      type: chassis.type ? chassisTypeName(chassis.type) : '',
      serial: chassis.serial ?? '',
      version: chassis.partNumber ?? '',
    },
    motherboard: {
      vendor: motherboard.manufacturer ?? '',
      product: motherboard.product ?? '',
      serial: motherboard.serial ?? '',
      version: motherboard.version ?? '',
    },
  };
}

function networkState(port: Port) {
  return {
    addresses: port.addresses.map((entry) => ({
      family: entry.family,
      address: entry.address,
      netmask: String(entry.prefix),
      scope: entry.family === 'inet6' && /^fe80:/i.test(entry.address) ? 'link' : 'global',
    })),
    counters: {},
    hwaddr: port.mac,
    mtu: port.mtu ?? 1500,
    state: port.link === 'up' ? 'up' : 'down',
    type: 'broadcast',
    bond: null,
    bridge: null,
    vlan: null,
  };
}
