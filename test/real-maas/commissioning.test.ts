// Commissioning results as a real MAAS 3.4 region keeps them after a sweep: every script of the set
// MAAS made for each machine passed, MAAS's tag definitions (XPath over lshw) and its modalias
// matching (switch tags, third-party drivers) working on these machines as on commissioned ones.
// All of it behind nginx and against MAAS's web server directly (fronts.ts): the results are pushes.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, treesIn } from '../helpers/mockup.ts';
import { enlistFixtures, maasRead, type Enlisted } from './enlist.ts';
import { behind, FRONTS } from './fronts.ts';
import { maas, maasLogin, maasPython, resetRegion } from './region.ts';

interface ScriptSet {
  readonly status_name: string;
  readonly results: readonly { readonly name: string; readonly status_name: string; readonly exit_status: number | null }[];
}

// The Dell fixture's first onboard Broadcom function, made a Broadcom Trident II switch ASIC
// (14e4:b850), the hardware MAAS's modalias hook tags.
const DELL_FUNCTION = '/redfish/v1/Chassis/System.Embedded.1/PCIeDevices/24-0/PCIeFunctions/24-0-0';

let enlisted: Enlisted | undefined;
const id = (tree: string) => enlisted!.systemIds.get(tree)!;

describe.each(FRONTS)('commissioning results of enlisted machines in a real MAAS 3.4, served through %s', (front) => {
  behind(front);
  beforeAll(async () => {
    await resetRegion();
    await maasLogin('admin');
    // Defined before any machine is enlisted: see the test "applies a tag defined earlier…".
    await maas(['admin', 'tags', 'create', 'name=hpe-systems', 'definition=//node[@class="system"]/vendor = "HPE"']);
    enlisted = await enlistFixtures(treesIn(FIXTURES), {
      prepare: (bmc, tree) => {
        if (tree !== 'dell-r750-idrac9') return;
        const body = JSON.parse(readFileSync(join(FIXTURES, tree, 'redfish', 'v1', ...DELL_FUNCTION.split('/').slice(3), 'index.json'), 'utf8')) as Record<string, unknown>;
        bmc.setResource(DELL_FUNCTION, { ...body, VendorId: '0x14E4', DeviceId: '0xB850', SubsystemVendorId: '0x14E4', SubsystemId: '0xB850' });
      },
    });
  });
  afterAll(async () => {
    await enlisted?.close();
    enlisted = undefined;
  });

  it('has every script of the commissioning set MAAS made for each machine passed, each with its output', async () => {
    for (const [tree, systemId] of enlisted!.systemIds) {
      const set = await maasRead<ScriptSet>(`api/2.0/nodes/${systemId}/results/current-commissioning/`);
      expect(set.results.length, tree).toBeGreaterThan(0);
      expect(set.results.map((result) => [result.name, result.status_name, result.exit_status]), tree).toEqual(set.results.map((result) => [result.name, 'Passed', 0]));
      expect(set.status_name, tree).toBe('Passed');
    }
    // The machine's lshw is MAAS's hardware details for it (op=details, shown by MAAS's UI).
    const details = await maas(['admin', 'machine', 'details', id('hpe-dl380-gen10-ilo5')]);
    expect(details).toContain('<node id="memory" claimed="true" class="memory"');
    expect(details).toContain('<slot>PROC 1 DIMM 1</slot>'); // a DIMM as the BMC names it
    expect(details).toContain('<product>P00924-B21</product>');
  });

  it('tags machines by XPath definitions over their lshw details, as MAAS does commissioned ones', async () => {
    const tags: Record<string, string> = {
      'samsung-dimms': '//node[@class="memory"]/vendor = "Samsung"',
      'rotating-disks': '//node[@class="disk"]/capabilities/capability[@id="rotational"]',
      'xeon-gold': '//node[@class="processor"]/product[contains(., "Xeon(R) Gold")]',
      'nic-at-25g': '//node[@class="network"]/capacity[@units="bit/s"] >= 25000000000',
    };
    for (const [name, definition] of Object.entries(tags)) await maas(['admin', 'tags', 'create', `name=${name}`, `definition=${definition}`]);
    const tagged = async (name: string) => (await maasRead<{ system_id: string }[]>(`api/2.0/tags/${name}/?op=machines`)).map((machine) => machine.system_id).sort();
    const expected = (trees: string[]) => trees.map(id).sort();
    // MAAS evaluates a new definition over every machine after the tag is saved, in the background.
    await eventually(async () => expect(await tagged('samsung-dimms')).toEqual(expected(['huawei-2288hv5-ibmc', 'lenovo-sr650v2-xcc', 'openbmc-altra-bmcweb'])));
    await eventually(async () => expect(await tagged('rotating-disks')).toEqual(expected(['dell-r750-idrac9', 'huawei-2288hv5-ibmc'])));
    await eventually(async () => expect(await tagged('xeon-gold')).toEqual(expected(['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'huawei-2288hv5-ibmc', 'lenovo-sr650v2-xcc'])));
    await eventually(async () => expect(await tagged('nic-at-25g')).toEqual(expected(treesIn(FIXTURES).filter((tree) => tree !== 'huawei-2288hv5-ibmc'))));
  });

  it('applies a tag defined before the machines were enlisted once the tag is rebuilt, as MAAS does after a hardware sync', async () => {
    const tagged = async () => (await maasRead<{ system_id: string }[]>('api/2.0/tags/hpe-systems/?op=machines')).map((machine) => machine.system_id);
    // MAAS evaluates definitions when a tag is saved or rebuilt, and when commissioning ends; a
    // Deployed machine's results (status WORKING) do not end commissioning.
    expect(await tagged()).toEqual([]);
    await maas(['admin', 'tag', 'rebuild', 'hpe-systems']);
    await eventually(async () => expect(await tagged()).toEqual([id('hpe-dl380-gen10-ilo5')]));
  });

  it('tags a machine whose PCI functions include a switch ASIC, by MAAS’s own modalias hook', async () => {
    for (const [tree, systemId] of enlisted!.systemIds) {
      const { tag_names: names } = await maasRead<{ tag_names: string[] }>(`api/2.0/machines/${systemId}/`);
      if (tree === 'dell-r750-idrac9') expect(names).toEqual(expect.arrayContaining(['switch', 'bcm-trident2-asic']));
      else expect(names, tree).not.toContain('switch');
    }
  });

  it('gives MAAS each PCI function’s modalias, which its driver and hardware-script matching read', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'drivers-'));
    try {
      // A third-party driver as MAAS's drivers.yaml describes one, for HPE's Smart Array P408i.
      const drivers = join(folder, 'drivers.yaml');
      await writeFile(drivers, 'drivers:\n- comment: Smart Array\n  modaliases: ["pci:v00009005d0000028Fsv0000103Csd*bc01sc07i*"]\n  module: smartpqi\n  package: smartpqi-dkms\n  repository: http://ppa.example/\n  series: [jammy]\n');
      const answer = await maasPython(
        'import os, sys, json\n' +
          'os.environ["MAAS_THIRD_PARTY_DRIVER_SETTINGS"] = sys.argv[2]\n' +
          'import django; django.setup()\n' +
          'from maasserver.models import Node\n' +
          'from maasserver.third_party_drivers import get_third_party_driver\n' +
          'from metadataserver.builtin_scripts.hooks import filter_modaliases\n' +
          'node = Node.objects.get(system_id=sys.argv[1])\n' +
          'print(json.dumps({"modaliases": node.modaliases, "driver": get_third_party_driver(node, series="jammy").get("module"),' +
          ' "for_hardware": filter_modaliases(node.modaliases, pci=["8086:1572"])}))',
        [id('hpe-dl380-gen10-ilo5'), drivers],
      );
      const found = JSON.parse(answer.trim().split('\n').at(-1)!) as { modaliases: string[]; driver: string | null; for_hardware: string[] };
      // From the fixture's PCIeFunctions: VendorId, DeviceId, SubsystemVendorId, SubsystemId, ClassCode.
      expect(found.modaliases).toEqual(
        expect.arrayContaining([
          'pci:v00009005d0000028Fsv0000103Csd00000602bc01sc07i00',
          'pci:v00008086d00001572sv00001590sd00000225bc02sc00i00',
          'pci:v000010DEd00001EB8sv000010DEsd000012A2bc03sc02i00',
        ]),
      );
      expect(found.modaliases.find((line) => line.startsWith('dmi:'))).toMatch(/:svnHPE:pnProLiantDL380Gen10:.*:ct23:/);
      expect(found.driver).toBe('smartpqi');
      expect(found.for_hardware).toEqual(['pci:v00008086d00001572sv00001590sd00000225bc02sc00i00']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

async function eventually(check: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
