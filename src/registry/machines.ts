// Machines in the registry. Every change goes through the lifecycle model: the machine's facts
// are read from its rows into a lifecycle snapshot, the model decides, and the decision (the new
// facts plus effects such as "revoke the token") is written back in the same transaction.
import {
  applyEvent as decideEvent,
  createMachine as decideCreate,
  fromPersisted,
  isDeleted,
  statusOf,
  statusOfRef,
  type Decision,
  type Effect,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleSnapshot,
  type Refusal,
} from '../lifecycle/index.ts';
import { newSystemId } from './secrets.ts';
import { RegistryError, type Store } from './store.ts';
import { recordStatusEvent } from './status-event.ts';
import { issueMachineToken, revokeMachineToken, type User } from './users.ts';
import { fullArchitecture, HOSTNAME, MAC, normaliseMac, powerParametersOf } from './machine-fields.ts';

export { fullArchitecture, MAC, normaliseMac, powerParametersOf, toHostname } from './machine-fields.ts';

/** A machine row as stored. */
export interface MachineRow {
  readonly id: number;
  readonly system_id: string;
  readonly hostname: string;
  readonly description: string;
  readonly architecture: string | null;
  readonly status: number;
  readonly previous_status: string | null;
  readonly owner: string | null;
  readonly locked: number;
  readonly has_passed_commissioning: number;
  readonly power_type: string;
  readonly power_parameters: string;
  readonly hardware_uuid: string | null;
  readonly cpu_count: number;
  readonly cpu_speed: number;
  readonly memory: number;
  readonly hardware_info: string;
  readonly workload_annotations: string;
  readonly controller: string | null;
  readonly fingerprint: string | null;
  readonly last_sync: string | null;
  /** MAAS's `status_message` for the machine (src/registry/status-event.ts); null before any. */
  readonly status_event: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** An interface row. */
export interface InterfaceRow {
  readonly id: number;
  readonly machine_id: number;
  readonly name: string;
  readonly mac_address: string;
  readonly type: string;
  readonly vendor: string;
  readonly product: string;
  readonly firmware_version: string;
  readonly link_connected: number;
  readonly link_speed: number;
  readonly interface_speed: number;
  readonly numa_node: number;
  readonly ips: string;
}

/** What creating a machine takes, as POST /machines/ carries it. */
export interface MachineInput {
  readonly hostname?: string;
  readonly description?: string;
  readonly architecture?: string;
  readonly macAddresses?: readonly string[];
  readonly powerType?: string;
  readonly powerParameters?: Readonly<Record<string, string>>;
  readonly deployed?: boolean;
  readonly commission?: boolean;
  /** Creates the machine for this MAAS controller (rule 7). */
  readonly controller?: string;
}

/** Filters of GET /machines/; each list matches any of its values. */
export interface MachineFilter {
  readonly hostname?: readonly string[];
  readonly mac_address?: readonly string[];
  readonly id?: readonly string[];
  readonly status?: readonly string[];
}

/** A machine by system id (or undefined). */
export function findMachine(store: Store, systemId: string): MachineRow | undefined {
  return store.get<MachineRow>('SELECT * FROM machines WHERE system_id = ?', systemId);
}

/** A machine by system id, or a 404 naming it. */
export function machineOr404(store: Store, systemId: string): MachineRow {
  const row = findMachine(store, systemId);
  if (!row) throw new RegistryError(404, 'No Machine matches the given query.');
  return row;
}

/** A machine by row id. */
export function machineById(store: Store, id: number): MachineRow | undefined {
  return store.get<MachineRow>('SELECT * FROM machines WHERE id = ?', id);
}

/** Interfaces of a machine, physical first. */
export function interfacesOf(store: Store, machineId: number): InterfaceRow[] {
  return store.all<InterfaceRow>("SELECT * FROM interfaces WHERE machine_id = ? ORDER BY type != 'physical', name", machineId);
}

/** Machines matching every given filter (values are bound as parameters, never spliced into SQL). */
export function listMachines(store: Store, filter: MachineFilter = {}): MachineRow[] {
  const clauses: string[] = [];
  const params: string[] = [];
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  anyOf('hostname', filter.hostname?.map((name) => name.toLowerCase()));
  anyOf('system_id', filter.id);
  if (filter.mac_address?.length) {
    clauses.push(`id IN (SELECT machine_id FROM interfaces WHERE mac_address IN (${filter.mac_address.map(() => '?').join(', ')}))`);
    params.push(...filter.mac_address.map(normaliseMac));
  }
  if (filter.status?.length) {
    const numbers = filter.status.map((status) => {
      try {
        const key = status.toLowerCase().replace(/[_\s-]+(.)/g, (_, c: string) => c.toUpperCase());
        return String(statusOfRef(/^\d+$/.test(status) ? Number(status) : (key as never)).number);
      } catch {
        throw new RegistryError(400, `unknown status ${JSON.stringify(status)}`, { field: 'status' });
      }
    });
    anyOf('CAST(status AS TEXT)', numbers);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  return store.all<MachineRow>(`SELECT * FROM machines ${where} ORDER BY hostname`, ...params);
}

/** The lifecycle snapshot of a machine, built from its rows. */
export function snapshotOf(store: Store, row: MachineRow): LifecycleSnapshot {
  const interfaces = interfacesOf(store, row.id);
  const context: LifecycleContext = {
    architecture: row.architecture,
    locked: row.locked === 1,
    owner: row.owner,
    powerType: row.power_type,
    macAddresses: interfaces.filter((iface) => iface.type === 'physical').map((iface) => iface.mac_address),
    interfaces: interfaces.map((iface) => ({ name: iface.name, mac: iface.mac_address, type: iface.type })),
    hasPassedCommissioning: row.has_passed_commissioning === 1,
    workloadAnnotations: JSON.parse(row.workload_annotations) as Record<string, string>,
    hasToken: store.get('SELECT 1 AS yes FROM tokens WHERE machine_id = ?', row.id) !== undefined,
    controller: row.controller,
    previousStatus: (row.previous_status as LifecycleContext['previousStatus']) ?? null,
  };
  return fromPersisted({ value: row.status, context });
}

/** Creates a machine through the lifecycle rules; `actor` is the authenticated user. */
export function createMachine(store: Store, input: MachineInput, actor: User): MachineRow {
  if (input.deployed && !actor.isAdmin) throw new RegistryError(403, 'Only administrators can create deployed machines.');
  const given = input.macAddresses ?? [];
  const invalid = given.find((mac) => !MAC.test(mac));
  const macs = invalid === undefined ? given.map(normaliseMac) : [];
  if (new Set(macs).size !== macs.length) throw new RegistryError(400, 'Duplicate MAC addresses given.', { field: 'mac_addresses' });
  const architecture = input.architecture ? fullArchitecture(input.architecture) : undefined;
  return store.transaction(() => {
    // As MAAS's form: refused MACs count as none, so the rules that need a MAC are reported too.
    const macProblem = invalid !== undefined ? `'${invalid}' is not a valid MAC address.` : macInUse(store, macs);
    const decision = decideCreate({
      ...(architecture ? { architecture } : {}),
      macAddresses: macProblem ? [] : macs,
      powerType: input.powerType || 'unknown',
      deployed: input.deployed === true,
      commission: input.commission === true,
      owner: actor.username,
      controller: input.controller ?? null,
    });
    if (macProblem) throw withMacProblem(decision, macProblem);
    const snapshot = decided(decision);
    const hostname = input.hostname ? checkHostname(store, input.hostname) : undefined;
    const systemId = uniqueSystemId(store);
    const now = store.timestamp();
    const { lastInsertRowid } = store.run(
      `INSERT INTO machines (system_id, hostname, description, architecture, status, power_type, power_parameters, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      systemId,
      hostname ?? `machine-${systemId}`,
      input.description ?? '',
      architecture ?? null,
      statusOf(snapshot).number,
      input.powerType || 'unknown',
      JSON.stringify(input.powerParameters ?? {}),
      now,
      now,
    );
    macs.forEach((mac, index) => insertInterface(store, lastInsertRowid, `eth${index}`, mac));
    const row = machineById(store, lastInsertRowid)!;
    return commit(store, row, decision)!;
  });
}

/** Applies a lifecycle event to a machine and writes the outcome; refusals become RegistryErrors. */
export function applyMachineEvent(store: Store, systemId: string, event: LifecycleEvent): MachineRow | undefined {
  return store.transaction(() => {
    const row = machineOr404(store, systemId);
    const after = commit(store, row, decideEvent(snapshotOf(store, row), event));
    recordStatusEvent(store, event.type, row, after);
    return after && machineById(store, after.id);
  });
}

/** Writes a decision: the machine's new facts, then each effect. Undefined when the machine was deleted. */
export function commit(store: Store, row: MachineRow, decision: Decision): MachineRow | undefined {
  const snapshot = decided(decision);
  if (!decision.ok) throw new Error('unreachable');
  if (isDeleted(snapshot)) {
    store.run('DELETE FROM machines WHERE id = ?', row.id);
    return undefined;
  }
  const context = snapshot.context;
  store.run(
    `UPDATE machines SET status = ?, previous_status = ?, owner = ?, locked = ?, has_passed_commissioning = ?,
       power_type = ?, workload_annotations = ?, controller = ?, architecture = ?, updated_at = ? WHERE id = ?`,
    statusOf(snapshot).number,
    context.previousStatus,
    context.owner,
    context.locked ? 1 : 0,
    context.hasPassedCommissioning ? 1 : 0,
    context.powerType,
    JSON.stringify(context.workloadAnnotations),
    context.controller,
    context.architecture,
    store.timestamp(),
    row.id,
  );
  for (const effect of decision.effects) {
    if (runEffect(store, row, effect) === 'deleted') return undefined;
  }
  return machineById(store, row.id);
}

// Effects whose result is not already in the machine's facts.
function runEffect(store: Store, row: MachineRow, effect: Effect): 'deleted' | void {
  switch (effect.type) {
    case 'removeVirtualInterfaces':
      store.run("DELETE FROM interfaces WHERE machine_id = ? AND type != 'physical'", row.id);
      return;
    case 'issueToken':
      issueMachineToken(store, row.id);
      return;
    case 'revokeToken':
      revokeMachineToken(store, row.id);
      return;
    case 'addMacAddresses': {
      const existing = interfacesOf(store, row.id);
      for (const mac of effect.params.macAddresses) {
        const normalised = normaliseMac(mac);
        if (existing.some((iface) => iface.mac_address === normalised)) continue;
        assertMacsFree(store, [normalised]);
        insertInterface(store, row.id, `eth${existing.length}`, normalised);
      }
      return;
    }
    case 'deleteMachine':
      store.run('DELETE FROM machines WHERE id = ?', row.id);
      return 'deleted';
    default:
      // persistHardware is run by the push itself; owner, lock, annotations and power type are in
      // the facts written above.
      return;
  }
}

/** Updates editable fields (PUT /machines/{id}/); power changes go through the lifecycle rules. */
export function updateMachine(store: Store, systemId: string, fields: Readonly<Record<string, string | readonly string[]>>): MachineRow {
  return store.transaction(() => {
    let row = machineOr404(store, systemId);
    row = commit(store, row, decideEvent(snapshotOf(store, row), { type: 'update' }))!;
    const value = (name: string) => {
      const found = fields[name];
      return Array.isArray(found) ? found[0] : (found as string | undefined);
    };
    const powerType = value('power_type');
    const macs = fields.mac_addresses === undefined ? [] : ([] as string[]).concat(fields.mac_addresses as string | string[]);
    for (const mac of macs) if (!MAC.test(mac)) throw new RegistryError(400, `'${mac}' is not a valid MAC address.`, { field: 'mac_addresses' });
    if (powerType !== undefined && powerType !== row.power_type) {
      row = commit(store, row, decideEvent(snapshotOf(store, row), { type: 'setPowerDriver', powerType, macAddresses: macs.map(normaliseMac) }))!;
    } else if (macs.length > 0) {
      for (const mac of macs.map(normaliseMac)) {
        if (interfacesOf(store, row.id).some((iface) => iface.mac_address === mac)) continue;
        assertMacsFree(store, [mac]);
        insertInterface(store, row.id, `eth${interfacesOf(store, row.id).length}`, mac);
      }
    }
    const hostname = value('hostname');
    if (hostname !== undefined && hostname !== row.hostname) store.run('UPDATE machines SET hostname = ? WHERE id = ?', checkHostname(store, hostname), row.id);
    const description = value('description');
    if (description !== undefined) store.run('UPDATE machines SET description = ? WHERE id = ?', description, row.id);
    const architecture = value('architecture');
    if (architecture !== undefined) store.run('UPDATE machines SET architecture = ? WHERE id = ?', fullArchitecture(architecture), row.id);
    const power = powerParametersOf(fields);
    if (Object.keys(power).length > 0) {
      const merged = { ...(JSON.parse(row.power_parameters) as Record<string, string>), ...power };
      store.run('UPDATE machines SET power_parameters = ? WHERE id = ?', JSON.stringify(merged), row.id);
    }
    store.run('UPDATE machines SET updated_at = ? WHERE id = ?', store.timestamp(), row.id);
    return machineById(store, row.id)!;
  });
}

/** Refuses MACs that machines already have, naming the first taken one in the order given; one query for all. */
export function assertMacsFree(store: Store, macs: readonly string[]): void {
  const problem = macInUse(store, macs);
  if (problem) throw new RegistryError(400, problem, { field: 'mac_addresses' });
}

// MAAS's message for the first of these MACs another machine has; undefined when all are free.
function macInUse(store: Store, macs: readonly string[]): string | undefined {
  if (macs.length === 0) return undefined;
  const taken = store.all<{ mac_address: string; hostname: string }>(
    `SELECT i.mac_address, m.hostname FROM interfaces i JOIN machines m ON m.id = i.machine_id WHERE i.type = 'physical' AND i.mac_address IN (${macs.map(() => '?').join(', ')})`,
    ...macs,
  );
  for (const mac of macs) {
    const owner = taken.find((row) => row.mac_address === mac);
    if (owner) return `MAC address ${mac} already in use on ${owner.hostname}.`;
  }
  return undefined;
}

// A refused MAC with whatever else the create's rules refuse, fields in the order of MAAS's form.
function withMacProblem(decision: Decision, problem: string): RegistryError {
  const others = decision.ok ? {} : (decision.fields ?? (decision.field ? { [decision.field]: [decision.reason] } : {}));
  const fields: Record<string, readonly string[]> = { ...others, mac_addresses: [problem] };
  const order = ['architecture', 'mac_addresses', 'power_type'];
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)));
  return new RegistryError(400, problem, { field: 'mac_addresses', fields: sorted });
}

/** Inserts a physical interface. */
export function insertInterface(store: Store, machineId: number, name: string, mac: string): void {
  store.run('INSERT INTO interfaces (machine_id, name, mac_address, type) VALUES (?, ?, ?, ?)', machineId, name, mac, 'physical');
}

function checkHostname(store: Store, hostname: string): string {
  const name = hostname.toLowerCase();
  if (!HOSTNAME.test(name)) {
    throw new RegistryError(400, `Hostname "${hostname.slice(0, 80)}" is not valid: use letters, digits and hyphens, up to 63 characters.`, { field: 'hostname' });
  }
  if (store.get('SELECT 1 AS taken FROM machines WHERE hostname = ?', name)) {
    throw new RegistryError(400, `Node with this Hostname already exists.`, { field: 'hostname' });
  }
  return name;
}

function uniqueSystemId(store: Store): string {
  for (;;) {
    const candidate = newSystemId();
    if (!findMachine(store, candidate)) return candidate;
  }
}

function decided(decision: Decision): LifecycleSnapshot {
  if (!decision.ok) throw refusalError(decision);
  return decision.snapshot;
}

/** A lifecycle refusal as the API answers it. */
export function refusalError(refusal: Refusal): RegistryError {
  return new RegistryError(refusal.status, refusal.reason, {
    ...(refusal.field ? { field: refusal.field } : {}),
    ...(refusal.fields ? { fields: refusal.fields } : {}),
    ...(refusal.answer !== undefined ? { answer: refusal.answer } : {}),
  });
}

/** The status of a row as MAAS names it. */
export function statusName(status: number): string {
  return statusOfRef(status).name;
}
