import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordBmcSweep, type Store } from '../../src/registry/index.ts';
import { DEFAULT_QUERY, fleetSummary, listingPage, listingParams, parseListingQuery, type ListingQuery } from '../../src/web/listing.ts';
import { temporaryStore } from '../registry/fixtures.ts';

let store: Store;
let dispose: () => void;

beforeEach(() => {
  ({ store, dispose } = temporaryStore());
});
afterEach(() => dispose());

interface Spec {
  hostname: string;
  status?: number;
  vendor?: string;
  serial?: string;
  sku?: string;
  macs?: string[];
  disks?: { size: number; serial: string }[];
  memory?: number;
  bmc?: string;
}

let counter = 0;

// Rows as the registry stores them, written directly so thousands take milliseconds.
function insert(spec: Spec): void {
  const id = ++counter;
  const info = { ...(spec.vendor ? { system_vendor: spec.vendor } : {}), ...(spec.serial ? { system_serial: spec.serial } : {}), ...(spec.sku ? { system_sku: spec.sku } : {}) };
  store.run(
    `INSERT INTO machines (id, system_id, hostname, status, owner, power_type, power_parameters, memory, cpu_count, hardware_info, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'admin', 'redfish', ?, ?, 8, ?, '2025-01-01', '2025-01-01')`,
    id,
    `m${id.toString(36).padStart(5, '0')}`,
    spec.hostname,
    spec.status ?? 6,
    JSON.stringify(spec.bmc ? { power_address: spec.bmc, power_pass: 'secret' } : {}),
    spec.memory ?? 1024,
    JSON.stringify(info),
  );
  for (const [index, mac] of (spec.macs ?? []).entries()) store.run("INSERT INTO interfaces (machine_id, name, mac_address, type) VALUES (?, ?, ?, 'physical')", id, `eth${index}`, mac);
  for (const [index, disk] of (spec.disks ?? []).entries()) {
    store.run('INSERT INTO block_devices (machine_id, name, id_path, size, block_size, serial) VALUES (?, ?, ?, ?, 512, ?)', id, `sd${'abcdefgh'[index]}`, `/dev/sd${index}`, disk.size, disk.serial);
  }
}

const query = (change: Partial<ListingQuery>): ListingQuery => ({ ...DEFAULT_QUERY, ...change });
const names = (change: Partial<ListingQuery>) => listingPage(store, query(change)).rows.map((row) => row.hostname);

describe('reading the listing query from the URL', () => {
  it('falls back to defaults for anything it does not know, including SQL in the sort key', () => {
    const params = new URLSearchParams('sort=hostname;DROP TABLE machines&dir=sideways&page=-3&size=1000000&status=99&status=abc&status=6&status=6');
    expect(parseListingQuery(params)).toEqual({ ...DEFAULT_QUERY, statuses: [6] });
  });

  it('writes back the same query it reads, leaving defaults out', () => {
    const chosen = query({ text: 'r750', statuses: [4, 6], vendor: 'Dell Inc.', sort: 'storage', descending: true, page: 3, pageSize: 100 });
    expect(parseListingQuery(listingParams(chosen))).toEqual(chosen);
    expect(listingParams(DEFAULT_QUERY).toString()).toBe('');
  });
});

describe('filtering', () => {
  beforeEach(() => {
    insert({ hostname: 'r750-db01', vendor: 'Dell Inc.', serial: '7RW2KQ3', sku: 'SVCTAG1', macs: ['b0:26:28:5e:1a:40'], disks: [{ size: 480e9, serial: 'S3EVNX0K' }] });
    insert({ hostname: 'dl380-gpu07', vendor: 'HPE', serial: 'CZJ0000', macs: ['3c:fd:fe:c2:18:60'], status: 4 });
    insert({ hostname: 'gbt-hpc12', vendor: '100%_Corp', macs: ['0c:42:a1:5d:c3:2a'] });
  });

  it('matches host name, vendor, serial, service tag and disk serial by substring, ignoring case', () => {
    expect(names({ text: 'DB0' })).toEqual(['r750-db01']);
    expect(names({ text: 'dell' })).toEqual(['r750-db01']);
    expect(names({ text: '7rw2' })).toEqual(['r750-db01']);
    expect(names({ text: 'SVCTAG' })).toEqual(['r750-db01']);
    expect(names({ text: 'S3EVNX' })).toEqual(['r750-db01']);
  });

  it('finds a MAC typed in upper case with dashes, or by part', () => {
    expect(names({ text: '3C-FD-FE-C2-18-60' })).toEqual(['dl380-gpu07']);
    expect(names({ text: '5d:c3' })).toEqual(['gbt-hpc12']);
  });

  it('takes SQL-looking values and LIKE wildcards literally', () => {
    expect(names({ text: "' OR 1=1 --" })).toEqual([]);
    expect(names({ text: '") OR ("1"="1' })).toEqual([]);
    expect(names({ text: '%' })).toEqual(['gbt-hpc12']);
    expect(names({ text: '_' })).toEqual(['gbt-hpc12']);
    expect(names({ text: '\\' })).toEqual([]);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM machines')!.n).toBe(3);
  });

  it('keeps only the chosen statuses, together with the text', () => {
    expect(names({ statuses: [4] })).toEqual(['dl380-gpu07']);
    expect(names({ statuses: [4, 6] })).toHaveLength(3);
    expect(names({ statuses: [6], text: 'hpe' })).toEqual([]);
  });
});

describe('sorting and paging', () => {
  it('sorts by storage total, memory and BMC health, host name breaking ties', () => {
    insert({ hostname: 'b', disks: [{ size: 1e12, serial: '1' }, { size: 1e12, serial: '2' }], memory: 4096, bmc: '10.0.0.2' });
    insert({ hostname: 'a', disks: [{ size: 3e12, serial: '3' }], memory: 2048, bmc: '10.0.0.1' });
    insert({ hostname: 'c', memory: 2048 });
    recordBmcSweep(store, '10.0.0.1', { outcome: 'updated', requests: 1, bytes: 1, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    recordBmcSweep(store, '10.0.0.2', { outcome: 'failed', errorKind: 'auth', requests: 1, bytes: 1, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    expect(names({ sort: 'storage', descending: true })).toEqual(['a', 'b', 'c']);
    expect(names({ sort: 'disks', descending: true })).toEqual(['b', 'a', 'c']);
    expect(names({ sort: 'memory' })).toEqual(['a', 'c', 'b']);
    expect(names({ sort: 'bmc' })).toEqual(['b', 'c', 'a']);
    expect(listingPage(store, query({ sort: 'bmc' })).rows[0]).toMatchObject({ bmc_outcome: 'failed', bmc_error_kind: 'auth' });
  });

  it('shows one page at a time and clamps a page past the end to the last', () => {
    store.transaction(() => {
      for (let n = 0; n < 120; n++) insert({ hostname: `node-${String(n).padStart(3, '0')}` });
    });
    const third = listingPage(store, query({ page: 3 }));
    expect(third).toMatchObject({ total: 120, page: 3, pages: 3 });
    expect(third.rows.map((row) => row.hostname)).toEqual(Array.from({ length: 20 }, (_, n) => `node-${100 + n}`));
    expect(listingPage(store, query({ page: 9, pageSize: 100 }))).toMatchObject({ page: 2, pages: 2 });
  });
});

describe('the fleet summary', () => {
  it('counts machines by status and vendor, and failing BMCs', () => {
    insert({ hostname: 'a', vendor: 'Dell Inc.' });
    insert({ hostname: 'b', vendor: 'Dell Inc.', status: 4 });
    insert({ hostname: 'c' });
    recordBmcSweep(store, '10.0.0.2', { outcome: 'failed', errorKind: 'auth', requests: 1, bytes: 1, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    recordBmcSweep(store, '10.0.0.3', { outcome: 'unchanged', requests: 1, bytes: 1, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    expect(fleetSummary(store)).toEqual({
      machines: 3,
      byStatus: [
        { status: 4, name: 'Ready', count: 1 },
        { status: 6, name: 'Deployed', count: 2 },
      ],
      byVendor: [
        { vendor: 'Dell Inc.', count: 2 },
        { vendor: 'Unknown', count: 1 },
      ],
      bmcs: 2,
      bmcsFailing: 1,
      bmcsIncomplete: 0,
    });
  });

  it('does not count addresses of discovery ranges that did not answer as BMCs', () => {
    recordBmcSweep(store, '10.0.0.3', { outcome: 'unchanged', requests: 1, bytes: 1, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    for (const host of ['10.0.9.1', '10.0.9.2']) recordBmcSweep(store, host, { outcome: 'skipped', noAnswer: true, errorKind: 'unreachable', requests: 0, bytes: 0, ms: 1, tls: 'pin', at: '2025-01-01T00:00:00Z' });
    expect(fleetSummary(store)).toMatchObject({ bmcs: 1, bmcsFailing: 0 });
  });
});

describe('the vendor filter', () => {
  it('lists the machines of one vendor as the summary names it, "Unknown" for those with none', () => {
    insert({ hostname: 'a', vendor: 'Dell Inc.' });
    insert({ hostname: 'b', vendor: 'Dell Inc. Hidden' });
    insert({ hostname: 'c' });
    insert({ hostname: 'd', vendor: '' });
    expect(names({ vendor: 'Dell Inc.' })).toEqual(['a']);
    expect(names({ vendor: 'Unknown' })).toEqual(['c', 'd']);
    expect(names({ vendor: 'Unknown', text: 'd' })).toEqual(['d']);
  });
});

describe('10,000 machines', () => {
  it('answers a page, a sort by storage and a MAC search each well within a second', () => {
    store.transaction(() => {
      for (let n = 0; n < 10_000; n++) {
        const hex = n.toString(16).padStart(4, '0');
        insert({
          hostname: `node-${String(n).padStart(5, '0')}`,
          vendor: n % 3 === 0 ? 'Dell Inc.' : 'HPE',
          serial: `SN${n}`,
          macs: [`02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`, `06:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`],
          disks: [{ size: (n % 7) * 1e11, serial: `D${n}a` }, { size: 1e12, serial: `D${n}b` }],
          status: n % 50 === 0 ? 4 : 6,
        });
      }
    });
    const timed = (change: Partial<ListingQuery>) => {
      const started = performance.now();
      const page = listingPage(store, query(change));
      return { page, ms: performance.now() - started };
    };
    const first = timed({});
    const bigDisks = timed({ sort: 'storage', descending: true, page: 7 });
    const mac = timed({ text: '06:00:00:00:1f:3a' });
    expect(first.page).toMatchObject({ total: 10_000, pages: 200 });
    expect(first.page.rows).toHaveLength(50);
    expect(bigDisks.page.rows[0]!.hostname).toMatch(/^node-/);
    expect(mac.page.rows.map((row) => row.hostname)).toEqual(['node-07994']);
    expect(timed({ statuses: [4] }).page.total).toBe(200);
    for (const { ms } of [first, bigDisks, mac]) expect(ms).toBeLessThan(1000);
    expect(fleetSummary(store).machines).toBe(10_000);
  });
});
