// `npm run bench`: sweeps of simulated fleets of several shapes into an embedded registry, each
// measured against the floor its BMCs' own latency sets. Not part of the test suite.
//
//   npm run bench                                   # every shape at 1,000 BMCs (slow: 200, mockup-server: 20)
//   npm run bench -- --shapes today,serial --size 200
//   npm run bench -- --size 10000 --shapes today --json bench/results-10k.json
//   npm run bench -- --soak                         # the daemon over 50 sweeps of 1,000 BMCs
//
// Each shape runs in a process of its own with the daemon's V8 setting (--max-semi-space-size=16,
// see examples/redfish-enlist.service): by default V8 lets the young generation grow past 100 MB
// under a sweep's allocation rate, which is most of the peak RSS and none of the live data.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { table } from '../src/cli/format.ts';
import { mockupServerMissing } from './mockup-fleet.ts';
import type { PhaseResult, ShapeRequest, ShapeResult } from './shape.ts';
import { buildShapes, SHAPE_NAMES, type Collector, type ShapeName } from './shapes.ts';

const PHASE_TITLES = { first: 'first', again: 'unchanged re-sweep', plain: 'first, no $expand' } as const;

const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: SHAPE_NAMES.join(',') },
    size: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '40' },
    jitter: { type: 'string', default: '20' },
    connections: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    requests: { type: 'string', default: '64' },
    'per-bmc': { type: 'string', default: '2' },
    mix: { type: 'string' },
    expand: { type: 'string', default: 'both' },
    'slow-size': { type: 'string', default: '200' },
    'slow-latency': { type: 'string', default: '300' },
    'mockup-size': { type: 'string', default: '20' },
    'hung-deadline': { type: 'string', default: '60' },
    json: { type: 'string' },
    'first-only': { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    sweeps: { type: 'string', default: '50' },
  },
});

// The shapes' processes (and their fleets') keep what Node compiled for the next one, as the CLI does.
const env = { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache') };

if (values.soak) {
  // The soak has its own process, with --expose-gc so its heap figure is the live heap.
  const soak = spawn(process.execPath, ['--max-semi-space-size=16', '--expose-gc', join(import.meta.dirname, 'soak.ts'), JSON.stringify({ size: Number(values.size), sweeps: Number(values.sweeps), json: values.json })], { stdio: 'inherit', env });
  process.exitCode = await new Promise<number>((done) => soak.once('exit', (code) => done(code ?? 1)));
} else {
  await benchShapes();
}

async function benchShapes(): Promise<void> {
  const names = values.shapes.split(',').map((name) => name.trim()) as ShapeName[];
  const unknown = names.filter((name) => !SHAPE_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`--shapes: unknown ${unknown.join(', ')} (expected some of ${SHAPE_NAMES.join(', ')})`);
  const missing = mockupServerMissing();
  if (missing && names.includes('mockup-server')) console.error(`mockup-server shape left out: ${missing}`);
  const shapes = buildShapes(missing ? names.filter((name) => name !== 'mockup-server') : names, {
    size: Number(values.size),
    latencyMs: Number(values.latency),
    jitterMs: Number(values.jitter),
    connections: Number(values.connections),
    plain: values.expand === 'both',
    firstOnly: values['first-only'],
    slowSize: Number(values['slow-size']),
    slowLatencyMs: Number(values['slow-latency']),
    mockupSize: Number(values['mockup-size']),
    hungDeadlineMs: Number(values['hung-deadline']) * 1000,
  });
  const concurrency = Number(values.concurrency);
  const perBmc = Number(values['per-bmc']);
  // The fleet's request budget: what the global limit and the BMCs in flight allow together.
  const collector: Collector = { concurrency, perBmc, budget: Math.min(Number(values.requests), concurrency * perBmc) };
  const mix = values.mix ? values.mix.split(',').map(Number) : undefined;
  const results: ShapeResult[] = [];
  for (const shape of shapes) results.push(await runShape({ shape, collector, ...(mix ? { mix } : {}) }));
  report(results, collector);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ collector, shapes: results, checks: Object.fromEntries(checks(results)) }, null, 2)}\n`);
}

function runShape(request: ShapeRequest): Promise<ShapeResult> {
  const child = spawn(process.execPath, ['--max-semi-space-size=16', join(import.meta.dirname, 'shape.ts'), JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((done, fail) =>
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code === 0 && line) done(JSON.parse(line) as ShapeResult);
      else fail(new Error(`shape ${request.shape.name} exited with ${code}`));
    }),
  );
}

function report(results: readonly ShapeResult[], collector: Collector): void {
  console.log(`\ncollector: ${collector.concurrency} BMCs in flight, ${collector.perBmc} requests in flight per BMC, ${collector.budget} requests in flight in all.`);
  console.log('floors: a serial BMC needs requests × latency, another ⌈requests / min(its connections, per-BMC limit)⌉ × latency; the fleet its slowest BMC or all answers × latency / requests in flight.\n');
  for (const result of results) console.log(`  ${result.shape.name.padEnd(14)} ${result.shape.size} BMCs: ${result.shape.title}`);
  const rows = results.flatMap((result) =>
    result.phases.map((phase, index) => {
      const per = (value: number) => (value / result.shape.size).toFixed(1);
      return [
        index === 0 ? result.shape.name : '',
        PHASE_TITLES[phase.phase],
        `${(phase.wallMs / 1000).toFixed(1)} s`,
        `${(phase.floorMs / 1000).toFixed(1)} s`,
        (phase.wallMs / phase.floorMs).toFixed(2),
        `${phase.bmc.mean.toFixed(2)} / ${phase.bmc.p95.toFixed(2)}`,
        per(phase.requests),
        per(phase.bytes / 1024),
        phase.notModified,
        phase.pushes,
        `${per(phase.cpuMs)} (${per(phase.systemMs)})`,
        index === 0 ? result.hostReferenceMs.join('/') : '',
        index === 0 ? `${Math.round(result.peakRssBytes / 1024 / 1024)} MB` : '',
        phase.failed,
      ];
    }),
  );
  console.log(`\n${table(['SHAPE', 'SWEEP', 'WALL', 'FLOOR', 'WALL/FLOOR', 'BMC WALL/FLOOR (MEAN / P95)', 'REQ/BMC', 'KB/BMC', '304s', 'PUSHES', 'CPU MS/BMC (KERNEL)', 'HOST REF', 'PEAK RSS', 'FAILED'], rows)}`);
  for (const result of results) {
    for (const phase of result.phases) {
      for (const bmc of phase.hung) console.log(`\n${result.shape.name}: ${bmc.name} ended ${bmc.outcome}${bmc.errorKind ? ` (${bmc.errorKind})` : ''} after ${(bmc.ms / 1000).toFixed(1)} s; the sweep took ${(phase.wallMs / 1000).toFixed(1)} s against ${(phase.floorMs / 1000).toFixed(1)} s for the others`);
    }
  }
  console.log('\nhost reference: a fixed JSON workload before/after each shape, CPU ms; lower is a faster host.');
  for (const [what, ok] of checks(results)) console.log(`${ok ? 'met    ' : 'MISSED '} ${what}`);
}

function checks(results: readonly ShapeResult[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  const find = (name: string) => results.find((result) => result.shape.name === name);
  const phase = (result: ShapeResult | undefined, name: PhaseResult['phase']) => result?.phases.find((candidate) => candidate.phase === name);
  const today = find('today');
  const first = phase(today, 'first');
  const again = phase(today, 'again');
  if (today && first) {
    out.push([`today: wall/floor ≤ 1.10 (first sweep)`, first.wallMs / first.floorMs <= 1.1]);
    out.push([`today: requests per BMC ≤ 47.9 (first sweep)`, first.requests / today.shape.size <= 47.9]);
    out.push([`today: CPU ≤ 15 ms per BMC (first sweep)`, first.cpuMs / today.shape.size <= 15]);
    if (again) {
      out.push([`today: re-sweep pushes nothing`, again.pushes === 0]);
      out.push([`today: re-sweep costs at most half the requests`, again.requests <= first.requests / 2]);
    }
    if (today.shape.size >= 10_000) out.push([`today: peak RSS ≤ 400 MB at 10,000 BMCs`, today.peakRssBytes <= 400 * 1024 * 1024]);
  }
  const serial = phase(find('serial'), 'first');
  if (serial) out.push([`serial: per-BMC wall/floor ≤ 1.10 (first sweep, mean)`, serial.bmc.mean <= 1.1]);
  for (const result of results) {
    for (const bmc of result.phases.flatMap((candidate) => candidate.hung)) {
      out.push([`${result.shape.name}: the hung BMC ends as a timeout within deadlines.bmc and the logout's 5 s`, bmc.outcome === 'failed' && bmc.errorKind === 'timeout' && bmc.ms <= result.shape.bmcDeadlineMs + 6_000]);
    }
  }
  return out;
}
