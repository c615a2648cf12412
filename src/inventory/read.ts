// Readers for untrusted Redfish values (sushy's adapters): each takes `unknown`, returns a clean
// value or undefined, and notes a finding when a present value is unusable. None of them throws.
import type { Finding } from './model.ts';

/** Where a value is being read, for findings. */
export interface ReadContext {
  readonly resource: string;
  readonly findings: Finding[];
}

/** Notes a problem with a value at `path` of the context's resource. */
export function note(ctx: ReadContext, path: string, problem: string): void {
  ctx.findings.push({ resource: ctx.resource, path, problem });
}

// Values vendors put where they mean "nothing": BIOS defaults and placeholders.
const PLACEHOLDERS = new Set([
  'n/a',
  'na',
  'none',
  'null',
  'unknown',
  'not specified',
  'not available',
  'to be filled by o.e.m.',
  'default string',
  'system serial number',
  '0123456789',
  '0000000000',
]);

/** A trimmed, non-empty string; numbers are accepted as their decimal text. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** Like `str`, but vendor placeholders ("To Be Filled By O.E.M.", "N/A", …) count as absent. */
export function text(value: unknown): string | undefined {
  const found = str(value);
  return found === undefined || PLACEHOLDERS.has(found.toLowerCase()) ? undefined : found;
}

/**
 * A finite number; numeric strings are accepted (some BMCs quote numbers) with a finding, other
 * types are a finding and absent.
 */
export function num(value: unknown, ctx?: ReadContext, path?: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    if (ctx && path) note(ctx, path, `number sent as a string (${JSON.stringify(value)})`);
    return Number(value);
  }
  if (ctx && path) note(ctx, path, `expected a number, got ${describe(value)}`);
  return undefined;
}

/** A non-negative integer (see `num`). */
export function count(value: unknown, ctx?: ReadContext, path?: string): number | undefined {
  const found = num(value, ctx, path);
  if (found === undefined) return undefined;
  if (found < 0 || !Number.isInteger(found)) {
    if (ctx && path) note(ctx, path, `expected a whole number, got ${found}`);
    return found < 0 ? undefined : Math.round(found);
  }
  return found;
}

/**
 * A positive count no larger than `max`, or undefined. The bound keeps absurd values (1e308 cores)
 * from a broken BMC out of the inventory and out of loops that size themselves by them.
 */
export function positive(value: unknown, max: number, ctx?: ReadContext, path?: string): number | undefined {
  const found = count(value, ctx, path);
  if (found === undefined || found <= 0) return undefined;
  if (found > max) {
    if (ctx && path) note(ctx, path, `implausible value ${found} (more than ${max}); ignored`);
    return undefined;
  }
  return found;
}

/** A positive number (fractions allowed, e.g. 2.5 Gb/s) no larger than `max`, or undefined. */
export function positiveNumber(value: unknown, max: number, ctx?: ReadContext, path?: string): number | undefined {
  const found = num(value, ctx, path);
  if (found === undefined || found <= 0) return undefined;
  if (found > max) {
    if (ctx && path) note(ctx, path, `implausible value ${found} (more than ${max}); ignored`);
    return undefined;
  }
  return found;
}

/** Upper bounds of plausible hardware values, shared by the normalisers. */
export const LIMITS = {
  cores: 4096,
  threads: 16_384,
  sockets: 64,
  mhz: 100_000,
  dimmMiB: 16 * 1024 * 1024,
  bytes: 1e18,
  blockSize: 65_536,
  rpm: 30_000,
  mbps: 1_600_000,
  gbps: 1_600,
  mtu: 65_536,
  prefix: 128,
} as const;

/** A boolean, or undefined. */
export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** An array, or an empty one. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

const MAC_HEX = /^[0-9a-f]{12}$/;

/**
 * A unicast MAC address in lower-case colon form. Accepts colons, dashes, dots (Cisco) or bare hex;
 * refuses all-zero, broadcast and multicast addresses, which no host port has.
 */
export function mac(value: unknown): string | undefined {
  const raw = str(value);
  if (raw === undefined) return undefined;
  const hex = raw.toLowerCase().replace(/[:.\-\s]/g, '');
  if (!MAC_HEX.test(hex)) return undefined;
  if (/^0+$/.test(hex) || /^f+$/.test(hex)) return undefined;
  if (Number.parseInt(hex.slice(0, 2), 16) & 1) return undefined;
  return hex.match(/../g)!.join(':');
}

const UUID_FORM = /^[\da-f]{8}-?([\da-f]{4}-?){3}[\da-f]{12}$/i;

/** A UUID in MAAS's accepted form (hyphens optional), lower-cased; anything else is absent. */
export function uuid(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined || !UUID_FORM.test(raw)) return undefined;
  const hex = raw.replace(/-/g, '').toLowerCase();
  if (/^0+$/.test(hex) || /^f+$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A hex id ("0x8086", "8086") as four lower-case hex digits, or undefined. */
export function hexId(value: unknown): string | undefined {
  const raw = str(value);
  if (raw === undefined) return undefined;
  const hex = raw.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{1,4}$/.test(hex)) return undefined;
  return hex.padStart(4, '0');
}

// One collator for every comparison: localeCompare with options builds a new one per call.
const NATURAL = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Compares strings the way people number slots: "DIMM 2" before "DIMM 10". */
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}
