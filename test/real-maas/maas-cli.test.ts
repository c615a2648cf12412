// MAAS 3.4's own CLI (maascli, from the kit), unchanged, against `redfish-enlist serve`: it logs in
// from the registry's API description, reads machines, creates Deployed machines, reads a
// machine's token and releases. (Each start of the CLI costs seconds of CPU, so the suite makes
// few calls; refusals are compared with the real region over HTTP in refusals.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDocument } from '../registry/fixtures.ts';
import { pushDocument, registryServe, runClient, type Outcome, type Target } from './targets.ts';

let serve: Target & { close(): Promise<void> };
// A client home of its own: the CLI then loads only the registry's profile.
const cli = (...args: string[]) => runClient('maas', ['registry', ...args], 'client-home-registry');

/** The CLI's output as JSON. */
function printed(outcome: Outcome): any {
  expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
  return JSON.parse(outcome.stdout);
}

beforeAll(async () => {
  serve = await registryServe();
  const login = await runClient('maas', ['login', 'registry', serve.url, serve.key], 'client-home-registry');
  expect(login.code, login.stdout + login.stderr).toBe(0);
  expect(login.stdout).toContain(`You are now logged in to the MAAS server at\n${serve.url}api/2.0/ with the profile name 'registry'.`);
});
afterAll(() => serve?.close());

describe('MAAS’s CLI against the registry', () => {
  it('logs in from the registry’s description and reads its machines', async () => {
    expect(printed(await cli('machines', 'read'))).toEqual([]);
  });

  it('creates a Deployed machine without a MAC (IPMI) and one with a MAC (manual power), refusing manual power without a MAC as MAAS does', async () => {
    const ipmi = printed(await cli('machines', 'create', 'deployed=true', 'hostname=cli-ipmi', 'architecture=amd64', 'power_type=ipmi', 'power_parameters_power_address=10.17.0.9'));
    expect(ipmi).toMatchObject({ status_name: 'Deployed', power_type: 'ipmi', interface_set: [], zone: { name: 'default' } });
    const manual = printed(await cli('machines', 'create', 'deployed=true', 'hostname=cli-manual', 'architecture=amd64', 'power_type=manual', 'mac_addresses=52:54:00:17:00:01'));
    expect(manual).toMatchObject({ status_name: 'Deployed', power_type: 'manual', interface_set: [expect.objectContaining({ mac_address: '52:54:00:17:00:01' })] });
    const refused = await cli('machines', 'create', 'deployed=true', 'hostname=cli-nomac', 'architecture=amd64', 'power_type=manual');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toEqual({ mac_addresses: ['This field is required.'], power_type: ["Can't set power type to manual without network interfaces"] });
  });

  it('reads a machine’s token, which pushes that machine’s hardware', async () => {
    const machine = printed(await cli('machines', 'create', 'deployed=true', 'hostname=cli-token', 'architecture=amd64', 'power_type=manual', 'mac_addresses=b0:26:28:5e:1a:40'));
    const token = printed(await cli('machine', 'get-token', machine.system_id));
    expect(Object.keys(token).sort()).toEqual(['consumer_key', 'token_key', 'token_secret']);
    await pushDocument(serve, machine.system_id, await fixtureDocument('dell-r750-idrac9'));
    const read = printed(await cli('machine', 'read', machine.system_id));
    expect(read).toMatchObject({ cpu_count: 112, memory: 524288, status_name: 'Deployed' });
    expect(read.interface_set).toHaveLength(4);
    expect(read.blockdevice_set).toHaveLength(6);
  });

  it('releases a machine, and machines at once, to New as MAAS does for machines never commissioned', async () => {
    const machines = printed(await cli('machines', 'read')) as { system_id: string; hostname: string }[];
    const id = (hostname: string) => machines.find((machine) => machine.hostname === hostname)!.system_id;
    expect(printed(await cli('machine', 'release', id('cli-manual')))).toMatchObject({ status_name: 'New', owner: null });
    expect(printed(await cli('machines', 'release', `machines=${id('cli-ipmi')}`))).toEqual([id('cli-ipmi')]);
  });
});
