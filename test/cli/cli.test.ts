// The command line as a user runs it, in-process: exit statuses, outputs, and secrets kept out of
// every one of them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { asTyped } from '../../src/cli/main.ts';
import { machineJson } from '../../src/registry/machine-json.ts';
import { listMachines } from '../../src/registry/machines.ts';
import { serveRegistry } from '../../src/registry/serve.ts';
import { Store } from '../../src/registry/store.ts';
import { createApiKey, createUser, formatApiKey } from '../../src/registry/users.ts';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { writeSimulatedSetup } from '../../src/sweep/simulated-setup.ts';
import * as web from '../../src/web/format.ts';
import { runCli } from '../helpers/cli.ts';
import { testCertificate } from '../helpers/server.ts';
import { FIXTURES, SHAPES, treesIn } from '../helpers/mockup.ts';

const PASSWORD = 'S3cr3t-Pa55w0rd!';
const WRONG = 'Wr0ng-Pa55w0rd!';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

let fleet: SimulatedFleet | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fleet = dir = undefined;
});

async function setup(size = 4) {
  fleet = await startFleet({ trees: await loadTrees(treesIn(FIXTURES).map((tree) => join(FIXTURES, tree))), size, credentials: { username: 'admin', password: PASSWORD } });
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  return writeSimulatedSetup(fleet, dir);
}

describe('redfish-enlist sweep', () => {
  it('keeps every password out of output, debug logs, the JSON report and the machine listing', async () => {
    const files = await setup(4);
    // One more BMC, configured with a wrong password: it fails, and says so without the password.
    writeFileSync(join(dir!, 'wrong.password'), `${WRONG}\n`);
    const config = readFileSync(files.config, 'utf8')
      .replace('credentials:', `credentials:\n  wrong:\n    username: admin\n    passwordFile: wrong.password`)
      .replace('include:', `bmcs:\n  - address: ${fleet!.bmcs[0]!.url.replace('127.0.0.1', 'localhost')}\n    credentials: wrong\n    tls: insecure\ninclude:`);
    writeFileSync(files.config, config);
    const sweep = await run(['sweep', '--config', files.config, '--log-level', 'debug', '--json', '-']);
    expect(sweep.code).toBe(1);
    expect(sweep.stdout).toMatch(/auth/);
    expect(sweep.stderr).toMatch(/"level":20/);
    const listing = await run(['machines', '--database', files.database, '--json']);
    for (const text of [sweep.stdout, sweep.stderr, listing.stdout, listing.stderr]) {
      for (const secret of [PASSWORD, WRONG, Buffer.from(`admin:${PASSWORD}`).toString('base64'), Buffer.from(`admin:${WRONG}`).toString('base64')]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(JSON.parse(listing.stdout)).toHaveLength(4);
  });

  it('checks a configuration without contacting anything, and refuses a bad one with status 2', async () => {
    const files = await setup(2);
    const requests = fleet!.totals().requests;
    const ok = await run(['sweep', '--config', files.config, '--check']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain('2 BMCs, target embedded; configuration is valid');
    writeFileSync(join(dir!, 'bad.yaml'), 'bmcs:\n  - address: 10.0.0.1\n    credentials: nobody\n');
    const bad = await run(['sweep', '--config', join(dir!, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bmcs[0].credentials: no credentials named "nobody"');
    expect(fleet!.totals().requests).toBe(requests);
  });

  it('prints a table and exits 0 when every BMC was swept, and lists the machines', async () => {
    const files = await setup(3);
    const first = await run(['sweep', '--config', files.config]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/3 BMCs in .*: 3 created, 0 updated, 0 unchanged, 0 skipped, 0 failed/);
    const listed = await run(['machines', '--database', files.database]);
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trim().split('\n\n')[0]!.split('\n');
    expect(header).toMatch(/^HOSTNAME\s+SYSTEM ID\s+STATUS\s+POWER\s+CPUS\s+MEMORY\s+STORAGE\s+MACS/);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\S+\s+[a-z0-9]{6}\s+Deployed\s+redfish\s+\d+\s+\d+ GiB\s+\d+(\.\d+)? [GT]B \(\d\)/);
    expect(listed.stdout.trim()).toMatch(/\n3 machines$/);
    // Sizes as MAAS shows them, the same text as the web listing's: disks in GB/TB, memory in GiB.
    const store = new Store(files.database);
    for (const machine of listMachines(store)) {
      const json = machineJson(store, machine) as { memory: number; physicalblockdevice_set: { size: number }[] };
      const disks = json.physicalblockdevice_set;
      const row = rows.find((line) => line.startsWith(`${machine.hostname} `))!.split(/\s{2,}/);
      expect(row.slice(5, 7)).toEqual([web.memory(json.memory), `${web.size(disks.reduce((sum, disk) => sum + disk.size, 0))} (${disks.length})`]);
    }
    store.close();
  });

  it('imports a fleet into MAAS with --target maas, and creates nothing the second time', async () => {
    const files = await setup(3);
    const registry = new Store(join(dir!, 'maas.db'));
    const server = await serveRegistry(registry, { port: 0, version: 'cli-e2e' });
    try {
      writeFileSync(join(dir!, 'maas.key'), `${formatApiKey(createApiKey(registry, createUser(registry, 'admin')))}\n`);
      const args = ['sweep', '--config', files.config, '--target', 'maas', '--maas-url', server.url, '--api-key-file', join(dir!, 'maas.key'), '--credentials-dir', join(dir!, 'tokens'), '--database', join(dir!, 'state.db')];
      const first = await run(args);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/3 created/);
      expect(listMachines(registry).map((machine) => machine.status)).toEqual([6, 6, 6]);
      expect(readdirSync(join(dir!, 'tokens'))).toHaveLength(3);
      const again = await run(args);
      expect(again.stdout).toMatch(/0 created, 0 updated, 3 unchanged/);
      expect(listMachines(registry)).toHaveLength(3);
    } finally {
      await server.close();
      registry.close();
    }
  });
});

describe('redfish-enlist inventory', () => {
  it('prints one BMC as a summary and as the MAAS document, pushing nothing', async () => {
    fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'dell-r750-idrac9')]), size: 1, tls: false, credentials: { username: 'root', password: PASSWORD } });
    const address = fleet.bmcs[0]!.url;
    const env = { REDFISH_PASSWORD: PASSWORD };
    const text = await run(['inventory', address, '-u', 'root'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/service tag \w{7}/);
    expect(text.stdout).toContain('2 × Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz — 28 cores, 56 threads each (112 threads), x86_64');
    const document = await run(['inventory', address, '-u', 'root', '--format', 'commissioning'], env);
    expect(JSON.parse(document.stdout)).toMatchObject({ api_version: '1.0', resources: { cpu: { total: 112 } } });
    // The inventory itself, as JSON and as YAML, says the same.
    const json = JSON.parse((await run(['inventory', address, '-u', 'root', '--format', 'json'], env)).stdout);
    expect(json).toMatchObject({ vendor: 'dell', systemId: 'System.Embedded.1' });
    expect(json.cpus).toHaveLength(2);
    expect(parseYaml((await run(['inventory', address, '-u', 'root', '--format', 'yaml'], env)).stdout)).toEqual(json);
    const missing = await run(['inventory', address, '-u', 'root']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('a password is required');
  });
});

describe('redfish-enlist inventory over TLS', () => {
  it('tells a --ca-file that did not sign the certificate so, in flags, not a configuration setting', async () => {
    fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'dell-r750-idrac9')]), size: 1, credentials: { username: 'root', password: PASSWORD } });
    dir = mkdtempSync(join(tmpdir(), 'cli-tls-'));
    writeFileSync(join(dir, 'other-ca.pem'), (await testCertificate()).cert);
    const read = await run(['inventory', fleet.bmcs[0]!.url, '-u', 'root', '--ca-file', join(dir, 'other-ca.pem')], { REDFISH_PASSWORD: PASSWORD });
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/tls|TLS/);
    expect(read.stderr).toContain('the --ca-file given holds no CA that signed it: give the one that did, or --tls pin (or --fingerprint)');
    expect(read.stderr).not.toContain("this BMC's tls");
  });
});

describe('redfish-enlist inventory of a BMC that withholds a section', () => {
  it('says the firmware components are unknown, and why, rather than "0 components" (Supermicro without its licence)', async () => {
    fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'supermicro-x12dpt-bmc')]), size: 1, tls: false, credentials: { username: 'root', password: PASSWORD } });
    const text = await run(['inventory', fleet.bmcs[0]!.url, '-u', 'root'], { REDFISH_PASSWORD: PASSWORD });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}Firmware {2}BIOS .*, components unknown \(licence\)$/m);
    expect(text.stdout).not.toContain('0 components');
  });
});

describe('redfish-enlist inventory on shapes the document corrects', () => {
  it("prints the document's notes in the summary, and the crawl's warnings on stderr", async () => {
    fleet = await startFleet({ trees: await loadTrees([join(SHAPES, 'arm-tray-host-and-module')]), size: 1, tls: false, credentials: { username: 'root', password: PASSWORD } });
    const bmc = fleet.bmcs[0]!;
    const memory = '/redfish/v1/Systems/Module_0/Memory';
    bmc.setResource(memory, { '@odata.id': memory, Members: [{ '@odata.id': `${memory}/CPU_0_LPDDR5X` }], 'Members@odata.nextLink': memory });
    const text = await run(['inventory', bmc.url, '-u', 'root', '--expand', 'off'], { REDFISH_PASSWORD: PASSWORD });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  CPU       2 × Neoverse-V2 — 72 cores, 72 threads each (144 threads), aarch64');
    expect(text.stdout).toMatch(/^ {2}Note {6}merged \/redfish\/v1\/Systems\/Module_0: part of \/redfish\/v1\/Systems\/System_0: its chassis /m);
    expect(text.stderr).toContain(`warning: ${memory}: Members@odata.nextLink loops back to ${memory}; stopped paging`);
    const json = await run(['inventory', bmc.url, '-u', 'root', '--expand', 'off', '--format', 'json'], { REDFISH_PASSWORD: PASSWORD });
    expect(JSON.parse(json.stdout)).toMatchObject({ systemId: 'System_0', architecture: 'aarch64' });
    expect(json.stderr).toContain('warning:');
  });
});

describe('redfish-enlist demo', () => {
  it('sweeps a simulated fleet twice: every machine created Deployed, then nothing changed', async () => {
    const demo = await run(['demo', '--size', '8']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/8 BMCs in .*: 8 created, 0 updated, 0 unchanged, 0 skipped, 0 failed/);
    expect(demo.stdout).toMatch(/\n8 machines\n/);
    // The Supermicro withholds its storage and firmware inventory behind a licence: incomplete, and said so.
    expect(demo.stdout).toMatch(/^sim-\S+-supermicro-x12dpt-bmc +created +\S+ +storage, firmware +\d+ .*storage unknown: licence at \/redfish\/v1\/Systems\/1\/Storage/m);
    expect(demo.stdout).toMatch(/^bt-node2-r14-\S+ +\w+ +Deployed +redfish +64 +256 GiB +unknown: licence /m);
    expect(demo.stdout).toMatch(/8 BMCs in .*: 8 unchanged, 0 created, 0 updated, 0 failed; 1 incomplete: storage unknown on 1, firmware on 1; \d+ answers were 304 Not Modified/);
  });
});

describe('redfish-enlist apikey, discover and --help', () => {
  it('prints a key in MAAS form for a new registry', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const key = await run(['apikey', '--database', join(dir, 'r.db')]);
    expect(key.stdout.trim()).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
  });

  it('finds simulated BMCs in a range and writes a list file', async () => {
    fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'hpe-dl380-gen10-ilo5')]), size: 1 });
    dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const port = new URL(fleet.bmcs[0]!.url).port;
    const found = await run(['discover', '127.0.0.1-127.0.0.3', '--port', port, '--write', join(dir, 'found.yaml'), '--credentials', 'ilo']);
    expect(found.stdout).toMatch(/https:\/\/127\.0\.0\.1:\d+\s+hpe\s+ProLiant DL380 Gen10/);
    expect(found.stdout).toContain(fleet.fingerprint256!);
    expect(found.stdout).toContain('\n1 BMC found; 2 addresses did not answer\n');
    expect(readFileSync(join(dir, 'found.yaml'), 'utf8')).toMatch(/credentials: ilo\n\s+tls:\n\s+mode: pin\n\s+fingerprint: [0-9A-F:]{95}/);
  });

  it('shows help with examples for every command, each as typed in a checkout (npx redfish-enlist)', async () => {
    for (const command of ['sweep', 'daemon', 'inventory', 'discover', 'simulate', 'serve', 'machines', 'apikey', 'demo', 'users add', 'users list', 'users remove', 'users passwd']) {
      const help = await run([...command.split(' '), '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Usage: npx redfish-enlist/);
      expect(help.stdout, command).toContain('Examples:');
      // Every example line runs the command as it can be run here: npx, not a bare name not on PATH.
      expect(help.stdout, command).not.toMatch(/^ {2}(?:[A-Z_]+=\S+ )*redfish-enlist /m);
      expect(help.stdout, command).toMatch(/^ {2}(?:[A-Z_]+=\S+ )*npx redfish-enlist /m);
    }
  });

  it('turns every command line of a help text into npx redfish-enlist, environment prefixes included, and nothing else', () => {
    expect(asTyped('Usage: redfish-enlist sweep [options]\n\nExamples:\n  REDFISH_PASSWORD=… redfish-enlist inventory x\n  redfish-enlist apikey > admin.key\n')).toBe(
      'Usage: npx redfish-enlist sweep [options]\n\nExamples:\n  REDFISH_PASSWORD=… npx redfish-enlist inventory x\n  npx redfish-enlist apikey > admin.key\n',
    );
  });
});
