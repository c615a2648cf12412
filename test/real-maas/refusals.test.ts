// Whatever the registry refuses, it refuses as MAAS 3.4 does: the same requests to the real region
// and to `serve`, with the same machines in each, get the same status and the same message.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaasClient } from '../../src/maas/client.ts';
import { MaasError } from '../../src/maas/errors.ts';
import { rejection } from '../maas/helpers.ts';
import { call, createDeployed, realRegion, registryServe, type Reply, type Target } from './targets.ts';

let serve: Target & { close(): Promise<void> };
let maas: Target;
// Names and MACs of this run's own, so the suite needs no region reset.
const run = randomBytes(2).toString('hex');
const mac = (n: number) => `52:54:${run.slice(0, 2)}:${run.slice(2)}:18:${n.toString(16).padStart(2, '0')}`;
const made: Record<'maas' | 'serve', Record<string, string>> = { maas: {}, serve: {} };

beforeAll(async () => {
  maas = realRegion();
  serve = await registryServe();
  for (const target of [maas, serve]) {
    made[target.name].taken = await createDeployed(target, { hostname: `refuse-${run}-taken`, architecture: 'amd64', power_type: 'manual', mac_addresses: mac(1) });
    made[target.name].locked = await createDeployed(target, { hostname: `refuse-${run}-locked`, architecture: 'amd64', power_type: 'manual', mac_addresses: mac(2) });
    expect((await call(target, 'POST', `api/2.0/machines/${made[target.name].locked}/?op=lock`)).status).toBe(200);
    made[target.name].ipmi = await createDeployed(target, { hostname: `refuse-${run}-ipmi`, architecture: 'amd64', power_type: 'ipmi', power_parameters_power_address: '10.18.0.1' });
    made[target.name].released = await createDeployed(target, { hostname: `refuse-${run}-new`, architecture: 'amd64', power_type: 'manual', mac_addresses: mac(3) });
    expect((await call(target, 'POST', `api/2.0/machines/${made[target.name].released}/?op=release`)).json.status_name).toBe('New');
  }
});
afterAll(async () => {
  for (const systemId of Object.values(made.maas)) {
    await call(maas, 'POST', `api/2.0/machines/${systemId}/?op=unlock`);
    await call(maas, 'DELETE', `api/2.0/machines/${systemId}/`);
  }
  await serve?.close();
});

/** An answer with the target's own system ids written as their role, so both sides compare. */
function comparable(target: Target, reply: Reply): { status: number; body: unknown } {
  let text = reply.text;
  for (const [role, systemId] of Object.entries(made[target.name])) text = text.replaceAll(systemId, `<${role}>`);
  try {
    return { status: reply.status, body: JSON.parse(text) };
  } catch {
    return { status: reply.status, body: text };
  }
}

type Request = [method: string, path: string, fields?: Record<string, string | string[]>];
const REFUSED: [string, (ids: Record<string, string>) => Request][] = [
  ['a manual machine without a MAC', () => ['POST', 'api/2.0/machines/', { deployed: 'true', hostname: `refuse-${run}-a`, architecture: 'amd64', power_type: 'manual' }]],
  ['a manual machine without a MAC or architecture', () => ['POST', 'api/2.0/machines/', { deployed: 'true', hostname: `refuse-${run}-b`, power_type: 'manual' }]],
  ['a MAC another machine has', () => ['POST', 'api/2.0/machines/', { deployed: 'true', hostname: `refuse-${run}-c`, architecture: 'amd64', power_type: 'manual', mac_addresses: mac(1) }]],
  ['a malformed MAC', () => ['POST', 'api/2.0/machines/', { deployed: 'true', hostname: `refuse-${run}-d`, architecture: 'amd64', power_type: 'manual', mac_addresses: 'zz' }]],
  ['a host name another machine has', () => ['POST', 'api/2.0/machines/', { deployed: 'true', hostname: `refuse-${run}-taken`, architecture: 'amd64', power_type: 'manual', mac_addresses: mac(4) }]],
  ['manual power for a machine without a MAC', (ids) => ['PUT', `api/2.0/machines/${ids.ipmi}/`, { power_type: 'manual' }]],
  ['an unknown machine', () => ['GET', 'api/2.0/machines/nosuch/']],
  ['an unknown machine’s token', () => ['GET', 'api/2.0/machines/nosuch/?op=get_token']],
  ['an unknown node', () => ['GET', 'api/2.0/nodes/nosuch/']],
  ['an unknown machine’s interfaces', () => ['GET', 'api/2.0/nodes/nosuch/interfaces/']],
  ['releasing unknown machines', () => ['POST', 'api/2.0/machines/?op=release', { machines: 'nosuch' }]],
  ['releasing machines that cannot be released', (ids) => ['POST', 'api/2.0/machines/?op=release', { machines: ids.released! }]],
  ['releasing a locked machine', (ids) => ['POST', `api/2.0/machines/${ids.locked}/?op=release`]],
  ['updating a locked machine', (ids) => ['PUT', `api/2.0/machines/${ids.locked}/`, { description: 'x' }]],
  ['locking a machine that is not deployed', (ids) => ['POST', `api/2.0/machines/${ids.released}/?op=lock`]],
  ['an operation the handler does not have', (ids) => ['POST', `api/2.0/machines/${ids.taken}/?op=frobnicate`]],
  ['a read-only collection’s operation it does not have', () => ['GET', 'api/2.0/machines/?op=frobnicate']],
  ['an endpoint that does not exist', () => ['GET', 'api/2.0/frobnicators/']],
  ['Juju’s pools/, which MAAS 3.4 does not have', () => ['GET', 'api/2.0/pools/']],
  ['an unknown tag', () => ['GET', 'api/2.0/tags/nosuch/']],
  ['an unknown zone', () => ['GET', 'api/2.0/zones/nosuch/']],
  ['an unknown resource pool', () => ['GET', 'api/2.0/resourcepool/99/']],
  ['an unknown user', () => ['GET', 'api/2.0/users/nosuch/']],
  ['a setting without a name', () => ['GET', 'api/2.0/maas/?op=get_config']],
  ['a tag name MAAS does not allow', () => ['POST', 'api/2.0/tags/', { name: 'no spaces' }]],
  ['an unknown API key', () => ['GET', 'api/2.0/machines/']],
];

describe('the registry refuses as MAAS does', () => {
  it.each(REFUSED)('%s: the same status and message', async (name, request) => {
    const answers = [];
    for (const target of [maas, serve]) {
      const [method, path, fields] = request(made[target.name]);
      const signer = name === 'an unknown API key' ? { ...target, key: 'aaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbb:cccccccccccccccccccccccccccccccc' } : target;
      answers.push(comparable(target, await call(signer, method, path, fields)));
    }
    const [fromMaas, fromServe] = answers;
    expect(fromMaas!.status, JSON.stringify(fromMaas)).toBeGreaterThanOrEqual(400);
    expect(fromServe).toEqual(fromMaas);
  });
});

describe('the registry outside its API, as MAAS', () => {
  // MAAS's web UI sends a client without a session to its login page; the API description is at api/2.0/describe/.
  it.each(['/MAAS/describe/', '/MAAS/describe/?format=json', '/MAAS/api/', "/MAAS/a%20b/(x)'!", '/MAAS/api/1.0/machines/'])(
    '%s: the same status, redirect and body',
    async (path) => {
      const answers = [];
      for (const target of [maas, serve]) {
        const response = await fetch(new URL(path, target.url), { redirect: 'manual' });
        answers.push({ status: response.status, location: response.headers.get('location'), body: await response.text() });
      }
      expect(answers[0]!.status).not.toBe(404);
      expect(answers[1]).toEqual(answers[0]);
    },
  );
});

describe('a tag definition', () => {
  it('is refused by the registry (it evaluates no XPath) in the shape MAAS refuses an invalid one: 400, a list of messages under `definition`', async () => {
    const fromMaas = await call(maas, 'POST', 'api/2.0/tags/', { name: `bad-definition-${run}`, definition: '//node[' });
    const fromServe = await call(serve, 'POST', 'api/2.0/tags/', { name: `hpe-${run}`, definition: '//node[@class="system"]/vendor = "HPE"' });
    expect(fromMaas.json).toEqual({ definition: ['Invalid xpath expression: Invalid expression'] });
    for (const answer of [fromMaas, fromServe]) {
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.json)).toEqual(['definition']);
      expect(answer.json.definition).toEqual([expect.any(String)]);
    }
    expect(fromServe.json.definition[0]).toMatch(/no tag definitions/);
  });
});

describe('what the MAAS target says of a refusal', () => {
  it('names the lock when MAAS refuses to change a locked machine without a reason', async () => {
    const client = new MaasClient({ url: maas.url, apiKey: maas.key });
    const error = await rejection(client.request('PUT', `api/2.0/machines/${made.maas.locked}/`, { form: { description: 'x' } }), MaasError);
    expect(error).toMatchObject({ status: 403, kind: 'forbidden' });
    expect(error.message).toContain('the machine may be locked');
  });
});
