// Processor (DMTF Processor v1.0+; seen v1.0 to v1.18 in fixtures).
import type { OpenEnum, ResourceBase } from './common.ts';

/** Processor.ProcessorType. */
export type ProcessorType = OpenEnum<'CPU' | 'GPU' | 'FPGA' | 'DSP' | 'Accelerator' | 'Core' | 'Thread' | 'OEM'>;

/** Processor.ProcessorArchitecture. */
export type ProcessorArchitecture = OpenEnum<'x86' | 'IA-64' | 'ARM' | 'MIPS' | 'Power' | 'RISC-V' | 'OEM'>;

/** Processor.InstructionSet. */
export type InstructionSet = OpenEnum<
  'x86' | 'x86-64' | 'IA-64' | 'ARM-A32' | 'ARM-A64' | 'MIPS32' | 'MIPS64' | 'PowerISA' | 'RV32' | 'RV64' | 'OEM'
>;

/** One processor socket (or GPU, FPGA…). */
export interface Processor extends ResourceBase {
  readonly ProcessorType?: ProcessorType;
  readonly ProcessorArchitecture?: ProcessorArchitecture;
  readonly InstructionSet?: InstructionSet;
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly Socket?: string;
  readonly TotalCores?: number;
  readonly TotalEnabledCores?: number;
  readonly TotalThreads?: number;
  readonly MaxSpeedMHz?: number;
  readonly OperatingSpeedMHz?: number;
  readonly SerialNumber?: string;
  readonly PartNumber?: string;
  readonly ProcessorId?: { readonly VendorId?: string; readonly EffectiveFamily?: string; readonly EffectiveModel?: string };
}
