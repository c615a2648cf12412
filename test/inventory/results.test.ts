// The outputs of MAAS's builtin commissioning scripts, written from an inventory: modaliases in the
// kernel's format, lshw's XML, the support text, and one result per script of MAAS 3.4's set.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toLshw } from '../../src/inventory/lshw.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { dmiModalias, pciModalias, toModaliases } from '../../src/inventory/modaliases.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { COMMISSIONING_SCRIPT, toCommissioningResults } from '../../src/inventory/results.ts';
import { FIXTURES, loadSource } from '../helpers/mockup.ts';
import { MAAS_34_SCRIPTS } from '../maas/helpers.ts';

async function fixture(tree: string): Promise<HardwareInventory> {
  const [inventory] = toInventories(await loadSource(join(FIXTURES, tree)));
  return inventory!;
}

describe('modaliases', () => {
  it('writes a PCI function as the kernel does: upper-case ids padded to 8 digits, class, subclass and interface', () => {
    expect(pciModalias({ vendorId: '8086', deviceId: '1572', subsystemVendorId: '1590', subsystemId: '0225', classCode: '020000' })).toBe(
      'pci:v00008086d00001572sv00001590sd00000225bc02sc00i00',
    );
  });

  it('writes `*` for what the BMC did not report, so only globs that ignore the field match it', () => {
    expect(pciModalias({ vendorId: '15b3', deviceId: '1017' })).toBe('pci:v000015B3d00001017sv*sd*bc*sc*i*');
  });

  it('writes the DMI strings as dmi-id.c does: known fields only, without spaces or colons', async () => {
    const hpe = await fixture('hpe-dl380-gen10-ilo5');
    expect(dmiModalias(hpe)).toBe('dmi:bvrU30v2.76(02/09/2023):svnHPE:pnProLiantDL380Gen10:rvnHPE:rnProLiantDL380Gen10:cvnHPE:ct23:sku868703-B21:');
    const bare = { ...hpe, identity: {}, firmware: { components: [] }, motherboard: {}, chassis: {} };
    expect(dmiModalias(bare)).toBeUndefined();
  });

  it('lists every PCI function once, sorted as `sort -u` sorts', async () => {
    const dell = await fixture('dell-r750-idrac9');
    const lines = toModaliases(dell).trimEnd().split('\n');
    expect(lines).toEqual([...new Set(lines)].sort());
    expect(lines.filter((line) => line.startsWith('pci:'))).toHaveLength(new Set(dell.pci.map(pciModalias)).size);
    expect(lines).toContain('pci:v000014E4d000016D8sv00001028sd00000AA4bc02sc00i00');
  });
});

describe('lshw', () => {
  it('has a node for the system, the board, its BIOS, each CPU, each DIMM, each disk and each host port', async () => {
    const dell = await fixture('dell-r750-idrac9');
    const xml = toLshw(dell);
    expect(xml.startsWith('<?xml version="1.0" standalone="yes" ?>\n')).toBe(true);
    expect(xml).toMatch(/<node id="[^"]+" claimed="true" class="system" handle="">\n <description>Rack Mount Chassis<\/description>\n <product>PowerEdge R750<\/product>/);
    expect(xml).toContain('<node id="firmware" claimed="true" class="memory" handle="">');
    expect(xml.match(/class="processor"/g)).toHaveLength(dell.cpus.length);
    expect(xml.match(/<node id="bank:\d+"/g)).toHaveLength(dell.memory.dimms.length);
    for (const dimm of dell.memory.dimms) expect(xml).toContain(`<slot>${dimm.slot}</slot>`);
    for (const drive of dell.drives) expect(xml).toContain(`<logicalname>/dev/${drive.name}</logicalname>`);
    for (const port of dell.nics.flatMap((nic) => nic.ports)) expect(xml).toContain(`<serial>${port.mac}</serial>`);
    // Spinning disks say so; SSDs and disks of unknown media do not.
    expect(xml.match(/<capability id="rotational">/g)).toHaveLength(dell.drives.filter((drive) => drive.media === 'hdd').length);
    expect(xml.match(/<node /g)!.length).toBe(xml.match(/<\/node>/g)!.length);
  });

  it('escapes what a BMC’s strings hold and drops the control characters XML cannot carry', async () => {
    const dell = await fixture('dell-r750-idrac9');
    const xml = toLshw({ ...dell, identity: { ...dell.identity, model: 'R750 <"Rack"> & co\u0007' } });
    expect(xml).toContain('<product>R750 &lt;&quot;Rack&quot;&gt; &amp; co</product>');
  });
});

describe('toCommissioningResults', () => {
  it('has an output for every script of MAAS 3.4’s set for a deployed machine, the same for the same inventory', async () => {
    const hpe = await fixture('hpe-dl380-gen10-ilo5');
    const results = toCommissioningResults(hpe, { name: 'redfish-enlist', version: '1.2.3' });
    expect(Object.keys(results.outputs).sort()).toEqual([...MAAS_34_SCRIPTS].sort());
    expect(JSON.parse(results.outputs[COMMISSIONING_SCRIPT]!)).toEqual(results.document);
    expect(results.outputs['20-maas-03-machine-resources']).toBe(results.outputs[COMMISSIONING_SCRIPT]);
    // The host's serial devices are not known out-of-band: the script's output is empty.
    expect(results.outputs['maas-serial-ports']).toBe('');
    expect(toCommissioningResults(hpe, { name: 'redfish-enlist', version: '1.2.3' })).toEqual(results);
  });

  it('writes the support text’s hardware sections and says which it cannot know', async () => {
    const hpe = await fixture('hpe-dl380-gen10-ilo5');
    const text = toCommissioningResults(hpe, { name: 'redfish-enlist', version: '1.2.3' }).outputs['maas-support-info']!;
    expect(text).toContain('by redfish-enlist 1.2.3: kernel, command line, USB, serial ports and the DMI dump are not known there');
    expect(text).toContain('-----BEGIN CPU CORE COUNT AND MODEL-----\n     80  Intel(R) Xeon(R) Gold 6242R CPU @ 3.10GHz\n-----END CPU CORE COUNT AND MODEL-----');
    expect(text).toMatch(/Serial Attached SCSI controller \[0107\]: .*\[9005:028f\]/);
    expect(text).toContain('system-product-name=ProLiant DL380 Gen10');
    expect(text).toMatch(/^nvme0n1 +259:0 +512 +1\.7T +HPE +VO001920KYDMT$/m);
    expect(text).not.toContain('KERNEL INFO');
  });
});
