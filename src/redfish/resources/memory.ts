// Memory (DMTF Memory v1.0+; seen v1.2 to v1.17 in fixtures).
import type { OpenEnum, ResourceBase } from './common.ts';

/** One DIMM slot, populated or not (`Status.State` "Absent"). */
export interface Memory extends ResourceBase {
  readonly CapacityMiB?: number;
  readonly MemoryDeviceType?: OpenEnum<'DDR3' | 'DDR4' | 'DDR5' | 'LPDDR4' | 'LPDDR5' | 'HBM' | 'HBM2' | 'HBM3'>;
  readonly MemoryType?: OpenEnum<'DRAM' | 'NVDIMM_N' | 'NVDIMM_F' | 'NVDIMM_P' | 'IntelOptane'>;
  readonly BaseModuleType?: string;
  readonly OperatingSpeedMhz?: number;
  readonly AllowedSpeedsMHz?: readonly number[];
  readonly Manufacturer?: string;
  readonly PartNumber?: string;
  readonly SerialNumber?: string;
  readonly DeviceLocator?: string;
  readonly MemoryLocation?: {
    readonly Socket?: number;
    readonly MemoryController?: number;
    readonly Channel?: number;
    readonly Slot?: number;
  };
}
