// `redfish-enlist demo` (`npm start`): a simulated fleet of mixed vendors swept twice into a
// temporary embedded registry — what a new user runs first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadTrees, startFleet } from '../redfish/simulator/index.ts';
import { Store } from '../registry/store.ts';
import { loadConfig } from '../sweep/config.ts';
import { writeSimulatedSetup } from '../sweep/simulated-setup.ts';
import { fixtureTrees } from './fixtures.ts';
import { duration } from './format.ts';
import { EXIT, say, type Io } from './io.ts';
import { printMachines } from './registry-commands.ts';
import { incompleteText, printReport, sweepOnce } from './sweep.ts';
import { styleFor } from './style.ts';

/** Adds the command. */
export function registerDemo(program: Command, io: Io, result: { code: number }): void {
  program
    .command('demo')
    .description('Sweep a simulated fleet of mixed-vendor BMCs into a temporary registry, twice')
    .option('--size <n>', 'BMCs in the fleet', '24')
    .option('--keep', 'keep the temporary folder (registry, configuration) afterwards')
    .addHelpText('after', '\nExamples:\n  redfish-enlist demo\n  redfish-enlist demo --size 200 --keep   # then: redfish-enlist serve --database <folder>/registry.db')
    .action(async (flags: { size: string; keep?: boolean }) => {
      const started = performance.now();
      const dir = mkdtempSync(join(tmpdir(), 'redfish-enlist-demo-'));
      const fleet = await startFleet({ trees: await loadTrees(fixtureTrees()), size: Number(flags.size), latency: { fixedMs: 5, jitterMs: 5 } });
      try {
        const setup = await writeSimulatedSetup(fleet, dir);
        say(io, `Simulated ${fleet.bmcs.length} BMCs (HTTPS, their own CA) from ${fixtureTrees().length} vendor fixtures; registry ${setup.database}\n`);
        const config = loadConfig(setup.config, { env: io.env });
        say(io, '== First sweep: every machine is new');
        const first = await sweepOnce(config, io, { progress: false, logLevel: 'silent' });
        printReport(io, first);
        say(io, '\n== Machines in the registry');
        const store = new Store(setup.database);
        try {
          printMachines(io, store, {});
        } finally {
          store.close();
        }
        say(io, '\n== Second sweep: nothing changed, nothing is pushed');
        const second = await sweepOnce(config, io, { progress: false, logLevel: 'silent' });
        say(io, `${second.results.length} BMCs in ${duration(second.ms)}: ${second.totals.unchanged} unchanged, ${second.totals.created} created, ${second.totals.updated} updated, ${second.totals.failed} failed${incompleteText(second, styleFor(io, 'stdout'))}; ${second.results.reduce((sum, r) => sum + r.notModified, 0)} answers were 304 Not Modified`);
        say(io, `\nDone in ${duration(performance.now() - started)}.${flags.keep ? ` Files kept in ${dir}.` : ''}`);
        const failed = first.totals.failed + second.totals.failed;
        result.code = failed > 0 || first.totals.created !== fleet.bmcs.length || second.totals.unchanged !== fleet.bmcs.length ? EXIT.failed : EXIT.ok;
      } finally {
        await fleet.close();
        if (!flags.keep) rmSync(dir, { recursive: true, force: true });
      }
    });
}
