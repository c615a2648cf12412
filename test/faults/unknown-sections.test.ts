// Sections a BMC would not give, shown as unknown everywhere: with Storage answering 503, Memory
// hanging and Processors sending bad JSON, a sweep said "8 created, 0 failed" and nothing else, and
// the web page showed "— in 0 disks" and the BMC "ok". Each case sweeps with the CLI, then reads the
// table and summary, the web pages (listing, machine page, BMCs page) and /metrics' figures, and
// checks that the machine is incomplete in each, with the cause. A summary line per case at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findUser, serveRegistry, Store, type RegistryServer } from '../../src/registry/index.ts';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { SweepMetrics } from '../../src/sweep/metrics.ts';
import type { SweepReport } from '../../src/sweep/sweep.ts';
import { createSession, webInterface } from '../../src/web/index.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { tableRows, textOf } from '../web/page-html.ts';
import { recordVerdict, summarise, type Verdicts } from './summary.ts';

const PASSWORD = 'unknown-sections-pw';
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('Unreadable sections', verdicts));

function unknownCase(name: string, run: () => Promise<string>): void {
  it(`holds against: ${name}`, () => recordVerdict(verdicts, name, run));
}

// A fleet of the three fixtures, and a configuration for its first `size` BMCs.
async function setup(trees: readonly string[]): Promise<{ fleet: SimulatedFleet; dir: string; config: (count: number) => string }> {
  const fleet = await startFleet({ trees: await loadTrees(trees.map((tree) => join(FIXTURES, tree))), size: trees.length, tls: false, credentials: { username: 'admin', password: PASSWORD } });
  const dir = mkdtempSync(join(tmpdir(), 'unknown-sections-'));
  cleanups.push(() => fleet.close(), () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bmc.pw'), `${PASSWORD}\n`);
  const config = (count: number) => {
    const path = join(dir, `config-${count}.yaml`);
    writeFileSync(
      path,
      `target: { kind: embedded, database: registry.db }
credentials: { bmc: { username: admin, passwordFile: bmc.pw } }
deadlines: { connect: 2s, request: 1s, bmc: 30s }
bmcs:
${fleet.bmcs.slice(0, count).map((bmc, index) => `  - { name: bmc-${index}, address: "${bmc.url}", credentials: bmc }`).join('\n')}
`,
    );
    return path;
  };
  return { fleet, dir, config };
}

// The registry's pages as an administrator sees them, served from the sweep's database.
async function pages(database: string): Promise<{ get: (path: string) => Promise<string>; store: Store }> {
  const store = new Store(database);
  const server: RegistryServer = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store) });
  cleanups.push(async () => {
    await server.close();
    store.close();
  });
  const cookie = `rfe-session=${createSession(store, findUser(store, 'admin')!).id}`;
  const get = async (path: string) => {
    const answer = await fetch(`${server.url.replace(/\/MAAS$/, '')}${path}`, { headers: { cookie } });
    expect(answer.status, path).toBe(200);
    return answer.text();
  };
  return { get, store };
}

function metricsOf(report: SweepReport): Promise<string> {
  const metrics = new SweepMetrics();
  metrics.record(report, report.results.length);
  return metrics.registry.metrics();
}

describe('sections a BMC would not give', () => {
  unknownCase('Storage 503, Memory hanging, Processors bad JSON on a machine swept before', async () => {
    const { fleet, dir, config } = await setup(['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'lenovo-sr650v2-xcc']);
    expect((await runCli(['sweep', '--config', config(3), '--no-progress'])).code).toBe(0);
    const broken = fleet.bmcs[0]!;
    broken.setFaults([
      { path: /\/Storage(\/|$)/, action: { type: 'status', status: 503 } },
      { path: /\/Memory(\/|$)/, action: { type: 'hang' } },
      { path: /\/Processors(\/|$)/, action: { type: 'invalid-json' } },
    ]);
    const sweep = await runCli(['sweep', '--config', config(3), '--no-progress', '--json', join(dir, 'report.json')]);
    // The sweep itself: exit 0 (the machine is kept as it was), but the row and the summary say what is missing.
    expect(sweep.code).toBe(0);
    const row = sweep.stdout.split('\n').find((line) => line.startsWith('bmc-0'))!;
    expect(row).toMatch(/^bmc-0 +unchanged +\S+ +cpu, memory, storage /);
    expect(row).toMatch(/cpu unknown: bad-response at \S+Processors.*memory unknown: timeout at \S+Memory.*storage unknown: server at \S+Storage/);
    expect(row).toMatch(/showing the sweep of \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(sweep.stdout).toMatch(/3 BMCs in .*: 0 created, 0 updated, 3 unchanged, 0 skipped, 0 failed; 1 incomplete: cpu unknown on 1, memory on 1, storage on 1\n/);
    // `machines`: the figures an earlier sweep read, each marked kept.
    const listed = await runCli(['machines', '--database', join(dir, 'registry.db')]);
    const dell = listed.stdout.split('\n').find((line) => / Deployed +redfish +\d+ \(kept\)/.test(line));
    expect(dell, listed.stdout).toMatch(/ \d+ \(kept\) +\d+ GiB \(kept\) +[\d.]+ [GT]B \(\d+\) \(kept\) /);

    const { get } = await pages(join(dir, 'registry.db'));
    const machine = tableRows(await get('/'), { className: 'machines' }).find((listed) => listed.text.BMC === 'incomplete')!;
    expect(machine, 'a listed machine whose BMC is incomplete').toBeDefined();
    expect(machine.markup.BMC).toMatch(/title="cpu unknown: bad-response at [^"]*\nmemory unknown: timeout at [^"]*\nstorage unknown: server at /);
    // Its figures are the last sweep's, marked: never 0 disks.
    expect(machine.text.Storage).toMatch(/^3\.84 TB ⚠$/);
    expect(machine.markup.Storage).toMatch(/title="storage unknown: server at [^"]*\(showing the sweep of/);
    const systemId = /href="\/machines\/(\w+)"/.exec(machine.markup['Host name']!)![1]!;
    const page = textOf(await get(`/machines/${systemId}`));
    expect(page).toMatch(/Storage unknown: server at \S+ — showing what the sweep of .* UTC read\. 3\.84 TB in 6 disks/);
    expect(page).toMatch(/Memory unknown: timeout at \S+/);
    expect(page).toMatch(/Unknown sections cpu unknown: bad-response at/);
    const bmc = tableRows(await get('/bmcs'), { className: 'bmcs' })[0]!; // failing first, then incomplete
    expect(bmc.text.Address).toBe(broken.url);
    expect(bmc.text.Outcome).toBe('unchanged incomplete');
    expect(bmc.text.Message).toMatch(/^cpu unknown: bad-response at/);
    expect(await get('/')).toMatch(/<b>1<\/b> incomplete/);

    const metrics = await metricsOf(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as SweepReport);
    expect(metrics).toMatch(/^redfish_enlist_bmcs_incomplete 1$/m);
    for (const section of ['cpu', 'memory', 'storage']) expect(metrics).toMatch(new RegExp(`^redfish_enlist_sections_unknown\\{section="${section}"\\} 1$`, 'm'));
    expect(metrics).toMatch(/^redfish_enlist_sections_unknown\{section="network"\} 0$/m);
    return 'table, summary, listing, machine page, BMCs page and metric all name cpu, memory, storage';
  });

  unknownCase('Storage 503 on a machine never swept before: no disks, never "0 disks"', async () => {
    const { fleet, dir, config } = await setup(['hpe-dl380-gen10-ilo5', 'lenovo-sr650v2-xcc']);
    fleet.bmcs[1]!.setFaults([{ path: /\/Storage(\/|$)/, action: { type: 'status', status: 503 } }]);
    const sweep = await runCli(['sweep', '--config', config(2), '--no-progress']);
    expect(sweep.code).toBe(0);
    expect(sweep.stdout.split('\n').find((line) => line.startsWith('bmc-1'))).toMatch(/^bmc-1 +created +\S+ +storage +.*storage unknown: server at \S+Storage$/);
    expect(sweep.stdout).toMatch(/2 created, .* 0 failed; 1 incomplete: storage unknown on 1\n/);
    // `machines` says it too, never "none" or a size.
    const listed = await runCli(['machines', '--database', join(dir, 'registry.db')]);
    expect(listed.stdout.split('\n').filter((line) => / unknown: server /.test(line))).toHaveLength(1);

    const { get } = await pages(join(dir, 'registry.db'));
    const machine = tableRows(await get('/'), { className: 'machines' }).find((listed) => listed.text.BMC === 'incomplete')!;
    expect(machine.text.Storage).toBe('unknown: server');
    expect(machine.text.Disks).toBe('?');
    expect(machine.markup.Disks).toMatch(/title="storage unknown: server at /);
    const systemId = /href="\/machines\/(\w+)"/.exec(machine.markup['Host name']!)![1]!;
    const page = textOf(await get(`/machines/${systemId}`));
    expect(page).toMatch(/Storage Storage unknown: server at \S+ — the last sweep could not read it\. Network/);
    expect(page).not.toMatch(/in 0 disks/);
    return 'listing "unknown: server", machine page names the read, no "0 disks"';
  });
});
