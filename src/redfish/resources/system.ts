// ComputerSystem (DMTF ComputerSystem v1.0+; seen v1.1 (iDRAC8) to v1.22 in fixtures) and Bios.
import type { ODataId, OpenEnum, ResourceBase } from './common.ts';

/** One ComputerSystem: the host whose hardware is enlisted. */
export interface ComputerSystem extends ResourceBase {
  readonly SystemType?: OpenEnum<'Physical' | 'Virtual' | 'OS' | 'PhysicallyPartitioned' | 'VirtuallyPartitioned' | 'Composed' | 'DPU'>;
  readonly UUID?: string;
  readonly SerialNumber?: string;
  /** Dell keeps the service tag here (`SerialNumber` is the board's). */
  readonly SKU?: string;
  readonly AssetTag?: string;
  readonly HostName?: string;
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly SubModel?: string;
  readonly PartNumber?: string;
  readonly BiosVersion?: string;
  readonly PowerState?: OpenEnum<'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Paused'>;
  readonly ProcessorSummary?: { readonly Count?: number; readonly LogicalProcessorCount?: number; readonly Model?: string };
  readonly MemorySummary?: { readonly TotalSystemMemoryGiB?: number };
  readonly Processors?: ODataId;
  readonly Memory?: ODataId;
  readonly Storage?: ODataId;
  readonly SimpleStorage?: ODataId;
  readonly EthernetInterfaces?: ODataId;
  readonly Bios?: ODataId;
  /** An array of links before v1.13 on many BMCs, a collection link after. */
  readonly PCIeDevices?: readonly ODataId[] | ODataId;
  readonly Links?: {
    readonly Chassis?: readonly ODataId[];
    readonly ManagedBy?: readonly ODataId[];
  };
}

/** Bios (DMTF Bios v1.0+). */
export interface Bios extends ResourceBase {
  readonly AttributeRegistry?: string;
  readonly Attributes?: Readonly<Record<string, unknown>>;
}
