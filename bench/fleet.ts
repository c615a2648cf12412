// `npm run bench`: sweeps of simulated fleets of several shapes into an embedded registry, each
// measured against the floor its BMCs' own latency sets, then the daemon's soak; at the end the
// checks against the targets and the README's Figures tables for this run. Not part of the tests.
//
//   npm run bench                                   # every shape at 1,000 BMCs (slow: 200, mockup-server: 20), then the soak
//   npm run bench -- --shapes today,serial --size 200 --timeline
//   npm run bench -- --size 10000 --shapes today --json bench/results-10k.json
//   npm run bench -- --soak                         # only the daemon over 50 sweeps of 1,000 BMCs
//
// Each shape runs in a process of its own with the daemon's V8 setting (--max-semi-space-size=16,
// see examples/redfish-enlist.service): by default V8 lets the young generation grow past 100 MB
// under a sweep's allocation rate, which is most of the peak RSS and none of the live data.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { mockupServerMissing } from './mockup-fleet.ts';
import { checkLines, checks, readmeTables, shapesReport, type SoakResult } from './report.ts';
import type { ShapeRequest, ShapeResult } from './shape.ts';
import { buildShapes, SHAPE_NAMES, type Collector, type ShapeName } from './shapes.ts';

const { values } = parseArgs({
  options: {
    shapes: { type: 'string' },
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
    timeline: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    'soak-size': { type: 'string', default: '1000' },
    sweeps: { type: 'string', default: '50' },
  },
});

// The shapes' processes (and their fleets') keep what Node compiled for the next one, as the CLI does.
const env = { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache') };
// With neither --shapes nor --soak, everything; with one of them, only that.
const runShapes = values.shapes !== undefined || !values.soak;
const runSoak = values.soak || values.shapes === undefined;

const concurrency = Number(values.concurrency);
const perBmc = Number(values['per-bmc']);
// The fleet's request budget: what the global limit and the BMCs in flight allow together.
const collector: Collector = { concurrency, perBmc, budget: Math.min(Number(values.requests), concurrency * perBmc) };
const results = runShapes ? await benchShapes() : [];
if (results.length > 0) console.log(shapesReport(results, collector));
const soak = runSoak ? await benchSoak() : undefined;
const list = checks(results, soak);
console.log(`\n${checkLines(list)}`);
console.log(`\nREADME, Figures, from this run:\n\n${readmeTables(results, soak)}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ collector, shapes: results, ...(soak ? { soak } : {}), checks: Object.fromEntries(list) }, null, 2)}\n`);

async function benchShapes(): Promise<ShapeResult[]> {
  const names = (values.shapes ?? SHAPE_NAMES.join(',')).split(',').map((name) => name.trim()) as ShapeName[];
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
  const mix = values.mix ? values.mix.split(',').map(Number) : undefined;
  const measured: ShapeResult[] = [];
  for (const shape of shapes) measured.push(await runShape({ shape, collector, ...(mix ? { mix } : {}), ...(values.timeline ? { timeline: true } : {}) }));
  return measured;
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

// The soak in a process of its own, with --expose-gc so its heap figure is the live heap; it
// prints a line per sweep as it goes and writes its samples for the tables at the end.
async function benchSoak(): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-soak-result-'));
  const file = join(dir, 'soak.json');
  const options = { size: Number(values['soak-size']), sweeps: Number(values.sweeps), json: file };
  const soak = spawn(process.execPath, ['--max-semi-space-size=16', '--expose-gc', join(import.meta.dirname, 'soak.ts'), JSON.stringify(options)], { stdio: 'inherit', env });
  const code = await new Promise<number>((done) => soak.once('exit', (exit) => done(exit ?? 1)));
  if (code !== 0) throw new Error(`the soak exited with ${code}`);
  const result = JSON.parse(readFileSync(file, 'utf8')) as SoakResult;
  rmSync(dir, { recursive: true, force: true });
  return result;
}
