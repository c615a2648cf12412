// Sweeps of a simulated fleet into the embedded registry, end to end over real sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bmcState } from '../../src/registry/bmc-state.ts';
import { applyMachineEvent, listMachines } from '../../src/registry/machines.ts';
import type { Store } from '../../src/registry/store.ts';
import { join } from 'node:path';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { SweepTracker } from '../../src/sweep/progress.ts';
import { maasArchitecture, TargetError } from '../../src/sweep/target.ts';
import { MaasError } from '../../src/maas/errors.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { hostnameFor, runSweep, type Logger, type SweepSettings } from '../../src/sweep/sweep.ts';
import { loadMockup } from '../../src/redfish/mockup.ts';
import { FIXTURES, SHAPES } from '../helpers/mockup.ts';
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

describe('host names of new machines', () => {
  const inventory = (identity: Partial<HardwareInventory['identity']>, vendor = 'dell'): HardwareInventory =>
    ({ vendor, systemId: 'System.Embedded.1', identity: { ...identity } }) as unknown as HardwareInventory;

  it('come from the host name the BMC reports, made DNS-safe', () => {
    expect(hostnameFor(inventory({ hostName: 'DB01.example.com', serial: 'X' }))).toMatch(/^db01/);
  });

  it('fall back to vendor and serial, then to the UUID, when the BMC reports no host name', () => {
    expect(hostnameFor(inventory({ serial: '7XK2M93' }))).toBe('dell-7xk2m93');
    expect(hostnameFor(inventory({ uuid: '4c4c4544-0058-4b10' }, 'generic'))).toBe('machine-4c4c4544');
  });
});

describe('architectures', () => {
  it('are named as MAAS names them, with the generic subarchitecture', () => {
    expect(['x86_64', 'aarch64', 'ppc64le', 's390x', 'i686'].map(maasArchitecture)).toEqual(['amd64/generic', 'arm64/generic', 'ppc64el/generic', 's390x/generic', 'i386/generic']);
  });
});

describe('a tray whose BMC lists its host and its CPU/GPU module as two systems', () => {
  it('is swept as one arm64 machine named after the host, with the module\'s CPUs and memory', async () => {
    const tray = await startFleet({ trees: await loadTrees([join(SHAPES, 'arm-tray-host-and-module')]), size: 1, tls: false });
    try {
      const report = await sweep({}, bmcConfigs(tray));
      expect(report.results[0]?.machines.map((machine) => [machine.system, machine.outcome])).toEqual([['/redfish/v1/Systems/System_0', 'created']]);
      const machines = listMachines(store);
      expect(machines).toHaveLength(1);
      expect([machines[0]?.architecture, machines[0]?.cpu_count, machines[0]?.memory]).toEqual(['arm64/generic', 144, 960 * 1024]);
    } finally {
      await tray.close();
    }
  });
});

describe('sweeping a fleet into the embedded registry', () => {
  it('when stopped, finishes the BMCs in flight and reports the others as not swept, in the list order', async () => {
    const stop = new AbortController();
    // Stopped as the second BMC starts: two in flight, six never started.
    let started = 0;
    const progress = new (class extends SweepTracker {
      override started(bmc: Parameters<SweepTracker['started']>[0]): void {
        super.started(bmc);
        if (++started === 2) stop.abort();
      }
    })();
    const report = await sweep({ concurrency: 2, stop: stop.signal, progress });
    expect(report.results.map((result) => result.address)).toEqual(bmcConfigs(fleet).map((bmc) => bmc.address));
    expect(report.totals).toMatchObject({ created: 2, skipped: 6 });
    expect(report.results.slice(0, 2).every((result) => result.outcome === 'created')).toBe(true);
    expect(report.results.slice(2).every((result) => result.message === 'not swept: the sweep was stopped' && result.requests === 0)).toBe(true);
    expect(listMachines(store)).toHaveLength(2);
  });

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
    // The fixture's own body (the simulator gives it this BMC's identity as it serves it): the same UUID, renamed.
    const system = (await loadMockup(join(FIXTURES, 'lenovo-sr650v2-xcc'))).get('/redfish/v1/Systems/1')!.body as Record<string, unknown>;
    lenovo.setResource('/redfish/v1/Systems/1', { ...system, HostName: 'renamed-host' });
    const report = await sweep({}, moved);
    expect(report.totals.created).toBe(0);
    expect(listMachines(store).map((machine) => machine.system_id).sort()).toEqual(before);
    expect(listMachines(store).some((machine) => machine.hostname === 'renamed-host')).toBe(false);
    const power = listMachines(store).map((machine) => JSON.parse(machine.power_parameters).power_address as string);
    expect(power.every((address) => address.includes('localhost'))).toBe(true);
  });

  it('never wipes the disks a machine already has when a fresh collector cannot read its storage', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const disks = () => store.all('SELECT b.name, b.serial, b.size FROM block_devices b JOIN machines m ON m.id = b.machine_id WHERE json_extract(m.power_parameters, \'$.power_address\') = ? ORDER BY b.name', dell.url);
    const before = disks();
    expect(before.length).toBeGreaterThan(0);
    dell.setFaults([{ path: /\/Storage/, afterAuth: true, action: { type: 'status', status: 500 } }]);
    // A collector with no memory of earlier sweeps (a new state database), pushing to the same registry.
    const fresh = temporaryStore();
    try {
      const report = await runSweep(bmcConfigs(fleet), new EmbeddedTarget(store), fresh.store, { ...settings, client: { ...settings.client, retries: 0 } });
      const result = report.results.find((one) => one.address === dell.url)!;
      expect(result.machines[0]).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/could not read storage .*not replacing/) });
      expect(disks()).toEqual(before);
    } finally {
      fresh.dispose();
    }
  });

  it('reports a new machine whose interfaces could not be read as that read\'s failure, not a target refusal, and creates nothing', async () => {
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    dell.setFaults([{ path: /\/(EthernetInterfaces|NetworkAdapters)/, afterAuth: true, action: { type: 'status', status: 500 } }]);
    const report = await sweep({ client: { ...settings.client, retries: 0 } });
    const result = report.results.find((one) => one.address === dell.url)!;
    expect(result).toMatchObject({ outcome: 'failed', errorKind: 'server' });
    expect(result.message).toMatch(/could not read its network interfaces \(server at \/redfish\/v1\/\S+\); a new machine is created with its MACs/);
    expect(listMachines(store).some((machine) => JSON.parse(machine.power_parameters).power_address === dell.url)).toBe(false);
  });

  it('never overwrites another machine that shares a MAC: a BMC whose UUID is not that machine\'s fails, naming both', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const before = listMachines(store).find((machine) => JSON.parse(machine.power_parameters).power_address === dell.url)!;
    // The same MACs answering on another address, from a machine whose UUID is another's.
    const system = await read(dell, '/redfish/v1/Systems/System.Embedded.1');
    dell.setResource('/redfish/v1/Systems/System.Embedded.1', { ...system, UUID: '4c4c4544-0000-4000-8000-00000000c10e' });
    const fresh = temporaryStore();
    try {
      const moved = bmcConfigs(fleet).filter((bmc) => bmc.address === dell.url).map((bmc) => ({ ...bmc, address: bmc.address.replace('127.0.0.1', 'localhost') }));
      const report = await runSweep(moved, new EmbeddedTarget(store), fresh.store, settings);
      expect(report.results[0]!.machines[0]).toMatchObject({ outcome: 'failed', errorKind: 'target', reason: expect.stringMatching(new RegExp(`MAC \\S+ is already machine ${before.hostname} \\(${before.system_id}\\), whose hardware UUID ${before.hardware_uuid} is not this BMC's [0-9a-f-]{36}: not updating another machine's hardware`)) });
      const after = listMachines(store).find((machine) => machine.system_id === before.system_id)!;
      expect([after.hardware_uuid, after.power_parameters]).toEqual([before.hardware_uuid, before.power_parameters]);
    } finally {
      fresh.dispose();
    }
  });

  it('names the BMC as the configuration does in every line its client logs', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = (bindings: Record<string, string>): Logger => ({
      debug: () => {},
      info: () => {},
      warn: (object, msg) => lines.push({ ...bindings, ...object, msg }),
      error: (object, msg) => lines.push({ ...bindings, ...object, msg }),
      child: (more) => logger({ ...bindings, ...more }),
    });
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    dell.setFaults([{ path: '/redfish/v1/SessionService/Sessions', method: 'POST', action: { type: 'status', status: 500 } }]);
    const bmcs = bmcConfigs(fleet).map((bmc) => (bmc.address === dell.url ? { ...bmc, name: 'rack-c-r750' } : bmc));
    await sweep({ log: logger({}) }, bmcs);
    const fallback = lines.find((line) => line.bmc === dell.url && String(line.msg).includes('basic auth'));
    expect(fallback).toMatchObject({ name: 'rack-c-r750' });
  });

  it('keeps what a machine had when it answers on a new BMC address and a section cannot be read', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const results = count('commissioning_results');
    dell.setFaults([{ path: /\/Storage/, afterAuth: true, action: { type: 'status', status: 500 } }]);
    const moved = bmcConfigs(fleet).map((bmc) => ({ ...bmc, address: bmc.address.replace('127.0.0.1', 'localhost') }));
    const report = await sweep({ client: { ...settings.client, retries: 0 } }, moved);
    const result = report.results.find((one) => one.name === dell.name)!;
    expect(result.warnings.join('\n')).toMatch(/could not read storage/);
    expect(result.machines[0]!.outcome).toBe('unchanged');
    expect(count('commissioning_results')).toBe(results);
  });

  it('reports the BMCs in flight when the sweep is cancelled as cancelled, pushes nothing for them, and logs out of them', async () => {
    await sweep();
    const results = count('commissioning_results');
    for (const bmc of fleet.bmcs) bmc.setFaults([{ path: /Memory|Processors/, afterAuth: true, action: { type: 'drip', bytesPerSecond: 2_000 } }]);
    const cancel = new AbortController();
    const running = sweep({ signal: cancel.signal });
    await new Promise((resolve) => setTimeout(resolve, 400));
    cancel.abort(new Error('operator cancelled'));
    const report = await running;
    const inFlight = report.results.filter((result) => result.outcome === 'cancelled');
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.every((result) => result.message === 'cancelled while in flight; nothing was changed')).toBe(true);
    expect(report.results.filter((result) => result.outcome !== 'cancelled').every((result) => result.outcome === 'skipped' && result.message === 'not swept: the sweep was stopped')).toBe(true);
    expect(report.totals.cancelled).toBe(inFlight.length);
    expect(count('commissioning_results')).toBe(results);
    expect(fleet.totals().openSessions).toBe(0);
  });

  it('never duplicates a machine one of whose MACs changed (a replaced NIC)', async () => {
    await sweep();
    const before = listMachines(store).map((machine) => machine.system_id).sort();
    const supermicro = fleet.bmcs.find((bmc) => bmc.name.includes('supermicro'))!;
    const nic = '/redfish/v1/Systems/1/EthernetInterfaces/1';
    supermicro.setResource(nic, { ...(await read(supermicro, nic)), MACAddress: '02:11:22:33:44:55', PermanentMACAddress: '02:11:22:33:44:55' });
    const report = await sweep();
    expect(report.totals.created).toBe(0);
    expect(listMachines(store).map((machine) => machine.system_id).sort()).toEqual(before);
    const result = report.results.find((one) => one.name === supermicro.name)!;
    expect(result.machines[0]!.outcome).toBe('updated');
    // (The fleet gives every MAC a per-BMC variant, so the new one is matched by its prefix.)
    expect(result.machines[0]!.changes).toContainEqual(expect.stringMatching(/^NIC 02:11:22:[0-9a-f:]+ added$/));
  });

  it('leaves a machine in a transitional status alone and says why', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const machine = listMachines(store).find((one) => JSON.parse(one.power_parameters).power_address === dell.url)!;
    applyMachineEvent(store, machine.system_id, { type: 'rescue' });
    const results = count('commissioning_results');
    const memory = '/redfish/v1/Systems/System.Embedded.1/Memory/DIMM.Socket.B2';
    dell.deleteResource(memory);
    const report = await sweep();
    const result = report.results.find((one) => one.name === dell.name)!;
    expect(result.machines[0]).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^machine is Entering rescue mode; hardware is updated once the operation ends$/) });
    expect(count('commissioning_results')).toBe(results);
  });

  it('shows the changes a dry run would push, and pushes none', async () => {
    await sweep();
    const dell = fleet.bmcs.find((bmc) => bmc.name.includes('dell'))!;
    const drive = '/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.1:Enclosure.Internal.0-1:RAID.Integrated.1-1';
    dell.setResource(drive, { ...(await read(dell, drive)), SerialNumber: 'DRYRUN01' });
    const results = count('commissioning_results');
    const report = await sweep({ dryRun: true });
    const result = report.results.find((one) => one.name === dell.name)!;
    expect(result.machines[0]).toMatchObject({ outcome: 'updated', reason: 'would be updated (dry run)', changes: [expect.stringMatching(/^disk sdb replaced: .* → MTFDDAK480TDS, serial DR\w+, 480.1 GB$/)] });
    expect(count('commissioning_results')).toBe(results);
    expect((await sweep()).results.find((one) => one.name === dell.name)!.outcome).toBe('updated');
  });

  it('shows what it would do on a dry run and writes nothing', async () => {
    const report = await sweep({ dryRun: true });
    expect(report.totals.created).toBe(8);
    expect(report.results[0]!.machines[0]!.reason).toBe('would be created (dry run)');
    expect(listMachines(store)).toHaveLength(0);
    expect(count('bmc_state')).toBe(0);
  });

  it("reports a target's refusal with its HTTP status once, whether or not the target's message says it", async () => {
    const refusal = (error: Error) => new (class extends EmbeddedTarget {
      override async findMachine(): Promise<never> { throw error; }
    })(store);
    const reason = async (error: Error) => (await runSweep(bmcConfigs(fleet).slice(0, 1), refusal(error), store, settings)).results[0]!.machines[0]!;
    const maas = await reason(new MaasError('bad-request', 'MAAS rejected POST machines/ (HTTP 400), field `power_address`: "Enter a valid address"', { status: 400, field: 'power_address' }));
    expect(maas).toMatchObject({ outcome: 'failed', errorKind: 'target' });
    expect(maas.reason!.match(/HTTP 400/g)).toHaveLength(1);
    expect((await reason(new TargetError('the machine no longer exists', { status: 404 }))).reason).toBe('the machine no longer exists (HTTP 404)');
  });
});
