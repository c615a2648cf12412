// Processors → CPU sockets (and GPUs reported as processors). Quirks handled here:
// - AMI MegaRAC omits TotalThreads on some CPUs: one thread per core is assumed, with a finding
//   (fixtures/ami-megarac-gigabyte).
// - Empty sockets are listed with Status.State "Absent" (Dell, HPE): skipped.
// - No processor members at all (licence-gated or not implemented): ProcessorSummary fills in.
import { at, linkAt, linksAt, normalisePath, type Resource } from '../redfish/navigate.ts';
import type { Cpu, Gpu, KernelArchitecture } from './model.ts';
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
  const set = str(at(processor, ['InstructionSet']));
  if (set !== undefined && Object.hasOwn(BY_INSTRUCTION_SET, set)) return BY_INSTRUCTION_SET[set];
  const architecture = str(at(processor, ['ProcessorArchitecture']));
  if (architecture !== undefined && Object.hasOwn(BY_ARCHITECTURE, architecture)) return BY_ARCHITECTURE[architecture];
  const model = `${str(at(processor, ['Model'])) ?? ''} ${str(at(processor, ['Manufacturer'])) ?? ''}`;
  if (/intel|amd|xeon|epyc|hygon/i.test(model)) return 'x86_64';
  if (/ampere|altra|graviton|neoverse|cavium|thunderx|kunpeng|grace/i.test(model)) return 'aarch64';
  if (/power\s?(8|9|10)|ibm/i.test(model)) return 'ppc64le';
  return undefined;
}

/** A GPU listed as a processor, with the PCIe resources it links (to merge with the PCIe view). */
export interface ProcessorGpu {
  readonly gpu: Gpu;
  readonly links: readonly string[];
}

/** What the processors of one system say. */
export interface ProcessorReading {
  readonly cpus: Cpu[];
  readonly gpus: ProcessorGpu[];
  readonly architecture?: KernelArchitecture;
}

/** Reads CPU sockets and processor-type GPUs of a system. */
export function readProcessors(system: Resource, reader: SectionReader, findings: ReadContext['findings']): ProcessorReading {
  const members = reader.members(linkAt(system, ['Processors']));
  const found: { socket: string; body: Resource; path: string }[] = [];
  const gpus: ProcessorGpu[] = [];
  for (const body of members) {
    const path = str(body['@odata.id']) ?? '(processor)';
    const type = str(body.ProcessorType);
    if (str(at(body, ['Status', 'State'])) === 'Absent') continue;
    if (type === 'GPU') {
      const links = [...linksAt(body, ['Links', 'PCIeDevice']), ...linksAt(body, ['Links', 'PCIeFunctions'])];
      gpus.push({ gpu: gpuOf(body, path), links: links.map(normalisePath) });
      continue;
    }
    if (type !== undefined && type !== 'CPU') continue; // FPGA, DSP, sub-processors (Core, Thread)
    found.push({ socket: text(body.Socket) ?? str(body.Id) ?? path, body, path });
  }
  found.sort((a, b) => naturalCompare(a.socket, b.socket));
  const siblings = threadsPerCore(found.map((entry) => entry.body));
  const cpus = found.map(({ socket, body, path }, index) => cpuOf(socket, index, body, siblings, { resource: path, findings }));
  if (cpus.length === 0) {
    const fromSummary = summaryCpus(system, { resource: str(system['@odata.id']) ?? '(system)', findings });
    cpus.push(...fromSummary);
  }
  const architecture = cpus.find((cpu) => cpu.architecture !== undefined)?.architecture;
  return { cpus, gpus, ...(architecture ? { architecture } : {}) };
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
  let cores = coresRead ?? threadsRead ?? 1;
  let threads = threadsRead ?? cores;
  if (threadsRead === undefined) {
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
  if (coresRead === undefined) note(ctx, 'TotalCores', `missing; assumed ${cores}`);
  if (threads < cores) {
    note(ctx, 'TotalThreads', `fewer threads (${threads}) than cores (${cores}); using ${cores}`);
    threads = cores;
  }
  cores = Math.max(1, cores);
  const architecture = kernelArchitecture(body);
  const maxSpeedMHz = positive(body.MaxSpeedMHz, LIMITS.mhz, ctx, 'MaxSpeedMHz');
  const speedMHz = positive(body.OperatingSpeedMHz, LIMITS.mhz, ctx, 'OperatingSpeedMHz');
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

// ProcessorSummary: sockets and logical processors only; spread threads evenly over sockets.
function summaryCpus(system: Resource, ctx: ReadContext): Cpu[] {
  const sockets = positive(at(system, ['ProcessorSummary', 'Count']), LIMITS.sockets, ctx, 'ProcessorSummary/Count');
  const logical = positive(at(system, ['ProcessorSummary', 'LogicalProcessorCount']), LIMITS.threads, ctx, 'ProcessorSummary/LogicalProcessorCount');
  if (sockets === undefined && logical === undefined) return [];
  const socketCount = sockets ?? 1;
  const threads = Math.max(1, Math.floor((logical ?? socketCount) / socketCount));
  const model = text(at(system, ['ProcessorSummary', 'Model']));
  note(ctx, 'ProcessorSummary', 'no processor members; sockets and threads taken from the summary');
  return Array.from({ length: socketCount }, (_, index) => ({
    socket: `CPU ${index + 1}`,
    index,
    cores: threads,
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
