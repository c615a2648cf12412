// Vendor detection from what BMCs really put in their service roots (and, when the root says
// nothing, the manager's model): never from resource ids.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toInventory } from '../../src/inventory/normalise.ts';
import { detectVendor } from '../../src/inventory/vendor.ts';
import { FIXTURES, sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const read = (tree: string, path = '') => JSON.parse(readFileSync(join(FIXTURES, tree, 'redfish', 'v1', path, 'index.json'), 'utf8')) as Record<string, unknown>;

describe('vendor detection from the project fixtures', () => {
  it('recognises Cisco CIMC, whose service root has no Oem key, by its UCS product', () => {
    const root = read('cisco-c220m5-cimc');
    expect(root).not.toHaveProperty('Oem');
    expect(detectVendor(root).name).toBe('cisco');
  });

  it('recognises Cisco CIMC from the manager model when the root does not name a product', () => {
    const { Product: _, ...root } = read('cisco-c220m5-cimc');
    expect(detectVendor(root).name).toBe('generic');
    expect(detectVendor(root, read('cisco-c220m5-cimc', 'Managers/CIMC')).name).toBe('cisco');
  });

  it('recognises AMI MegaRAC by its Ami Oem key, and by its vendor name alone', () => {
    expect(detectVendor(read('ami-megarac-gigabyte')).name).toBe('ami');
    expect(detectVendor({ Vendor: 'American Megatrends' }).name).toBe('ami');
  });

  it('recognises Huawei iBMC by its Huawei Oem key, and by an iBMC product alone', () => {
    expect(detectVendor(read('huawei-2288hv5-ibmc')).name).toBe('huawei');
    expect(detectVendor({ Product: 'iBMC' }).name).toBe('huawei');
  });
});

describe('vendor detection by evidence', () => {
  it.each([
    ['Dell iDRAC', { Vendor: 'Dell', Oem: { Dell: {} } }, undefined, { name: 'dell', serviceTagFromSku: true }],
    ['HPE iLO 5', { Vendor: 'HPE', Product: 'ProLiant DL380 Gen10', Oem: { Hpe: {} } }, undefined, { name: 'hpe', oemDeviceList: true }],
    ['HPE iLO 4', { Name: 'HP RESTful Root Service', Oem: { Hp: {} } }, undefined, { name: 'hpe', oemDeviceList: true }],
    ['Lenovo XCC', { Vendor: 'Lenovo', Product: 'ThinkSystem SR650 V2', Oem: { Lenovo: {} } }, undefined, { name: 'lenovo' }],
    ['Supermicro', { Vendor: 'Supermicro', Oem: { Supermicro: {} } }, undefined, { name: 'supermicro' }],
    ['OpenBMC (bmcweb)', { Id: 'RootService' }, { Id: 'bmc', Model: 'OpenBmc' }, { name: 'openbmc', bmcOnlyMacs: ['02:00:00:00:00:02'] }],
    ['an unknown BMC', { Id: 'RootService', Vendor: 'Acme' }, { Model: 'BMC' }, { name: 'generic', serviceTagFromSku: false, bmcOnlyMacs: [] }],
  ])('%s', (_name, root, manager, expected) => {
    expect(detectVendor(root, manager)).toMatchObject(expected);
  });

  it('does not take a vendor from resource ids', () => {
    expect(detectVendor({ Id: 'RootService', Systems: { '@odata.id': '/redfish/v1/Systems/System.Embedded.1' } }).name).toBe('generic');
  });
});

describe('the system maker when the BMC leaves Manufacturer blank', () => {
  const inventoryOf = (root: Record<string, unknown>, chassis: Record<string, unknown> = {}, manager: Record<string, unknown> = {}) =>
    toInventory(sourceOf(tree({ root, system: { Manufacturer: ' ' }, chassis: { Manufacturer: '', ...chassis }, manager })), PATHS.SYSTEM)!;

  it('takes the chassis maker first, and says so', () => {
    const inventory = inventoryOf({ Oem: { Dell: {} } }, { Manufacturer: 'Dell Inc.' });
    expect(inventory.identity.manufacturer).toBe('Dell Inc.');
    expect(inventory.notes?.[0]?.reason).toMatch(/^Manufacturer is blank; "Dell Inc." is its chassis' Manufacturer/);
  });

  it.each([
    ['a Dell iDRAC known by its Oem key', { Oem: { Dell: {} } }, {}, 'Dell Inc.', "the service root's Oem.Dell"],
    ['a Dell iDRAC known by its manager alone', {}, { Model: '16G Monolithic' }, 'Dell Inc.', 'the manager\'s "16G Monolithic"'],
    ['an HPE iLO', { Oem: { Hpe: {} } }, {}, 'HPE', "the service root's Oem.Hpe"],
  ])('names %s after its maker, with the evidence in the note', (_name, root, manager, maker, evidence) => {
    const inventory = inventoryOf(root, {}, manager);
    expect([inventory.identity.manufacturer, inventory.motherboard.manufacturer]).toEqual([maker, maker]);
    expect(inventory.notes?.[0]?.reason).toBe(`Manufacturer is blank; "${maker}" as ${evidence} says`);
  });

  it('leaves it blank behind firmware that runs on many makers\' boards (AMI, OpenBMC) or an unknown BMC', () => {
    for (const root of [{ Oem: { Ami: {} } }, { Oem: { OpenBMC: {} } }, { Vendor: 'Acme' }]) {
      const inventory = inventoryOf(root);
      expect(inventory.identity.manufacturer, JSON.stringify(root)).toBeUndefined();
      expect(inventory.notes, JSON.stringify(root)).toBeUndefined();
    }
  });
});
