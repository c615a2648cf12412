// Sections of a machine that a sweep could not read: named with the class and path of the read
// that failed, and whether what is shown comes from an earlier sweep. A machine with one is
// incomplete, and says so wherever it is shown (the sweep's table, the web pages, /metrics).
import type { HardwareInventory, SectionName } from '../inventory/model.ts';
import type { RecordedUnknown } from '../registry/bmc-state.ts';
import type { MachineResult, UnknownSection } from './report.ts';

/** The sections of an inventory as read that are unknown; `previous` (the last reading) keeps those it knew. */
export function unknownSectionsOf(read: HardwareInventory, previous?: { inventory: HardwareInventory; at: string }): UnknownSection[] {
  const unknown: UnknownSection[] = [];
  for (const [name, section] of Object.entries(read.sections) as [SectionName, HardwareInventory['sections'][SectionName]][]) {
    if (!section.unknown) continue;
    const failure = section.failures[0];
    const kept = previous !== undefined && previous.inventory.sections[name]?.unknown === false;
    unknown.push({
      section: name,
      kind: failure?.kind ?? 'unknown',
      ...(failure?.path ? { path: failure.path } : {}),
      ...(kept ? { keptFrom: previous.at } : {}),
    });
  }
  return unknown;
}

/** "storage unknown: licence at /redfish/v1/Systems/1/Storage (showing the sweep of 2026-11-25 04:01 UTC)". */
export function describeUnknown(unknown: Pick<UnknownSection, 'kind' | 'path' | 'keptFrom'> & { readonly section: string }): string {
  const kept = unknown.keptFrom ? ` (showing the sweep of ${unknown.keptFrom.slice(0, 16).replace('T', ' ')} UTC)` : '';
  return `${unknown.section} unknown: ${unknown.kind}${unknown.path ? ` at ${unknown.path}` : ''}${kept}`;
}

/** The sections unknown on any of a BMC's machines, each named once, in the inventory's order. */
export function unknownNames(machines: readonly MachineResult[]): SectionName[] {
  return [...new Set(machines.flatMap((machine) => machine.unknown ?? []).map((unknown) => unknown.section))];
}

/** The unknown sections a BMC's last sweep recorded for one machine (by registry system id, else by its Redfish system). */
export function unknownFor(recorded: readonly RecordedUnknown[] | undefined, systemId: string, systems: Readonly<Record<string, string>> = {}): RecordedUnknown[] {
  return (recorded ?? []).filter((entry) => (entry.systemId ?? systems[entry.system]) === systemId);
}
