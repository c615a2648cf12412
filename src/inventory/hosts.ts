// Which ComputerSystems of one BMC are one machine. A multi-node tray's BMC may list the host (its
// NICs, disks, boot) and a CPU/GPU module (its processors, memory, GPUs) as two systems; the host
// alone would be a machine with no CPU and no memory, the module one with no interface. The BMC
// says they are one in two ways, and only those are taken:
// - Links between systems: a system lists another in Links.SupplyingComputerSystems, or the other
//   lists it in Links.ConsumingComputerSystems (the schema's "realized, in whole or in part, from").
// - Chassis containment: every chassis of one system is, or sits inside, a chassis of the other
//   (Links.ContainedBy / Links.Contains), and the two cannot be machines apart: the part has no
//   CPU and no network interface, or each has what the other lacks (a host with NICs but no CPU
//   or memory, a module with CPUs and memory but no NIC). What a system has is read from its
//   members, not its summaries (a host may sum up its module's CPUs), and a collection that
//   could not be read proves nothing missing. A part that fits several hosts equally well (two
//   nodes' modules in one tray) joins none and is flagged. Two complete nodes in one enclosure
//   stay two machines.
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
  const notes = new Map<string, Note[]>();
  const chassisOf = systemChassis(source, body, key, mergeable);
  const distance = chassisDistance(source, body, key);
  const traits = new Map(mergeable.map((path) => [path, traitsOf(body, path)]));
  for (const part of mergeable) {
    if (hostOf.has(part)) continue;
    const own = chassisOf.get(part) ?? [];
    if (own.length === 0) continue;
    // Every host this part could belong to by chassis, and how far up its chassis that host is.
    const candidates: { host: string; depth: number; reason: string }[] = [];
    for (const host of mergeable) {
      if (host === part) continue;
      const outer = chassisOf.get(host) ?? [];
      // For each of the part's chassis, the host's chassis nearest above it (or the same one).
      const nearestOuter = own.map((chassis) => outer.map((candidate) => [candidate, distance(chassis, candidate)] as const).reduce((a, b) => (b[1] < a[1] ? b : a), ['', Infinity] as const));
      const depth = Math.max(...nearestOuter.map(([, levels]) => levels));
      if (!Number.isFinite(depth)) continue;
      const why = belongs(traits.get(part)!, traits.get(host)!, depth === 0);
      if (why === undefined) continue;
      const where = own.map((chassis, index) => (nearestOuter[index]![1] === 0 ? `${chassis} is also a chassis of ${host}` : `${chassis} is inside ${nearestOuter[index]![0]}, a chassis of ${host}`)).join(', ');
      candidates.push({ host, depth, reason: `its chassis ${where}, and ${why}` });
    }
    const nearest = Math.min(...candidates.map((candidate) => candidate.depth));
    const best = candidates.filter((candidate) => candidate.depth === nearest);
    if (best.length === 1) claim(part, best[0]!.host, best[0]!.reason);
    else if (best.length > 1) {
      const hosts = best.map((candidate) => candidate.host).join(' and ');
      notes.set(part, [{ area: 'identity', subject: part, action: 'flagged', reason: `kept as a machine of its own: by its chassis it could be part of ${hosts}, and the BMC does not say which`, resource: part }]);
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
  for (const path of systems) if (hosts.get(path) === path) groups.set(path, { parts: [], notes: [...(notes.get(path) ?? [])] });
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

// How many levels up one chassis is inside another (0: the same chassis; Infinity: not inside it),
// by ContainedBy and Contains.
function chassisDistance(source: ResourceSource, body: (link: string | undefined) => Resource | undefined, key: (link: string) => string): (inner: string, outer: string) => number {
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
    const seen = new Set<string>([inner]);
    for (let level = [inner], depth = 0; level.length > 0; depth += 1) {
      if (level.includes(outer)) return depth;
      const next: string[] = [];
      for (const chassis of level) {
        for (const parent of parents.get(chassis) ?? []) {
          if (!seen.has(parent)) {
            seen.add(parent);
            next.push(parent);
          }
        }
      }
      level = next;
    }
    return Infinity;
  };
}

type Trait = 'CPU' | 'memory' | 'network interface';
/** What a system has of its own: true, false, or undefined where its collection could not be read. */
type Traits = Readonly<Record<Trait, boolean | undefined>>;

// What a system has of its own, from its members. A summary counts only where the system has no
// collection at all: a tray's host may sum up its module's CPUs and memory in its summaries while
// its own collections are empty.
function traitsOf(body: (link: string | undefined) => Resource | undefined, path: string): Traits {
  const system = body(path);
  const present = (member: Resource) => at(member, ['Status', 'State']) !== 'Absent';
  const any = (name: string, counts: (member: Resource) => boolean, summary: () => boolean): boolean | undefined => {
    const link = linkAt(system, [name]);
    if (link === undefined) return summary();
    const collection = body(link);
    if (collection === undefined) return undefined;
    const members = membersOf(collection).map((member) => body(member));
    if (members.some((member) => member !== undefined && present(member) && counts(member))) return true;
    return members.includes(undefined) ? undefined : false;
  };
  return {
    CPU: any('Processors', (member) => [undefined, 'CPU'].includes(at(member, ['ProcessorType']) as string | undefined), () => Number(at(system, ['ProcessorSummary', 'Count']) ?? 0) > 0),
    memory: any('Memory', (member) => Number(at(member, ['CapacityMiB']) ?? 0) > 0, () => Number(at(system, ['MemorySummary', 'TotalSystemMemoryGiB']) ?? 0) > 0),
    'network interface': any('EthernetInterfaces', () => true, () => false),
  };
}

const TRAITS: readonly Trait[] = ['CPU', 'memory', 'network interface'];
const lacks = (traits: Traits) => TRAITS.filter((trait) => traits[trait] === false);
const has = (traits: Traits) => TRAITS.filter((trait) => traits[trait] === true);

// Why a system in (or inside) another's chassis is part of it, or undefined when it is not: the
// part has no CPU and no network interface, so it cannot be a machine by itself; or the two are
// complementary, each having what the other lacks, one lacking a CPU or memory. A system only
// missing what it failed to read is never taken apart. In a shared chassis, the host is the one
// with network interfaces (the MACs MAAS knows the machine by).
function belongs(part: Traits, host: Traits, sharedChassis: boolean): string | undefined {
  const list = (traits: readonly Trait[]) => traits.join(' or ');
  if (part.CPU === false && part['network interface'] === false && has(host).length > 0) return `it has no CPU and no network interface of its own`;
  const missing = lacks(part).filter((trait) => host[trait] === true);
  const supplied = lacks(host).filter((trait) => part[trait] === true);
  if (missing.length === 0 || supplied.length === 0) return undefined;
  if (![...missing, ...supplied].some((trait) => trait !== 'network interface')) return undefined;
  if (sharedChassis && !(part['network interface'] === false && host['network interface'] === true)) return undefined;
  return `it has no ${list(missing)} of its own and the host no ${list(supplied)}`;
}
