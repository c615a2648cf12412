// HPE iLO's OEM storage tree (HpeSmartStorage v2, HpSmartStorage on iLO 4): the only place some
// iLO firmware lists a blade's drives, when the standard Storage collection is empty. A system
// links it at Oem.Hpe.Links.SmartStorage (Oem.Hp on iLO 4); the SmartStorage resource links its
// ArrayControllers collection, and each controller its PhysicalDrives (the DiskDrives collection).
import type { ODataId, ResourceBase } from '../resources/common.ts';

/** Where a ComputerSystem links its SmartStorage resource: iLO 5 and later (`Hpe`), iLO 4 (`Hp`). */
export const SMART_STORAGE: readonly (readonly string[])[] = [
  ['Oem', 'Hpe', 'Links', 'SmartStorage'],
  ['Oem', 'Hp', 'Links', 'SmartStorage'],
];

/** SmartStorage → its array controllers. */
export const ARRAY_CONTROLLERS: readonly string[] = ['Links', 'ArrayControllers'];

/** An array controller → its physical drives. */
export const PHYSICAL_DRIVES: readonly string[] = ['Links', 'PhysicalDrives'];

/** One drive behind a Smart Array controller (HpeSmartStorageDiskDrive). */
export interface SmartStorageDiskDrive extends ResourceBase {
  readonly CapacityMiB?: number;
  readonly CapacityGB?: number;
  readonly CapacityLogicalBlocks?: number;
  readonly BlockSizeBytes?: number;
  readonly InterfaceType?: string;
  readonly MediaType?: string;
  readonly RotationalSpeedRpm?: number;
  readonly Model?: string;
  readonly SerialNumber?: string;
  readonly FirmwareVersion?: { readonly Current?: { readonly VersionString?: string } };
  readonly Location?: string;
  readonly WWID?: string;
  readonly Links?: Readonly<Record<string, ODataId>>;
}
