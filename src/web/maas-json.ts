// The machine as the pages show it is the machine as the API shows it: `machineJson`, typed here
// for the fields the pages read.
import { machineJson, type MachineRow, type Store } from '../registry/index.ts';

/** One interface of a machine's JSON. */
export interface MaasInterface {
  readonly name: string;
  readonly type: string;
  readonly mac_address: string;
  readonly vendor: string | null;
  readonly product: string | null;
  readonly firmware_version: string | null;
  readonly link_connected: boolean;
  readonly link_speed: number;
  readonly interface_speed: number;
}

/** One physical block device of a machine's JSON. */
export interface MaasBlockDevice {
  readonly name: string;
  readonly id_path: string;
  readonly size: number;
  readonly model: string;
  readonly serial: string;
  readonly firmware_version: string | null;
  readonly tags: readonly string[];
}

/** The fields of MAAS's machine JSON the pages use. */
export interface MaasMachine {
  readonly system_id: string;
  readonly hostname: string;
  readonly status: number;
  readonly status_name: string;
  readonly owner: string | null;
  readonly locked: boolean;
  readonly architecture: string;
  readonly cpu_count: number;
  readonly cpu_speed: number;
  /** MiB. */
  readonly memory: number;
  /** MB. */
  readonly storage: number;
  readonly hardware_uuid: string | null;
  readonly power_type: string;
  readonly interface_set: readonly MaasInterface[];
  readonly physicalblockdevice_set: readonly MaasBlockDevice[];
  readonly hardware_info: Readonly<Record<string, string>>;
  readonly workload_annotations: Readonly<Record<string, string>>;
  readonly last_sync: string | null;
  readonly description: string;
}

/** A machine's MAAS JSON, exactly as GET /MAAS/api/2.0/machines/{id}/ answers it. */
export function maasMachine(store: Store, row: MachineRow): MaasMachine {
  return machineJson(store, row) as unknown as MaasMachine;
}

/** A hardware_info value, or undefined for MAAS's "Unknown" placeholder and blanks. */
export function known(value: string | undefined): string | undefined {
  return value && value !== 'Unknown' ? value : undefined;
}
