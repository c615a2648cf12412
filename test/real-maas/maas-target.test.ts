// The MAAS target against a real MAAS 3.4 region: the example script, fleet sweeps, re-sweeps, a
// changed BMC and token-only pushes, each judged by what MAAS itself then returns. Every scenario
// runs twice: behind nginx (MAAS 3.2+) and against MAAS's Twisted web server directly (3.0/3.1), so
// request framing is checked too (a chunked body reaches Django empty there).
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../src/sweep/sweep.ts';
import {
  addDimm,
  expectedMachine,
  hardwareOf,
  maasView,
  removeDrive,
  startFixtureFleet,
  sweepCli,
  writeMaasConfig,
  type ExpectedMachine,
  type FixtureFleet,
} from './fleet.ts';
import { behind, FRONTS } from './fronts.ts';
import { adminKey, lastSignals, MAAS_URL, maasGet, maasRequest, maasWriteStamp, redfishDriverUrls, resetRegion, RM } from './region.ts';

const run = promisify(execFile);
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'redfish-to-maas.ts');
const ADMIN_KEY_FILE = join(RM, 'admin.key');

interface MachineJson {
  system_id: string;
  hostname: string;
  status_name: string;
}

interface ResultSet {
  results: { name: string; status_name: string }[];
}

/** The system id the sweep reported for BMC INDEX's (only) machine. */
function systemIdOf(report: SweepReport | undefined, index: number): string {
  const id = report?.results[index]?.machines[0]?.systemId;
  if (!id) throw new Error(`no machine for BMC ${index}: ${JSON.stringify(report?.results[index])}`);
  return id;
}

/** `17 rows, updated …` → `17 rows`. */
const rowsOf = (stamp: string | undefined) => stamp?.split(',')[0];

/** The expected machine with one disk pulled and MiB of memory added. */
function changed(expected: ExpectedMachine, change: { removedSerial?: string; addedMiB?: number }): Omit<ExpectedMachine, 'fixture'> {
  const hardware = hardwareOf(expected);
  const disks = hardware.disks.filter((disk) => disk.serial !== change.removedSerial);
  expect(disks.length, `${change.removedSerial} among ${expected.fixture}'s disks`).toBe(hardware.disks.length - (change.removedSerial ? 1 : 0));
  return { ...hardware, disks, memoryMiB: hardware.memoryMiB + (change.addedMiB ?? 0) };
}

describe.each(FRONTS)('the maas target on a real MAAS 3.4 region, served through %s', (front) => {
  behind(front);
  // One BMC per fixture; scenarios that change a BMC's hardware start a fleet of their own.
  let fixture: FixtureFleet;

  beforeAll(async () => {
    fixture = await startFixtureFleet(8);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  // Each scenario starts from a region reset to no machines (the fleet sweep's two share one).
  it('creates the example script’s machine as Deployed with its fixture’s hardware, and finds and updates it the second time', async () => {
    await resetRegion();
    const index = fixture.trees.findIndex((tree) => tree.name === 'dell-r750-idrac9');
    const bmc = fixture.fleet.bmcs[index]!;
    const ca = join(fixture.folder, 'example-ca.pem');
    writeFileSync(ca, fixture.fleet.caPem!);
    const env = { ...process.env, MAAS_URL, MAAS_API_KEY: adminKey(), BMC_PASSWORD: bmc.credentials.password, NODE_EXTRA_CA_CERTS: ca };
    const args = ['--conditions=source', EXAMPLE, bmc.url, bmc.credentials.username];

    const first = await run(process.execPath, args, { env });
    const created = /\ncreated (\S+) \((\w+)\) as Deployed\n/.exec(first.stdout);
    expect(created, first.stdout + first.stderr).not.toBeNull();
    const systemId = created![2]!;
    const view = await maasView(systemId);
    expect(view).toMatchObject({ statusName: 'Deployed', powerType: 'redfish', powerAddress: new URL(bmc.url).host });
    expect(hardwareOf(view)).toEqual(hardwareOf(expectedMachine(fixture, index)));
    const before = await maasWriteStamp();

    const second = await run(process.execPath, args, { env });
    expect(second.stdout).toContain(`\nfound ${view.hostname} (${systemId}), Deployed\npushed hardware information for ${view.hostname}\n`);
    // Updated in MAAS: its script results were written again; no machine or BMC was added.
    const after = await maasWriteStamp();
    expect(after.maasserver_scriptresult).not.toBe(before.maasserver_scriptresult);
    expect([after.maasserver_node, after.maasserver_bmc].map(rowsOf)).toEqual([before.maasserver_node, before.maasserver_bmc].map(rowsOf));
    expect((await maasGet<MachineJson[]>('api/2.0/machines/')).map((machine) => machine.system_id)).toEqual([systemId]);
    expect(hardwareOf(await maasView(systemId))).toEqual(hardwareOf(expectedMachine(fixture, index)));
  });

  describe('a sweep of the fixture fleet, one BMC per fixture, addresses alternately URLs and host:port', () => {
    let first: Awaited<ReturnType<typeof sweepCli>>;
    let config: string;

    beforeAll(async () => {
      await resetRegion();
      config = await writeMaasConfig(fixture, 'fleet', { apiKeyFile: ADMIN_KEY_FILE, style: (index) => (index % 2 === 0 ? 'url' : 'host:port') });
      first = await sweepCli(config);
    });

    it('creates every machine Deployed, each with its fixture’s CPUs, memory, disks, interfaces, PCI devices and hardware information', async () => {
      const { code, report, stdout, stderr } = first;
      expect(report?.totals, stdout + stderr).toMatchObject({ created: 8, failed: 0 });
      expect(code).toBe(0);

      const machines = await maasGet<MachineJson[]>('api/2.0/machines/');
      expect(machines.map((machine) => machine.status_name)).toEqual(Array(8).fill('Deployed'));
      const views = await Promise.all(fixture.fleet.bmcs.map((_, index) => maasView(systemIdOf(report, index))));
      // MAAS's own Redfish driver reaches each BMC at the address the fleet serves it on.
      const driverUrls = await redfishDriverUrls();
      expect(views.map((view) => driverUrls[view.systemId])).toEqual(fixture.fleet.bmcs.map((bmc) => bmc.url));
      for (const [index, view] of views.entries()) {
        const expected = expectedMachine(fixture, index);
        expect({ fixture: expected.fixture, owner: view.owner, powerType: view.powerType, powerAddress: view.powerAddress }).toEqual({
          fixture: expected.fixture,
          owner: 'admin',
          powerType: 'redfish',
          // As MAAS's Redfish driver takes it, whichever way the configuration wrote it: it adds https:// itself.
          powerAddress: new URL(fixture.fleet.bmcs[index]!.url).host,
        });
        expect({ fixture: expected.fixture, ...hardwareOf(view) }).toEqual({ fixture: expected.fixture, ...hardwareOf(expected) });
        const [set] = await maasGet<ResultSet[]>(`api/2.0/nodes/${view.systemId}/results/?type=commissioning`);
        expect(set?.results.find((result) => result.name === '50-maas-01-commissioning')?.status_name).toBe('Passed');
      }
    });

    it('re-sweeps it unchanged without pushing anything or writing anything to MAAS', async () => {
      const ids = fixture.fleet.bmcs.map((_, index) => systemIdOf(first.report, index));
      const before = await maasWriteStamp();
      const again = await sweepCli(config);
      expect(again.code).toBe(0);
      expect(again.report?.totals).toMatchObject({ unchanged: 8, created: 0, updated: 0, failed: 0 });
      expect(await maasWriteStamp()).toEqual(before);
      expect((await maasGet<MachineJson[]>('api/2.0/machines/')).map((machine) => machine.system_id).sort()).toEqual([...ids].sort());
    });
  });

  it('pushes once for a BMC whose disk was pulled and DIMM added, and MAAS shows the machine changed', async () => {
    await resetRegion();
    const changing = await startFixtureFleet(2, ['dell-r750-idrac9', 'lenovo-sr650v2-xcc']);
    try {
      const config = await writeMaasConfig(changing, 'changed', { apiKeyFile: ADMIN_KEY_FILE });
      const first = await sweepCli(config);
      expect(first.report?.totals).toMatchObject({ created: 2, failed: 0 });
      const [dell, lenovo] = [systemIdOf(first.report, 0), systemIdOf(first.report, 1)];
      const signals = await lastSignals();

      const removedSerial = await removeDrive(changing.fleet.bmcs[0]!);
      const addedMiB = await addDimm(changing.fleet.bmcs[0]!);
      const again = await sweepCli(config);
      expect(again.code).toBe(0);
      expect(again.report?.totals).toMatchObject({ updated: 1, unchanged: 1, failed: 0 });
      expect([...(again.report?.results[0]?.machines[0]?.changes ?? [])].sort()).toEqual([
        `DIMM.Socket.Z9 ${addedMiB / 1024} GiB added`,
        expect.stringMatching(new RegExp(`^disk \\S+ removed: .*, serial ${removedSerial}, `)),
      ]);
      // One push: MAAS took a result for the changed machine only.
      const now = await lastSignals();
      expect(now[dell]).not.toBe(signals[dell]);
      expect(now[lenovo]).toBe(signals[lenovo]);
      expect(hardwareOf(await maasView(dell))).toEqual(changed(expectedMachine(changing, 0), { removedSerial, addedMiB }));
      expect(hardwareOf(await maasView(lenovo))).toEqual(hardwareOf(expectedMachine(changing, 1)));
    } finally {
      await changing.close();
    }
  });

  it('pushes with machine tokens alone onto the right machines; a machine’s token is refused for another machine and for every admin call', async () => {
    await resetRegion();
    const changing = await startFixtureFleet(3, ['dell-r750-idrac9', 'huawei-2288hv5-ibmc', 'lenovo-sr650v2-xcc']);
    try {
      const tokens = join(changing.folder, 'tokens');
      const stateDatabase = join(changing.folder, 'state.db');
      const enlist = await writeMaasConfig(changing, 'enlist', { apiKeyFile: ADMIN_KEY_FILE, credentialsDir: tokens, stateDatabase });
      const first = await sweepCli(enlist);
      expect(first.report?.totals).toMatchObject({ created: 3, failed: 0 });
      const ids = [0, 1, 2].map((index) => systemIdOf(first.report, index));
      expect(readdirSync(tokens).sort()).toEqual(ids.map((id) => `${id}.yaml`).sort());

      // Each BMC loses a different disk; the daemon, holding no admin key, pushes each machine's own.
      const removed = await Promise.all(changing.fleet.bmcs.map((bmc) => removeDrive(bmc)));
      const tokenOnly = await writeMaasConfig(changing, 'token-only', { credentialsDir: tokens, stateDatabase });
      expect(readFileSync(tokenOnly, 'utf8')).not.toContain('apiKeyFile');
      const pushed = await sweepCli(tokenOnly);
      expect(pushed.report?.totals, pushed.stdout).toMatchObject({ updated: 3, failed: 0 });
      expect(pushed.code).toBe(0);
      for (const [index, id] of ids.entries()) {
        expect({ id, ...hardwareOf(await maasView(id)) }).toEqual({ id, ...changed(expectedMachine(changing, index), { removedSerial: removed[index] }) });
      }

      // The first machine's token, as its credentials file holds it.
      const file = parse(readFileSync(join(tokens, `${ids[0]}.yaml`), 'utf8')) as { reporting: { maas: Record<string, string> } };
      const { consumer_key, token_key, token_secret } = file.reporting.maas;
      const key = `${consumer_key}:${token_key}:${token_secret}`;
      const [, other] = ids;
      const before = await maasWriteStamp();
      const calls: [string, string, Record<string, string>?][] = [
        ['GET', 'api/2.0/machines/'],
        ['GET', `api/2.0/machines/${other}/`],
        ['GET', `api/2.0/machines/${other}/?op=get_token`],
        ['GET', 'api/2.0/machines/?op=power_parameters'],
        ['POST', `api/2.0/machines/${other}/?op=release`],
        ['DELETE', `api/2.0/machines/${other}/`],
        ['POST', 'api/2.0/machines/', { hostname: 'by-token', architecture: 'amd64/generic', mac_addresses: '52:54:00:16:0a:01', power_type: 'manual', deployed: 'true' }],
        ['GET', 'api/2.0/users/'],
      ];
      for (const [method, path, form] of calls) {
        const answer = await maasRequest(method, path, { key, ...(form ? { form } : {}) });
        expect(`${method} ${path} ${answer.status}`).toBe(`${method} ${path} 403`);
      }
      expect(await maasWriteStamp()).toEqual(before);
      // What the token may do is the metadata API, and there it speaks for its own machine only.
      expect((await maasRequest('GET', 'metadata/2012-03-01/meta-data/instance-id', { key })).text).toBe(ids[0]);

      // A credentials file copied over another machine's is refused; neither machine is pushed.
      copyFileSync(join(tokens, `${ids[0]}.yaml`), join(tokens, `${other}.yaml`));
      await removeDrive(changing.fleet.bmcs[1]!);
      const signals = await lastSignals();
      const swapped = await sweepCli(tokenOnly);
      expect(swapped.code).toBe(1);
      expect(swapped.report?.results[1]).toMatchObject({ outcome: 'failed', errorKind: 'target', message: expect.stringContaining(`${other}.yaml`) });
      expect(await lastSignals()).toEqual(signals);
    } finally {
      await changing.close();
    }
  });
});
