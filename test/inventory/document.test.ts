// Reading a commissioning document as MAAS does, for the parts that tie devices together: the bus
// address a network card, a disk or a GPU shares with a PCI device, and USB addresses.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { parseCommissioningData } from '../../src/inventory/document.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { FIXTURES, loadSource } from '../helpers/mockup.ts';

const pci = (address: string, product: string) => ({ pci_address: address, vendor_id: '8086', product_id: '1572', vendor: 'Intel', product, numa_node: 0 });

describe('devices in a commissioning document', () => {
  it('types a PCI device by what shares its address: network card, then disk, then GPU', () => {
    const parsed = parseCommissioningData({
      resources: {
        pci: { devices: [pci('0000:3b:00.0', 'X710'), pci('0000:5e:00.0', 'NVMe'), pci('0000:af:00.0', 'A100'), pci('0000:00:1f.0', 'LPC')] },
        network: { cards: [{ pci_address: '0000:3b:00.0', ports: [{ id: 'enx1', address: '3c:fd:fe:00:00:01' }] }] },
        storage: { disks: [{ id: 'nvme0n1', device_path: 'pci-0000:5e:00.0-nvme-1', size: 1e12 }] },
        gpu: { cards: [{ pci_address: '0000:af:00.0' }] },
      },
    });
    expect(parsed.devices.map((device) => [device.address, device.hardwareType])).toEqual([
      ['0000:3b:00.0', 'network'],
      ['0000:5e:00.0', 'storage'],
      ['0000:af:00.0', 'gpu'],
      ['0000:00:1f.0', 'node'],
    ]);
  });

  it('reads USB bus and device numbers as LXD sends them, as numbers', () => {
    const parsed = parseCommissioningData({ resources: { usb: { devices: [{ bus_address: 1, device_address: 3, vendor_id: '0781', product_id: '5583', product: 'Ultra Fit' }] } } });
    expect(parsed.devices).toEqual([expect.objectContaining({ bus: 'usb', address: '1:3', vendorId: '0781', productId: '5583' })]);
  });

  it('gives each port a card at the bus address of the PCI function its Redfish links name, so MAAS ties them', async () => {
    const [inventory] = toInventories(await loadSource(join(FIXTURES, 'dell-r750-idrac9')));
    const document = toCommissioningData(inventory!);
    const resources = document.resources as {
      pci: { devices: { pci_address: string; vendor_id: string; product_id: string }[] };
      network: { cards: { pci_address?: string; vendor_id: string; product_id: string; ports: { address: string }[] }[] };
    };
    const devices = new Map(resources.pci.devices.map((device) => [device.pci_address, `${device.vendor_id}:${device.product_id}`]));
    // The NetworkDeviceFunctions of NIC.Integrated.1 link PCIeFunctions 24-0-0 and 24-0-1, each with its own address.
    expect(resources.network.cards.map((card) => [card.ports.map((port) => port.address), card.pci_address])).toEqual([
      [['b0:26:28:5e:1a:40'], 'ffff:01:00.0'],
      [['b0:26:28:5e:1a:41'], 'ffff:01:00.1'],
      [['0c:42:a1:7b:33:d0'], 'ffff:02:00.0'],
      [['0c:42:a1:7b:33:d1'], 'ffff:02:00.1'],
    ]);
    for (const card of resources.network.cards) expect(devices.get(card.pci_address!)).toBe(`${card.vendor_id}:${card.product_id}`);
    expect(parseCommissioningData(document).devices.filter((device) => device.hardwareType === 'network')).toHaveLength(4);
  });
});
