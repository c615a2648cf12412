// The networks a machine's addresses sit on, as MAAS shows them. MAAS learns a Deployed machine's
// addresses from its commissioning data and records each as a static link on a subnet it creates
// for the address's network, on the untagged VLAN of fabric-0; an interface with no address has no
// VLAN and no links. The registry keeps one subnet row per network, so subnet ids never change.
import type { Store } from './store.ts';

/** The network of an address with its prefix ("10.20.30.41/24" → "10.20.30.0/24"); undefined if malformed. */
export function networkOf(address: string): string | undefined {
  const [ip, prefixText] = address.split('/');
  const prefix = Number(prefixText);
  if (!ip || !Number.isInteger(prefix)) return undefined;
  if (ip.includes(':')) {
    const groups = ipv6Groups(ip);
    if (!groups || prefix < 0 || prefix > 128) return undefined;
    const masked = groups.map((group, index) => {
      const bits = Math.max(0, Math.min(16, prefix - index * 16));
      return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
    });
    return `${formatIpv6(masked)}/${prefix}`;
  }
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255) || prefix < 0 || prefix > 32) return undefined;
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(value / size) * size;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}

function ipv6Groups(ip: string): number[] | undefined {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? Number.parseInt(group, 16) : Number.NaN)) : []);
  const left = parse(head);
  const right = parse(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0 || [...left, ...right].some(Number.isNaN)) return undefined;
  return [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
}

// RFC 5952: lower case, the longest run of two or more zero groups as "::".
function formatIpv6(groups: readonly number[]): string {
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > best.length && length >= 2) best = { start, length };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Records the networks of these addresses (idempotent), inside the caller's transaction. */
export function recordSubnets(store: Store, addresses: readonly string[]): void {
  for (const address of addresses) {
    const cidr = networkOf(address);
    if (cidr) store.run('INSERT OR IGNORE INTO subnets (cidr) VALUES (?)', cidr);
  }
}

/** Subnet ids by CIDR, for a set of addresses (networks not yet recorded are left out). */
export function subnetIds(store: Store, addresses: readonly string[]): Map<string, number> {
  const cidrs = [...new Set(addresses.map(networkOf).filter((cidr): cidr is string => cidr !== undefined))];
  if (cidrs.length === 0) return new Map();
  const rows = store.all<{ id: number; cidr: string }>(`SELECT id, cidr FROM subnets WHERE cidr IN (${cidrs.map(() => '?').join(', ')})`, ...cidrs);
  return new Map(rows.map((row) => [row.cidr, row.id]));
}

/** MAAS's untagged VLAN of fabric-0, where MAAS puts the subnets it learns from commissioning data. */
export function vlanJson(base: string): Record<string, unknown> {
  return {
    vid: 0,
    mtu: 1500,
    dhcp_on: false,
    external_dhcp: null,
    relay_vlan: null,
    fabric: 'fabric-0',
    space: 'undefined',
    id: 1,
    fabric_id: 0,
    primary_rack: null,
    name: 'untagged',
    secondary_rack: null,
    resource_uri: `${base}/vlans/1/`,
  };
}

/** A subnet as MAAS shows it inside a link. */
export function subnetJson(base: string, id: number, cidr: string): Record<string, unknown> {
  return {
    name: cidr,
    description: '',
    vlan: vlanJson(base),
    cidr,
    rdns_mode: 2,
    gateway_ip: null,
    dns_servers: [],
    allow_dns: true,
    allow_proxy: true,
    active_discovery: false,
    managed: true,
    disabled_boot_architectures: [],
    space: 'undefined',
    id,
    resource_uri: `${base}/subnets/${id}/`,
  };
}

/**
 * An interface's links: one static link per address on a recorded subnet. Link ids are the
 * interface's id times 1000 plus the address's position, unique as long as an interface has fewer
 * than 1000 addresses.
 */
export function linksJson(base: string, interfaceId: number, addresses: readonly string[], subnets: ReadonlyMap<string, number>): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  addresses.forEach((address, index) => {
    const cidr = networkOf(address);
    const subnet = cidr === undefined ? undefined : subnets.get(cidr);
    if (cidr === undefined || subnet === undefined) return;
    links.push({ id: interfaceId * 1000 + index + 1, mode: 'static', ip_address: address.split('/')[0], subnet: subnetJson(base, subnet, cidr) });
  });
  return links;
}
