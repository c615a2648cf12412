// What a real MAAS 3.4 region answers that a fake would not: the secret its OAuth check echoes, the
// status a released machine is left in, and the BMC address form it stores. Each test here failed
// against the region before the MAAS target handled that answer. Each runs behind nginx and against
// MAAS's web server directly (fronts.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectedMachine, hardwareOf, maasView, readResource, removeDrive, startFixtureFleet, sweepCli, writeMaasConfig, type FixtureFleet } from './fleet.ts';
import { behind, FRONTS } from './fronts.ts';
import { adminKey, lastSignals, maasGet, maasRequest, maasWriteStamp, resetRegion, RM, setPowerOff } from './region.ts';

const ADMIN_KEY_FILE = join(RM, 'admin.key');

/** A secret of the same shape that is not the real one. */
const wrong = (secret: string) => secret.split('').reverse().join('');

describe.each(FRONTS)('what the real MAAS region answers, handled, served through %s', (front) => {
  behind(front);
  // Each test changes BMCs of its own: a Dell and a Lenovo fixture.
  let fixture: FixtureFleet;

  beforeEach(async () => {
    await resetRegion();
    fixture = await startFixtureFleet(2, ['dell-r750-idrac9', 'lenovo-sr650v2-xcc']);
  });
  afterEach(async () => {
    await fixture?.close();
  });

  it('never lets the secret MAAS echoes in an OAuth refusal into errors, output or the --json report', async () => {
    // An admin key whose secret is wrong: MAAS answers with the signature it expected, the real secret.
    const admin = adminKey();
    const realAdminSecret = admin.split(':')[2]!;
    const badKeyFile = join(fixture.folder, 'wrong-admin.key');
    writeFileSync(badKeyFile, `${admin.split(':').slice(0, 2).join(':')}:${wrong(realAdminSecret)}\n`, { mode: 0o600 });
    const refused = await sweepCli(await writeMaasConfig(fixture, 'wrong-admin-key', { apiKeyFile: badKeyFile }));
    expect(refused.stderr).toMatch(/HTTP 401/);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr + refused.json).not.toContain(realAdminSecret);

    // A machine token whose secret was damaged in its credentials file: the push is refused, and the
    // report says so without the token's real secret.
    const tokens = join(fixture.folder, 'tokens');
    const stateDatabase = join(fixture.folder, 'damaged-token.db');
    const enlisted = await sweepCli(await writeMaasConfig(fixture, 'enlist', { apiKeyFile: ADMIN_KEY_FILE, credentialsDir: tokens, stateDatabase, only: (index) => index === 0 }));
    const systemId = enlisted.report!.results[0]!.machines[0]!.systemId!;
    const file = join(tokens, `${systemId}.yaml`);
    const credentials = parse(readFileSync(file, 'utf8')) as { reporting: { maas: { token_secret: string } } };
    const realTokenSecret = credentials.reporting.maas.token_secret;
    credentials.reporting.maas.token_secret = wrong(realTokenSecret);
    writeFileSync(file, stringify(credentials), { mode: 0o600 });
    await removeDrive(fixture.fleet.bmcs[0]!);
    const pushed = await sweepCli(await writeMaasConfig(fixture, 'damaged-token', { credentialsDir: tokens, stateDatabase, only: (index) => index === 0 }));
    expect(pushed.code).toBe(1);
    expect(pushed.report?.results[0]).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/was refused.*HTTP 401/) });
    expect(pushed.stdout + pushed.stderr + pushed.json).not.toContain(realTokenSecret);
  });

  it('skips a machine that was released, deciding from MAAS’s status before pushing, and exits 0', async () => {
    const config = await writeMaasConfig(fixture, 'released', { apiKeyFile: ADMIN_KEY_FILE, only: (index) => index === 1 });
    const first = await sweepCli(config);
    const systemId = first.report!.results[0]!.machines[0]!.systemId!;
    // The region has no rack controller to power the machine off: set the state MAAS's power-off leaves.
    await setPowerOff(systemId);
    const released = await maasRequest('POST', `api/2.0/machines/${systemId}/?op=release`);
    expect(released.status, released.text).toBe(200);
    const status = (await maasGet<{ status_name: string }>(`api/2.0/machines/${systemId}/`)).status_name;
    expect(['New', 'Ready']).toContain(status);

    await removeDrive(fixture.fleet.bmcs[1]!); // so that a push would be due
    const before = await maasWriteStamp();
    const again = await sweepCli(config);
    expect(again.report?.results[0], again.stdout).toMatchObject({ outcome: 'skipped' });
    expect(again.report?.results[0]?.machines[0]?.reason).toMatch(new RegExp(`is ${status}: MAAS takes pushed hardware only from Deployed machines`));
    expect(again.code).toBe(0);
    expect(await maasWriteStamp()).toEqual(before);
  });

  it('fails a machine released in MAAS when sweeping with machine tokens alone: class target, exit 1, a message saying what to do, no secret', async () => {
    const tokens = join(fixture.folder, 'tokens');
    const stateDatabase = join(fixture.folder, 'released-token.db');
    const only = (index: number) => index === 1;
    const enlisted = await sweepCli(await writeMaasConfig(fixture, 'enlist-with-tokens', { apiKeyFile: ADMIN_KEY_FILE, credentialsDir: tokens, stateDatabase, only }));
    const systemId = enlisted.report!.results[0]!.machines[0]!.systemId!;
    const file = join(tokens, `${systemId}.yaml`);
    const tokenSecret = (parse(readFileSync(file, 'utf8')) as { reporting: { maas: { token_secret: string } } }).reporting.maas.token_secret;
    await setPowerOff(systemId);
    const released = await maasRequest('POST', `api/2.0/machines/${systemId}/?op=release`);
    expect(released.status, released.text).toBe(200);
    // MAAS deleted the machine's token with the release.
    expect(await maasGet(`api/2.0/machines/${systemId}/?op=get_token`)).toBeNull();

    await removeDrive(fixture.fleet.bmcs[1]!); // so that a push is due
    const before = await maasWriteStamp();
    const swept = await sweepCli(await writeMaasConfig(fixture, 'released-token-only', { credentialsDir: tokens, stateDatabase, only }));
    expect(swept.code, swept.stdout + swept.stderr).toBe(1);
    expect(swept.report?.results[0]).toMatchObject({ outcome: 'failed', errorKind: 'target' });
    const message = swept.report?.results[0]?.message ?? '';
    expect(message).toContain(`The token in the credentials file of machine ${systemId} (${file}) was refused: MAAS deletes a machine's token when the machine is released`);
    expect(message).toContain(`put its new token in ${tokens} by sweeping once with an admin key (apiKeyFile)`);
    expect(message).toContain('if it was released, remove its BMC from the configuration');
    expect(message).toMatch(/HTTP 401/);
    expect(swept.stdout).toContain(systemId);
    expect(swept.stdout + swept.stderr + swept.json).not.toContain(tokenSecret);
    expect(await maasWriteStamp()).toEqual(before);
  });

  it('finds a machine MAAS knows only by its BMC, whether the configuration writes the BMC as a URL or as host:port', async () => {
    const ids: string[] = [];
    for (const [index, bmc] of fixture.fleet.bmcs.entries()) {
      // Enlisted by hand earlier: no UUID, a MAC the BMC does not report, the BMC as MAAS keeps it.
      const systems = await readResource(bmc, '/redfish/v1/Systems');
      const nodeId = systems.Members![0]!['@odata.id'].split('/').at(-1)!;
      const created = await maasRequest('POST', 'api/2.0/machines/', {
        form: {
          hostname: `by-hand-${index}`,
          architecture: 'amd64/generic',
          mac_addresses: `52:54:00:16:0b:0${index}`,
          power_type: 'redfish',
          power_parameters_power_address: new URL(bmc.url).host,
          power_parameters_power_user: bmc.credentials.username,
          power_parameters_power_pass: bmc.credentials.password,
          power_parameters_node_id: nodeId,
          deployed: 'true',
        },
      });
      expect(created.status, created.text).toBe(200);
      ids.push((JSON.parse(created.text) as { system_id: string }).system_id);
    }
    const signals = await lastSignals();
    const config = await writeMaasConfig(fixture, 'by-bmc', { apiKeyFile: ADMIN_KEY_FILE, style: (index) => (index === 0 ? 'url' : 'host:port') });
    const { report, code } = await sweepCli(config);
    expect(report?.totals).toMatchObject({ created: 0, updated: 2, failed: 0 });
    expect(code).toBe(0);
    expect(report?.results.map((result) => result.machines[0]?.systemId)).toEqual(ids);
    expect((await maasGet<{ system_id: string }[]>('api/2.0/machines/')).map((machine) => machine.system_id).sort()).toEqual([...ids].sort());
    const now = await lastSignals();
    for (const [index, id] of ids.entries()) {
      expect(now[id]).not.toBe(signals[id]);
      expect(hardwareOf(await maasView(id))).toEqual(hardwareOf(expectedMachine(fixture, index)));
    }
  });
});
