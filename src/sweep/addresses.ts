// Address ranges for discovery: a CIDR (10.0.1.0/28), a dash range (10.0.1.10-10.0.1.20 or
// 10.0.1.10-20), or one address. IPv4 only; expansion is capped so a typo cannot ask for /8.

/** Most addresses one range may expand to. */
export const MAX_RANGE_ADDRESSES = 65_536;

/** Expands a CIDR, range or single address into addresses; throws a TypeError naming the problem. */
export function expandRange(text: string): string[] {
  const value = text.trim();
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
  if (cidr) {
    const bits = Number(cidr[2]);
    if (bits > 32) throw new TypeError(`${value}: prefix length must be 0–32`);
    const size = 2 ** (32 - bits);
    if (size > MAX_RANGE_ADDRESSES) throw new TypeError(`${value}: ${size} addresses is more than ${MAX_RANGE_ADDRESSES}; split the range`);
    const base = toNumber(cidr[1]!, value) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
    // Network and broadcast addresses are not hosts (except in /31 and /32).
    const skipEnds = bits <= 30;
    const out: string[] = [];
    for (let i = skipEnds ? 1 : 0; i < (skipEnds ? size - 1 : size); i++) out.push(toText((base + i) >>> 0));
    return out;
  }
  const range = /^(\d{1,3}(?:\.\d{1,3}){3})-(\d{1,3}(?:\.\d{1,3}){3}|\d{1,3})$/.exec(value);
  if (range) {
    const start = toNumber(range[1]!, value);
    const end = range[2]!.includes('.') ? toNumber(range[2]!, value) : ((start & 0xffffff00) | Number(range[2])) >>> 0;
    if (end < start) throw new TypeError(`${value}: the range ends before it starts`);
    if (end - start + 1 > MAX_RANGE_ADDRESSES) throw new TypeError(`${value}: more than ${MAX_RANGE_ADDRESSES} addresses; split the range`);
    const out: string[] = [];
    for (let n = start; n <= end; n++) out.push(toText(n >>> 0));
    return out;
  }
  toNumber(value, value);
  return [value];
}

function toNumber(address: string, context: string): number {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) {
    throw new TypeError(`${context}: expected an IPv4 address, a CIDR (10.0.0.0/24) or a range (10.0.0.10-10.0.0.20)`);
  }
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0) >>> 0;
}

function toText(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}
