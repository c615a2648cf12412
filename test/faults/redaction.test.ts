// Passwords that are also path words: with the BMC password `redfish` (or `v1`), nothing that
// names a path may read `/[redacted]/v1/…`, and the password must still appear nowhere a BMC echoed
// it. A fleet is swept through the command line (table, JSON report, debug logs), then the registry's
// web pages are read. A summary line per case is printed at the end: held or not.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadTrees, startFleet } from '../../src/redfish/simulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { webPages } from '../helpers/web-pages.ts';
import { summarise, type Verdicts } from './summary.ts';

const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('Password redaction', verdicts));

const DELL_SYSTEM = '/redfish/v1/Systems/System.Embedded.1';

describe('a BMC password that is also a word of every path', () => {
  for (const password of ['redfish', 'v1']) {
    it(`holds against: the BMC password ${JSON.stringify(password)}`, async () => {
      try {
        verdicts.push({ fault: `the BMC password ${JSON.stringify(password)}`, held: true, detail: await sweepAndRead(password) });
      } catch (error) {
        verdicts.push({ fault: `the BMC password ${JSON.stringify(password)}`, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
        throw error;
      }
    }, 60_000);
  }
});

async function sweepAndRead(password: string): Promise<string> {
  const fleet = await startFleet({ trees: await loadTrees(['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'lenovo-sr650v2-xcc'].map((tree) => join(FIXTURES, tree))), tls: false, credentials: { username: 'admin', password } });
  const dir = mkdtempSync(join(tmpdir(), 'redaction-'));
  cleanups.push(() => fleet.close(), () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pw'), `${password}\n`);
  writeFileSync(
    join(dir, 'config.yaml'),
    `target: { kind: embedded, database: registry.db }
credentials: { sim: { username: admin, passwordFile: pw } }
defaults: { expand: off }
log: { level: debug }
bmcs:
${fleet.bmcs.map((bmc, index) => `  - { name: bmc-${index}, address: "${bmc.url}", credentials: sim }`).join('\n')}
`,
  );
  const sweep = () => runCli(['sweep', '--config', join(dir, 'config.yaml'), '--no-progress', '--json', join(dir, 'report.json')]);
  expect((await sweep()).stdout).toMatch(/3 created/);

  const [dell, hpe] = fleet.bmcs;
  const inventory = await runCli(['inventory', dell!.url, '-u', 'admin', '--format', 'json'], { env: { REDFISH_PASSWORD: password } });
  expect(JSON.parse(inventory.stdout).system).toBe(DELL_SYSTEM);
  expect(inventory.stdout).not.toContain('[redacted]');
  const basic = Buffer.from(`admin:${password}`).toString('base64');
  // The HPE refuses its systems, quoting the request back: the password, the basic-auth header.
  const echo = `Login for admin with password ${password} refused (Authorization: Basic ${basic}); see /redfish/v1/SessionService/Sessions`;
  hpe!.setFaults([{ path: /^\/redfish\/v1\/Systems/, afterAuth: true, action: { type: 'status', status: 400, body: { error: { code: 'Base.1.8.GeneralError', message: echo } } } }]);
  // The Dell links its memory through a URL with the credentials in it.
  const system = (await (await fetch(`${dell!.url}${DELL_SYSTEM}`, { headers: { authorization: `Basic ${basic}` } })).json()) as Record<string, unknown>;
  dell!.setResource(DELL_SYSTEM, { ...system, Memory: { '@odata.id': `http://admin:${password}@evil.example${DELL_SYSTEM}/Memory` } });

  const second = await sweep();
  expect(second.stdout).toMatch(/^bmc-1\s+failed\s+bad-response/m);
  const report = readFileSync(join(dir, 'report.json'), 'utf8');
  const pages = await webPages(join(dir, 'registry.db'));
  const outputs = { table: second.stdout, logs: second.stderr, report, pages };

  for (const [name, text] of Object.entries(outputs)) {
    // Paths are whole…
    expect(text, name).not.toMatch(/\/\[redacted\]\/|\[redacted\]\/v1|\/\[redacted\]"/);
    // …and the echoed credentials are gone.
    expect(text, name).not.toContain(basic);
    expect(text, name).not.toContain(`password ${password} `);
    expect(text, name).not.toContain(`admin:${password}@`);
  }
  expect(outputs.logs).toContain(`"path":"${DELL_SYSTEM}"`); // debug lines name the paths read
  for (const name of ['table', 'report', 'pages'] as const) expect(outputs[name], name).toMatch(/Login for admin with password \[redacted\] refused \(Authorization: Basic \[redacted\]\); see \/redfish\/v1\/SessionService\/Sessions/);
  expect(outputs.report).toContain(`refused link http://[redacted]@evil.example${DELL_SYSTEM}/Memory`);
  expect(outputs.report).toContain(`${DELL_SYSTEM}: could not read memory (refused-link`);
  return 'paths whole; echoes redacted';
}

describe('a BMC password that is also a word of the machine\'s own data', () => {
  it('holds against: the BMC password "PowerEdge" read by `inventory` (the model is shown whole)', async () => {
    const fault = 'the BMC password "PowerEdge", by inventory';
    try {
      const fleet = await startFleet({ trees: await loadTrees([join(FIXTURES, 'dell-r750-idrac9')]), tls: false, credentials: { username: 'admin', password: 'PowerEdge' } });
      cleanups.push(() => fleet.close());
      const read = await runCli(['inventory', fleet.bmcs[0]!.url, '-u', 'admin'], { env: { REDFISH_PASSWORD: 'PowerEdge' } });
      expect(read.code).toBe(0);
      expect(read.stdout).toMatch(/PowerEdge R750/);
      expect(read.stdout).not.toContain('[redacted]');
      verdicts.push({ fault, held: true, detail: 'the machine\'s data as the BMC reports it' });
    } catch (error) {
      verdicts.push({ fault, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
      throw error;
    }
  });
});
