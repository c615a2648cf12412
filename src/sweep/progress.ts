// What a sweep's progress display reads while it runs: how many BMCs are done and failed, and
// which are in flight since when. The sweep writes it (SweepTracker); displays read it through
// SweepProgress only, so what one shows (a terminal bar, a log line for a BMC that hangs) can
// change without touching the sweep. Time comes from the injected clock, in milliseconds.
import type { BmcConfig } from './config.ts';

/** A BMC being swept now. */
export interface InFlightBmc {
  readonly name: string;
  readonly address: string;
  /** When its sweep started, on the tracker's clock. */
  readonly startedAt: number;
}

/** A sweep's progress at one moment. */
export interface ProgressSnapshot {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** BMCs not started yet. */
  readonly queued: number;
  /** In flight, longest-running first. */
  readonly inFlight: readonly (InFlightBmc & { readonly ms: number })[];
  readonly elapsedMs: number;
  /** Time left, from the rate BMCs finish at; undefined until one has finished, or when only stragglers are left. */
  readonly etaMs?: number;
}

/** The read side: what a display may ask of a running sweep. */
export interface SweepProgress {
  snapshot(): ProgressSnapshot;
}

/** The write side, kept by the sweep. */
export class SweepTracker implements SweepProgress {
  readonly #now: () => number;
  readonly #inFlight = new Map<BmcConfig, InFlightBmc>();
  readonly #durations: number[] = [];
  #total = 0;
  #done = 0;
  #failed = 0;
  #startedAt = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** A sweep of `total` BMCs starts. */
  begin(total: number): void {
    this.#total = total;
    this.#startedAt = this.#now();
  }

  /** One BMC's sweep starts. */
  started(bmc: BmcConfig): void {
    this.#inFlight.set(bmc, { name: bmc.name, address: bmc.address, startedAt: this.#now() });
  }

  /** One BMC is done (swept, failed, cancelled or never started). */
  finished(bmc: BmcConfig, outcome: string): void {
    const running = this.#inFlight.get(bmc);
    if (running) this.#durations.push(this.#now() - running.startedAt);
    this.#inFlight.delete(bmc);
    this.#done++;
    if (outcome === 'failed') this.#failed++;
  }

  snapshot(): ProgressSnapshot {
    const now = this.#now();
    const inFlight = [...this.#inFlight.values()].map((bmc) => ({ ...bmc, ms: now - bmc.startedAt })).sort((a, b) => b.ms - a.ms);
    const elapsedMs = now - this.#startedAt;
    const queued = this.#total - this.#done - inFlight.length;
    const etaMs = this.#eta(queued, inFlight, elapsedMs);
    return { total: this.#total, done: this.#done, failed: this.#failed, queued, inFlight, elapsedMs, ...(etaMs === undefined ? {} : { etaMs }) };
  }

  // While BMCs are queued: the rate they finish at, over the time so far. Once all that is left is
  // in flight: the longest of each one's typical (median) duration still to run; none when every
  // one left has run past it (a straggler's end cannot be told; the display names it instead).
  #eta(queued: number, inFlight: readonly { ms: number }[], elapsedMs: number): number | undefined {
    if (this.#done === 0) return undefined;
    if (queued > 0) return Math.round(((queued + inFlight.length) * elapsedMs) / this.#done);
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median === undefined) return undefined;
    const left = inFlight.map((bmc) => median - bmc.ms).filter((ms) => ms > 0);
    return left.length === inFlight.length && left.length > 0 ? Math.round(Math.max(...left)) : undefined;
  }
}
