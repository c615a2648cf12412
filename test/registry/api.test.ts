// The registry's MAAS-compatible API on a real loopback port, driven with OAuth-signed requests.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import type { RegistryServer } from '../../src/registry/serve.ts';
import type { Store } from '../../src/registry/store.ts';
import { createApiKey, createUser, formatApiKey, type User } from '../../src/registry/users.ts';
import { tarEntry } from '../../src/maas/scripts.ts';
import { signerFor } from '../helpers/oauth.ts';
import { fixtureDocument, macsOf, registryUnderTest } from './fixtures.ts';

let store: Store;
let admin: User;
let dispose: () => Promise<void>;
let server: RegistryServer;
let adminKey: string;
let dell: CommissioningData;

beforeEach(async () => {
  ({ store, admin, adminKey, server, dispose } = await registryUnderTest());
  dell = await fixtureDocument('dell-r750-idrac9');
});
afterEach(() => dispose());

type Fields = Record<string, string | string[]>;

async function call(key: string | undefined, method: string, path: string, fields?: Fields, files?: Record<string, string>) {
  const url = `${server.url}${path}`;
  const headers: Record<string, string> = key ? { authorization: signerFor(key)(method, url) } : {};
  let body: FormData | undefined;
  if (fields || files) {
    body = new FormData();
    for (const [name, value] of Object.entries(fields ?? {})) for (const one of ([] as string[]).concat(value)) body.append(name, one);
    for (const [name, content] of Object.entries(files ?? {})) body.append(name, new Blob([content], { type: 'application/json' }), name);
  }
  const response = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

const redfishMachine = (hostname = 'r750-db01'): Fields => ({
  hostname,
  architecture: 'amd64',
  mac_addresses: macsOf(dell),
  power_type: 'redfish',
  power_parameters_power_address: '10.0.0.5',
  power_parameters_power_user: 'root',
  power_parameters_power_pass: 'calvin',
  power_parameters_node_id: 'System.Embedded.1',
  deployed: 'true',
});

async function enlistRedfish(): Promise<string> {
  return (await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine())).json.system_id as string;
}

const machinePath = (systemId: string, op?: string) => `/api/2.0/machines/${systemId}/${op ? `?op=${op}` : ''}`;

async function machineTokenKey(systemId: string): Promise<string> {
  const { json } = await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/?op=get_token`);
  return `${json.consumer_key}:${json.token_key}:${json.token_secret}`;
}

function signal(tokenKey: string, document: unknown, status = 'WORKING') {
  return call(tokenKey, 'POST', '/metadata/2012-03-01/', { op: 'signal', status, exit_status: '0', name: '50-maas-01-commissioning' }, { '50-maas-01-commissioning.out': JSON.stringify(document) });
}

describe('authentication', () => {
  it('answers the version document anonymously and 401 everywhere else', async () => {
    expect((await call(undefined, 'GET', '/api/2.0/version/')).json).toMatchObject({ version: 'test' });
    expect((await call(undefined, 'GET', '/api/2.0/machines/')).status).toBe(401);
  });

  it('refuses a timestamp far from its clock and sends its Date so clients can correct', async () => {
    const url = `${server.url}/api/2.0/machines/`;
    const skewed = signerFor(adminKey, () => Date.now() + 3_600_000)('GET', url);
    const response = await fetch(url, { headers: { authorization: skewed } });
    expect(response.status).toBe(401);
    expect(Math.abs(Date.parse(response.headers.get('date')!) - Date.now())).toBeLessThan(5_000);
  });
});

describe('machines', () => {
  it('enlists a deployed machine without a MAC, refuses to deploy it, and takes a MAC with the redfish driver', async () => {
    const created = await call(adminKey, 'POST', '/api/2.0/machines/', { hostname: 'win-01', deployed: 'true' });
    expect(created.json).toMatchObject({ status: 6, status_name: 'Deployed', power_type: '', interface_set: [] });
    const id = created.json.system_id as string;
    const deploy = await call(adminKey, 'POST', `/api/2.0/machines/${id}/?op=deploy`);
    expect(deploy.status).toBe(409);
    const noMac = await call(adminKey, 'PUT', `/api/2.0/machines/${id}/`, { power_type: 'redfish' });
    expect(noMac.status).toBe(400);
    expect(noMac.json).toEqual({ power_type: ["Can't set power type to redfish without network interfaces"] });
    const withMac = await call(adminKey, 'PUT', `/api/2.0/machines/${id}/`, { power_type: 'redfish', mac_addresses: 'b0:26:28:5e:1a:40' });
    expect(withMac.json).toMatchObject({ power_type: 'redfish', interface_set: [expect.objectContaining({ mac_address: 'b0:26:28:5e:1a:40' })] });
  });

  it('answers a duplicate MAC with a 400 naming mac_addresses', async () => {
    await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const duplicate = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine('other'));
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.mac_addresses[0]).toMatch(/^MAC address .* already in use on r750-db01\.$/);
  });

  it('filters the list by MAC and status', async () => {
    await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    expect((await call(adminKey, 'GET', `/api/2.0/machines/?mac_address=${macsOf(dell)[2]}`)).json).toHaveLength(1);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?status=deployed')).json).toHaveLength(1);
  });

  it('shows power parameters only through op=power_parameters, to administrators', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    expect(JSON.stringify((await call(adminKey, 'GET', '/api/2.0/machines/')).json)).not.toContain('calvin');
    expect((await call(adminKey, 'GET', `/api/2.0/machines/${json.system_id}/?op=power_parameters`)).json).toMatchObject({ power_pass: 'calvin' });
    const user = createUser(store, 'viewer');
    const viewerKey = formatApiKey(createApiKey(store, user));
    expect((await call(viewerKey, 'GET', `/api/2.0/machines/${json.system_id}/?op=power_parameters`)).status).toBe(403);
  });
});

describe('hardware pushes and release', () => {
  it('pushes hardware with the machine token: twice the same changes nothing, a change records history, release goes to Ready', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const token = await machineTokenKey(json.system_id);
    expect((await signal(token, dell)).status).toBe(200);
    const first = (await call(adminKey, 'GET', `/api/2.0/machines/${json.system_id}/`)).json;
    expect(first).toMatchObject({ cpu_count: 112, memory: 524288, status_name: 'Deployed' });
    expect((await signal(token, dell)).status).toBe(200);
    expect((await call(adminKey, 'GET', `/api/2.0/machines/${json.system_id}/`)).json.updated).toBe(first.updated);
    const changed = structuredClone(dell) as any;
    changed.resources.storage.disks.pop();
    await signal(token, changed);
    const history = (await call(adminKey, 'GET', `/api/2.0/redfish-enlist/machines/${json.system_id}/history/`)).json;
    expect(history).toHaveLength(1);
    expect(history[0].changes[0].description).toMatch(/^disk sdf removed/);
    const released = await call(adminKey, 'POST', `/api/2.0/machines/${json.system_id}/?op=release`);
    expect(released.json).toMatchObject({ status: 4, status_name: 'Ready', owner: null });
  });

  it('shows the status message MAAS would: none while Deployed, "Released" after a release or after marking a Deployed machine broken, "Ready" after a push with status=OK', async () => {
    const statusEvent = async (systemId: string) => {
      const { json } = await call(adminKey, 'GET', machinePath(systemId));
      return [json.status_name, json.status_action, json.status_message];
    };
    const other = (hostname: string, mac: string) => call(adminKey, 'POST', '/api/2.0/machines/', { ...redfishMachine(hostname), mac_addresses: mac }).then((answer) => answer.json.system_id as string);
    const released = await other('released-01', '02:00:00:00:00:01');
    expect(await statusEvent(released)).toEqual(['Deployed', null, null]);
    await call(adminKey, 'POST', machinePath(released, 'lock'));
    await call(adminKey, 'POST', machinePath(released, 'unlock'));
    expect(await statusEvent(released)).toEqual(['Deployed', null, null]);
    expect((await call(adminKey, 'GET', machinePath(released))).json).toMatchObject({ enable_hw_sync: true, sync_interval: 3600 });
    // As MAAS, a release also ends the machine's hardware sync.
    expect((await call(adminKey, 'POST', machinePath(released, 'release'))).json).toMatchObject({
      status_name: 'New',
      status_action: '',
      status_message: 'Released',
      enable_hw_sync: false,
      sync_interval: null,
      last_sync: null,
      next_sync: null,
    });
    expect(await statusEvent(released)).toEqual(['New', '', 'Released']);

    const broken = await other('broken-01', '02:00:00:00:00:02');
    expect((await call(adminKey, 'POST', machinePath(broken, 'mark_broken'))).json).toMatchObject({ status_name: 'Broken', status_message: 'Released' });
    expect((await call(adminKey, 'POST', machinePath(broken, 'mark_fixed'))).json).toMatchObject({ status_name: 'Deployed', status_message: 'Released' });

    const ready = await enlistRedfish();
    expect((await signal(await machineTokenKey(ready), dell, 'OK')).status).toBe(200);
    expect(await statusEvent(ready)).toEqual(['Ready', '', 'Ready']);
  });

  it('refuses FAILED for a Deployed machine with 409, in MAAS words', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const answer = await signal(await machineTokenKey(json.system_id), dell, 'FAILED');
    expect(answer.status).toBe(409);
    expect(answer.text).toBe('Invalid transition: Deployed -> Failed commissioning.');
  });

  it('refuses a document that fails validation with 400 listing the violations', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const broken = structuredClone(dell) as any;
    delete broken.networks;
    const answer = await signal(await machineTokenKey(json.system_id), broken);
    expect(answer.status).toBe(400);
    expect(answer.json['50-maas-01-commissioning.out']).toContain('networks: is required and must be an object');
  });

  it('refuses an admin key on the metadata API and a machine token on the REST API', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    expect((await signal(adminKey, dell)).status).toBe(403);
    const token = await machineTokenKey(json.system_id);
    expect((await call(token, 'GET', `/api/2.0/machines/${json.system_id}/`)).status).toBe(403);
    expect((await call(token, 'POST', `/api/2.0/machines/${json.system_id}/?op=release`)).status).toBe(403);
  });

  it('lists a machine its commissioning script set as MAAS does (a tar with index.json): the script it parses, and lshw, kept for details', async () => {
    const systemId = await enlistRedfish();
    const token = await machineTokenKey(systemId);
    const url = `${server.url}/metadata/2012-03-01/maas-scripts`;
    const response = await fetch(url, { headers: { authorization: signerFor(token)('GET', url) } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    const archive = new Uint8Array(await response.arrayBuffer());
    const index = JSON.parse(Buffer.from(tarEntry(archive, 'index.json')!).toString('utf8'));
    expect(index['1.0'].commissioning_scripts.map((script: { name: string }) => script.name)).toEqual(['50-maas-01-commissioning', 'maas-lshw']);
    expect((await call(adminKey, 'GET', '/metadata/2012-03-01/maas-scripts')).status).toBe(403);
    expect((await call(token, 'POST', '/metadata/2012-03-01/maas-scripts')).status).toBe(405);
  });

  it('refuses a locked machine release with an empty 403, as MAAS does', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    await call(adminKey, 'POST', `/api/2.0/machines/${json.system_id}/?op=lock`);
    const release = await call(adminKey, 'POST', `/api/2.0/machines/${json.system_id}/?op=release`);
    expect(release).toMatchObject({ status: 403, text: '' });
  });
});

describe('per-machine tokens', () => {
  it('gives the token to the owner, regenerates it so the old one is refused at once, and refuses others', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const old = await machineTokenKey(json.system_id);
    const regenerated = await call(adminKey, 'POST', `/api/2.0/machines/${json.system_id}/?op=regenerate_token`);
    const fresh = `${regenerated.json.consumer_key}:${regenerated.json.token_key}:${regenerated.json.token_secret}`;
    expect(fresh).not.toBe(old);
    expect((await signal(old, dell)).status).toBe(401);
    expect((await signal(fresh, dell)).status).toBe(200);
    const other = createUser(store, 'other-admin', { admin: true });
    const otherKey = formatApiKey(createApiKey(store, other));
    expect((await call(otherKey, 'GET', `/api/2.0/machines/${json.system_id}/?op=get_token`)).status).toBe(403);
    expect((await call(undefined, 'GET', `/api/2.0/machines/${json.system_id}/?op=get_token`)).status).toBe(401);
  });
});

describe('controllers', () => {
  it('links a controller to a machine (Deployed, locked, annotated) and unlocks it on removal', async () => {
    const { json } = await call(adminKey, 'POST', '/api/2.0/machines/', redfishMachine());
    const registered = await call(adminKey, 'POST', '/api/2.0/redfish-enlist/controllers/', { name: 'region-1', system_id: json.system_id });
    expect(registered.json).toEqual({ name: 'region-1', system_id: json.system_id });
    const linked = (await call(adminKey, 'GET', `/api/2.0/machines/${json.system_id}/`)).json;
    expect(linked).toMatchObject({ status_name: 'Deployed', locked: true, workload_annotations: { 'maas-controller': 'region-1' } });
    expect((await call(adminKey, 'POST', '/api/2.0/redfish-enlist/controllers/', { name: 'region-1', system_id: json.system_id })).status).toBe(200);
    expect((await call(adminKey, 'DELETE', '/api/2.0/redfish-enlist/controllers/region-1/')).json).toEqual({ systemId: json.system_id, deleted: false });
    expect((await call(adminKey, 'GET', `/api/2.0/machines/${json.system_id}/`)).json.locked).toBe(false);
  });
});

describe('rule 5: registering the same machine again never duplicates or renames it', () => {
  it('registers the same machine again without a second record or a rename', async () => {
    const first = await call(adminKey, 'POST', '/api/2.0/machines/?op=register', redfishMachine());
    const again = await call(adminKey, 'POST', '/api/2.0/machines/?op=register', redfishMachine('renamed-host'));
    expect(again.json).toMatchObject({ system_id: first.json.system_id, hostname: 'r750-db01', created: false });
    expect((await call(adminKey, 'GET', '/api/2.0/machines/')).json).toHaveLength(1);
  });

  it('registers a controller machine again with 200, though it is locked', async () => {
    const first = await call(adminKey, 'POST', '/api/2.0/machines/?op=register', redfishMachine());
    await call(adminKey, 'POST', '/api/2.0/redfish-enlist/controllers/', { name: 'region-1', system_id: first.json.system_id });
    const again = await call(adminKey, 'POST', '/api/2.0/machines/?op=register', redfishMachine());
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ system_id: first.json.system_id, locked: true, created: false });
  });
});

describe('rule 9: enlisting needs an administrator; hardware needs only the machine token', () => {
  it("refuses a non-administrator's key with 403 when enlisting, deployed or by registration, and creates nothing", async () => {
    const operatorKey = formatApiKey(createApiKey(store, createUser(store, 'operator')));
    expect((await call(operatorKey, 'POST', '/api/2.0/machines/', redfishMachine())).status).toBe(403);
    expect((await call(operatorKey, 'POST', '/api/2.0/machines/?op=register', redfishMachine())).status).toBe(403);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/')).json).toEqual([]);
  });

  it('takes hardware from the machine token alone, and refuses that token for enlisting', async () => {
    const token = await machineTokenKey(await enlistRedfish());
    expect((await signal(token, dell)).status).toBe(200);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/')).json[0]).toMatchObject({ cpu_count: 112 });
    expect((await call(token, 'POST', '/api/2.0/machines/', redfishMachine('second'))).status).toBe(403);
    expect((await call(token, 'POST', '/api/2.0/machines/?op=register', redfishMachine('second'))).status).toBe(403);
  });
});

describe('machine operations', () => {
  it('deletes a machine with 204: it is gone from the listing and its token no longer works', async () => {
    const id = await enlistRedfish();
    const token = await machineTokenKey(id);
    const deleted = await call(adminKey, 'DELETE', machinePath(id));
    expect(deleted.status).toBe(204);
    expect((await call(adminKey, 'GET', machinePath(id))).status).toBe(404);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/')).json).toEqual([]);
    expect((await signal(token, dell)).status).toBe(401);
  });

  it('refuses to delete a locked machine with an empty 403, as MAAS does, and keeps it', async () => {
    const id = await enlistRedfish();
    await call(adminKey, 'POST', machinePath(id, 'lock'));
    const refused = await call(adminKey, 'DELETE', machinePath(id));
    expect(refused).toMatchObject({ status: 403, text: '' });
    expect((await call(adminKey, 'GET', machinePath(id))).json.locked).toBe(true);
  });

  it('unlocks a locked machine so it can be released, and refuses to unlock it twice', async () => {
    const id = await enlistRedfish();
    await call(adminKey, 'POST', machinePath(id, 'lock'));
    const unlocked = await call(adminKey, 'POST', machinePath(id, 'unlock'));
    expect(unlocked).toMatchObject({ status: 200, json: { locked: false, status_name: 'Deployed' } });
    expect(await call(adminKey, 'POST', machinePath(id, 'unlock'))).toMatchObject({ status: 409, text: 'Machine is not locked' });
    expect((await call(adminKey, 'POST', machinePath(id, 'release'))).json).toMatchObject({ status_name: 'New' });
  });

  it("sets the owner's workload annotations, an empty value deleting a key; others get 409", async () => {
    const id = await enlistRedfish();
    await call(adminKey, 'POST', machinePath(id, 'set_workload_annotations'), { service: 'db', team: 'storage' });
    const changed = await call(adminKey, 'POST', machinePath(id, 'set_workload_annotations'), { team: '' });
    expect(changed).toMatchObject({ status: 200, json: { workload_annotations: { service: 'db' } } });
    const otherKey = formatApiKey(createApiKey(store, createUser(store, 'operator')));
    expect((await call(otherKey, 'POST', machinePath(id, 'set_workload_annotations'), { team: 'x' })).status).toBe(409);
    expect((await call(adminKey, 'GET', machinePath(id))).json.workload_annotations).toEqual({ service: 'db' });
  });

  it('marks a Deployed machine broken and fixed again, back to Deployed with its owner', async () => {
    const id = await enlistRedfish();
    expect(await call(adminKey, 'POST', machinePath(id, 'mark_broken'))).toMatchObject({ status: 200, json: { status: 8, status_name: 'Broken' } });
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?status=broken')).json).toHaveLength(1);
    const fixed = await call(adminKey, 'POST', machinePath(id, 'mark_fixed'));
    expect(fixed).toMatchObject({ status: 200, json: { status: 6, status_name: 'Deployed', owner: 'admin' } });
    expect((await call(adminKey, 'POST', machinePath(id, 'mark_fixed'))).status).toBe(409);
  });

  it('moves a Deployed machine to Ready on a status=OK signal, as MAAS does: owner cleared, token dead', async () => {
    const id = await enlistRedfish();
    const token = await machineTokenKey(id);
    expect((await signal(token, dell, 'OK')).status).toBe(200);
    const after = (await call(adminKey, 'GET', machinePath(id))).json;
    expect(after).toMatchObject({ status: 4, status_name: 'Ready', owner: null, cpu_count: 112 });
    expect((await signal(token, dell)).status).toBe(401);
  });

  it('removes a controller machine that has no BMC when the controller is unregistered', async () => {
    const registered = (await call(adminKey, 'POST', '/api/2.0/redfish-enlist/controllers/', { name: 'rack-7' })).json;
    expect((await call(adminKey, 'GET', machinePath(registered.system_id))).json).toMatchObject({ status_name: 'Deployed', locked: true, power_type: '' });
    const removed = await call(adminKey, 'DELETE', '/api/2.0/redfish-enlist/controllers/rack-7/');
    expect(removed).toMatchObject({ status: 200, json: { systemId: registered.system_id, deleted: true } });
    expect((await call(adminKey, 'GET', machinePath(registered.system_id))).status).toBe(404);
    expect((await call(adminKey, 'GET', '/api/2.0/redfish-enlist/controllers/')).json).toEqual([]);
  });
});

// Forged, replayed, oversized and malformed requests: test/faults/registry-abuse.test.ts.
