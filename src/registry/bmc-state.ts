// What the collector remembers per BMC between sweeps, in the registry database: the last outcome
// (for reports and the BMC health page), consecutive failures (for backoff), the pinned certificate
// (trust on first use), the machines behind it, and what the last sweep read (for cheap re-sweeps).
import type { CachedRead } from '../redfish/client.ts';
import { decodeBody } from '../redfish/json.ts';
import type { Store } from './store.ts';

/** How a BMC's last sweep ended. */
export type BmcOutcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';

/** The last sweep of one BMC. */
export interface BmcSweepRecord {
  readonly outcome: BmcOutcome;
  /** An address of a discovery range where no Redfish service answered. */
  readonly noAnswer?: boolean;
  /** Error class of a failure (auth, timeout, tls …). */
  readonly errorKind?: string;
  readonly message?: string;
  readonly requests: number;
  readonly bytes: number;
  readonly ms: number;
  /** How the BMC's certificate was trusted: verify, ca, pin or insecure (http for plain HTTP). */
  readonly tls: string;
  /** ISO time the sweep of this BMC ended. */
  readonly at: string;
  /** Sections its machines' sweep could not read, by Redfish system (and registry system id). */
  readonly unknown?: readonly RecordedUnknown[];
  /** Its first warnings (refused links, a system still Starting …), as the sweep reported them. */
  readonly warnings?: readonly string[];
  /** Since when the BMC is read with basic auth: a session it made named no path to delete (src/sweep/basic-instead.ts). */
  readonly basicAuthSince?: string;
}

/** A section a machine's last sweep could not read (see the sweep report's UnknownSection). */
export interface RecordedUnknown {
  readonly system: string;
  readonly systemId?: string;
  readonly section: string;
  readonly kind: string;
  readonly path?: string;
  readonly keptFrom?: string;
}

/** Everything remembered about one BMC. */
export interface BmcState {
  readonly address: string;
  readonly lastSweep?: string;
  readonly lastSuccess?: string;
  readonly consecutiveFailures: number;
  readonly pinnedFingerprint?: string;
  readonly last?: BmcSweepRecord;
  /** Redfish system path → registry system id, for the machines behind this BMC. */
  readonly systems: Readonly<Record<string, string>>;
}

interface Row {
  address: string;
  last_sweep: string | null;
  last_success: string | null;
  consecutive_failures: number;
  pinned_fingerprint: string | null;
  outcome: string | null;
  systems: string;
}

function fromRow(row: Row): BmcState {
  return {
    address: row.address,
    ...(row.last_sweep ? { lastSweep: row.last_sweep } : {}),
    ...(row.last_success ? { lastSuccess: row.last_success } : {}),
    consecutiveFailures: row.consecutive_failures,
    ...(row.pinned_fingerprint ? { pinnedFingerprint: row.pinned_fingerprint } : {}),
    ...(row.outcome ? { last: JSON.parse(row.outcome) as BmcSweepRecord } : {}),
    systems: JSON.parse(row.systems) as Record<string, string>,
  };
}

/** The state of one BMC, if it was ever swept. */
export function bmcState(store: Store, address: string): BmcState | undefined {
  const row = store.get<Row>('SELECT * FROM bmc_state WHERE address = ?', address);
  return row && fromRow(row);
}

/** Every BMC ever swept, by address. */
export function listBmcStates(store: Store): BmcState[] {
  return store.all<Row>('SELECT * FROM bmc_state ORDER BY address').map(fromRow);
}

/** Records the end of a BMC's sweep: success resets the failure count, failure increments it. */
export function recordBmcSweep(store: Store, address: string, record: BmcSweepRecord, systems?: Readonly<Record<string, string>>): void {
  const failed = record.outcome === 'failed';
  store.run(
    `INSERT INTO bmc_state (address, last_sweep, last_success, consecutive_failures, outcome, systems)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(address) DO UPDATE SET
       last_sweep = excluded.last_sweep,
       last_success = COALESCE(excluded.last_success, bmc_state.last_success),
       consecutive_failures = CASE WHEN ? THEN bmc_state.consecutive_failures + 1 ELSE 0 END,
       outcome = excluded.outcome,
       systems = CASE WHEN ? THEN bmc_state.systems ELSE excluded.systems END`,
    address,
    record.at,
    failed ? null : record.at,
    failed ? 1 : 0,
    JSON.stringify(record),
    JSON.stringify(systems ?? {}),
    failed ? 1 : 0,
    systems === undefined ? 1 : 0,
  );
}

/** Stores the certificate fingerprint seen on first use. */
export function pinCertificate(store: Store, address: string, fingerprint: string): void {
  store.run(
    `INSERT INTO bmc_state (address, pinned_fingerprint) VALUES (?, ?)
     ON CONFLICT(address) DO UPDATE SET pinned_fingerprint = excluded.pinned_fingerprint`,
    address,
    fingerprint,
  );
}

/** What the last sweep read from a BMC (bodies by path, with ETags), and when it last read everything. */
export interface ReadCacheRecord {
  readonly entries: Map<string, CachedRead>;
  readonly fullReadAt?: string;
}

/** The reads remembered for a BMC; empty when it was never swept. */
export function loadReadCache(store: Store, address: string): ReadCacheRecord {
  const row = store.get<{ entries: string | Uint8Array; full_read_at: string | null }>('SELECT entries, full_read_at FROM read_cache WHERE address = ?', address);
  if (!row) return { entries: new Map() };
  // Stored as UTF-8 bytes; rows written as text by earlier versions read the same.
  const text = typeof row.entries === 'string' ? row.entries : decodeBody(row.entries);
  return { entries: new Map(JSON.parse(text) as [string, CachedRead][]), ...(row.full_read_at ? { fullReadAt: row.full_read_at } : {}) };
}

/** Replaces the reads remembered for a BMC. */
export function saveReadCache(store: Store, address: string, cache: ReadCacheRecord): void {
  store.run(
    'INSERT INTO read_cache (address, entries, full_read_at) VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE SET entries = excluded.entries, full_read_at = excluded.full_read_at',
    address,
    entriesBytes(cache.entries),
    cache.fullReadAt ?? null,
  );
}

const BOM = [0xef, 0xbb, 0xbf];

// The same JSON as `JSON.stringify([...entries])` without `raw`, as UTF-8 bytes. A body read in this
// sweep goes in as the BMC's own bytes (valid JSON: it was parsed from them) instead of being
// decoded and serialised again: a sweep's bodies are ~45 KB per BMC, and as text they were a tenth
// of what the collector allocates on the JS heap.
function entriesBytes(entries: ReadonlyMap<string, CachedRead>): Buffer {
  const parts: (string | Uint8Array)[] = [];
  let separator = '[';
  for (const [path, read] of entries) {
    const body = read.raw ? withoutBom(read.raw) : (JSON.stringify(read.body) as string | undefined); // undefined: an empty body
    const etag = read.etag === undefined ? '' : `"etag":${JSON.stringify(read.etag)}${body === undefined ? '' : ','}`;
    parts.push(`${separator}[${JSON.stringify(path)},{${etag}${body === undefined ? '' : '"body":'}`);
    if (body !== undefined) parts.push(body);
    parts.push('}]');
    separator = ',';
  }
  parts.push(separator === '[' ? '[]' : ']');
  let size = 0;
  for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) {
    if (typeof part === 'string') at += bytes.write(part, at);
    else {
      bytes.set(part, at);
      at += part.byteLength;
    }
  }
  return bytes;
}

// The decoder drops a leading byte-order mark; spliced into the middle of the JSON it would not be.
function withoutBom(raw: Uint8Array): Uint8Array {
  return raw[0] === BOM[0] && raw[1] === BOM[1] && raw[2] === BOM[2] ? raw.subarray(3) : raw;
}

/** The last inventory read for a BMC's system, with its fingerprint. */
export function lastInventory<T>(store: Store, address: string, system: string): { fingerprint: string; inventory: T; at: string } | undefined {
  const row = store.get<{ fingerprint: string; inventory: string; at: string }>('SELECT fingerprint, inventory, at FROM inventories WHERE address = ? AND system = ?', address, system);
  return row && { fingerprint: row.fingerprint, inventory: JSON.parse(row.inventory) as T, at: row.at };
}

/** Remembers the inventory read for a BMC's system. */
export function saveInventory(store: Store, address: string, system: string, fingerprint: string, inventory: unknown): void {
  store.run(
    `INSERT INTO inventories (address, system, fingerprint, inventory, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(address, system) DO UPDATE SET fingerprint = excluded.fingerprint, inventory = excluded.inventory, at = excluded.at`,
    address,
    system,
    fingerprint,
    JSON.stringify(inventory),
    store.timestamp(),
  );
}
