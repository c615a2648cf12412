// A machine's totals against what no real server has: a BMC claiming more is refused, naming the bound.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beyondBounds, documentBeyondBounds, inventoryBeyondBounds, MACHINE_BOUNDS } from '../../src/inventory/bounds.ts';
import { stableJson } from '../../src/inventory/fingerprint.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { FIXTURES, loadSource, treesIn } from '../helpers/mockup.ts';

const dell = async () => toInventories(await loadSource(join(FIXTURES, 'dell-r750-idrac9')))[0]!;
const times = <T>(count: number, item: T): T[] => Array.from({ length: count }, () => item);

describe('machine bounds', () => {
  it('let every fixture machine through', async () => {
    for (const tree of treesIn(FIXTURES)) {
      for (const inventory of toInventories(await loadSource(join(FIXTURES, tree)))) expect(beyondBounds(inventory), tree).toBeUndefined();
    }
  });

  it('refuse each total past its bound, naming the total and the bound', async () => {
    const base = await dell();
    const cpu = base.cpus[0]!;
    const port = base.nics[0]!.ports[0]!;
    const cases: [Partial<HardwareInventory>, RegExp][] = [
      [{ cpus: times(4096, { ...cpu, cores: 1, threads: 1 }) }, /4,096 CPU sockets, more than the 256 a machine may have/],
      [{ cpus: times(64, { ...cpu, cores: 1024, threads: 1024 }) }, /65,536 CPU cores, more than the 8,192/],
      [{ cpus: times(64, { ...cpu, cores: 16, threads: 16_384 }) }, /1,048,576 CPU threads, more than the 16,384/],
      [{ memory: { ...base.memory, dimms: times(MACHINE_BOUNDS.dimms + 1, base.memory.dimms[0]!) } }, /2,049 DIMMs, more than the 2,048/],
      [{ drives: times(MACHINE_BOUNDS.drives + 1, base.drives[0]!) }, /2,049 drives/],
      [{ nics: [{ ...base.nics[0]!, ports: times(MACHINE_BOUNDS.interfaces + 1, port) }] }, /513 network interfaces, more than the 512/],
      [{ pci: times(MACHINE_BOUNDS.pciFunctions + 1, base.pci[0]!) }, /2,049 PCI functions/],
    ];
    for (const [change, message] of cases) expect(beyondBounds({ ...base, ...change })).toMatch(message);
  });

  it('refuse an inventory past 8 MiB of JSON, before any document is made of it', async () => {
    expect(inventoryBeyondBounds(stableJson(await dell()).length)).toBeUndefined();
    expect(inventoryBeyondBounds(9_600_000)).toBe('its hardware inventory would be 9,600,000 characters, more than the 8,388,608 one may be');
  });

  it('refuse a commissioning script output past 16 MiB of text, naming the script', () => {
    expect(documentBeyondBounds({ '50-maas-01-commissioning': 'x'.repeat(200_000), 'maas-lshw': '<list/>' })).toBeUndefined();
    expect(documentBeyondBounds({ 'maas-lshw': '<list/>', '50-maas-01-commissioning': 'x'.repeat(18_540_217) })).toBe(
      'its 50-maas-01-commissioning output would be 18,540,217 characters, more than the 16,777,216 one may be',
    );
  });
});
