// What MAAS's own clients need from the registry beyond machines: the API description they build
// their commands from, the collections they read on their way, the operations they call, and
// MAAS's answers when they ask for something the registry does not have. (Whether the fields and
// types are MAAS's is decided against the real region: test/real-maas/registry-fields.test.ts.)
import { get } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { describeApi, RESOURCES } from '../../src/registry/describe.ts';
import type { RegistryServer } from '../../src/registry/serve.ts';
import type { Store } from '../../src/registry/store.ts';
import { createApiKey, createUser, formatApiKey } from '../../src/registry/users.ts';
import { signerFor } from '../helpers/oauth.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { findMachine } from '../../src/registry/machines.ts';
import { fixtureDocument, fixtureResults, macsOf, registryUnderTest } from './fixtures.ts';

let store: Store;
let server: RegistryServer;
let adminKey: string;
let dispose: () => Promise<void>;
let dell: CommissioningData;

beforeEach(async () => {
  ({ store, server, adminKey, dispose } = await registryUnderTest());
  dell = await fixtureDocument('dell-r750-idrac9');
});
afterEach(() => dispose());

async function call(key: string | undefined, method: string, path: string, fields?: Record<string, string | string[]>, files?: Record<string, string>) {
  const url = `${server.url}${path}`;
  let body: FormData | undefined;
  if (fields || files) {
    body = new FormData();
    for (const [name, value] of Object.entries(fields ?? {})) for (const one of ([] as string[]).concat(value)) body.append(name, one);
    for (const [name, content] of Object.entries(files ?? {})) body.append(name, new Blob([content]), name);
  }
  const response = await fetch(url, { method, headers: key ? { authorization: signerFor(key)(method, url) } : {}, ...(body ? { body } : {}) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, bytes, type: response.headers.get('content-type') };
}

async function deployed(hostname: string, macs: string[] = macsOf(dell)): Promise<string> {
  const reply = await call(adminKey, 'POST', '/api/2.0/machines/', { hostname, architecture: 'amd64', power_type: 'manual', mac_addresses: macs, deployed: 'true' });
  expect(reply.status, reply.text).toBe(200);
  return reply.json.system_id;
}

async function push(systemId: string, document: unknown, files: Record<string, string> = {}, exitStatus = '0') {
  const token = (await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/?op=get_token`)).json;
  const key = `${token.consumer_key}:${token.token_key}:${token.token_secret}`;
  return call(key, 'POST', '/metadata/2012-03-01/', { op: 'signal', status: 'WORKING', exit_status: exitStatus }, { '50-maas-01-commissioning.out': JSON.stringify(document), ...files });
}

describe('the API description', () => {
  it('is served without a signature, in MAAS’s document shape, with absolute URIs on the address the client used', async () => {
    // fetch() sets Host itself; node:http sends the one a client behind a name would.
    const { status, type, body } = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const request = get(`${server.url}/api/2.0/describe/`, { headers: { host: 'registry.example:5240' } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, type: String(response.headers['content-type']), body: text }));
      });
      request.on('error', reject);
    });
    expect(status).toBe(200);
    expect(type).toBe('application/json');
    const description = JSON.parse(body);
    expect(Object.keys(description).sort()).toEqual(['doc', 'handlers', 'hash', 'resources']);
    const machines = description.resources.find((resource: any) => resource.name === 'MachinesHandler');
    expect(machines.anon).toBeNull();
    expect(machines.auth).toMatchObject({ name: 'MachinesHandler', path: '/MAAS/api/2.0/machines/', params: [], uri: 'http://registry.example:5240/MAAS/api/2.0/machines/' });
    expect(machines.auth.actions.map((action: any) => [action.name, action.method, action.op, action.restful])).toContainEqual(['release', 'POST', 'release', false]);
    const version = description.resources.find((resource: any) => resource.name === 'VersionHandler');
    expect(version).toMatchObject({ auth: null, anon: { path: '/MAAS/api/2.0/version/' } });
    expect(description.handlers).toHaveLength(description.resources.reduce((sum: number, resource: any) => sum + (resource.anon ? 1 : 0) + (resource.auth ? 1 : 0), 0));
  });

  it('is not at /MAAS/describe/: that path is MAAS’s web UI, which sends a client without a session to its login page, as MAAS does', async () => {
    const answer = async (path: string) => {
      const response = await fetch(`${server.url.replace(/\/MAAS$/, '')}${path}`, { redirect: 'manual' });
      return [response.status, response.headers.get('location'), (await response.text()).slice(0, 80)];
    };
    expect(await answer('/MAAS/describe/')).toEqual([302, '/MAAS/?next=%2FMAAS%2Fdescribe%2F', '']);
    expect(await answer('/MAAS/describe/?format=json')).toEqual([302, '/MAAS/?next=%2FMAAS%2Fdescribe%2F', '']);
    expect(await answer('/MAAS/api/')).toEqual([302, '/MAAS/?next=%2FMAAS%2Fapi%2F', '']);
    expect(await answer("/MAAS/a%20b/(x)'!")).toEqual([302, '/MAAS/?next=%2FMAAS%2Fa+b%2F%28x%29%27%21', '']);
    expect(await answer('/MAAS/api/1.0/machines/')).toEqual([410, null, 'The 1.0 API is no longer available. Please use API version 2.0.']);
    // The API itself and the metadata service answer as before.
    expect(await answer('/MAAS/api/2.0/frobnicators/')).toEqual([404, null, 'Unknown API endpoint: /MAAS/api/2.0/frobnicators/.']);
    expect((await answer('/MAAS/api/2.0/describe/'))[0]).toBe(200);
  });

  it('lists exactly what the registry answers: every described action reaches its handler, anything else is refused as MAAS refuses it', async () => {
    const systemId = await deployed('described');
    await push(systemId, dell);
    await call(adminKey, 'POST', '/api/2.0/tags/', { name: 'rack' });
    const ifaceId = (await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/`)).json.interface_set[0].id;
    const diskId = (await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/`)).json.blockdevice_set[0].id;
    // What each template parameter names here, by handler.
    const values = (handler: string): Record<string, string> => ({
      system_id: systemId,
      id: handler === 'ResourcePoolHandler' ? '0' : handler === 'BlockDeviceHandler' ? String(diskId) : String(ifaceId),
      name: handler === 'ZoneHandler' ? 'default' : 'rack',
      username: 'admin',
    });
    const refusedAsUnknown = (reply: { status: number; text: string }) =>
      (reply.status === 404 && reply.text.startsWith('Unknown API endpoint')) || reply.status === 405 || reply.text.startsWith('Unrecognised signature');
    for (const resource of RESOURCES) {
      for (const handler of [resource.auth, resource.anon]) {
        if (!handler) continue;
        for (const action of handler.actions) {
          // Destructive operations last would change the machine under the others: read-only ones here.
          if (action.method !== 'GET') continue;
          const path = handler.path.replace('/MAAS', '').replace(/\{([a-z_]+)\}/g, (_, name: string) => values(handler.name)[name]!);
          const query = action.op ? `?op=${action.op}${action.op === 'get_config' ? '&name=maas_name' : ''}` : '';
          const reply = await call(adminKey, action.method, `${path}${query}`);
          expect(refusedAsUnknown(reply), `${action.method} ${path}${query}: ${reply.status} ${reply.text.slice(0, 100)}`).toBe(false);
          expect(reply.status, `${action.method} ${path}${query}: ${reply.text.slice(0, 100)}`).toBeLessThan(300);
        }
      }
    }
    expect(await call(adminKey, 'GET', '/api/2.0/machines/?op=allocate')).toMatchObject({ status: 400, text: 'Unrecognised signature: method=GET op=allocate' });
    expect(await call(adminKey, 'POST', `/api/2.0/machines/${systemId}/?op=frob`)).toMatchObject({ status: 400, text: 'Unrecognised signature: method=POST op=frob' });
    expect((await call(adminKey, 'PUT', '/api/2.0/machines/')).status).toBe(405);
    expect(await call(adminKey, 'GET', '/api/2.0/fabrics/')).toMatchObject({ status: 404, text: 'Unknown API endpoint: /MAAS/api/2.0/fabrics/.' });
    expect(await call(adminKey, 'GET', '/api/2.0/pools/')).toMatchObject({ status: 404, text: 'Unknown API endpoint: /MAAS/api/2.0/pools/.' });
  });

  it('keeps its hash while the handlers stay the same, and every handler path is under the API', () => {
    expect(describeApi('http://a').hash).toBe(describeApi('http://b').hash);
    for (const resource of RESOURCES) for (const handler of [resource.auth, resource.anon]) if (handler) expect(handler.path).toMatch(/^\/MAAS\/api\/2\.0\//);
  });
});

describe('refusals as MAAS answers them', () => {
  it('answers an unknown machine, node, zone, pool, tag and user with MAAS’s 404 messages', async () => {
    for (const [path, message] of [
      ['/api/2.0/machines/nosuch/', 'No Machine matches the given query.'],
      ['/api/2.0/nodes/nosuch/', 'No Node matches the given query.'],
      ['/api/2.0/zones/rack-b/', 'No Zone matches the given query.'],
      ['/api/2.0/resourcepool/7/', 'No ResourcePool matches the given query.'],
      ['/api/2.0/tags/nosuch/', 'No Tag matches the given query.'],
      ['/api/2.0/users/nobody/', 'No User matches the given query.'],
    ]) {
      expect(await call(adminKey, 'GET', path!), path).toMatchObject({ status: 404, text: message });
    }
  });

  it('refuses a manual machine without a MAC naming every field, as MAAS’s form does', async () => {
    const reply = await call(adminKey, 'POST', '/api/2.0/machines/', { hostname: 'no-mac', power_type: 'manual', deployed: 'true' });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      architecture: ['This field is required.'],
      mac_addresses: ['This field is required.'],
      power_type: ["Can't set power type to manual without network interfaces"],
    });
  });

  it('refuses an unknown API key in MAAS’s words, and an unsigned request to anything but the version and the description', async () => {
    expect(await call('aaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbb:cccccccccccccccccccccccccccccccc', 'GET', '/api/2.0/machines/')).toMatchObject({ status: 401, text: 'Authorization Error: Invalid API key.' });
    expect((await call(undefined, 'GET', '/api/2.0/zones/')).status).toBe(401);
    expect((await call(undefined, 'PUT', '/api/2.0/machines/')).status).toBe(401);
    expect((await call(undefined, 'GET', '/api/2.0/version/')).status).toBe(200);
  });
});

describe('what MAAS’s CLI sends', () => {
  it('reads form parts sent base64-encoded, as maascli sends every part', async () => {
    const boundary = 'maascli-boundary';
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${Buffer.from(value).toString('base64')}\r\n`;
    const body = `${part('hostname', 'cli-made')}${part('architecture', 'amd64')}${part('power_type', 'ipmi')}${part('deployed', 'true')}--${boundary}--\r\n`;
    const url = `${server.url}/api/2.0/machines/`;
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary="${boundary}"`, authorization: signerFor(adminKey)('POST', url) } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ hostname: 'cli-made', architecture: 'amd64/generic', power_type: 'ipmi', status_name: 'Deployed' });
  });
});

describe('machines for MAAS’s clients', () => {
  it('shows the machine’s zone, pool, tags, addresses, and each address as a static link on its subnet', async () => {
    const systemId = await deployed('linked');
    await push(systemId, dell);
    const machine = (await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/`)).json;
    expect(machine).toMatchObject({ zone: { name: 'default' }, pool: { name: 'default' }, ip_addresses: ['10.20.30.41'], boot_disk: { name: 'sda' }, enable_hw_sync: true, sync_interval: 3600 });
    expect(Date.parse(machine.next_sync) - Date.parse(machine.last_sync)).toBe(3_600_000);
    const linked = machine.interface_set.find((iface: any) => iface.links.length > 0);
    expect(linked.vlan).toMatchObject({ name: 'untagged', fabric: 'fabric-0', vid: 0 });
    expect(linked.links).toEqual([expect.objectContaining({ mode: 'static', ip_address: '10.20.30.41', subnet: expect.objectContaining({ cidr: '10.20.30.0/24', name: '10.20.30.0/24' }) })]);
    expect(machine.interface_set.filter((iface: any) => iface.links.length === 0).every((iface: any) => iface.vlan === null)).toBe(true);
    // Another machine on the same network is on the same subnet.
    const other = structuredClone(dell) as any;
    for (const [name, state] of Object.entries(other.networks) as [string, any][]) state.hwaddr = `0a:00:00:00:00:0${Object.keys(other.networks).indexOf(name)}`;
    for (const card of other.resources.network.cards) for (const port of card.ports) port.address = `0a:00:00:00:00:0${Object.keys(other.networks).indexOf(port.id)}`;
    for (const state of Object.values(other.networks) as any[]) for (const address of state.addresses) address.address = '10.20.30.42';
    other.resources.system.uuid = '00000000-0000-4000-8000-000000000042';
    const second = await deployed('linked-2', Object.values(other.networks).map((state: any) => state.hwaddr));
    expect((await push(second, other)).status).toBe(200);
    const subnetOf = async (id: string) => (await call(adminKey, 'GET', `/api/2.0/nodes/${id}/interfaces/`)).json.flatMap((iface: any) => iface.links).map((link: any) => link.subnet.id);
    expect(await subnetOf(second)).toEqual(await subnetOf(systemId));
  });

  it('tags machines as MAAS does: create, update_nodes, tag_names, the tag’s machines, and the tags filter', async () => {
    const tagged = await deployed('tagged');
    const other = await deployed('untagged', ['02:00:00:00:01:01']);
    expect((await call(adminKey, 'POST', '/api/2.0/tags/', { name: 'rack-a1', comment: 'row 1' })).json).toEqual({ name: 'rack-a1', definition: '', comment: 'row 1', kernel_opts: '', resource_uri: '/MAAS/api/2.0/tags/rack-a1/' });
    expect((await call(adminKey, 'POST', '/api/2.0/tags/', { name: 'rack-a1' })).json).toEqual({ name: ['Tag with this Name already exists.'] });
    expect((await call(adminKey, 'POST', '/api/2.0/tags/', { name: 'no spaces' })).json).toEqual({ name: ['Enter a valid value.'] });
    expect((await call(adminKey, 'POST', '/api/2.0/tags/rack-a1/?op=update_nodes', { add: [tagged, 'nosuch'] })).json).toEqual({ added: 1, removed: 0 });
    expect((await call(adminKey, 'GET', `/api/2.0/machines/${tagged}/`)).json.tag_names).toEqual(['rack-a1']);
    expect((await call(adminKey, 'GET', '/api/2.0/tags/rack-a1/?op=machines')).json.map((machine: any) => machine.system_id)).toEqual([tagged]);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?tags=rack-a1')).json.map((machine: any) => machine.system_id)).toEqual([tagged]);
    expect((await call(adminKey, 'GET', '/api/2.0/tags/')).json.map((tag: any) => tag.name)).toEqual(['rack-a1']);
    const viewer = formatApiKey(createApiKey(store, createUser(store, 'viewer')));
    expect(await call(viewer, 'POST', '/api/2.0/tags/rack-a1/?op=update_nodes', { add: other })).toMatchObject({ status: 403, text: 'Must be a superuser or supply a rack_controller' });
    expect((await call(adminKey, 'POST', '/api/2.0/tags/rack-a1/?op=update_nodes', { remove: tagged })).json).toEqual({ added: 0, removed: 1 });
    expect((await call(adminKey, 'DELETE', '/api/2.0/tags/rack-a1/')).status).toBe(204);
    expect((await call(adminKey, 'GET', '/api/2.0/tags/')).json).toEqual([]);
  });

  it('filters machines by zone, pool and domain, which the registry has one of each', async () => {
    await deployed('zoned');
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?zone=default&pool=default&domain=maas')).json).toHaveLength(1);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?zone=rack-b')).json).toEqual([]);
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?pool=gpu')).json).toEqual([]);
  });

  it('releases several machines at once as MAAS does: unknown ids 400, a machine that cannot be released 409, else the ids released', async () => {
    const first = await deployed('release-1', ['02:00:00:00:02:01']);
    const second = await deployed('release-2', ['02:00:00:00:02:02']);
    expect(await call(adminKey, 'POST', '/api/2.0/machines/?op=release', { machines: [first, 'nosuch'] })).toMatchObject({ status: 400, text: 'Unknown machine(s): nosuch.' });
    expect((await call(adminKey, 'POST', '/api/2.0/machines/?op=release', { machines: [first, second] })).json).toEqual([first, second]);
    const statuses = (await call(adminKey, 'GET', '/api/2.0/machines/')).json.map((machine: any) => machine.status_name);
    expect(statuses).toEqual(['New', 'New']);
    expect(await call(adminKey, 'POST', '/api/2.0/machines/?op=release', { machines: first })).toMatchObject({ status: 409, text: `Machine(s) cannot be released in their current state: ${first} ('New').` });
    expect((await call(adminKey, 'POST', '/api/2.0/machines/?op=release')).json).toEqual([]);
  });

  it('serves a machine’s details as MAAS’s BSON: null until the machine reports lshw or LLDP output, then that output', async () => {
    const systemId = await deployed('detailed');
    const empty = await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/?op=details`);
    expect(empty.type).toBe('application/bson');
    expect(empty.bytes.toString('hex')).toBe('110000000a6c6c6470000a6c73687700' + '00');
    const lshw = '<?xml version="1.0" ?><list><node id="r750" class="system"/></list>';
    await push(systemId, dell, { 'maas-lshw.out': lshw }, '1');
    expect((await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/?op=details`)).bytes.equals(empty.bytes)).toBe(true);
    await push(systemId, dell, { 'maas-lshw.out': lshw });
    const details = (await call(adminKey, 'GET', `/api/2.0/nodes/${systemId}/?op=details`)).bytes;
    expect(details.readInt32LE(0)).toBe(details.length);
    expect(details.subarray(4, 10).toString('latin1')).toBe('\x0alldp\0');
    expect(details.subarray(10, 16).toString('latin1')).toBe('\x05lshw\0');
    expect(details.readInt32LE(16)).toBe(lshw.length);
    expect(details.subarray(21, 21 + lshw.length).toString()).toBe(lshw);
  });
});

describe('details of swept machines', () => {
  it('serves the lshw output a sweep made, as the embedded target stores it', async () => {
    const systemId = await deployed('swept');
    const results = await fixtureResults('dell-r750-idrac9');
    const row = findMachine(store, systemId)!;
    await new EmbeddedTarget(store).pushHardware({ systemId, hostname: row.hostname, status: 6, statusName: 'Deployed', locked: false, macAddresses: [], powerType: 'manual' }, results);
    const details = (await call(adminKey, 'GET', `/api/2.0/machines/${systemId}/?op=details`)).bytes;
    const lshw = Buffer.from(results.outputs['maas-lshw']!, 'utf8');
    expect(details.readInt32LE(16)).toBe(lshw.length);
    expect(details.subarray(21, 21 + lshw.length).equals(lshw)).toBe(true);
  });
});

describe('the collections on the way', () => {
  it('answers the settings clients ask for, and refuses others naming the ones it has', async () => {
    expect((await call(adminKey, 'GET', '/api/2.0/maas/?op=get_config&name=hardware_sync_interval')).json).toBe('1h');
    expect(typeof (await call(adminKey, 'GET', '/api/2.0/maas/?op=get_config&name=maas_name')).json).toBe('string');
    expect((await call(adminKey, 'GET', '/api/2.0/maas/?op=get_config&name=ntp_servers')).json).toEqual({
      ntp_servers: ['ntp_servers is not a valid config setting (valid settings are: maas_name, hardware_sync_interval).'],
    });
    expect(await call(adminKey, 'GET', '/api/2.0/maas/?op=get_config')).toMatchObject({ status: 400, text: 'No provided name!' });
  });

  it('lists users, the logged-in user and their keys, never a key’s secret', async () => {
    const users = (await call(adminKey, 'GET', '/api/2.0/users/')).json;
    expect(users).toEqual([{ is_superuser: true, username: 'admin', email: '', is_local: true, resource_uri: '/MAAS/api/2.0/users/admin/' }]);
    expect((await call(adminKey, 'GET', '/api/2.0/users/?op=whoami')).json).toEqual(users[0]);
    const tokens = await call(adminKey, 'GET', '/api/2.0/account/?op=list_authorisation_tokens');
    const [consumer, token, secret] = adminKey.split(':');
    expect(tokens.json).toEqual([{ name: '', token: `${consumer}:${token}` }]);
    expect(tokens.text).not.toContain(secret);
  });

  it('has the default zone and resource pool every machine is in', async () => {
    expect((await call(adminKey, 'GET', '/api/2.0/zones/')).json).toEqual([{ name: 'default', description: '', id: 1, resource_uri: '/MAAS/api/2.0/zones/default/' }]);
    expect((await call(adminKey, 'GET', '/api/2.0/resourcepools/')).json).toEqual([{ name: 'default', description: 'Default pool', id: 0, resource_uri: '/MAAS/api/2.0/resourcepool/0/' }]);
  });
});
