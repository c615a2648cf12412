// HardwareInventory: one machine as the collector understands it, vendor-neutral. Everything a
// BMC may not know is optional; sections that could not be read are marked unknown, never empty.

/** Kernel architectures MAAS accepts in `environment.kernel_architecture`. */
export type KernelArchitecture = 'i686' | 'x86_64' | 'aarch64' | 'ppc64le' | 's390x' | 'mips' | 'mips64';

/** The parts of an inventory whose completeness is tracked. */
export type SectionName = 'identity' | 'cpu' | 'memory' | 'storage' | 'network' | 'pci' | 'firmware' | 'chassis' | 'bmc';

/** Every section name. */
export const SECTION_NAMES: readonly SectionName[] = ['identity', 'cpu', 'memory', 'storage', 'network', 'pci', 'firmware', 'chassis', 'bmc'];

/** A read that failed while building a section. */
export interface SectionFailure {
  readonly path: string;
  readonly kind: string;
  readonly message: string;
}

/** Where a section came from and whether it is complete. */
export interface Provenance {
  /** Redfish paths that fed the section. */
  readonly sources: readonly string[];
  /** True when a read this section needs failed: the section may be incomplete. */
  readonly unknown: boolean;
  readonly failures: readonly SectionFailure[];
  /** Set when the section was carried over from an earlier sweep because this one could not read it. */
  readonly carriedFrom?: string;
}

/** A problem met while reading a resource; normalisation reports it and goes on. */
export interface Finding {
  readonly resource: string;
  readonly path: string;
  readonly problem: string;
}

/**
 * A decision that makes the document differ from what the BMC reported, and why: a port left out
 * because its function is disabled, a drive size corrected from another size the BMC gives. The
 * document carries these, so what MAAS lacks is never unexplained.
 */
export interface Note {
  readonly area: SectionName;
  /** What it is about: a MAC, a drive, a system. */
  readonly subject: string;
  /** `flagged`: pushed as the BMC reported it, although other evidence disagrees. */
  readonly action: 'left out' | 'corrected' | 'flagged' | 'merged';
  readonly reason: string;
  /** The Redfish resource the evidence comes from. */
  readonly resource: string;
}

/** Who and what the machine is. */
export interface Identity {
  readonly uuid?: string;
  readonly serial?: string;
  /** Dell's service tag (ComputerSystem.SKU on iDRAC). */
  readonly serviceTag?: string;
  readonly sku?: string;
  readonly assetTag?: string;
  readonly hostName?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly partNumber?: string;
}

/** One CPU socket. */
export interface Cpu {
  readonly socket: string;
  /** 0-based socket index; also the NUMA node unless known otherwise. */
  readonly index: number;
  readonly model?: string;
  readonly vendor?: string;
  /** 0 when the BMC does not say. */
  readonly cores: number;
  /** 0 when the BMC does not say. */
  readonly threads: number;
  /** The highest (turbo) speed: Processor.MaxSpeedMHz. */
  readonly maxSpeedMHz?: number;
  /** The speed it runs at: OperatingSpeedMHz, else the base speed (BaseSpeedMHz). */
  readonly speedMHz?: number;
  readonly architecture?: KernelArchitecture;
}

/** One populated DIMM. */
export interface Dimm {
  readonly slot: string;
  readonly sizeMiB: number;
  readonly type?: string;
  readonly speedMHz?: number;
  readonly manufacturer?: string;
  readonly partNumber?: string;
  readonly serial?: string;
  /** 0-based socket (NUMA node) the DIMM hangs off, when known. */
  readonly socket?: number;
}

/** Memory totals. */
export interface MemoryInventory {
  readonly totalMiB: number;
  /** True when the total is the sum of DIMMs, false when it came from the system's summary. */
  readonly fromDimms: boolean;
  readonly dimms: readonly Dimm[];
}

/** Drive media. */
export type Media = 'ssd' | 'hdd' | 'unknown';

/** One physical drive, named as the kernel would name it. */
export interface Drive {
  /** Kernel-style name, stable from sweep to sweep: sda…, nvme0n1…. */
  readonly name: string;
  readonly sizeBytes: number;
  readonly media: Media;
  /** Lower-case transport: sata, sas, nvme, usb, scsi… */
  readonly protocol?: string;
  readonly rpm: number;
  readonly blockSize?: number;
  readonly model?: string;
  readonly serial?: string;
  readonly firmware?: string;
  readonly manufacturer?: string;
  /** NAA world wide name, `0x…`. */
  readonly wwn?: string;
  /** NVMe EUI-64 / NGUID. */
  readonly eui?: string;
  readonly location?: string;
  readonly removable: boolean;
  /** The Redfish resource it came from. */
  readonly source: string;
}

/** A RAID volume. */
export interface Volume {
  readonly name: string;
  readonly sizeBytes?: number;
  readonly raidType?: string;
}

/** Link state of a port. */
export type LinkState = 'up' | 'down' | 'unknown';

/** An IP address the BMC knows for a host port. */
export interface IpAddress {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly prefix: number;
}

/** One host network port. */
export interface Port {
  /** Interface name, stable, at most 15 characters: `enx` + MAC, as systemd names by MAC. */
  readonly name: string;
  readonly mac: string;
  readonly speedMbps?: number;
  readonly maxSpeedMbps?: number;
  readonly link: LinkState;
  readonly addresses: readonly IpAddress[];
  readonly mtu?: number;
  /** Bus address of the PCI function the port is on, when the BMC says which (as the pci list has it). */
  readonly pciAddress?: string;
}

/** A network adapter and its ports. */
export interface Nic {
  readonly vendor?: string;
  readonly model?: string;
  readonly firmware?: string;
  readonly serial?: string;
  readonly partNumber?: string;
  readonly vendorId?: string;
  readonly deviceId?: string;
  /**
   * Bus address of the adapter's PCI function when its device has only one (every port is then on
   * it), as the pci list has it (ffff:… when made up). A port's own `pciAddress` comes first.
   */
  readonly pciAddress?: string;
  readonly ports: readonly Port[];
}

/** One PCIe function. */
export interface PciFunction {
  /** Bus address; made up in PCI domain ffff when the BMC reports none (MAAS requires one). */
  readonly address: string;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly subsystemVendorId?: string;
  readonly subsystemId?: string;
  readonly classCode?: string;
  readonly vendor?: string;
  readonly product?: string;
  /** The firmware of the device the function belongs to. */
  readonly firmware?: string;
  readonly source: string;
}

/** A GPU or other accelerator. */
export interface Gpu {
  readonly vendor?: string;
  readonly product?: string;
  readonly vendorId?: string;
  readonly deviceId?: string;
  readonly serial?: string;
  readonly source: string;
}

/** One firmware component. */
export interface FirmwareComponent {
  readonly name: string;
  readonly version: string;
  readonly updateable?: boolean;
}

/** Firmware versions. */
export interface FirmwareInventory {
  readonly bios?: { readonly vendor?: string; readonly version?: string; readonly date?: string };
  readonly components: readonly FirmwareComponent[];
}

/** The chassis the system sits in. */
export interface ChassisInfo {
  readonly type?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serial?: string;
  readonly partNumber?: string;
  readonly assetTag?: string;
  readonly sku?: string;
}

/** The system board. */
export interface Motherboard {
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
  readonly version?: string;
}

/** The BMC itself. */
export interface BmcInfo {
  readonly firmware?: string;
  readonly model?: string;
  readonly macs: readonly string[];
  readonly addresses: readonly string[];
}

/** One machine's hardware, read out-of-band. */
export interface HardwareInventory {
  /** The ComputerSystem's Redfish path; with the BMC address it identifies the machine. */
  readonly system: string;
  /** The ComputerSystem's Id (MAAS's redfish `node_id`). */
  readonly systemId: string;
  readonly vendor: string;
  readonly identity: Identity;
  readonly powerState?: string;
  readonly architecture?: KernelArchitecture;
  readonly os?: { readonly name?: string; readonly version?: string };
  readonly cpus: readonly Cpu[];
  readonly memory: MemoryInventory;
  readonly drives: readonly Drive[];
  readonly volumes: readonly Volume[];
  readonly nics: readonly Nic[];
  readonly pci: readonly PciFunction[];
  readonly gpus: readonly Gpu[];
  readonly firmware: FirmwareInventory;
  readonly chassis: ChassisInfo;
  readonly motherboard: Motherboard;
  readonly bmc: BmcInfo;
  readonly sections: Readonly<Record<SectionName, Provenance>>;
  readonly findings: readonly Finding[];
  /** What the document leaves out or corrects, and why; absent when nothing is. */
  readonly notes?: readonly Note[];
}
