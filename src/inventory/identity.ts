// Who the machine is: identity, chassis, board and host OS. Quirks handled here:
// - Dell iDRAC: the service tag is ComputerSystem.SKU; SerialNumber is the board's serial, which
//   is what in-band DMI reports as the baseboard serial (fixtures/dell-r750-idrac9).
// - Placeholders ("To Be Filled By O.E.M.", "0123456789", all-zero UUIDs) count as absent.
import { at, type Resource } from '../redfish/navigate.ts';
import type { ChassisInfo, Identity, Motherboard, Note } from './model.ts';
import { str, text, uuid } from './read.ts';
import type { VendorProfile } from './vendor.ts';

/** The machine's identity; `manufacturer` is the system's maker as `readMaker` found it. */
export function readIdentity(system: Resource, profile: VendorProfile, manufacturer = text(system.Manufacturer)): Identity {
  const sku = text(system.SKU);
  const serviceTag = profile.serviceTagFromSku ? sku : undefined;
  const fields: Identity = {
    uuid: uuid(system.UUID),
    serial: serviceTag ?? text(system.SerialNumber),
    serviceTag,
    sku,
    assetTag: text(system.AssetTag),
    hostName: hostName(system.HostName),
    manufacturer,
    model: text(system.Model),
    partNumber: text(system.PartNumber),
  };
  return compact(fields);
}

/**
 * The system's maker: its Manufacturer; when that is blank, its chassis' Manufacturer, else the
 * maker the vendor evidence names (a Dell iDRAC's service root), with a note saying which.
 */
export function readMaker(system: Resource, chassis: Resource | undefined, profile: VendorProfile): { manufacturer?: string; note?: Note } {
  const own = text(system.Manufacturer);
  if (own !== undefined) return { manufacturer: own };
  const subject = str(system.Id) ?? str(system['@odata.id']) ?? '(system)';
  const resource = str(system['@odata.id']) ?? subject;
  const fromChassis = text(chassis?.Manufacturer);
  if (fromChassis !== undefined) {
    return { manufacturer: fromChassis, note: { area: 'identity', subject, action: 'corrected', reason: `Manufacturer is blank; "${fromChassis}" is its chassis' Manufacturer (${str(chassis?.['@odata.id']) ?? 'chassis'})`, resource } };
  }
  if (profile.manufacturer === undefined) return {};
  return {
    manufacturer: profile.manufacturer,
    note: { area: 'identity', subject, action: 'corrected', reason: `Manufacturer is blank; "${profile.manufacturer}" as ${profile.evidence ?? 'the vendor evidence'} says`, resource },
  };
}

/** The system board as in-band DMI would show it. */
export function readMotherboard(system: Resource, board: Resource | undefined, profile: VendorProfile, maker = text(system.Manufacturer)): Motherboard {
  return compact({
    manufacturer: text(board?.Manufacturer) ?? maker,
    product: text(board?.Model) ?? text(system.Model),
    // With the service tag as system serial (Dell), the board keeps its own serial number.
    serial: text(board?.SerialNumber) ?? (profile.serviceTagFromSku ? text(system.SerialNumber) : undefined),
    version: text(board?.Version),
  });
}

/** The main chassis: the first linked one that is an enclosure rather than a card or module. */
export function mainChassis(chassis: readonly Resource[]): Resource | undefined {
  const parts = /card|module|component|mainboard|zone|shelf|storage|drawer|expansion|ipbasedDrive/i;
  return chassis.find((body) => !parts.test(str(body.ChassisType) ?? '')) ?? chassis[0];
}

/** A board-type chassis (Intel and OpenBMC trees describe the baseboard as a chassis). */
export function boardChassis(chassis: readonly Resource[]): Resource | undefined {
  return chassis.find((body) => /card|mainboard|module/i.test(str(body.ChassisType) ?? '') && /board/i.test(`${str(body.Name) ?? ''} ${str(body.Id) ?? ''}`));
}

/** Chassis details MAAS stores as chassis_* keys. */
export function readChassis(chassis: Resource | undefined): ChassisInfo {
  if (chassis === undefined) return {};
  return compact({
    type: text(chassis.ChassisType),
    manufacturer: text(chassis.Manufacturer),
    model: text(chassis.Model),
    serial: text(chassis.SerialNumber),
    partNumber: text(chassis.PartNumber),
    assetTag: text(chassis.AssetTag),
    sku: text(chassis.SKU),
  });
}

/** The host OS, where the BMC knows it (HPE iLO reports it via the agentless management service). */
export function readOs(system: Resource): { name?: string; version?: string } | undefined {
  for (const vendor of ['Hpe', 'Hp']) {
    const name = text(at(system, ['Oem', vendor, 'HostOS', 'OsName']));
    const version = text(at(system, ['Oem', vendor, 'HostOS', 'OsVersion']));
    if (name) return compact({ name, version });
  }
  return undefined;
}

// A host name is a DNS label or dotted name; anything else from a BMC is not used to name a machine.
function hostName(value: unknown): string | undefined {
  const name = text(value)?.toLowerCase();
  if (!name || name.length > 253 || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) return undefined;
  return name;
}

/** Drops undefined fields, so inventories compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
