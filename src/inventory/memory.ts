// Memory → DIMMs and the total MAAS shows. Quirks handled here:
// - Slot names: DeviceLocator, else the service label (OpenBMC), else Name; names shared by
//   several DIMMs (OpenBMC's "DIMM Slot" on every one) are replaced by the resource Id.
// - Empty slots: Status.State "Absent" (Dell, HPE) or CapacityMiB 0/null (iLO 4, AMI).
// - CapacityMiB sent as a string (AMI MegaRAC, fixtures/ami-megarac-gigabyte): read with a finding.
// - MemoryLocation.Socket is 1-based on most BMCs and 0-based on some: normalised to a 0-based
//   socket index so DIMMs land on the NUMA node of their CPU.
// - No MemoryLocation (AMI MegaRAC, fixtures/ami-megarac-gigabyte): the socket is read from a slot
//   name that states it (`DIMM_P1_A0`, `CPU2_DIMM_A1`, `PROC 2 DIMM 4`), with the same numbering rule.
import { at, linkAt, type Resource } from '../redfish/navigate.ts';
import type { Dimm, MemoryInventory } from './model.ts';
import { count, LIMITS, naturalCompare, num, positive, str, text, type ReadContext } from './read.ts';
import type { SectionReader } from './source.ts';

/**
 * Reads the DIMMs of a machine's systems (the host first, then its parts: hosts.ts), each DIMM on
 * the socket of its own system, numbered across them as the CPUs are (`sockets`: each system's
 * socket count). Without any DIMM, the first MemorySummary that gives a total.
 */
export function readMemory(systems: readonly Resource[], reader: SectionReader, sockets: readonly number[], findings: ReadContext['findings']): MemoryInventory {
  const dimms: Dimm[] = [];
  let offset = 0;
  const raw = systems.flatMap((system, index) => systemDimms(system, reader, findings, systems.length > 1 ? `${str(system.Id) ?? index} ` : ''));
  uniqueSlots(raw);
  systems.forEach((system, index) => {
    const own = raw.filter((entry) => entry.system === system);
    // Sockets are numbered from 1 unless some DIMM of the system says socket 0.
    const base = own.some((entry) => entry.socket === 0) ? 0 : 1;
    const count = Math.max(1, sockets[index] ?? 0);
    for (const { dimm, socket } of own) {
      const local = socket === undefined ? -1 : socket - base;
      dimms.push(local >= 0 && local < count ? { ...dimm, socket: offset + local } : dimm);
    }
    offset += sockets[index] ?? 0;
  });
  dimms.sort((a, b) => naturalCompare(a.slot, b.slot));
  if (dimms.length > 0) {
    return { totalMiB: dimms.reduce((sum, dimm) => sum + dimm.sizeMiB, 0), fromDimms: true, dimms };
  }
  for (const system of systems) {
    const ctx = { resource: str(system['@odata.id']) ?? '(system)', findings };
    const gib = num(at(system, ['MemorySummary', 'TotalSystemMemoryGiB']), ctx, 'MemorySummary/TotalSystemMemoryGiB');
    const plausible = gib !== undefined && gib > 0 && gib * 1024 <= LIMITS.dimmMiB * 1024;
    if (plausible) return { totalMiB: Math.round(gib * 1024), fromDimms: false, dimms: [] };
  }
  return { totalMiB: 0, fromDimms: false, dimms: [] };
}

interface RawDimm {
  readonly system: Resource;
  readonly id: string;
  readonly dimm: Omit<Dimm, 'socket'>;
  readonly socket?: number;
}

// The populated DIMMs of one system; `prefix` tells apart the ids of several systems' DIMMs.
function systemDimms(system: Resource, reader: SectionReader, findings: ReadContext['findings'], prefix: string): RawDimm[] {
  const raw: RawDimm[] = [];
  for (const body of reader.members(linkAt(system, ['Memory']))) {
    const path = str(body['@odata.id']) ?? '(memory)';
    const ctx = { resource: path, findings };
    if (str(at(body, ['Status', 'State'])) === 'Absent') continue;
    if (str(at(body, ['Oem', 'Hpe', 'DIMMStatus'])) === 'NotPresent' || str(at(body, ['Oem', 'Hp', 'DIMMStatus'])) === 'NotPresent') continue;
    const sizeMiB = positive(body.CapacityMiB, LIMITS.dimmMiB, ctx, 'CapacityMiB') ?? positive(body.SizeMB, LIMITS.dimmMiB, ctx, 'SizeMB');
    if (sizeMiB === undefined) continue;
    const slot = text(body.DeviceLocator) ?? text(at(body, ['Location', 'PartLocation', 'ServiceLabel'])) ?? text(body.Name) ?? str(body.Id) ?? path;
    const type = text(body.MemoryDeviceType) ?? text(body.MemoryType);
    const speedMHz = positive(body.OperatingSpeedMhz, LIMITS.mhz, ctx, 'OperatingSpeedMhz');
    const manufacturer = text(body.Manufacturer);
    const partNumber = text(body.PartNumber);
    const serial = text(body.SerialNumber);
    const socket = count(at(body, ['MemoryLocation', 'Socket']), ctx, 'MemoryLocation/Socket') ?? socketInName(slot);
    raw.push({
      system,
      id: `${prefix}${str(body.Id) ?? path}`,
      dimm: {
        slot,
        sizeMiB,
        ...(type ? { type } : {}),
        ...(speedMHz ? { speedMHz } : {}),
        ...(manufacturer ? { manufacturer } : {}),
        ...(partNumber ? { partNumber } : {}),
        ...(serial ? { serial } : {}),
      },
      ...(socket === undefined ? {} : { socket }),
    });
  }
  return raw;
}

// A socket a slot name states: P<n> before a separator (AMI's DIMM_P1_A0, Supermicro's P2-DIMMA1),
// CPU<n>, PROC <n>, Processor <n> or Socket <n>. A letter (Dell's A1 for CPU 1) is a board's
// convention, not a statement, and is not read.
const SOCKET_IN_NAME = /(?:^|[^a-z])(?:p|cpu|proc|processor|socket)[ _-]?(\d{1,2})(?=$|[^\d])/i;

function socketInName(slot: string): number | undefined {
  const match = SOCKET_IN_NAME.exec(slot);
  return match ? Number(match[1]) : undefined;
}

// A slot name must tell DIMMs apart: the history says which one was pulled, by name. A BMC that
// names every DIMM alike (OpenBMC's bmcweb: Name "DIMM Slot", no DeviceLocator or service label,
// fixtures/openbmc-altra-bmcweb without its labels) gets each such DIMM named by its resource Id.
function uniqueSlots(raw: readonly { readonly id: string; readonly dimm: { slot: string } }[]): void {
  const uses = new Map<string, number>();
  for (const entry of raw) uses.set(entry.dimm.slot, (uses.get(entry.dimm.slot) ?? 0) + 1);
  for (const entry of raw) if ((uses.get(entry.dimm.slot) ?? 0) > 1) entry.dimm.slot = entry.id;
}
