import nock from 'nock';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import type { CommissioningResults } from '../../src/inventory/results.ts';
import { writeCredentials } from '../../src/maas/credentials.ts';
import { MaasError } from '../../src/maas/errors.ts';
import { toMachineRecord } from '../../src/maas/machines.ts';
import { MaasTarget, MachineStateError } from '../../src/maas/target.ts';
import { TargetError, type MachineKeys, type NewMachine } from '../../src/sweep/target.ts';
import { fixtureResults } from '../registry/fixtures.ts';
import { ADMIN_KEY, MAAS, MAAS_34_SCRIPTS, MAAS_URL, MACHINE_TOKEN, machineJson, recordInto, rejection, scriptsTar, type Received } from './helpers.ts';

const fast = { backoffBaseMs: 1, backoffMaxMs: 2, random: () => 0 };
let results: CommissioningResults;
beforeAll(async () => {
  results = await fixtureResults('dell-r750-idrac9');
});
const tar = { 'content-type': 'application/x-tar' };
const keys = (overrides: Partial<MachineKeys> = {}): MachineKeys => ({
  macs: ['52:54:00:ff:00:01'],
  bmcAddress: '10.9.9.9',
  nodeId: '1',
  ...overrides,
});
const newMachine: NewMachine = {
  hostname: 'node-1',
  architecture: 'amd64/generic',
  macs: ['52:54:00:aa:00:01', '52:54:00:aa:00:02'],
  power: { address: '10.0.0.5', user: 'root', password: 'bmc-pw-1', nodeId: 'System.Embedded.1' },
};
const recordOf = () => toMachineRecord(machineJson());
const adminTarget = (extra: { credentialsDir?: string; skipCheck?: boolean } = {}) =>
  new MaasTarget({ url: MAAS_URL, apiKey: ADMIN_KEY, client: fast, ...extra });

/** MAAS with three machines: one found by UUID, one by MAC, one by BMC address only. */
function prepared(): nock.Scope {
  return nock(MAAS)
    .get('/MAAS/api/2.0/machines/')
    .reply(200, [
      machineJson({ system_id: 'uuid01', hardware_uuid: 'AAAAAAAA-0000-0000-0000-000000000001', interface_set: [] }),
      machineJson({ system_id: 'mac002', hardware_uuid: null, interface_set: [{ mac_address: '52:54:00:BB:00:02' }] }),
      machineJson({ system_id: 'bmc003', hardware_uuid: null, interface_set: [] }),
    ])
    .get('/MAAS/api/2.0/machines/')
    .query({ op: 'power_parameters' })
    .reply(200, {
      uuid01: { power_address: '10.0.0.1', node_id: '1' },
      mac002: { power_address: '10.0.0.2', node_id: '1' },
      bmc003: { power_address: 'https://BMC-3.example.com/', node_id: 'System.Embedded.1' },
    });
}

let dir: string;
beforeAll(() => nock.disableNetConnect());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maas-target-'));
});
afterEach(async () => {
  nock.cleanAll();
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => nock.enableNetConnect());

describe('MaasTarget.findMachine', () => {
  it('finds machines by UUID, MAC and BMC address from one prepared index', async () => {
    prepared();
    const target = adminTarget();
    await target.prepare();
    expect((await target.findMachine(keys({ uuid: 'aaaaaaaa-0000-0000-0000-000000000001' })))?.systemId).toBe('uuid01');
    expect((await target.findMachine(keys({ macs: ['52:54:00:bb:00:02'] })))?.systemId).toBe('mac002');
    const byBmc = await target.findMachine(keys({ macs: [], bmcAddress: 'bmc-3.example.com', nodeId: 'System.Embedded.1' }));
    expect(byBmc?.systemId).toBe('bmc003');
    expect(byBmc?.powerAddress).toBe('https://BMC-3.example.com/');
    expect(nock.isDone()).toBe(true);
  });

  it('prefers a remembered system id, and asks MAAS by MAC before reporting a machine unknown', async () => {
    prepared()
      .get('/MAAS/api/2.0/machines/')
      .query({ mac_address: '52:54:00:ff:00:01' })
      .reply(200, []);
    const target = adminTarget();
    await target.prepare();
    expect((await target.findMachine(keys({ knownSystemId: 'bmc003', uuid: 'aaaaaaaa-0000-0000-0000-000000000001' })))?.systemId).toBe('bmc003');
    expect(await target.findMachine(keys())).toBeUndefined();
    expect(nock.isDone()).toBe(true);
  });

  it('loads the index once when lookups start before prepare()', async () => {
    prepared();
    const target = adminTarget();
    const found = await Promise.all([
      target.findMachine(keys({ uuid: 'aaaaaaaa-0000-0000-0000-000000000001' })),
      target.findMachine(keys({ macs: ['52:54:00:bb:00:02'] })),
    ]);
    expect(found.map((record) => record?.systemId)).toEqual(['uuid01', 'mac002']);
    expect(nock.isDone()).toBe(true);
  });

  it('looks further when the remembered machine is gone', async () => {
    prepared().get('/MAAS/api/2.0/machines/gone99/').reply(404, 'No Machine matches the given query.');
    const target = adminTarget();
    await target.prepare();
    const found = await target.findMachine(keys({ knownSystemId: 'gone99', macs: ['52:54:00:bb:00:02'] }));
    expect(found?.systemId).toBe('mac002');
  });
});

describe('MaasTarget.createDeployed and pushHardware', () => {
  it('creates, keeps the token in a 0600 credentials file, and pushes with the machine token', async () => {
    const received: Received[] = [];
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .reply(recordInto(received, [200, machineJson()]))
      .get('/MAAS/api/2.0/machines/abc123/')
      .query({ op: 'get_token' })
      .reply(recordInto(received, [200, MACHINE_TOKEN]))
      .get('/MAAS/api/2.0/machines/abc123/')
      .reply(recordInto(received, [200, machineJson()]))
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(recordInto(received, [200, scriptsTar(MAAS_34_SCRIPTS), tar]))
      .post('/MAAS/metadata/2012-03-01/')
      .reply(recordInto(received, [200, 'OK']));
    const target = adminTarget({ credentialsDir: dir, skipCheck: true });
    const record = await target.createDeployed(newMachine);
    expect(await target.pushHardware(record, results)).toEqual({ unreported: [] });

    expect(received.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      'POST /MAAS/api/2.0/machines/',
      'GET /MAAS/api/2.0/machines/abc123/?op=get_token',
      'GET /MAAS/api/2.0/machines/abc123/',
      'GET /MAAS/metadata/2012-03-01/maas-scripts',
      'POST /MAAS/metadata/2012-03-01/',
    ]);
    expect(received.map((r) => r.oauth.oauth_token)).toEqual(['AdminToken567890', 'AdminToken567890', 'AdminToken567890', 'NodeTokenDef', 'NodeTokenDef']);
    // One result for every script of the machine's set, the document MAAS parses first.
    expect([...received[4]!.form!.keys()].filter((key) => key.endsWith('.out'))).toEqual([
      '50-maas-01-commissioning.out',
      ...MAAS_34_SCRIPTS.filter((name) => name !== '50-maas-01-commissioning').map((name) => `${name}.out`),
    ]);
    expect(received[0]!.form!.get('power_parameters_skip_check')).toBe('true');
    const file = path.join(dir, 'abc123.yaml');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain('endpoint: http://maas.test:5240/MAAS/metadata/status/abc123');
    expect(record.powerAddress).toBe('10.0.0.5');
  });

  it.each([
    [1, 'Commissioning'],
    [9, 'Deploying'],
    [12, 'Releasing'],
  ])('skips a machine in status %i (%s) without pushing: an operation is under way', async (status, name) => {
    nock(MAAS).get('/MAAS/api/2.0/machines/abc123/').reply(200, machineJson({ status, status_name: name }));
    const target = adminTarget();
    const error = await rejection(target.pushHardware(recordOf(), results), MachineStateError);
    expect(error).toBeInstanceOf(MachineStateError);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as MachineStateError).transitional).toBe(true);
    expect((error as Error).message).toContain(`is ${name}`);
    expect(nock.isDone()).toBe(true);
  });

  it('does not push to a Ready machine, which MAAS would accept and ignore', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/abc123/').reply(200, machineJson({ status: 4, status_name: 'Ready' }));
    const error = await rejection(adminTarget().pushHardware(recordOf(), results), MachineStateError);
    expect(error).toBeInstanceOf(MachineStateError);
    expect(error.transitional).toBe(false);
    expect(error.message).toContain('only from Deployed machines');
  });

  it('says MAAS has no token for a machine when get_token answers null', async () => {
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/abc123/')
      .reply(200, machineJson())
      .get('/MAAS/api/2.0/machines/abc123/')
      .query({ op: 'get_token' })
      .reply(200, 'null', { 'content-type': 'application/json' });
    const error = await rejection(adminTarget().pushHardware(recordOf(), results), MaasError);
    expect(error).toBeInstanceOf(MaasError);
    expect(error.kind).toBe('no-token');
    expect(error.message).toContain('MAAS has no token for machine node-1 (abc123)');
  });

  it('reports the scripts of the set it has no output for, and still reports the others', async () => {
    const received: Received[] = [];
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/abc123/')
      .reply(200, machineJson())
      .get('/MAAS/api/2.0/machines/abc123/')
      .query({ op: 'get_token' })
      .reply(200, MACHINE_TOKEN)
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(200, scriptsTar(['50-maas-01-commissioning', 'maas-lshw', 'site-firmware-check']), tar)
      .post('/MAAS/metadata/2012-03-01/')
      .reply(recordInto(received, [200, 'OK']));
    expect(await adminTarget().pushHardware(recordOf(), results)).toEqual({ unreported: ['site-firmware-check'] });
    expect([...received[0]!.form!.keys()].filter((key) => key.endsWith('.out'))).toEqual(['50-maas-01-commissioning.out', 'maas-lshw.out']);
  });

  it('reports the commissioning document alone to a machine with no script set (MAAS answers 204)', async () => {
    const received: Received[] = [];
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/abc123/')
      .reply(200, machineJson())
      .get('/MAAS/api/2.0/machines/abc123/')
      .query({ op: 'get_token' })
      .reply(200, MACHINE_TOKEN)
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(204)
      .post('/MAAS/metadata/2012-03-01/')
      .reply(recordInto(received, [200, 'OK']));
    expect(await adminTarget().pushHardware(recordOf(), results)).toEqual({ unreported: [] });
    expect([...received[0]!.form!.keys()].filter((key) => key.endsWith('.out'))).toEqual(['50-maas-01-commissioning.out']);
  });

  it('renews a saved token that MAAS refuses, then pushes with the new one', async () => {
    await writeCredentials(dir, MAAS_URL, 'abc123', { consumerKey: 'Old', tokenKey: 'OldToken', tokenSecret: 'OldSecret' });
    const received: Received[] = [];
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/abc123/')
      .reply(200, machineJson())
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(recordInto(received, [401, 'Authorization Error: Invalid access token']))
      .get('/MAAS/api/2.0/machines/abc123/')
      .query({ op: 'get_token' })
      .reply(200, MACHINE_TOKEN)
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(recordInto(received, [200, scriptsTar(MAAS_34_SCRIPTS), tar]))
      .post('/MAAS/metadata/2012-03-01/')
      .reply(recordInto(received, [200, 'OK']));
    await adminTarget({ credentialsDir: dir }).pushHardware(recordOf(), results);
    expect(received.map((r) => r.oauth.oauth_token)).toEqual(['OldToken', 'NodeTokenDef', 'NodeTokenDef']);
    expect(await readFile(path.join(dir, 'abc123.yaml'), 'utf8')).toContain('token_key: NodeTokenDef');
  });
});

describe('MaasTarget token-only mode', () => {
  const tokenOnly = () => new MaasTarget({ url: MAAS_URL, credentialsDir: dir, client: fast });

  it('finds a machine by its remembered system id only, and pushes with the saved token alone', async () => {
    await writeCredentials(dir, MAAS_URL, 'abc123', { consumerKey: 'NodeConsumerAbc', tokenKey: 'NodeTokenDef', tokenSecret: 'NodeSecretGhi123456' });
    const received: Received[] = [];
    nock(MAAS)
      .get('/MAAS/metadata/2012-03-01/maas-scripts')
      .reply(recordInto(received, [200, scriptsTar(MAAS_34_SCRIPTS), tar]))
      .post('/MAAS/metadata/2012-03-01/')
      .reply(recordInto(received, [200, 'OK']));
    const target = tokenOnly();
    await target.prepare();
    expect(target.tokenOnly).toBe(true);
    expect(await target.findMachine(keys())).toBeUndefined();
    const record = await target.findMachine(keys({ knownSystemId: 'abc123' }));
    expect(record).toMatchObject({ systemId: 'abc123', status: 6 });
    await target.pushHardware(record!, results);
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.oauth.oauth_token)).toEqual(['NodeTokenDef', 'NodeTokenDef']);
    expect(nock.isDone()).toBe(true);
  });

  it('refuses a document MAAS would fail to parse (MAAS answers 200 and keeps the old data), sending nothing', async () => {
    const { document } = results;
    const broken = { ...document, resources: { ...(document.resources as object), memory: { total: 'lots' } } } as unknown as CommissioningData;
    await expect(adminTarget().pushHardware(recordOf(), { ...results, document: broken })).rejects.toThrow(/would not parse in MAAS: .*memory/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refuses to create a machine without an admin key', async () => {
    await expect(tokenOnly().createDeployed(newMachine)).rejects.toThrow(/no admin API key/);
  });

  it('says what to do when a saved token is refused: renew it with an admin key if the machine is Deployed, remove the BMC if it was released', async () => {
    await writeCredentials(dir, MAAS_URL, 'abc123', { consumerKey: 'a', tokenKey: 'b', tokenSecret: 'RevokedSecret' });
    nock(MAAS).get('/MAAS/metadata/2012-03-01/maas-scripts').reply(401, 'Authorization Error: Invalid access token');
    const target = tokenOnly();
    const record = await target.findMachine(keys({ knownSystemId: 'abc123' }));
    const error = await rejection(target.pushHardware(record!, results), MaasError);
    expect(error).toMatchObject({ status: 401, kind: 'auth' });
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toContain(`credentials file of machine abc123 (${path.join(dir, 'abc123.yaml')}) was refused`);
    expect(error.message).toContain(`put its new token in ${dir} by sweeping once with an admin key (apiKeyFile)`);
    expect(error.message).toContain('if it was released, remove its BMC from the configuration');
    expect(error.message).not.toContain('RevokedSecret');
  });

  it('needs an admin key or a credentials directory', () => {
    expect(() => new MaasTarget({ url: MAAS_URL })).toThrow(TypeError);
  });
});
