// The embedded registry as a sweep target: the same registry functions the HTTP API uses, called
// in-process (no HTTP, no OAuth), with the registry's first administrator as the acting user.
import type { HardwareChange } from '../inventory/diff.ts';
import type { CommissioningResults } from '../inventory/results.ts';
import { statusOfRef } from '../lifecycle/index.ts';
import { findMachine, interfacesOf, updateMachine, type MachineRow } from '../registry/machines.ts';
import { matchMachine, registerMachine } from '../registry/register.ts';
import { pushHardware } from '../registry/hardware.ts';
import { RegistryError, type Store } from '../registry/store.ts';
import { createUser, type User } from '../registry/users.ts';
import { TargetError, type MachineKeys, type MachineRecord, type NewMachine, type PowerParameters, type Target } from './target.ts';

/** The embedded registry target. */
export class EmbeddedTarget implements Target {
  readonly kind = 'embedded';
  readonly #store: Store;
  #admin: User | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  async prepare(): Promise<void> {
    this.#admin = this.#administrator();
  }

  async findMachine(keys: MachineKeys): Promise<MachineRecord | undefined> {
    const remembered = keys.knownSystemId ? findMachine(this.#store, keys.knownSystemId) : undefined;
    const row =
      remembered ??
      matchMachine(this.#store, {
        ...(keys.uuid ? { uuid: keys.uuid } : {}),
        macAddresses: keys.macs,
        powerAddress: keys.bmcAddress,
        nodeId: keys.nodeId,
      });
    return row && this.#record(row);
  }

  async createDeployed(machine: NewMachine): Promise<MachineRecord> {
    try {
      const { row } = registerMachine(
        this.#store,
        {
          hostname: machine.hostname,
          architecture: machine.architecture,
          macAddresses: machine.macs,
          powerType: 'redfish',
          powerParameters: { power_address: machine.power.address, power_user: machine.power.user, power_pass: machine.power.password, node_id: machine.power.nodeId },
          ...(machine.description ? { description: machine.description } : {}),
          powerAddress: machine.power.address,
          nodeId: machine.power.nodeId,
        },
        this.#admin ?? this.#administrator(),
      );
      return this.#record(row);
    } catch (error) {
      throw asTargetError(error);
    }
  }

  /** Stores the commissioning document, which the registry parses, and the lshw output its `op=details` serves. */
  async pushHardware(machine: MachineRecord, results: CommissioningResults, changes?: readonly HardwareChange[]): Promise<void> {
    const row = findMachine(this.#store, machine.systemId);
    if (!row) throw new TargetError(`machine ${machine.systemId} no longer exists in the registry`, { status: 404 });
    try {
      pushHardware(this.#store, row.id, results.document, { outputs: results.outputs, ...(changes && changes.length > 0 ? { changes } : {}) });
    } catch (error) {
      throw asTargetError(error);
    }
  }

  async updatePower(machine: MachineRecord, power: PowerParameters): Promise<void> {
    try {
      updateMachine(this.#store, machine.systemId, {
        power_parameters_power_address: power.address,
        power_parameters_power_user: power.user,
        power_parameters_power_pass: power.password,
        power_parameters_node_id: power.nodeId,
      });
    } catch (error) {
      throw asTargetError(error);
    }
  }

  async close(): Promise<void> {}

  // The collector acts as the registry's administrator; a new registry gets one on first use.
  #administrator(): User {
    const row = this.#store.get<{ id: number; username: string }>('SELECT id, username FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1');
    return row ? { id: row.id, username: row.username, isAdmin: true } : createUser(this.#store, 'admin', { admin: true });
  }

  // Rows come straight from the registry's functions, which return them as written.
  #record(fresh: MachineRow): MachineRecord {
    const power = JSON.parse(fresh.power_parameters) as Record<string, string>;
    return {
      systemId: fresh.system_id,
      hostname: fresh.hostname,
      status: fresh.status,
      statusName: statusOfRef(fresh.status).name,
      locked: fresh.locked === 1,
      macAddresses: interfacesOf(this.#store, fresh.id).filter((iface) => iface.type === 'physical').map((iface) => iface.mac_address),
      ...(fresh.hardware_uuid ? { hardwareUuid: fresh.hardware_uuid } : {}),
      powerType: fresh.power_type,
      ...(power.power_address ? { powerAddress: power.power_address } : {}),
    };
  }
}

function asTargetError(error: unknown): unknown {
  if (error instanceof RegistryError) return new TargetError(error.message, { status: error.status, ...(error.field ? { field: error.field } : {}), cause: error });
  return error;
}
