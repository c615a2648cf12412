// The `redfish-enlist` command: parses arguments, runs one command, maps failures to exit
// statuses. Commands hold no logic of their own; they call the library and print.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../sweep/config.ts';
import { ProcessSignal } from '../sweep/daemon.ts';
import { RegistryError } from '../registry/store.ts';
import { RedfishError } from '../redfish/errors.ts';
import { TargetError } from '../sweep/target.ts';
import { registerDaemon } from './daemon.ts';
import { registerDemo } from './demo.ts';
import { registerDiscover } from './discover.ts';
import { registerInventory } from './inventory.ts';
import { visibleLines } from './format.ts';
import { CliError, EXIT, VERSION, type Io } from './io.ts';
import { registerRegistryCommands } from './registry-commands.ts';
import { registerSimulate } from './simulate.ts';
import { registerSweep } from './sweep.ts';
import { registerUsers } from './users.ts';

// The sources run (a checkout, TypeScript) rather than the compiled package.
const IN_CHECKOUT = import.meta.url.endsWith('.ts');

/** Help text with each command line (`Usage: redfish-enlist …`, an example) as typed in a checkout. */
export function asTyped(help: string): string {
  return help.replace(/^(Usage: | {2}(?:[A-Z_]+=\S+ )*)redfish-enlist(?= )/gm, '$1npx redfish-enlist');
}

/** Runs the CLI with the given arguments and resolves to the exit status. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = new Command('redfish-enlist')
    .description('Enlist machines into MAAS as Deployed from their BMCs, over Redfish, without touching the hosts.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .addHelpText('after', '\nExit status: 0 success, 1 some BMC or operation failed, 2 bad usage or configuration, 130 interrupted.');
  registerSweep(program, io, result);
  registerDaemon(program, io);
  registerInventory(program, io);
  registerDiscover(program, io);
  registerSimulate(program, io);
  registerRegistryCommands(program, io);
  registerUsers(program, io);
  registerDemo(program, io, result);
  // Help as it can be typed here: in a checkout the command is not on PATH, `npx redfish-enlist` is.
  const writeOut = (text: string) => io.stdout.write(IN_CHECKOUT ? asTyped(text) : text);
  program.configureOutput({ writeOut, writeErr: (text) => io.stderr.write(text) });
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut, writeErr: (text) => io.stderr.write(text) });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.stderr.write(`redfish-enlist: ${visibleLines(message(error))}\n`);
    return exitCodeOf(error);
  }
}

function message(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof RedfishError) return `${error.kind}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError || error instanceof TypeError) return EXIT.usage;
  if (error instanceof RedfishError || error instanceof RegistryError || error instanceof TargetError) return EXIT.failed;
  return EXIT.failed;
}

// The real process: SIGINT/SIGTERM abort the running command, which then closes its sessions. A
// reader that went away (`inventory … | head`) is no failure: what is left to print is dropped and
// the command ends as it would have, its sessions closed, with no stack trace.
function processIo(): Io {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  const controller = new AbortController();
  const stop = (signal: 'SIGINT' | 'SIGTERM') => () => controller.abort(new ProcessSignal(signal));
  process.once('SIGINT', stop('SIGINT'));
  process.once('SIGTERM', stop('SIGTERM'));
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
