import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { kernelArchitecture } from '../../src/inventory/cpu.ts';
import { parseCommissioningData } from '../../src/inventory/document.ts';
import { toInventory } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { caseFile, sourceOf, failedRead } from '../helpers/mockup.ts';
import { PATHS, tree } from '../helpers/redfish-tree.ts';

const xeon = { ProcessorType: 'CPU', InstructionSet: 'x86-64', Model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', Manufacturer: 'Intel(R) Corporation', TotalCores: 32, TotalThreads: 64, MaxSpeedMHz: 3200, OperatingSpeedMHz: 2000, Status: { State: 'Enabled' } };
const inventoryOf = (spec: Parameters<typeof tree>[0]) => toInventory(sourceOf(tree(spec)), PATHS.SYSTEM)!;

describe('processors', () => {
  it('counts threads across sockets', () => {
    const inventory = inventoryOf({ processors: [{ ...xeon, Socket: 'CPU 1' }, { ...xeon, Socket: 'CPU 2' }] });
    expect(inventory.cpus.map((cpu) => [cpu.socket, cpu.index, cpu.cores, cpu.threads])).toEqual([
      ['CPU 1', 0, 32, 64],
      ['CPU 2', 1, 32, 64],
    ]);
    expect(inventory.architecture).toBe('x86_64');
  });

  it('orders sockets as people number them, not as strings sort', () => {
    const sockets = ['CPU 10', 'CPU 2', 'CPU 1'].map((Socket) => ({ ...xeon, Socket }));
    expect(inventoryOf({ processors: sockets }).cpus.map((cpu) => cpu.socket)).toEqual(['CPU 1', 'CPU 2', 'CPU 10']);
  });

  it('assumes one thread per core when TotalThreads is missing, and says so', async () => {
    const inventory = inventoryOf({ processors: [await caseFile('processor', 'total-threads-missing')] });
    expect(inventory.cpus[0]).toMatchObject({ cores: 16, threads: 16 });
    expect(inventory.findings).toContainEqual(expect.objectContaining({ path: 'TotalThreads', problem: expect.stringContaining('one thread per core') }));
  });

  it('reads MaxSpeedMHz sent as a string, with a finding', async () => {
    const inventory = inventoryOf({ processors: [await caseFile('processor', 'max-speed-string')] });
    expect(inventory.cpus[0]?.maxSpeedMHz).toBe(3200);
    expect(inventory.findings).toContainEqual(expect.objectContaining({ path: 'MaxSpeedMHz', problem: expect.stringContaining('string') }));
  });

  it('skips empty sockets reported as Absent', async () => {
    const inventory = inventoryOf({ processors: [{ ...xeon, Socket: 'CPU 1' }, await caseFile('processor', 'socket-absent')] });
    expect(inventory.cpus).toHaveLength(1);
  });

  it('reports GPUs listed as processors as GPUs, not CPUs', () => {
    const gpu = { ProcessorType: 'GPU', Manufacturer: 'NVIDIA', Model: 'A100-SXM4-40GB', SerialNumber: '1324520001234' };
    const inventory = inventoryOf({ processors: [{ ...xeon, Socket: 'CPU 1' }, gpu] });
    expect(inventory.cpus).toHaveLength(1);
    expect(inventory.gpus).toEqual([expect.objectContaining({ vendor: 'NVIDIA', product: 'A100-SXM4-40GB', serial: '1324520001234' })]);
  });

  it('falls back to ProcessorSummary when no processor member can be read', () => {
    const spec = { system: { ProcessorSummary: { Count: 2, LogicalProcessorCount: 96, Model: 'AMD EPYC 7413' } }, processors: [xeon] };
    const resources = tree(spec);
    resources[`${PATHS.SYSTEM}/Processors/CPU1`] = failedRead('server', 500);
    const inventory = toInventory(sourceOf(resources), PATHS.SYSTEM)!;
    expect(inventory.cpus.map((cpu) => cpu.threads)).toEqual([48, 48]);
    expect(inventory.sections.cpu.unknown).toBe(true);
  });

  it('invents no threads for a BMC whose summary counts only sockets: MAAS gets no CPU count rather than one per socket', () => {
    const inventory = inventoryOf({ system: { ProcessorSummary: { Count: 2 } } });
    expect(inventory.cpus.map((cpu) => [cpu.socket, cpu.cores, cpu.threads, cpu.model])).toEqual([
      ['CPU 1', 0, 0, undefined],
      ['CPU 2', 0, 0, undefined],
    ]);
    const document = toCommissioningData(inventory);
    expect(validateCommissioningData(document)).toEqual([]);
    expect(document.resources.cpu).toMatchObject({ total: 0, sockets: [{ name: '', cores: [] }, { name: '', cores: [] }] });
    expect(parseCommissioningData(document).cpuCount).toBe(0);
    expect(inventory.findings).toContainEqual(expect.objectContaining({ path: 'ProcessorSummary', problem: expect.stringContaining('threads and cores unknown') }));
  });

  it('says so when a summary counts threads but no sockets, and shows them all on one socket', () => {
    const inventory = inventoryOf({ system: { ProcessorSummary: { LogicalProcessorCount: 64 } } });
    expect(inventory.cpus.map((cpu) => [cpu.socket, cpu.cores, cpu.threads])).toEqual([['CPU 1', 0, 64]]);
    expect(inventory.findings).toContainEqual(
      expect.objectContaining({ path: 'ProcessorSummary', problem: 'no processor members; threads taken from the summary, cores unknown; it counts no sockets, so all are shown on one' }),
    );
  });

  it('takes cores from the summary when it counts them, and spreads its threads over them', () => {
    const inventory = inventoryOf({ system: { ProcessorSummary: { Count: 2, CoreCount: 48, LogicalProcessorCount: 96 } } });
    expect(inventory.cpus.map((cpu) => [cpu.cores, cpu.threads])).toEqual([
      [24, 48],
      [24, 48],
    ]);
    const sockets = (toCommissioningData(inventory).resources.cpu as { sockets: { cores: { threads: unknown[] }[] }[] }).sockets;
    expect(sockets.map((socket) => [socket.cores.length, socket.cores.flatMap((core) => core.threads).length])).toEqual([
      [24, 48],
      [24, 48],
    ]);
  });

  it('keeps a turbo figure given without a base speed as the turbo, which MAAS shows as the CPU speed as it would in-band', () => {
    const { OperatingSpeedMHz: _, ...turboOnly } = xeon;
    const epyc = { ...turboOnly, Model: 'AMD EPYC 7763 64-Core Processor', MaxSpeedMHz: 3525 };
    const inventory = inventoryOf({ processors: [epyc] });
    expect(inventory.cpus[0]).toMatchObject({ maxSpeedMHz: 3525 });
    expect(inventory.cpus[0]?.speedMHz).toBeUndefined();
    const document = toCommissioningData(inventory);
    const socket = (document.resources.cpu as { sockets: { frequency: number; frequency_turbo: number; cores: { frequency: number }[] }[] }).sockets[0]!;
    expect([socket.frequency, socket.frequency_turbo, socket.cores[0]!.frequency]).toEqual([0, 3525, 0]);
    expect(parseCommissioningData(document).cpuSpeed).toBe(3525);
  });

  it('takes the base speed as the speed when the BMC gives BaseSpeedMHz and no operating speed', () => {
    const { OperatingSpeedMHz: _, ...turboOnly } = xeon;
    const inventory = inventoryOf({ processors: [{ ...turboOnly, BaseSpeedMHz: 2000 }] });
    expect(inventory.cpus[0]).toMatchObject({ speedMHz: 2000, maxSpeedMHz: 3200 });
  });

  it('takes the architecture a processor declares over a name that looks like x86, whichever socket comes first', () => {
    const named = { ProcessorType: 'CPU', Socket: 'CPU 0', Model: 'Custom SoC (AMD-licensed fabric)', TotalCores: 64, TotalThreads: 64 };
    const declared = { ProcessorType: 'CPU', Socket: 'CPU 1', ProcessorArchitecture: 'ARM', TotalCores: 64, TotalThreads: 64 };
    expect(inventoryOf({ processors: [named, declared] }).architecture).toBe('aarch64');
  });

  it('takes the architecture from the summary model when there are no processor members', () => {
    expect(inventoryOf({ system: { ProcessorSummary: { Count: 1, LogicalProcessorCount: 80, Model: 'Ampere(R) Altra(R) Processor Q80-30' } } }).architecture).toBe('aarch64');
  });

  const architectureNotes = (spec: Parameters<typeof tree>[0]) => (inventoryOf(spec).notes ?? []).filter((entry) => entry.area === 'cpu' && entry.subject === 'architecture');
  const bare = { ProcessorType: 'CPU', Socket: 'CPU 0', TotalCores: 64, TotalThreads: 64 };

  it('says in the document when the architecture was read from model names rather than declared', () => {
    const spec = { processors: [{ ...bare, Model: 'Ampere(R) Altra(R) Processor Q80-30' }] };
    expect(inventoryOf(spec).architecture).toBe('aarch64');
    expect(architectureNotes(spec)).toEqual([expect.objectContaining({ action: 'flagged', reason: expect.stringContaining('read from their model and maker names') })]);
    const document = toCommissioningData(inventoryOf(spec));
    expect(JSON.stringify(document)).toContain('read from their model and maker names');
  });

  it('takes a CPUID vendor of GenuineIntel or AuthenticAMD as a declared x86_64, with no note', () => {
    for (const VendorId of ['GenuineIntel', 'AuthenticAMD']) {
      const spec = { processors: [{ ...bare, Model: 'Custom part 7', ProcessorId: { VendorId } }] };
      expect(inventoryOf(spec).architecture).toBe('x86_64');
      expect(architectureNotes(spec)).toEqual([]);
    }
  });

  it('says x86_64 is assumed when processors say nothing MAAS could tell an architecture from', () => {
    const spec = { processors: [{ ...bare, Model: 'Custom part 7' }] };
    expect(inventoryOf(spec).architecture).toBeUndefined();
    expect(JSON.stringify(toCommissioningData(inventoryOf(spec)))).toContain('"architecture":"x86_64"');
    expect(architectureNotes(spec)).toEqual([expect.objectContaining({ reason: expect.stringContaining('x86_64 is assumed') })]);
  });

  it('adds no architecture note when a processor declares its instruction set', () => {
    expect(architectureNotes({ processors: [{ ...xeon, Socket: 'CPU 1' }] })).toEqual([]);
  });

  it.each([
    [{ InstructionSet: 'x86-64' }, 'x86_64'],
    [{ InstructionSet: 'ARM-A64' }, 'aarch64'],
    [{ InstructionSet: 'PowerISA' }, 'ppc64le'],
    [{ InstructionSet: 'MIPS64' }, 'mips64'],
    [{ ProcessorArchitecture: 'ARM' }, 'aarch64'],
    [{ ProcessorArchitecture: 'x86' }, 'x86_64'],
    [{ Model: 'Ampere(R) Altra(R) Max Processor' }, 'aarch64'],
    [{ ProcessorId: { VendorId: 'AuthenticAMD' } }, 'x86_64'],
    [{ InstructionSet: 'RV64' }, undefined],
  ])('maps %o to the kernel architecture %s', (processor, expected) => {
    expect(kernelArchitecture(processor)).toBe(expected);
  });
});
