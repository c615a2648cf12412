// Host network ports, merged by MAC from every place a BMC reports them — never by local port id.
// Quirks handled here:
// - HPE iLO 5: chassis NetworkAdapters empty, MACs only in EthernetInterfaces
//   (fixtures/hpe-dl380-gen10-ilo5).
// - Lenovo XCC: EthernetInterfaces without MACs; MACs in adapter Ports' AssociatedMACAddresses
//   (fixtures/lenovo-sr650v2-xcc).
// - Supermicro: port ids collide across adapters (both have Ports/1); MACs come from
//   NetworkDeviceFunctions linked to a port by full path (fixtures/supermicro-x12dpt-bmc).
// - The BMC's own MACs (manager interfaces, OpenBMC's 02:00:00:00:00:02) are never host ports.
import { at, linkAt, linksAt, type Resource } from '../redfish/navigate.ts';
import type { IpAddress, LinkState, Nic, Port } from './model.ts';
import { LIMITS, list, mac, positive, positiveNumber, str, text, type ReadContext } from './read.ts';
import { keyOf, type ResourceSource, type SectionReader } from './source.ts';

interface PortDraft {
  mac: string;
  adapter?: string;
  speedMbps?: number;
  maxSpeedMbps?: number;
  link: LinkState;
  addresses: IpAddress[];
  mtu?: number;
}

/** The interface name of a port: `enx` + MAC hex, as systemd names interfaces by MAC (15 chars). */
export function interfaceName(address: string): string {
  return `enx${address.replaceAll(':', '')}`;
}

/** Reads the host's network adapters and ports; `bmcMacs` are excluded. */
export function readNetwork(
  system: Resource,
  chassis: readonly Resource[],
  reader: SectionReader,
  source: ResourceSource,
  bmcMacs: ReadonlySet<string>,
  findings: ReadContext['findings'],
  deviceAddresses: ReadonlyMap<string, string> = new Map(),
): Nic[] {
  const ports = new Map<string, PortDraft>();
  const adapters = new Map<string, Omit<Nic, 'ports'>>();
  const take = (address: string | undefined, adapter: string | undefined): PortDraft | undefined => {
    if (address === undefined || bmcMacs.has(address)) return undefined;
    let port = ports.get(address);
    if (!port) {
      port = { mac: address, link: 'unknown', addresses: [] };
      ports.set(address, port);
    }
    if (adapter !== undefined && port.adapter === undefined) port.adapter = adapter;
    return port;
  };

  for (const body of chassis) {
    for (const adapter of reader.members(linkAt(body, ['NetworkAdapters']))) {
      const adapterPath = str(adapter['@odata.id']) ?? `(adapter ${adapters.size})`;
      adapters.set(adapterPath, adapterInfo(adapter, source, deviceAddresses));
      const portLink = linkAt(adapter, ['Ports']) ?? linkAt(adapter, ['NetworkPorts']);
      const physical = new Map<string, Resource>();
      for (const port of reader.members(portLink)) {
        const key = keyOf(source, str(port['@odata.id']) ?? '');
        if (key) physical.set(key, port);
        for (const address of [...list(at(port, ['Ethernet', 'AssociatedMACAddresses'])), ...list(port.AssociatedNetworkAddresses)]) {
          const draft = take(mac(address), adapterPath);
          if (draft) applyPort(draft, port, { resource: key ?? adapterPath, findings });
        }
      }
      for (const fn of reader.members(linkAt(adapter, ['NetworkDeviceFunctions']))) {
        const draft = take(mac(at(fn, ['Ethernet', 'MACAddress'])) ?? mac(at(fn, ['Ethernet', 'PermanentMACAddress'])), adapterPath);
        if (!draft) continue;
        const mtu = positive(at(fn, ['Ethernet', 'MTUSize']), LIMITS.mtu);
        if (mtu && draft.mtu === undefined) draft.mtu = mtu;
        // The function names its physical port by full path, so colliding port ids cannot mix.
        const portLinks = [
          linkAt(fn, ['Links', 'PhysicalPortAssignment']),
          linkAt(fn, ['Links', 'PhysicalNetworkPortAssignment']),
          ...linksAt(fn, ['AssignablePhysicalPorts']),
        ];
        const assigned = portLinks.map((link) => (link ? physical.get(keyOf(source, link) ?? '') : undefined)).find(Boolean);
        if (assigned) applyPort(draft, assigned, { resource: str(fn['@odata.id']) ?? adapterPath, findings });
      }
    }
  }

  for (const iface of reader.members(linkAt(system, ['EthernetInterfaces']))) {
    const draft = take(mac(iface.MACAddress) ?? mac(iface.PermanentMACAddress), undefined);
    if (draft) applyInterface(draft, iface, { resource: str(iface['@odata.id']) ?? '(interface)', findings });
  }

  const nics: Nic[] = [];
  for (const [path, adapter] of adapters) {
    const own = [...ports.values()].filter((port) => port.adapter === path);
    if (own.length > 0) nics.push({ ...adapter, ports: own.sort(byMac).map(finishPort) });
  }
  // Ports known only from EthernetInterfaces (add-on NICs on Supermicro, all NICs on iLO 5):
  // one card per port, since nothing says which ports share a card.
  for (const port of [...ports.values()].filter((draft) => draft.adapter === undefined).sort(byMac)) {
    nics.push({ ports: [finishPort(port)] });
  }
  return nics;
}

/** MACs of the BMC itself, from its managers' interfaces. */
export function managerMacs(managers: readonly Resource[], reader: SectionReader): string[] {
  const macs = new Set<string>();
  for (const manager of managers) {
    for (const iface of reader.members(linkAt(manager, ['EthernetInterfaces']))) {
      for (const value of [iface.MACAddress, iface.PermanentMACAddress]) {
        const address = mac(value);
        if (address) macs.add(address);
      }
    }
  }
  return [...macs].sort();
}

/** IPv4 addresses of the BMC's interfaces. */
export function managerAddresses(managers: readonly Resource[], reader: SectionReader): string[] {
  const addresses = new Set<string>();
  for (const manager of managers) {
    for (const iface of reader.members(linkAt(manager, ['EthernetInterfaces']))) {
      for (const entry of list(iface.IPv4Addresses)) {
        const address = str(at(entry, ['Address']));
        if (address && address !== '0.0.0.0') addresses.add(address);
      }
    }
  }
  return [...addresses].sort();
}

function adapterInfo(adapter: Resource, source: ResourceSource, deviceAddresses: ReadonlyMap<string, string>): Omit<Nic, 'ports'> {
  const vendor = text(adapter.Manufacturer);
  const model = text(adapter.Model) ?? text(adapter.Name);
  const serial = text(adapter.SerialNumber);
  const partNumber = text(adapter.PartNumber);
  const firmware = text(at(list(adapter.Controllers)[0], ['FirmwarePackageVersion']));
  // The adapter's controller links its PCIe device; the device's first function has the address.
  const device = list(adapter.Controllers).flatMap((controller) => linksAt(controller, ['Links', 'PCIeDevices']))[0];
  const key = device === undefined ? undefined : keyOf(source, device);
  const pciAddress = key === undefined ? undefined : deviceAddresses.get(key);
  return {
    ...(vendor ? { vendor } : {}),
    ...(model ? { model } : {}),
    ...(serial ? { serial } : {}),
    ...(partNumber ? { partNumber } : {}),
    ...(firmware ? { firmware } : {}),
    ...(pciAddress ? { pciAddress } : {}),
  };
}

function applyPort(draft: PortDraft, port: Resource, ctx: ReadContext): void {
  const current = positiveNumber(port.CurrentSpeedGbps, LIMITS.gbps, ctx, 'CurrentSpeedGbps');
  const max = positiveNumber(port.MaxSpeedGbps, LIMITS.gbps, ctx, 'MaxSpeedGbps');
  const legacy = positive(port.CurrentLinkSpeedMbps, LIMITS.mbps, ctx, 'CurrentLinkSpeedMbps');
  if (draft.speedMbps === undefined && (current || legacy)) draft.speedMbps = current ? Math.round(current * 1000) : legacy;
  if (draft.maxSpeedMbps === undefined && max) draft.maxSpeedMbps = Math.round(max * 1000);
  const link = linkOf(str(port.LinkStatus));
  if (link !== 'unknown') draft.link = link;
}

function applyInterface(draft: PortDraft, iface: Resource, ctx: ReadContext): void {
  const speed = positive(iface.SpeedMbps, LIMITS.mbps, ctx, 'SpeedMbps');
  if (draft.speedMbps === undefined && speed) draft.speedMbps = speed;
  const link = iface.InterfaceEnabled === false ? 'down' : linkOf(str(iface.LinkStatus));
  if (draft.link === 'unknown' && link !== 'unknown') draft.link = link;
  const mtu = positive(iface.MTUSize, LIMITS.mtu);
  if (mtu && draft.mtu === undefined) draft.mtu = mtu;
  for (const entry of list(iface.IPv4Addresses)) {
    const address = str(at(entry, ['Address']));
    if (!address || address === '0.0.0.0' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) continue;
    draft.addresses.push({ family: 'inet', address, prefix: prefixOfMask(str(at(entry, ['SubnetMask']))) });
  }
  for (const entry of list(iface.IPv6Addresses)) {
    const address = str(at(entry, ['Address']));
    if (!address || address === '::' || !address.includes(':')) continue;
    draft.addresses.push({ family: 'inet6', address, prefix: positive(at(entry, ['PrefixLength']), LIMITS.prefix) ?? 64 });
  }
}

function finishPort(draft: PortDraft): Port {
  const addresses = dedupe(draft.addresses);
  return {
    name: interfaceName(draft.mac),
    mac: draft.mac,
    link: draft.link,
    addresses,
    ...(draft.speedMbps ? { speedMbps: draft.speedMbps } : {}),
    ...(draft.maxSpeedMbps ? { maxSpeedMbps: draft.maxSpeedMbps } : {}),
    ...(draft.mtu ? { mtu: draft.mtu } : {}),
  };
}

function linkOf(status: string | undefined): LinkState {
  if (status === 'LinkUp' || status === 'Up') return 'up';
  if (status === 'NoLink' || status === 'LinkDown' || status === 'Down') return 'down';
  return 'unknown';
}

function prefixOfMask(mask: string | undefined): number {
  if (!mask || !/^\d{1,3}(\.\d{1,3}){3}$/.test(mask)) return 24;
  const bits = mask.split('.').map((octet) => Number(octet).toString(2).padStart(8, '0')).join('');
  const prefix = bits.indexOf('0');
  return prefix === -1 ? 32 : prefix;
}

function dedupe(addresses: readonly IpAddress[]): IpAddress[] {
  const seen = new Set<string>();
  return addresses.filter((entry) => {
    const key = `${entry.family}/${entry.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function byMac(a: PortDraft, b: PortDraft): number {
  return a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0;
}
