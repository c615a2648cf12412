// SoftwareInventory (DMTF SoftwareInventory v1.0+), the members of UpdateService/FirmwareInventory.
import type { ResourceBase } from './common.ts';

/** One firmware component: BIOS, BMC, NIC, storage controller… */
export interface SoftwareInventory extends ResourceBase {
  readonly Version?: string;
  readonly Updateable?: boolean;
  readonly Manufacturer?: string;
  /** Dell iDRAC sends "00:00:00Z" here at times: not a date. */
  readonly ReleaseDate?: string;
  readonly SoftwareId?: string;
}
