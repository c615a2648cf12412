// Host network ports, merged by MAC from every place a BMC reports them — never by local port id.
// Quirks handled here:
// - HPE iLO 5: chassis NetworkAdapters empty, MACs only in EthernetInterfaces
//   (fixtures/hpe-dl380-gen10-ilo5).
// - Lenovo XCC: EthernetInterfaces without MACs; MACs in adapter Ports' AssociatedMACAddresses
//   (fixtures/lenovo-sr650v2-xcc).
// - Supermicro: port ids collide across adapters (both have Ports/1); MACs come from
//   NetworkDeviceFunctions linked to a port by full path (fixtures/supermicro-x12dpt-bmc).
// - The BMC's own MACs (manager interfaces, OpenBMC's 02:00:00:00:00:02) are never host ports.
// - The PCI function a port is on is known where Redfish links them: a NetworkDeviceFunction's
//   Links.PCIeFunction (Dell, Lenovo, Cisco), a PCIeFunction's Links.EthernetInterfaces or
//   Links.NetworkDeviceFunctions (HPE iLO 5, AMI, Huawei), or an adapter whose PCIe device has one
//   function. Nothing else ties them (Supermicro's functions are crossed with its ports): unknown.
import { at, linkAt, linksAt, type Resource } from '../redfish/navigate.ts';
import type { IpAddress, LinkState, Nic, Note, Port } from './model.ts';
import { LIMITS, list, mac, positive, positiveNumber, str, text, type ReadContext } from './read.ts';
import type { PciLinks } from './pci.ts';
import { keyOf, type ResourceSource, type SectionReader } from './source.ts';

interface PortDraft {
  mac: string;
  adapter?: string;
  speedMbps?: number;
  maxSpeedMbps?: number;
  link: LinkState;
  addresses: IpAddress[];
  mtu?: number;
  pciAddress?: string;
}

/** The interface name of a port: `enx` + MAC hex, as systemd names interfaces by MAC (15 chars). */
export function interfaceName(address: string): string {
  return `enx${address.replaceAll(':', '')}`;
}

/** Host ports and the MACs left out of them, with the reason for each. */
export interface NetworkReading {
  readonly nics: Nic[];
  readonly notes: Note[];
}

/**
 * Reads the host's network adapters and ports, of every system of the machine (the host first);
 * `bmcMacs` are excluded, and so are the MACs of network device functions no host can use
 * (disabled, not Ethernet, or on no physical port), each with a note saying why.
 */
export function readNetwork(
  systems: readonly Resource[],
  chassis: readonly Resource[],
  reader: SectionReader,
  source: ResourceSource,
  bmcMacs: ReadonlySet<string>,
  findings: ReadContext['findings'],
  pciLinks: PciLinks = { functions: new Map(), carried: new Map(), singleFunction: new Map() },
): NetworkReading {
  // The function a NetworkDeviceFunction or EthernetInterface is on, by either side's link.
  const functionOf = (body: Resource, fnLink?: string) =>
    (fnLink === undefined ? undefined : pciLinks.functions.get(keyOf(source, fnLink) ?? '')) ?? pciLinks.carried.get(keyOf(source, str(body['@odata.id']) ?? '') ?? '');
  const adapters = chassis.flatMap((body) => reader.members(linkAt(body, ['NetworkAdapters']))).map((adapter, index) => {
    const path = str(adapter['@odata.id']) ?? `(adapter ${index})`;
    const physical = new Map<string, Resource>();
    for (const port of reader.members(linkAt(adapter, ['Ports']) ?? linkAt(adapter, ['NetworkPorts']))) physical.set(keyOf(source, str(port['@odata.id']) ?? '') ?? `${path}#${physical.size}`, port);
    const bodies = reader.members(linkAt(adapter, ['NetworkDeviceFunctions']));
    const onPort = (fn: Resource) => portLinks(fn).some((link) => physical.has(keyOf(source, link) ?? ''));
    // The BMC says which port each function is on when it says it for any of them.
    const assigns = bodies.some(onPort);
    const listed = new Set([...physical.values()].flatMap((port) => [...list(at(port, ['Ethernet', 'AssociatedMACAddresses'])), ...list(port.AssociatedNetworkAddresses)].map(mac)));
    const functions = bodies.map((fn) => {
      const address = functionMac(fn);
      const portless = assigns && !onPort(fn) && !listed.has(address);
      return { fn, mac: address, unusable: unusable(fn, portless) };
    });
    return { path, adapter, physical, functions };
  });
  // A MAC some usable function carries is a host port, whatever another function says of it.
  const usable = new Set(adapters.flatMap(({ functions }) => functions.filter((entry) => entry.unusable === undefined).map((entry) => entry.mac)));
  const leftOut = new Map<string, Note>();
  for (const { path, functions } of adapters) {
    for (const { fn, mac: address, unusable: reason } of functions) {
      if (address === undefined || reason === undefined || usable.has(address) || bmcMacs.has(address) || leftOut.has(address)) continue;
      leftOut.set(address, { area: 'network', subject: address, action: 'left out', reason, resource: str(fn['@odata.id']) ?? path });
    }
  }

  const ports = new Map<string, PortDraft>();
  const take = (address: string | undefined, adapter: string | undefined): PortDraft | undefined => {
    if (address === undefined || bmcMacs.has(address) || leftOut.has(address)) return undefined;
    let port = ports.get(address);
    if (!port) {
      port = { mac: address, link: 'unknown', addresses: [] };
      ports.set(address, port);
    }
    if (adapter !== undefined && port.adapter === undefined) port.adapter = adapter;
    return port;
  };
  const cards = new Map<string, Omit<Nic, 'ports'>>();
  for (const { path: adapterPath, adapter, physical, functions } of adapters) {
    cards.set(adapterPath, adapterInfo(adapter, source, pciLinks.singleFunction));
    for (const [key, port] of physical) {
      for (const address of [...list(at(port, ['Ethernet', 'AssociatedMACAddresses'])), ...list(port.AssociatedNetworkAddresses)]) {
        const draft = take(mac(address), adapterPath);
        if (draft) applyPort(draft, port, { resource: key, findings });
      }
    }
    for (const { fn, mac: address } of functions) {
      const draft = take(address, adapterPath);
      if (!draft) continue;
      const mtu = positive(at(fn, ['Ethernet', 'MTUSize']), LIMITS.mtu);
      if (mtu && draft.mtu === undefined) draft.mtu = mtu;
      draft.pciAddress ??= functionOf(fn, linkAt(fn, ['Links', 'PCIeFunction']));
      // The function names its physical port by full path, so colliding port ids cannot mix.
      const assigned = portLinks(fn).map((link) => physical.get(keyOf(source, link) ?? '')).find(Boolean);
      if (assigned) applyPort(draft, assigned, { resource: str(fn['@odata.id']) ?? adapterPath, findings });
    }
  }

  for (const iface of systems.flatMap((system) => reader.members(linkAt(system, ['EthernetInterfaces'])))) {
    const draft = take(mac(iface.MACAddress) ?? mac(iface.PermanentMACAddress), undefined);
    if (!draft) continue;
    applyInterface(draft, iface, { resource: str(iface['@odata.id']) ?? '(interface)', findings });
    draft.pciAddress ??= functionOf(iface);
  }

  const nics: Nic[] = [];
  for (const [path, adapter] of cards) {
    const own = [...ports.values()].filter((port) => port.adapter === path);
    if (own.length > 0) nics.push({ ...adapter, ports: own.sort(byMac).map(finishPort) });
  }
  // Ports known only from EthernetInterfaces (add-on NICs on Supermicro, all NICs on iLO 5):
  // one card per port, since nothing says which ports share a card.
  for (const port of [...ports.values()].filter((draft) => draft.adapter === undefined).sort(byMac)) {
    nics.push({ ports: [finishPort(port)] });
  }
  return { nics, notes: [...leftOut.values()].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0)) };
}

function functionMac(fn: Resource): string | undefined {
  return mac(at(fn, ['Ethernet', 'MACAddress'])) ?? mac(at(fn, ['Ethernet', 'PermanentMACAddress']));
}

function portLinks(fn: Resource): string[] {
  return [
    linkAt(fn, ['Links', 'PhysicalPortAssignment']),
    linkAt(fn, ['Links', 'PhysicalNetworkPortAssignment']),
    ...linksAt(fn, ['AssignablePhysicalPorts']),
    ...linksAt(fn, ['AssignablePhysicalNetworkPorts']),
  ].filter((link): link is string => link !== undefined);
}

// States in which a function is not there for the host (DMTF Resource.State).
const UNUSABLE_STATES = new Set(['Disabled', 'Absent', 'UnavailableOffline']);

// Why a network device function is no interface a host can use, or undefined when it is one. A
// partitioned adapter (NPAR, SR-IOV) lists a function, with its own MAC, per partition; those the
// BMC reports disabled, those of another kind (iSCSI or FCoE offload), and those on no port of
// their adapter (`portless`: the BMC assigns the adapter's other functions to ports, and no port
// lists this one's MAC) never appear in the host's OS.
function unusable(fn: Resource, portless: boolean): string | undefined {
  const type = str(fn.NetDevFuncType);
  if (type === 'Disabled') return 'its network device function is disabled (NetDevFuncType Disabled)';
  if (type !== undefined && type !== 'Ethernet') return `its network device function is of type ${type}, not an Ethernet interface`;
  const state = str(at(fn, ['Status', 'State']));
  if (state !== undefined && UNUSABLE_STATES.has(state)) return `its network device function is ${state === 'Disabled' ? 'disabled' : state} (Status.State ${state})`;
  if (fn.DeviceEnabled === false) return 'its network device function is disabled (DeviceEnabled false)';
  if (portless) return 'its network device function is on no physical port of its adapter';
  return undefined;
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

function adapterInfo(adapter: Resource, source: ResourceSource, singleFunction: ReadonlyMap<string, string>): Omit<Nic, 'ports'> {
  const vendor = text(adapter.Manufacturer);
  const model = text(adapter.Model) ?? text(adapter.Name);
  const serial = text(adapter.SerialNumber);
  const partNumber = text(adapter.PartNumber);
  const firmware = text(at(list(adapter.Controllers)[0], ['FirmwarePackageVersion']));
  // The adapter's controller links its PCIe device: with a single function, every port is on it.
  const device = list(adapter.Controllers).flatMap((controller) => linksAt(controller, ['Links', 'PCIeDevices']))[0];
  const key = device === undefined ? undefined : keyOf(source, device);
  const pciAddress = key === undefined ? undefined : singleFunction.get(key);
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
    ...(draft.pciAddress ? { pciAddress: draft.pciAddress } : {}),
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
