// `redfish-enlist simulate`: simulated BMCs from mockup folders, for trying the tool without hardware.
import { join, resolve } from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { faultsForBmc, loadTrees, parseFaultFile, startFleet, type FaultRule, type FleetFaultRule } from '../redfish/simulator/index.ts';
import { writeSimulatedSetup } from '../sweep/simulated-setup.ts';
import { CliError, EXIT, say, invocation, type Io } from './io.ts';
import { fixtureTrees } from './fixtures.ts';

interface Flags {
  fleet: string;
  http?: boolean;
  host: string;
  basePort?: string;
  latency: string;
  jitter: string;
  latencyTail?: string;
  slowEvery?: string;
  slowFactor: string;
  concurrent?: string;
  keepAlive: boolean;
  write?: string;
  sessionLimit?: string;
  expand: boolean;
  pageSize?: string;
  errorRate?: string;
  faults?: string;
}

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
    .option('--latency-tail <sigma>', 'a heavy tail: each delay times a log-normal factor of mean 1 and this σ (0.8: 1% of answers over 4.7× the mean)')
    .option('--slow-every <n>', 'every n-th BMC answers --slow-factor times slower than the rest')
    .option('--slow-factor <f>', 'how much slower the --slow-every BMCs are', '10')
    .option('--concurrent <n>', 'requests each BMC works on at once (latency included); the others wait their turn (default: no limit)')
    .option('--no-keep-alive', 'close the connection after every answer (Connection: close), as HTTP/1.0 servers do')
    .option('--session-limit <n>', "live sessions per BMC; more logins get the BMC's session-limit answer (default: 8, or the mockup's)")
    .option('--no-expand', 'ignore $expand and do not advertise it')
    .option('--page-size <n>', 'serve collections longer than n in pages linked by Members@odata.nextLink')
    .option('--error-rate <p>', 'answer 500 with probability p (0 to 1) on every path but the service root and login')
    .option('--faults <file>', 'YAML list of fault rules (see below)')
    .option('--write <dir>', 'write bmcs.yaml, the CA, a password file and a ready configuration into this folder')
    .addHelpText(
      'after',
      `
Examples:
  redfish-enlist simulate --fleet 24 --write /tmp/sim     # then: redfish-enlist sweep --config /tmp/sim/redfish-enlist.yaml
  redfish-enlist simulate ../shared/redfish-mockups/hpe-iloemu-DL360 --http
  redfish-enlist simulate --fleet 8 --error-rate 0.05 --session-limit 2 --faults faults.yaml
  redfish-enlist simulate --fleet 100 --latency 300 --latency-tail 0.8 --slow-every 50 --concurrent 1 --no-keep-alive

A fault file lists rules; the first that matches a request wins. Each has an action (status, hang,
reset, reset-mid-body, drip, invalid-json, truncated-json, html, huge, deep, redirect,
foreign-links, body), and optionally path (exact) or pattern (a regular expression), method, times,
probability, afterAuth (times counts per BMC), and bmcs (indexes from 0, in the
order the BMCs are listed):
  - pattern: /Storage
    action: { type: status, status: 503, headers: { Retry-After: "2" } }
    bmcs: [0, 2]
  - path: /redfish/v1/Systems/1
    times: 1
    action: { type: reset }
The simulator runs until interrupted (Ctrl-C).`,
    )
    .action(async (mockups: string[], flags: Flags) => {
      const size = integer('--fleet', flags.fleet, 1, 20_000)!;
      const basePort = integer('--base-port', flags.basePort, 1, 65_535);
      const tail = decimal('--latency-tail', flags.latencyTail, 0, 10);
      const latency = { fixedMs: decimal('--latency', flags.latency, 0, Infinity)!, jitterMs: decimal('--jitter', flags.jitter, 0, Infinity)!, ...(tail ? { tail } : {}) };
      const slowEvery = integer('--slow-every', flags.slowEvery, 1, 20_000);
      const slowFactor = decimal('--slow-factor', flags.slowFactor, 1, 1_000)!;
      const concurrent = integer('--concurrent', flags.concurrent, 1, 1_000);
      const sessionLimit = integer('--session-limit', flags.sessionLimit, 0, Number.MAX_SAFE_INTEGER);
      const pageSize = integer('--page-size', flags.pageSize, 0, Number.MAX_SAFE_INTEGER);
      const errorRate = decimal('--error-rate', flags.errorRate, 0, 1);
      const fileRules = flags.faults === undefined ? [] : await faultFile(flags.faults, size);
      // After the file's rules, so a rule aimed at one path is not shadowed by the random 500s.
      const errors: FaultRule[] = errorRate ? [{ probability: errorRate, action: { type: 'status', status: 500 } }] : [];
      const dirs = mockups.length > 0 ? mockups.map((dir) => resolve(dir)) : fixtureTrees();
      const fleet = await startFleet({
        trees: await loadTrees(dirs),
        size,
        host: flags.host,
        ...(flags.http ? { tls: false as const } : {}),
        ...(basePort === undefined ? {} : { basePort }),
        latency,
        ...(slowEvery === undefined ? {} : { slow: { every: slowEvery, factor: slowFactor } }),
        ...(concurrent === undefined ? {} : { maxConcurrent: concurrent }),
        ...(flags.keepAlive ? {} : { keepAlive: false }),
        ...(sessionLimit === undefined ? {} : { sessionLimit }),
        ...(flags.expand ? {} : { expand: 'off' as const }),
        ...(pageSize === undefined ? {} : { pageSize }),
        faults: (index) => [...faultsForBmc(fileRules, index), ...errors],
      });
      for (const bmc of fleet.bmcs.slice(0, 10)) say(io, `${bmc.url}  ${bmc.name}`);
      if (fleet.bmcs.length > 10) say(io, `… and ${fleet.bmcs.length - 10} more`);
      say(io, `credentials: ${fleet.bmcs[0]!.credentials.username} / (see simulator.password with --write)`);
      if (flags.faults) say(io, `faults: ${fileRules.length} rule(s) from ${flags.faults}`);
      if (errorRate) say(io, `error rate: ${errorRate} (500s on all but the service root and login)`);
      if (flags.write) {
        await mkdir(flags.write, { recursive: true });
        const setup = await writeSimulatedSetup(fleet, resolve(flags.write));
        say(io, `wrote ${setup.config}\nsweep it with: ${invocation(io)} sweep --config ${join(flags.write, 'redfish-enlist.yaml')}`);
      }
      say(io, 'serving until interrupted (Ctrl-C)');
      await new Promise<void>((done) => {
        if (io.signal?.aborted) done();
        io.signal?.addEventListener('abort', () => done(), { once: true });
      });
      await fleet.close();
    });
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  return number(flag, value, min, max, true);
}

function decimal(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  return number(flag, value, min, max, false);
}

function number(flag: string, value: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new CliError(`${flag}: expected ${integer ? 'an integer' : 'a number'} ${range(min, max)}, got ${JSON.stringify(value)}`, EXIT.usage);
  }
  return parsed;
}

function range(min: number, max: number): string {
  return max >= Number.MAX_SAFE_INTEGER ? `from ${min} up` : `from ${min} to ${max}`;
}

async function faultFile(file: string, size: number): Promise<FleetFaultRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`--faults: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.usage);
  }
  try {
    return parseFaultFile(text, size);
  } catch (error) {
    throw new CliError(`--faults ${file}: ${(error as Error).message}`, EXIT.usage);
  }
}
