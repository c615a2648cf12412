// Everything the machine page shows, read through the registry: the API's machine JSON, the BMC
// the machine is reached through and its last sweep, the collector's last inventory of the
// machine's system (DIMMs by slot, drive media), the hardware-change history and the latest raw
// commissioning document. Power parameters are read for the BMC address only; the password never
// leaves this file.
import type { HardwareChange } from '../inventory/diff.ts';
import type { HardwareInventory } from '../inventory/model.ts';
import { bmcState, lastInventory, machineHistory, type BmcState, type MachineRow, type RecordedUnknown, type Store, type User } from '../registry/index.ts';
import { availableActions, type ActionAvailability } from './actions.ts';
import { cpuTopology } from './listing.ts';
import { maasMachine, type MaasMachine } from './maas-json.ts';
import { unknownFor } from './unknown.ts';

/** One entry of a machine's hardware history. */
export interface HistoryEntry {
  readonly at: string;
  readonly changes: readonly HardwareChange[];
}

/** What the machine page shows. */
export interface MachineView {
  readonly row: MachineRow;
  readonly machine: MaasMachine;
  /** The BMC address and Redfish system id from the power parameters (never the password). */
  readonly power: { readonly address?: string; readonly nodeId?: string };
  readonly bmc?: BmcState;
  /** The collector's last inventory of this machine's system, when the machine came from a sweep. */
  readonly inventory?: HardwareInventory;
  readonly inventoryAt?: string;
  /** `cores` undefined: the BMC gave threads only. */
  readonly cpu?: { readonly sockets: number; readonly cores: number | undefined };
  readonly history: readonly HistoryEntry[];
  /** The latest commissioning document pushed: when, and how large. */
  readonly document?: { readonly receivedAt: string; readonly bytes: number };
  readonly actions: readonly ActionAvailability[];
  /** Sections the BMC's last sweep could not read for this machine. */
  readonly unknown: readonly RecordedUnknown[];
}

/** The BMC address and Redfish system id of a machine; user and password are dropped here. */
export function powerOf(row: MachineRow): MachineView['power'] {
  let parameters: Record<string, unknown> = {};
  try {
    parameters = JSON.parse(row.power_parameters) as Record<string, unknown>;
  } catch {
    // A malformed column shows as no BMC rather than failing the page.
  }
  const text = (key: string) => (typeof parameters[key] === 'string' && parameters[key] ? (parameters[key] as string) : undefined);
  const address = text('power_address');
  const nodeId = text('node_id');
  return { ...(address ? { address } : {}), ...(nodeId ? { nodeId } : {}) };
}

// The BMC behind a machine: its power address, else the BMC whose sweep recorded this system id.
function bmcOf(store: Store, row: MachineRow, address: string | undefined): BmcState | undefined {
  const byAddress = address ? bmcState(store, address) : undefined;
  if (byAddress) return byAddress;
  const found = store.get<{ address: string }>('SELECT b.address FROM bmc_state b, json_each(b.systems) j WHERE j.value = ? LIMIT 1', row.system_id);
  return found ? bmcState(store, found.address) : undefined;
}

// The system path on the BMC: from the BMC's systems map, else the inventory whose Redfish Id is the node id.
function inventoryOf(store: Store, row: MachineRow, bmc: BmcState | undefined, nodeId: string | undefined): { inventory: HardwareInventory; at: string } | undefined {
  if (!bmc) return undefined;
  const path =
    Object.entries(bmc.systems).find(([, systemId]) => systemId === row.system_id)?.[0] ??
    (nodeId
      ? store.get<{ system: string }>("SELECT system FROM inventories WHERE address = ? AND json_extract(inventory, '$.systemId') = ?", bmc.address, nodeId)?.system
      : undefined);
  if (!path) return undefined;
  const found = lastInventory<HardwareInventory>(store, bmc.address, path);
  return found && { inventory: found.inventory, at: found.at };
}

/** A machine's hardware history, newest first (the rows GET …/redfish-enlist/machines/{id}/history/ lists). */
export function historyOf(store: Store, machineId: number): HistoryEntry[] {
  return machineHistory(store, machineId).reverse();
}

/** The latest commissioning document of a machine, as pushed, or undefined before the first push. */
export function latestDocument(store: Store, machineId: number): { receivedAt: string; document: string } | undefined {
  const row = store.get<{ received_at: string; document: string }>('SELECT received_at, document FROM commissioning_results WHERE machine_id = ? ORDER BY id DESC LIMIT 1', machineId);
  return row && { receivedAt: row.received_at, document: row.document };
}

/** Gathers the machine page's data for a user (the actions depend on who asks). */
export function machineView(store: Store, row: MachineRow, user: User): MachineView {
  const power = powerOf(row);
  const bmc = bmcOf(store, row, power.address);
  const found = inventoryOf(store, row, bmc, power.nodeId);
  const cpu = cpuTopology(store, row.id);
  const document = store.get<{ received_at: string; bytes: number }>(
    'SELECT received_at, length(CAST(document AS BLOB)) AS bytes FROM commissioning_results WHERE machine_id = ? ORDER BY id DESC LIMIT 1',
    row.id,
  );
  return {
    row,
    machine: maasMachine(store, row),
    power,
    ...(bmc ? { bmc } : {}),
    ...(found ? { inventory: found.inventory, inventoryAt: found.at } : {}),
    ...(cpu ? { cpu } : {}),
    history: historyOf(store, row.id),
    ...(document ? { document: { receivedAt: document.received_at, bytes: document.bytes } } : {}),
    actions: availableActions(store, row, user),
    unknown: unknownFor(bmc?.last?.unknown, row.system_id, bmc?.systems),
  };
}
