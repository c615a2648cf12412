// Re-sweeps between full reads: listings and parents are read again, the parts behind an unchanged
// listing are taken from the last sweep, and every change an operator cares about is still seen.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/registry/store.ts';
import type { SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep, type SweepReport, type SweepSettings } from '../../src/sweep/sweep.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs, fixtureFleet } from './fleet.ts';

const DAY = 86_400_000;
let clock = Date.parse('2026-11-25T10:00:00Z');
let store: Store;
let dispose: () => void;
let fleet: SimulatedFleet;
const settings: SweepSettings = {
  concurrency: 8,
  fullReadEveryMs: DAY,
  client: { backoffBaseMs: 5, backoffMaxMs: 20, requestTimeoutMs: 2_000, bmcDeadlineMs: 20_000 },
};

beforeEach(async () => {
  clock = Date.parse('2026-11-25T10:00:00Z');
  ({ store, dispose } = temporaryStore(() => new Date(clock)));
  fleet = await fixtureFleet(8);
});
afterEach(async () => {
  await fleet.close();
  dispose();
});

const sweep = (extra: Partial<SweepSettings> = {}) => runSweep(bmcConfigs(fleet), new EmbeddedTarget(store), store, { ...settings, ...extra });
const requests = (report: SweepReport) => report.results.reduce((sum, result) => sum + result.requests, 0);
const bmc = (name: string) => fleet.bmcs.find((candidate) => candidate.name.includes(name))!;
const resultOf = (report: SweepReport, name: string) => report.results.find((result) => result.name.includes(name))!;
const basic = { authorization: `Basic ${Buffer.from('admin:redfish').toString('base64')}` };
const read = async (where: SimulatedFleet['bmcs'][number], path: string): Promise<any> => (await fetch(`${where.url}${path}`, { headers: basic })).json();

describe('re-sweeps between full reads', () => {
  it('costs at most half the requests of the first sweep and pushes nothing when nothing changed', async () => {
    const first = await sweep();
    expect(first.totals).toMatchObject({ created: 8, failed: 0 });
    expect(first.results.every((result) => result.reused === 0)).toBe(true);
    const again = await sweep();
    expect(again.totals).toMatchObject({ unchanged: 8, failed: 0 });
    expect(requests(again)).toBeLessThanOrEqual(requests(first) / 2);
    expect(again.results.every((result) => result.reused > 0)).toBe(true);
    expect(fleet.totals().openSessions).toBe(0);
  });

  it('sees a removed DIMM and an added drive at once', async () => {
    await sweep();
    const supermicro = bmc('supermicro');
    const memory = '/redfish/v1/Systems/1/Memory';
    const dimm = `${memory}/1`;
    const listing = await read(supermicro, memory);
    supermicro.deleteResource(dimm);
    supermicro.setResource(memory, { ...listing, Members: listing.Members.filter((m: { '@odata.id': string }) => m['@odata.id'] !== dimm), 'Members@odata.count': listing.Members.length - 1 });
    const dell = bmc('dell');
    const storage = '/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1';
    const subsystem = await read(dell, storage);
    const model = await read(dell, subsystem.Drives[3]['@odata.id']);
    const added = `${storage}/Drives/Disk.Bay.4:Enclosure.Internal.0-1:RAID.Integrated.1-1`;
    dell.setResource(added, { ...model, '@odata.id': added, Id: 'Disk.Bay.4:Enclosure.Internal.0-1:RAID.Integrated.1-1', SerialNumber: 'ADDED0001' });
    dell.setResource(storage, { ...subsystem, Drives: [...subsystem.Drives, { '@odata.id': added }], 'Drives@odata.count': 5 });

    const report = await sweep();
    expect(report.totals).toMatchObject({ updated: 2, unchanged: 6 });
    expect(resultOf(report, 'supermicro').machines[0]!.changes).toEqual(['DIMM P1-DIMMA1 32 GiB removed']);
    expect(resultOf(report, 'dell').machines[0]!.changes).toEqual([expect.stringMatching(/^disk sde added: ST1200MM0129, serial ADD\w+, 1.20 TB$/)]);
  });

  it('sees a part replaced at the same path at the next full read, or at once with a full read asked for', async () => {
    await sweep();
    const supermicro = bmc('supermicro');
    const dimm = '/redfish/v1/Systems/1/Memory/3';
    supermicro.setResource(dimm, { ...(await read(supermicro, dimm)), SerialNumber: 'SWAPPED01' });

    const between = await sweep();
    expect(resultOf(between, 'supermicro').outcome).toBe('unchanged');

    clock += DAY;
    const full = await sweep();
    expect(resultOf(full, 'supermicro')).toMatchObject({ outcome: 'updated', reused: 0 });
    expect(resultOf(full, 'supermicro').machines[0]!.changes!.join('\n')).toMatch(/→ 32 GiB SWA/);

    supermicro.setResource(dimm, { ...(await read(supermicro, dimm)), SerialNumber: 'SWAPPED02' });
    const asked = await sweep({ fullReadEveryMs: 0 });
    expect(resultOf(asked, 'supermicro')).toMatchObject({ outcome: 'updated', reused: 0 });
  });

  it('reads everything every sweep when fullReadEveryMs is 0', async () => {
    const first = await sweep({ fullReadEveryMs: 0 });
    const again = await sweep({ fullReadEveryMs: 0 });
    expect(again.results.every((result) => result.reused === 0)).toBe(true);
    expect(requests(again)).toBe(requests(first));
  });
});
