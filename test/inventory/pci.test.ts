import { describe, expect, it } from 'vitest';
import { toInventory } from '../../src/inventory/normalise.ts';
import { syntheticAddress } from '../../src/inventory/pci.ts';
import { sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const gpuFunction = { VendorId: '0x10DE', DeviceId: '0x25B6', ClassCode: '0x030200', FunctionId: 0 };
const inventoryOf = (resources: Record<string, unknown>) => toInventory(sourceOf(resources), PATHS.SYSTEM)!;

describe('PCIe devices and GPUs', () => {
  it('lists every function with vendor and device ids, and a stable made-up address when the BMC gives none', () => {
    const inventory = inventoryOf(tree({ pcie: [{ body: { Manufacturer: 'Intel', Model: 'X710' }, functions: [{ VendorId: '0x8086', DeviceId: '0x1572', ClassCode: '0x020000', FunctionId: 1 }] }] }));
    expect(inventory.pci).toEqual([expect.objectContaining({ vendorId: '8086', deviceId: '1572', classCode: '020000', address: syntheticAddress(0, 1), vendor: 'Intel', product: 'X710' })]);
    expect(syntheticAddress(0, 1)).toBe('ffff:00:00.1');
  });

  it('names the vendor from the vendor id when the BMC leaves Manufacturer empty (HPE iLO 5), and keeps the BMC’s name otherwise', () => {
    const fn = { VendorId: '0X8086', DeviceId: '0X1572', ClassCode: '0X020000', FunctionId: 0 };
    const inventory = inventoryOf(tree({ pcie: [{ body: { Manufacturer: '', Name: 'HPE Ethernet 10Gb 2-port 562SFP+ Adapter' }, functions: [fn] }, { body: { Manufacturer: 'Huawei' }, functions: [fn] }, { functions: [{ ...fn, VendorId: '0xABCD' }] }] }));
    expect(inventory.pci.map((entry) => entry.vendor)).toEqual(['Intel Corporation', 'Huawei', undefined]);
  });

  it('uses the bus address from OEM fields when the BMC reports one (Dell, HPE)', () => {
    const inventory = inventoryOf(tree({ pcie: [{ functions: [{ VendorId: '0x8086', DeviceId: '0x1572', Oem: { Dell: { DellPCIeFunction: { BusNumber: 59, DeviceNumber: 0, FunctionNumber: 1 } } } }] }] }));
    expect(inventory.pci[0]?.address).toBe('0000:3b:00.1');
  });

  it('counts a GPU listed both as a processor and as a PCIe device once', () => {
    const resources = tree({
      processors: [{ ProcessorType: 'GPU', Model: 'NVIDIA A2', SerialNumber: '1324722003188', Links: { PCIeDevice: { '@odata.id': `${PATHS.CHASSIS}/PCIeDevices/0` } } }],
      pcie: [{ body: { Manufacturer: 'NVIDIA', Name: 'NVIDIA A2' }, functions: [gpuFunction] }],
    });
    expect(inventoryOf(resources).gpus).toEqual([expect.objectContaining({ vendorId: '10de', deviceId: '25b6', serial: '1324722003188' })]);
  });

  it('counts a GPU once when HPE lists it again in its OEM device inventory', () => {
    const devices = `${PATHS.CHASSIS}/Devices`;
    const resources = tree({
      root: { Oem: { Hpe: {} } },
      chassis: { Oem: { Hpe: { Links: { Devices: { '@odata.id': devices } } } } },
      pcie: [{ body: { Name: 'NVIDIA Tesla T4' }, functions: [gpuFunction] }],
      extra: {
        [devices]: { Members: [{ '@odata.id': `${devices}/4` }, { '@odata.id': `${devices}/17` }] },
        [`${devices}/4`]: { '@odata.id': `${devices}/4`, Name: 'NVIDIA Tesla T4', DeviceType: 'GPU', SerialNumber: '1322920081736', DeviceInstances: [{ '@odata.id': '/redfish/v1/Systems/1/PCIDevices/5' }] },
        // iLO types the HGX baseboard "GPU" too; it is no PCI function of the host.
        [`${devices}/17`]: { '@odata.id': `${devices}/17`, Name: 'NVIDIA HGX A100 8 GPU 40', DeviceType: 'GPU', DeviceInstances: null },
      },
    });
    expect(inventoryOf(resources).gpus.map((gpu) => gpu.product)).toEqual(['NVIDIA Tesla T4']);
  });
});
