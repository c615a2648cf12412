// What one hostile BMC can make a sweep spend. Each case sweeps three normal simulated BMCs and one
// hostile BMC of this suite's own (memory-bmc.ts: a tree of millions of links, bodies a parser
// inflates 21-fold, machines no real server could be) with `redfish-enlist sweep` in a child
// process, and checks that the hostile BMC fails with `bad-response` naming the bound it passed,
// the others are created, and the child's peak resident memory stays within the budget the README
// states over the same sweep without the hostile BMC. A summary line per case is printed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { startMemoryBmc, type HostileShape } from './memory-bmc.ts';
import { summarise, type Verdicts } from './summary.ts';

/** What one hostile BMC may add to a sweep's peak resident memory (README, "Fault and abuse suites"). */
const BUDGET_MB = 200;
const MB = 1_000_000;
const CHILD_MS = 40_000;

/** The bound each shape passes, as the report names it. */
const CASES: readonly { shape: HostileShape; bound: RegExp }[] = [
  { shape: 'processor-bomb', bound: /4,096 CPU sockets, more than the 256 a machine may have/ },
  { shape: 'document-bomb', bound: /CPU (cores|threads), more than the [\d,]+ a machine may have/ },
  { shape: 'dimm-pages', bound: /3,000 DIMMs, more than the 2,048 a machine may have/ },
  { shape: 'drive-bomb', bound: /4,200 drives, more than the 2,048 a machine may have/ },
  { shape: 'interface-bomb', bound: /2,000 network interfaces, more than the 512 a machine may have/ },
  { shape: 'pcie-bomb', bound: /4,800 PCI functions, more than the 2,048 a machine may have/ },
  { shape: 'read-flood', bound: /would cost more than the 32 MiB one BMC may in a sweep/ },
  { shape: 'amplifying-bodies', bound: /would cost more than the 32 MiB one BMC may in a sweep/ },
  { shape: 'long-strings', bound: /would cost more than the 32 MiB one BMC may in a sweep/ },
  { shape: 'document-size', bound: /(inventory|output) would be [\d,]+ characters, more than the [\d,]+ one may be/ },
];

let fleet: SimulatedFleet;
let baselineMb: number;
const verdicts: Verdicts = [];
const SWEEP_PEAK = join(import.meta.dirname, 'sweep-peak.ts');

beforeAll(async () => {
  const trees = await loadTrees(['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'lenovo-sr650v2-xcc'].map((tree) => join(FIXTURES, tree)));
  fleet = await startFleet({ trees, size: 3, tls: false, credentials: { username: 'admin', password: 'memory-suite-pw' } });
  baselineMb = (await sweepInChild([])).peakMb;
});
afterAll(async () => {
  await fleet?.close();
  summarise(`One hostile BMC's memory (clean sweep ${Math.round(baselineMb)} MB; budget +${BUDGET_MB} MB)`, verdicts);
});

/** Sweeps the fleet and `extra` BMCs with the CLI in a child process: its exit status, output and peak RSS. */
async function sweepInChild(extra: readonly string[]): Promise<{ code: number; stdout: string; peakMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'memory-faults-'));
  try {
    writeFileSync(join(dir, 'bmc.pw'), 'memory-suite-pw\n');
    const addresses = [...fleet.bmcs.map((bmc) => bmc.url), ...extra];
    writeFileSync(
      join(dir, 'config.yaml'),
      `target: { kind: embedded, database: registry.db }
credentials: { bmc: { username: admin, passwordFile: bmc.pw } }
deadlines: { connect: 5s, request: 30s, bmc: 2m }
bmcs:
${addresses.map((address, index) => `  - { name: ${index < fleet.bmcs.length ? `normal-${index}` : 'hostile'}, address: "${address}", credentials: bmc }`).join('\n')}
`,
    );
    const run = await inChild(['sweep', '--config', join(dir, 'config.yaml'), '--no-progress']);
    return { code: run.code, stdout: run.stdout, peakMb: run.peakMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `redfish-enlist inventory URL --format commissioning` in a child process: its exit status, stderr and peak RSS. */
function inventoryInChild(url: string): Promise<{ code: number; stderr: string; peakMb: number }> {
  return inChild(['inventory', url, '-u', 'admin', '--password-env', 'HOSTILE_PW', '--format', 'commissioning'], { HOSTILE_PW: 'memory-suite-pw' });
}

/**
 * Runs the CLI with ARGS in a child process through sweep-peak.ts: its exit status, output and
 * peak RSS. A command the hostile BMC brings down (heap exhaustion) may take minutes: it is killed
 * after CHILD_MS, which fails the case first.
 */
async function inChild(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; peakMb: number }> {
  const child = spawn(process.execPath, [SWEEP_PEAK, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_MS);
  const output = { stdout: '', stderr: '', measured: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  child.stdio[3]!.on('data', (chunk: Buffer) => (output.measured += chunk.toString()));
  const exit = await new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  clearTimeout(timer);
  if (exit !== 0 || !output.measured) throw new Error(`${args[0]}'s process ended with ${exit} (the CLI exits through sweep-peak.ts with 0): ${(output.stdout + output.stderr).slice(-500)}`);
  const { code, maxRssBytes } = JSON.parse(output.measured) as { code: number; maxRssBytes: number };
  return { code, stdout: output.stdout, stderr: output.stderr, peakMb: maxRssBytes / MB };
}

describe('one hostile BMC read by `inventory`', { timeout: CHILD_MS + 5_000 }, () => {
  it.each(['processor-bomb', 'document-bomb'] as const)('refuses it, naming the bound, before making its document: %s', async (shape) => {
    const hostile = await startMemoryBmc(shape);
    try {
      const read = await inventoryInChild(hostile.url);
      expect(read.code).toBe(1);
      expect(read.stderr).toMatch(/bad-response: \/redfish\/v1\/Systems\/1: the BMC reports [\d,]+ CPU (sockets|cores|threads), more than the [\d,]+ a machine may have/);
      expect(read.peakMb - baselineMb).toBeLessThan(BUDGET_MB);
    } finally {
      await hostile.close();
    }
  });
});

describe('one hostile BMC among normal ones', { timeout: CHILD_MS + 5_000 }, () => {
  for (const { shape, bound } of CASES) {
    it(`fails it, names the bound and stays within the memory budget: ${shape}`, async () => {
      const hostile = await startMemoryBmc(shape);
      try {
        const sweep = await sweepInChild([hostile.url]);
        const rows = sweep.stdout.split('\n');
        expect(sweep.code).toBe(1);
        expect(rows.filter((row) => /^normal-\d +created /.test(row))).toHaveLength(3);
        const row = rows.find((line) => line.startsWith('hostile'));
        expect(row).toMatch(/^hostile +failed .*bad-response/);
        expect(row).toMatch(bound);
        const added = sweep.peakMb - baselineMb;
        expect(added, `peak ${Math.round(sweep.peakMb)} MB against ${Math.round(baselineMb)} MB without it`).toBeLessThan(BUDGET_MB);
        verdicts.push({ fault: shape, held: true, detail: `bad-response; peak +${Math.max(0, Math.round(added))} MB (${Math.round(sweep.peakMb)} MB)` });
      } catch (error) {
        verdicts.push({ fault: shape, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
        throw error;
      } finally {
        await hostile.close();
      }
    });
  }

  it('creates a machine at every bound at once, within the memory budget: at-bounds', async () => {
    const hostile = await startMemoryBmc('at-bounds');
    try {
      const sweep = await sweepInChild([hostile.url]);
      const rows = sweep.stdout.split('\n');
      expect(sweep.code, sweep.stdout).toBe(0);
      expect(rows.filter((row) => /^(normal-\d|hostile) +created /.test(row))).toHaveLength(4);
      const added = sweep.peakMb - baselineMb;
      expect(added, `peak ${Math.round(sweep.peakMb)} MB against ${Math.round(baselineMb)} MB without it`).toBeLessThan(BUDGET_MB);
      verdicts.push({ fault: 'at-bounds', held: true, detail: `created; peak +${Math.max(0, Math.round(added))} MB (${Math.round(sweep.peakMb)} MB)` });
    } catch (error) {
      verdicts.push({ fault: 'at-bounds', held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
      throw error;
    } finally {
      await hostile.close();
    }
  });
});
