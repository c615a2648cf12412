import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { resultsOf } from '../../src/inventory/results.ts';
import { MaasClient } from '../../src/maas/client.ts';
import { MaasError } from '../../src/maas/errors.ts';
import {
  createDeployedMachine,
  createForm,
  getToken,
  listMachines,
  powerParameters,
  pushHardware,
  readMachine,
  toMachineRecord,
} from '../../src/maas/machines.ts';
import type { NewMachine } from '../../src/sweep/target.ts';
import { ADMIN_KEY, MAAS, MAAS_URL, MACHINE_TOKEN, formValues, machineJson, recordInto, rejection, type Received } from './helpers.ts';

const PASSWORD = 'bmc-Pass_word-42';
const fast = { backoffBaseMs: 1, backoffMaxMs: 2, random: () => 0 };
const client = () => new MaasClient({ url: MAAS_URL, apiKey: ADMIN_KEY, ...fast });

const newMachine: NewMachine = {
  hostname: 'node-1',
  architecture: 'amd64/generic',
  macs: ['52:54:00:aa:00:01', '52:54:00:aa:00:02', '52:54:00:aa:00:03'],
  power: { address: '10.0.0.5', user: 'root', password: PASSWORD, nodeId: 'System.Embedded.1' },
  description: 'Dell R750 SN ABC123',
};

const document = {
  api_version: '1.0',
  api_extensions: ['resources'],
  environment: { kernel_architecture: 'x86_64' },
  resources: {},
  networks: {},
} as unknown as CommissioningData;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('listMachines / readMachine', () => {
  it('lists with one repeated query field per MAC, host name and id', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/').query(true).reply(recordInto(received, [200, [machineJson()]]));
    const records = await listMachines(client(), { mac_address: ['52:54:00:aa:00:01', '52:54:00:aa:00:02'], hostname: ['node-1'], id: ['abc123'] });
    const query = received[0]!.url.searchParams;
    expect(query.getAll('mac_address')).toEqual(['52:54:00:aa:00:01', '52:54:00:aa:00:02']);
    expect(query.getAll('hostname')).toEqual(['node-1']);
    expect(query.getAll('id')).toEqual(['abc123']);
    expect(records[0]!.systemId).toBe('abc123');
  });

  it('maps machine JSON to a record: status, lock, lowercase MACs, UUID and power type', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/abc123/').reply(200, machineJson({ locked: true, status: 9, status_name: 'Deploying' }));
    expect(await readMachine(client(), 'abc123')).toEqual({
      systemId: 'abc123',
      hostname: 'node-1',
      status: 9,
      statusName: 'Deploying',
      locked: true,
      macAddresses: ['52:54:00:aa:00:01', '52:54:00:aa:00:02'],
      hardwareUuid: '4c4c4544-0042-4a10-8051-b4c04f4e3633',
      powerType: 'redfish',
    });
  });

  it('treats machine JSON without system_id or numeric status as a bad response', () => {
    expect(() => toMachineRecord({ status: 6 })).toThrow(/system_id/);
    expect(() => toMachineRecord({ system_id: 'x', status: 'Deployed' })).toThrow(/status/);
    expect(() => toMachineRecord(machineJson({ hardware_uuid: null, interface_set: null }))).not.toThrow();
  });
});

describe('createDeployedMachine', () => {
  it('posts every field MAAS needs for a Deployed Redfish machine, one mac_addresses per MAC', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/api/2.0/machines/').reply(recordInto(received, [200, machineJson()]));
    const record = await createDeployedMachine(client(), newMachine);
    const { form, url, method } = received[0]!;
    expect(method).toBe('POST');
    expect(url.pathname).toBe('/MAAS/api/2.0/machines/');
    expect(url.search).toBe('');
    expect(await formValues(form, 'mac_addresses')).toEqual(newMachine.macs);
    const single = Object.fromEntries([...form!.keys()].filter((k) => k !== 'mac_addresses').map((k) => [k, form!.get(k)]));
    expect(single).toEqual({
      hostname: 'node-1',
      architecture: 'amd64/generic',
      power_type: 'redfish',
      power_parameters_power_address: '10.0.0.5',
      power_parameters_power_user: 'root',
      power_parameters_power_pass: PASSWORD,
      power_parameters_node_id: 'System.Embedded.1',
      deployed: 'true',
      description: 'Dell R750 SN ABC123',
    });
    expect(record.systemId).toBe('abc123');
  });

  it('sends a BMC written as a URL as host[:port], the power_address MAAS takes (a URL there is a 500 in MAAS 3.1–3.6)', () => {
    const address = (bmc: string) => createForm({ ...newMachine, power: { ...newMachine.power, address: bmc } }).power_parameters_power_address;
    expect(address('https://10.0.0.5:8443/redfish/v1/')).toBe('10.0.0.5:8443');
    expect(address('https://BMC-7.example')).toBe('bmc-7.example');
    expect(address('http://10.0.0.6:8000')).toBe('10.0.0.6:8000');
  });

  it('adds power_parameters_skip_check=true only when asked, and a subarchitecture when missing', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/api/2.0/machines/').times(2).reply(recordInto(received, [200, machineJson()]));
    await createDeployedMachine(client(), { ...newMachine, architecture: 'arm64' }, { skipCheck: true });
    await createDeployedMachine(client(), newMachine);
    expect(received[0]!.form!.get('power_parameters_skip_check')).toBe('true');
    expect(received[0]!.form!.get('architecture')).toBe('arm64/generic');
    expect(received[1]!.form!.has('power_parameters_skip_check')).toBe(false);
  });

  it('names mac_addresses when MAAS refuses a duplicate MAC, quoting MAAS', async () => {
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .reply(400, { mac_addresses: ['MAC address 52:54:00:aa:00:01 already in use on host-1.'] }, { 'content-type': 'application/json' });
    const error = await rejection(createDeployedMachine(client(), newMachine), MaasError);
    expect(error).toBeInstanceOf(MaasError);
    expect(error.status).toBe(400);
    expect(error.field).toBe('mac_addresses');
    expect(error.message).toContain('MAC address 52:54:00:aa:00:01 already in use on host-1.');
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it('gives a machine with manual power no power parameters, the BMC password included', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/api/2.0/machines/').reply(recordInto(received, [200, machineJson({ power_type: 'manual' })]));
    await createDeployedMachine(client(), newMachine, { powerType: 'manual', skipCheck: true });
    const form = received[0]!.form!;
    expect(form.get('power_type')).toBe('manual');
    expect([...form.keys()].filter((key) => key.startsWith('power_parameters_'))).toEqual([]);
    expect(form.get('deployed')).toBe('true');
    expect(await formValues(form, 'mac_addresses')).toEqual(newMachine.macs);
  });

  it('refuses a machine without MACs before asking MAAS', async () => {
    await expect(createDeployedMachine(client(), { ...newMachine, macs: [] })).rejects.toThrow(/at least one MAC/);
  });

  it('finds the machine by MAC instead of creating it twice when the answer to the create is lost', async () => {
    const received: Received[] = [];
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get('/MAAS/api/2.0/machines/')
      .query(true)
      .reply(recordInto(received, [200, [machineJson()]]));
    const record = await createDeployedMachine(client(), newMachine);
    expect(record.systemId).toBe('abc123');
    expect(received[0]!.url.searchParams.getAll('mac_address')).toEqual(newMachine.macs);
    expect(nock.isDone()).toBe(true);
  });

  it('reports the lost create when no machine has its MACs yet', async () => {
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get('/MAAS/api/2.0/machines/')
      .query(true)
      .reply(200, []);
    const error = await rejection(createDeployedMachine(client(), newMachine), MaasError);
    expect(error.maybeApplied).toBe(true);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('getToken / powerParameters', () => {
  it('reads a machine token with op=get_token', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/abc123/').query({ op: 'get_token' }).reply(recordInto(received, [200, MACHINE_TOKEN]));
    expect(await getToken(client(), 'abc123')).toEqual({
      consumerKey: 'NodeConsumerAbc',
      tokenKey: 'NodeTokenDef',
      tokenSecret: 'NodeSecretGhi123456',
    });
    expect(received[0]!.method).toBe('GET');
  });

  it('returns null when MAAS answers null from get_token', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/abc123/').query({ op: 'get_token' }).reply(200, 'null', { 'content-type': 'application/json' });
    expect(await getToken(client(), 'abc123')).toBeNull();
  });

  it('reads every machine power parameters at once with op=power_parameters', async () => {
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/')
      .query({ op: 'power_parameters' })
      .reply(200, { abc123: { power_address: 'https://10.0.0.5', node_id: '1', power_user: 'root', power_pass: 'x' }, def456: {} });
    const parameters = await powerParameters(client());
    expect(parameters.get('abc123')).toMatchObject({ power_address: 'https://10.0.0.5', node_id: '1' });
    expect([...parameters.keys()]).toEqual(['abc123', 'def456']);
  });
});

describe('pushHardware', () => {
  const token = { consumerKey: 'NodeConsumerAbc', tokenKey: 'NodeTokenDef', tokenSecret: 'NodeSecretGhi123456' };

  it('signals WORKING with a part per script, signed with the machine token', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/metadata/2012-03-01/').reply(recordInto(received, [200, 'OK', { 'content-type': 'text/plain' }]));
    const results = resultsOf(document, { 'maas-lshw': '<list />\n', 'maas-serial-ports': '' });
    const reported = await pushHardware(client(), 'abc123', token, results, ['maas-lshw', '50-maas-01-commissioning', 'maas-serial-ports', 'site-script']);
    expect(reported).toEqual(['50-maas-01-commissioning', 'maas-lshw', 'maas-serial-ports']);
    const { form, oauth, url } = received[0]!;
    expect(url.search).toBe('');
    expect(oauth).toMatchObject({ oauth_consumer_key: 'NodeConsumerAbc', oauth_token: 'NodeTokenDef', oauth_signature: '&NodeSecretGhi123456' });
    expect([...form!.keys()]).toEqual(['op', 'status', 'exit_status', 'name', '50-maas-01-commissioning.out', 'maas-lshw.out', 'maas-serial-ports.out']);
    expect(form!.get('op')).toBe('signal');
    expect(form!.get('status')).toBe('WORKING');
    expect(form!.get('exit_status')).toBe('0');
    expect(form!.get('name')).toBe('50-maas-01-commissioning');
    const file = form!.get('50-maas-01-commissioning.out') as File;
    expect(file.name).toBe('50-maas-01-commissioning.out');
    expect(file.type).toBe('application/json');
    expect(JSON.parse(await file.text())).toEqual(document);
    expect(await (form!.get('maas-lshw.out') as File).text()).toBe('<list />\n');
    // An empty output is a result too: the script ran and printed nothing.
    expect(await (form!.get('maas-serial-ports.out') as File).text()).toBe('');
  });

  it('never signals OK or FAILED', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/metadata/2012-03-01/').times(2).reply(recordInto(received, [200, 'OK']));
    await pushHardware(client(), 'abc123', token, resultsOf(document));
    await pushHardware(client(), 'abc123', token, resultsOf(document));
    expect(received.map((r) => r.form!.getAll('status'))).toEqual([['WORKING'], ['WORKING']]);
  });

  it('names the machine when MAAS refuses the push', async () => {
    nock(MAAS).post('/MAAS/metadata/2012-03-01/').reply(403, 'Not authenticated as a known node.');
    const error = await rejection(pushHardware(client(), 'abc123', token, resultsOf(document)), MaasError);
    expect(error).toMatchObject({ status: 403, kind: 'forbidden' });
    expect(error.message).toMatch(/^Pushing hardware for machine abc123: .*Not authenticated as a known node\./);
    expect(error.message).not.toContain(token.tokenSecret);
  });

  it('retries the push after a reset: the same document twice stores the same hardware', async () => {
    nock(MAAS)
      .post('/MAAS/metadata/2012-03-01/')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .post('/MAAS/metadata/2012-03-01/')
      .reply(200, 'OK');
    await expect(pushHardware(client(), 'abc123', token, resultsOf(document))).resolves.toEqual(['20-maas-03-machine-resources', '50-maas-01-commissioning'].sort((a) => (a.startsWith('50') ? -1 : 1)));
  });
});
