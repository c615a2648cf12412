// Which ComputerSystems of one BMC are one machine. A multi-node tray's BMC may list the host (its
// NICs, disks, boot) and a CPU/GPU module (its processors, memory, GPUs) as two systems; the host
// alone would be a machine with no CPU and no memory, the module one with no interface. The BMC
// says they are one in two ways, and only those are taken:
// - Links between systems: a system lists another in Links.SupplyingComputerSystems, or the other
//   lists it in Links.ConsumingComputerSystems (the schema's "realized, in whole or in part, from").
// - Chassis containment: every chassis of one system sits inside a chassis of the other
//   (Links.ContainedBy / Links.Contains), and one of the two has no CPU or no memory of its own,
//   so it cannot be a machine by itself. Two complete nodes in one enclosure stay two machines.
// A system whose SystemType is not a machine (a DPU, a VM, an OS, a virtual partition) is never
// merged, either way. Nothing here looks at names or ids. Pure.
import { at, isResource, linkAt, linksAt, membersOf, type Resource } from '../redfish/navigate.ts';
import type { Note } from './model.ts';
import { keyOf, type ResourceSource } from './source.ts';

/** One machine: the system that is the host, and the systems that are parts of it. */
export interface HostGroup {
  readonly host: string;
  readonly parts: readonly string[];
  /** Why each part is part of the host, as document notes. */
  readonly notes: readonly Note[];
}

/** ComputerSystem types that are not a machine of their own, nor part of one. */
export const NOT_MACHINE_TYPES: ReadonlySet<string> = new Set(['Virtual', 'OS', 'VirtuallyPartitioned', 'DPU', 'Composed']);

/** Groups a BMC's systems into machines, in the order the systems were found. */
export function hostsOf(source: ResourceSource, systems: readonly string[]): HostGroup[] {
  const body = (link: string | undefined): Resource | undefined => {
    const key = link === undefined ? undefined : keyOf(source, link);
    const outcome = key === undefined ? undefined : source.resources.get(key);
    return outcome?.ok && isResource(outcome.body) ? outcome.body : undefined;
  };
  const key = (link: string) => keyOf(source, link) ?? link;
  const known = new Set(systems);
  const mergeable = systems.filter((path) => {
    const system = body(path);
    const type = at(system, ['SystemType']);
    return system !== undefined && !(typeof type === 'string' && NOT_MACHINE_TYPES.has(type));
  });
  // part → [host, reason]
  const hostOf = new Map<string, { host: string; reason: string }>();
  const claim = (part: string, host: string, reason: string) => {
    if (part !== host && known.has(part) && mergeable.includes(part) && mergeable.includes(host) && !hostOf.has(part)) hostOf.set(part, { host, reason });
  };
  for (const path of mergeable) {
    const system = body(path)!;
    for (const link of linksAt(system, ['Links', 'SupplyingComputerSystems'])) claim(key(link), path, `${path} lists it in Links.SupplyingComputerSystems`);
    for (const link of linksAt(system, ['Links', 'ConsumingComputerSystems'])) claim(path, key(link), `it lists ${key(link)} in Links.ConsumingComputerSystems`);
  }
  const chassisOf = systemChassis(source, body, key, mergeable);
  const inside = containment(source, body, key);
  for (const part of mergeable) {
    for (const host of mergeable) {
      if (part === host || hostOf.has(part)) continue;
      const own = chassisOf.get(part) ?? [];
      const outer = chassisOf.get(host) ?? [];
      const containers = own.map((chassis) => (outer.includes(chassis) ? undefined : outer.find((candidate) => inside(chassis, candidate))));
      if (own.length === 0 || containers.some((container) => container === undefined)) continue;
      const lacking = [part, host].map((path) => [path, incomplete(body, path)] as const).find(([, what]) => what !== undefined);
      if (lacking === undefined) continue;
      const where = own.map((chassis, index) => `${chassis} is inside ${containers[index]}`).join(', ');
      claim(part, host, `its chassis ${where}, a chassis of ${host}, and ${lacking[0] === part ? 'it' : host} has ${lacking[1]} of its own`);
    }
  }
  // Follow chains (a part of a part) to the top; a loop leaves its systems apart.
  const top = (path: string): string | undefined => {
    const seen = new Set<string>([path]);
    let current = path;
    for (let next = hostOf.get(current); next !== undefined; next = hostOf.get(current)) {
      if (seen.has(next.host)) return undefined;
      seen.add(next.host);
      current = next.host;
    }
    return current;
  };
  const hosts = new Map(systems.map((path) => [path, hostOf.has(path) ? (top(path) ?? path) : path]));
  const groups = new Map<string, { parts: string[]; notes: Note[] }>();
  for (const path of systems) if (hosts.get(path) === path) groups.set(path, { parts: [], notes: [] });
  for (const path of systems) {
    const host = hosts.get(path)!;
    if (host === path) continue;
    const group = groups.get(host)!;
    group.parts.push(path);
    group.notes.push({ area: 'identity', subject: path, action: 'merged', reason: `part of ${host}: ${hostOf.get(path)!.reason}`, resource: path });
  }
  return [...groups].map(([host, group]) => ({ host, parts: group.parts, notes: group.notes }));
}

// The chassis each system is in: its Links.Chassis and the chassis that list it.
function systemChassis(
  source: ResourceSource,
  body: (link: string | undefined) => Resource | undefined,
  key: (link: string) => string,
  systems: readonly string[],
): Map<string, string[]> {
  const out = new Map<string, string[]>(systems.map((path) => [path, linksAt(body(path), ['Links', 'Chassis']).map(key)]));
  for (const chassis of membersOf(body(linkAt(body('/redfish/v1'), ['Chassis']))).map(key)) {
    for (const system of linksAt(body(chassis), ['Links', 'ComputerSystems']).map(key)) {
      const list = out.get(system);
      if (list && !list.includes(chassis)) list.push(chassis);
    }
  }
  return out;
}

// Whether one chassis is inside another, directly or through others (ContainedBy or Contains).
function containment(source: ResourceSource, body: (link: string | undefined) => Resource | undefined, key: (link: string) => string): (inner: string, outer: string) => boolean {
  const parents = new Map<string, Set<string>>();
  const add = (child: string, parent: string) => {
    if (!parents.has(child)) parents.set(child, new Set());
    parents.get(child)!.add(parent);
  };
  for (const chassis of membersOf(body(linkAt(body('/redfish/v1'), ['Chassis']))).map(key)) {
    const found = body(chassis);
    const container = linkAt(found, ['Links', 'ContainedBy']);
    if (container !== undefined) add(chassis, key(container));
    for (const child of linksAt(found, ['Links', 'Contains'])) add(key(child), chassis);
  }
  return (inner, outer) => {
    const seen = new Set<string>();
    const walk = [inner];
    while (walk.length > 0) {
      for (const parent of parents.get(walk.pop()!) ?? []) {
        if (parent === outer) return true;
        if (!seen.has(parent)) {
          seen.add(parent);
          walk.push(parent);
        }
      }
    }
    return false;
  };
}

// What a system lacks to be a machine by itself ("no CPU", "no memory"), or undefined.
function incomplete(body: (link: string | undefined) => Resource | undefined, path: string): string | undefined {
  const system = body(path);
  const present = (member: Resource | undefined) => member !== undefined && at(member, ['Status', 'State']) !== 'Absent';
  const members = (name: string) => membersOf(body(linkAt(system, [name]))).map((link) => body(link)).filter(present);
  const cpus = members('Processors').filter((processor) => [undefined, 'CPU'].includes(at(processor, ['ProcessorType']) as string | undefined));
  const summaryCpus = Number(at(system, ['ProcessorSummary', 'Count']) ?? 0) > 0;
  const dimms = members('Memory').filter((dimm) => Number(at(dimm, ['CapacityMiB']) ?? 0) > 0);
  const summaryMemory = Number(at(system, ['MemorySummary', 'TotalSystemMemoryGiB']) ?? 0) > 0;
  if (cpus.length === 0 && !summaryCpus) return 'no CPU';
  if (dimms.length === 0 && !summaryMemory) return 'no memory';
  return undefined;
}
