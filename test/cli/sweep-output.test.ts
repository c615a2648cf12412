// What an operator sees of a sweep: the table and summary on stdout, progress and log lines on
// stderr. On a terminal: colour (unless NO_COLOR), a progress line naming the BMCs it waits on,
// log lines as text above it, messages wrapped but never cut; in a pipe: plain text and JSON logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { printReport } from '../../src/cli/sweep.ts';
import type { Io } from '../../src/cli/io.ts';
import { loadMockup } from '../../src/redfish/mockup.ts';
import { loadTrees, startBmc, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { capture, runCli } from '../helpers/cli.ts';
import { testCertificate } from '../helpers/server.ts';
import { FIXTURES, SHAPES } from '../helpers/mockup.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs } from '../sweep/fleet.ts';

const PASSWORD = 'Sw33p-0utput-pw';
const ANSI = /\u001b\[[0-9;]*m/;

let fleet: SimulatedFleet | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fleet = dir = undefined;
});

// A fleet of `size` BMCs and a configuration for it; `bmcs` are the YAML entries, by default every
// BMC verified against the fleet's CA.
async function setup(size: number, bmcs?: (urls: readonly string[]) => string, extra = ''): Promise<string> {
  fleet = await startFleet({ trees: await loadTrees(['hpe-dl380-gen10-ilo5', 'lenovo-sr650v2-xcc'].map((tree) => join(FIXTURES, tree))), size, credentials: { username: 'admin', password: PASSWORD } });
  dir = mkdtempSync(join(tmpdir(), 'sweep-output-'));
  writeFileSync(join(dir, 'ca.pem'), fleet.caPem!);
  writeFileSync(join(dir, 'sim.pw'), `${PASSWORD}\n`);
  const urls = fleet.bmcs.map((bmc) => bmc.url);
  const entries = bmcs ? bmcs(urls) : urls.map((url, index) => `  - { name: bmc-${index}, address: "${url}", credentials: sim, tls: { mode: ca, caFile: ca.pem } }`).join('\n');
  writeFileSync(
    join(dir, 'config.yaml'),
    `target: { kind: embedded, database: registry.db }
credentials: { sim: { username: admin, passwordFile: sim.pw } }
deadlines: { connect: 2s, request: 1s, bmc: 30s }
${extra}bmcs:
${entries}
`,
  );
  return join(dir, 'config.yaml');
}

describe('redfish-enlist sweep output', () => {
  it('colours outcomes and error classes on a terminal, and prints plain text with NO_COLOR or in a pipe', async () => {
    const config = await setup(2, (urls) => [`  - { name: good, address: "${urls[0]}", credentials: sim, tls: { mode: ca, caFile: ca.pem } }`, `  - { name: refused, address: "https://127.0.0.1:1", credentials: sim }`].join('\n'));
    const coloured = await runCli(['sweep', '--config', config, '--no-progress'], { terminal: { stdout: 160, stderr: 160 } });
    expect(coloured.code).toBe(1);
    const lines = coloured.stdout.split('\n');
    expect(lines.find((line) => line.startsWith('good'))).toContain('\u001b[32mcreated\u001b[39m');
    expect(lines.find((line) => line.startsWith('refused'))).toMatch(/\u001b\[1m\u001b\[31mfailed|\u001b\[31m\u001b\[1mfailed/);
    expect(lines.find((line) => line.startsWith('refused'))).toContain('\u001b[31munreachable\u001b[39m');
    // Columns line up whatever the colour codes' width.
    const plain = stripVTControlCharacters(coloured.stdout).split('\n');
    expect(plain[0]!.indexOf('OUTCOME')).toBe(plain.find((line) => line.startsWith('good'))!.indexOf('created'));

    for (const [env, terminal] of [[{ NO_COLOR: '1' }, { stdout: 160, stderr: 160 }], [{}, {}]] as const) {
      const again = await runCli(['sweep', '--config', config, '--no-progress'], { env, terminal });
      expect(again.stdout).not.toMatch(ANSI);
      expect(again.stdout).toMatch(/^refused\s+failed\s+unreachable/m);
    }
    expect((await runCli(['sweep', '--config', config, '--no-progress'], { env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
  });

  it('shows done/total, failures and the BMC it waits on by name on a terminal, with log lines as text, never JSON', async () => {
    const config = await setup(4, (urls) => [
      ...urls.map((url, index) => `  - { name: bmc-${index}, address: "${url}", credentials: sim, tls: { mode: ca, caFile: ca.pem } }`),
      `  - { name: nobody-home, address: "https://127.0.0.1:1", credentials: sim }`,
    ].join('\n'));
    // bmc-2 answers everything but its Memory collection, on which it hangs.
    fleet!.bmcs[2]!.setFaults([{ path: /Memory$/, afterAuth: true, action: { type: 'hang' } }]);
    const result = await runCli(['sweep', '--config', config], { terminal: { stderr: 150 } });
    const progress = stripVTControlCharacters(result.stderr);
    expect(progress).toMatch(/sweeping \[[█░]+\] \d\/5 BMCs · 1 failed · waiting on bmc-2 \(\d+\.\d s\)/);
    expect(progress).toMatch(/warn\s+nobody-home: BMC sweep failed {2}kind=unreachable message="GET \/redfish\/v1\/: cannot connect: ECONNREFUSED"/);
    expect(result.stderr).not.toContain('{"level"');
    expect(result.stdout).toMatch(/^bmc-2\s+created/m);
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('writes JSON log lines to stderr and the table to stdout when not on a terminal', async () => {
    const config = await setup(1, (urls) => [`  - { name: good, address: "${urls[0]}", credentials: sim, tls: { mode: ca, caFile: ca.pem } }`, `  - { name: refused, address: "https://127.0.0.1:1", credentials: sim }`].join('\n'));
    const result = await runCli(['sweep', '--config', config]);
    const logs = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; bmc?: string });
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'BMC sweep failed', bmc: 'refused' }));
    expect(result.stdout).not.toContain('{');
    expect(result.stdout.split('\n')[0]).toMatch(/^BMC\s+OUTCOME\s+MACHINES\s+ERROR\s+UNKNOWN\s+REQUESTS\s+TIME\s+MESSAGE$/);
  });

  it('prints a changed certificate with both fingerprints whole, wrapping the message to the terminal', async () => {
    const wrong = Array.from({ length: 32 }, (_, index) => (index * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const config = await setup(1, (urls) => `  - { name: re-keyed, address: "${urls[0]}", credentials: sim, tls: { mode: pin, fingerprint: "${wrong}" } }`);
    for (const width of [100, 60]) {
      const result = await runCli(['sweep', '--config', config], { terminal: { stdout: width } });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(wrong);
      expect(result.stdout).toContain(fleet!.fingerprint256!);
      const [table] = stripVTControlCharacters(result.stdout).split('\n\n');
      for (const line of table!.split('\n')) if (!/[0-9A-F]{2}(:[0-9A-F]{2}){31}/.test(line)) expect(line.length, line).toBeLessThanOrEqual(width);
    }
    // In a pipe the message stays on one line, whole.
    expect((await runCli(['sweep', '--config', config])).stdout).toMatch(new RegExp(`^re-keyed .*certificate changed since it was pinned: pinned ${wrong}, presented ${fleet!.fingerprint256}\\. If the BMC`, 'm'));
  });

  it("says which of this tool's TLS settings trusts a certificate that does not verify", async () => {
    const config = await setup(1, (urls) => `  - { name: own-ca, address: "${urls[0]}", credentials: sim }`);
    const result = await runCli(['sweep', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^own-ca\s+failed\s+tls\s+.*its certificate is self-signed; to trust it, set this BMC's tls to \{mode: ca, caFile: FILE\} with the CA that signed it, or to pin/m);
    expect(result.stdout + result.stderr).not.toMatch(/Node\.js|--use-system-ca/);
  });

  it('tells a BMC already verifying against a CA file that the file did not sign its certificate, not to set what it has', async () => {
    const config = await setup(1, (urls) => `  - { name: other-ca, address: "${urls[0]}", credentials: sim, tls: { mode: ca, caFile: other-ca.pem } }`);
    writeFileSync(join(dir!, 'other-ca.pem'), (await testCertificate()).cert);
    const result = await runCli(['sweep', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^other-ca\s+failed\s+tls\s+.*this BMC's tls caFile holds no CA that signed it: put the CA that did in that file, or pin it/m);
    expect(result.stdout).not.toContain('{mode: ca, caFile: FILE}');
  });

  it("summarises a discovery range's silent addresses in one line instead of a row each", async () => {
    const config = await setup(1, (urls) => [`  - { name: real, address: "${urls[0]}", credentials: sim, tls: { mode: ca, caFile: ca.pem } }`, '  - { discover: 127.0.0.10-127.0.0.40, credentials: sim }'].join('\n'));
    const result = await runCli(['sweep', '--config', config]);
    expect(result.code).toBe(0);
    const [table] = result.stdout.split('\n\n');
    expect(table!.split('\n'), result.stdout).toHaveLength(3);
    expect(table!.split('\n')[1]).toMatch(/^real\s+created/);
    expect(result.stdout).toContain('\n31 addresses of discovery ranges did not answer (not listed; --json lists them)\n');
    expect(result.stdout).toMatch(/32 BMCs in .*: 1 created, 0 updated, 0 unchanged, 31 skipped, 0 failed/);
    // Nor a log line each: the silent addresses are debug lines, not warnings.
    expect(result.stderr).not.toMatch(/127\.0\.0\.(1\d|[23]\d|40)\b/);
  });

  it('reports the BMCs in flight at Ctrl-C as cancelled, not skipped, and exits 130', async () => {
    const config = await setup(3);
    for (const bmc of fleet!.bmcs) bmc.setFaults([{ path: /Memory|Processors/, afterAuth: true, action: { type: 'drip', bytesPerSecond: 500 } }]);
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('SIGINT')), 600);
    const result = await runCli(['sweep', '--config', config], { signal: interrupt.signal });
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/^bmc-0\s+cancelled\s.*cancelled while in flight; nothing was changed$/m);
    expect(result.stdout).not.toMatch(/\bskipped\s/);
    expect(result.stdout).toMatch(/3 BMCs in .*: 0 created, 0 updated, 0 unchanged, 0 skipped, 0 failed, 3 cancelled/);
  });

  it("shows a BMC's warning in its row, beside an unknown section when there is one: a system still Starting after its re-reads, and none for one whose POST state says discovery is complete", async () => {
    const mockup = await loadMockup(join(SHAPES, 'hpe-starting-discovery-complete'));
    const path = '/redfish/v1/Systems/1';
    const { Oem: _, ...silent } = mockup.get(path)!.body as Record<string, unknown>;
    const stuck = await startBmc({ mockup, tls: false, credentials: { username: 'admin', password: PASSWORD } });
    stuck.setResource(path, silent);
    const done = await startBmc({ mockup, tls: false, credentials: { username: 'admin', password: PASSWORD } });
    const registry = temporaryStore();
    try {
      const bmcs = bmcConfigs({ bmcs: [stuck, done] } as unknown as SimulatedFleet).map((bmc, index) => ({ ...bmc, name: ['stuck', 'done'][index]! }));
      const report = await runSweep(bmcs, new EmbeddedTarget(registry.store), registry.store, { concurrency: 2, crawl: { startingDelayMs: 10 } });
      const out = capture();
      printReport({ stdout: out.stream, stderr: capture().stream, env: {} } as unknown as Io, report);
      const rows = out.text().split('\n');
      expect(rows.find((line) => line.startsWith('stuck'))).toMatch(/^stuck\s+(created|unchanged)\s.*warning: \/redfish\/v1\/Systems\/1: still Starting after 3 re-reads over 0 s, and nothing says its inventory is complete: its CPUs, memory or disks may be missing$/);
      expect(rows.find((line) => line.startsWith('done'))).toMatch(/^done\s+(created|unchanged)\s+\S+\s+\d+\s+[\d.]+ m?s$/);

      // An unknown section beside the warning: the row says both, not only the first.
      stuck.setFaults([{ path: /\/Storage\/./, afterAuth: true, action: { type: 'status', status: 404 } }]);
      const fresh = temporaryStore();
      const again = await runSweep(bmcs.slice(0, 1), new EmbeddedTarget(fresh.store), fresh.store, { concurrency: 1, crawl: { startingDelayMs: 10 } }).finally(() => fresh.dispose());
      const second = capture();
      printReport({ stdout: second.stream, stderr: capture().stream, env: {} } as unknown as Io, again);
      const row = second.text().split('\n').find((line) => line.startsWith('stuck'));
      expect(row).toMatch(/^stuck\s.*storage unknown: .*; warning: \/redfish\/v1\/Systems\/1: still Starting after 3 re-reads/);
    } finally {
      await Promise.all([stuck.close(), done.close()]);
      registry.dispose();
    }
  });
});
