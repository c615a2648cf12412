// Processors → CPU sockets (and GPUs reported as processors). Quirks handled here:
// - AMI MegaRAC omits TotalThreads on some CPUs: one thread per core is assumed, with a finding
//   (fixtures/ami-megarac-gigabyte).
// - Empty sockets are listed with Status.State "Absent" (Dell, HPE): skipped.
// - No processor members at all (licence-gated or not implemented): ProcessorSummary fills in
//   what it says and nothing more: sockets from Count, threads from LogicalProcessorCount, cores
//   from CoreCount; a count it does not give stays unknown (0), never one per socket.
// - Speeds: OperatingSpeedMHz (else BaseSpeedMHz) is the speed, MaxSpeedMHz the turbo figure; a
//   BMC giving only MaxSpeedMHz has its turbo figure kept as the turbo, not taken for the speed.
import { at, linkAt, linksAt, normalisePath, type Resource } from '../redfish/navigate.ts';
import type { Cpu, Gpu, KernelArchitecture, Note } from './model.ts';
import { LIMITS, naturalCompare, note, positive, str, text, type ReadContext } from './read.ts';
import type { SectionReader } from './source.ts';

// Processor.InstructionSet first, ProcessorArchitecture when the set is missing (sushy maps the
// same two enums). Servers with an "x86" architecture and no instruction set are 64-bit.
const BY_INSTRUCTION_SET: Readonly<Record<string, KernelArchitecture>> = {
  'x86-64': 'x86_64',
  x86: 'i686',
  'ARM-A64': 'aarch64',
  PowerISA: 'ppc64le',
  MIPS64: 'mips64',
  MIPS32: 'mips',
};
const BY_ARCHITECTURE: Readonly<Record<string, KernelArchitecture>> = {
  x86: 'x86_64',
  ARM: 'aarch64',
  Power: 'ppc64le',
  MIPS: 'mips64',
};

/** The kernel architecture of one processor, if it maps to one MAAS knows. */
export function kernelArchitecture(processor: unknown): KernelArchitecture | undefined {
  return declaredArchitecture(processor) ?? architectureOfModel(processor);
}

// CPUID vendor strings, which only x86 processors return (ProcessorId.VendorId).
const X86_VENDOR_IDS = new Set(['GenuineIntel', 'AuthenticAMD', 'HygonGenuine']);

// What the processor's InstructionSet or ProcessorArchitecture says, or its CPUID vendor string.
function declaredArchitecture(processor: unknown): KernelArchitecture | undefined {
  const set = str(at(processor, ['InstructionSet']));
  if (set !== undefined && Object.hasOwn(BY_INSTRUCTION_SET, set)) return BY_INSTRUCTION_SET[set];
  const architecture = str(at(processor, ['ProcessorArchitecture']));
  if (architecture !== undefined && Object.hasOwn(BY_ARCHITECTURE, architecture)) return BY_ARCHITECTURE[architecture];
  const vendorId = str(at(processor, ['ProcessorId', 'VendorId']));
  if (vendorId !== undefined && X86_VENDOR_IDS.has(vendorId.trim())) return 'x86_64';
  return undefined;
}

// A guess from the model and maker's names, for processors that declare neither.
function architectureOfModel(processor: unknown): KernelArchitecture | undefined {
  const model = `${str(at(processor, ['Model'])) ?? ''} ${str(at(processor, ['Manufacturer'])) ?? ''}`;
  if (/intel|amd|xeon|epyc|hygon/i.test(model)) return 'x86_64';
  if (/ampere|altra|graviton|neoverse|cavium|thunderx|kunpeng|grace/i.test(model)) return 'aarch64';
  if (/power\s?(8|9|10)|ibm/i.test(model)) return 'ppc64le';
  return undefined;
}

/** An architecture and whether a processor declared it or it was read from names. */
interface ArchitectureFinding {
  readonly architecture: KernelArchitecture;
  readonly declared: boolean;
}

/**
 * The architecture of a set of processors: what any of them declares (InstructionSet,
 * ProcessorArchitecture, an x86 CPUID vendor) wins over a guess from names, so one that declares
 * Arm is never outvoted by a name that looks like x86; among declarations, the first processor's.
 * Undefined when none says anything, which is the only case the document falls back to x86_64.
 */
function architectureOf(processors: readonly unknown[]): ArchitectureFinding | undefined {
  for (const [read, declared] of [[declaredArchitecture, true], [architectureOfModel, false]] as const) {
    for (const processor of processors) {
      const architecture = read(processor);
      if (architecture !== undefined) return { architecture, declared };
    }
  }
  return undefined;
}

// What the document says of an architecture no processor declared: guessed from the processors'
// names, or (CPUs known, nothing said of them) the document's x86_64 fallback.
function architectureNote(finding: ArchitectureFinding | undefined, cpus: readonly Cpu[], resource: string): Note | undefined {
  if (finding?.declared === true || (finding === undefined && cpus.length === 0)) return undefined;
  const reason = finding
    ? `no processor gives InstructionSet or ProcessorArchitecture; ${finding.architecture} is read from their model and maker names`
    : 'no processor gives InstructionSet, ProcessorArchitecture or a model MAAS could tell it from; x86_64 is assumed';
  return { area: 'cpu', subject: 'architecture', action: 'flagged', reason, resource };
}

/** A GPU listed as a processor, with the PCIe resources it links (to merge with the PCIe view). */
export interface ProcessorGpu {
  readonly gpu: Gpu;
  readonly links: readonly string[];
}

/** What the processors of one machine's systems say. */
export interface ProcessorReading {
  readonly cpus: Cpu[];
  readonly gpus: ProcessorGpu[];
  readonly architecture?: KernelArchitecture;
  /** CPU sockets of each system, in the order given (DIMMs name their socket within their system). */
  readonly socketsPerSystem: readonly number[];
  /** An architecture no processor declared: how it was chosen. */
  readonly notes: readonly Note[];
}

/**
 * Reads CPU sockets and processor-type GPUs of a machine's systems (the host first, then the parts
 * of it the BMC lists as systems of their own: hosts.ts). Sockets are numbered across them.
 */
export function readProcessors(systems: readonly Resource[], reader: SectionReader, findings: ReadContext['findings']): ProcessorReading {
  const found: { socket: string; body: Resource; path: string; system: number }[] = [];
  const gpus: ProcessorGpu[] = [];
  systems.forEach((system, index) => {
    const own: typeof found = [];
    for (const body of reader.members(linkAt(system, ['Processors']))) {
      const path = str(body['@odata.id']) ?? '(processor)';
      const type = str(body.ProcessorType);
      if (str(at(body, ['Status', 'State'])) === 'Absent') continue;
      if (type === 'GPU') {
        const links = [...linksAt(body, ['Links', 'PCIeDevice']), ...linksAt(body, ['Links', 'PCIeFunctions'])];
        gpus.push({ gpu: gpuOf(body, path), links: links.map(normalisePath) });
        continue;
      }
      if (type !== undefined && type !== 'CPU') continue; // FPGA, DSP, sub-processors (Core, Thread)
      own.push({ socket: text(body.Socket) ?? str(body.Id) ?? path, body, path, system: index });
    }
    found.push(...own.sort((a, b) => naturalCompare(a.socket, b.socket)));
  });
  // Two systems of one machine may both call a socket "CPU 0": each is then named with its system.
  const names = found.map((entry) => entry.socket);
  for (const entry of found) {
    if (names.indexOf(entry.socket) !== names.lastIndexOf(entry.socket)) entry.socket = `${str(systems[entry.system]?.Id) ?? entry.system} ${entry.socket}`;
  }
  const siblings = threadsPerCore(found.map((entry) => entry.body));
  const cpus = found.map(({ socket, body, path }, index) => cpuOf(socket, index, body, siblings, { resource: path, findings }));
  const socketsPerSystem = systems.map((_, index) => found.filter((entry) => entry.system === index).length);
  if (cpus.length === 0) {
    // The first summary that counts anything: the systems' summaries may each count the same CPUs.
    for (const [index, system] of systems.entries()) {
      const fromSummary = summaryCpus(system, { resource: str(system['@odata.id']) ?? '(system)', findings });
      if (fromSummary.length === 0) continue;
      cpus.push(...fromSummary);
      socketsPerSystem[index] = fromSummary.length;
      break;
    }
  }
  // The CPUs decide; without them, the summaries' models (names, so a guess).
  const finding = architectureOf(found.length > 0 ? found.map((entry) => entry.body) : systems.map((system) => at(system, ['ProcessorSummary'])));
  const flagged = architectureNote(finding, cpus, found[0]?.path ?? str(systems[0]?.['@odata.id']) ?? '(system)');
  return { cpus, gpus, socketsPerSystem, notes: flagged ? [flagged] : [], ...(finding ? { architecture: finding.architecture } : {}) };
}

// Threads per core of each model, from the sockets that report both counts.
function threadsPerCore(bodies: readonly Resource[]): Map<string, number> {
  const ratios = new Map<string, number>();
  for (const body of bodies) {
    const cores = positive(body.TotalCores, LIMITS.cores);
    const threads = positive(body.TotalThreads, LIMITS.threads);
    const model = text(body.Model);
    if (cores && threads && model && threads % cores === 0) ratios.set(model, threads / cores);
  }
  return ratios;
}

function cpuOf(socket: string, index: number, body: Resource, siblings: ReadonlyMap<string, number>, ctx: ReadContext): Cpu {
  const coresRead = positive(body.TotalCores, LIMITS.cores, ctx, 'TotalCores') ?? positive(body.TotalEnabledCores, LIMITS.cores, ctx, 'TotalEnabledCores');
  const threadsRead = positive(body.TotalThreads, LIMITS.threads, ctx, 'TotalThreads');
  // A socket that gives neither count has them unknown (0): nothing is made up for it.
  let cores = coresRead ?? threadsRead ?? 0;
  let threads = threadsRead ?? cores;
  if (threadsRead === undefined && cores > 0) {
    // AMI leaves TotalThreads off one socket of a pair: a sibling of the same model says how many
    // threads each core runs; without one, one thread per core is the cautious guess.
    const ratio = siblings.get(text(body.Model) ?? '');
    if (ratio !== undefined) {
      threads = cores * ratio;
      note(ctx, 'TotalThreads', `missing; ${threads} taken from another socket of the same model`);
    } else {
      note(ctx, 'TotalThreads', `missing; assumed ${threads} (one thread per core)`);
    }
  }
  if (coresRead === undefined) note(ctx, 'TotalCores', cores > 0 ? `missing; assumed ${cores}` : 'missing, and so is TotalThreads: cores and threads unknown');
  if (threads < cores) {
    note(ctx, 'TotalThreads', `fewer threads (${threads}) than cores (${cores}); using ${cores}`);
    threads = cores;
  }
  const architecture = kernelArchitecture(body);
  const maxSpeedMHz = positive(body.MaxSpeedMHz, LIMITS.mhz, ctx, 'MaxSpeedMHz');
  const speedMHz = positive(body.OperatingSpeedMHz, LIMITS.mhz, ctx, 'OperatingSpeedMHz') ?? positive(body.BaseSpeedMHz, LIMITS.mhz, ctx, 'BaseSpeedMHz');
  const model = text(body.Model);
  const vendor = text(body.Manufacturer);
  return {
    socket,
    index,
    cores,
    threads,
    ...(model ? { model } : {}),
    ...(vendor ? { vendor } : {}),
    ...(maxSpeedMHz ? { maxSpeedMHz } : {}),
    ...(speedMHz ? { speedMHz } : {}),
    ...(architecture ? { architecture } : {}),
  };
}

// ProcessorSummary: what it counts (sockets, logical processors, cores) spread evenly over the
// sockets; what it does not count stays 0, unknown. Only LogicalProcessorCount gives threads.
function summaryCpus(system: Resource, ctx: ReadContext): Cpu[] {
  const summary = at(system, ['ProcessorSummary']);
  const sockets = positive(at(summary, ['Count']), LIMITS.sockets, ctx, 'ProcessorSummary/Count');
  const logical = positive(at(summary, ['LogicalProcessorCount']), LIMITS.threads, ctx, 'ProcessorSummary/LogicalProcessorCount');
  const coreCount = positive(at(summary, ['CoreCount']), LIMITS.cores, ctx, 'ProcessorSummary/CoreCount');
  if (sockets === undefined && logical === undefined && coreCount === undefined) return [];
  const socketCount = sockets ?? 1;
  const threads = logical === undefined ? 0 : Math.floor(logical / socketCount);
  const cores = coreCount === undefined ? 0 : Math.floor(coreCount / socketCount);
  const model = text(at(summary, ['Model']));
  const counted = [sockets && 'sockets', logical && 'threads', coreCount && 'cores'].filter(Boolean).join(', ');
  const unknown = [logical === undefined && 'threads', coreCount === undefined && 'cores'].filter(Boolean).join(' and ');
  const oneSocket = sockets === undefined ? '; it counts no sockets, so all are shown on one' : '';
  note(ctx, 'ProcessorSummary', `no processor members; ${counted} taken from the summary${unknown ? `, ${unknown} unknown` : ''}${oneSocket}`);
  return Array.from({ length: socketCount }, (_, index) => ({
    socket: `CPU ${index + 1}`,
    index,
    cores: Math.min(cores, threads || cores),
    threads,
    ...(model ? { model } : {}),
  }));
}

function gpuOf(body: Resource, path: string): Gpu {
  const vendor = text(body.Manufacturer);
  const product = text(body.Model) ?? text(body.Name);
  const serial = text(body.SerialNumber);
  const ids = at(body, ['ProcessorId']);
  const vendorId = str(at(ids, ['VendorId']));
  return {
    source: path,
    ...(vendor ? { vendor } : {}),
    ...(product ? { product } : {}),
    ...(serial ? { serial } : {}),
    ...(vendorId && /^0x[0-9a-f]{4}$/i.test(vendorId) ? { vendorId: vendorId.slice(2).toLowerCase() } : {}),
  };
}
