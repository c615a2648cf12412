// The MAAS operations this project needs, typed: find, read, create as Deployed, get a machine's
// token, read power parameters, and push hardware the way MAAS's own hardware sync does.
// Wire facts: canonical/maas src/maasserver/api/machines.py (create, get_token, power_parameters),
// src/metadataserver/api.py (signal), src/provisioningserver/refresh/maas_api_helper.py (signal's
// multipart layout) — see ../shared/docs/maas-protocol.md.
import { COMMISSIONING_SCRIPT, type CommissioningResults } from '../inventory/results.ts';
import { bmcHostPort } from '../redfish/links.ts';
import type { MachineRecord, NewMachine } from '../sweep/target.ts';
import { checkApiKey, type ApiKey } from './api-key.ts';
import type { MaasClient } from './client.ts';
import { MaasError, withPrefix } from './errors.ts';

/** Where the REST API's machines live, relative to the base URL. */
export const MACHINES_PATH = 'api/2.0/machines/';
/** The metadata API version MAAS's own scripts post signals to. */
export const METADATA_PATH = 'metadata/2012-03-01/';
/** The commissioning script whose output MAAS parses into hardware information. */
export { COMMISSIONING_SCRIPT };
/** The power type machines are created with: MAAS controls them through their BMC. */
export const REDFISH_POWER_TYPE = 'redfish';
/** The power type of machines MAAS must never switch on or off (release powers a Redfish machine off). */
export const MANUAL_POWER_TYPE = 'manual';

/** How MAAS powers machines it is given: through the BMC (`redfish`) or never (`manual`). */
export type PowerType = typeof REDFISH_POWER_TYPE | typeof MANUAL_POWER_TYPE;

/** Filters of the machine listing; each list is sent as a repeated query field (OR within a field). */
export interface MachineFilter {
  readonly mac_address?: readonly string[];
  readonly hostname?: readonly string[];
  readonly id?: readonly string[];
}

/** Options of createDeployedMachine. */
export interface CreateOptions {
  /** Send `power_parameters_skip_check=true`, so MAAS does not validate power parameters through a rack controller. @default false */
  readonly skipCheck?: boolean;
  /**
   * `manual`: MAAS gets no power parameters and never powers the machine on or off (it releases
   * it without powering it off, for one). @default 'redfish'
   */
  readonly powerType?: PowerType;
}

/** A machine's power parameters as MAAS stores them (`power_address`, `node_id`, …; values as strings). */
export type MaasPowerParameters = Readonly<Record<string, unknown>>;

/** The machines MAAS knows, as records, with these filters (none: all machines). */
export async function listMachines(client: MaasClient, filter: MachineFilter = {}): Promise<MachineRecord[]> {
  const query = {
    ...(filter.mac_address?.length ? { mac_address: filter.mac_address } : {}),
    ...(filter.hostname?.length ? { hostname: filter.hostname } : {}),
    ...(filter.id?.length ? { id: filter.id } : {}),
  };
  const answer = await client.request('GET', MACHINES_PATH, { query });
  if (!Array.isArray(answer)) throw badResponse('GET', MACHINES_PATH, 'a list of machines', answer);
  return answer.map((machine: unknown) => toMachineRecord(machine, `GET ${MACHINES_PATH}`));
}

/** One machine by system id; MaasError `not-found` when MAAS does not know it. */
export async function readMachine(client: MaasClient, systemId: string): Promise<MachineRecord> {
  const path = machinePath(systemId);
  return toMachineRecord(await client.request('GET', path), `GET ${path}`);
}

/**
 * Creates a machine as Deployed with Redfish power, or manual power (admin key). When the answer is lost after the
 * request was sent, the machine is looked up by its MACs instead of being created twice.
 */
export async function createDeployedMachine(
  client: MaasClient,
  machine: NewMachine,
  options: CreateOptions = {},
): Promise<MachineRecord> {
  const form = createForm(machine, options);
  let answer: unknown;
  try {
    answer = await client.request('POST', MACHINES_PATH, { form });
  } catch (error) {
    if (error instanceof MaasError && error.maybeApplied) {
      const created = await findCreated(client, machine);
      if (created) return created;
    }
    throw error;
  }
  return toMachineRecord(answer, `POST ${MACHINES_PATH}`);
}

/** The form MAAS's machine creation receives for a new Deployed machine (the password included). */
export function createForm(machine: NewMachine, options: CreateOptions = {}): Record<string, string | string[]> {
  const manual = options.powerType === MANUAL_POWER_TYPE;
  if (machine.macs.length === 0) {
    // MAAS requires MACs for every power type but IPMI when creating a Deployed machine with a driver.
    throw new MaasError(
      'bad-request',
      `Cannot create ${machine.hostname} in MAAS: a machine with ${manual ? 'manual' : 'Redfish'} power needs at least one MAC address`,
      { field: 'mac_addresses' },
    );
  }
  return {
    hostname: machine.hostname,
    architecture: withSubarchitecture(machine.architecture),
    mac_addresses: [...machine.macs],
    // Manual power takes no parameters ("Unknown parameter(s)"): MAAS then knows no BMC to power it through.
    ...(manual
      ? { power_type: MANUAL_POWER_TYPE }
      : {
          power_type: REDFISH_POWER_TYPE,
          // MAAS parses power_address as an IP address or a host name; a URL there makes machine
          // creation fail with 500 (netaddr's ValueError escapes its BMC code). Its driver adds `https://`.
          power_parameters_power_address: bmcHostPort(machine.power.address),
          power_parameters_power_user: machine.power.user,
          power_parameters_power_pass: machine.power.password,
          power_parameters_node_id: machine.power.nodeId,
          ...(options.skipCheck ? { power_parameters_skip_check: 'true' } : {}),
        }),
    deployed: 'true',
    ...(machine.description === undefined ? {} : { description: machine.description }),
  };
}

/** The machine's per-machine token (admin key), or null when MAAS has none for it. */
export async function getToken(client: MaasClient, systemId: string): Promise<ApiKey | null> {
  const path = machinePath(systemId);
  const answer = await client.request('GET', path, { query: { op: 'get_token' } });
  // MAAS answers JSON `null` when the machine has no token (never deployed, or released).
  if (answer === null || answer === undefined) return null;
  const record = answer as Record<string, unknown>;
  const where = `GET ${path}?op=get_token`;
  if (typeof answer !== 'object' || Array.isArray(answer)) throw badResponse('GET', `${path}?op=get_token`, 'a token object', answer);
  for (const key of ['consumer_key', 'token_key', 'token_secret']) {
    if (typeof record[key] !== 'string' || record[key] === '') {
      throw new MaasError('bad-response', `${where}: MAAS's token has no \`${key}\``, { method: 'GET', path: `${path}?op=get_token` });
    }
  }
  return checkApiKey(
    { consumerKey: String(record.consumer_key), tokenKey: String(record.token_key), tokenSecret: String(record.token_secret) },
    `token of machine ${systemId}`,
  );
}

/** Every machine's power parameters at once, keyed by system id (admin key). */
export async function powerParameters(client: MaasClient): Promise<Map<string, MaasPowerParameters>> {
  const answer = await client.request('GET', MACHINES_PATH, { query: { op: 'power_parameters' } });
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw badResponse('GET', `${MACHINES_PATH}?op=power_parameters`, 'an object keyed by system id', answer);
  }
  const out = new Map<string, MaasPowerParameters>();
  for (const [systemId, parameters] of Object.entries(answer as Record<string, unknown>)) {
    if (typeof parameters === 'object' && parameters !== null) out.set(systemId, parameters as MaasPowerParameters);
  }
  return out;
}

/**
 * Reports commissioning results for a Deployed machine in one signal, signed with THE MACHINE'S
 * token (MAAS refuses an admin key here): one `<script>.out` part for each of SCRIPTS that RESULTS
 * has an output for (every output when SCRIPTS is not given), `exit_status=0`, so MAAS marks each
 * result passed and runs its hook (the commissioning document's parser among them).
 * `status=WORKING` stores them without moving the machine: OK would make it Ready (clearing its
 * owner and token), FAILED is refused. Returns the scripts reported.
 */
export async function pushHardware(
  client: MaasClient,
  systemId: string,
  token: ApiKey,
  results: CommissioningResults,
  scripts: readonly string[] = Object.keys(results.outputs),
): Promise<string[]> {
  const reported = scripts.filter((name) => Object.hasOwn(results.outputs, name));
  // The document first: it is the result MAAS parses hardware from.
  reported.sort((a, b) => (a === COMMISSIONING_SCRIPT ? -1 : b === COMMISSIONING_SCRIPT ? 1 : 0));
  if (!reported.includes(COMMISSIONING_SCRIPT)) reported.unshift(COMMISSIONING_SCRIPT);
  await client.request('POST', METADATA_PATH, {
    credentials: token,
    form: { op: 'signal', status: 'WORKING', exit_status: 0, name: COMMISSIONING_SCRIPT },
    // MAAS runs a script's hook only for a part named `<script>.out` (its standard output).
    files: reported.map((name) => {
      const content = results.outputs[name] ?? JSON.stringify(results.document);
      return { field: `${name}.out`, filename: `${name}.out`, contentType: content.startsWith('{') ? 'application/json' : 'text/plain', content };
    }),
    // Pushing the same results twice stores the same hardware: repeating is safe.
    idempotent: true,
  }).catch((error: unknown) => {
    throw error instanceof MaasError ? withPrefix(error, `Pushing hardware for machine ${systemId}: `) : error;
  });
  return reported;
}

/** A machine's JSON as a MachineRecord; a JSON without `system_id` or `status` is a bad response. */
export function toMachineRecord(json: unknown, where = 'MAAS'): MachineRecord {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MaasError('bad-response', `${where}: expected a machine object, got ${describe(json)}`);
  }
  const machine = json as Record<string, unknown>;
  const systemId = machine.system_id;
  if (typeof systemId !== 'string' || systemId === '') {
    throw new MaasError('bad-response', `${where}: machine without \`system_id\``);
  }
  const status = machine.status;
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    throw new MaasError('bad-response', `${where}: machine ${systemId} has no numeric \`status\``);
  }
  const macs: string[] = [];
  const interfaces = Array.isArray(machine.interface_set) ? (machine.interface_set as unknown[]) : [];
  for (const nic of interfaces) {
    const mac = (nic as { mac_address?: unknown } | null)?.mac_address;
    if (typeof mac === 'string' && mac !== '') {
      const normal = normaliseMac(mac);
      if (!macs.includes(normal)) macs.push(normal);
    }
  }
  const uuid = machine.hardware_uuid;
  return {
    systemId,
    hostname: typeof machine.hostname === 'string' ? machine.hostname : '',
    status,
    statusName: typeof machine.status_name === 'string' ? machine.status_name : '',
    locked: machine.locked === true,
    macAddresses: macs,
    ...(typeof uuid === 'string' && uuid !== '' ? { hardwareUuid: uuid.toLowerCase() } : {}),
    // MAAS answers `power_type` "" when none is set.
    powerType: typeof machine.power_type === 'string' ? machine.power_type : '',
  };
}

/** A MAC in MAAS's form: lowercase, colon-separated. */
export function normaliseMac(mac: string): string {
  return mac.trim().toLowerCase().replace(/-/g, ':');
}

/** `amd64` becomes `amd64/generic`; an architecture with a subarchitecture is kept. */
export function withSubarchitecture(architecture: string): string {
  const trimmed = architecture.trim();
  return trimmed.includes('/') ? trimmed : `${trimmed}/generic`;
}

/** The REST path of one machine. */
export function machinePath(systemId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(systemId)) {
    throw new TypeError(`Expected a MAAS system id (letters, digits, '-', '_'), got ${JSON.stringify(systemId)}`);
  }
  return `${MACHINES_PATH}${systemId}/`;
}

async function findCreated(client: MaasClient, machine: NewMachine): Promise<MachineRecord | undefined> {
  const wanted = new Set(machine.macs.map(normaliseMac));
  let found: MachineRecord[];
  try {
    found = await listMachines(client, { mac_address: [...wanted] });
  } catch {
    return undefined; // the original failure is the one worth reporting
  }
  return found.find((record) => record.macAddresses.some((mac) => wanted.has(mac)));
}

function badResponse(method: string, path: string, expected: string, got: unknown): MaasError {
  return new MaasError('bad-response', `${method} ${path}: expected ${expected}, got ${describe(got)}`, { method, path });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${value.length} characters)`;
  return typeof value;
}
