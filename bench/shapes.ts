// The fleets `npm run bench` sweeps, and the floor each one's BMCs allow. Pure: no I/O.
//
// A shape is what the BMCs do (how many requests each works on at once, whether it keeps
// connections, how long an answer takes); the collector's settings are the same for every shape.
import type { Latency, SlowBmcs } from '../src/redfish/simulator/index.ts';
import { fleetLatency } from '../src/redfish/simulator/index.ts';

/** The shapes, in the order they are run and printed. */
export const SHAPE_NAMES = ['today', 'serial', 'closing', 'slow', 'hung', 'mockup-server'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** The sweeps of a shape: a first sweep, an unchanged re-sweep, a first sweep without `$expand`. */
export type PhaseName = 'first' | 'again' | 'plain';

/** One fleet to sweep. */
export interface Shape {
  readonly name: ShapeName;
  /** What the BMCs do, in words, for the report. */
  readonly title: string;
  readonly size: number;
  /** Who answers: the project's simulator, or DMTF's Redfish-Mockup-Server. */
  readonly server: 'simulator' | 'dmtf';
  /** Every answer's delay; its mean is the latency the floor counts. */
  readonly latency: Latency;
  readonly slow?: SlowBmcs;
  /** Answers each BMC works on at once; 1 is a serial BMC (the others wait in its backlog). */
  readonly connections: number;
  readonly keepAlive: boolean;
  /** BMCs that answer the service root and login, then nothing (a wedged web server). */
  readonly hung: readonly number[];
  readonly phases: readonly PhaseName[];
  /** The collector's deadlines for this shape. */
  readonly requestTimeoutMs: number;
  readonly bmcDeadlineMs: number;
}

/** What the command line sets for every shape. */
export interface ShapeOptions {
  readonly size: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Answers at once per BMC in today's shape. */
  readonly connections: number;
  /** Today's shape: also a first sweep without `$expand`. */
  readonly plain: boolean;
  readonly firstOnly: boolean;
  readonly slowSize: number;
  readonly slowLatencyMs: number;
  readonly mockupSize: number;
  readonly hungDeadlineMs: number;
}

/** The shapes named, built from the command line's options. */
export function buildShapes(names: readonly ShapeName[], options: ShapeOptions): Shape[] {
  const latency = { fixedMs: options.latencyMs, jitterMs: options.jitterMs };
  const again = (phases: readonly PhaseName[]) => (options.firstOnly ? phases.filter((phase) => phase === 'first') : phases);
  const base = { size: options.size, server: 'simulator' as const, latency, connections: options.connections, keepAlive: true, hung: [], requestTimeoutMs: 30_000, bmcDeadlineMs: 600_000 };
  const all: Record<ShapeName, Shape> = {
    today: { ...base, name: 'today', title: `${options.connections} answers at once per BMC, keep-alive`, phases: again(options.plain ? ['first', 'again', 'plain'] : ['first', 'again']) },
    serial: { ...base, name: 'serial', title: 'one answer at a time per BMC, the others wait in its backlog', connections: 1, phases: again(['first', 'again']) },
    closing: { ...base, name: 'closing', title: `${options.connections} answers at once, Connection: close on every answer`, keepAlive: false, phases: ['first'] },
    slow: {
      ...base,
      name: 'slow',
      size: Math.min(options.size, options.slowSize),
      title: `${options.slowLatencyMs} ms mean, log-normal tail (σ 0.8), every 50th BMC 10× slower`,
      latency: { fixedMs: options.slowLatencyMs, jitterMs: 0, tail: 0.8 },
      slow: { every: 50, factor: 10 },
      phases: again(['first', 'again']),
    },
    hung: {
      ...base,
      name: 'hung',
      title: `one BMC answers its service root and login, then nothing; deadlines.bmc ${options.hungDeadlineMs / 1000} s`,
      hung: [Math.floor(options.size / 2)],
      requestTimeoutMs: 10_000,
      bmcDeadlineMs: options.hungDeadlineMs,
      phases: ['first'],
    },
    'mockup-server': {
      ...base,
      name: 'mockup-server',
      size: Math.min(options.size, options.mockupSize),
      server: 'dmtf',
      title: "DMTF's Redfish-Mockup-Server: one request at a time, HTTP/1.0, no ETags",
      latency: { fixedMs: options.latencyMs, jitterMs: 0 },
      connections: 1,
      keepAlive: false,
      phases: again(['first', 'again']),
    },
  };
  return names.map((name) => all[name]);
}

/** The collector's limits, which bound every floor. */
export interface Collector {
  /** BMCs in flight. */
  readonly concurrency: number;
  /** Requests in flight per BMC. */
  readonly perBmc: number;
  /** Requests in flight across the fleet. */
  readonly budget: number;
}

/** The mean latency of BMC `index`: what one answer costs it on average. */
export function meanLatencyMs(shape: Shape, index: number): number {
  return fleetLatency(shape.latency, shape.slow, index).fixedMs;
}

/** Requests a BMC of this shape can usefully have in flight. */
export function lanes(shape: Shape, collector: Collector): number {
  return Math.min(shape.connections, collector.perBmc);
}

/**
 * The least time a BMC needs for `requests` answers (../shared/docs/redfish-collection.md): a
 * serial BMC answers one after the other, requests × latency; otherwise ⌈requests / lanes⌉ × latency.
 */
export function bmcFloorMs(shape: Shape, collector: Collector, index: number, requests: number): number {
  return Math.ceil(requests / lanes(shape, collector)) * meanLatencyMs(shape, index);
}

/**
 * The least time the fleet needs: its slowest BMC's floor, or all its answers' latency shared by
 * the requests that can be in flight at once, whichever is longer.
 */
export function fleetFloorMs(shape: Shape, collector: Collector, bmcs: readonly { readonly index: number; readonly requests: number }[]): number {
  const capacity = Math.min(collector.budget, collector.concurrency * lanes(shape, collector));
  let longest = 0;
  let work = 0;
  for (const { index, requests } of bmcs) {
    longest = Math.max(longest, bmcFloorMs(shape, collector, index, requests));
    work += requests * meanLatencyMs(shape, index);
  }
  return Math.max(longest, work / capacity);
}

/** The mean, 95th percentile and largest of a list of ratios. */
export function spread(values: readonly number[]): { mean: number; p95: number; max: number } {
  if (values.length === 0) return { mean: Number.NaN, p95: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!,
    max: sorted.at(-1)!,
  };
}
