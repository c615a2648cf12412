// `npm run bench`: a full sweep of a simulated fleet into an embedded registry, then an unchanged
// re-sweep, measured against the floor the BMCs' own latency sets. Not part of the test suite.
//
//   npm run bench -- --size 1000 --latency 40 --jitter 20 --concurrency 64 --requests 64 --per-bmc 2
//   npm run bench -- --size 10000 --expand auto --json bench/results-10k.json
//
// The collector runs in this process with the daemon's V8 setting (--max-semi-space-size=16, see
// examples/redfish-enlist.service): by default V8 lets the young generation grow past 100 MB under
// a sweep's allocation rate, which is most of the peak RSS and none of the live data (~30 MB).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { table } from '../src/cli/format.ts';
import { Store } from '../src/registry/store.ts';
import type { BmcConfig } from '../src/sweep/config.ts';
import { EmbeddedTarget } from '../src/sweep/embedded-target.ts';
import { runSweep, type SweepReport } from '../src/sweep/sweep.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '40' },
    jitter: { type: 'string', default: '20' },
    connections: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    requests: { type: 'string', default: '64' },
    'per-bmc': { type: 'string', default: '2' },
    mix: { type: 'string' },
    expand: { type: 'string', default: 'both' },
    json: { type: 'string' },
    'first-only': { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const latencyMs = Number(values.latency);
const jitterMs = Number(values.jitter);
const concurrency = Number(values.concurrency);
const perBmc = Number(values['per-bmc']);
// The fleet's request budget: what the global limit and the BMCs in flight allow together.
const budget = Math.min(Number(values.requests), concurrency * perBmc);

interface Phase {
  readonly name: string;
  readonly wallMs: number;
  readonly floorMs: number;
  readonly requests: number;
  readonly bytes: number;
  readonly notModified: number;
  readonly reused: number;
  readonly pushes: number;
  readonly cpuMs: number;
  /** The part of cpuMs spent in the kernel (sockets, the database's writes). */
  readonly systemMs: number;
  readonly failed: number;
}

const server = spawn(process.execPath, [join(import.meta.dirname, 'fleet-server.ts'), JSON.stringify({ size, latencyMs, jitterMs, connections: Number(values.connections), ...(values.mix ? { mix: values.mix.split(',').map(Number) } : {}), ...(size > 5000 ? { basePort: 20_000 } : {}) })], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
const next = async () => JSON.parse(String((await lines.next()).value)) as unknown;
const fleet = (await next()) as { trees: string[]; bmcs: { name: string; url: string; username: string; password: string }[] };
const bmcs: BmcConfig[] = fleet.bmcs.map((bmc) => ({ name: bmc.name, address: bmc.url, username: bmc.username, password: bmc.password, credentials: 'sim', tls: { mode: 'verify' }, tags: [], client: {}, discovered: false }));


async function phase(name: string, expand: 'auto' | 'off'): Promise<{ phase: Phase; report: SweepReport; store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const store = new Store(join(dir, 'registry.db'));
  const result = await sweepInto(name, store, expand);
  return { ...result, store, dir };
}

async function sweepInto(name: string, store: Store, expand: 'auto' | 'off'): Promise<{ phase: Phase; report: SweepReport }> {
  const pushesBefore = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM commissioning_results')!.n;
  const cpu = process.cpuUsage();
  const report = await runSweep(bmcs, new EmbeddedTarget(store), store, {
    concurrency,
    maxRequests: budget,
    fullReadEveryMs: 86_400_000,
    client: { perBmcConcurrency: perBmc, expand, requestTimeoutMs: 30_000, bmcDeadlineMs: 600_000 },
  });
  const used = process.cpuUsage(cpu);
  const pushes = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM commissioning_results')!.n - pushesBefore;
  const requests = report.results.reduce((sum, result) => sum + result.requests, 0);
  // The floor (redfish-collection.md, "Numbers worth beating"): each BMC needs ⌈r/c⌉ latency
  // periods at least, and the fleet can have only `budget` requests in flight at once.
  const longest = Math.max(...report.results.map((result) => Math.ceil(result.requests / perBmc)));
  const floorMs = Math.max(longest * latencyMs, (requests * latencyMs) / budget);
  return {
    report,
    phase: {
      name,
      wallMs: report.ms,
      floorMs,
      requests,
      bytes: report.results.reduce((sum, result) => sum + result.bytes, 0),
      notModified: report.results.reduce((sum, result) => sum + result.notModified, 0),
      reused: report.results.reduce((sum, result) => sum + result.reused, 0),
      pushes,
      cpuMs: (used.user + used.system) / 1000,
      systemMs: used.system / 1000,
      failed: report.totals.failed,
    },
  };
}

// The host's speed when the sweeps ran: a fixed JSON workload, timed in CPU ms before and after.
// A shared VM's speed varies (the same workload took 218–444 ms within an hour on the CI machine
// kind), and CPU per BMC moves with it; the reference says which kind of hour a figure comes from.
function hostReference(): number {
  const text = JSON.stringify({ members: Array.from({ length: 2000 }, (_, index) => ({ '@odata.id': `/redfish/v1/Systems/${index}`, value: index * 1.5, name: 'x'.repeat(index % 50) })) });
  const cpu = process.cpuUsage();
  for (let round = 0; round < 150; round++) {
    const parsed = JSON.parse(text) as { members: { value: number }[] };
    parsed.members.sort((a, b) => b.value - a.value);
    JSON.stringify(parsed);
  }
  const used = process.cpuUsage(cpu);
  return Math.round((used.user + used.system) / 1000);
}

const referenceBefore = hostReference();
const phases: Phase[] = [];
const first = await phase('first sweep', 'auto');
phases.push(first.phase);
if (!values['first-only']) phases.push((await sweepInto('re-sweep (unchanged)', first.store, 'auto')).phase);
first.store.close();
rmSync(first.dir, { recursive: true, force: true });
if (values.expand === 'both' && !values['first-only']) {
  const plain = await phase('first sweep, no $expand', 'off');
  phases.push(plain.phase);
  plain.store.close();
  rmSync(plain.dir, { recursive: true, force: true });
}
const referenceAfter = hostReference();
// The kernel's high-water mark of the process's resident memory (getrusage), so no sampler runs
// on the collector's CPU.
const peakRss = process.resourceUsage().maxRSS * 1024;
server.stdin!.end();

const per = (value: number) => (value / size).toFixed(1);
console.log(`\n${size} simulated BMCs (${fleet.trees.join(', ')}), latency ${latencyMs} ± ${jitterMs} ms, ${values.connections} connections per BMC;`);
console.log(`collector: ${concurrency} BMCs in flight, ${perBmc} requests in flight per BMC, ${budget} requests in flight in all.\n`);
console.log(
  table(
    ['PHASE', 'WALL', 'FLOOR', 'WALL/FLOOR', 'REQ/BMC', 'KB/BMC', '304s', 'REUSED/BMC', 'PUSHES', 'CPU MS/BMC', '(KERNEL)', 'FAILED'],
    phases.map((p) => [p.name, `${(p.wallMs / 1000).toFixed(1)} s`, `${(p.floorMs / 1000).toFixed(1)} s`, (p.wallMs / p.floorMs).toFixed(2), per(p.requests), per(p.bytes / 1024), p.notModified, per(p.reused), p.pushes, per(p.cpuMs), per(p.systemMs), p.failed]),
  ),
);
console.log(`\npeak RSS of the collector: ${Math.round(peakRss / 1024 / 1024)} MB`);
console.log(`host reference (a fixed JSON workload, CPU ms; lower is a faster host): ${referenceBefore} before, ${referenceAfter} after`);
const [full, again] = phases;
const checks = [
  [`wall/floor ≤ 1.25`, full!.wallMs / full!.floorMs <= 1.25],
  [`CPU ≤ 15 ms per BMC (first sweep)`, full!.cpuMs / size <= 15],
  ...(again
    ? ([
        [`re-sweep pushes nothing`, again.pushes === 0],
        [`re-sweep costs at most half the requests`, again.requests <= full!.requests / 2],
      ] as const)
    : []),
  ...(size >= 10_000 ? [[`peak RSS ≤ 400 MB at 10,000 BMCs`, peakRss <= 400 * 1024 * 1024] as const] : []),
] as const;
for (const [what, ok] of checks) console.log(`${ok ? 'met    ' : 'MISSED '} ${what}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ size, latencyMs, jitterMs, concurrency, perBmc, requestBudget: budget, trees: fleet.trees, phases, peakRssBytes: peakRss, hostReferenceMs: [referenceBefore, referenceAfter], checks: Object.fromEntries(checks) }, null, 2)}\n`);
