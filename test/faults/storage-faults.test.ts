// The collector's own database failing under a sweep: a full disk (SQLite's real SQLITE_FULL,
// from `PRAGMA max_page_count`) and a database another process keeps locked. Each case checks the
// report against what the database then holds: no BMC is reported created, updated or unchanged
// whose writes are not stored, each one that was not stored is `failed` with class `storage`, and
// the sweep (or the daemon) tries again later. A summary line per case is printed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bmcState } from '../../src/registry/bmc-state.ts';
import type { Store } from '../../src/registry/store.ts';
import type { SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { loadConfig } from '../../src/sweep/config.ts';
import { runDaemon } from '../../src/sweep/daemon.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { writeSimulatedSetup } from '../../src/sweep/simulated-setup.ts';
import { runSweep, type SweepReport, type SweepSettings } from '../../src/sweep/sweep.ts';
import { runCli } from '../helpers/cli.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs, fixtureFleet } from '../sweep/fleet.ts';
import { recordVerdict, summarise, type Verdicts } from './summary.ts';

const settings: SweepSettings = { concurrency: 4, client: { backoffBaseMs: 5, backoffMaxMs: 20, requestTimeoutMs: 2_000, bmcDeadlineMs: 20_000 } };
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('Storage faults', verdicts));

/** Runs a case, recording whether it held. */
function storageCase(name: string, run: () => Promise<string>): void {
  it(`holds against: ${name}`, () => recordVerdict(verdicts, name, run));
}

async function fleetOf(size: number): Promise<SimulatedFleet> {
  const fleet = await fixtureFleet(size);
  cleanups.push(() => fleet.close());
  return fleet;
}

function storeOf(): Store {
  const { store, dispose } = temporaryStore();
  cleanups.push(dispose);
  return store;
}

/** Lets the database grow by `pages` more pages at most (SQLite answers "database or disk is full" past them). */
function capDatabase(store: Store, pages: number): void {
  const { page_count: used } = store.get<{ page_count: number }>('PRAGMA page_count')!;
  store.get(`PRAGMA max_page_count = ${used + pages}`);
}

// The report, BMC by BMC, against the database: a machine with its hardware and the BMC's record
// for every BMC reported as stored; nothing, and class `storage`, for every one that was not.
function checkAgainstDatabase(store: Store, report: SweepReport): void {
  for (const result of report.results) {
    const machine = store.get<{ id: number }>(`SELECT id FROM machines WHERE json_extract(power_parameters, '$.power_address') = ?`, result.address);
    const pushed = machine ? store.get<{ n: number }>('SELECT COUNT(*) AS n FROM commissioning_results WHERE machine_id = ?', machine.id)!.n : 0;
    const recorded = bmcState(store, result.address)?.last?.outcome;
    if (result.outcome === 'failed') {
      expect(result, result.name).toMatchObject({ errorKind: 'storage', message: expect.stringMatching(/database or disk is full/) });
      expect({ bmc: result.name, machine: machine !== undefined, recorded }).toEqual({ bmc: result.name, machine: false, recorded: undefined });
    } else {
      expect(result.outcome, result.name).toBe('created');
      expect({ bmc: result.name, pushed: pushed > 0, recorded }).toEqual({ bmc: result.name, pushed: true, recorded: 'created' });
    }
  }
  const machines = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM machines')!.n;
  expect(machines).toBe(report.totals.created);
}

describe('the collector\'s database failing under a sweep', () => {
  storageCase('a full disk mid-sweep (SQLITE_FULL): report against the database', async () => {
    const fleet = await fleetOf(16);
    const store = storeOf();
    const target = new EmbeddedTarget(store);
    // Room for a few BMCs' writes (~30 pages each), not for sixteen: the disk fills mid-sweep.
    capDatabase(store, 120);
    const report = await runSweep(bmcConfigs(fleet), target, store, settings);
    expect(report.totals.failed).toBeGreaterThan(0);
    expect(report.totals.created + report.totals.failed).toBe(16);
    checkAgainstDatabase(store, report);

    // With room again, the next sweep stores every machine the first one could not.
    capDatabase(store, 100_000);
    const again = await runSweep(bmcConfigs(fleet), target, store, settings);
    expect(again.totals).toMatchObject({ failed: 0, created: report.totals.failed, unchanged: report.totals.created });
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM machines')!.n).toBe(16);
    return `${report.totals.failed} of 16 failed (storage), ${report.totals.created} created; all stored on the next sweep`;
  });

  storageCase('a full disk under the daemon: it keeps running and stores them later', async () => {
    const fleet = await fleetOf(8);
    const store = storeOf();
    const dir = mkdtempSync(join(tmpdir(), 'storage-daemon-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const setup = await writeSimulatedSetup(fleet, dir);
    capDatabase(store, 40);
    const reports: SweepReport[] = [];
    const stop = new AbortController();
    const daemon = runDaemon({
      loadConfig: () => {
        const config = loadConfig(setup.config);
        return { ...config, schedule: { intervalMs: 300, jitterMs: 0, fullReadEveryMs: 0 }, concurrency: { ...config.concurrency, bmcs: 4 } };
      },
      open: () => ({ target: new EmbeddedTarget(store), state: store, close: async () => {} }),
      log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
      handleSignals: false,
      signal: stop.signal,
      onSweep: (report) => {
        reports.push(report);
        if (reports.length === 1) {
          checkAgainstDatabase(store, report);
          capDatabase(store, 100_000); // an operator frees some space
        }
        if (report.totals.failed === 0) stop.abort();
      },
    });
    await daemon;
    expect(reports[0]!.totals.failed).toBeGreaterThan(0);
    expect(reports.at(-1)!.totals.failed).toBe(0);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM machines')!.n).toBe(8);
    return `${reports[0]!.totals.failed} of 8 failed; stored ${reports.length - 1} sweep(s) later`;
  });

  storageCase('a database locked by another process', async () => {
    const fleet = await fleetOf(3);
    const dir = mkdtempSync(join(tmpdir(), 'storage-locked-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const setup = await writeSimulatedSetup(fleet, dir);
    expect((await runCli(['users', 'add', 'admin', '--admin', '--database', setup.database])).code).toBe(0);
    const holder = await holdWriteLock(setup.database);
    cleanups.push(() => {
      holder.kill();
    });
    for (const bmc of fleet.bmcs) bmc.resetStats();
    const locked = await runCli(['sweep', '--config', setup.config, '--no-progress']);
    expect(locked.code).toBe(1);
    const rows = locked.stdout.split('\n').filter((line) => line.startsWith('sim-'));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/failed .*storage .*database is locked/);
    expect(locked.stdout).toMatch(/3 BMCs in .*0 created.* 3 failed/);
    expect(fleet.bmcs.map((bmc) => bmc.stats.requests)).toEqual([0, 0, 0]); // nothing was read that could not be kept

    holder.kill();
    await once(holder, 'exit');
    const free = await runCli(['sweep', '--config', setup.config, '--no-progress']);
    expect(free.code).toBe(0);
    expect(free.stdout).toMatch(/3 created/);
    return 'every BMC failed (storage), exit 1; swept once the lock was gone';
  });
});

// Another process that takes the database's write lock and keeps it until killed.
async function holdWriteLock(database: string): Promise<ChildProcess> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.exec("UPDATE users SET username = username");
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script, database], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}
