// How long a simulated BMC takes to answer: a fixed delay with uniform jitter, optionally times a
// heavy-tailed factor, and a few BMCs of a fleet many times slower than the rest.
import type { Latency } from './options.ts';

/** A few BMCs much slower than the rest of a fleet. */
export interface SlowBmcs {
  /** Every `every`-th BMC is slow: indexes every−1, 2·every−1, … */
  readonly every: number;
  /** How many times slower than the fleet's latency. */
  readonly factor: number;
}

/** One answer's delay in ms, drawn with `random` (uniform in [0, 1)). */
export function answerDelay(latency: Latency, random: () => number): number {
  const { fixedMs, jitterMs, tail = 0 } = latency;
  const base = jitterMs === 0 ? fixedMs : Math.max(0, fixedMs + (random() * 2 - 1) * jitterMs);
  if (tail === 0) return base;
  // Box–Muller: a standard normal from two uniforms; the factor e^(σZ − σ²/2) has mean 1.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return base * Math.exp(tail * normal - (tail * tail) / 2);
}

/** The latency of BMC `index` in a fleet whose latency is `latency`. */
export function fleetLatency(latency: Latency, slow: SlowBmcs | undefined, index: number): Latency {
  if (slow === undefined || (index + 1) % slow.every !== 0) return latency;
  return { ...latency, fixedMs: latency.fixedMs * slow.factor, jitterMs: latency.jitterMs * slow.factor };
}
