// Release of machines in a real MAAS 3.4 region (scenario 5 of the integration suite): a machine
// the project enlisted goes to Ready, one with no hardware to New; with Redfish power MAAS powers
// the host off to release it, with the `manual` power type it never touches the host's power; a
// site's own deploy-info script stays out of an enlisted machine's commissioning set. Each runs
// behind nginx and against MAAS's web server directly (fronts.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enlistFixtures, maasRead, type Enlisted } from './enlist.ts';
import { behind, FRONTS } from './fronts.ts';
import { maas, maasJson, maasLogin, resetRegion, setPowerOff } from './region.ts';
import { call, realRegion } from './targets.ts';

interface Machine {
  readonly system_id: string;
  readonly status_name: string;
  readonly power_type: string;
  readonly owner: string | null;
}

interface ScriptSet {
  readonly status_name: string;
  readonly results: readonly { readonly name: string; readonly status_name: string }[];
}

// MAAS 3.4's built-in commissioning scripts tagged deploy-info: a Deployed machine's set.
const BUILT_IN_DEPLOY_INFO = ['20-maas-03-machine-resources', '50-maas-01-commissioning', 'maas-list-modaliases', 'maas-lshw', 'maas-serial-ports', 'maas-support-info'];

// A site's own commissioning script, tagged deploy-info as the built-in ones are.
const SITE_SCRIPT = '60-site-firmware-inventory';
const SITE_SCRIPT_TEXT = [
  '#!/bin/bash',
  '# --- Start MAAS 1.0 script metadata ---',
  `# name: ${SITE_SCRIPT}`,
  '# script_type: commissioning',
  '# tags: deploy-info',
  '# --- End MAAS 1.0 script metadata ---',
  'dmidecode -t bios',
  '',
].join('\n');

const enlisted: Enlisted[] = [];
beforeAll(async () => {
  await maasLogin('admin');
});

async function enlist(tree: string, target: { powerType?: 'manual' } = {}): Promise<string> {
  return (await enlistFleet(tree, target)).systemIds.get(tree)!;
}

async function enlistFleet(tree: string, target: { powerType?: 'manual' } = {}): Promise<Enlisted> {
  const fleet = await enlistFixtures([tree], { target });
  enlisted.push(fleet);
  return fleet;
}

// MAAS's CLI prints MAAS's answer, and exits non-zero with it on an error status.
async function release(systemId: string): Promise<{ ok: true; machine: Machine } | { ok: false; message: string }> {
  try {
    return { ok: true, machine: JSON.parse(await maas(['admin', 'machine', 'release', systemId])) as Machine };
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, message: `${stdout ?? ''}${stderr ?? ''}` || message };
  }
}

describe.each(FRONTS)('release in a real MAAS 3.4, served through %s', (front) => {
  behind(front);
  beforeAll(async () => {
    await resetRegion();
  });
  afterAll(async () => {
    for (const fleet of enlisted.splice(0)) await fleet.close();
  });

  it('gives Ready for a machine the project enlisted: it has hardware from a passed commissioning set', async () => {
    const systemId = await enlist('lenovo-sr650v2-xcc');
    // As MAAS's power-off would leave it: this region has no rack controller to reach the BMC.
    await setPowerOff(systemId);
    const released = await release(systemId);
    expect(released).toMatchObject({ ok: true, machine: { status_name: 'Ready', owner: null } });
    expect((await maasRead<Machine>(`api/2.0/machines/${systemId}/`)).status_name).toBe('Ready');
  });

  it('gives New for a machine created with no hardware', async () => {
    const created = await maasJson<Machine>(['admin', 'machines', 'create', 'hostname=bare-01', 'architecture=amd64/generic', 'mac_addresses=52:54:00:16:0b:01', 'power_type=manual', 'deployed=true']);
    expect(created.status_name).toBe('Deployed');
    expect(await release(created.system_id)).toMatchObject({ ok: true, machine: { status_name: 'New' } });
  });

  it('powers a Redfish machine off through its BMC to release it (here: no rack controller to do it, 503)', async () => {
    const systemId = await enlist('dell-r750-idrac9');
    const machine = await maasRead<Machine & { power_state: string }>(`api/2.0/machines/${systemId}/`);
    expect(machine).toMatchObject({ power_type: 'redfish', status_name: 'Deployed' });
    expect(machine.power_state).not.toBe('off');
    const released = await release(systemId);
    expect(released.ok).toBe(false);
    expect(released.ok ? '' : released.message).toMatch(/No rack controllers can access the BMC/);
  });

  it('enlists with power type manual when told to, and releases such a machine to Ready without touching its power', async () => {
    const systemId = await enlist('hpe-dl380-gen10-ilo5', { powerType: 'manual' });
    const machine = await maasRead<Machine>(`api/2.0/machines/${systemId}/`);
    expect(machine).toMatchObject({ power_type: 'manual', status_name: 'Deployed' });
    // MAAS keeps no BMC address or credentials for it.
    expect(await maasRead(`api/2.0/machines/${systemId}/?op=power_parameters`)).toEqual({});
    expect(await release(systemId)).toMatchObject({ ok: true, machine: { status_name: 'Ready', power_type: 'manual' } });
  });

  it('gives Ready for a machine enlisted while the site has a commissioning script of its own tagged deploy-info: MAAS leaves it out of the set', async () => {
    const script = await call(realRegion(), 'POST', 'api/2.0/scripts/', { name: SITE_SCRIPT, type: 'commissioning', tags: 'deploy-info' }, { script: SITE_SCRIPT_TEXT });
    expect(script.status, script.text).toBe(200);
    expect(script.json).toMatchObject({ name: SITE_SCRIPT, default: false, tags: expect.arrayContaining(['deploy-info']) });

    const fleet = await enlistFleet('huawei-2288hv5-ibmc', { powerType: 'manual' });
    const systemId = fleet.systemIds.get('huawei-2288hv5-ibmc')!;
    // Nothing of the set went unreported: the sweep's row names no script.
    expect(fleet.report.results[0]?.machines[0]?.reason).toBeUndefined();
    const set = await maasRead<ScriptSet>(`api/2.0/nodes/${systemId}/results/current-commissioning/`);
    expect(set.results.map((result) => [result.name, result.status_name]).sort()).toEqual(BUILT_IN_DEPLOY_INFO.map((name) => [name, 'Passed']));
    expect(set.status_name).toBe('Passed');
    expect(await release(systemId)).toMatchObject({ ok: true, machine: { status_name: 'Ready' } });
  });
});
