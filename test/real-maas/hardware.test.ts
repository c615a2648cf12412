// What a real MAAS 3.4 stores from the BMCs where their Redfish says more than MAAS used to get:
// memory per NUMA node from DIMM names, PCI vendor names from vendor ids, interfaces tied to their
// PCI functions, and what stays unknown (a disk's media, ports no link places) shown as MAAS can.
// All of it behind nginx and against MAAS's web server directly (fronts.ts): the hardware is pushed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enlistFixtures, maasRead, type Enlisted } from './enlist.ts';
import { behind, FRONTS } from './fronts.ts';
import { maasLogin, resetRegion } from './region.ts';

interface Machine {
  readonly numanode_set: readonly { readonly index: number; readonly memory: number; readonly cores: readonly number[] }[];
  readonly interface_set: readonly { readonly id: number; readonly name: string; readonly mac_address: string; readonly vendor: string | null; readonly product: string | null; readonly type: string }[];
  readonly physicalblockdevice_set: readonly { readonly name: string; readonly model: string; readonly tags: readonly string[] }[];
}

interface NodeDevice {
  readonly bus_name: string;
  readonly hardware_type_name: string;
  readonly pci_address: string | null;
  readonly vendor_id: string;
  readonly product_id: string;
  readonly vendor_name: string | null;
  readonly product_name: string | null;
  readonly physical_interface: { readonly id: number } | number | null;
}

const TREES = ['ami-megarac-gigabyte', 'cisco-c220m5-cimc', 'dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'huawei-2288hv5-ibmc', 'lenovo-sr650v2-xcc', 'supermicro-x12dpt-bmc', 'openbmc-altra-bmcweb'];

let enlisted: Enlisted | undefined;
const systemId = (tree: string) => enlisted!.systemIds.get(tree)!;
const machine = (tree: string) => maasRead<Machine>(`api/2.0/machines/${systemId(tree)}/`);
const devices = (tree: string) => maasRead<NodeDevice[]>(`api/2.0/nodes/${systemId(tree)}/devices/`);
const linkedId = (device: NodeDevice) => (device.physical_interface === null ? undefined : typeof device.physical_interface === 'number' ? device.physical_interface : device.physical_interface.id);

describe.each(FRONTS)('hardware a real MAAS 3.4 stores from the BMCs, served through %s', (front) => {
  behind(front);
  beforeAll(async () => {
    await resetRegion();
    await maasLogin('admin');
    enlisted = await enlistFixtures(TREES);
  });
  afterAll(async () => {
    await enlisted?.close();
    enlisted = undefined;
  });

  it('puts each DIMM’s memory on the NUMA node of the socket its name gives (AMI: DIMM_P0_…, DIMM_P1_…)', async () => {
    const { numanode_set: nodes } = await machine('ami-megarac-gigabyte');
    expect(nodes.map((node) => [node.index, node.memory])).toEqual([
      [0, 8 * 32768],
      [1, 8 * 32768],
    ]);
  });

  it('names the vendor of every PCI device from its vendor id when the BMC leaves the name empty (HPE)', async () => {
    const found = (await devices('hpe-dl380-gen10-ilo5')).filter((device) => device.bus_name === 'PCIE');
    expect(found.map((device) => [device.vendor_id, device.vendor_name]).sort()).toEqual([
      ['102b', 'Matrox Electronics Systems Ltd.'],
      ['10de', 'NVIDIA Corporation'],
      ['14e4', 'Broadcom Inc. and subsidiaries'],
      ['14e4', 'Broadcom Inc. and subsidiaries'],
      ['8086', 'Intel Corporation'],
      ['8086', 'Intel Corporation'],
      ['9005', 'Adaptec'],
    ]);
  });

  // Cisco's VIC (MLOM) carries both its ports on one PCI function, as its BMC links them: MAAS ties
  // a device to one interface, so one of the two stays untied.
  it.each([
    ['ami-megarac-gigabyte', []],
    ['cisco-c220m5-cimc', ['UCSC-MLOM-C25Q-04', 'UCSC-MLOM-C25Q-04']],
    ['dell-r750-idrac9', []],
    ['hpe-dl380-gen10-ilo5', []],
    ['huawei-2288hv5-ibmc', []],
    ['lenovo-sr650v2-xcc', []],
  ])('ties the interfaces of %s to the PCI functions its Redfish links name (ports sharing one: %j), with a vendor', async (tree, sharing) => {
    const { interface_set: interfaces } = await machine(tree);
    const network = (await devices(tree)).filter((device) => device.hardware_type_name === 'Network');
    const physical = interfaces.filter((iface) => iface.type === 'physical');
    expect(physical.length).toBeGreaterThan(0);
    const tied = new Set(network.map(linkedId));
    // Every network device is tied to an interface, each to another one.
    expect(tied.size).toBe(network.length);
    const untied = physical.filter((iface) => !tied.has(iface.id)).map((iface) => iface.product);
    expect(untied).toEqual(sharing.slice(1));
    for (const iface of physical) expect(iface.vendor, iface.mac_address).toBeTruthy();
  });

  it('ties no interface to a PCI function when the BMC does not say which it is on (Supermicro, OpenBMC)', async () => {
    for (const tree of ['supermicro-x12dpt-bmc', 'openbmc-altra-bmcweb']) {
      const linked = (await devices(tree)).filter((device) => linkedId(device) !== undefined);
      expect(linked, tree).toEqual([]);
    }
  });

  it('keeps a disk of unknown media as MAAS must (tag ssd: no rotation speed), and its result says the media is unknown', async () => {
    const { physicalblockdevice_set: disks } = await machine('cisco-c220m5-cimc');
    expect(disks.map((disk) => [disk.name, disk.tags])).toEqual(['sda', 'sdb', 'sdc', 'sdd'].map((name) => [name, ['ssd']]));
    const sets = await maasRead<{ results: { name: string; stdout: string }[] }[]>(
      `api/2.0/nodes/${systemId('cisco-c220m5-cimc')}/results/?type=commissioning&include_output=1`,
    );
    const result = sets.flatMap((set) => set.results).find((entry) => entry.name === '50-maas-01-commissioning')!;
    const notes = (JSON.parse(Buffer.from(result.stdout, 'base64').toString('utf8')) as { 'redfish-enlist'?: { notes: { area: string; action: string; reason: string }[] } })['redfish-enlist']?.notes ?? [];
    const media = notes.filter((note) => note.area === 'storage' && /media/i.test(note.reason));
    expect(media).toHaveLength(4);
    expect(media.every((note) => note.action === 'flagged')).toBe(true);
  });
});
