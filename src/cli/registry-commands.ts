// Commands on the embedded registry: `serve` and `machines` (users and keys: users.ts).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { machineJson } from '../registry/machine-json.ts';
import { bmcState } from '../registry/bmc-state.ts';
import { interfacesOf, listMachines } from '../registry/machines.ts';
import { serveRegistry } from '../registry/serve.ts';
import { defaultDatabasePath, Store } from '../registry/store.ts';
import { loadConfig, type BmcConfig } from '../sweep/config.ts';
import { unknownFor } from '../sweep/unknown.ts';
import { webInterface, type ConfiguredBmc } from '../web/index.ts';
import { diskSize, memorySize } from '../inventory/units.ts';
import type { SectionName } from '../inventory/model.ts';
import { jsonText, table } from './format.ts';
import { databaseOption, existingStore } from './database.ts';
import { CliError, EXIT, say, VERSION, type Io } from './io.ts';
import { createLogger } from './log.ts';

/** Adds `serve` and `machines`. */
export function registerRegistryCommands(program: Command, io: Io): void {
  program
    .command('serve')
    .description('Serve the embedded registry: the MAAS-compatible API under /MAAS/ and the web interface')
    .option(...databaseOption)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (MAAS uses 5240)', '5240')
    .option('--tls-cert <file>', 'PEM certificate (serve HTTPS)')
    .option('--tls-key <file>', 'PEM private key (serve HTTPS)')
    .option('--config <file>', "sweep configuration (YAML): the BMCs page lists its BMCs, swept or not; serves its embedded target's database unless --database")
    .addHelpText(
      'after',
      '\nExamples:\n  redfish-enlist serve\n  redfish-enlist serve --config /etc/redfish-enlist/config.yaml\n  redfish-enlist serve --host 0.0.0.0 --port 5240 --tls-cert cert.pem --tls-key key.pem',
    )
    .action(async (flags: { database?: string; host: string; port: string; tlsCert?: string; tlsKey?: string; config?: string }) => {
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new CliError('--tls-cert and --tls-key go together', EXIT.usage);
      // Read once, at start: a bad file stops serve at once (status 2) rather than breaking a page later.
      const config = flags.config ? loadConfig(flags.config, { env: io.env }) : undefined;
      const configured = (config?.bmcs ?? []).map(shownBmc);
      const database = flags.database ?? (config?.target.kind === 'embedded' ? config.target.database : defaultDatabasePath());
      const store = new Store(database);
      const log = createLogger({ level: 'info', destination: io.stderr });
      const tls = flags.tlsCert && flags.tlsKey ? { cert: readFileSync(flags.tlsCert, 'utf8'), key: readFileSync(flags.tlsKey, 'utf8') } : undefined;
      const server = await serveRegistry(store, {
        host: flags.host,
        port: Number(flags.port),
        version: VERSION,
        // Machines are expected to report on the sweep schedule: MAAS's hardware_sync_interval.
        ...(config ? { syncIntervalSeconds: Math.round(config.schedule.intervalMs / 1000) } : {}),
        ...(tls ? { tls } : {}),
        onRequest: (entry) => log.info(entry, 'request'),
        fallback: webInterface(store, { secureCookies: tls !== undefined, version: VERSION, ...(config ? { configuredBmcs: () => configured } : {}) }),
      });
      say(io, `registry API at ${server.url}/api/2.0/, web interface at ${server.url.replace(/\/MAAS$/, '/')} (database ${store.path}${flags.config ? `; ${configured.length} BMCs configured in ${flags.config}` : ''})`);
      await new Promise<void>((resolve) => {
        if (io.signal?.aborted) resolve();
        io.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      await server.close();
      store.close();
    });

  program
    .command('machines')
    .description('List the machines in the embedded registry')
    .option(...databaseOption)
    .option('--status <status>', 'only machines in this status (e.g. deployed, ready)')
    .option('--json', 'print MAAS machine JSON')
    .addHelpText('after', '\nExamples:\n  redfish-enlist machines\n  redfish-enlist machines --status deployed --json > machines.json')
    .action((flags: { database?: string; status?: string; json?: boolean }) => {
      const store = existingStore(flags.database);
      try {
        printMachines(io, store, flags);
      } finally {
        store.close();
      }
    });
}

// What the BMCs page may know of a configured BMC: picked field by field, so credentials never reach it.
function shownBmc(bmc: BmcConfig): ConfiguredBmc {
  return { name: bmc.name, address: bmc.address, tls: bmc.tls.mode, ...(bmc.discovered ? { discovered: true } : {}) };
}

/** Prints the machine table (or MAAS JSON). */
export function printMachines(io: Io, store: Store, flags: { status?: string; json?: boolean }): void {
  const rows = listMachines(store, flags.status ? { status: [flags.status] } : {});
  if (flags.json) {
    say(io, jsonText(rows.map((row) => machineJson(store, row))));
    return;
  }
  say(
    io,
    table(
      ['HOSTNAME', 'SYSTEM ID', 'STATUS', 'POWER', 'CPUS', 'MEMORY', 'STORAGE', 'MACS', 'HARDWARE UPDATED'],
      rows.map((row) => {
        const json = machineJson(store, row) as { status_name: string; storage: number; physicalblockdevice_set: unknown[] };
        const macs = interfacesOf(store, row.id).filter((iface) => iface.type === 'physical').map((iface) => iface.mac_address);
        // What the machine's last sweep could not read is said, never shown as nothing.
        const address = (JSON.parse(row.power_parameters) as { power_address?: string }).power_address;
        const bmc = address ? bmcState(store, address) : undefined;
        const unknown = unknownFor(bmc?.last?.unknown, row.system_id, bmc?.systems);
        // A section the last sweep could not read: an earlier sweep's figure marked (kept); what was
        // read of it marked incomplete (disks from another path, a summary's total); else unknown, and why.
        const figure = (section: SectionName, value: string, read: boolean) => {
          const entry = unknown.find((one) => one.section === section);
          if (!entry) return value;
          if (entry.keptFrom) return `${value} (kept)`;
          return read ? `${value} (incomplete: ${entry.kind})` : `unknown: ${entry.kind}`;
        };
        const disks = json.physicalblockdevice_set.length;
        const bare = row.last_sync === null;
        return [
          row.hostname,
          row.system_id,
          json.status_name,
          row.power_type,
          bare ? 'no hardware information yet' : figure('cpu', String(row.cpu_count), row.cpu_count > 0),
          bare ? '' : figure('memory', memorySize(row.memory), row.memory > 0),
          bare ? '' : figure('storage', disks ? `${diskSize(json.storage * 1e6)} (${disks})` : 'none', disks > 0),
          macs.length > 2 ? `${macs.slice(0, 2).join(' ')} +${macs.length - 2}` : macs.join(' '),
          row.last_sync?.replace('T', ' ').slice(0, 19) ?? '',
        ];
      }),
    ),
  );
  say(io, `\n${rows.length} machine${rows.length === 1 ? '' : 's'}`);
}
