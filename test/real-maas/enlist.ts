// Enlisting the project's fixtures into the real MAAS region with a sweep, as an operator would:
// simulated BMCs (TLS, addressed `host:port` as MAAS keeps power addresses) and the `maas` target
// with the region's admin key. What MAAS then stores is read back with MAAS's own CLI.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MaasTarget, type MaasTargetOptions } from '../../src/maas/target.ts';
import { loadTrees, startFleet, type SimulatedBmc, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { runSweep, type SweepReport } from '../../src/sweep/sweep.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { adminKey, MAAS_URL } from './region.ts';

/** A fleet swept into the region: each fixture tree's machine by system id, and the report. */
export interface Enlisted {
  readonly fleet: SimulatedFleet;
  readonly report: SweepReport;
  /** Fixture tree name → MAAS system id of its machine. */
  readonly systemIds: ReadonlyMap<string, string>;
  /** Sweeps the same fleet again with the same collector memory. */
  sweepAgain(): Promise<SweepReport>;
  close(): Promise<void>;
}

/** How fixtures are served and swept into the region. */
export interface EnlistOptions {
  readonly target?: Partial<MaasTargetOptions>;
  /** Changes a BMC before the sweep. */
  readonly prepare?: (bmc: SimulatedBmc, tree: string) => void;
  /** Serve the BMCs over plain HTTP, configured as `http://host:port` URLs. @default HTTPS, configured as `host:port` */
  readonly http?: boolean;
}

/** A fleet swept into the region, whatever each BMC's outcome. */
export interface Swept {
  readonly fleet: SimulatedFleet;
  readonly report: SweepReport;
  /** Sweeps the same fleet again with the same collector memory. */
  sweepAgain(): Promise<SweepReport>;
  close(): Promise<void>;
}

/** One simulated BMC per fixture TREES, swept into the region; PREPARE may change a BMC before the sweep. */
export async function sweepFixtures(trees: readonly string[], options: EnlistOptions = {}): Promise<Swept> {
  const fleet = await startFleet({ trees: await loadTrees(trees.map((tree) => join(FIXTURES, tree))), ...(options.http ? { tls: false as const } : {}) });
  const state = temporaryStore();
  fleet.bmcs.forEach((bmc, index) => options.prepare?.(bmc, trees[index]!));
  const configs: BmcConfig[] = fleet.bmcs.map((bmc) => ({
    name: bmc.name,
    address: options.http ? bmc.url : `${bmc.host}:${bmc.port}`,
    username: bmc.credentials.username,
    password: bmc.credentials.password,
    credentials: 'simulator',
    tls: { mode: 'insecure' },
    tags: [],
    client: {},
    discovered: false,
  }));
  const sweep = async () => {
    const target = new MaasTarget({ url: MAAS_URL, apiKey: adminKey(), skipCheck: true, ...options.target });
    try {
      return await runSweep(configs, target, state.store, { concurrency: 4, client: { requestTimeoutMs: 30_000 } });
    } finally {
      await target.close();
    }
  };
  return {
    fleet,
    report: await sweep(),
    sweepAgain: sweep,
    close: async () => {
      await fleet.close();
      state.dispose();
    },
  };
}

/** One simulated BMC per fixture TREES, swept into the region, each machine created (anything else throws). */
export async function enlistFixtures(trees: readonly string[], options: EnlistOptions = {}): Promise<Enlisted> {
  const swept = await sweepFixtures(trees, options);
  const systemIds = new Map<string, string>();
  for (const result of swept.report.results) {
    const tree = trees[swept.fleet.bmcs.findIndex((bmc) => bmc.name === result.name)]!;
    const systemId = result.machines[0]?.systemId;
    if (result.outcome !== 'created' || systemId === undefined) {
      await swept.close();
      throw new Error(`enlisting ${tree}: ${result.outcome} ${result.message ?? result.machines[0]?.reason ?? ''}`);
    }
    systemIds.set(tree, systemId);
  }
  return { ...swept, systemIds };
}

/**
 * MAAS's JSON answer to a GET of PATH (relative to the MAAS URL), signed with the admin key as
 * MAAS's own clients sign (OAuth PLAINTEXT): a reader a hundred times faster than a CLI process.
 */
export async function maasRead<T = unknown>(path: string): Promise<T> {
  const [consumer = '', token = '', secret = ''] = adminKey().split(':');
  const authorization =
    `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${consumer}", oauth_token="${token}", ` +
    `oauth_signature="&${encodeURIComponent(secret)}", oauth_nonce="${randomUUID()}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
  const response = await fetch(new URL(path, MAAS_URL), { headers: { authorization, accept: 'application/json' } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
