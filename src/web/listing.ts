// The machine listing's query: filter, sort and one page in SQL, so 10,000 machines cost one
// indexed count and one page of rows per request. Sort keys come from a fixed table and filter
// values are bound as parameters; nothing from the request is ever spliced into SQL. Each listed
// row is then shown through the API's own machineJson.
import { CORES_UNKNOWN, NOTES_KEY } from '../inventory/commissioning.ts';
import { statusByNumber, STATUSES } from '../lifecycle/index.ts';
import type { MachineRow, Store } from '../registry/index.ts';

/** Columns the listing sorts by. */
export type SortKey = 'hostname' | 'status' | 'owner' | 'locked' | 'power' | 'vendor' | 'cpu' | 'memory' | 'storage' | 'disks' | 'synced' | 'bmc';

const BMC_OUTCOME = "json_extract(b.outcome, '$.outcome')";

/** The name the summary and the vendor filter give a machine's vendor; 'Unknown' when it has none. */
export const UNKNOWN_VENDOR = 'Unknown';
const VENDOR_SQL = `COALESCE(NULLIF(json_extract(m.hardware_info, '$.system_vendor'), ''), '${UNKNOWN_VENDOR}')`;

// The SQL expression behind each sort key: constants, chosen by key, never built from input.
const SORT_SQL: Readonly<Record<SortKey, string>> = {
  hostname: 'm.hostname',
  status: 'm.status',
  owner: "COALESCE(m.owner, '')",
  locked: 'm.locked',
  power: 'm.power_type',
  vendor: "COALESCE(json_extract(m.hardware_info, '$.system_vendor'), '') || ' ' || COALESCE(json_extract(m.hardware_info, '$.system_product'), '')",
  cpu: 'm.cpu_count',
  memory: 'm.memory',
  storage: '(SELECT COALESCE(SUM(d.size), 0) FROM block_devices d WHERE d.machine_id = m.id)',
  disks: '(SELECT COUNT(*) FROM block_devices d WHERE d.machine_id = m.id)',
  synced: "COALESCE(m.last_sync, '')",
  // Failing BMCs first, then never swept, then healthy.
  bmc: `CASE WHEN ${BMC_OUTCOME} = 'failed' THEN 0 WHEN b.address IS NULL THEN 1 ELSE 2 END`,
};

/** Every sort key. */
export const SORT_KEYS = Object.keys(SORT_SQL) as SortKey[];

/** Page sizes a user may pick. */
export const PAGE_SIZES: readonly number[] = [25, 50, 100];

/** What the listing shows: a text filter, status filters, a sort and a page. */
export interface ListingQuery {
  /** Matches host name, system id, MAC, vendor, product, serial, service tag, disk serial. */
  readonly text: string;
  /** MAAS status numbers; empty means every status. */
  readonly statuses: readonly number[];
  /** One vendor exactly as the summary names it (UNKNOWN_VENDOR for none); empty means every vendor. */
  readonly vendor: string;
  readonly sort: SortKey;
  readonly descending: boolean;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

/** The listing with nothing chosen. */
export const DEFAULT_QUERY: ListingQuery = { text: '', statuses: [], vendor: '', sort: 'hostname', descending: false, page: 1, pageSize: 50 };

/** Reads a listing query from URL parameters (q, status (repeatable), vendor, sort, dir, page, size); junk falls back to defaults. */
export function parseListingQuery(params: URLSearchParams): ListingQuery {
  const sort = params.get('sort') as SortKey | null;
  const page = Number.parseInt(params.get('page') ?? '', 10);
  const size = Number.parseInt(params.get('size') ?? '', 10);
  const statuses = [...new Set(params.getAll('status').map(Number).filter((n) => Number.isInteger(n) && statusByNumber(n) !== undefined))];
  return {
    text: (params.get('q') ?? '').trim().slice(0, 200),
    statuses: statuses.sort((a, b) => a - b),
    vendor: (params.get('vendor') ?? '').trim().slice(0, 200),
    sort: sort && SORT_KEYS.includes(sort) ? sort : DEFAULT_QUERY.sort,
    descending: params.get('dir') === 'desc',
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    pageSize: PAGE_SIZES.includes(size) ? size : DEFAULT_QUERY.pageSize,
  };
}

/** The URL parameters of a query, defaults left out (the inverse of parseListingQuery). */
export function listingParams(query: ListingQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.text) params.set('q', query.text);
  for (const status of query.statuses) params.append('status', String(status));
  if (query.vendor) params.set('vendor', query.vendor);
  if (query.sort !== DEFAULT_QUERY.sort) params.set('sort', query.sort);
  if (query.descending) params.set('dir', 'desc');
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== DEFAULT_QUERY.pageSize) params.set('size', String(query.pageSize));
  return params;
}

/** A listed machine's row, with the health of the BMC it is reached through. */
export interface ListedRow extends MachineRow {
  readonly bmc_address: string | null;
  readonly bmc_outcome: string | null;
  readonly bmc_error_kind: string | null;
  readonly bmc_failures: number | null;
  /** The sections the BMC's last sweep could not read (JSON, see BmcSweepRecord.unknown). */
  readonly bmc_unknown: string | null;
}

/** One page of the listing. */
export interface ListingPage {
  readonly rows: readonly ListedRow[];
  /** Machines matching the filters. */
  readonly total: number;
  /** The page shown (clamped to the last page). */
  readonly page: number;
  readonly pages: number;
}

// `LIKE` with the user's text taken literally: % _ and \ are escaped.
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function whereOf(query: ListingQuery): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (query.text) {
    const pattern = likePattern(query.text);
    // MACs are stored lower-case with colons; accept 3C-EC-EF… as typed from a label.
    const macPattern = /^[0-9a-f]{1,2}([:-][0-9a-f]{0,2})*$/i.test(query.text) ? likePattern(query.text.toLowerCase().replaceAll('-', ':')) : pattern;
    const fields = ['m.hostname', 'm.system_id', "json_extract(m.hardware_info, '$.system_vendor')", "json_extract(m.hardware_info, '$.system_product')", "json_extract(m.hardware_info, '$.system_serial')", "json_extract(m.hardware_info, '$.system_sku')", "json_extract(m.hardware_info, '$.chassis_serial')"];
    clauses.push(
      `(${fields.map((field) => `${field} LIKE ? ESCAPE '\\'`).join(' OR ')}
        OR EXISTS (SELECT 1 FROM interfaces i WHERE i.machine_id = m.id AND i.mac_address LIKE ? ESCAPE '\\')
        OR EXISTS (SELECT 1 FROM block_devices d WHERE d.machine_id = m.id AND d.serial LIKE ? ESCAPE '\\'))`,
    );
    params.push(...fields.map(() => pattern), macPattern, pattern);
  }
  if (query.statuses.length > 0) {
    clauses.push(`m.status IN (${query.statuses.map(() => '?').join(', ')})`);
    params.push(...query.statuses);
  }
  if (query.vendor) {
    clauses.push(`${VENDOR_SQL} = ?`);
    params.push(query.vendor);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const FROM = "FROM machines m LEFT JOIN bmc_state b ON b.address = json_extract(m.power_parameters, '$.power_address')";

/** One page of machines matching a query, in its order (host name breaks ties). */
export function listingPage(store: Store, query: ListingQuery): ListingPage {
  const where = whereOf(query);
  const total = store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM machines m ${where.sql}`, ...where.params)!.n;
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pages);
  const direction = query.descending ? 'DESC' : 'ASC';
  const rows = store.all<ListedRow>(
    `SELECT m.*, b.address AS bmc_address, ${BMC_OUTCOME} AS bmc_outcome, json_extract(b.outcome, '$.errorKind') AS bmc_error_kind,
            b.consecutive_failures AS bmc_failures, json_extract(b.outcome, '$.unknown') AS bmc_unknown
       ${FROM} ${where.sql}
      ORDER BY ${SORT_SQL[query.sort]} ${direction}, m.hostname ${direction}, m.id
      LIMIT ? OFFSET ?`,
    ...where.params,
    query.pageSize,
    (page - 1) * query.pageSize,
  );
  return { rows, total, page, pages };
}

/** Sockets and cores of a machine, from its latest commissioning document (undefined before the first push). */
export function cpuTopology(store: Store, machineId: number): { sockets: number; cores: number | undefined } | undefined {
  // A socket whose cores the BMC did not give lists each thread as a core (MAAS's shape), and its
  // note says so: the cores are then unknown, not the thread count.
  const row = store.get<{ sockets: number | null; cores: number | null; unknown: number }>(
    `SELECT json_array_length(r.document, '$.resources.cpu.sockets') AS sockets,
            (SELECT SUM(json_array_length(s.value, '$.cores')) FROM json_each(r.document, '$.resources.cpu.sockets') s) AS cores,
            (SELECT COUNT(*) FROM json_each(r.document, '$."${NOTES_KEY}".notes') n WHERE json_extract(n.value, '$.reason') = ?) AS unknown
       FROM commissioning_results r WHERE r.machine_id = ? ORDER BY r.id DESC LIMIT 1`,
    CORES_UNKNOWN,
    machineId,
  );
  if (!row || !row.sockets) return undefined;
  return { sockets: row.sockets, cores: row.unknown > 0 ? undefined : (row.cores ?? 0) };
}

/** The fleet at a glance: machines by status and by vendor, BMCs failing. */
export interface FleetSummary {
  readonly machines: number;
  readonly byStatus: readonly { readonly status: number; readonly name: string; readonly count: number }[];
  readonly byVendor: readonly { readonly vendor: string; readonly count: number }[];
  readonly bmcs: number;
  readonly bmcsFailing: number;
  /** BMCs whose last sweep could not read a section of one of their machines. */
  readonly bmcsIncomplete: number;
}

/** Counts for the summary strip (grouped in SQL; the status count uses its index). */
export function fleetSummary(store: Store): FleetSummary {
  const byStatus = store
    .all<{ status: number; n: number }>('SELECT status, COUNT(*) AS n FROM machines GROUP BY status ORDER BY status')
    .map((row) => ({ status: row.status, name: statusByNumber(row.status)?.name ?? String(row.status), count: row.n }));
  const byVendor = store
    .all<{ vendor: string; n: number }>(
      `SELECT ${VENDOR_SQL} AS vendor, COUNT(*) AS n FROM machines m GROUP BY vendor ORDER BY n DESC, vendor LIMIT 10`,
    )
    .map((row) => ({ vendor: row.vendor, count: row.n }));
  // Addresses of discovery ranges where nothing answered are not BMCs.
  const bmcs = store.get<{ n: number; failing: number | null; incomplete: number | null }>(
    `SELECT COUNT(*) AS n, SUM(json_extract(outcome, '$.outcome') = 'failed') AS failing,
            SUM(json_extract(outcome, '$.outcome') <> 'failed' AND json_array_length(outcome, '$.unknown') > 0) AS incomplete
       FROM bmc_state WHERE json_extract(outcome, '$.noAnswer') IS NOT 1`,
  )!;
  return { machines: byStatus.reduce((sum, entry) => sum + entry.count, 0), byStatus, byVendor, bmcs: bmcs.n, bmcsFailing: bmcs.failing ?? 0, bmcsIncomplete: bmcs.incomplete ?? 0 };
}

/** Every MAAS status, for the status filter. */
export const STATUS_CHOICES = STATUSES.map((status) => ({ number: status.number, name: status.name }));
