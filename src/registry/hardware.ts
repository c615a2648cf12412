// Applying a commissioning document to a machine as MAAS's hooks do: CPU, memory and NUMA, disks
// matched by serial then id_path (unmatched ones removed), interfaces replaced by the reported set
// (a MAC on another machine moves here), PCI/USB devices, hardware_info keys. Validation comes
// first: a document with any violation changes nothing.
import type { HardwareChange } from '../inventory/diff.ts';
import { diffParsedHardware, MIN_BLOCK_DEVICE_SIZE, parseCommissioningData, type ParsedDisk, type ParsedHardware } from '../inventory/document.ts';
import { describeViolations, validateCommissioningData } from '../inventory/validate.ts';
import { createHash } from 'node:crypto';
import { acceptsHardwareUpdate, applyEvent, isAllowedTransition, statusOfRef } from '../lifecycle/index.ts';
import { commit, machineById, snapshotOf, type MachineRow } from './machines.ts';
import { keepDetails } from './details.ts';
import { recordSubnets } from './network-json.ts';
import { recordStatusEvent } from './status-event.ts';
import { RegistryError, type Store } from './store.ts';

/** What a push did. */
export interface PushOutcome {
  /** False when the document was the same as the last one: nothing was written. */
  readonly changed: boolean;
  readonly changes: readonly HardwareChange[];
  readonly fingerprint: string;
}

/** How many raw documents are kept per machine. */
const KEPT_RESULTS = 10;

/**
 * The fingerprint of a document: SHA-256 of its JSON. Keys are not re-sorted (a document is a few
 * thousand objects): the same sender sends the same document in the same order.
 */
export function documentFingerprint(document: unknown): string {
  return fingerprintOfJson(JSON.stringify(document));
}

function fingerprintOfJson(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

/** Checks a document and reads it, or refuses it listing every violation. */
export function readDocument(document: unknown): ParsedHardware {
  const violations = validateCommissioningData(document);
  if (violations.length > 0) {
    throw new RegistryError(400, `commissioning data refused: ${violations.length} problem(s): ${describeViolations(violations)}`, {
      field: '50-maas-01-commissioning.out',
      details: violations.map((violation) => `${violation.path}: ${violation.problem}`),
    });
  }
  return parseCommissioningData(document);
}

/**
 * Applies a checked document to a machine inside the caller's transaction. `changes`, when the caller knows
 * them better (the collector diffs whole inventories, DIMM by DIMM), replace the document diff.
 */
function applyDocument(store: Store, row: MachineRow, json: string, fingerprint: string, parsed: ParsedHardware, changes?: readonly HardwareChange[]): PushOutcome {
  if (row.fingerprint === fingerprint) return { changed: false, changes: [], fingerprint };
  const previous = store.get<{ document: string }>('SELECT document FROM commissioning_results WHERE machine_id = ? ORDER BY id DESC LIMIT 1', row.id);
  const history = changes ?? (previous ? diffParsedHardware(parseCommissioningData(JSON.parse(previous.document)), parsed) : []);
  const now = store.timestamp();
  store.run(
    `UPDATE machines SET cpu_count = ?, cpu_speed = ?, memory = ?, architecture = COALESCE(?, architecture), hardware_info = ?,
       fingerprint = ?, last_sync = ?, updated_at = ? WHERE id = ?`,
    parsed.cpuCount,
    parsed.cpuSpeed,
    parsed.memory,
    parsed.architecture,
    JSON.stringify(parsed.hardwareInfo),
    fingerprint,
    now,
    now,
    row.id,
  );
  applyUuid(store, row.id, parsed.hardwareUuid);
  applyNuma(store, row.id, parsed);
  applyDisks(store, row.id, parsed.disks);
  applyInterfaces(store, row.id, parsed);
  store.run('DELETE FROM node_devices WHERE machine_id = ?', row.id);
  for (const device of parsed.devices) {
    store.run(
      `INSERT INTO node_devices (machine_id, bus, hardware_type, address, vendor_id, product_id, vendor_name, product_name, numa_node)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      device.bus,
      device.hardwareType,
      device.address,
      device.vendorId,
      device.productId,
      device.vendorName,
      device.productName,
      device.numaNode,
    );
  }
  store.run('INSERT INTO commissioning_results (machine_id, received_at, document, fingerprint) VALUES (?, ?, ?, ?)', row.id, now, json, fingerprint);
  // Everything at or below the oldest id past the kept ones; none when there are not that many
  // (the subquery is NULL). A walk down the (machine_id, id) index, where NOT IN built a table.
  store.run(
    'DELETE FROM commissioning_results WHERE machine_id = ? AND id <= (SELECT id FROM commissioning_results WHERE machine_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    row.id,
    row.id,
    KEPT_RESULTS,
  );
  if (history.length > 0) store.run('INSERT INTO hardware_history (machine_id, at, changes) VALUES (?, ?, ?)', row.id, now, JSON.stringify(history));
  return { changed: true, changes: history, fingerprint };
}

// A well-formed UUID that another machine also claims is cleared everywhere, as MAAS does
// (LP:1893690): some vendors put the same placeholder UUID on every board.
function applyUuid(store: Store, machineId: number, uuid: string | undefined): void {
  if (uuid === undefined) {
    store.run('UPDATE machines SET hardware_uuid = NULL WHERE id = ?', machineId);
    return;
  }
  const other = store.get<{ id: number }>('SELECT id FROM machines WHERE hardware_uuid = ? AND id != ?', uuid.toLowerCase(), machineId);
  if (other) {
    store.run('UPDATE machines SET hardware_uuid = NULL WHERE hardware_uuid = ?', uuid.toLowerCase());
    store.run('UPDATE machines SET hardware_uuid = NULL WHERE id = ?', machineId);
  } else {
    store.run('UPDATE machines SET hardware_uuid = ? WHERE id = ?', uuid.toLowerCase(), machineId);
  }
}

function applyNuma(store: Store, machineId: number, parsed: ParsedHardware): void {
  store.run('DELETE FROM numa_nodes WHERE machine_id = ?', machineId);
  for (const node of parsed.numaNodes) {
    store.run('INSERT INTO numa_nodes (machine_id, idx, memory, cores) VALUES (?, ?, ?, ?)', machineId, node.index, node.memory, JSON.stringify(node.cores));
  }
}

interface DiskRow {
  readonly id: number;
  readonly name: string;
  readonly id_path: string;
  readonly serial: string;
}

// MAAS's update_node_physical_block_devices: match by serial when there is one, else by id_path;
// update matches, create the rest (unless 4 MiB or smaller), delete what was not reported.
function applyDisks(store: Store, machineId: number, disks: readonly ParsedDisk[]): void {
  const previous = store.all<DiskRow>('SELECT id, name, id_path, serial FROM block_devices WHERE machine_id = ?', machineId);
  // Names are reassigned below; park the old ones so a rename never collides.
  store.run("UPDATE block_devices SET name = name || '.' || id WHERE machine_id = ?", machineId);
  for (const disk of disks) {
    const match = disk.serial ? previous.find((old) => old.serial === disk.serial) : previous.find((old) => old.id_path === disk.idPath);
    const values = [disk.name, disk.idPath, disk.size, disk.blockSize, disk.model, disk.serial, disk.firmwareVersion, JSON.stringify(disk.tags), disk.numaNode] as const;
    if (match) {
      previous.splice(previous.indexOf(match), 1);
      store.run(
        `UPDATE block_devices SET name = ?, id_path = ?, size = ?, block_size = ?, model = ?, serial = ?, firmware_version = ?, tags = ?, numa_node = ? WHERE id = ?`,
        ...values,
        match.id,
      );
    } else if (disk.size > MIN_BLOCK_DEVICE_SIZE) {
      store.run(
        `INSERT INTO block_devices (name, id_path, size, block_size, model, serial, firmware_version, tags, numa_node, machine_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...values,
        machineId,
      );
    }
  }
  for (const gone of previous) store.run('DELETE FROM block_devices WHERE id = ?', gone.id);
}

// The reported interfaces replace the machine's: a push must carry every MAC it has.
function applyInterfaces(store: Store, machineId: number, parsed: ParsedHardware): void {
  const keep: number[] = [];
  for (const iface of parsed.interfaces) {
    const existing = store.get<{ id: number; machine_id: number }>("SELECT id, machine_id FROM interfaces WHERE mac_address = ? AND type = 'physical'", iface.mac);
    // A MAC now reported by this machine moves here, as MAAS moves it.
    if (existing && existing.machine_id !== machineId) store.run('DELETE FROM interfaces WHERE id = ?', existing.id);
    const values = [iface.name, iface.vendor, iface.product, iface.firmwareVersion, iface.linkConnected ? 1 : 0, iface.linkSpeed, iface.interfaceSpeed, iface.numaNode, JSON.stringify(iface.ips)] as const;
    if (existing && existing.machine_id === machineId) {
      store.run(
        `UPDATE interfaces SET name = ?, vendor = ?, product = ?, firmware_version = ?, link_connected = ?, link_speed = ?, interface_speed = ?, numa_node = ?, ips = ? WHERE id = ?`,
        ...values,
        existing.id,
      );
      keep.push(existing.id);
    } else {
      const { lastInsertRowid } = store.run(
        `INSERT INTO interfaces (name, vendor, product, firmware_version, link_connected, link_speed, interface_speed, numa_node, ips, machine_id, mac_address, type)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'physical')`,
        ...values,
        machineId,
        iface.mac,
      );
      keep.push(lastInsertRowid);
    }
  }
  recordSubnets(store, parsed.interfaces.flatMap((iface) => iface.ips));
  const placeholders = keep.map(() => '?').join(', ');
  store.run(`DELETE FROM interfaces WHERE machine_id = ?${keep.length > 0 ? ` AND id NOT IN (${placeholders})` : ''}`, machineId, ...keep);
}

/** MAAS's script-result statuses a signal may carry. */
export type SignalStatus = 'WORKING' | 'OK' | 'FAILED';

/**
 * A hardware push for a machine (MAAS's metadata `op=signal` with the commissioning output), as
 * MAAS answers it: WORKING updates the hardware and keeps the status; OK also completes
 * commissioning, which for a Deployed machine means release (owner, token and annotations go);
 * FAILED is refused for a Deployed machine. All in one transaction.
 */
export function pushHardware(
  store: Store,
  machineId: number,
  document: unknown,
  options: { status?: SignalStatus; changes?: readonly HardwareChange[]; outputs?: Readonly<Record<string, string | Uint8Array>> } = {},
): PushOutcome {
  const status = options.status ?? 'WORKING';
  return store.transaction(() => {
    let row = machineById(store, machineId);
    if (!row) throw new RegistryError(404, 'machine no longer exists');
    const current = statusOfRef(row.status);
    if (status === 'FAILED') {
      if (!isAllowedTransition(current.key, 'failedCommissioning')) {
        throw new RegistryError(409, `Invalid transition: ${current.name} -> Failed commissioning.`);
      }
      row = commit(store, row, applyEvent(snapshotOf(store, row), { type: 'commissioningResult', result: 'failed' }))!;
      return { changed: true, changes: [], fingerprint: row.fingerprint ?? '' };
    }
    if (!acceptsHardwareUpdate(current.key) && current.key !== 'commissioning') {
      throw new RegistryError(409, `Machine is ${current.name}: hardware information is not accepted until the operation under way ends.`);
    }
    const parsed = readDocument(document);
    // The lshw and LLDP outputs `op=details` serves, kept even when the document is unchanged.
    if (options.outputs) keepDetails(store, machineId, options.outputs);
    // Serialised once: the fingerprint and the stored copy are of the same text.
    const json = JSON.stringify(document);
    const fingerprint = fingerprintOfJson(json);
    // The same document again changes nothing at all, not even a timestamp.
    if (status === 'WORKING' && row.fingerprint === fingerprint) return { changed: false, changes: [], fingerprint };
    const interfaces = parsed.interfaces.map((iface) => ({ name: iface.name, mac: iface.mac, type: 'physical' as const }));
    row = commit(store, row, applyEvent(snapshotOf(store, row), { type: 'commissioningResult', result: 'passed', interfaces }))!;
    const outcome = applyDocument(store, row, json, fingerprint, parsed, options.changes);
    if (status === 'OK' && current.key === 'deployed') {
      const pushed = machineById(store, machineId)!;
      recordStatusEvent(store, 'pushedOk', pushed, commit(store, pushed, applyEvent(snapshotOf(store, pushed), { type: 'release' })));
    }
    return outcome;
  });
}

/** A machine's hardware history, oldest first: what each push changed. */
export function machineHistory(store: Store, machineId: number): { at: string; changes: HardwareChange[] }[] {
  return store
    .all<{ at: string; changes: string }>('SELECT at, changes FROM hardware_history WHERE machine_id = ? ORDER BY id', machineId)
    .map((entry) => ({ at: entry.at, changes: JSON.parse(entry.changes) as HardwareChange[] }));
}
