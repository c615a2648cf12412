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
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

// A direct writer: the replacer form of JSON.stringify allocates a sorted copy of every object,
// which showed in the fleet benchmark's profile.
function write(value: unknown, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(value === undefined ? 'null' : JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      write(item === undefined ? null : item, out);
    });
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(field, out);
  }
  out.push('}');
}
