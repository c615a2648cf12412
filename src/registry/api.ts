// The registry's HTTP API: MAAS's paths, operations, field names and answers for what it supports,
// so one MAAS client serves both. Every request but the version document is OAuth-signed; machine
// tokens may only push their own machine's hardware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyEvent as decideEvent, isAllowedTransition, statusOfRef } from '../lifecycle/index.ts';
import { listControllers, registerController, unregisterController } from './controllers.ts';
import { readForm, fieldsOf, type Form } from './form.ts';
import { machineHistory, pushHardware, type SignalStatus } from './hardware.ts';
import { machineJson } from './machine-json.ts';
import {
  applyMachineEvent,
  createMachine,
  listMachines,
  machineById,
  machineOr404,
  powerParametersOf,
  registerMachine,
  snapshotOf,
  updateMachine,
  type MachineRow,
} from './machines.ts';
import { AuthError, verifyOAuth } from './oauth.ts';
import { scriptsArchive } from './scripts.ts';
import { RegistryError, type Store } from './store.ts';
import { issueMachineToken, machineToken, type Credential, type User } from './users.ts';
import { mayAccessToken } from '../lifecycle/index.ts';

/** What the API needs besides the store. */
export interface ApiOptions {
  /** Version reported by /version/. */
  readonly version: string;
  /** Largest body of an ordinary request. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Largest body of a hardware push. @default 16777216 */
  readonly maxPushBytes?: number;
  /** Called once per request, for logs (no secrets are passed). */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number; user?: string }) => void;
}

interface Context {
  readonly store: Store;
  readonly options: ApiOptions;
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly credential: Credential | undefined;
  readonly query: Form['fields'];
}

type Answer = { status: number; body: unknown; type?: 'json' | 'text' | 'tar' };

const API = '/MAAS/api/2.0';
const COMMISSIONING_OUTPUT = '50-maas-01-commissioning.out';
const OWN = `${API}/redfish-enlist`;

/** Handles one HTTP request. Never throws: every failure becomes a MAAS-style answer. */
export async function handleApiRequest(store: Store, options: ApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const { answer, user } = await answerFor(store, options, request);
  send(response, answer, store);
  const path = (request.url ?? '').split('?')[0]!.slice(0, 200);
  options.onRequest?.({ method: request.method ?? '?', path, status: answer.status, ms: Math.round(performance.now() - started), ...(user ? { user } : {}) });
}

async function answerFor(store: Store, options: ApiOptions, request: IncomingMessage): Promise<{ answer: Answer; user?: string }> {
  let credential: Credential | undefined;
  try {
    credential = verifyOAuth(store, request.headers.authorization);
  } catch (error) {
    if (error instanceof AuthError) return { answer: { status: 401, body: `Authorization Error: ${error.message}`, type: 'text' } };
    return { answer: failure(error) };
  }
  const user = credential?.user?.username;
  try {
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    return { answer: await route({ store, options, request, url, credential, query: fieldsOf(url.searchParams).fields }), ...(user ? { user } : {}) };
  } catch (error) {
    return { answer: failure(error), ...(user ? { user } : {}) };
  }
}

async function route(ctx: Context): Promise<Answer> {
  const path = ctx.url.pathname.replace(/\/?$/, '/');
  const method = ctx.request.method ?? 'GET';
  const op = first(ctx.query.op);
  if (path === `${API}/version/` && method === 'GET') {
    return json({ capabilities: ['networks-management', 'static-ipaddresses', 'ipv6-deployment-ubuntu', 'devices-management', 'storage-deployment-ubuntu', 'network-deployment-ubuntu'], version: ctx.options.version, subversion: 'redfish-enlist' });
  }
  if (path.startsWith('/MAAS/metadata/')) return metadata(ctx, path, method);
  if (!path.startsWith(`${API}/`)) return { status: 404, body: 'Not Found', type: 'text' };
  const user = requireUser(ctx);

  if (path === `${API}/users/` && method === 'GET' && op === 'whoami') {
    return json({ username: user.username, is_superuser: user.isAdmin, is_local: true });
  }
  if (path === `${API}/machines/`) {
    if (method === 'GET' && op === 'power_parameters') {
      requireAdmin(user);
      const ids = ctx.query.id;
      return json(Object.fromEntries(listMachines(ctx.store, ids ? { id: ids } : {}).map((row) => [row.system_id, JSON.parse(row.power_parameters)])));
    }
    if (method === 'GET' && op === undefined) {
      const rows = listMachines(ctx.store, { hostname: ctx.query.hostname, mac_address: ctx.query.mac_address, id: ctx.query.id, status: ctx.query.status });
      return json(rows.map((row) => machineJson(ctx.store, row)));
    }
    if (method === 'POST' && op === undefined) return createFromForm(ctx, user, false);
    // This project's own operation: find-or-create, so registering the same machine again updates
    // it instead of failing on its MACs (rule 5).
    if (method === 'POST' && op === 'register') return createFromForm(ctx, user, true);
    return notAllowed(method, op);
  }
  const machine = /^\/MAAS\/api\/2\.0\/machines\/([a-z0-9]+)\/$/.exec(path)?.[1];
  if (machine) return machineRoute(ctx, user, machine, method, op);
  if (path === `${OWN}/controllers/`) {
    if (method === 'GET') return json(listControllers(ctx.store).map(controllerJson));
    if (method === 'POST') {
      const form = await readForm(ctx.request, { maxBytes: ctx.options.maxBodyBytes ?? 1_048_576 });
      const name = first(form.fields.name);
      if (!name) throw new RegistryError(400, 'This field is required.', { field: 'name' });
      return json(controllerJson(registerController(ctx.store, name, user, first(form.fields.system_id))));
    }
    return notAllowed(method, op);
  }
  const controller = new RegExp(`^${OWN}/controllers/([^/]+)/$`).exec(path)?.[1];
  if (controller && method === 'DELETE') return json(unregisterController(ctx.store, decodeURIComponent(controller), user));
  const history = new RegExp(`^${OWN}/machines/([a-z0-9]+)/history/$`).exec(path)?.[1];
  if (history && method === 'GET') {
    const row = machineOr404(ctx.store, history);
    return json(machineHistory(ctx.store, row.id));
  }
  return { status: 404, body: 'Not Found', type: 'text' };
}

async function machineRoute(ctx: Context, user: User, systemId: string, method: string, op: string | undefined): Promise<Answer> {
  const row = machineOr404(ctx.store, systemId);
  if (method === 'GET') {
    if (op === undefined) return json(machineJson(ctx.store, row));
    if (op === 'power_parameters') {
      requireAdmin(user);
      return json(JSON.parse(row.power_parameters));
    }
    if (op === 'get_token') {
      requireOwner(ctx, user, row);
      const token = machineToken(ctx.store, row.id);
      return json(token ? { token_key: token.tokenKey, token_secret: token.tokenSecret, consumer_key: token.consumerKey } : null);
    }
    return notAllowed(method, op);
  }
  if (method === 'DELETE') {
    requireAdmin(user);
    applyMachineEvent(ctx.store, systemId, { type: 'delete' });
    return { status: 204, body: '', type: 'text' };
  }
  const form = await readForm(ctx.request, { maxBytes: ctx.options.maxBodyBytes ?? 1_048_576 });
  if (method === 'PUT') {
    requireAdmin(user);
    return json(machineJson(ctx.store, updateMachine(ctx.store, systemId, form.fields)));
  }
  if (method !== 'POST') return notAllowed(method, op);
  const after = (updated: MachineRow | undefined) => json(updated ? machineJson(ctx.store, updated) : null);
  switch (op) {
    case 'release':
    case 'lock':
    case 'unlock':
    case 'mark_broken':
    case 'mark_fixed': {
      requireAdmin(user);
      const type = { release: 'release', lock: 'lock', unlock: 'unlock', mark_broken: 'markBroken', mark_fixed: 'markFixed' }[op] as 'release';
      return after(applyMachineEvent(ctx.store, systemId, { type }));
    }
    case 'set_workload_annotations': {
      const annotations: Record<string, string> = {};
      for (const [key, values] of Object.entries(form.fields)) if (key !== 'op') annotations[key] = values.at(-1) ?? '';
      return after(applyMachineEvent(ctx.store, systemId, { type: 'setWorkloadAnnotations', user: user.username, annotations }));
    }
    case 'deploy':
    case 'rescue_mode':
    case 'test':
    case 'erase': {
      requireAdmin(user);
      // The lifecycle rules decide first (rule 3: no network boot without a MAC); an allowed
      // operation still needs MAAS, which boots machines — the registry only records them.
      const type = ({ deploy: 'deploy', rescue_mode: 'rescue', test: 'test', erase: 'erase' } as const)[op];
      const decision = decideEvent(snapshotOf(ctx.store, row), type === 'deploy' ? { type, user: user.username } : { type });
      if (!decision.ok) throw new RegistryError(decision.status, decision.reason, decision.field ? { field: decision.field } : {});
      return { status: 501, body: `The embedded registry records machines; to ${op.replace('_', ' ')} a machine, use MAAS.`, type: 'text' };
    }
    case 'regenerate_token': {
      requireOwner(ctx, user, row);
      return ctx.store.transaction(() => {
        applyMachineEvent(ctx.store, systemId, { type: 'regenerateToken', user: user.username });
        const token = machineToken(ctx.store, row.id) ?? issueMachineToken(ctx.store, row.id);
        return json({ token_key: token.tokenKey, token_secret: token.tokenSecret, consumer_key: token.consumerKey });
      });
    }
    default:
      return notAllowed(method, op);
  }
}

async function createFromForm(ctx: Context, user: User, register: boolean): Promise<Answer> {
  const form = await readForm(ctx.request, { maxBytes: ctx.options.maxBodyBytes ?? 1_048_576 });
  const field = (name: string) => first(form.fields[name]);
  const power = powerParametersOf(form.fields);
  const hostname = field('hostname');
  const description = field('description');
  const architecture = field('architecture');
  const powerType = field('power_type');
  const input = {
    ...(hostname ? { hostname } : {}),
    ...(description ? { description } : {}),
    ...(architecture ? { architecture } : {}),
    ...(powerType ? { powerType } : {}),
    macAddresses: form.fields.mac_addresses ?? [],
    powerParameters: power,
    deployed: truthy(field('deployed')),
    commission: truthy(field('commission')),
  };
  if (!register) return json(machineJson(ctx.store, createMachine(ctx.store, input, user)));
  const uuid = field('hardware_uuid');
  const { row, created } = registerMachine(
    ctx.store,
    { ...input, ...(uuid ? { uuid } : {}), ...(power.power_address ? { powerAddress: power.power_address } : {}), ...(power.node_id ? { nodeId: power.node_id } : {}) },
    user,
  );
  return json({ ...machineJson(ctx.store, row), created });
}

// The metadata API: a machine, authenticated by its own token, reports script results.
async function metadata(ctx: Context, path: string, method: string): Promise<Answer> {
  const match = /^\/MAAS\/metadata\/(2012-03-01|latest)\/(maas-scripts\/)?$/.exec(path);
  if (!match) return { status: 404, body: 'Not Found', type: 'text' };
  if (!ctx.credential) throw new RegistryError(401, 'Authorization Error: request is not signed');
  if (ctx.credential.machineId === undefined) throw new RegistryError(403, 'Not authenticated as a known node.');
  // Which results to report: MAAS's script runner reads the machine's script set here.
  if (match[2]) {
    if (method !== 'GET') return notAllowed(method, first(ctx.query.op));
    if (!machineById(ctx.store, ctx.credential.machineId)) throw new RegistryError(403, 'Not authenticated as a known node.');
    return { status: 200, body: scriptsArchive(ctx.store.now()), type: 'tar' };
  }
  if (method !== 'POST') return notAllowed(method, first(ctx.query.op));
  const form = await readForm(ctx.request, { maxBytes: ctx.options.maxPushBytes ?? 16 * 1_048_576 });
  const op = first(form.fields.op) ?? first(ctx.query.op);
  if (op !== 'signal') return notAllowed(method, op);
  const status = first(form.fields.status);
  if (status !== 'WORKING' && status !== 'OK' && status !== 'FAILED') {
    throw new RegistryError(400, `Unknown status: ${JSON.stringify(status ?? '')}; expected WORKING, OK or FAILED`, { field: 'status' });
  }
  const row = machineById(ctx.store, ctx.credential.machineId);
  if (!row) throw new RegistryError(403, 'Not authenticated as a known node.');
  const file = form.files[COMMISSIONING_OUTPUT];
  const exitStatus = Number(first(form.fields.exit_status) ?? '0');
  if (status === 'FAILED') {
    const current = statusOfRef(row.status);
    if (!isAllowedTransition(current.key, 'failedCommissioning')) throw new RegistryError(409, `Invalid transition: ${current.name} -> Failed commissioning.`);
  }
  // MAAS parses hardware only from a `<script>.out` part of a script that exited 0.
  if (!file || exitStatus !== 0) return { status: 200, body: 'OK', type: 'text' };
  let document: unknown;
  try {
    document = JSON.parse(file.data.toString('utf8'));
  } catch (error) {
    throw new RegistryError(400, `${COMMISSIONING_OUTPUT} is not JSON: ${(error as Error).message}`, { field: COMMISSIONING_OUTPUT });
  }
  pushHardware(ctx.store, row.id, document, { status: status as SignalStatus });
  return { status: 200, body: 'OK', type: 'text' };
}

function requireUser(ctx: Context): User {
  if (!ctx.credential) throw new RegistryError(401, 'Authorization Error: request is not signed');
  if (!ctx.credential.user) throw new RegistryError(403, "A machine token can only report that machine's hardware information.");
  return ctx.credential.user;
}

function requireAdmin(user: User): void {
  if (!user.isAdmin) throw new RegistryError(403, 'You do not have permission to perform this action.');
}

// Rule 8: only the machine's owner sees or regenerates its token.
function requireOwner(ctx: Context, user: User, row: MachineRow): void {
  if (!mayAccessToken(snapshotOf(ctx.store, row), user.username)) {
    throw new RegistryError(403, "Only the machine's owner may see or regenerate its token.");
  }
}

function controllerJson(record: { name: string; systemId: string }): Record<string, string> {
  return { name: record.name, system_id: record.systemId };
}

function notAllowed(method: string, op: string | undefined): Answer {
  return { status: op ? 400 : 405, body: op ? `Unrecognised signature: method=${method} op=${op}` : `Method not allowed: ${method}`, type: 'text' };
}

function failure(error: unknown): Answer {
  if (error instanceof RegistryError) {
    if (error.status === 400 && error.field) return { status: 400, body: { [error.field]: error.details.length > 0 ? error.details : [error.message] } };
    return { status: error.status, body: error.message, type: 'text' };
  }
  return { status: 500, body: 'Internal error; see the registry log.', type: 'text' };
}

const CONTENT_TYPES = { json: 'application/json', text: 'text/plain; charset=utf-8', tar: 'application/x-tar' } as const;

function send(response: ServerResponse, answer: Answer, store: Store): void {
  if (response.headersSent) return;
  const text = answer.type === 'tar' ? (answer.body as Buffer) : answer.type === 'text' ? String(answer.body) : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': CONTENT_TYPES[answer.type ?? 'json'],
    'content-length': Buffer.byteLength(text),
    // Clients correct their OAuth clock from this (MAAS's own client does).
    date: store.now().toUTCString(),
    'cache-control': 'no-store',
  });
  response.end(answer.status === 204 ? undefined : text);
}

function json(body: unknown): Answer {
  return { status: 200, body };
}

function first(values: readonly string[] | undefined): string | undefined {
  return values?.[0];
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.toLowerCase());
}
