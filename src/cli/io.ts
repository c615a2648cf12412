// What a command may touch besides its arguments: output streams and the environment. Commands get
// it passed in, so tests run them in-process and read what they printed.
import { readFileSync } from 'node:fs';

/** The outside world of a command. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM while a command runs. */
  readonly signal?: AbortSignal;
}

/** Exit statuses, as documented in the README. */
export const EXIT = {
  ok: 0,
  /** Some BMC or operation failed. */
  failed: 1,
  /** Bad usage or configuration; nothing was contacted. */
  usage: 2,
  /** Interrupted by SIGINT. */
  interrupted: 130,
} as const;

/** A command's failure with the exit status it maps to. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Writes a line to stdout. */
export function say(io: Io, text = ''): void {
  io.stdout.write(`${text}\n`);
}

/** Writes a line to stderr. */
export function warn(io: Io, text: string): void {
  io.stderr.write(`${text}\n`);
}

/** How the user ran this command, for lines that tell them what to run next: `npx redfish-enlist` under npx. */
export function invocation(io: Io): string {
  return io.env.npm_command === 'exec' ? 'npx redfish-enlist' : 'redfish-enlist';
}

/** The package version, read once. */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** Reads a secret from an environment variable or a file's first line; errors never show it. */
export function readSecret(io: Io, options: { env?: string; file?: string }, what: string): string | undefined {
  if (options.env !== undefined) {
    const value = io.env[options.env];
    if (!value) throw new CliError(`${what}: environment variable ${options.env} is not set`, EXIT.usage);
    return value;
  }
  if (options.file !== undefined) {
    try {
      const value = readFileSync(options.file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
      if (!value) throw new CliError(`${what}: ${options.file} is empty`, EXIT.usage);
      return value;
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${what}: cannot read ${options.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.usage);
    }
  }
  return undefined;
}
