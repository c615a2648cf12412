// Sweeps of a simulated fleet into the embedded registry, end to end over real sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bmcState } from '../../src/registry/bmc-state.ts';
import { listMachines } from '../../src/registry/machines.ts';
import type { Store } from '../../src/registry/store.ts';
import type { SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep, type SweepSettings } from '../../src/sweep/sweep.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs, fixtureFleet } from './fleet.ts';

let store: Store;
let dispose: () => void;
let fleet: SimulatedFleet;
const settings: SweepSettings = { concurrency: 8, client: { backoffBaseMs: 5, backoffMaxMs: 20, requestTimeoutMs: 2_000, bmcDeadlineMs: 20_000 } };

beforeEach(async () => {
  ({ store, dispose } = temporaryStore());
  fleet = await fixtureFleet(8);
});
afterEach(async () => {
  await fleet.close();
  dispose();
});

const sweep = (extra: Partial<SweepSettings> = {}, bmcs = bmcConfigs(fleet)) => runSweep(bmcs, new EmbeddedTarget(store), store, { ...settings, ...extra });
const basic = { authorization: `Basic ${Buffer.from('admin:redfish').toString('base64')}` };
const read = async (bmc: SimulatedFleet['bmcs'][number], path: string): Promise<any> => (await fetch(`${bmc.url}${path}`, { headers: basic })).json();
const count = (table: string) => store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)!.n;

describe('sweeping a fleet into the embedded registry', () => {
  it('creates every machine Deployed on the first sweep, and pushes nothing on the second', async () => {
    const first = await sweep();
    expect(first.totals).toMatchObject({ created: 8, failed: 0 });
    const machines = listMachines(store);
    expect(machines).toHaveLength(8);
    expect(machines.every((machine) => machine.status === 6 && machine.power_type === 'redfish')).toBe(true);
    expect(new Set(machines.map((machine) => machine.hardware_uuid)).size).toBe(8);
    const results = count('commissioning_results');
    const second = await sweep();
    expect(second.totals).toMatchObject({ unchanged: 8, created: 0, updated: 0 });
    expect(count('commissioning_results')).toBe(results);
    expect(listMachines(store)).toHaveLength(8);
    expect(fleet.totals().openSessions).toBe(0);
  });

  it('updates exactly the machine whose DIMM was removed and disk replaced, recording it in history', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const memory = '/redfish/v1/Systems/System.Embedded.1/Memory/DIMM.Socket.B2';
    dell.deleteResource(memory);
    const collection = '/redfish/v1/Systems/System.Embedded.1/Memory';
    const members = await read(dell, collection);
    dell.setResource(collection, { ...members, Members: members.Members.filter((m: { '@odata.id': string }) => m['@odata.id'] !== memory), 'Members@odata.count': members.Members.length - 1 });
    const drive = '/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.1:Enclosure.Internal.0-1:RAID.Integrated.1-1';
    const before = await read(dell, drive);
    dell.setResource(drive, { ...before, SerialNumber: 'REPLACED01', Identifiers: [] });
    const report = await sweep();
    expect(report.totals).toMatchObject({ updated: 1, unchanged: 7 });
    const updated = report.results.find((result) => result.outcome === 'updated')!;
    expect(updated.name).toBe(dell.name);
    // (The fleet gives every serial a per-BMC variant, REPLACED01 included.)
    expect(updated.machines[0]!.changes).toEqual([
      'DIMM.Socket.B2 32 GiB removed',
      expect.stringMatching(new RegExp(`^disk sdb replaced: MTFDDAK480TDS, serial ${before.SerialNumber}, 480.1 GB → MTFDDAK480TDS, serial REPL\\w+, 480.1 GB$`)),
    ]);
    const history = store.all<{ changes: string }>('SELECT changes FROM hardware_history');
    expect(history).toHaveLength(1);
    expect(JSON.parse(history[0]!.changes).map((change: { description: string }) => change.description)).toEqual(updated.machines[0]!.changes);
  });

  it('reports a wrong password, a hung BMC and a 503 that recovers, while the others complete', async () => {
    const bmcs = bmcConfigs(fleet);
    bmcs[1] = { ...bmcs[1]!, password: 'not-the-password' };
    fleet.bmcs[2]!.setFaults([{ path: /Systems/, afterAuth: true, action: { type: 'hang' } }]);
    fleet.bmcs[3]!.setFaults([{ path: /Systems/, times: 2, action: { type: 'status', status: 503, headers: { 'Retry-After': '0' } } }]);
    const report = await sweep({ client: { ...settings.client, requestTimeoutMs: 300, retries: 1 } }, bmcs);
    const by = (index: number) => report.results.find((result) => result.address === bmcs[index]!.address)!;
    expect(by(1)).toMatchObject({ outcome: 'failed', errorKind: 'auth' });
    expect(by(2)).toMatchObject({ outcome: 'failed' });
    expect(['created']).toContain(by(3).outcome);
    expect(report.totals.created).toBeGreaterThanOrEqual(6);
    expect(bmcState(store, bmcs[1]!.address)).toMatchObject({ consecutiveFailures: 1, last: { outcome: 'failed', errorKind: 'auth' } });
    expect(fleet.totals().openSessions).toBe(0);
  });

  it('never duplicates a machine whose BMC moved to another address or whose host name changed', async () => {
    await sweep();
    const before = listMachines(store).map((machine) => machine.system_id).sort();
    // The same BMCs reached under another spelling of their address, as after a renumbering.
    const moved = bmcConfigs(fleet).map((bmc) => ({ ...bmc, address: bmc.address.replace('127.0.0.1', 'localhost') }));
    const lenovo = fleet.bmcs.find((bmc) => bmc.name.includes('lenovo'))!;
    const system = await read(lenovo, '/redfish/v1/Systems/1');
    lenovo.setResource('/redfish/v1/Systems/1', { ...system, HostName: 'renamed-host' });
    const report = await sweep({}, moved);
    expect(report.totals.created).toBe(0);
    expect(listMachines(store).map((machine) => machine.system_id).sort()).toEqual(before);
    expect(listMachines(store).some((machine) => machine.hostname === 'renamed-host')).toBe(false);
    const power = listMachines(store).map((machine) => JSON.parse(machine.power_parameters).power_address as string);
    expect(power.every((address) => address.includes('localhost'))).toBe(true);
  });

  it('shows what it would do on a dry run and writes nothing', async () => {
    const report = await sweep({ dryRun: true });
    expect(report.totals.created).toBe(8);
    expect(report.results[0]!.machines[0]!.reason).toBe('would be created (dry run)');
    expect(listMachines(store)).toHaveLength(0);
    expect(count('bmc_state')).toBe(0);
  });
});
