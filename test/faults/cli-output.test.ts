// What the command line prints when its reader or its BMCs misbehave: a reader that goes away
// (`… | head`) ends the output quietly. A summary line per case is printed at the end: held or not.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { summarise, type Verdicts } from './summary.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'redfish-enlist.js');
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
let fleet: SimulatedFleet;

beforeAll(async () => {
  fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'dell-r750-idrac9')]), tls: false, credentials: { username: 'admin', password: 'cli-output-pw' } });
});
afterAll(async () => {
  await fleet.close();
  summarise('Command-line output', verdicts);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A case, recording whether it held. */
function fault(name: string, run: () => Promise<string>): void {
  it(`holds against: ${name}`, async () => {
    try {
      verdicts.push({ fault: name, held: true, detail: await run() });
    } catch (error) {
      verdicts.push({ fault: name, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
      throw error;
    }
  }, 30_000);
}

/** Runs the real command with its stdout closed by the reader before anything is printed (`| head` that is done). */
function withClosedStdout(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the command line', () => {
  for (const format of ['summary', 'json']) {
    fault(`inventory --format ${format} | head (the reader goes away)`, async () => {
      const bmc = fleet.bmcs[0]!;
      const { code, stderr } = await withClosedStdout(['inventory', bmc.url, '-u', 'admin', '--password-env', 'BMC_PW', '--format', format], { BMC_PW: 'cli-output-pw' });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(fleet.totals().openSessions).toBe(0);
      return 'ends quietly, exit 0';
    });
  }
});
