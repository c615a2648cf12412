// A small simulated fleet from the project's fixtures, as BMC configurations a sweep takes.
import { join } from 'node:path';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { loadTrees, startFleet, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { FIXTURES, treesIn } from '../helpers/mockup.ts';

/** Starts `size` plain-HTTP BMCs cycling over the fixture trees. */
export async function fixtureFleet(size: number, trees = treesIn(FIXTURES)): Promise<SimulatedFleet> {
  return startFleet({ trees: await loadTrees(trees.map((tree) => join(FIXTURES, tree))), size, tls: false });
}

/** The fleet's BMCs as sweep configuration. */
export function bmcConfigs(fleet: SimulatedFleet, overrides: Partial<BmcConfig> = {}): BmcConfig[] {
  return fleet.bmcs.map((bmc) => ({
    name: bmc.name,
    address: bmc.url,
    username: bmc.credentials.username,
    password: bmc.credentials.password,
    credentials: 'simulator',
    tls: { mode: 'verify' },
    tags: [],
    client: {},
    discovered: false,
    ...overrides,
  }));
}
