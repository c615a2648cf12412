// A ready-to-sweep setup for a simulated fleet: the BMC list (with the fleet's CA), a password
// file and a configuration that includes them. `simulate --write` and the demo use it, so a new
// user sweeps simulated BMCs exactly as they would real ones.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SimulatedFleet } from '../redfish/simulator/index.ts';

/** The files written. */
export interface SimulatedSetup {
  readonly config: string;
  readonly bmcList: string;
  readonly database: string;
}

/** Writes bmcs.yaml, sim-ca.pem, simulator.password and redfish-enlist.yaml into `dir`. */
export async function writeSimulatedSetup(fleet: SimulatedFleet, dir: string, options: { database?: string } = {}): Promise<SimulatedSetup> {
  const bmcList = join(dir, 'bmcs.yaml');
  await fleet.writeBmcList(bmcList, { credentialsRef: 'simulator' });
  const credentials = fleet.bmcs[0]?.credentials ?? { username: 'admin', password: 'redfish' };
  await writeFile(join(dir, 'simulator.password'), `${credentials.password}\n`, { mode: 0o600 });
  const database = options.database ?? join(dir, 'registry.db');
  const config = join(dir, 'redfish-enlist.yaml');
  const body = {
    target: { kind: 'embedded', database },
    credentials: { simulator: { username: credentials.username, passwordFile: 'simulator.password' } },
    include: ['bmcs.yaml'],
    concurrency: { bmcs: 64, perBmc: 2 },
    deadlines: { connect: '5s', request: '30s', bmc: '2m' },
  };
  await writeFile(config, `# Written by redfish-enlist for ${fleet.bmcs.length} simulated BMCs\n${stringify(body)}`);
  return { config, bmcList, database };
}
