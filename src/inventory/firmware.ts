// Firmware versions: BIOS (ComputerSystem.BiosVersion, refined from FirmwareInventory), the BMC's
// own firmware, and every component of UpdateService/FirmwareInventory. Quirk handled here:
// - Dell iDRAC sends ReleaseDate "00:00:00Z": not a date, dropped with a finding
//   (fixtures/dell-r750-idrac9).
import { linkAt, type Resource } from '../redfish/navigate.ts';
import type { FirmwareComponent, FirmwareInventory } from './model.ts';
import { bool, naturalCompare, note, str, text, type ReadContext } from './read.ts';
import type { SectionReader } from './source.ts';

/** Reads BIOS and component versions. */
export function readFirmware(system: Resource, root: Resource | undefined, reader: SectionReader, findings: ReadContext['findings']): FirmwareInventory {
  const update = reader.get(linkAt(root, ['UpdateService']));
  const members = update ? reader.members(linkAt(update, ['FirmwareInventory'])) : [];
  const components = new Map<string, FirmwareComponent>();
  let biosEntry: Resource | undefined;
  for (const body of members) {
    const name = text(body.Name) ?? str(body.Id);
    const version = text(body.Version);
    if (!name || !version) continue;
    if (biosEntry === undefined && /\bbios\b|system rom|uefi/i.test(`${name} ${str(body.Id) ?? ''}`)) biosEntry = body;
    const updateable = bool(body.Updateable);
    const key = `${name}\u0000${version}`;
    if (!components.has(key)) components.set(key, { name, version, ...(updateable === undefined ? {} : { updateable }) });
  }
  const version = text(system.BiosVersion) ?? text(biosEntry?.Version);
  const vendor = text(biosEntry?.Manufacturer);
  const date = biosEntry ? releaseDate(biosEntry, { resource: str(biosEntry['@odata.id']) ?? '(firmware)', findings }) : undefined;
  const bios = version || vendor || date ? { ...(vendor ? { vendor } : {}), ...(version ? { version } : {}), ...(date ? { date } : {}) } : undefined;
  return {
    ...(bios ? { bios } : {}),
    components: [...components.values()].sort((a, b) => naturalCompare(a.name, b.name) || naturalCompare(a.version, b.version)),
  };
}

/** The BMC's firmware and model, from the first manager that has them. */
export function readManager(managers: readonly Resource[]): { firmware?: string; model?: string } {
  const manager = managers.find((body) => str(body.ManagerType) === 'BMC') ?? managers[0];
  const firmware = text(manager?.FirmwareVersion);
  const model = text(manager?.Model);
  return { ...(firmware ? { firmware } : {}), ...(model ? { model } : {}) };
}

// MAAS shows mainboard_firmware_date as DMI does: MM/DD/YYYY.
function releaseDate(body: Resource, ctx: ReadContext): string | undefined {
  const raw = str(body.ReleaseDate);
  if (raw === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
  if (!match || Number.isNaN(Date.parse(raw.slice(0, 10)))) {
    note(ctx, 'ReleaseDate', `not a date (${JSON.stringify(raw)})`);
    return undefined;
  }
  return `${match[2]}/${match[3]}/${match[1]}`;
}

