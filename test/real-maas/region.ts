// The real MAAS 3.4 region from ../shared/real-maas, as the integration suites use it: where it is,
// its admin key, MAAS's own clients (maascli, python-libmaas, MAAS's ORM) and a database reset.
// globalSetup (global-setup.ts) sets it up and stops it; tests only call what is here.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runStartingScript } from './script.ts';

const run = promisify(execFile);

/** The kit beside the checkout, or REAL_MAAS_KIT. */
export const KIT = resolve(process.env.REAL_MAAS_KIT ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'real-maas'));
/** Where setup.sh lays the region out: REAL_MAAS_RM, or a folder of this project's own. */
export const RM = resolve(process.env.REAL_MAAS_RM ?? join(process.env.TMPDIR ?? '/tmp', 'redfish-enlist-real-maas'));
export const PORT = Number(process.env.MAAS_PORT ?? 5240);
export const PG_PORT = Number(process.env.MAAS_PG_PORT ?? 5433);
/** The MAAS URL as a user would write it (MAAS's CLI and python-libmaas want the trailing slash). */
export const MAAS_URL = `http://127.0.0.1:${PORT}/MAAS/`;

/** The admin user's API key (`consumer:token:secret`), written by setup.sh. */
export function adminKey(): string {
  return readFileSync(join(RM, 'admin.key'), 'utf8').trim();
}

export function regionReady(): boolean {
  return existsSync(join(RM, '.ready'));
}

/** True when the region answers its version document. */
export async function regionAnswers(): Promise<boolean> {
  try {
    const response = await fetch(new URL('api/2.0/version/', MAAS_URL), { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** One of the kit's client programs in $RM/bin (not region: see runScript). */
async function bin(name: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  // MAAS's CLI keeps its profiles in $HOME/.maascli.db: one of the region's own, not the user's.
  const home = join(RM, 'client-home');
  mkdirSync(home, { recursive: true });
  const { stdout } = await run(join(RM, 'bin', name), args, {
    env: { ...process.env, HOME: home, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `region.sh reset`: MAAS's database back to right after setup (admin, key, boot images; no machines). */
export async function resetRegion(): Promise<void> {
  await runStartingScript(join(RM, 'bin', 'region'), ['reset'], {}, 180_000, regionAnswers);
}

/**
 * Puts MAAS's web server behind `nginx` (MAAS 3.2+, the default) or `tcp`: a byte-for-byte front,
 * as MAAS 3.0/3.1 served port 5240 from Twisted itself (no request buffering).
 */
export async function setFront(front: 'nginx' | 'tcp'): Promise<void> {
  await runStartingScript(join(RM, 'bin', 'region'), ['restart'], { FRONT: front }, 180_000, regionAnswers);
}

/** MAAS's own CLI (maascli). `maas(['admin', 'machines', 'read'])` after `maasLogin('admin')`. */
export async function maas(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return bin('maas', args, options);
}

/** Logs MAAS's CLI in as PROFILE with KEY (the admin key by default) against URL (the region by default). */
export async function maasLogin(profile: string, url = MAAS_URL, key = adminKey()): Promise<string> {
  return bin('maas', ['login', profile, url, key]);
}

/** MAAS's CLI answer, parsed: the CLI prints the JSON MAAS sent. */
export async function maasJson<T = unknown>(args: string[]): Promise<T> {
  return JSON.parse(await maas(args)) as T;
}

/** python3 with python-libmaas importable; SCRIPT is run with ARGS as sys.argv[1:]. */
export async function libmaasPython(script: string, args: string[] = []): Promise<string> {
  return bin('libmaas-python', ['-c', script, ...args]);
}

/** python3 with MAAS's region code and Django settings (call django.setup() in SCRIPT first). */
export async function maasPython(script: string, args: string[] = []): Promise<string> {
  return bin('maas-python', ['-c', script, ...args]);
}

/**
 * Sets a machine's power state as MAAS's power-off would leave it: the region has no rack controller,
 * so a release of a machine whose power is not off answers 503 (README of the kit).
 */
export async function setPowerOff(systemId: string): Promise<void> {
  await maasPython(
    'import sys, django; django.setup()\n' +
      'from maasserver.models import Machine\n' +
      "n = Machine.objects.filter(system_id=sys.argv[1]).update(power_state='off')\n" +
      "assert n == 1, 'no machine ' + sys.argv[1]",
    [systemId],
  );
}

/** A MAAS answer: its status and body text. */
export interface MaasAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One request to the region signed as MAAS's own clients sign (OAuth 1.0a PLAINTEXT), with KEY
 * (`consumer:token:secret`, the admin key by default): this suite's reader, independent of the
 * project's client. PATH is relative to the MAAS URL (`api/2.0/machines/`); FORM is sent urlencoded.
 */
export async function maasRequest(method: string, path: string, options: { key?: string; form?: Record<string, string> } = {}): Promise<MaasAnswer> {
  const [consumer = '', token = '', secret = ''] = (options.key ?? adminKey()).split(':');
  const authorization =
    `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${consumer}", ` +
    `oauth_token="${token}", oauth_signature="&${encodeURIComponent(secret)}", ` +
    `oauth_nonce="${randomUUID()}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
  const response = await fetch(new URL(path, MAAS_URL), {
    method,
    headers: { authorization, accept: 'application/json' },
    ...(options.form === undefined ? {} : { body: new URLSearchParams(options.form) }),
  });
  return { status: response.status, text: await response.text() };
}

/** MAAS's JSON answer to a signed GET (admin key by default); anything but 200 throws, with MAAS's words. */
export async function maasGet<T = unknown>(path: string, key?: string): Promise<T> {
  const answer = await maasRequest('GET', path, key === undefined ? {} : { key });
  if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  return JSON.parse(answer.text) as T;
}

/** One SQL query on MAAS's own database (psql as user maas, trust authentication): rows of `|`-joined values. */
export async function maasSql(query: string): Promise<string[]> {
  const pgBin = /^PGBIN=(.*)$/m.exec(readFileSync(join(RM, 'config.sh'), 'utf8'))?.[1] ?? '/usr/lib/postgresql/15/bin';
  const { stdout } = await run(join(pgBin, 'psql'), ['-X', '-At', '-h', join(RM, 'pgsock'), '-p', String(PG_PORT), '-U', 'maas', '-d', 'maasdb', '-c', query], {
    timeout: 60_000,
  });
  return stdout.split('\n').filter((line) => line !== '');
}

// What a client of the machines API can change: machines, their BMCs, hardware, tags, results, events.
const MACHINE_TABLES = [
  'maasserver_node',
  'maasserver_bmc',
  'maasserver_blockdevice',
  'maasserver_interface',
  'maasserver_nodedevice',
  'maasserver_numanode',
  'maasserver_nodemetadata',
  'maasserver_tag',
  'maasserver_scriptresult',
  'maasserver_secret',
];

/**
 * MAAS-side evidence of writes: for every table a machines-API client can change, its row count and
 * latest `updated` (microseconds), the script sets' latest `last_ping` and the number of events.
 * Two equal stamps mean MAAS stored nothing in between (its own heartbeats live in other tables).
 */
export async function maasWriteStamp(): Promise<Record<string, string>> {
  const parts = [
    ...MACHINE_TABLES.map((table) => `(select count(*) || ' rows, updated ' || coalesce(max(updated)::text, '-') from ${table})`),
    `(select count(*) || ' sets, pinged ' || coalesce(max(last_ping)::text, '-') from maasserver_scriptset)`,
    `(select count(*) || ' events' from maasserver_event)`,
  ];
  const [row = ''] = await maasSql(`select ${parts.join(', ')}`);
  const values = row.split('|');
  return Object.fromEntries([...MACHINE_TABLES, 'maasserver_scriptset', 'maasserver_event'].map((table, i) => [table, values[i] ?? '']));
}

/** Per machine (system id): when MAAS last took a script result for it, to the microsecond ('-': never). */
export async function lastSignals(): Promise<Record<string, string>> {
  const rows = await maasSql(
    "select n.system_id, coalesce(max(s.last_ping)::text, '-') from maasserver_node n " +
      'left join maasserver_scriptset s on s.node_id = n.id where n.node_type = 0 group by n.system_id',
  );
  return Object.fromEntries(rows.map((row) => row.split('|') as [string, string]));
}

/**
 * The BMC URL MAAS's own Redfish power driver would use for each machine, from the power parameters
 * MAAS stored for it (RedfishPowerDriver.get_url), by system id.
 */
export async function redfishDriverUrls(): Promise<Record<string, string>> {
  const out = await maasPython(
    'import json, django; django.setup()\n' +
      'from maasserver.models import Machine\n' +
      'from provisioningserver.drivers.power.redfish import RedfishPowerDriver\n' +
      'driver = RedfishPowerDriver()\n' +
      "print(json.dumps({m.system_id: driver.get_url(m.get_effective_power_parameters()).decode() for m in Machine.objects.filter(bmc__power_type='redfish')}))",
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, string>;
}
