// The values of a machine's fields as MAAS checks and stores them: MACs, host names,
// architectures, power parameters. Pure.
import { RegistryError } from './store.ts';

/** What a MAC address looks like (colons or hyphens). */
export const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
/** A host name label as MAAS accepts it. */
export const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ARCHITECTURES = new Set(['amd64', 'i386', 'arm64', 'armhf', 'ppc64el', 's390x', 'mips', 'mips64el', 'riscv64']);

/** The `power_parameters_<name>` fields of a form, as `{name: value}`. */
export function powerParametersOf(fields: Readonly<Record<string, string | readonly string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith('power_parameters_')) continue;
    out[key.slice('power_parameters_'.length)] = Array.isArray(value) ? String(value[0] ?? '') : String(value);
  }
  return out;
}

/** MAC addresses are stored lower-case with colons. */
export function normaliseMac(mac: string): string {
  return mac.trim().toLowerCase().replaceAll('-', ':');
}

/** MAAS stores an architecture with its subarchitecture: "amd64" becomes "amd64/generic". */
export function fullArchitecture(value: string): string {
  const [arch, sub] = value.split('/', 2);
  if (!arch || !ARCHITECTURES.has(arch)) {
    throw new RegistryError(400, `'${value}' is not a valid architecture.`, { field: 'architecture' });
  }
  return `${arch}/${sub || 'generic'}`;
}

/** Turns any name into a valid host name label. */
export function toHostname(name: string): string {
  const label = name.toLowerCase().split('.')[0]!.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label || 'machine';
}
