// Structured logs (pino, JSON lines on stderr). No secret is ever put into a log line (what a BMC
// echoes is redacted where it is read, src/redfish/redact.ts); fields named like secrets are
// censored whatever their value, in case one is logged whole. On a terminal the same lines can be
// shown as plain text (humanLogStream).
import { Writable } from 'node:stream';
import { pino, type Logger as Pino } from 'pino';
import { REDACTED } from '../redfish/redact.ts';
import { visible } from './format.ts';
import type { Style } from './style.ts';

/** Creates the logger. */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Pino {
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'power_pass', '*.power_pass', 'authorization', '*.authorization', 'token_secret', '*.token_secret', 'apiKey', '*.apiKey'],
        censor: REDACTED,
      },
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };


/**
 * One of the logger's JSON lines as a person reads it on a terminal:
 * `12:04:31 warn  sim-0004: BMC sweep failed  kind=auth message="POST … refused"`.
 */
export function humanLogLine(json: string, style: Style): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return visible(json);
  }
  const { level, time, msg, bmc, ...rest } = entry;
  const name = LEVEL_NAMES[level as number] ?? String(level);
  const colour = (level as number) >= 50 ? 'red' : (level as number) >= 40 ? 'yellow' : 'dim';
  const clock = typeof time === 'string' ? `${time.slice(11, 19)} ` : '';
  const fields = Object.entries(rest).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${visible(/[\s"]/.test(text) ? JSON.stringify(text) : text)}`;
  });
  return `${style('dim', clock)}${style(colour, name.padEnd(5))} ${bmc ? `${visible(String(bmc))}: ` : ''}${visible(String(msg ?? ''))}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
}

/** A stream for the logger that turns each JSON line into a human line and hands it to `write`. */
export function humanLogStream(write: (line: string) => void, style: Style): NodeJS.WritableStream {
  let pending = '';
  return new Writable({
    write(chunk, _encoding, done) {
      pending += chunk.toString();
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        write(humanLogLine(pending.slice(0, end), style));
        pending = pending.slice(end + 1);
      }
      done();
    },
  });
}
