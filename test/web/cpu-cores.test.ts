// A machine whose BMC gave its threads but not its cores (the Processors read failed, the summary
// counts threads): the pages say the cores are unknown, never each thread counted as a core.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { createMachine, findMachine, pushHardware, serveRegistry, type RegistryServer, type Store, type User } from '../../src/registry/index.ts';
import { createSession, cpuTopology, webInterface } from '../../src/web/index.ts';
import { FIXTURES, loadSource } from '../helpers/mockup.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { textOf } from './page-html.ts';

let store: Store;
let admin: User;
let dispose: () => void;
let server: RegistryServer;
beforeEach(() => ({ store, admin, dispose } = temporaryStore()));
afterEach(async () => {
  await server?.close();
  dispose();
});

describe('a machine whose cores the BMC did not give', () => {
  it('is shown with its threads and "cores unknown" in the listing and on its page, not 2 × 32 cores', async () => {
    const source = await loadSource(join(FIXTURES, 'supermicro-x12dpt-bmc'));
    (source.resources as Map<string, unknown>).set('/redfish/v1/Systems/1/Processors', { ok: false, error: { kind: 'server', message: 'server reading Processors', status: 500 } });
    const document = toCommissioningData(toInventories(source)[0]!);
    const macs = Object.values(document.networks).map((network) => (network as { hwaddr: string }).hwaddr);
    const machine = createMachine(store, { hostname: 'x12-summary-only', architecture: 'amd64', macAddresses: macs, powerType: 'manual', deployed: true }, admin);
    pushHardware(store, machine.id, document);
    expect(cpuTopology(store, machine.id)).toEqual({ sockets: 2, cores: undefined });

    server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store) });
    const get = async (path: string) => textOf(await (await fetch(`${server.url.replace(/\/MAAS$/, '')}${path}`, { headers: { cookie: `rfe-session=${createSession(store, admin).id}` } })).text());
    const listing = await get('/');
    expect(listing).toMatch(/x12-summary-only .*64 threads/);
    expect(listing).not.toMatch(/2 × 32/);
    const page = await get(`/machines/${findMachine(store, machine.system_id)!.system_id}`);
    expect(page).toMatch(/2 sockets, cores unknown, 64 threads/);
  });
});
