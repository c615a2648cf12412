// A stable fingerprint of an inventory: equal for the same hardware however the BMC ordered its
// JSON, different as soon as anything MAAS would show changes. Volatile readings (power state,
// where each section came from, findings) are left out, so an unchanged machine needs no push.
import { createHash } from 'node:crypto';
import type { HardwareInventory } from './model.ts';

/** The hardware facts an inventory's fingerprint covers. */
export function stableView(inventory: HardwareInventory): unknown {
  const { powerState: _power, sections: _sections, findings: _findings, ...hardware } = inventory;
  return {
    ...hardware,
    drives: hardware.drives.map(({ source: _source, ...drive }) => drive),
    pci: hardware.pci.map(({ source: _source, ...fn }) => fn),
    gpus: hardware.gpus.map(({ source: _source, ...gpu }) => gpu),
  };
}

/** SHA-256 (hex) of the inventory's stable view in canonical JSON. */
export function fingerprint(inventory: HardwareInventory): string {
  return createHash('sha256').update(canonicalJson(stableView(inventory))).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
    return Object.fromEntries(Object.keys(field).sort().map((key) => [key, (field as Record<string, unknown>)[key]]));
  });
}
