// Structured logs (pino, JSON lines on stderr) with every secret scrubbed: known secret values
// anywhere in a line, and fields named like secrets whatever their value.
import { pino, type Logger as Pino } from 'pino';
import { redact, redactDeep, REDACTED } from '../sweep/redact.ts';

/** Creates the logger; `secrets` are values that must never be written. */
export function createLogger(options: { level: string; secrets: readonly string[]; destination?: NodeJS.WritableStream }): Pino {
  const secrets = options.secrets;
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'power_pass', '*.power_pass', 'authorization', '*.authorization', 'token_secret', '*.token_secret', 'apiKey', '*.apiKey'],
        censor: REDACTED,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redact(arg, secrets) : redactDeep(arg, secrets))) as Parameters<typeof method>);
        },
      },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}
