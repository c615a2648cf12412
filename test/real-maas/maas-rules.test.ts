// What the README says MAAS 3.4 itself does with what a client sends, each checked on the real
// region: the power address forms it takes and how its Redfish driver reads them, what a pushed
// result's status does, the interfaces a push leaves out, a Deployed machine's disk tags, and an
// architecture it has no boot images for, swept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { MaasTarget } from '../../src/maas/target.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { fixtureDocument, macsOf } from '../registry/fixtures.ts';
import { sweepFixtures, type Swept } from './enlist.ts';
import { adminKey, MAAS_URL, maasGet, maasRequest, redfishDriverUrls, resetRegion } from './region.ts';
import { call, createDeployed, pushDocument, realRegion, type Target } from './targets.ts';

interface Machine {
  readonly system_id: string;
  readonly status_name: string;
  readonly owner: string | null;
}

let swept: Swept | undefined;
beforeEach(async () => {
  await resetRegion();
});
afterEach(async () => {
  await swept?.close();
  swept = undefined;
});

/** The machine's own token, as MAAS's hardware sync signs with it. */
async function machineToken(maas: Target, systemId: string): Promise<Target> {
  const token = (await call(maas, 'GET', `api/2.0/machines/${systemId}/?op=get_token`)).json as { consumer_key: string; token_key: string; token_secret: string };
  return { ...maas, key: `${token.consumer_key}:${token.token_key}:${token.token_secret}` };
}

/** A signal with one commissioning result, as MAAS's script runner posts it. */
function signal(machine: Target, status: string, document: CommissioningData) {
  const fields = { op: 'signal', status, exit_status: status === 'FAILED' ? '1' : '0', name: '50-maas-01-commissioning' };
  return call(machine, 'POST', 'metadata/2012-03-01/', fields, { '50-maas-01-commissioning.out': JSON.stringify(document) });
}

/** A Deployed machine with the Dell fixture's MACs and its hardware pushed. */
async function deployedDell(maas: Target): Promise<{ systemId: string; document: CommissioningData }> {
  const document = await fixtureDocument('dell-r750-idrac9');
  const systemId = await createDeployed(maas, { hostname: 'r750-rules', architecture: 'amd64', power_type: 'manual', mac_addresses: macsOf(document) });
  await pushDocument(maas, systemId, document);
  return { systemId, document };
}

describe('power addresses in a real MAAS 3.4', () => {
  it('answers HTTP 500 to a machine created with a URL as its power address, and 200 to the same BMC as host:port', async () => {
    const form = (address: string, n: number) => ({
      hostname: `url-bmc-${n}`,
      architecture: 'amd64/generic',
      mac_addresses: `52:54:00:17:00:0${n}`,
      power_type: 'redfish',
      power_parameters_power_address: address,
      power_parameters_power_user: 'root',
      power_parameters_power_pass: 'not-a-secret',
      power_parameters_node_id: '1',
      power_parameters_skip_check: 'true',
      deployed: 'true',
    });
    const url = await maasRequest('POST', 'api/2.0/machines/', { form: form('https://10.20.0.11:8443/', 1) });
    expect(url.status, url.text).toBe(500);
    expect((await maasGet<Machine[]>('api/2.0/machines/?hostname=url-bmc-1')).length).toBe(0);
    const hostPort = await maasRequest('POST', 'api/2.0/machines/', { form: form('10.20.0.11:8443', 2) });
    expect(hostPort.status, hostPort.text).toBe(200);
  });

  it('has its Redfish driver speak HTTPS to the port of a BMC the sweep reads over http://, :80 included', async () => {
    swept = await sweepFixtures(['lenovo-sr650v2-xcc'], { http: true });
    const [bmc] = swept.fleet.bmcs;
    expect(bmc!.url).toMatch(/^http:\/\//);
    const result = swept.report.results[0]!;
    expect(result.outcome, result.message).toBe('created');
    const systemId = result.machines[0]!.systemId!;
    expect((await maasGet<{ power_address: string }>(`api/2.0/machines/${systemId}/?op=power_parameters`)).power_address).toBe(`${bmc!.host}:${bmc!.port}`);

    // A BMC on plain http's own port, enlisted by the maas target itself.
    const target = new MaasTarget({ url: MAAS_URL, apiKey: adminKey(), skipCheck: true });
    try {
      const power = { address: 'http://10.20.0.12/', user: 'root', password: 'not-a-secret', nodeId: '1' };
      const port80 = await target.createDeployed({ hostname: 'plain-http', architecture: 'amd64/generic', macs: ['52:54:00:17:01:01'], power });
      const urls = await redfishDriverUrls();
      expect({ [systemId]: urls[systemId], [port80.systemId]: urls[port80.systemId] }).toEqual({
        [systemId]: `https://${bmc!.host}:${bmc!.port}`,
        [port80.systemId]: 'https://10.20.0.12:80',
      });
    } finally {
      await target.close();
    }
  });
});

describe('pushed results in a real MAAS 3.4', () => {
  it('moves a Deployed machine to Ready when hardware is pushed with status=OK', async () => {
    const maas = realRegion();
    const { systemId, document } = await deployedDell(maas);
    const answer = await signal(await machineToken(maas, systemId), 'OK', document);
    expect(answer.status, answer.text).toBe(200);
    expect(await maasGet<Machine>(`api/2.0/machines/${systemId}/`)).toMatchObject({ status_name: 'Ready', owner: null });
  });

  it('refuses hardware pushed with status=FAILED for a Deployed machine (409), which stays Deployed', async () => {
    const maas = realRegion();
    const { systemId, document } = await deployedDell(maas);
    const answer = await signal(await machineToken(maas, systemId), 'FAILED', document);
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 409, text: 'Invalid transition: Deployed -> Failed commissioning.' });
    expect((await maasGet<Machine>(`api/2.0/machines/${systemId}/`)).status_name).toBe('Deployed');
  });

  it('deletes the interfaces a push does not list', async () => {
    const maas = realRegion();
    const { systemId, document } = await deployedDell(maas);
    const macs = async () => (await maasGet<{ type: string; mac_address: string }[]>(`api/2.0/nodes/${systemId}/interfaces/`)).map((nic) => nic.mac_address).sort();
    expect(await macs()).toEqual([...macsOf(document)].sort());
    // The same machine with its last port unlisted: a push that left a section out.
    const dropped = macsOf(document).at(-1)!;
    const fewer = structuredClone(document) as unknown as { resources: { network: { cards: { ports?: { address: string }[] }[] } }; networks: Record<string, { hwaddr: string }> };
    fewer.resources.network.cards = fewer.resources.network.cards.filter((card) => !card.ports?.some((port) => port.address === dropped));
    fewer.networks = Object.fromEntries(Object.entries(fewer.networks).filter(([, entry]) => entry.hwaddr !== dropped));
    await pushDocument(maas, systemId, fewer as unknown as CommissioningData);
    expect(await macs()).toEqual(macsOf(document).filter((mac) => mac !== dropped).sort());
  });
});

describe('a Deployed machine’s disks in a real MAAS 3.4', () => {
  it('refuses to change their tags (block-device add-tag and remove-tag)', async () => {
    const maas = realRegion();
    const { systemId } = await deployedDell(maas);
    const disks = async () => (await maasGet<{ id: number; name: string; tags: string[] }[]>(`api/2.0/nodes/${systemId}/blockdevices/`)).map((disk) => [disk.id, disk.name, disk.tags] as const);
    const before = await disks();
    const [id, , tags] = before[0]!;
    expect(tags).toContain('ssd');
    const refusal = { status: 409, text: 'Cannot update block device because the machine is not Ready.' };
    for (const [op, tag] of [['add_tag', 'fast'], ['remove_tag', 'ssd']]) {
      const answer = await maasRequest('POST', `api/2.0/nodes/${systemId}/blockdevices/${id}/?op=${op}`, { form: { tag: tag! } });
      expect({ status: answer.status, text: answer.text }, op).toEqual(refusal);
    }
    expect(await disks()).toEqual(before);
  });
});

describe('an architecture a real MAAS 3.4 has no boot images for', () => {
  it('is refused with MAAS’s own message, which the sweep reports as that machine’s target failure', async () => {
    // The Dell fixture with its CPUs declaring Power ISA: a ppc64el machine, which this region has no images for.
    const cpus = '/redfish/v1/Systems/System.Embedded.1/Processors';
    swept = await sweepFixtures(['dell-r750-idrac9', 'lenovo-sr650v2-xcc'], {
      prepare: (bmc, tree) => {
        if (tree !== 'dell-r750-idrac9') return;
        for (const socket of ['CPU.Socket.1', 'CPU.Socket.2']) {
          const body = JSON.parse(readFileSync(join(FIXTURES, tree, 'redfish', 'v1', 'Systems', 'System.Embedded.1', 'Processors', socket, 'index.json'), 'utf8')) as Record<string, unknown>;
          bmc.setResource(`${cpus}/${socket}`, { ...body, InstructionSet: 'PowerISA', ProcessorArchitecture: 'Power', Manufacturer: 'IBM', Model: 'POWER9' });
        }
      },
    });
    const [power, lenovo] = swept.report.results;
    expect(power).toMatchObject({ outcome: 'failed', errorKind: 'target' });
    expect(power!.message).toContain("'ppc64el/generic' is not a valid architecture.");
    expect(power!.message).toContain("It should be one of: 'amd64/generic', 'arm64/generic'.");
    expect(lenovo!.outcome).toBe('created');
    expect((await maasGet<Machine[]>('api/2.0/machines/')).map((machine) => machine.system_id)).toEqual([lenovo!.machines[0]!.systemId]);
  });
});
