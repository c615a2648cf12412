// `redfish-enlist daemon`: scheduled sweeps with JSON logs, /metrics and /healthz.
import type { Command } from 'commander';
import { loadConfig } from '../sweep/config.ts';
import { runDaemon } from '../sweep/daemon.ts';
import { openTarget } from '../sweep/open.ts';
import { VERSION, type Io } from './io.ts';
import { createLogger } from './log.ts';

/** Adds the command. */
export function registerDaemon(program: Command, io: Io): void {
  program
    .command('daemon')
    .description('Sweep on a schedule: no overlap, backoff for failing BMCs, SIGHUP reloads, SIGTERM finishes and logs out')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .option('--log-level <level>', 'log level (overrides the configuration)')
    .addHelpText(
      'after',
      `
Logs are JSON lines on stderr. With daemon.listen in the configuration, Prometheus metrics are at
/metrics and a health check at /healthz.

Examples:
  redfish-enlist daemon --config /etc/redfish-enlist/config.yaml
  kill -HUP <pid>     # reload the configuration between sweeps
  kill -TERM <pid>    # finish the BMCs in flight, log out of every session, exit`,
    )
    .action(async (flags: { config: string; logLevel?: string }) => {
      const first = loadConfig(flags.config, { env: io.env });
      const log = createLogger({ level: flags.logLevel ?? first.log.level, destination: io.stderr });
      for (const warning of first.warnings) log.warn({}, warning);
      log.info({ version: VERSION, bmcs: first.bmcs.length, target: first.target.kind }, 'starting');
      let initial: typeof first | undefined = first;
      await runDaemon({
        loadConfig: () => {
          const config = initial ?? loadConfig(flags.config, { env: io.env });
          initial = undefined;
          return config;
        },
        open: (config) => openTarget(config.target),
        log,
        sweep: { producer: { name: 'redfish-enlist', version: VERSION } },
        ...(io.signal ? { signal: io.signal } : {}),
      });
    });
}
