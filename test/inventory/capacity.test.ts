// Drive sizes cross-checked against the other sizes a BMC gives: what is corrected, what is kept
// and flagged, what is left out. Units come only from the evidence, never from a model name.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSize, type SizeEvidence } from '../../src/inventory/capacity.ts';
import { NOTES_KEY, toCommissioningData } from '../../src/inventory/commissioning.ts';
import { parseCommissioningData } from '../../src/inventory/document.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { loadSource, SHAPES } from '../helpers/mockup.ts';

const MIB = 2 ** 20;
const named = (bytes: number, from: string): SizeEvidence => ({ bytes, from, kind: 'named' });
const volume = (bytes: number): SizeEvidence => ({ bytes, from: 'volume /redfish/v1/Systems/1/Storage/RAID/Volumes/0 (RAID1 over 2 drives)', kind: 'at least' });

describe('a drive size that only a volume in the same wrong unit agrees with', () => {
  it('is corrected from the drive\'s name when the name gives a size', () => {
    const verdict = checkSize(3815447, [volume(3815447 - 256), named(4e12, 'Name "HGST Ultrastar 7K6 4TB"')]);
    expect(verdict).toEqual({ ok: true, bytes: 3815447 * MIB, correction: 'CapacityBytes 3815447 is in MiB, as the drive\'s Name "HGST Ultrastar 7K6 4TB" says: 4000786153472 bytes' });
  });

  it('is left out, saying why, when nothing else gives a size: a mirror of two "0 MB" drives is not pushed', () => {
    expect(checkSize(457862, [volume(457862)])).toEqual({
      ok: false,
      reason: 'CapacityBytes 457862 is no plausible size for a drive (below 1 GB), and the volumes over it are as small, so they give no check',
    });
  });
});

describe('a drive whose name gives its size', () => {
  it('is corrected when the reported size is the name\'s in KiB (3.9 GB for a "4TB" drive)', () => {
    expect(checkSize(3907017728, [named(4e12, 'Name "HGST Ultrastar 7K6 4TB"')])).toMatchObject({ ok: true, bytes: 3907017728 * 1024, correction: expect.stringContaining('is in KiB') });
  });

  it('is kept and flagged when the name disagrees by more than half in every unit', () => {
    expect(checkSize(2e12, [named(8e12, 'Model "Exos 8TB"')])).toEqual({ ok: true, bytes: 2e12, doubt: 'CapacityBytes 2000000000000 is no size for a drive its Model "Exos 8TB" names, in any unit' });
  });

  it('is kept as reported when the marketing figure roughly agrees', () => {
    expect(checkSize(960197124096, [named(960e9, 'Name "SSD 960GB"')])).toEqual({ ok: true, bytes: 960197124096 });
    expect(checkSize(3840755982336, [named(3.84e12, 'Model "PM1733a RI 3.84TB"')])).toEqual({ ok: true, bytes: 3840755982336 });
  });
});

describe('what a drive\'s name is not read as', () => {
  it('a link speed ("12Gb/s") is no size', async () => {
    const { ownSizeEvidence } = await import('../../src/inventory/capacity.ts');
    expect(ownSizeEvidence({ Name: 'SAS 12Gb/s drive', Model: 'ST1200MM0009' })).toEqual([]);
    expect(checkSize(1_200_243_695_616, ownSizeEvidence({ Name: 'SAS 12Gb/s 1.2TB' }))).toEqual({ ok: true, bytes: 1_200_243_695_616 });
  });
});

describe('a storage server whose RAID volume is in MiB like its drives (storage-server-mib-capacity, volume in MiB)', () => {
  it('pushes none of the ten 3.8 MB data drives, and says why for each', async () => {
    const source = await loadSource(join(SHAPES, 'storage-server-mib-capacity'));
    const path = '/redfish/v1/Systems/Self/Storage/RAID0/Volumes/0';
    const read = source.resources.get(path);
    if (!read?.ok) throw new Error(`${path} is missing from the fixture`);
    (source.resources as Map<string, unknown>).set(path, { ok: true, body: { ...(read.body as object), CapacityBytes: (3815447 - 256) * 8 } });
    const document = toCommissioningData(toInventories(source)[0]!);
    const maas = parseCommissioningData(document);
    expect(maas.disks.every((disk) => disk.size >= 1e9)).toBe(true);
    const leftOut = (document[NOTES_KEY]?.notes ?? []).filter((note) => note.action === 'left out' && note.resource.includes('/RAID0/Drives/'));
    expect(leftOut).toHaveLength(10);
    expect(leftOut[0]!.reason).toBe('CapacityBytes 3815447 is no plausible size for a drive (below 1 GB), and the volumes over it are as small, so they give no check');
  });
});
