// What the command line prints when its reader or its BMCs misbehave: a reader that goes away
// (`… | head`) ends the output quietly; terminal control sequences in what a BMC says (its model
// strings, its own error text) are shown as escapes, never sent to the terminal; a dry run says what
// would happen and writes nothing. A summary line per case is printed at the end: held or not.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { webPages } from '../helpers/web-pages.ts';
import { recordVerdict, summarise, type Verdicts } from './summary.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'redfish-enlist.js');
const PASSWORD = 'cli-output-pw';
const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
// Clear the screen and home the cursor; set the window title; move the cursor up; a C1 CSI; a
// right-to-left override: what a hostile BMC can put in the strings an operator reads.
const HOSTILE = '\u001b[2J\u001b[H|\u001b]0;pwned\u0007|\u001b[10A|\u009b6n|\u202e';
const SHOWN = '\\x1b[2J\\x1b[H|\\x1b]0;pwned\\x07|\\x1b[10A|\\x9b6n|\\u202e';
// Raw control characters other than a line break.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
let fleet: SimulatedFleet;

beforeAll(async () => {
  fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'dell-r750-idrac9')]), size: 2, tls: false, credentials: { username: 'admin', password: PASSWORD } });
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
  it(`holds against: ${name}`, () => recordVerdict(verdicts, name, run), 30_000);
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
      const { code, stderr } = await withClosedStdout(['inventory', bmc.url, '-u', 'admin', '--password-env', 'BMC_PW', '--format', format], { BMC_PW: PASSWORD });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(fleet.totals().openSessions).toBe(0);
      return 'ends quietly, exit 0';
    });
  }

  describe('a BMC whose strings hold terminal control sequences', () => {
    // BMC 0 names itself and its machine with them; BMC 1 puts them in its own error text (it
    // refuses the login, and the collector quotes why).
    beforeAll(async () => {
      const [named, failing] = fleet.bmcs;
      const root = await read(named!.url, '/redfish/v1');
      named!.setResource('/redfish/v1', { ...root, Product: `iDRAC${HOSTILE}`, RedfishVersion: `1.11.0${HOSTILE}` });
      const system = await read(named!.url, SYSTEM);
      named!.setResource(SYSTEM, { ...system, Manufacturer: `Dell${HOSTILE}`, Model: `R750${HOSTILE}` });
      const refusal = { error: { code: 'Base.1.8.GeneralError', message: `refused${HOSTILE}` } };
      failing!.setFaults([{ path: '/redfish/v1/SessionService/Sessions', method: 'POST', action: { type: 'status', status: 401, body: refusal } }]);
    });
    afterAll(() => {
      for (const bmc of fleet.bmcs) bmc.setFaults([]);
    });

    fault('inventory --format summary', async () => {
      const { code, stdout } = await runCli(['inventory', fleet.bmcs[0]!.url, '-u', 'admin', '--format', 'summary'], { env: { REDFISH_PASSWORD: PASSWORD } });
      expect(code).toBe(0);
      expect(stdout).not.toMatch(RAW);
      expect(stdout).toContain(`Dell${SHOWN} R750${SHOWN}`);
      return 'shown as escapes';
    });

    for (const format of ['yaml', 'json']) {
      fault(`inventory --format ${format}`, async () => {
        const { code, stdout } = await runCli(['inventory', fleet.bmcs[0]!.url, '-u', 'admin', '--format', format], { env: { REDFISH_PASSWORD: PASSWORD } });
        expect(code).toBe(0);
        expect(stdout).not.toMatch(RAW);
        // Escaped as the format escapes, so it reads back as the BMC's own string.
        const parsed = format === 'json' ? JSON.parse(stdout) : (await import('yaml')).parse(stdout);
        expect(parsed.identity.model).toBe(`R750${HOSTILE}`);
        return 'escaped; reads back the same';
      });
    }

    fault("inventory of a BMC whose error text holds them", async () => {
      const { code, stderr } = await runCli(['inventory', fleet.bmcs[1]!.url, '-u', 'admin'], { env: { REDFISH_PASSWORD: PASSWORD } });
      expect(code).toBe(1);
      expect(stderr).not.toMatch(RAW);
      return 'error shown with escapes';
    });

    fault('discover', async () => {
      const port = new URL(fleet.bmcs[0]!.url).port;
      const { code, stdout } = await runCli(['discover', '127.0.0.1', '--http', '--port', port]);
      expect(code).toBe(0);
      expect(stdout).not.toMatch(RAW);
      expect(stdout).toContain(`1.11.0${SHOWN}`);
      return 'shown as escapes';
    });

    fault('the sweep table, on a terminal and in a pipe', async () => {
      const { config } = configFor(fleet);
      for (const [env, terminal] of [[{}, {}], [{ NO_COLOR: '1' }, { stdout: 100, stderr: 100 }]] as const) {
        const { stdout, stderr } = await runCli(['sweep', '--config', config, '--no-progress'], { env, terminal });
        expect(stdout).toMatch(/^bmc-1\s+failed\s+auth/m);
        expect(stdout).not.toMatch(RAW);
        expect(stdout.replace(/\s+/g, ' ')).toContain(`refused${SHOWN}`);
        if (terminal.stderr) expect(stderr).not.toMatch(RAW); // log lines as text on a terminal
      }
      // Coloured, the only escape sequences are the table's own colours.
      const coloured = await runCli(['sweep', '--config', config, '--no-progress'], { terminal: { stdout: 100 } });
      expect(coloured.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(RAW);
      return 'shown as escapes';
    });

    fault('the web pages: the machine listing, the machine page and the BMCs page', async () => {
      const { dir, config } = configFor(fleet);
      await runCli(['sweep', '--config', config, '--no-progress']);
      const pages = await webPages(join(dir, 'registry.db'));
      expect(pages).not.toMatch(RAW);
      expect(pages).toContain(`Dell${SHOWN}`);
      expect(pages).toContain(`refused${SHOWN}`);
      return 'shown as escapes';
    });
  });
});

describe('sweep --dry-run', () => {
  let dryFleet: SimulatedFleet;
  beforeAll(async () => {
    dryFleet = await startFleet({ trees: await loadTrees(['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5'].map((tree) => join(FIXTURES, tree))), tls: false, credentials: { username: 'admin', password: PASSWORD } });
  });
  afterAll(() => dryFleet.close());

  fault('--dry-run with a --database that does not exist yet', async () => {
    const { dir, config } = configFor(dryFleet);
    const database = join(dir, 'new', 'registry.db');
    const { code, stdout } = await runCli(['sweep', '--config', config, '--dry-run', '--database', database, '--no-progress']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^bmc-0\s+would create\s/m);
    expect(stdout).not.toMatch(/^\S+\s+created\b|\d created\b/m);
    expect(stdout).toMatch(/^dry run, nothing written: 2 BMCs in .*: 2 would create, 0 would update, 0 unchanged/m);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    // The JSON report keeps the outcome names, under dryRun, each machine saying what would be done.
    const json = await runCli(['sweep', '--config', config, '--dry-run', '--database', database, '--no-progress', '--json', '-']);
    const report = JSON.parse(json.stdout.slice(json.stdout.indexOf('{'))) as { dryRun: boolean; results: { outcome: string; machines: { reason: string }[] }[] };
    expect(report.dryRun).toBe(true);
    expect(report.results.map((result) => [result.outcome, result.machines[0]!.reason])).toEqual([
      ['created', 'would be created (dry run)'],
      ['created', 'would be created (dry run)'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(['config.yaml', 'pw']);
    return 'would create; no file';
  });

  fault('--dry-run against an existing registry', async () => {
    const { dir, config } = configFor(dryFleet);
    const database = join(dir, 'registry.db');
    const files = () => Object.fromEntries(readdirSync(dir).sort().map((name) => [name, `${statSync(join(dir, name)).mtimeMs} ${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}`]));
    const dryRun = async (outcomes: RegExp) => {
      const before = files();
      const dry = await runCli(['sweep', '--config', config, '--dry-run', '--database', database, '--no-progress', '--json', '-']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(outcomes);
      expect(files()).toEqual(before); // not a byte, not a timestamp; no -wal or -shm left
    };
    // A registry with a user and no machines (nor an administrator, whom a real sweep would add).
    expect((await runCli(['users', 'add', 'viewer', '--password-env', 'PW', '--database', database], { env: { PW: 'viewer-password' } })).code).toBe(0);
    await dryRun(/^bmc-0\s+would create\s.*\n^bmc-1\s+would create\s/m);
    expect((await runCli(['sweep', '--config', config, '--no-progress', '--database', database])).stdout).toMatch(/2 created/);
    // One machine loses a DIMM: its BMC would update, the other is unchanged.
    const path = '/redfish/v1/Systems/System.Embedded.1/Memory';
    const memory = await read(dryFleet.bmcs[0]!.url, path);
    dryFleet.bmcs[0]!.setResource(path, { ...memory, Members: (memory.Members as unknown[]).slice(1), 'Members@odata.count': (memory.Members as unknown[]).length - 1 });
    await dryRun(/^bmc-0\s+would update\s.*\n^bmc-1\s+unchanged\s/m);
    // The real sweep then does what the dry run said: nothing of the dry run was kept.
    expect((await runCli(['sweep', '--config', config, '--no-progress', '--database', database])).stdout).toMatch(/^bmc-0\s+updated\s/m);
    return 'would create, would update; file unchanged';
  });
});

/** A configuration for a fleet (plain HTTP), in a folder of its own that the case removes. */
function configFor(bmcs: SimulatedFleet): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-output-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`);
  writeFileSync(
    join(dir, 'config.yaml'),
    `target: { kind: embedded, database: registry.db }
credentials: { sim: { username: admin, passwordFile: pw } }
bmcs:
${bmcs.bmcs.map((bmc, index) => `  - { name: bmc-${index}, address: "${bmc.url}", credentials: sim }`).join('\n')}
`,
  );
  return { dir, config: join(dir, 'config.yaml') };
}

/** A resource of a simulated BMC, read with basic auth. */
async function read(url: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` } });
  return (await response.json()) as Record<string, unknown>;
}
