// `redfish-enlist discover`: find Redfish BMCs in address ranges.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bmcListFile, discover } from '../sweep/discover.ts';
import { jsonText, table } from './format.ts';
import { CliError, EXIT, say, type Io } from './io.ts';

/** Adds the command. */
export function registerDiscover(program: Command, io: Io): void {
  program
    .command('discover <ranges...>')
    .description('Probe /redfish/v1/ on every address of CIDRs or ranges and list the BMCs that answer')
    .option('--port <port>', 'port to probe (default 443, or 80 with --http)')
    .option('--http', 'probe over plain HTTP')
    .option('--concurrency <n>', 'addresses probed at once', '64')
    .option('--timeout <ms>', 'per address', '2000')
    .option('--write <file>', 'write a BMC list file for the configuration\'s include:')
    .option('--credentials <name>', 'credentials entry the list file refers to', 'default')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  redfish-enlist discover 10.20.0.0/24\n  redfish-enlist discover 10.20.1.10-10.20.1.60 --write bmcs-rack-b.yaml --credentials idrac')
    .action(async (ranges: string[], flags: { port?: string; http?: boolean; concurrency: string; timeout: string; write?: string; credentials: string; json?: boolean }) => {
      let found;
      let probed = 0;
      try {
        found = await discover(ranges, {
          onProbe: (_done, total) => (probed = total),
          concurrency: Number(flags.concurrency),
          timeoutMs: Number(flags.timeout),
          ...(flags.port ? { port: Number(flags.port) } : {}),
          ...(flags.http ? { http: true } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
      } catch (error) {
        if (error instanceof TypeError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      if (flags.json) say(io, jsonText(found));
      else {
        // The fingerprint whole: it is what an operator compares with the BMC's own before pinning it.
        say(io, table(['ADDRESS', 'VENDOR', 'PRODUCT', 'REDFISH', 'CERTIFICATE (SHA-256)'], found.map((bmc) => [bmc.address, bmc.vendor, bmc.product ?? '', bmc.redfishVersion ?? '', bmc.fingerprint256 ?? ''])));
        const silent = probed - found.length;
        say(io, `\n${found.length} BMC${found.length === 1 ? '' : 's'} found${silent > 0 ? `; ${silent} address${silent === 1 ? '' : 'es'} did not answer` : ''}`);
      }
      if (flags.write) {
        writeFileSync(flags.write, bmcListFile(found, flags.credentials));
        say(io, `wrote ${flags.write}`);
      }
    });
}
