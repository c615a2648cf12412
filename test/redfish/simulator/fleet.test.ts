import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { Agent } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadTrees, startFleet, type FleetTree, type SimulatedFleet } from '../../../src/redfish/simulator/index.ts';
import { getJson, HAVE_MOCKUPS, MOCKUPS } from './helpers.ts';

const TREES = ['dmtf-public-rackmount1', 'hpe-iloemu-DL360', 'cray-csm-Intel', 'bmclib-dell-idrac'];
let trees: FleetTree[];
let running: SimulatedFleet | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

// The system of a BMC, found by following links from its service root, on one kept-alive connection.
async function systemOf(url: string, ca: string | undefined) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ...(ca === undefined ? {} : { ca }) });
  try {
    return await followToSystem(url, { agent });
  } finally {
    agent.destroy();
  }
}

async function followToSystem(url: string, options: { agent: Agent }) {
  const root = await getJson(`${url}/redfish/v1`, options);
  const systems = await getJson(`${url}${root.json.Systems['@odata.id']}`, options);
  return (await getJson(`${url}${systems.json.Members[0]['@odata.id']}`, options)).json;
}

describe.skipIf(!HAVE_MOCKUPS)(`simulated fleet (public mockups in ${MOCKUPS}; skipped when absent)`, () => {
  beforeAll(async () => {
    trees = await loadTrees(TREES.map((tree) => join(MOCKUPS, tree)));
  });

  it('starts 200 BMCs over HTTPS, each answering with its own system UUID and serial, and lists them all', async () => {
    const fleet = (running = await startFleet({ trees, size: 200 }));
    expect(fleet.bmcs).toHaveLength(200);
    expect(fleet.caPem).toBeDefined();
    const uuids = new Set<string>();
    const serials = new Set<string>();
    for (let i = 0; i < fleet.bmcs.length; i += 20) {
      const batch = fleet.bmcs.slice(i, i + 20);
      for (const system of await Promise.all(batch.map((bmc) => systemOf(bmc.url, fleet.caPem)))) {
        uuids.add(system.UUID);
        serials.add(system.SerialNumber);
      }
    }
    expect(uuids.size).toBe(200);
    expect(serials.size).toBe(200);
    expect(fleet.totals()).toMatchObject({ bmcs: 200, requests: 600, authFailures: 0 });

    const dir = await mkdtemp(join(tmpdir(), 'sim-fleet-'));
    await fleet.writeBmcList(join(dir, 'bmcs.yaml'));
    const text = await readFile(join(dir, 'bmcs.yaml'), 'utf8');
    expect(text.startsWith('# Written by redfish-enlist simulate: 200 simulated BMCs\n')).toBe(true);
    const list = parse(text) as { bmcs: Array<{ address: string; name: string; credentials: string; tls: { mode: string; caFile: string } }> };
    expect(list.bmcs.map((entry) => entry.address)).toEqual(fleet.bmcs.map((bmc) => bmc.url));
    expect(list.bmcs[0]).toEqual({
      address: fleet.bmcs[0]?.url,
      name: 'sim-0001-dmtf-public-rackmount1',
      credentials: 'simulator',
      tls: { mode: 'ca', caFile: join(dir, 'sim-ca.pem') },
    });
    expect(list.bmcs[1]?.name).toBe('sim-0002-hpe-iloemu-DL360');
    expect(await readFile(join(dir, 'sim-ca.pem'), 'utf8')).toBe(fleet.caPem);
    expect((await stat(join(dir, 'sim-ca.pem'))).mode & 0o777).toBe(0o644);
  });

  it('mixes trees by weight and lists plain HTTP BMCs without a tls entry', async () => {
    const fleet = (running = await startFleet({ trees: trees.slice(0, 2), size: 8, mix: [3, 1], tls: false }));
    expect(fleet.bmcs.filter((bmc) => bmc.name.endsWith('rackmount1'))).toHaveLength(6);
    expect(fleet.caPem).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'sim-fleet-'));
    await fleet.writeBmcList(join(dir, 'bmcs.yaml'), { credentialsRef: 'lab' });
    const list = parse(await readFile(join(dir, 'bmcs.yaml'), 'utf8')) as { bmcs: Array<Record<string, unknown>> };
    expect(list.bmcs[0]).toEqual({ address: fleet.bmcs[0]?.url, name: fleet.bmcs[0]?.name, credentials: 'lab' });
    expect(String(list.bmcs[0]?.address)).toMatch(/^http:\/\//);
  });

  it('closes the BMCs it started when a later one cannot listen', async () => {
    const listen = (port: number): Promise<Server> =>
      new Promise((resolve, reject) => {
        const server = createServer().once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve(server));
      });
    const taken = await listen(0);
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(startFleet({ trees, size: 4, basePort: port - 2, startConcurrency: 1, tls: false })).rejects.toThrow(/EADDRINUSE/);
      const again = await listen(port - 2);
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('rejects a mix that does not match the trees with a TypeError naming the option', async () => {
    await expect(startFleet({ trees: trees.slice(0, 1), size: 2, mix: [1, 1] })).rejects.toThrow(/`mix`/);
  });
});
