// What a sweep reports: per machine, per BMC and for the whole sweep. Plain data, written as the
// `--json` report and shown as the sweep's table.
import type { SectionName } from '../inventory/model.ts';
import type { BmcOutcome } from '../registry/bmc-state.ts';

/** A section of a machine that could not be read this sweep (its data, if any, is an earlier sweep's). */
export interface UnknownSection {
  readonly section: SectionName;
  /** Error class of the first read it needed that failed (licence, timeout, server …). */
  readonly kind: string;
  /** That read's path. */
  readonly path?: string;
  /** When the earlier reading shown in its place was taken (ISO time), if there is one. */
  readonly keptFrom?: string;
}

/** What happened to one machine (one ComputerSystem) behind a BMC. */
export interface MachineResult {
  readonly system: string;
  readonly outcome: BmcOutcome;
  readonly systemId?: string;
  readonly hostname?: string;
  /** Why it was skipped or failed; for a push, what it could not report. */
  readonly reason?: string;
  /** Error class of a failure: a Redfish read's kind, or `target` when the target refused. */
  readonly errorKind?: string;
  /** What changed since the last sweep, in words. */
  readonly changes?: readonly string[];
  /** Sections that could not be read: the machine is incomplete. */
  readonly unknown?: readonly UnknownSection[];
}

/**
 * How one BMC's sweep ended: what the registry records (BmcOutcome), or `cancelled` when the sweep
 * was interrupted while the BMC was in flight (nothing of it is kept; nothing is recorded).
 */
export type SweepOutcome = BmcOutcome | 'cancelled';

/** Every outcome, in the order summaries list them. */
export const SWEEP_OUTCOMES: readonly SweepOutcome[] = ['created', 'updated', 'unchanged', 'skipped', 'failed', 'cancelled'];

/** The word a report shows for an outcome: what happened, or in a dry run what would (`would create`). */
export function outcomeWord(outcome: SweepOutcome, dryRun: boolean): string {
  if (!dryRun) return outcome;
  return outcome === 'created' ? 'would create' : outcome === 'updated' ? 'would update' : outcome;
}

/** What happened to one BMC. */
export interface BmcResult {
  readonly name: string;
  readonly address: string;
  readonly outcome: SweepOutcome;
  /** An address of a discovery range where no Redfish service answered (skipped; expected of most of a range). */
  readonly noAnswer?: true;
  readonly errorKind?: string;
  readonly message?: string;
  readonly requests: number;
  readonly bytes: number;
  readonly notModified: number;
  /** Resources taken from the last sweep's reads, not read again (between full reads). */
  readonly reused: number;
  readonly ms: number;
  /** The BMC was found to answer one request at a time, and was sent one at a time. */
  readonly serial?: true;
  readonly machines: readonly MachineResult[];
  /** Sections that could not be read, refused links and the like. */
  readonly warnings: readonly string[];
}

/** The result of a sweep. */
export interface SweepReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly ms: number;
  readonly dryRun: boolean;
  readonly results: readonly BmcResult[];
  readonly totals: Readonly<Record<SweepOutcome, number>>;
}
