// A fleet of simulated BMCs: N machines made from a few trees, each BMC serving its tree as a distinct
// machine (fleet identity i), all sharing one certificate, plus the BMC list file the CLI reads.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Document, isMap } from 'yaml';
import { loadMockup, type Mockup } from '../mockup.ts';
import { startBmc, type SimulatedBmc } from './bmc.ts';
import { invalid, isInteger } from './check.ts';
import type { FaultRule } from './faults.ts';
import { fleetLatency, type SlowBmcs } from './latency.ts';
import { DEFAULT_BMC_OPTIONS, loadBehaviour, type BmcBehaviour, type BmcOptions, type TlsCredentials } from './options.ts';
import { certificateHosts, generateCertificate } from './tls.ts';

/** One tree a fleet is made from. */
export interface FleetTree {
  /** Used in BMC names, e.g. `dell-r750-idrac9`. */
  readonly name: string;
  readonly mockup: Mockup;
  readonly behaviour?: BmcBehaviour;
}

/** Options of `startFleet`; every BMC option except the per-machine ones is a default for all BMCs. */
export interface FleetOptions extends Omit<BmcOptions, 'mockup' | 'behaviour' | 'name' | 'port' | 'identity' | 'tls' | 'faults'> {
  /** The trees; BMC i serves tree i % trees.length unless `mix` is given. */
  readonly trees: readonly FleetTree[];
  /** Number of BMCs. @default trees.length */
  readonly size?: number;
  /** Relative weight of each tree (same length as `trees`), spread evenly over the fleet. @default equal */
  readonly mix?: readonly number[];
  /** `false` serves plain HTTP. @default one certificate generated for the whole fleet */
  readonly tls?: false | TlsCredentials;
  /** BMC i listens on basePort + i; 0 picks ephemeral ports (much slower past ~7,000 BMCs on Linux). @default 0 */
  readonly basePort?: number;
  /** BMCs started at once. @default 64 */
  readonly startConcurrency?: number;
  /** Fault rules of every BMC, or of BMC i as a function of its index. @default [] */
  readonly faults?: readonly FaultRule[] | ((index: number) => readonly FaultRule[]);
  /** Every `every`-th BMC answers `factor` times slower than `latency` says. @default none */
  readonly slow?: SlowBmcs;
}

/** Counters summed over a fleet (`peakConcurrent` is the highest of any one BMC). */
export interface FleetTotals {
  readonly bmcs: number;
  readonly requests: number;
  readonly notModified: number;
  readonly bytesOut: number;
  readonly sessionsCreated: number;
  readonly sessionsDeleted: number;
  readonly openSessions: number;
  readonly peakConcurrent: number;
  readonly authFailures: number;
}

/** Options of `writeBmcList`. */
export interface BmcListOptions {
  /** The name of the credentials entry each BMC refers to. @default 'simulator' */
  readonly credentialsRef?: string;
}

/** A running fleet. */
export interface SimulatedFleet {
  /** BMC i serves fleet identity i. */
  readonly bmcs: readonly SimulatedBmc[];
  /** The fleet's certificate, for clients to use as their CA file; undefined over plain HTTP. */
  readonly caPem: string | undefined;
  readonly fingerprint256: string | undefined;
  /** Closes every BMC. */
  close(): Promise<void>;
  /** Counters summed over the fleet. */
  totals(): FleetTotals;
  /** Writes the YAML BMC list the CLI reads, and `sim-ca.pem` beside it when TLS is on. */
  writeBmcList(file: string, options?: BmcListOptions): Promise<void>;
}

/** Defaults of the fleet-only options. */
export const DEFAULT_FLEET_OPTIONS = { basePort: 0, startConcurrency: 64 } as const;

/** Loads trees from folders: the mockup, its `simulator.json`, and the folder's name. */
export async function loadTrees(dirs: readonly string[]): Promise<FleetTree[]> {
  return Promise.all(dirs.map(async (dir) => ({
    name: basename(resolve(dir)),
    mockup: await loadMockup(dir),
    behaviour: await loadBehaviour(dir),
  })));
}

/** Starts `size` BMCs with bounded parallelism; on a failure, closes those started and rethrows. */
export async function startFleet(options: FleetOptions): Promise<SimulatedFleet> {
  const {
    trees,
    size = options.trees?.length,
    mix,
    tls,
    basePort = DEFAULT_FLEET_OPTIONS.basePort,
    startConcurrency = DEFAULT_FLEET_OPTIONS.startConcurrency,
    faults,
    slow,
    ...common
  } = options;
  if (!Array.isArray(trees) || trees.length === 0) throw invalid('trees', 'a non-empty array of {name, mockup, behaviour}', trees);
  if (!isInteger(size, 1)) throw invalid('size', 'an integer from 1 and up', size);
  const weights = (value: unknown): boolean =>
    Array.isArray(value) && value.length === trees.length && value.every((w) => typeof w === 'number' && w >= 0) && value.some((w) => w > 0);
  if (mix !== undefined && !weights(mix)) {
    throw invalid('mix', `${trees.length} weights from 0 and up, at least one above 0`, mix);
  }
  if (!isInteger(basePort, 0, 65_535 - size + 1)) throw invalid('basePort', `an integer from 0 to ${65_536 - size}`, basePort);
  if (!isInteger(startConcurrency, 1)) throw invalid('startConcurrency', 'an integer from 1 and up', startConcurrency);
  if (slow !== undefined && !(isInteger(slow.every, 1) && typeof slow.factor === 'number' && Number.isFinite(slow.factor) && slow.factor > 0)) {
    throw invalid('slow', '{every: an integer from 1 and up, factor: a number above 0}', slow);
  }
  const latency = common.latency ?? DEFAULT_BMC_OPTIONS.latency;
  const host = common.host ?? DEFAULT_BMC_OPTIONS.host;
  const certificate = tls ?? (await generateCertificate({ hosts: certificateHosts(host) }));
  const assignment = assignTrees(size, mix ?? trees.map(() => 1));
  const width = Math.max(4, String(size).length);
  const bmcs: SimulatedBmc[] = new Array(size);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < size && !failed) {
      const i = next++;
      const tree = trees[assignment[i] ?? 0] as FleetTree;
      try {
        bmcs[i] = await startBmc({
          ...common,
          mockup: tree.mockup,
          ...(tree.behaviour === undefined ? {} : { behaviour: tree.behaviour }),
          name: `sim-${String(i + 1).padStart(width, '0')}-${tree.name}`,
          port: basePort === 0 ? 0 : basePort + i,
          tls: certificate,
          identity: i,
          latency: fleetLatency(latency, slow, i),
          ...(faults === undefined ? {} : { faults: typeof faults === 'function' ? faults(i) : faults }),
          seed: (common.seed ?? DEFAULT_BMC_OPTIONS.seed) + i,
        });
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Settled, not raced: every BMC that did start is known, and closed, before the error is thrown.
  const results = await Promise.allSettled(Array.from({ length: Math.min(startConcurrency, size) }, worker));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(bmcs.filter(Boolean).map((bmc) => bmc.close()));
    throw failure.reason;
  }
  return fleet(bmcs, certificate === false ? undefined : certificate.cert);
}

function fleet(bmcs: readonly SimulatedBmc[], caPem: string | undefined): SimulatedFleet {
  return {
    bmcs,
    caPem,
    fingerprint256: bmcs[0]?.fingerprint256,
    close: async () => {
      await Promise.all(bmcs.map((bmc) => bmc.close()));
    },
    totals: () => {
      const totals = {
        bmcs: bmcs.length,
        requests: 0,
        notModified: 0,
        bytesOut: 0,
        sessionsCreated: 0,
        sessionsDeleted: 0,
        openSessions: 0,
        peakConcurrent: 0,
        authFailures: 0,
      };
      for (const { stats } of bmcs) {
        totals.requests += stats.requests;
        totals.notModified += stats.notModified;
        totals.bytesOut += stats.bytesOut;
        totals.sessionsCreated += stats.sessionsCreated;
        totals.sessionsDeleted += stats.sessionsDeleted;
        totals.openSessions += stats.openSessions;
        totals.peakConcurrent = Math.max(totals.peakConcurrent, stats.peakConcurrent);
        totals.authFailures += stats.authFailures;
      }
      return totals;
    },
    writeBmcList: async (file, options = {}) => {
      const credentialsRef = options.credentialsRef ?? 'simulator';
      const path = resolve(file);
      await mkdir(dirname(path), { recursive: true });
      const caFile = join(dirname(path), 'sim-ca.pem');
      if (caPem !== undefined) {
        await writeFile(caFile, caPem, { mode: 0o644 });
        // The mode given to writeFile is masked by the umask and ignored for an existing file.
        await chmod(caFile, 0o644);
      }
      const doc = new Document({
        bmcs: bmcs.map((bmc) => ({
          address: bmc.url,
          name: bmc.name,
          credentials: credentialsRef,
          ...(caPem === undefined ? {} : { tls: { mode: 'ca', caFile } }),
        })),
      });
      // On the top map rather than the document, so no blank line separates the comment from `bmcs:`.
      if (isMap(doc.contents)) doc.contents.commentBefore = ` Written by redfish-enlist simulate: ${bmcs.length} simulated BMCs`;
      if (caPem !== undefined) {
        for (let i = 0; i < bmcs.length; i++) {
          const node = doc.getIn(['bmcs', i, 'tls'], true);
          if (isMap(node)) node.flow = true;
        }
      }
      await writeFile(path, doc.toString({ lineWidth: 0 }));
    },
  };
}

// Smooth weighted round-robin (as nginx balances upstreams): deterministic, and every prefix of the
// fleet is mixed in proportion to the weights.
function assignTrees(size: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const current = weights.map(() => 0);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    let best = 0;
    for (let t = 0; t < weights.length; t++) {
      current[t] = (current[t] ?? 0) + (weights[t] ?? 0);
      if ((current[t] ?? 0) > (current[best] ?? 0)) best = t;
    }
    current[best] = (current[best] ?? 0) - total;
    out.push(best);
  }
  return out;
}
