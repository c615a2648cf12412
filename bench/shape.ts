// One shape of `npm run bench`, in a process of its own (so its CPU, peak RSS and JIT warm-up are
// its own): starts the fleet, sweeps it into an embedded registry in the shape's phases, and prints
// one JSON line (ShapeResult) on stdout. Started by bench/fleet.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from '../src/registry/store.ts';
import type { BmcConfig } from '../src/sweep/config.ts';
import { EmbeddedTarget } from '../src/sweep/embedded-target.ts';
import { runSweep, type BmcResult, type SweepReport } from '../src/sweep/sweep.ts';
import type { FleetServerOptions } from './fleet-server.ts';
import { startMockupFleet } from './mockup-fleet.ts';
import { bmcFloorMs, fleetFloorMs, lanes, spread, type Collector, type PhaseName, type Shape } from './shapes.ts';
import { BmcTimeline, meanSplit, splitTime, type TimeSplit } from './timeline.ts';

/** What bench/fleet.ts passes. */
export interface ShapeRequest {
  readonly shape: Shape;
  readonly collector: Collector;
  readonly mix?: readonly number[];
  /** Record every request's steps and report where each BMC's time went. */
  readonly timeline?: boolean;
}

/** One sweep of a shape. */
export interface PhaseResult {
  readonly phase: PhaseName;
  readonly wallMs: number;
  /** The floor of the BMCs that did not hang. */
  readonly floorMs: number;
  /** Each BMC's wall against its own floor (BMCs that hung or failed left out). */
  readonly bmc: { readonly mean: number; readonly p95: number; readonly max: number };
  readonly requests: number;
  readonly bytes: number;
  readonly notModified: number;
  readonly reused: number;
  readonly pushes: number;
  readonly cpuMs: number;
  readonly systemMs: number;
  readonly failed: number;
  /** BMCs the collector found to answer one request at a time. */
  readonly serial: number;
  /** The hung BMCs: how each ended and when. */
  readonly hung: readonly { readonly name: string; readonly outcome: string; readonly errorKind?: string; readonly ms: number }[];
  /** Where a measured BMC's wall went, on average (with --timeline). */
  readonly timeline?: TimeSplit;
}

/** Everything one shape measured. */
export interface ShapeResult {
  readonly shape: Shape;
  readonly collector: Collector;
  readonly trees: readonly string[];
  readonly phases: readonly PhaseResult[];
  readonly peakRssBytes: number;
  readonly hostReferenceMs: readonly [number, number];
}

const request = JSON.parse(process.argv[2] ?? '{}') as ShapeRequest;
const { shape, collector } = request;
const work = mkdtempSync(join(tmpdir(), `bench-${shape.name}-`));
const fleet = shape.server === 'dmtf' ? await startMockupFleet(shape.size, shape.latency.fixedMs, join(work, 'trees')) : await simulatorFleet();
const bmcs: BmcConfig[] = fleet.bmcs.map((bmc) => ({ name: bmc.name, address: bmc.url, username: bmc.username, password: bmc.password, credentials: 'sim', tls: { mode: 'verify' }, tags: [], client: {}, discovered: false }));
const indexOf = new Map(bmcs.map((bmc, index) => [bmc.address, index]));
const hung = new Set(shape.hung);

async function simulatorFleet() {
  const options: FleetServerOptions = {
    size: shape.size,
    latencyMs: shape.latency.fixedMs,
    jitterMs: shape.latency.jitterMs,
    ...(shape.latency.tail ? { tail: shape.latency.tail } : {}),
    connections: shape.connections,
    keepAlive: shape.keepAlive,
    ...(shape.slow ? { slow: shape.slow } : {}),
    hung: shape.hung,
    ...(request.mix ? { mix: request.mix } : {}),
    ...(shape.size > 5000 ? { basePort: 20_000 } : {}),
  };
  const server = spawn(process.execPath, [join(import.meta.dirname, 'fleet-server.ts'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
  const described = JSON.parse(String((await lines.next()).value)) as { trees: string[]; bmcs: { name: string; url: string; username: string; password: string }[] };
  return { ...described, close: async () => void server.stdin!.end() };
}

async function sweep(phase: PhaseName, store: Store): Promise<PhaseResult> {
  const pushesBefore = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM commissioning_results')!.n;
  const timelines = new Map<string, BmcTimeline>();
  const traced = request.timeline
    ? {
        trace: (bmc: BmcConfig) => {
          const timeline = new BmcTimeline();
          timelines.set(bmc.address, timeline);
          return timeline.trace;
        },
        onResult: (result: BmcResult) => {
          const timeline = timelines.get(result.address);
          if (timeline) timeline.endedAt = performance.now();
        },
      }
    : {};
  const cpu = process.cpuUsage();
  const report = await runSweep(bmcs, new EmbeddedTarget(store), store, {
    ...traced,
    concurrency: collector.concurrency,
    maxRequests: collector.budget,
    fullReadEveryMs: 86_400_000,
    client: { perBmcConcurrency: collector.perBmc, expand: phase === 'plain' ? 'off' : 'auto', requestTimeoutMs: shape.requestTimeoutMs, bmcDeadlineMs: shape.bmcDeadlineMs },
  });
  const used = process.cpuUsage(cpu);
  return measure(phase, report, used, store.get<{ n: number }>('SELECT COUNT(*) AS n FROM commissioning_results')!.n - pushesBefore, timelines);
}

function measure(phase: PhaseName, report: SweepReport, used: NodeJS.CpuUsage, pushes: number, timelines: ReadonlyMap<string, BmcTimeline>): PhaseResult {
  const index = (result: BmcResult) => indexOf.get(result.address)!;
  const healthy = report.results.filter((result) => !hung.has(index(result)));
  const measured = healthy.filter((result) => result.outcome !== 'failed' && result.requests > 0);
  const sum = (pick: (result: BmcResult) => number) => report.results.reduce((total, result) => total + pick(result), 0);
  const phaseResult: PhaseResult = {
    phase,
    wallMs: report.ms,
    floorMs: fleetFloorMs(shape, collector, healthy.map((result) => ({ index: index(result), requests: result.requests }))),
    bmc: spread(measured.map((result) => result.ms / bmcFloorMs(shape, collector, index(result), result.requests))),
    requests: sum((result) => result.requests),
    bytes: sum((result) => result.bytes),
    notModified: sum((result) => result.notModified),
    reused: sum((result) => result.reused),
    pushes,
    cpuMs: (used.user + used.system) / 1000,
    systemMs: used.system / 1000,
    failed: healthy.filter((result) => result.outcome === 'failed').length,
    serial: report.results.filter((result) => result.serial).length,
    hung: report.results.filter((result) => hung.has(index(result))).map((result) => ({ name: result.name, outcome: result.outcome, ...(result.errorKind ? { errorKind: result.errorKind } : {}), ms: result.ms })),
  };
  const split = meanSplit(measured.flatMap((result) => {
    const timeline = timelines.get(result.address);
    return (timeline && splitTime(timeline, lanes(shape, collector))) ?? [];
  }));
  return split ? { ...phaseResult, timeline: split } : phaseResult;
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

const before = hostReference();
const phases: PhaseResult[] = [];
let store: Store | undefined;
for (const phase of shape.phases) {
  // A first sweep starts from an empty registry; a re-sweep uses the one before it.
  if (phase !== 'again' || !store) {
    store?.close();
    store = new Store(join(mkdtempSync(join(work, 'registry-')), 'registry.db'));
  }
  process.stderr.write(`  ${shape.name}: ${phase} sweep of ${shape.size} BMCs …\n`);
  phases.push(await sweep(phase, store));
}
store?.close();
const after = hostReference();
// The kernel's high-water mark of the process's resident memory (getrusage), so no sampler runs
// on the collector's CPU.
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
await fleet.close();
rmSync(work, { recursive: true, force: true });
const result: ShapeResult = { shape, collector, trees: fleet.trees, phases, peakRssBytes, hostReferenceMs: [before, after] };
process.stdout.write(`${JSON.stringify(result)}\n`);
