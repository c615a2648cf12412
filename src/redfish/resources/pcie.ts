// PCIeDevice (v1.0+) and PCIeFunction (v1.0+).
import type { ODataId, ResourceBase } from './common.ts';

/** A PCIe device (card or onboard controller). */
export interface PCIeDevice extends ResourceBase {
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly SerialNumber?: string;
  readonly PartNumber?: string;
  readonly FirmwareVersion?: string;
  readonly DeviceType?: string;
  readonly PCIeFunctions?: ODataId;
  readonly Links?: { readonly PCIeFunctions?: readonly ODataId[] };
}

/** One PCIe function: vendor/device ids and class code as hex strings ("0x8086"). */
export interface PCIeFunction extends ResourceBase {
  readonly FunctionId?: number;
  readonly FunctionType?: string;
  readonly DeviceClass?: string;
  readonly ClassCode?: string;
  readonly VendorId?: string;
  readonly DeviceId?: string;
  readonly SubsystemVendorId?: string;
  readonly SubsystemId?: string;
  readonly RevisionId?: string;
  readonly Links?: { readonly PCIeDevice?: ODataId };
}
