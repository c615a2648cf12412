// Registering a machine (rule 5): the machine its hardware identifies is found and updated, never
// a second record; otherwise a Deployed machine is created under a free name.
import { createMachine, interfacesOf, MAC, normaliseMac, toHostname, updateMachine, type MachineInput, type MachineRow } from './machines.ts';
import { RegistryError, type Store } from './store.ts';
import type { User } from './users.ts';

/** What identifies a machine's hardware, in matching order (rule 5: never a second record). */
export interface MachineKeys {
  readonly uuid?: string;
  readonly macAddresses?: readonly string[];
  readonly powerAddress?: string;
  readonly nodeId?: string;
}

/** The machine these keys identify: by hardware UUID, then any MAC, then BMC address and node id. */
export function matchMachine(store: Store, keys: MachineKeys): MachineRow | undefined {
  if (keys.uuid) {
    const byUuid = store.get<MachineRow>('SELECT * FROM machines WHERE hardware_uuid = ?', keys.uuid.toLowerCase());
    if (byUuid) return byUuid;
  }
  const macs = (keys.macAddresses ?? []).filter((mac) => MAC.test(mac)).map(normaliseMac);
  if (macs.length > 0) {
    const byMac = store.get<MachineRow>(
      `SELECT m.* FROM machines m JOIN interfaces i ON i.machine_id = m.id WHERE i.type = 'physical' AND i.mac_address IN (${macs.map(() => '?').join(', ')}) LIMIT 1`,
      ...macs,
    );
    if (byMac) return byMac;
  }
  if (keys.powerAddress) {
    return store.get<MachineRow>(
      "SELECT * FROM machines WHERE json_extract(power_parameters, '$.power_address') = ? AND COALESCE(json_extract(power_parameters, '$.node_id'), '') = ?",
      keys.powerAddress,
      keys.nodeId ?? '',
    );
  }
  return undefined;
}

/**
 * Registers a machine (rule 5): the machine these keys identify is updated — power parameters,
 * missing MACs — and never renamed; otherwise a Deployed machine is created. Idempotent.
 */
export function registerMachine(store: Store, input: MachineInput & MachineKeys, actor: User): { row: MachineRow; created: boolean } {
  if (!actor.isAdmin) throw new RegistryError(403, 'Only administrators can enlist machines.');
  return store.transaction(() => {
    const existing = matchMachine(store, { ...input, macAddresses: input.macAddresses ?? [] });
    if (!existing) {
      const hostname = input.hostname ? freeHostname(store, input.hostname) : undefined;
      return { row: createMachine(store, { ...input, ...(hostname ? { hostname } : {}), deployed: true }, actor), created: true };
    }
    const known = new Set(interfacesOf(store, existing.id).map((iface) => iface.mac_address));
    const missing = (input.macAddresses ?? []).map(normaliseMac).filter((mac) => !known.has(mac) && !matchOtherMachine(store, mac, existing.id));
    const fields: Record<string, string | readonly string[]> = { ...(missing.length > 0 ? { mac_addresses: missing } : {}) };
    if (input.powerType && input.powerType !== existing.power_type) fields.power_type = input.powerType;
    // Only what differs is written: an unchanged registration writes nothing, so a sweep that
    // registers a locked (controller) machine again is not refused as an update of it.
    const stored = JSON.parse(existing.power_parameters) as Record<string, string>;
    for (const [name, value] of Object.entries(input.powerParameters ?? {})) if (stored[name] !== value) fields[`power_parameters_${name}`] = value;
    if (!existing.architecture && input.architecture) fields.architecture = input.architecture;
    return { row: Object.keys(fields).length > 0 ? updateMachine(store, existing.system_id, fields) : existing, created: false };
  });
}

function matchOtherMachine(store: Store, mac: string, machineId: number): boolean {
  return store.get("SELECT 1 AS taken FROM interfaces WHERE mac_address = ? AND type = 'physical' AND machine_id != ?", mac, machineId) !== undefined;
}

/** A free host name: the given one if unused, else one with a numeric suffix (for the collector). */
export function freeHostname(store: Store, wanted: string): string {
  const base = toHostname(wanted);
  if (!store.get('SELECT 1 AS taken FROM machines WHERE hostname = ?', base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 58)}-${n}`;
    if (!store.get('SELECT 1 AS taken FROM machines WHERE hostname = ?', candidate)) return candidate;
  }
}

