// Storage, Drive, Volume (DMTF Storage v1.0+, Drive v1.0+, Volume v1.0+) and SimpleStorage v1.0+.
import type { Identifier, Location, ODataId, OpenEnum, ResourceBase } from './common.ts';
import { at } from '../navigate.ts';

/** Drive.MediaType. */
export type MediaType = OpenEnum<'HDD' | 'SSD' | 'SMR'>;

/** Protocol.Protocol, as drives report it. */
export type DriveProtocol = OpenEnum<'SATA' | 'SAS' | 'NVMe' | 'USB' | 'PCIe' | 'FC' | 'iSCSI' | 'OEM'>;

/** A storage subsystem (controller plus its drives and volumes). */
export interface Storage extends ResourceBase {
  readonly Drives?: readonly ODataId[];
  readonly Volumes?: ODataId;
  readonly Controllers?: ODataId;
  readonly StorageControllers?: readonly {
    readonly Name?: string;
    readonly Manufacturer?: string;
    readonly Model?: string;
    readonly FirmwareVersion?: string;
    readonly SupportedDeviceProtocols?: readonly string[];
  }[];
}

/** One physical drive. */
export interface Drive extends ResourceBase {
  readonly CapacityBytes?: number;
  readonly MediaType?: MediaType;
  readonly Protocol?: DriveProtocol;
  readonly RotationSpeedRPM?: number;
  readonly BlockSizeBytes?: number;
  readonly Model?: string;
  readonly SerialNumber?: string;
  readonly Revision?: string;
  readonly Manufacturer?: string;
  readonly Identifiers?: readonly Identifier[];
  readonly PhysicalLocation?: Location;
  readonly Location?: readonly { readonly Info?: string }[];
}

/** A logical volume (RAID virtual disk). */
export interface Volume extends ResourceBase {
  readonly CapacityBytes?: number;
  readonly RAIDType?: string;
  readonly VolumeType?: string;
  readonly Identifiers?: readonly Identifier[];
  readonly Links?: { readonly Drives?: readonly ODataId[] };
}

/** SimpleStorage: the pre-Storage schema older BMCs still send. */
export interface SimpleStorage extends ResourceBase {
  readonly Devices?: readonly {
    readonly Name?: string;
    readonly Manufacturer?: string;
    readonly Model?: string;
    readonly CapacityBytes?: number;
    readonly Status?: { readonly State?: string };
  }[];
}

/**
 * No drive a server boots or stores on is smaller than this (1 GB). A `CapacityBytes` below it is
 * checked against every other size the BMC gives for the drive (the crawl reads the vendor's OEM
 * storage tree for it where there is one) before it is believed.
 */
export const PLAUSIBLE_DRIVE_BYTES = 1e9;

/**
 * True for a drive whose Protocol says nothing of how the host's kernel sees it: absent, or only
 * the PCIe link. Its storage controllers' SupportedDeviceProtocols may say (NVMe).
 */
export function lacksProtocol(drive: unknown): boolean {
  const protocol = at(drive, ['Protocol']);
  return typeof protocol !== 'string' || protocol.trim() === '' || protocol.trim().toLowerCase() === 'pcie';
}
