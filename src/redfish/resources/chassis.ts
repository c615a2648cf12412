// Chassis (DMTF Chassis v1.0+).
import type { ODataId, ResourceBase } from './common.ts';

/** A chassis (enclosure, rack mount, blade, board…). */
export interface Chassis extends ResourceBase {
  readonly ChassisType?: string;
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly SKU?: string;
  readonly SerialNumber?: string;
  readonly PartNumber?: string;
  readonly AssetTag?: string;
  readonly Version?: string;
  readonly NetworkAdapters?: ODataId;
  readonly PCIeDevices?: ODataId;
  readonly Drives?: ODataId;
  readonly Links?: {
    readonly ComputerSystems?: readonly ODataId[];
    readonly ManagedBy?: readonly ODataId[];
    readonly Drives?: readonly ODataId[];
  };
}
