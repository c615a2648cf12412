// What `npm run bench` prints from its measurements: the shapes' table, where a BMC's time went
// (with --timeline), the checks against the targets, and the README's Figures tables in Markdown,
// so one run gives every figure the README shows. Pure: results in, text out.
import { table } from '../src/cli/format.ts';
import type { PhaseResult, ShapeResult } from './shape.ts';
import type { Collector } from './shapes.ts';

const PHASE_TITLES = { first: 'first', again: 'unchanged re-sweep', plain: 'first, no `$expand`' } as const;

/** One sweep of the soak (bench/soak.ts). */
export interface SoakSample {
  readonly sweep: number;
  readonly bmcs: number;
  readonly failed: number;
  readonly changed: number;
  readonly wallMs: number;
  readonly requests: number;
  readonly rssBytes: number;
  readonly heapBytes: number;
  readonly fds: number;
  readonly databaseBytes: number;
}

/** The soak's result, as bench/soak.ts writes it. */
export interface SoakResult {
  readonly size: number;
  readonly samples: readonly SoakSample[];
  readonly checks: Readonly<Record<string, boolean>>;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const thousands = (value: number) => value.toLocaleString('en-GB');

/** The console report of the shapes. */
export function shapesReport(results: readonly ShapeResult[], collector: Collector): string {
  const out: string[] = [];
  out.push(`\ncollector: ${collector.concurrency} BMCs in flight, ${collector.perBmc} requests in flight per BMC, ${collector.budget} requests in flight in all.`);
  out.push('floors: a serial BMC needs requests × latency, another ⌈requests / min(its connections, per-BMC limit)⌉ × latency; the fleet its slowest BMC or all answers × latency / requests in flight.\n');
  for (const result of results) out.push(`  ${result.shape.name.padEnd(14)} ${result.shape.size} BMCs: ${result.shape.title}`);
  const rows = results.flatMap((result) =>
    result.phases.map((phase, index) => {
      const per = (value: number) => (value / result.shape.size).toFixed(1);
      return [
        index === 0 ? result.shape.name : '',
        PHASE_TITLES[phase.phase].replaceAll('`', ''),
        seconds(phase.wallMs),
        seconds(phase.floorMs),
        (phase.wallMs / phase.floorMs).toFixed(2),
        `${phase.bmc.mean.toFixed(2)} / ${phase.bmc.p95.toFixed(2)}`,
        per(phase.requests),
        per(phase.bytes / 1024),
        phase.notModified,
        phase.pushes,
        `${per(phase.cpuMs)} (${per(phase.systemMs)})`,
        index === 0 ? result.hostReferenceMs.join('/') : '',
        index === 0 ? `${Math.round(result.peakRssBytes / 1024 / 1024)} MB` : '',
        phase.serial,
        phase.failed,
      ];
    }),
  );
  out.push(`\n${table(['SHAPE', 'SWEEP', 'WALL', 'FLOOR', 'WALL/FLOOR', 'BMC WALL/FLOOR (MEAN / P95)', 'REQ/BMC', 'KB/BMC', '304s', 'PUSHES', 'CPU MS/BMC (KERNEL)', 'HOST REF', 'PEAK RSS', 'SERIAL', 'FAILED'], rows)}`);
  for (const line of hungLines(results)) out.push(`\n${line}`);
  const timed = results.flatMap((result) => result.phases.filter((phase) => phase.timeline).map((phase) => ({ result, phase, split: phase.timeline! })));
  if (timed.length > 0) {
    const ms = (value: number) => value.toFixed(0);
    out.push(
      "\nwhere a BMC's wall went, mean ms per BMC: all its lanes busy; lanes free with reads queued (the fleet budget); lanes free, nothing queued (the crawl had no read ready); nothing on the wire, nothing queued (BMC idle); gaps: answers that left nothing on the wire, and the ms until the next request",
    );
    out.push(
      table(
        ['SHAPE', 'SWEEP', 'START', 'BUSY', 'FLEET WAIT', 'CRAWL WAIT', 'IDLE', 'END', 'GAPS', 'GAP MS', 'SENT BESIDE ANOTHER'],
        timed.map(({ result, phase, split }) => [result.shape.name, PHASE_TITLES[phase.phase].replaceAll('`', ''), ms(split.start), ms(split.busy), ms(split.fleetWait), ms(split.crawlWait), ms(split.idle), ms(split.end), split.gaps.toFixed(1), ms(split.gapMs), split.stacked.toFixed(1)]),
      ),
    );
  }
  out.push('\nhost reference: a fixed JSON workload before/after each shape, CPU ms; lower is a faster host. SERIAL: BMCs found to answer one request at a time.');
  return out.join('\n');
}

function hungLines(results: readonly ShapeResult[]): string[] {
  return results.flatMap((result) =>
    result.phases.flatMap((phase) =>
      phase.hung.map((bmc) => `${result.shape.name}: ${bmc.name} ended ${bmc.outcome}${bmc.errorKind ? ` (${bmc.errorKind})` : ''} after ${seconds(bmc.ms)}; the sweep took ${seconds(phase.wallMs)} against ${seconds(phase.floorMs)} for the others`),
    ),
  );
}

/** The checks against the targets (README, Figures): what each measures, and whether it was met. */
export function checks(results: readonly ShapeResult[], soak?: SoakResult): [string, boolean][] {
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
  for (const [what, ok] of Object.entries(soak?.checks ?? {})) out.push([`soak: ${what}`, ok]);
  return out;
}

/** The checks as lines. */
export function checkLines(list: readonly [string, boolean][]): string {
  return list.map(([what, ok]) => `${ok ? 'met    ' : 'MISSED '} ${what}`).join('\n');
}

/**
 * The README's Figures tables for this run, in Markdown: every shape's sweeps (CPU beside the host
 * reference of the same shape's process), the hung BMC, and the soak's sweeps.
 */
export function readmeTables(results: readonly ShapeResult[], soak?: SoakResult): string {
  const out: string[] = [];
  if (results.length > 0) {
    out.push('| shape | BMCs | sweep | wall | floor | wall/floor | per-BMC wall/floor (mean / p95) | requests/BMC | KB/BMC | 304s | pushes | CPU ms/BMC (host ref) | peak RSS |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const result of results) {
      result.phases.forEach((phase, index) => {
        const per = (value: number) => (value / result.shape.size).toFixed(1);
        out.push(
          `| ${index === 0 ? `\`${result.shape.name}\`` : ''} | ${index === 0 ? thousands(result.shape.size) : ''} | ${PHASE_TITLES[phase.phase]} | ${seconds(phase.wallMs)} | ${seconds(phase.floorMs)} | ${(phase.wallMs / phase.floorMs).toFixed(2)} | ${phase.bmc.mean.toFixed(2)} / ${phase.bmc.p95.toFixed(2)} | ${per(phase.requests)} | ${per(phase.bytes / 1024)} | ${phase.notModified > 0 ? thousands(phase.notModified) : '—'} | ${phase.pushes === 0 && phase.phase === 'again' ? '**0**' : thousands(phase.pushes)} | ${per(phase.cpuMs)} (${result.hostReferenceMs.join('/')}) | ${index === 0 ? `${Math.round(result.peakRssBytes / 1024 / 1024)} MB` : ''} |`,
        );
      });
    }
    for (const line of hungLines(results)) out.push(`\n${line}.`);
  }
  if (soak && soak.samples.length > 0) {
    const picked = soak.samples.filter((sample, index) => index < 2 || sample.sweep % 10 === 0 || sample.sweep === 5 || index === soak.samples.length - 1);
    out.push(`\nSoak: the daemon over ${soak.samples.length} sweeps of ${thousands(soak.size)} BMCs.\n`);
    out.push('| sweep | BMCs swept | failed | changed | wall | requests/BMC | RSS | live heap | open fds | SQLite |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const sample of picked) {
      out.push(`| ${sample.sweep} | ${thousands(sample.bmcs)} | ${sample.failed} | ${sample.changed} | ${seconds(sample.wallMs)} | ${(sample.requests / Math.max(1, sample.bmcs)).toFixed(1)} | ${mb(sample.rssBytes)} MB | ${mb(sample.heapBytes)} MB | ${sample.fds} | ${mb(sample.databaseBytes)} MB |`);
    }
  }
  return out.join('\n');
}
