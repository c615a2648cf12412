// The benchmark's simulated fleet, in its own process so its CPU is not the collector's. Prints
// one JSON line describing the fleet on stdout once every BMC listens, then serves until stdin
// closes; a line "stats" on stdin prints the fleet's totals.
import { createInterface } from 'node:readline';
import { loadTrees, startFleet } from '../src/redfish/simulator/index.ts';
import { fixtureTrees } from '../src/cli/fixtures.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { size: number; latencyMs: number; jitterMs: number; connections: number; mix?: number[]; basePort?: number };
const trees = await loadTrees(fixtureTrees());
const fleet = await startFleet({
  trees,
  size: options.size,
  tls: false,
  latency: { fixedMs: options.latencyMs, jitterMs: options.jitterMs },
  maxConcurrent: options.connections,
  ...(options.mix ? { mix: options.mix } : {}),
  ...(options.basePort ? { basePort: options.basePort } : {}),
});
const bmcs = fleet.bmcs.map((bmc) => ({ name: bmc.name, url: bmc.url, username: bmc.credentials.username, password: bmc.credentials.password }));
process.stdout.write(`${JSON.stringify({ trees: trees.map((tree) => tree.name), bmcs })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(fleet.totals())}\n`);
  if (line.trim() === 'reset') {
    for (const bmc of fleet.bmcs) bmc.resetStats();
    process.stdout.write('{}\n');
  }
});
lines.on('close', () => void fleet.close().then(() => process.exit(0)));
