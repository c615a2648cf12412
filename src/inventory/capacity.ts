// Drive sizes cross-checked against every other size the BMC gives for the same drive. A storage
// server's BMC was seen sending MiB in `CapacityBytes` (4 TB disks as 3.8 MB; fixtures/shapes/
// storage-server-mib-capacity): a size that some other evidence contradicts is corrected when one
// unit makes it agree; otherwise a size no drive has is left out of the document and a plausible
// one kept, each with a note saying why, never pushed as if nothing were wrong. The evidence,
// strongest first:
// - exact: a size field with its unit in its name (an OEM `CapacityMiB`, `CapacityGB`…, logical
//   blocks × block size, HPE SmartStorage's figures for the same serial);
// - at least: a RAID volume over the drive (its capacity over its data drives is a lower bound);
// - named: a size in the drive's own name or model ("4TB", not "12Gb/s"), a marketing figure, so
//   it counts only when the reported size is off from it by more than half.
// A volume as small as its drives is no check: a BMC that sends the wrong unit for its drives
// sends it for its volumes too.
import { at, isResource, linksAt, normalisePath, type Resource } from '../redfish/navigate.ts';
import { PLAUSIBLE_DRIVE_BYTES } from '../redfish/resources/storage.ts';
import { LIMITS, num, positive, str } from './read.ts';

/** One other size the BMC gives for a drive. */
export interface SizeEvidence {
  readonly bytes: number;
  /** Where it is, in words: "Oem.Ami.CapacityMiB 3815447", "volume …/Volumes/0 (RAID6, 10 drives)". */
  readonly from: string;
  readonly kind: 'exact' | 'at least' | 'named';
}

/**
 * The size to use and how it was reached (`correction`: changed, saying why; `doubt`: kept as
 * reported although other evidence disagrees), or, for a size no drive has that nothing corrects,
 * why the drive is left out.
 */
export type SizeVerdict =
  | { readonly ok: true; readonly bytes: number; readonly correction?: string; readonly doubt?: string }
  | { readonly ok: false; readonly reason: string };

// Units a BMC may have meant, smallest factor first.
const UNITS: readonly (readonly [string, number])[] = [
  ['512-byte blocks', 512],
  ['KB', 1e3],
  ['KiB', 1024],
  ['4096-byte blocks', 4096],
  ['MB', 1e6],
  ['MiB', 2 ** 20],
  ['GB', 1e9],
  ['GiB', 2 ** 30],
];

const FIELD = /^(?:Capacity|Size)(Bytes|KiB|KB|MiB|MB|GiB|GB|TiB|TB)$/;
const FACTORS: Readonly<Record<string, number>> = { Bytes: 1, KiB: 1024, KB: 1e3, MiB: 2 ** 20, MB: 1e6, GiB: 2 ** 30, GB: 1e9, TiB: 2 ** 40, TB: 1e12 };
// "4TB", "3.84 TB", "960GB", not "MB4000GVYZK" (a model number) or "4000G".
const NAMED = /(?:^|[^\w.])(\d+(?:\.\d+)?)\s?(TB|GB)\b(?!\/s)/i;

/** Sizes a drive resource gives besides `CapacityBytes`: OEM size fields, blocks, its name. */
export function ownSizeEvidence(body: Resource): SizeEvidence[] {
  const found: SizeEvidence[] = [];
  const blocks = (holder: unknown, where: string) => {
    const count = positive(at(holder, ['CapacityLogicalBlocks']) ?? at(holder, ['CapacityBlocks']), LIMITS.bytes);
    const size = positive(at(holder, ['BlockSizeBytes']) ?? body.BlockSizeBytes, LIMITS.blockSize);
    if (count && size) found.push({ bytes: count * size, from: `${where}CapacityLogicalBlocks ${count} × ${size} bytes`, kind: 'exact' });
  };
  blocks(body, '');
  const oem = body.Oem;
  if (isResource(oem)) {
    for (const [vendor, fields] of Object.entries(oem)) {
      if (!isResource(fields)) continue;
      blocks(fields, `Oem.${vendor}.`);
      for (const [key, value] of Object.entries(fields)) {
        const unit = FIELD.exec(key)?.[1];
        const amount = num(value);
        if (unit !== undefined && amount !== undefined && amount > 0) found.push({ bytes: amount * FACTORS[unit]!, from: `Oem.${vendor}.${key} ${amount}`, kind: 'exact' });
      }
    }
  }
  for (const field of ['Name', 'Model'] as const) {
    const named = NAMED.exec(str(body[field]) ?? '');
    if (named) found.push({ bytes: Number(named[1]) * (named[2]!.toUpperCase() === 'TB' ? 1e12 : 1e9), from: `${field} "${str(body[field])}"`, kind: 'named' });
  }
  return found;
}

/**
 * Lower bounds volumes set on their drives: a volume over n drives of one reported size holds at
 * most its data drives' worth (n for RAID0, n−1 for RAID5, n/2 for mirrors…), so each drive is at
 * least the volume's capacity over that. Drives of different reported sizes give no bound.
 */
export function volumeSizeEvidence(volumes: readonly Resource[], reported: ReadonlyMap<string, number>): Map<string, SizeEvidence[]> {
  const bounds = new Map<string, SizeEvidence[]>();
  for (const volume of volumes) {
    const capacity = positive(volume.CapacityBytes, LIMITS.bytes);
    const members = linksAt(volume, ['Links', 'Drives']).map(normalisePath);
    const sizes = members.map((member) => reported.get(member));
    if (!capacity || members.length === 0 || sizes.some((size) => size === undefined || size !== sizes[0])) continue;
    const type = str(volume.RAIDType) ?? str(volume.VolumeType);
    const data = dataDrives(type, members.length);
    const from = `volume ${str(volume['@odata.id']) ?? '(volume)'} (${type ?? 'no RAID type'} over ${members.length} drive${members.length === 1 ? '' : 's'}, ${capacity} bytes)`;
    for (const member of members) bounds.set(member, [...(bounds.get(member) ?? []), { bytes: capacity / data, from, kind: 'at least' }]);
  }
  return bounds;
}

// The most data drives a volume of this type over n drives can have (its capacity's upper bound).
function dataDrives(type: string | undefined, n: number): number {
  const by: Readonly<Record<string, number>> = {
    RAID1: n / 2,
    Mirrored: n / 2,
    RAID1E: n / 2,
    RAID10: n / 2,
    RAID10E: n / 2,
    SpannedMirrors: n / 2,
    RAID1Triple: n / 3,
    RAID10Triple: n / 3,
    RAID3: n - 1,
    RAID4: n - 1,
    RAID5: n - 1,
    StripedWithParity: n - 1,
    RAID6: n - 2,
    RAID50: n - 2,
    SpannedStripesWithParity: n - 2,
    RAID6TP: n - 3,
    RAID60: n - 4,
  };
  return Math.max(1, type !== undefined && Object.hasOwn(by, type) ? by[type]! : n);
}

// A plausible size that evidence contradicts is kept (the evidence may be what is wrong) and
// flagged; an implausible one is left out.
function doubtful(reported: number, why: string): SizeVerdict {
  return reported >= PLAUSIBLE_DRIVE_BYTES ? { ok: true, bytes: reported, doubt: why } : { ok: false, reason: why };
}

const close = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(a, b);

// The unit that brings `reported` closest to `bytes`, if within the tolerance (MiB and MB are
// only 5% apart: the nearer one is meant).
function nearest(reported: number, bytes: number, tolerance: number): readonly [string, number] | undefined {
  const distance = (factor: number) => Math.abs(reported * factor - bytes);
  const best = [...UNITS].sort(([, a], [, b]) => distance(a) - distance(b))[0]!;
  return close(reported * best[1], bytes, tolerance) ? best : undefined;
}

/** Decides a drive's size from its `CapacityBytes` and the other sizes the BMC gives. */
export function checkSize(reported: number, evidence: readonly SizeEvidence[]): SizeVerdict {
  const plausible = reported >= PLAUSIBLE_DRIVE_BYTES;
  const said = `CapacityBytes ${reported}`;
  const exact = evidence.filter((entry) => entry.kind === 'exact');
  if (exact.length > 0) {
    if (exact.some((entry) => close(reported, entry.bytes, 0.03))) return { ok: true, bytes: reported };
    for (const entry of exact) {
      const unit = nearest(reported, entry.bytes, 0.03);
      if (unit) return { ok: true, bytes: reported * unit[1], correction: `${said} is in ${unit[0]}, as ${entry.from} shows: ${reported * unit[1]} bytes` };
    }
    return doubtful(reported, `${said} disagrees in every unit with ${exact[0]!.from}`);
  }
  const floors = evidence.filter((entry) => entry.kind === 'at least');
  if (floors.length > 0) {
    const floor = floors.reduce((best, entry) => (entry.bytes > best.bytes ? entry : best));
    // A volume may use part of each drive, never more than all of it (1% for rounding).
    if (reported < floor.bytes * 0.99) {
      // The BMC's figure in the right unit, using (nearly) the whole drive: the closest such unit.
      const fits = UNITS.filter(([, factor]) => reported * factor >= floor.bytes * 0.99 && reported * factor <= floor.bytes * 1.25);
      const unit = fits.sort(([, a], [, b]) => a - b)[0];
      if (unit) return { ok: true, bytes: reported * unit[1], correction: `${said} is in ${unit[0]}: ${reported * unit[1]} bytes, as ${floor.from} needs at least ${Math.round(floor.bytes)}` };
      return doubtful(reported, `${said} is smaller than ${floor.from} needs (${Math.round(floor.bytes)} bytes), in any unit`);
    }
    // A volume that agrees proves nothing when its own size is as implausible: a BMC sending the
    // wrong unit sends it for its volumes too. The name decides, below.
  }
  const named = evidence.find((entry) => entry.kind === 'named');
  // A name's size is a marketing figure, so only a disagreement by more than half is one.
  if (named && !(reported >= named.bytes / 2 && reported <= named.bytes * 2)) {
    const unit = nearest(reported, named.bytes, 0.1);
    if (unit) return { ok: true, bytes: reported * unit[1], correction: `${said} is in ${unit[0]}, as the drive's ${named.from} says: ${reported * unit[1]} bytes` };
    return doubtful(reported, `${said} is no size for a drive its ${named.from} names, in any unit`);
  }
  if (plausible || named) return { ok: true, bytes: reported };
  if (floors.length > 0) return { ok: false, reason: `${said} is no plausible size for a drive (below 1 GB), and the volumes over it are as small, so they give no check` };
  return { ok: false, reason: `${said} is no plausible size for a drive (below 1 GB) and the BMC gives no other size to check it against` };
}
