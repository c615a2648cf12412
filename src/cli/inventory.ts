// `redfish-enlist inventory <bmc>`: read one BMC and print its hardware, pushing nothing.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { toCommissioningData } from '../inventory/commissioning.ts';
import type { HardwareInventory } from '../inventory/model.ts';
import { toInventories } from '../inventory/normalise.ts';
import { sourceFromCrawl } from '../inventory/source.ts';
import { withRedfishClient } from '../redfish/client.ts';
import { crawl, systemsFailure } from '../redfish/crawl.ts';
import { RedfishError } from '../redfish/errors.ts';
import { CA_FILE_ADVICE, normaliseFingerprint, TLS_ADVICE, type TlsPolicy } from '../redfish/tls.ts';
import { credentialSecrets, redactEcho } from '../redfish/redact.ts';
import { beyondBounds } from '../inventory/bounds.ts';
import { diskSize, memorySize } from '../inventory/units.ts';
import { duration, jsonText, visible, yamlText } from './format.ts';
import { CliError, EXIT, readSecret, say, VERSION, warn, type Io } from './io.ts';

interface InventoryFlags {
  username?: string;
  passwordEnv?: string;
  passwordFile?: string;
  tls: string;
  caFile?: string;
  fingerprint?: string;
  format: string;
  expand: string;
  system?: string;
}

/** Adds the command. */
export function registerInventory(program: Command, io: Io): void {
  program
    .command('inventory <bmc>')
    .description('Read one BMC and print the hardware it reports; pushes nothing anywhere')
    .option('-u, --username <name>', 'BMC user (default: $REDFISH_USERNAME)')
    .option('--password-env <variable>', 'BMC password from this environment variable (default: REDFISH_PASSWORD)')
    .option('--password-file <file>', 'BMC password, first line of this file')
    .option('--tls <mode>', 'verify, insecure or pin', 'verify')
    .option('--ca-file <file>', 'verify against this CA bundle')
    .option('--fingerprint <sha256>', 'accept exactly this certificate')
    .option('--format <format>', 'summary, json, yaml or commissioning (the MAAS document)', 'summary')
    .option('--expand <mode>', '$expand: auto, on or off', 'auto')
    .option('--system <id>', 'only this ComputerSystem Id')
    .addHelpText(
      'after',
      `
Examples:
  REDFISH_PASSWORD=… redfish-enlist inventory 10.20.0.11 -u root
  redfish-enlist inventory https://10.20.0.12:8443 -u admin --password-file ilo.pw --format commissioning > r750.json
  redfish-enlist inventory 10.20.0.13 -u root --tls pin --fingerprint AB:CD:…`,
    )
    .action(async (address: string, flags: InventoryFlags) => {
      const username = flags.username ?? io.env.REDFISH_USERNAME;
      if (!username) throw new CliError('--username (or REDFISH_USERNAME) is required', EXIT.usage);
      const password =
        readSecret(io, { ...(flags.passwordEnv ? { env: flags.passwordEnv } : {}), ...(flags.passwordFile ? { file: flags.passwordFile } : {}) }, 'password') ??
        io.env.REDFISH_PASSWORD;
      if (!password) throw new CliError('a password is required: --password-env, --password-file or REDFISH_PASSWORD', EXIT.usage);
      if (!['summary', 'json', 'yaml', 'commissioning'].includes(flags.format)) throw new CliError('--format: expected summary, json, yaml or commissioning', EXIT.usage);
      const tls = tlsPolicy(flags);
      const started = performance.now();
      let requests = 0;
      let authNote: string | undefined;
      const raw = await withRedfishClient({ address, username, password, tls }, { expand: flags.expand as 'auto' }, io.signal ? { signal: io.signal } : {}, async (client) => {
        const result = await crawl(client);
        requests = client.stats.requests;
        authNote = client.authNote;
        return result;
      }).catch((error: unknown) => {
        // The advice names the configuration's settings; here they are flags.
        if (error instanceof RedfishError && error.message.includes(TLS_ADVICE)) throw new CliError(error.message.replace(TLS_ADVICE, 'to trust it, give --ca-file FILE with the CA that signed it, or --tls pin (or --fingerprint) to trust the certificate it presents'));
        if (error instanceof RedfishError && error.message.includes(CA_FILE_ADVICE)) throw new CliError(error.message.replace(CA_FILE_ADVICE, 'the --ca-file given holds no CA that signed it: give the one that did, or --tls pin (or --fingerprint) to trust the certificate it presents'));
        throw error;
      });
      // The hardware as the BMC reports it, as a sweep stores it: a short password that is also a
      // word of the machine's data is not blanked there (that would give it away). Only messages,
      // which may quote a request back, are redacted (below).
      const inventories = toInventories(sourceFromCrawl(raw), raw.systems).filter((inventory) => !flags.system || inventory.systemId === flags.system);
      if (inventories.length === 0) {
        // Not "none found" when a read on the way failed: that failure is the answer.
        const failure = flags.system ? undefined : systemsFailure(raw);
        throw new CliError(failure ? `${failure.kind}: no ComputerSystem could be read at ${address}: ${failure.message}` : `no ComputerSystem${flags.system ? ` with Id ${flags.system}` : ''} found at ${address}`);
      }
      // A machine no real server could be is refused as a sweep refuses it: its document alone would cost without end.
      for (const inventory of inventories) {
        const beyond = beyondBounds(inventory);
        if (beyond !== undefined) throw new CliError(`bad-response: ${inventory.system}: ${beyond}`);
      }
      if (flags.format === 'json') say(io, jsonText(inventories.length === 1 ? inventories[0] : inventories));
      else if (flags.format === 'yaml') io.stdout.write(yamlText(inventories.length === 1 ? inventories[0] : inventories));
      else if (flags.format === 'commissioning') {
        const documents = inventories.map((inventory) => toCommissioningData(inventory, { name: 'redfish-enlist', version: VERSION }));
        say(io, jsonText(documents.length === 1 ? documents[0] : documents));
      } else {
        for (const inventory of inventories) say(io, summary(inventory));
        say(io, `read with ${requests} requests in ${duration(performance.now() - started)}`);
      }
      // On stderr, so the JSON, YAML and commissioning outputs stay what they are.
      const warnings = [...raw.warnings, ...raw.refusedLinks.map((refused) => `refused link ${refused.link.slice(0, 120)} (${refused.reason})`), ...(authNote ? [authNote] : [])];
      for (const warning of warnings) warn(io, visible(`warning: ${redactEcho(warning, credentialSecrets(username, password))}`));
    });
}

function tlsPolicy(flags: InventoryFlags): TlsPolicy {
  if (flags.caFile) return { mode: 'ca', ca: readFileSync(flags.caFile, 'utf8') };
  if (flags.fingerprint) return { mode: 'pin', fingerprint256: normaliseFingerprint(flags.fingerprint) };
  if (flags.tls === 'insecure') return { mode: 'insecure' };
  if (flags.tls === 'pin') return { mode: 'pin' };
  if (flags.tls === 'verify') return { mode: 'verify' };
  throw new CliError('--tls: expected verify, insecure or pin', EXIT.usage);
}

/** A readable summary of one machine; what the BMC said is shown with its control characters escaped. */
export function summary(inventory: HardwareInventory): string {
  const id = inventory.identity;
  const lines: string[] = [];
  const tag = id.serviceTag ? `service tag ${id.serviceTag}` : id.serial ? `serial ${id.serial}` : '';
  lines.push(`${[id.manufacturer, id.model].filter(Boolean).join(' ') || 'Machine'} ${inventory.systemId}${tag ? ` (${tag})` : ''}${id.hostName ? `, host ${id.hostName}` : ''}`);
  lines.push(`  UUID      ${id.uuid ?? 'unknown'}    vendor profile ${inventory.vendor}    power ${inventory.powerState ?? 'unknown'}`);
  const threads = inventory.cpus.reduce((sum, cpu) => sum + cpu.threads, 0);
  const first = inventory.cpus[0];
  const counts = `${first?.cores ? `${first.cores} cores` : 'cores unknown'}, ${first?.threads ? `${first.threads} threads each (${threads} threads)` : 'threads unknown'}`;
  lines.push(`  CPU       ${inventory.cpus.length} × ${first?.model ?? 'unknown'} — ${counts}, ${inventory.architecture ?? 'architecture unknown'}`);
  const dimm = inventory.memory.dimms[0];
  lines.push(`  Memory    ${memorySize(inventory.memory.totalMiB)}${inventory.memory.fromDimms ? ` in ${inventory.memory.dimms.length} DIMMs${dimm?.type ? ` (${dimm.type}${dimm.speedMHz ? ` ${dimm.speedMHz} MHz` : ''})` : ''}` : ' (from the system summary)'}`);
  for (const drive of inventory.drives) {
    lines.push(`  Disk      ${drive.name.padEnd(8)} ${diskSize(drive.sizeBytes).padStart(8)} ${drive.media.toUpperCase().padEnd(4)} ${(drive.protocol ?? '').toUpperCase().padEnd(5)} ${drive.model ?? ''}${drive.serial ? `  S/N ${drive.serial}` : ''}`);
  }
  for (const nic of inventory.nics) {
    for (const port of nic.ports) {
      const speed = port.speedMbps ? `${port.speedMbps >= 1000 ? `${port.speedMbps / 1000} Gb/s` : `${port.speedMbps} Mb/s`}` : '';
      lines.push(`  NIC       ${port.name} ${port.mac} ${speed.padEnd(9)} ${port.link.padEnd(7)} ${[nic.vendor, nic.model].filter(Boolean).join(' ')}`);
    }
  }
  for (const gpu of inventory.gpus) lines.push(`  GPU       ${[gpu.vendor, gpu.product].filter(Boolean).join(' ')}`);
  const firmware = inventory.sections.firmware;
  const components = firmware.unknown ? `components unknown (${firmware.failures[0]?.kind ?? 'not read'})` : `${inventory.firmware.components.length} components`;
  lines.push(`  Firmware  BIOS ${inventory.firmware.bios?.version ?? 'unknown'}, BMC ${inventory.bmc.firmware ?? 'unknown'}, ${components}`);
  const unknown = Object.entries(inventory.sections).filter(([, section]) => section.unknown);
  for (const [name, section] of unknown) lines.push(`  Unknown   ${name}: ${section.failures[0]?.kind ?? ''} ${section.failures[0]?.message ?? ''}`.trimEnd());
  // What the document leaves out, corrects or merges, and why (its redfish-enlist notes).
  for (const note of inventory.notes ?? []) lines.push(`  Note      ${note.action} ${note.subject}: ${note.reason}`);
  return lines.map(visible).join('\n');
}
