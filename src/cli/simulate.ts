// `redfish-enlist simulate`: simulated BMCs from mockup folders, for trying the tool without hardware.
import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadTrees, startFleet } from '../redfish/simulator/index.ts';
import { writeSimulatedSetup } from '../sweep/simulated-setup.ts';
import { CliError, EXIT, say, type Io } from './io.ts';
import { fixtureTrees } from './fixtures.ts';

/** Adds the command. */
export function registerSimulate(program: Command, io: Io): void {
  program
    .command('simulate [mockups...]')
    .description('Serve simulated Redfish BMCs from mockup folders (DMTF layout); the project fixtures by default')
    .option('--fleet <n>', 'number of BMCs, each a distinct machine derived from the mockups', '1')
    .option('--http', 'plain HTTP instead of HTTPS')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--base-port <port>', 'first port (default: any free ports)')
    .option('--latency <ms>', 'added to every answer', '0')
    .option('--jitter <ms>', 'random ± added to the latency', '0')
    .option('--write <dir>', 'write bmcs.yaml, the CA, a password file and a ready configuration into this folder')
    .addHelpText(
      'after',
      `
Examples:
  redfish-enlist simulate --fleet 24 --write /tmp/sim     # then: redfish-enlist sweep --config /tmp/sim/redfish-enlist.yaml
  redfish-enlist simulate ../shared/redfish-mockups/hpe-iloemu-DL360 --http
The simulator runs until interrupted (Ctrl-C).`,
    )
    .action(async (mockups: string[], flags: { fleet: string; http?: boolean; host: string; basePort?: string; latency: string; jitter: string; write?: string }) => {
      const size = Number(flags.fleet);
      if (!Number.isInteger(size) || size < 1 || size > 20_000) throw new CliError('--fleet: expected a number of BMCs from 1 to 20000', EXIT.usage);
      const dirs = mockups.length > 0 ? mockups.map((dir) => resolve(dir)) : fixtureTrees();
      const fleet = await startFleet({
        trees: await loadTrees(dirs),
        size,
        host: flags.host,
        ...(flags.http ? { tls: false as const } : {}),
        ...(flags.basePort ? { basePort: Number(flags.basePort) } : {}),
        latency: { fixedMs: Number(flags.latency), jitterMs: Number(flags.jitter) },
      });
      for (const bmc of fleet.bmcs.slice(0, 10)) say(io, `${bmc.url}  ${bmc.name}`);
      if (fleet.bmcs.length > 10) say(io, `… and ${fleet.bmcs.length - 10} more`);
      say(io, `credentials: ${fleet.bmcs[0]!.credentials.username} / (see simulator.password with --write)`);
      if (flags.write) {
        await mkdir(flags.write, { recursive: true });
        const setup = await writeSimulatedSetup(fleet, resolve(flags.write));
        say(io, `wrote ${setup.config}\nsweep it with: redfish-enlist sweep --config ${join(flags.write, 'redfish-enlist.yaml')}`);
      }
      say(io, 'serving until interrupted (Ctrl-C)');
      await new Promise<void>((done) => {
        if (io.signal?.aborted) done();
        io.signal?.addEventListener('abort', () => done(), { once: true });
      });
      await fleet.close();
    });
}
