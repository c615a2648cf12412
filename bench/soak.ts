// `npm run bench -- --soak`: the daemon, as `redfish-enlist daemon` runs it, over many sweeps of a
// simulated fleet (a 1 s interval, every 50th BMC failing, a few BMCs given a new DIMM before each
// sweep, a full read every minute), with the process's resident memory, live heap (after a full
// GC), open file descriptors and the registry's size on disk printed after every sweep. They must
// stay flat once the first sweeps have filled the registry. Run by bench/fleet.ts with --expose-gc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { table } from '../src/cli/format.ts';
import { loadConfig } from '../src/sweep/config.ts';
import { runDaemon } from '../src/sweep/daemon.ts';
import { openTarget } from '../src/sweep/open.ts';
import type { Logger, SweepReport } from '../src/sweep/sweep.ts';
import type { FleetServerOptions } from './fleet-server.ts';
import type { SoakSample } from './report.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { size: number; sweeps: number; json?: string };
const CHANGED_PER_SWEEP = 10;
const dir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
const database = join(dir, 'registry.db');

const fleetOptions: FleetServerOptions = { size: options.size, latencyMs: 5, jitterMs: 2, connections: 4, failingEvery: 50 };
const server = spawn(process.execPath, [join(import.meta.dirname, 'fleet-server.ts'), JSON.stringify(fleetOptions)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
const answer = async () => JSON.parse(String((await lines.next()).value)) as unknown;
const fleet = (await answer()) as { bmcs: { name: string; url: string; username: string; password: string }[] };

writeFileSync(join(dir, 'password'), `${fleet.bmcs[0]!.password}\n`, { mode: 0o600 });
writeFileSync(
  join(dir, 'redfish-enlist.yaml'),
  stringify({
    target: { kind: 'embedded', database },
    credentials: { sim: { username: fleet.bmcs[0]!.username, passwordFile: 'password' } },
    bmcs: fleet.bmcs.map((bmc) => ({ name: bmc.name, address: bmc.url, credentials: 'sim' })),
    schedule: { interval: '1s', jitter: '0s', fullReadEvery: '1m' },
    deadlines: { request: '10s', bmc: '1m' },
  }),
);

const samples: SoakSample[] = [];
const stop = new AbortController();
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
const HEADERS = ['SWEEP', 'BMCS', 'CHANGED', 'FAILED', 'WALL', 'REQ/BMC', 'RSS', 'HEAP', 'FDS', 'SQLITE'];
const WIDTHS = [5, 5, 7, 6, 7, 7, 7, 7, 4, 8];
const row = (cells: readonly unknown[]) => cells.map((cell, index) => String(cell).padEnd(WIDTHS[index]!)).join('  ').trimEnd();
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)}`;

console.log(`soak: the daemon over ${options.sweeps} sweeps of ${options.size} simulated BMCs (every 50th failing, ${CHANGED_PER_SWEEP} given a new DIMM before each sweep, full read every minute)`);
console.log(row(HEADERS));
const pending: Promise<unknown>[] = [];
await runDaemon({
  loadConfig: () => loadConfig(join(dir, 'redfish-enlist.yaml')),
  open: (config) => openTarget(config.target),
  log: quiet,
  handleSignals: false,
  signal: stop.signal,
  onSweep: (report: SweepReport) => {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      sweep: samples.length + 1,
      bmcs: report.results.length,
      failed: report.totals.failed,
      changed: report.totals.updated,
      wallMs: report.ms,
      requests: report.results.reduce((sum, result) => sum + result.requests, 0),
      rssBytes: memory.rss,
      heapBytes: memory.heapUsed,
      fds: readdirSync('/proc/self/fd').length,
      databaseBytes: size(database) + size(`${database}-wal`),
    };
    samples.push(sample);
    console.log(row([sample.sweep, sample.bmcs, sample.changed, sample.failed, `${(sample.wallMs / 1000).toFixed(1)} s`, (sample.requests / Math.max(1, sample.bmcs)).toFixed(1), mb(sample.rssBytes), mb(sample.heapBytes), sample.fds, mb(sample.databaseBytes)]));
    if (samples.length >= options.sweeps) stop.abort(new Error('soak done'));
    // The next sweep finds some machines changed. The daemon waits its interval meanwhile.
    else pending.push(send(`change ${CHANGED_PER_SWEEP} ${samples.length}`));
  },
});
await Promise.all(pending);
server.stdin!.end();

async function send(line: string): Promise<unknown> {
  server.stdin!.write(`${line}\n`);
  return answer();
}

// Flat: the last five sweeps against sweeps 6–10, once the registry holds every machine.
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const window = (from: number, to: number | undefined, pick: (sample: SoakSample) => number) => median(samples.slice(from, to).map(pick));
const early = (pick: (sample: SoakSample) => number) => window(5, 10, pick);
const late = (pick: (sample: SoakSample) => number) => window(-5, undefined, pick);
const checks: [string, boolean][] = [
  [`RSS flat: last five sweeps ${mb(late((s) => s.rssBytes))} MB against ${mb(early((s) => s.rssBytes))} MB at sweeps 6–10 (≤ +10%)`, late((s) => s.rssBytes) <= early((s) => s.rssBytes) * 1.1],
  [`live heap flat: ${mb(late((s) => s.heapBytes))} MB against ${mb(early((s) => s.heapBytes))} MB (≤ +10%)`, late((s) => s.heapBytes) <= early((s) => s.heapBytes) * 1.1],
  [`open file descriptors flat: ${late((s) => s.fds)} against ${early((s) => s.fds)} (≤ +2)`, late((s) => s.fds) <= early((s) => s.fds) + 2],
  [`SQLite size flat: ${mb(late((s) => s.databaseBytes))} MB against ${mb(early((s) => s.databaseBytes))} MB (≤ +10%)`, late((s) => s.databaseBytes) <= early((s) => s.databaseBytes) * 1.1],
];
if (samples.length < 15) console.log(`\n(only ${samples.length} sweeps: the flatness checks need at least 15 to mean anything)`);
console.log(`\n${table(['', 'CHECK'], checks.map(([what, ok]) => [ok ? 'met' : 'MISSED', what]))}`);
if (options.json) writeFileSync(options.json, `${JSON.stringify({ size: options.size, fleet: fleetOptions, samples, checks: Object.fromEntries(checks) }, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
