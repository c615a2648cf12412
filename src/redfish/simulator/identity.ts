// Fleet identity: one mockup served as many distinct machines. Fleet index i rewrites, in every served
// body, the values that name a machine (MACs, UUIDs, serial numbers, service tags, asset tags, host
// names) into values derived from (original, i). Links, ids and keys are left alone, so machine i is
// crawled along the same paths as the tree. Each stored body is split once at its tokens (a template,
// kept per tree); serving then computes only the tokens. Every BMC serving the tree shares the
// templates and one table numbering the tree's MACs and serials.
import { createHash } from 'node:crypto';
import type { Mockup } from '../mockup.ts';

/**
 * The identity tokens of one tree, ranked. A new value holds the machine index and the rank in
 * fixed-width fields, so values stay distinct across a fleet even when its trees share originals.
 */
export interface IdentityTables {
  /** MAC (12 lowercase hex digits) → its rank among the tree's MACs with the same OUI, from 1. */
  readonly macs: ReadonlyMap<string, number>;
  /** Serial-like value (trimmed) → its rank among the tree's serials of its kind (all digits, or not), from 0. */
  readonly serials: ReadonlyMap<string, number>;
}

/**
 * Field widths of a new serial's code: index then rank, in base 10 for all-digit serials and base 36
 * otherwise. Values are unique for up to 1,000,000 (digits) or 1,679,616 machines, and up to 100
 * (digits) or 1,296 serials of one kind per tree.
 */
const SERIAL_CODE = { digits: { base: 10, index: 6, rank: 2 }, text: { base: 36, index: 4, rank: 2 } } as const;
/** A new MAC's NIC part holds index × 128 + rank (24 bits): unique for up to 131,072 machines and 127 MACs per OUI per tree. */
const MAC_RANKS = 128;

// OpenBMC's own BMC MAC and the all-zero placeholder identify no machine; the nil UUID likewise.
const KEPT_MACS = new Set(['000000000000', '020000000002']);
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
// Dell's service tag shape (7 upper-case letters and digits, both present); other SKUs are part numbers.
const SERVICE_TAG = /^(?=.*\d)(?=.*[A-Z])[0-9A-Z]{7}$/;

const TOKEN = new RegExp(
  [
    // 1, 2: a property whose value names the machine
    String.raw`"(SerialNumber|SKU|AssetTag|HostName|FQDN)":"((?:[^"\\]|\\.)*)"`,
    // ids, links and other annotations are kept as they are
    String.raw`"(?:Id|[^"\\]*@odata\.[A-Za-z]+)":"(?:[^"\\]|\\.)*"`,
    // keys are kept
    String.raw`"(?:[^"\\]|\\.)*"(?=:)`,
    // 3: a UUID
    String.raw`(?<![0-9A-Fa-f-])([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?![0-9A-Fa-f-])`,
    // 4, 5: a MAC with either separator, not part of a longer run (WWNs, fingerprints, client ids)
    String.raw`(?<![0-9A-Fa-f]|[0-9A-Fa-f][:-])([0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\5[0-9A-Fa-f]{2}){4})(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])`,
  ].join('|'),
  'g',
);

/** A serialised body split at its identity tokens, so that serving computes only the tokens. */
export type IdentityTemplate = readonly (string | IdentityToken)[];

/** One identity value found in a body. */
export type IdentityToken =
  | { readonly key: string; readonly raw: string }
  | { readonly uuid: string }
  | { readonly mac: string; readonly separator: string };

const tablesCache = new WeakMap<Mockup, IdentityTables>();

/** The identity tables of a tree, computed once per Mockup object. */
export function identityTables(mockup: Mockup): IdentityTables {
  let tables = tablesCache.get(mockup);
  if (tables === undefined) {
    const macs = new Set<string>();
    const serials = new Set<string>();
    for (const resource of mockup.values()) {
      for (const part of compileIdentity(JSON.stringify(resource.body ?? null))) {
        if (typeof part === 'string') continue;
        if ('mac' in part) macs.add(macHex(part.mac));
        if (!('key' in part)) continue;
        const core = decode(part.raw).trim();
        if (core !== '' && isSerialLike(part.key, core)) serials.add(core);
      }
    }
    tables = { macs: ranks(macs, (mac) => mac.slice(0, 6), 1), serials: ranks(serials, (serial) => /^\d+$/.test(serial), 0) };
    tablesCache.set(mockup, tables);
  }
  return tables;
}

/** Splits a serialised JSON body at its identity tokens. */
export function compileIdentity(json: string): IdentityTemplate {
  const parts: Array<string | IdentityToken> = [];
  let last = 0;
  for (const match of json.matchAll(TOKEN)) {
    const [text, key, raw, uuid, mac, separator] = match;
    const token = key !== undefined && raw !== undefined ? { key, raw }
      : uuid !== undefined ? { uuid }
      : mac !== undefined && separator !== undefined ? { mac, separator }
      : undefined;
    if (token === undefined) continue;
    parts.push(json.slice(last, match.index), token);
    last = match.index + text.length;
  }
  parts.push(json.slice(last));
  return parts;
}

/** The text of a compiled body as fleet machine `index` serves it. */
export function renderIdentity(template: IdentityTemplate, index: number, tables: IdentityTables): string {
  if (template.length === 1) return template[0] as string;
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else if ('key' in part) out += `"${part.key}":"${encode(variantValue(part.key, decode(part.raw), index, tables))}"`;
    else if ('uuid' in part) out += variantUuid(part.uuid, index);
    else out += variantMac(part.mac, part.separator, index, tables);
  }
  return out;
}

/**
 * Rewrites a serialised JSON body as fleet machine `index` would send it. Pure: the same
 * (body, index, tables) always give the same text, and a value maps the same way wherever it occurs.
 */
export function applyIdentity(json: string, index: number, tables: IdentityTables): string {
  return renderIdentity(compileIdentity(json), index, tables);
}

/** Machine `index`'s variant of one identity property's value. */
export function variantValue(key: string, value: string, index: number, tables: IdentityTables): string {
  const core = value.trim();
  if (core === '' || !isSerialLike(key, core)) {
    if (key === 'HostName') return core === '' ? value : variantHostName(core, index);
    if (key === 'FQDN' && core !== '') {
      const dot = core.indexOf('.');
      return dot < 0 ? variantHostName(core, index) : variantHostName(core.slice(0, dot), index) + core.slice(dot);
    }
    return value;
  }
  const { base, index: indexWidth, rank: rankWidth } = /^\d+$/.test(core) ? SERIAL_CODE.digits : SERIAL_CODE.text;
  const rank = tables.serials.get(core);
  // A value unknown to the tree (set at runtime) gets a hashed code: unique in practice, not by construction.
  const code = rank === undefined
    ? (fnv1a(`${core}/${index}`) % base ** (indexWidth + rankWidth)).toString(base).padStart(indexWidth + rankWidth, '0')
    : index.toString(base).padStart(indexWidth, '0') + rank.toString(base).padStart(rankWidth, '0');
  const kept = core.length > code.length ? core.slice(0, core.length - code.length) : core.slice(0, 1);
  const start = value.indexOf(core);
  return value.slice(0, start) + kept + (/[a-z]/.test(core) && !/[A-Z]/.test(core) ? code : code.toUpperCase()) + value.slice(start + core.length);
}

/** Machine `index`'s host name: a lower-case DNS label of at most 63 characters ending in `-i<index>`. */
export function variantHostName(name: string, index: number): string {
  const suffix = `-i${index.toString(36)}`;
  // The first label carries the variant; a domain ("r750-db01.lab.example.net") is kept after it.
  const [first = '', ...domain] = name.toLowerCase().split('.');
  const label = first.replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63 - suffix.length).replace(/-+$/, '');
  const labels = domain.map((part) => part.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)).filter(Boolean);
  return [(label === '' ? 'host' : label) + suffix, ...labels].join('.').slice(0, 253);
}

/** Machine `index`'s variant of a MAC: same OUI, separator and case; the NIC part unique per (index, rank). */
export function variantMac(mac: string, separator: string, index: number, tables: IdentityTables): string {
  const hex = macHex(mac);
  if (KEPT_MACS.has(hex)) return mac;
  const rank = tables.macs.get(hex);
  // permute24 is a bijection with permute24(0) = 0, and ranks start at 1: the NIC part is never zero.
  const nic = rank === undefined
    ? fnv1a(`${hex}/${index}`) & 0xffffff || 1
    : permute24((index * MAC_RANKS + rank) % 0x1000000);
  const out = (hex.slice(0, 6) + nic.toString(16).padStart(6, '0')).match(/../g)!.join(separator);
  return /[A-F]/.test(mac) ? out.toUpperCase() : out;
}

/** Machine `index`'s variant of a UUID: a version-4 UUID hashed from (UUID, index), in the original's case. */
export function variantUuid(uuid: string, index: number): string {
  const lower = uuid.toLowerCase();
  if (lower === NIL_UUID) return uuid;
  const bytes = createHash('sha256').update(`${lower}/${index}`).digest();
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  const out = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return /[A-F]/.test(uuid) && !/[a-f]/.test(uuid) ? out.toUpperCase() : out;
}

function isSerialLike(key: string, core: string): boolean {
  return key === 'SerialNumber' || key === 'AssetTag' || (key === 'SKU' && SERVICE_TAG.test(core));
}

function macHex(mac: string): string {
  return mac.replace(/[:-]/g, '').toLowerCase();
}

// Ranks each value among the values of its group, in sorted order, from `first`.
function ranks(values: Set<string>, groupOf: (value: string) => unknown, first: number): Map<string, number> {
  const next = new Map<unknown, number>();
  return new Map([...values].sort().map((value) => {
    const group = groupOf(value);
    const rank = next.get(group) ?? first;
    next.set(group, rank + 1);
    return [value, rank];
  }));
}

// An invertible mix of 24 bits (odd multipliers and xor-shifts), so consecutive numbers look unrelated.
function permute24(x: number): number {
  let y = Math.imul(x, 0x9e3779b1) & 0xffffff;
  y ^= y >>> 12;
  y = Math.imul(y, 0x85ebca6b) & 0xffffff;
  return y ^ (y >>> 11);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function decode(raw: string): string {
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

function encode(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
