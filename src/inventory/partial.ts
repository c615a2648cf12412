// A section that could not be read this sweep is unknown, not empty. Pushing it as read would make
// MAAS delete the disks or interfaces it knows, because one request failed. So an unknown section
// is carried over from the last inventory in which it was known, and says so in its provenance.
import type { HardwareInventory, SectionName } from './model.ts';

// The inventory fields each section owns.
const FIELDS: Readonly<Record<SectionName, readonly (keyof HardwareInventory)[]>> = {
  identity: [],
  cpu: ['cpus', 'architecture'],
  memory: ['memory'],
  storage: ['drives', 'volumes'],
  network: ['nics'],
  pci: ['pci', 'gpus'],
  firmware: ['firmware'],
  chassis: ['chassis'],
  bmc: ['bmc'],
};

/** Sections of `current` that are unknown but known in `previous`. */
export function carriableSections(previous: HardwareInventory, current: HardwareInventory): SectionName[] {
  return (Object.keys(FIELDS) as SectionName[]).filter(
    (name) => FIELDS[name].length > 0 && current.sections[name].unknown && !previous.sections[name].unknown,
  );
}

/**
 * `current`, with every unknown section replaced by the same section of `previous` when that one
 * was known. `label` says where the carried data came from (e.g. the previous sweep's time).
 */
export function carryForward(previous: HardwareInventory | undefined, current: HardwareInventory, label = 'previous sweep'): HardwareInventory {
  if (previous === undefined) return current;
  const sections = carriableSections(previous, current);
  if (sections.length === 0) return current;
  const merged: Record<string, unknown> = { ...current };
  const provenance = { ...current.sections };
  for (const name of sections) {
    for (const field of FIELDS[name]) {
      if (previous[field] === undefined) delete merged[field];
      else merged[field] = previous[field];
    }
    provenance[name] = { ...current.sections[name], carriedFrom: label };
  }
  merged.sections = provenance;
  // What was left out of a carried section is what was left out when it was read.
  const carried = new Set<string>(sections);
  const notes = [...(current.notes ?? []).filter((note) => !carried.has(note.area)), ...(previous.notes ?? []).filter((note) => carried.has(note.area))];
  if (notes.length > 0) merged.notes = notes;
  else delete merged.notes;
  return merged as unknown as HardwareInventory;
}

/** Sections still unknown after carrying forward (nothing earlier to fall back on). */
export function unknownSections(inventory: HardwareInventory): SectionName[] {
  return (Object.keys(inventory.sections) as SectionName[]).filter(
    (name) => inventory.sections[name].unknown && inventory.sections[name].carriedFrom === undefined,
  );
}
