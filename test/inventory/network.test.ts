import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { toInventory } from '../../src/inventory/normalise.ts';
import { caseFile, sourceOf } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const inventoryOf = (resources: Record<string, unknown>) => toInventory(sourceOf(resources), PATHS.SYSTEM)!;
const ports = (resources: Record<string, unknown>) => inventoryOf(resources).nics.flatMap((nic) => nic.ports);
const adapterPort = (id: string, macs: string[], extra: Record<string, unknown> = {}) => ({
  Id: id,
  LinkStatus: 'Up',
  CurrentSpeedGbps: 25,
  MaxSpeedGbps: 25,
  Ethernet: { AssociatedMACAddresses: macs },
  ...extra,
});

describe('network ports', () => {
  it('normalises MAC formats to lower-case colons and names the port after it', async () => {
    const found = ports(tree({ interfaces: [await caseFile('network', 'interface-mac-dashes')] }));
    expect(found).toEqual([
      {
        name: 'enx3cfdfea1b2c3',
        mac: '3c:fd:fe:a1:b2:c3',
        link: 'up',
        speedMbps: 10000,
        addresses: [{ family: 'inet', address: '10.20.30.41', prefix: 23 }],
      },
    ]);
    expect(found[0]!.name.length).toBeLessThanOrEqual(15);
  });

  it('merges the same MAC from EthernetInterfaces, adapter Ports and device functions into one port', () => {
    const found = ports(
      tree({
        interfaces: [{ MACAddress: '0C:42:A1:00:00:01', SpeedMbps: 25000, LinkStatus: 'LinkUp' }],
        adapters: [{ body: { Manufacturer: 'Mellanox', Model: 'ConnectX-6 Lx' }, ports: [adapterPort('1', ['0c:42:a1:00:00:01'])], functions: [{ Ethernet: { MACAddress: '0c:42:a1:00:00:01' } }] }],
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ mac: '0c:42:a1:00:00:01', speedMbps: 25000, maxSpeedMbps: 25000, link: 'up' });
  });

  it('takes MACs from adapter ports when EthernetInterfaces have none (Lenovo XCC)', () => {
    const inventory = inventoryOf(
      tree({
        interfaces: [{ Name: 'NIC 1', MACAddress: '' }, { Name: 'NIC 2' }],
        adapters: [{ body: { Manufacturer: 'Broadcom', Model: 'BCM57414' }, ports: [adapterPort('1', ['b0:26:28:00:00:01']), adapterPort('2', ['b0:26:28:00:00:02'], { LinkStatus: 'Down' })] }],
      }),
    );
    expect(inventory.nics).toEqual([
      expect.objectContaining({ vendor: 'Broadcom', model: 'BCM57414', ports: [expect.objectContaining({ mac: 'b0:26:28:00:00:01', link: 'up' }), expect.objectContaining({ mac: 'b0:26:28:00:00:02', link: 'down' })] }),
    ]);
  });

  it('matches MACs to ports by full path when port ids collide across adapters (Supermicro)', () => {
    const functionFor = (adapter: number, port: string, mac: string) => ({
      Ethernet: { MACAddress: mac },
      Links: { PhysicalPortAssignment: { '@odata.id': `${PATHS.CHASSIS}/NetworkAdapters/NIC${adapter}/Ports/${port}` } },
    });
    const inventory = inventoryOf(
      tree({
        adapters: [
          { body: { Model: 'AOC-A25G-b2SG' }, ports: [{ Id: '1', LinkStatus: 'Up', CurrentSpeedGbps: 25 }, { Id: '2', LinkStatus: 'Down' }], functions: [functionFor(1, '1', '3c:ec:ef:00:00:01'), functionFor(1, '2', '3c:ec:ef:00:00:02')] },
          { body: { Model: 'AOC-STG-i2T' }, ports: [{ Id: '1', LinkStatus: 'Down' }, { Id: '2', LinkStatus: 'Up', CurrentSpeedGbps: 10 }], functions: [functionFor(2, '1', 'ac:1f:6b:00:00:01'), functionFor(2, '2', 'ac:1f:6b:00:00:02')] },
        ],
      }),
    );
    const byMac = Object.fromEntries(inventory.nics.flatMap((nic) => nic.ports.map((port) => [port.mac, [nic.model, port.link, port.speedMbps]])));
    expect(byMac).toEqual({
      '3c:ec:ef:00:00:01': ['AOC-A25G-b2SG', 'up', 25000],
      '3c:ec:ef:00:00:02': ['AOC-A25G-b2SG', 'down', undefined],
      'ac:1f:6b:00:00:01': ['AOC-STG-i2T', 'down', undefined],
      'ac:1f:6b:00:00:02': ['AOC-STG-i2T', 'up', 10000],
    });
  });

  it('never reports the BMC own MACs as host ports', () => {
    const found = ports(
      tree({
        interfaces: [{ MACAddress: 'd0:8e:79:00:00:09' }, { MACAddress: 'b4:96:91:00:00:01' }],
        managerInterfaces: [{ MACAddress: 'D0:8E:79:00:00:09' }],
      }),
    );
    expect(found.map((port) => port.mac)).toEqual(['b4:96:91:00:00:01']);
  });

  it("drops OpenBMC's fixed 02:00:00:00:00:02 on OpenBMC", () => {
    const found = ports(
      tree({
        root: { Oem: { OpenBMC: {} } },
        interfaces: [{ MACAddress: '02:00:00:00:00:02' }, { MACAddress: 'b8:59:9f:00:00:01' }],
      }),
    );
    expect(found.map((port) => port.mac)).toEqual(['b8:59:9f:00:00:01']);
  });

  it('drops all-zero, broadcast, multicast and malformed MACs', () => {
    const found = ports(
      tree({ interfaces: ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', 'not-a-mac', 42, null, 'b4:96:91:00:00:07'].map((MACAddress) => ({ MACAddress })) }),
    );
    expect(found.map((port) => port.mac)).toEqual(['b4:96:91:00:00:07']);
  });

  it('keeps ports only in EthernetInterfaces as cards of their own (HPE iLO 5)', () => {
    const inventory = inventoryOf(tree({ interfaces: [{ MACAddress: '94:40:c9:00:00:01' }, { MACAddress: '94:40:c9:00:00:02' }], adapters: [] }));
    expect(inventory.nics.map((nic) => nic.ports.map((port) => port.mac))).toEqual([['94:40:c9:00:00:01'], ['94:40:c9:00:00:02']]);
  });

  describe('partitioned adapters (NPAR): only functions a host can use become ports', () => {
    const port = `${PATHS.CHASSIS}/NetworkAdapters/NIC1/Ports/1`;
    const fn = (mac: string, extra: Record<string, unknown> = {}) => ({ NetDevFuncType: 'Ethernet', Ethernet: { MACAddress: mac }, Links: { PhysicalPortAssignment: { '@odata.id': port } }, Status: { State: 'Enabled' }, ...extra });
    const npar = (functions: Record<string, unknown>[], interfaces: Record<string, unknown>[] = []) =>
      inventoryOf(tree({ interfaces, adapters: [{ body: { Model: 'FastLinQ 41262' }, ports: [adapterPort('1', ['34:80:0d:00:00:10'])], functions }] }));

    it('leaves out disabled functions, offload functions and functions on no port, each with its reason', () => {
      const inventory = npar([
        fn('34:80:0d:00:00:10'),
        fn('34:80:0d:00:00:11', { NetDevFuncType: 'Disabled', Status: { State: 'Disabled' } }),
        fn('34:80:0d:00:00:12', { Status: { State: 'Disabled' } }),
        fn('34:80:0d:00:00:13', { DeviceEnabled: false }),
        fn('34:80:0d:00:00:14', { NetDevFuncType: 'iSCSI' }),
        fn('34:80:0d:00:00:15', { Links: { PhysicalPortAssignment: null } }),
        fn('34:80:0d:00:00:16'),
      ]);
      expect(inventory.nics.flatMap((nic) => nic.ports.map((found) => found.mac))).toEqual(['34:80:0d:00:00:10', '34:80:0d:00:00:16']);
      expect(inventory.notes?.map((note) => [note.subject, note.action, note.reason])).toEqual([
        ['34:80:0d:00:00:11', 'left out', 'its network device function is disabled (NetDevFuncType Disabled)'],
        ['34:80:0d:00:00:12', 'left out', 'its network device function is disabled (Status.State Disabled)'],
        ['34:80:0d:00:00:13', 'left out', 'its network device function is disabled (DeviceEnabled false)'],
        ['34:80:0d:00:00:14', 'left out', 'its network device function is of type iSCSI, not an Ethernet interface'],
        ['34:80:0d:00:00:15', 'left out', 'its network device function is on no physical port of its adapter'],
      ]);
      expect(inventory.notes?.[0]?.resource).toBe(`${PATHS.CHASSIS}/NetworkAdapters/NIC1/NetworkDeviceFunctions/2`);
    });

    it('does not bring a left-out MAC back because an EthernetInterface lists it too', () => {
      const inventory = npar([fn('34:80:0d:00:00:10'), fn('34:80:0d:00:00:11', { Status: { State: 'Disabled' } })], [{ MACAddress: '34:80:0d:00:00:11', InterfaceEnabled: false }]);
      expect(inventory.nics.flatMap((nic) => nic.ports.map((found) => found.mac))).toEqual(['34:80:0d:00:00:10']);
    });

    it('keeps a MAC that a usable function carries even when a disabled function repeats it', () => {
      const inventory = npar([fn('34:80:0d:00:00:10', { Status: { State: 'Disabled' } }), fn('34:80:0d:00:00:10')]);
      expect(inventory.nics.flatMap((nic) => nic.ports.map((found) => found.mac))).toEqual(['34:80:0d:00:00:10']);
      expect(inventory.notes).toBeUndefined();
    });

    it('keeps functions that name no port when the BMC names a port for none of them', () => {
      const inventory = npar([fn('34:80:0d:00:00:20', { Links: {} }), fn('34:80:0d:00:00:21', { Links: {} })]);
      expect(inventory.nics.flatMap((nic) => nic.ports.map((found) => found.mac))).toEqual(['34:80:0d:00:00:10', '34:80:0d:00:00:20', '34:80:0d:00:00:21']);
      expect(inventory.notes).toBeUndefined();
    });
  });

  describe('which PCI function a port is on', () => {
    const nicFunction = (functionId: number, links: Record<string, unknown> = {}) => ({ FunctionId: functionId, VendorId: '0x8086', DeviceId: '0x1572', ClassCode: '0x020000', Links: links });
    const documentCards = (resources: Record<string, unknown>) =>
      (toCommissioningData(inventoryOf(resources)).resources.network as { cards: { pci_address?: string; vendor_id: string; ports: { address: string }[] }[] }).cards.map((card) => [card.ports.map((port) => port.address), card.pci_address ?? null, card.vendor_id]);

    it('ties each port to the function that links its EthernetInterface (HPE iLO 5), a card per function', () => {
      const resources = tree({
        interfaces: [{ MACAddress: '3c:fd:fe:00:00:01' }, { MACAddress: '3c:fd:fe:00:00:02' }],
        pcie: [{ body: { Name: 'Ethernet 10Gb 2-port' }, functions: [1, 2].map((n) => nicFunction(n - 1, { EthernetInterfaces: [{ '@odata.id': `${PATHS.SYSTEM}/EthernetInterfaces/NIC${n}` }] })) }],
      });
      const addresses = inventoryOf(resources).pci.map((fn) => fn.address);
      expect(documentCards(resources)).toEqual([
        [['3c:fd:fe:00:00:01'], addresses[0], '8086'],
        [['3c:fd:fe:00:00:02'], addresses[1], '8086'],
      ]);
    });

    it('ties each port to the function its network device function links (Dell, Lenovo)', () => {
      const resources = tree({
        pcie: [{ functions: [nicFunction(0), nicFunction(1)] }],
        adapters: [
          {
            body: { Controllers: [{ Links: { PCIeDevices: [{ '@odata.id': `${PATHS.CHASSIS}/PCIeDevices/0` }] } }] },
            // Crossed on purpose: the second function of the adapter is the device's first.
            functions: [1, 0].map((f, i) => ({ Ethernet: { MACAddress: `b0:26:28:00:00:0${i + 1}` }, Links: { PCIeFunction: { '@odata.id': `${PATHS.CHASSIS}/PCIeDevices/0/PCIeFunctions/${f}` } } })),
          },
        ],
      });
      const addresses = inventoryOf(resources).pci.map((fn) => fn.address);
      expect(documentCards(resources)).toEqual([
        [['b0:26:28:00:00:01'], addresses[1], '8086'],
        [['b0:26:28:00:00:02'], addresses[0], '8086'],
      ]);
    });

    it('ties no port when the adapter’s device has several functions and nothing says which port is on which (Supermicro)', () => {
      const resources = tree({
        pcie: [{ functions: [nicFunction(0), nicFunction(1)] }],
        adapters: [{ body: { Controllers: [{ Links: { PCIeDevices: [{ '@odata.id': `${PATHS.CHASSIS}/PCIeDevices/0` }] } }] }, functions: [1, 2].map((i) => ({ Ethernet: { MACAddress: `3c:ec:ef:00:00:0${i}` } })) }],
      });
      expect(documentCards(resources)).toEqual([[['3c:ec:ef:00:00:01', '3c:ec:ef:00:00:02'], null, '']]);
    });

    it('puts every port of an adapter on its device’s function when the device has only one', () => {
      const resources = tree({
        pcie: [{ functions: [nicFunction(0)] }],
        adapters: [{ body: { Controllers: [{ Links: { PCIeDevices: [{ '@odata.id': `${PATHS.CHASSIS}/PCIeDevices/0` }] } }] }, functions: [1, 2].map((i) => ({ Ethernet: { MACAddress: `00:25:b5:00:00:0${i}` } })) }],
      });
      expect(documentCards(resources)).toEqual([[['00:25:b5:00:00:01', '00:25:b5:00:00:02'], inventoryOf(resources).pci[0]!.address, '8086']]);
    });
  });
});
