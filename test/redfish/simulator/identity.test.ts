import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMockup, type Mockup } from '../../../src/redfish/mockup.ts';
import {
  applyIdentity,
  compileIdentity,
  identityTables,
  renderIdentity,
  startBmc,
  variantHostName,
  type IdentityTemplate,
  type SimulatedBmc,
} from '../../../src/redfish/simulator/index.ts';
import { getJson, HAVE_MOCKUPS, MOCKUPS } from './helpers.ts';

const MAC = /(?<![0-9A-Fa-f]|[0-9A-Fa-f][:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])/g;
const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;
const running: SimulatedBmc[] = [];

// Every string value in a JSON document with the name of its property (array items get the array's).
function strings(json: unknown, key = ''): Array<[string, string]> {
  if (typeof json === 'string') return [[key, json]];
  if (Array.isArray(json)) return json.flatMap((item) => strings(item, key));
  if (typeof json === 'object' && json !== null) return Object.entries(json).flatMap(([name, value]) => strings(value, name));
  return [];
}

// The identity values of a whole tree as machine `index` serves it (links and ids left out).
const compiled = new WeakMap<Mockup, IdentityTemplate[]>();
function identityOf(mockup: Mockup, index: number) {
  const tables = identityTables(mockup);
  const macs = new Set<string>();
  const uuids = new Set<string>();
  const serials = new Set<string>();
  if (!compiled.has(mockup)) compiled.set(mockup, [...mockup.values()].map((resource) => compileIdentity(JSON.stringify(resource.body))));
  for (const template of compiled.get(mockup) ?? []) {
    const served = renderIdentity(template, index, tables).replace(/"(?:@odata\.id|Id)":"[^"]*"/g, '');
    for (const [mac] of served.matchAll(MAC)) if (!/^(00[:-]?){5}00$/.test(mac)) macs.add(mac.toLowerCase().replaceAll('-', ':'));
    for (const [uuid] of served.matchAll(UUID)) uuids.add(uuid.toLowerCase());
    for (const [, serial] of served.matchAll(/"SerialNumber":"([^"]*)"/g)) if (serial?.trim()) serials.add(serial);
  }
  return { macs, uuids, serials };
}

function mockupOf(resources: Record<string, unknown>): Mockup {
  return new Map(Object.entries({ '/redfish/v1': { '@odata.id': '/redfish/v1' }, ...resources }).map(([key, body]) => [key, { body }]));
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((bmc) => bmc.close()));
});

describe('fleet identity', () => {
  const synthetic = mockupOf({
    '/redfish/v1/Managers/bmc/EthernetInterfaces/eth0': {
      '@odata.id': '/redfish/v1/Managers/bmc/EthernetInterfaces/eth0',
      Id: 'eth0',
      MACAddress: '02:00:00:00:00:02',
      PermanentMACAddress: '00:00:00:00:00:00',
    },
    '/redfish/v1/Systems/1/EthernetInterfaces/1': {
      '@odata.id': '/redfish/v1/Systems/1/EthernetInterfaces/1',
      MACAddress: 'b4:2e:99:0a:bc:de',
      Oem: { Vendor: { 'B4:2E:99:0A:BC:DE': 'a key, not a value', BootString: 'PXE B4-2E-99-0A-BC-DE' } },
      UUID: '00000000-0000-0000-0000-000000000000',
    },
    '/redfish/v1/Systems/1': {
      '@odata.id': '/redfish/v1/Systems/1',
      SerialNumber: '  ILC220027S  ',
      SKU: 'FOOXD53',
      PartNumber: 'P18606-B21',
      AssetTag: '',
      HostName: 'Web-07.Rack_3',
      UUID: '4c4c4544-004c-4410-8058-c6c04f443533',
      Links: { Oem: { '@odata.id': '/redfish/v1/Systems/4c4c4544-004c-4410-8058-c6c04f443533' } },
    },
    '/redfish/v1/Chassis/1': { SerialNumber: '3488247', SKU: '8675309', AssetTag: 'rack-12', Id: 'b4:2e:99:0a:bc:de' },
  });
  const tables = identityTables(synthetic);
  const serve = (key: string, index: number): any => JSON.parse(applyIdentity(JSON.stringify(synthetic.get(key)?.body), index, tables));

  it("keeps OpenBMC's 02:00:00:00:00:02, all-zero MACs and the nil UUID", () => {
    expect(serve('/redfish/v1/Managers/bmc/EthernetInterfaces/eth0', 9)).toMatchObject({ MACAddress: '02:00:00:00:00:02', PermanentMACAddress: '00:00:00:00:00:00' });
    expect(serve('/redfish/v1/Systems/1/EthernetInterfaces/1', 9).UUID).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('maps one MAC the same way everywhere, keeping its OUI, separator and case', () => {
    const nic = serve('/redfish/v1/Systems/1/EthernetInterfaces/1', 3);
    expect(nic.MACAddress).toMatch(/^b4:2e:99(:[0-9a-f]{2}){3}$/);
    expect(nic.MACAddress).not.toBe('b4:2e:99:0a:bc:de');
    expect(nic.Oem.Vendor.BootString).toBe(`PXE ${nic.MACAddress.toUpperCase().replaceAll(':', '-')}`);
  });

  it('leaves links, Id values and keys untouched', () => {
    const nic = serve('/redfish/v1/Systems/1/EthernetInterfaces/1', 3);
    expect(nic.Oem.Vendor['B4:2E:99:0A:BC:DE']).toBe('a key, not a value');
    const system = serve('/redfish/v1/Systems/1', 3);
    expect(system.Links.Oem['@odata.id']).toBe('/redfish/v1/Systems/4c4c4544-004c-4410-8058-c6c04f443533');
    expect(system.UUID).not.toBe('4c4c4544-004c-4410-8058-c6c04f443533');
    expect(serve('/redfish/v1/Chassis/1', 3).Id).toBe('b4:2e:99:0a:bc:de');
  });

  it('gives serials and service tags a variant of the same shape, and leaves part numbers and empty values', () => {
    const system = serve('/redfish/v1/Systems/1', 42);
    expect(system.SerialNumber).toMatch(/^ {2}[0-9A-Z]{10} {2}$/);
    expect(system.SerialNumber).not.toBe('  ILC220027S  ');
    expect(system.SKU).toMatch(/^[0-9A-Z]{7}$/);
    expect(system.SKU).not.toBe('FOOXD53');
    expect(system.PartNumber).toBe('P18606-B21');
    expect(system.AssetTag).toBe('');
    const chassis = serve('/redfish/v1/Chassis/1', 42);
    expect(chassis.SerialNumber).toMatch(/^3\d{8}$/);
    expect(chassis.SKU).toBe('8675309');
    expect(chassis.AssetTag).not.toBe('rack-12');
  });

  it('turns host names into lower-case DNS names whose first label names the index', () => {
    expect(serve('/redfish/v1/Systems/1', 42).HostName).toBe('web-07-i16.rack-3');
    const long = variantHostName('x'.repeat(80), 123_456);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });

  it('keeps machines distinct across a fleet whose trees share OUIs and serials but differ in size', () => {
    const treeOf = (nics: number, extraSerials: number): Mockup => mockupOf({
      '/redfish/v1/Systems/1': {
        SerialNumber: '437XR1138R2',
        Oem: { Serials: Array.from({ length: extraSerials }, (_, i) => ({ SerialNumber: `PART${i}` })) },
        MACs: Array.from({ length: nics }, (_, i) => `0c:42:a1:00:00:${String(i).padStart(2, '0')}`),
      },
    });
    const trees = [treeOf(6, 3), treeOf(5, 7)];
    const macs = new Set<string>();
    const serials = new Set<string>();
    let expected = { macs: 0, serials: 0 };
    for (let index = 0; index < 200; index++) {
      const tree = trees[index % 2] as Mockup;
      const served = JSON.parse(applyIdentity(JSON.stringify(tree.get('/redfish/v1/Systems/1')?.body), index, identityTables(tree)));
      for (const mac of served.MACs) macs.add(mac);
      serials.add(served.SerialNumber);
      for (const part of served.Oem.Serials) serials.add(part.SerialNumber);
      expected = { macs: expected.macs + served.MACs.length, serials: expected.serials + 1 + served.Oem.Serials.length };
    }
    expect(macs.size).toBe(expected.macs);
    expect(serials.size).toBe(expected.serials);
  });

  it('is deterministic: the same body and index always give the same text', () => {
    const text = JSON.stringify(synthetic.get('/redfish/v1/Systems/1')?.body);
    expect(applyIdentity(text, 5, tables)).toBe(applyIdentity(text, 5, identityTables(synthetic)));
  });

  describe.skipIf(!HAVE_MOCKUPS)(`on public mockups (${MOCKUPS}; skipped when absent)`, () => {
    let dl360: Mockup;
    beforeAll(async () => {
      dl360 = await loadMockup(join(MOCKUPS, 'hpe-iloemu-DL360'));
    });

    it('gives each of 50 machines its own MACs, UUIDs and serials', () => {
      const original = identityOf(dl360, 0);
      const seen = { macs: new Set<string>(), uuids: new Set<string>(), serials: new Set<string>() };
      for (let index = 0; index < 50; index++) {
        const machine = identityOf(dl360, index);
        expect(machine.macs.size).toBe(original.macs.size);
        expect(machine.serials.size).toBe(original.serials.size);
        for (const kind of ['macs', 'uuids', 'serials'] as const) for (const value of machine[kind]) seen[kind].add(value);
      }
      expect(original.macs.size).toBeGreaterThan(5);
      expect(seen.macs.size).toBe(50 * original.macs.size);
      expect(seen.uuids.size).toBe(50 * original.uuids.size);
      expect(seen.serials.size).toBe(50 * original.serials.size);
    });

    it('maps a MAC written in two cases in the tree to one new MAC, in each case', () => {
      const tables = identityTables(dl360);
      const lower = JSON.parse(applyIdentity('"88:e9:a4:6b:a8:ac"', 17, tables)) as string;
      expect(JSON.parse(applyIdentity('"88:E9:A4:6B:A8:AC"', 17, tables))).toBe(lower.toUpperCase());
      let resources = 0;
      for (const resource of dl360.values()) {
        const text = JSON.stringify(resource.body);
        if (!/88:e9:a4:6b:a8:ac/i.test(text)) continue;
        const served = applyIdentity(text, 17, tables);
        expect(served).not.toMatch(/88:e9:a4:6b:a8:ac/i);
        expect(served.toLowerCase()).toContain(lower);
        resources += 1;
      }
      expect(resources).toBeGreaterThan(2);
    });

    it('never rewrites @odata.id links or keys', () => {
      const tables = identityTables(dl360);
      for (const resource of dl360.values()) {
        const served = JSON.parse(applyIdentity(JSON.stringify(resource.body), 23, tables));
        const links = (json: unknown) => strings(json).filter(([key]) => key === '@odata.id' || key === 'Id').map(([, value]) => value);
        expect(links(served)).toEqual(links(resource.body));
        const keys = (json: unknown): string => JSON.stringify(json, (_, value) => (typeof value === 'string' ? '' : value));
        expect(keys(served)).toBe(keys(resource.body));
      }
    });

    it('serves the identity from a BMC started with a fleet index', async () => {
      const bmc = await startBmc({ mockup: dl360, tls: false, identity: 4 });
      running.push(bmc);
      const path = '/redfish/v1/Systems/1';
      const { json } = await getJson(`${bmc.url}${path}`);
      expect(json.UUID).not.toBe((dl360.get(path)?.body as { UUID: string }).UUID);
      expect(json).toEqual(JSON.parse(applyIdentity(JSON.stringify(dl360.get(path)?.body), 4, identityTables(dl360))));
    });
  });
});
