import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMockup, type Mockup } from '../../../src/redfish/mockup.ts';
import { loadBehaviour, startBmc, type BmcOptions, type SimulatedBmc } from '../../../src/redfish/simulator/index.ts';
import { BASIC, call, getJson, HAVE_MOCKUPS, MOCKUPS } from './helpers.ts';

const MEMORY = '/redfish/v1/Systems/437XR1138R2/Memory';
let rack: Mockup;
let dell: Mockup;
let intel: Mockup;
const running: SimulatedBmc[] = [];

async function start(options: BmcOptions): Promise<SimulatedBmc> {
  const bmc = await startBmc({ tls: false, ...options });
  running.push(bmc);
  return bmc;
}

async function login(bmc: SimulatedBmc, password = 'redfish') {
  return call(`${bmc.url}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ UserName: 'admin', Password: password }),
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((bmc) => bmc.close()));
});

describe.skipIf(!HAVE_MOCKUPS)(`simulated BMC (public mockups in ${MOCKUPS}; skipped when that folder is absent)`, () => {
  beforeAll(async () => {
    const load = (tree: string) => loadMockup(join(MOCKUPS, tree));
    [rack, dell, intel] = await Promise.all([load('dmtf-public-rackmount1'), load('bmclib-dell-idrac'), load('cray-csm-Intel')]);
  });

  describe('serving', () => {
    it('serves every resource of a public mockup tree exactly as stored, sessions being live', async () => {
      const bmc = await start({ mockup: rack });
      for (const [key, resource] of rack) {
        if (key.startsWith('/redfish/v1/SessionService/Sessions')) continue;
        const answer = await getJson(`${bmc.url}${key}`);
        expect(answer.status, key).toBe(resource.status ?? 200);
        expect(answer.json, key).toEqual(resource.body);
      }
      const sessions = await getJson(`${bmc.url}/redfish/v1/SessionService/Sessions`);
      expect(sessions.json).toMatchObject({ Name: 'Session Collection', Members: [], 'Members@odata.count': 0 });
    });

    it('serves a path with a trailing slash as the same resource', async () => {
      const bmc = await start({ mockup: rack });
      const plain = await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC } });
      const slash = await call(`${bmc.url}/redfish/v1/Systems/`, { headers: { Authorization: BASIC } });
      expect(slash.body).toBe(plain.body);
      expect(slash.headers.etag).toBe(plain.headers.etag);
    });

    it('answers /redfish and the service root without credentials', async () => {
      const bmc = await start({ mockup: rack });
      expect(JSON.parse((await call(`${bmc.url}/redfish`)).body)).toEqual({ v1: '/redfish/v1/' });
      const root = await call(`${bmc.url}/redfish/v1/`);
      expect(root.status).toBe(200);
      expect(root.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(root.headers['odata-version']).toBe('4.0');
    });

    it('answers an unknown path with 404 and a ResourceMissingAtURI error', async () => {
      const bmc = await start({ mockup: rack });
      const answer = await getJson(`${bmc.url}/redfish/v1/Nope`);
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe('Base.1.8.ResourceMissingAtURI');
      expect(answer.json.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.8.ResourceMissingAtURI');
    });

    it("answers a recorded error resource with its status, and sends a resource's stored headers", async () => {
      const mockup: Mockup = new Map([
        ['/redfish/v1', { body: { '@odata.id': '/redfish/v1' } }],
        ['/redfish/v1/Systems/1/Storage', { status: 403, body: { error: { code: 'Base.1.8.LicenseRequired' } } }],
        ['/redfish/v1/Systems/1', { body: { Id: '1' }, headers: { 'X-Vendor': 'yes', ETag: '"stale"' } }],
      ]);
      const bmc = await start({ mockup });
      const storage = await getJson(`${bmc.url}/redfish/v1/Systems/1/Storage`);
      expect(storage.status).toBe(403);
      expect(storage.json.error.code).toBe('Base.1.8.LicenseRequired');
      const system = await getJson(`${bmc.url}/redfish/v1/Systems/1`);
      expect(system.headers['x-vendor']).toBe('yes');
      expect(system.headers.etag).not.toBe('"stale"');
    });

    it('refuses methods other than GET with 405', async () => {
      const bmc = await start({ mockup: rack });
      const answer = await call(`${bmc.url}/redfish/v1/Systems`, { method: 'PATCH', headers: { Authorization: BASIC }, body: '{}' });
      expect(answer.status).toBe(405);
      expect(JSON.parse(answer.body).error).toBeDefined();
    });
  });

  describe('authentication', () => {
    it('requires credentials and answers 401 with WWW-Authenticate and a Redfish error', async () => {
      const bmc = await start({ mockup: rack });
      const answer = await call(`${bmc.url}/redfish/v1/Systems`);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Basic realm="simulator"');
      expect(JSON.parse(answer.body).error.code).toBeDefined();
    });

    it('refuses a wrong password with 401 and counts the failure', async () => {
      const bmc = await start({ mockup: rack });
      const wrong = `Basic ${Buffer.from('admin:nope').toString('base64')}`;
      expect((await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: wrong } })).status).toBe(401);
      expect((await getJson(`${bmc.url}/redfish/v1/Systems`)).status).toBe(200);
      expect(bmc.stats.authFailures).toBe(1);
    });

    it('accepts the configured credentials only', async () => {
      const bmc = await start({ mockup: rack, credentials: { username: 'root', password: 'calvin' } });
      expect((await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC } })).status).toBe(401);
      const calvin = `Basic ${Buffer.from('root:calvin').toString('base64')}`;
      expect((await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: calvin } })).status).toBe(200);
    });
  });

  describe('sessions', () => {
    it('creates a session whose token authenticates, lists it, and deletes it at its Location', async () => {
      const bmc = await start({ mockup: rack });
      const created = await login(bmc);
      expect(created.status).toBe(201);
      const token = created.headers['x-auth-token'] as string;
      const location = created.headers.location as string;
      expect(location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
      expect(JSON.parse(created.body)['@odata.id']).toBe(location);
      expect((await call(`${bmc.url}/redfish/v1/Systems`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
      const list = JSON.parse((await call(`${bmc.url}/redfish/v1/SessionService/Sessions`, { headers: { 'X-Auth-Token': token } })).body);
      expect(list.Members).toEqual([{ '@odata.id': location }]);
      expect((await call(`${bmc.url}${location}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } })).status).toBe(204);
      expect((await call(`${bmc.url}/redfish/v1/Systems`, { headers: { 'X-Auth-Token': token } })).status).toBe(401);
      expect((await call(`${bmc.url}${location}`, { method: 'DELETE', headers: { Authorization: BASIC } })).status).toBe(404);
      expect(bmc.stats).toMatchObject({ sessionsCreated: 1, sessionsDeleted: 1, openSessions: 0 });
    });

    it('refuses a login with a wrong password with 401', async () => {
      const bmc = await start({ mockup: rack });
      expect((await login(bmc, 'wrong')).status).toBe(401);
      expect(bmc.stats.openSessions).toBe(0);
    });

    it('answers a login past the limit on a Dell tree with 400 and IDRAC RAC0218', async () => {
      const bmc = await start({ mockup: dell, sessionLimit: 2 });
      expect((await login(bmc)).status).toBe(201);
      const second = await login(bmc);
      expect(second.status).toBe(201);
      const refused = await login(bmc);
      expect(refused.status).toBe(400);
      const info = JSON.parse(refused.body).error['@Message.ExtendedInfo'][0];
      expect(info.MessageId).toBe('IDRAC.2.8.RAC0218');
      expect(info.Message).toBe('The maximum number of user sessions is reached.');
      await call(`${bmc.url}${second.headers.location as string}`, { method: 'DELETE', headers: { Authorization: BASIC } });
      expect((await login(bmc)).status).toBe(201);
    });

    it('answers a login past the limit elsewhere with 503 SessionLimitExceeded', async () => {
      const bmc = await start({ mockup: rack, sessionLimit: 1 });
      expect((await login(bmc)).status).toBe(201);
      const refused = await login(bmc);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body).error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.8.SessionLimitExceeded');
    });

    it("takes the session limit from the tree's behaviour unless the option is given", async () => {
      const fromBehaviour = await start({ mockup: rack, behaviour: { sessionLimit: 1 } });
      await login(fromBehaviour);
      expect((await login(fromBehaviour)).status).toBe(503);
      const fromOption = await start({ mockup: rack, behaviour: { sessionLimit: 1 }, sessionLimit: 3 });
      await login(fromOption);
      expect((await login(fromOption)).status).toBe(201);
    });

    it('answers 405 to a login when sessions are off', async () => {
      const bmc = await start({ mockup: rack, sessions: false });
      expect((await login(bmc)).status).toBe(405);
    });
  });

  describe('conditional GET', () => {
    it('answers 304 without a body to If-None-Match with the current ETag', async () => {
      const bmc = await start({ mockup: rack });
      const first = await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC } });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[^"]+"$/);
      const again = await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC, 'If-None-Match': etag } });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
      expect(bmc.stats.notModified).toBe(1);
    });

    it('changes the ETag when a resource is replaced, and 404s a deleted one', async () => {
      const bmc = await start({ mockup: rack });
      const before = await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC } });
      bmc.setResource('/redfish/v1/Systems/', { Members: [] });
      const after = await call(`${bmc.url}/redfish/v1/Systems`, { headers: { Authorization: BASIC, 'If-None-Match': before.headers.etag as string } });
      expect(after.status).toBe(200);
      expect(JSON.parse(after.body)).toEqual({ Members: [] });
      expect(after.headers.etag).not.toBe(before.headers.etag);
      bmc.deleteResource('/redfish/v1/Systems');
      expect((await getJson(`${bmc.url}/redfish/v1/Systems`)).status).toBe(404);
      expect(rack.get('/redfish/v1/Systems')).toBeDefined();
    });
  });

  describe('$expand', () => {
    it('inlines each member for every one-level $expand form when the root advertises it', async () => {
      const bmc = await start({ mockup: rack });
      for (const form of ['.($levels=1)', '*($levels=1)', '~($levels=1)', '.', '*', 'Members']) {
        const answer = await getJson(`${bmc.url}${MEMORY}?$expand=${encodeURIComponent(form)}`);
        expect(answer.json.Members, form).toEqual([1, 2, 3, 4].map((n) => rack.get(`${MEMORY}/DIMM${n}`)?.body));
      }
    });

    it('hides ExpandQuery from the root and ignores $expand when expand is off', async () => {
      const bmc = await start({ mockup: rack, expand: 'off' });
      const root = await getJson(`${bmc.url}/redfish/v1`);
      expect(root.json.ProtocolFeaturesSupported).toBeDefined();
      expect(root.json.ProtocolFeaturesSupported.ExpandQuery).toBeUndefined();
      expect((await getJson(`${bmc.url}${MEMORY}?$expand=.($levels=1)`)).json).toEqual(rack.get(MEMORY)?.body);
    });

    it('ignores $expand on a tree whose root does not advertise it', async () => {
      const bmc = await start({ mockup: intel });
      const systems = '/redfish/v1/Systems';
      expect((await getJson(`${bmc.url}${systems}?$expand=.`)).json).toEqual(intel.get(systems)?.body);
    });

    it('answers an expanded collection with status 200 and invalid JSON for broken-json', async () => {
      const bmc = await start({ mockup: rack, behaviour: { expand: 'broken-json' } });
      const answer = await call(`${bmc.url}${MEMORY}?$expand=.($levels=1)`, { headers: { Authorization: BASIC } });
      expect(answer.status).toBe(200);
      expect(() => JSON.parse(answer.body)).toThrow(SyntaxError);
      expect(JSON.parse((await call(`${bmc.url}${MEMORY}`, { headers: { Authorization: BASIC } })).body)).toEqual(rack.get(MEMORY)?.body);
    });

    it('keeps only @odata.id, @odata.type and Name of inlined members for drop-fields', async () => {
      const bmc = await start({ mockup: rack, expand: 'drop-fields' });
      const { json } = await getJson(`${bmc.url}${MEMORY}?$expand=*`);
      expect(json.Members).toHaveLength(4);
      for (const member of json.Members) expect(Object.keys(member).sort()).toEqual(['@odata.id', '@odata.type', 'Name']);
    });
  });

  it('serves long collections in pages linked by Members@odata.nextLink', async () => {
    const bmc = await start({ mockup: rack, pageSize: 3 });
    const seen: unknown[] = [];
    let next: string | undefined = MEMORY;
    let pages = 0;
    while (next !== undefined) {
      const { json } = await getJson(`${bmc.url}${next}`);
      expect(json['Members@odata.count']).toBe(4);
      seen.push(...json.Members);
      next = json['Members@odata.nextLink'];
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual((rack.get(MEMORY)?.body as { Members: unknown[] }).Members);
  });

  describe('timing', () => {
    it('delays every answer by fixedMs, with jitter within ±jitterMs', async () => {
      const bmc = await start({ mockup: rack, latency: { fixedMs: 40, jitterMs: 15 } });
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await call(`${bmc.url}/redfish/v1`);
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(24);
        expect(elapsed).toBeLessThan(200);
      }
    });

    it('processes at most maxConcurrent requests at once and queues the rest', async () => {
      const bmc = await start({ mockup: rack, maxConcurrent: 2, latency: { fixedMs: 30, jitterMs: 0 } });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 8 }, () => getJson(`${bmc.url}/redfish/v1/Systems`)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(bmc.stats.peakConcurrent).toBe(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 30 - 5);
    });
  });

  describe('connections', () => {
    it('keeps connections open between answers by default', async () => {
      const bmc = await start({ mockup: rack });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const answer = await call(`${bmc.url}/redfish/v1`, { agent });
        expect(answer.headers.connection).toBe('keep-alive');
      } finally {
        agent.destroy();
      }
    });

    it('with keepAlive false, says Connection: close on every answer and closes the connection', async () => {
      const bmc = await start({ mockup: rack, keepAlive: false });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const path of ['/redfish/v1', '/redfish/v1/Systems', '/redfish/v1/Nowhere']) {
          const answer = await call(`${bmc.url}${path}`, { agent, headers: { authorization: BASIC } });
          expect(answer.headers.connection).toBe('close');
        }
        const login = await call(`${bmc.url}/redfish/v1/SessionService/Sessions`, {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ UserName: 'admin', Password: 'redfish' }),
        });
        expect(login.status).toBe(201);
        expect(login.headers.connection).toBe('close');
        // Every answer came on a connection of its own.
        expect(bmc.stats.requests).toBe(4);
        expect(Object.keys(agent.freeSockets)).toHaveLength(0);
      } finally {
        agent.destroy();
      }
    });
  });

  it('counts requests per path and resets its counters', async () => {
    const bmc = await start({ mockup: rack });
    await getJson(`${bmc.url}/redfish/v1/Systems/`);
    await getJson(`${bmc.url}/redfish/v1/Systems`);
    expect(bmc.stats.requestsByPath.get('/redfish/v1/Systems')).toBe(2);
    expect(bmc.stats.bytesOut).toBeGreaterThan(0);
    bmc.resetStats();
    expect(bmc.stats).toMatchObject({ requests: 0, bytesOut: 0 });
    expect(bmc.stats.requestsByPath.size).toBe(0);
  });

  it('rejects bad options with a TypeError naming the option and the value', async () => {
    await expect(startBmc({ mockup: rack, port: 70_000 })).rejects.toThrow(/`port`.*0 to 65535.*70000/);
    await expect(startBmc({ mockup: rack, expand: 'maybe' as never })).rejects.toThrow(TypeError);
    await expect(startBmc({ mockup: rack, maxConcurrent: 0 })).rejects.toThrow(/`maxConcurrent`/);
    await expect(startBmc({ mockup: rack, keepAlive: 'no' as never })).rejects.toThrow(/`keepAlive`/);
    await expect(startBmc({ mockup: rack, latency: { fixedMs: 10, jitterMs: 0, tail: -1 } })).rejects.toThrow(/`latency`/);
    await expect(startBmc({ mockup: rack, faults: [{ action: { type: 'explode' } as never }] })).rejects.toThrow(/`faults\[0\]\.action\.type`/);
    await expect(startBmc({ mockup: new Map() })).rejects.toThrow(/`mockup`/);
  });
});

describe('loadBehaviour', () => {
  it("reads a tree's simulator.json and gives the defaults when it is absent", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-behaviour-'));
    expect(await loadBehaviour(dir)).toEqual({ expand: 'ok' });
    await writeFile(join(dir, 'simulator.json'), '{"expand": "broken-json", "sessionLimit": 4}');
    expect(await loadBehaviour(dir)).toEqual({ expand: 'broken-json', sessionLimit: 4 });
    await writeFile(join(dir, 'simulator.json'), '{"expand": "sometimes"}');
    await expect(loadBehaviour(dir)).rejects.toThrow(/simulator\.json: expand must be one of/);
  });
});
