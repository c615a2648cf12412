// `redfish-enlist sweep`: one sweep of every configured BMC (the one-shot import).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config, type TargetConfig } from '../sweep/config.ts';
import { openTarget } from '../sweep/open.ts';
import { SweepTracker } from '../sweep/progress.ts';
import { outcomeWord, runSweep, SWEEP_OUTCOMES, settingsFromConfig, type BmcResult, type SweepOutcome, type SweepReport } from '../sweep/sweep.ts';
import { describeUnknown, unknownNames } from '../sweep/unknown.ts';
import { duration, jsonText, table } from './format.ts';
import { EXIT, CliError, say, warn, VERSION, type Io } from './io.ts';
import { createLogger, humanLogStream } from './log.ts';
import { startProgress } from './progress.ts';
import { OUTCOME_STYLE, styleFor } from './style.ts';

interface SweepFlags {
  config: string;
  target?: string;
  database?: string;
  maasUrl?: string;
  apiKeyFile?: string;
  credentialsDir?: string;
  dryRun?: boolean;
  fullRead?: boolean;
  check?: boolean;
  json?: string;
  progress: boolean;
  logLevel?: string;
}

/** Adds the command. */
export function registerSweep(program: Command, io: Io, result: { code: number }): void {
  program
    .command('sweep')
    .description('Sweep every configured BMC once: enlist new machines as Deployed, update changed ones')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .option('--target <kind>', 'embedded or maas (overrides the configuration)')
    .option('--database <file>', 'embedded registry database (overrides the configuration)')
    .option('--maas-url <url>', 'MAAS base URL, e.g. http://maas:5240/MAAS (with --target maas)')
    .option('--api-key-file <file>', 'file holding the MAAS API key (with --target maas)')
    .option('--credentials-dir <dir>', 'per-machine MAAS credentials files (with --target maas)')
    .option('--dry-run', 'show what would be created and changed; write nothing')
    .option('--full-read', 'read every resource again, even parts behind unchanged listings (schedule.fullReadEvery)')
    .option('--check', 'check the configuration and exit; contact nothing')
    .option('--json <file>', 'also write the report as JSON ("-" for stdout)')
    .option('--no-progress', 'no progress bar')
    .option('--log-level <level>', 'log level on stderr (overrides the configuration)')
    .addHelpText(
      'after',
      `
Examples:
  redfish-enlist sweep --config redfish-enlist.yaml
  redfish-enlist sweep --config redfish-enlist.yaml --dry-run
  redfish-enlist sweep --config redfish-enlist.yaml --target maas \\
      --maas-url http://maas:5240/MAAS --api-key-file maas.key --credentials-dir tokens/
  redfish-enlist sweep --config redfish-enlist.yaml --json report.json

Exit status: 0 every BMC swept, 1 some BMC failed, 2 bad configuration (nothing contacted).`,
    )
    .action(async (flags: SweepFlags) => {
      const config = withTarget(loadConfig(flags.config, { env: io.env }), flags);
      for (const warning of config.warnings) warn(io, `warning: ${warning}`);
      if (flags.check) {
        say(io, `${flags.config}: ${config.bmcs.length} BMCs, target ${config.target.kind}; configuration is valid`);
        return;
      }
      const report = await sweepOnce(config, io, flags);
      printReport(io, report);
      if (flags.json) {
        const text = `${jsonText(report)}\n`;
        if (flags.json === '-') io.stdout.write(text);
        else writeFileSync(flags.json, text);
      }
      result.code = io.signal?.aborted ? EXIT.interrupted : report.totals.failed > 0 ? EXIT.failed : EXIT.ok;
    });
}

/**
 * Runs one sweep of a configuration. On a terminal, a progress line on stderr and log lines as
 * text above it; elsewhere JSON log lines on stderr. The report goes to stdout afterwards.
 */
export async function sweepOnce(config: Config, io: Io, flags: { dryRun?: boolean; fullRead?: boolean; progress?: boolean; logLevel?: string }): Promise<SweepReport> {
  const opened = openTarget(config.target, { dryRun: flags.dryRun === true });
  const style = styleFor(io, 'stderr');
  const tracker = new SweepTracker();
  const display = flags.progress !== false && io.stderr.isTTY ? startProgress(io.stderr, tracker, style) : undefined;
  const destination = io.stderr.isTTY ? humanLogStream((line) => (display ? display.log(line) : warn(io, line)), style) : io.stderr;
  try {
    return await runSweep(config.bmcs, opened.target, opened.state, {
      ...settingsFromConfig(config),
      ...(flags.fullRead ? { fullReadEveryMs: 0 } : {}),
      dryRun: flags.dryRun === true,
      producer: { name: 'redfish-enlist', version: VERSION },
      log: createLogger({ level: flags.logLevel ?? config.log.level, destination }),
      ...(io.signal ? { signal: io.signal } : {}),
      progress: tracker,
    });
  } finally {
    display?.stop();
    await opened.close();
  }
}

/** The target of a configuration, with command-line overrides applied. */
function withTarget(config: Config, flags: SweepFlags): Config {
  const kind = flags.target ?? config.target.kind;
  let target: TargetConfig = config.target;
  if (kind === 'embedded') {
    target = { kind, database: flags.database ?? (config.target.kind === 'embedded' ? config.target.database : config.target.stateDatabase) };
  } else if (kind === 'maas') {
    const url = flags.maasUrl ?? (config.target.kind === 'maas' ? config.target.url : undefined);
    if (!url) throw new CliError('--target maas needs --maas-url (or target.url in the configuration)', EXIT.usage);
    let apiKey = config.target.kind === 'maas' ? config.target.apiKey : undefined;
    if (flags.apiKeyFile) {
      try {
        apiKey = readFileSync(flags.apiKeyFile, 'utf8').trim();
      } catch (error) {
        throw new CliError(`--api-key-file: cannot read ${flags.apiKeyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.usage);
      }
    }
    const credentialsDir = flags.credentialsDir ?? (config.target.kind === 'maas' ? config.target.credentialsDir : undefined);
    if (!apiKey && !credentialsDir) throw new CliError('--target maas needs --api-key-file or --credentials-dir', EXIT.usage);
    target = {
      kind,
      url,
      ...(apiKey ? { apiKey } : {}),
      ...(credentialsDir ? { credentialsDir } : {}),
      skipCheck: config.target.kind === 'maas' ? config.target.skipCheck : false,
      powerType: config.target.kind === 'maas' ? config.target.powerType : 'redfish',
      stateDatabase: flags.database ?? (config.target.kind === 'maas' ? config.target.stateDatabase : config.target.database),
    };
  } else {
    throw new CliError(`--target: expected embedded or maas, got ${kind}`, EXIT.usage);
  }
  return { ...config, target };
}

// A BMC's warnings in its row's message (a system still Starting, a section that could not be
// read): the first, whole, and how many more the JSON report lists.
function warningsText(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `warning: ${warnings[0]}${warnings.length > 1 ? ` (and ${warnings.length - 1} more; --json lists them)` : ''}`;
}

// A BMC's warnings but those saying a section could not be read, which its unknown sections say.
function otherWarnings(result: BmcResult): readonly string[] {
  const sections = unknownNames(result.machines);
  return result.warnings.filter((warning) => !sections.some((section) => warning.includes(`: could not read ${section} (`) || warning.endsWith(`: could not read ${section}`)));
}

// A BMC's unknown sections, each with the read that failed: what its row says when nothing else must.
function unknownText(result: BmcResult): string {
  return result.machines.flatMap((machine) => machine.unknown ?? []).map(describeUnknown).join('; ');
}

/** "; 2 incomplete: storage unknown on 2, memory on 1": the BMCs with a machine whose section is unknown. */
export function incompleteText(report: SweepReport, style: ReturnType<typeof styleFor>): string {
  const incomplete = report.results.filter((result) => unknownNames(result.machines).length > 0);
  if (incomplete.length === 0) return '';
  const bySection = new Map<string, number>();
  for (const result of incomplete) for (const name of unknownNames(result.machines)) bySection.set(name, (bySection.get(name) ?? 0) + 1);
  const sections = [...bySection].map(([name, count], index) => `${name}${index === 0 ? ' unknown' : ''} on ${count}`).join(', ');
  return `; ${style('yellow', `${incomplete.length} incomplete`)}: ${sections}`;
}

/** Prints a sweep report: a table (messages whole, wrapped to a terminal's width), then a summary line. */
export function printReport(io: Io, report: SweepReport): void {
  const style = styleFor(io, 'stdout');
  // Most of a discovery range does not answer: one line for all of those, not a row each.
  const silent = report.results.filter((result) => result.noAnswer).length;
  const rows = report.results
    .filter((result) => !result.noAnswer)
    .map((result) => [
      result.name,
      outcomeWord(result.outcome, report.dryRun),
      result.machines.map((machine) => machine.hostname ?? machine.systemId ?? '').filter(Boolean).join(', '),
      result.errorKind ?? '',
      unknownNames(result.machines).join(', '),
      result.requests,
      duration(result.ms),
      result.message ?? result.machines.find((machine) => machine.reason)?.reason ?? [unknownText(result), warningsText(otherWarnings(result))].filter(Boolean).join('; '),
    ]);
  const words = new Map(SWEEP_OUTCOMES.map((outcome) => [outcomeWord(outcome, report.dryRun), outcome]));
  const colour = (text: string, column: number) => (column === 1 ? style(OUTCOME_STYLE[words.get(text) ?? ''] ?? 'reset', text) : column === 3 ? style('red', text) : column === 4 ? style('yellow', text) : text);
  say(io, table(['BMC', 'OUTCOME', 'MACHINES', 'ERROR', 'UNKNOWN', 'REQUESTS', 'TIME', 'MESSAGE'], rows, { colour, ...(io.stdout.isTTY && io.stdout.columns ? { width: io.stdout.columns } : {}) }));
  if (silent > 0) say(io, `${silent} address${silent === 1 ? '' : 'es'} of discovery ranges did not answer (not listed; --json lists them)`);
  const totals = report.totals;
  const count = (outcome: SweepOutcome) => {
    const text = `${totals[outcome]} ${outcomeWord(outcome, report.dryRun)}`;
    return totals[outcome] > 0 ? style(OUTCOME_STYLE[outcome]!, text) : text;
  };
  const counts = (['created', 'updated', 'unchanged', 'skipped', 'failed'] as const).map(count);
  if (totals.cancelled > 0) counts.push(count('cancelled'));
  say(io, `\n${report.dryRun ? 'dry run, nothing written: ' : ''}${report.results.length} BMCs in ${duration(report.ms)}: ${counts.join(', ')}${incompleteText(report, style)}`);
}
