// The benchmark's simulated fleet, in its own process so its CPU is not the collector's. Prints
// one JSON line describing the fleet on stdout once every BMC listens, then serves until stdin
// closes. Lines on stdin: "stats" prints the fleet's totals; "reset" zeroes them; "change N R"
// gives N BMCs (chosen by round R) a DIMM with a new serial number, as a part swapped in the field.
import { createInterface } from 'node:readline';
import { loadTrees, startFleet, type FaultRule, type SlowBmcs } from '../src/redfish/simulator/index.ts';
import { fixtureTrees } from '../src/cli/fixtures.ts';

/** What the bench asks of the fleet. */
export interface FleetServerOptions {
  readonly size: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly tail?: number;
  readonly connections: number;
  readonly keepAlive?: boolean;
  readonly slow?: SlowBmcs;
  /** BMCs that answer the service root and login, then hang. */
  readonly hung?: readonly number[];
  /** Every n-th BMC answers 500 to everything but the service root and login (the soak's failing BMCs). */
  readonly failingEvery?: number;
  readonly mix?: readonly number[];
  readonly basePort?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FleetServerOptions;
const hung = new Set(options.hung ?? []);
const HANG: readonly FaultRule[] = [{ action: { type: 'hang' } }];
const FAILING: readonly FaultRule[] = [{ action: { type: 'status', status: 500 } }];
const trees = await loadTrees(fixtureTrees());
const fleet = await startFleet({
  trees,
  size: options.size,
  tls: false,
  latency: { fixedMs: options.latencyMs, jitterMs: options.jitterMs, ...(options.tail ? { tail: options.tail } : {}) },
  maxConcurrent: options.connections,
  ...(options.keepAlive === false ? { keepAlive: false } : {}),
  ...(options.slow ? { slow: options.slow } : {}),
  faults: (index) => (hung.has(index) ? HANG : options.failingEvery && index % options.failingEvery === options.failingEvery - 1 ? FAILING : []),
  ...(options.mix ? { mix: options.mix } : {}),
  ...(options.basePort ? { basePort: options.basePort } : {}),
});
const bmcs = fleet.bmcs.map((bmc) => ({ name: bmc.name, url: bmc.url, username: bmc.credentials.username, password: bmc.credentials.password }));
process.stdout.write(`${JSON.stringify({ trees: trees.map((tree) => tree.name), bmcs })}\n`);

// Each tree's first DIMM with a serial number, and which tree each BMC serves (its name says).
const dimms = new Map(
  trees.flatMap((tree) => {
    for (const [path, resource] of tree.mockup) {
      const body = resource.body as { SerialNumber?: unknown } | undefined;
      if (/\/Memory\/[^/]+$/.test(path) && typeof body?.SerialNumber === 'string') return [[tree.name, { path, body }] as const];
    }
    return [];
  }),
);

function change(count: number, round: number): void {
  for (let k = 0; k < count; k++) {
    const bmc = fleet.bmcs[(round * 7919 + k * 104_729) % fleet.bmcs.length]!;
    const dimm = [...dimms].find(([tree]) => bmc.name.endsWith(tree))?.[1];
    if (dimm) bmc.setResource(dimm.path, { ...dimm.body, SerialNumber: `SWAP${String(round).padStart(4, '0')}${String(k).padStart(4, '0')}` });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'stats') process.stdout.write(`${JSON.stringify(fleet.totals())}\n`);
  if (command === 'reset') {
    for (const bmc of fleet.bmcs) bmc.resetStats();
    process.stdout.write('{}\n');
  }
  if (command === 'change') {
    change(Number(args[0]), Number(args[1]));
    process.stdout.write('{}\n');
  }
});
lines.on('close', () => void fleet.close().then(() => process.exit(0)));
