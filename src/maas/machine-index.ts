// One sweep's view of MAAS: every machine, reachable by system id, hardware UUID, MAC, or BMC
// address plus Redfish node id. Built from two admin calls instead of one lookup per BMC.
import { bmcHostPort } from '../redfish/links.ts';
import type { MachineRecord } from '../sweep/target.ts';
import { normaliseMac, type MaasPowerParameters } from './machines.ts';

/** Machines by every key a sweep matches hardware with. */
export class MachineIndex {
  readonly #bySystemId = new Map<string, MachineRecord>();
  readonly #byUuid = new Map<string, MachineRecord>();
  readonly #byMac = new Map<string, MachineRecord>();
  readonly #byBmc = new Map<string, MachineRecord>();

  /** Indexes machine records, adding each one's BMC address from its power parameters. */
  static build(records: readonly MachineRecord[], power: ReadonlyMap<string, MaasPowerParameters> = new Map()): MachineIndex {
    const index = new MachineIndex();
    for (const record of records) {
      const parameters = power.get(record.systemId);
      const address = text(parameters?.power_address);
      index.add(address === undefined ? record : { ...record, powerAddress: address }, text(parameters?.node_id));
    }
    return index;
  }

  /** Machines indexed. */
  get size(): number {
    return this.#bySystemId.size;
  }

  /** Adds or replaces a machine; `nodeId` is its Redfish node id when known. */
  add(record: MachineRecord, nodeId?: string): void {
    this.#bySystemId.set(record.systemId, record);
    if (record.hardwareUuid) this.#byUuid.set(record.hardwareUuid.toLowerCase(), record);
    for (const mac of record.macAddresses) this.#byMac.set(normaliseMac(mac), record);
    if (record.powerAddress) this.#byBmc.set(bmcKey(record.powerAddress, nodeId ?? ''), record);
  }

  /** The machine with this system id. */
  bySystemId(systemId: string): MachineRecord | undefined {
    return this.#bySystemId.get(systemId);
  }

  /** The machine with this hardware UUID (case-insensitive). */
  byUuid(uuid: string): MachineRecord | undefined {
    return this.#byUuid.get(uuid.toLowerCase());
  }

  /** The machine that has this MAC on one of its interfaces. */
  byMac(mac: string): MachineRecord | undefined {
    return this.#byMac.get(normaliseMac(mac));
  }

  /**
   * The machine powered through this BMC and Redfish node id. A machine whose power parameters
   * have no node id also matches: MAAS's Redfish driver then uses the BMC's only system.
   */
  byBmc(address: string, nodeId: string): MachineRecord | undefined {
    return this.#byBmc.get(bmcKey(address, nodeId)) ?? (nodeId === '' ? undefined : this.#byBmc.get(bmcKey(address, '')));
  }
}

/** A BMC address in one form, as MAAS stores it and as a configuration may spell it: `host[:port]`. */
export function normaliseBmcAddress(address: string): string {
  return bmcHostPort(address);
}

function bmcKey(address: string, nodeId: string): string {
  return `${normaliseBmcAddress(address)}\u0000${nodeId.trim()}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
