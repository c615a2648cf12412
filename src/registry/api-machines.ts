// MAAS's machine handlers as the registry implements them: the machines collection, one machine,
// the nodes listing, and a machine's interfaces and block devices.
import { applyEvent as decideEvent, RELEASABLE_STATUSES, statusOfRef } from '../lifecycle/index.ts';
import { API, first, json, operation, requireAdmin, requireOwner, requireUser, restful, text, truthy, type Answer, type Context, type Handler } from './api-support.ts';
import { detailsBson } from './details.ts';
import { blockDeviceJson, blockDevicesOf, interfacesJson, machineJson } from './machine-json.ts';
import {
  applyMachineEvent,
  createMachine,
  findMachine,
  listMachines,
  machineOr404,
  powerParametersOf,
  refusalError,
  snapshotOf,
  updateMachine,
  type MachineFilter,
  type MachineRow,
} from './machines.ts';
import { registerMachine } from './register.ts';
import { RegistryError } from './store.ts';
import { issueMachineToken, machineToken } from './users.ts';

const asJson = (ctx: Context, row: MachineRow) => machineJson(ctx.store, row, { ...(ctx.options.syncIntervalSeconds ? { syncIntervalSeconds: ctx.options.syncIntervalSeconds } : {}) });

/** The machines `read` and the nodes listing answer: the filtered machines. */
function readMachines(ctx: Context): Answer {
  requireUser(ctx);
  const q = ctx.query;
  const filter: MachineFilter = { ...(q.hostname ? { hostname: q.hostname } : {}), ...(q.mac_address ? { mac_address: q.mac_address } : {}), ...(q.id ? { id: q.id } : {}), ...(q.status ? { status: q.status } : {}) };
  // The registry has one zone, one pool, one domain and no agent names: a filter naming anything
  // else matches nothing, as it would in a MAAS that has only those.
  const only = (values: readonly string[] | undefined, name: string) => values === undefined || values.every((value) => value === name);
  if (!only(q.zone, 'default') || !only(q.pool, 'default') || !only(q.domain, 'maas') || !only(q.agent_name, '')) return json([]);
  let rows = listMachines(ctx.store, filter);
  const tags = q.tags?.flatMap((value) => value.split(',')).filter(Boolean);
  if (tags?.length) rows = rows.filter((row) => tags.every((tag) => ctx.store.get('SELECT 1 AS yes FROM machine_tags WHERE machine_id = ? AND tag = ?', row.id, tag)));
  return json(rows.map((row) => asJson(ctx, row)));
}

async function createFromForm(ctx: Context, register: boolean): Promise<Answer> {
  const user = requireUser(ctx);
  const form = await ctx.form();
  const field = (name: string) => first(form.fields[name]);
  const power = powerParametersOf(form.fields);
  const input = {
    ...Object.fromEntries((['hostname', 'description', 'architecture'] as const).flatMap((name) => (field(name) ? [[name, field(name)!]] : []))),
    ...(field('power_type') ? { powerType: field('power_type')! } : {}),
    macAddresses: form.fields.mac_addresses ?? [],
    powerParameters: power,
    deployed: truthy(field('deployed')),
    commission: truthy(field('commission')),
  };
  if (!register) return json(asJson(ctx, createMachine(ctx.store, input, user)));
  const uuid = field('hardware_uuid');
  const { row, created } = registerMachine(
    ctx.store,
    { ...input, ...(uuid ? { uuid } : {}), ...(power.power_address ? { powerAddress: power.power_address } : {}), ...(power.node_id ? { nodeId: power.node_id } : {}) },
    user,
  );
  return json({ ...asJson(ctx, row), created });
}

// MAAS's collection release: every id must exist (400), Ready ones are left alone, releasable ones
// released, and any other makes the whole call a 409 naming them.
async function releaseMany(ctx: Context): Promise<Answer> {
  const user = requireUser(ctx);
  const ids = [...new Set((await ctx.form()).fields.machines ?? [])];
  const unknown = ids.filter((id) => !findMachine(ctx.store, id));
  if (unknown.length > 0) throw new RegistryError(400, `Unknown machine(s): ${unknown.join(', ')}.`);
  if (ids.length > 0 && !user.isAdmin) throw new RegistryError(403, `You don't have the required permission to release the following machine(s): ${ids.join(', ')}.`);
  return ctx.store.transaction(() => {
    const released: string[] = [];
    const failed: string[] = [];
    for (const id of ids) {
      const status = statusOfRef(findMachine(ctx.store, id)!.status);
      if (status.key === 'ready') continue;
      if (RELEASABLE_STATUSES.includes(status.key)) released.push(id);
      else failed.push(`${id} ('${status.name}')`);
    }
    if (failed.length > 0) throw new RegistryError(409, `Machine(s) cannot be released in their current state: ${failed.join(', ')}.`);
    for (const id of released) applyMachineEvent(ctx.store, id, { type: 'release' });
    return json(released);
  });
}

function machine(ctx: Context): MachineRow {
  return machineOr404(ctx.store, ctx.params.system_id!);
}

const after = (ctx: Context, updated: MachineRow | undefined) => json(updated ? asJson(ctx, updated) : null);

function adminEvent(op: 'release' | 'lock' | 'unlock' | 'mark_broken' | 'mark_fixed', doc: string) {
  const type = ({ release: 'release', lock: 'lock', unlock: 'unlock', mark_broken: 'markBroken', mark_fixed: 'markFixed' } as const)[op];
  return operation('POST', op, doc, (ctx) => {
    requireAdmin(requireUser(ctx));
    return after(ctx, applyMachineEvent(ctx.store, machine(ctx).system_id, { type }));
  });
}

// The lifecycle rules decide first (rule 3: no network boot without a MAC); an allowed operation
// still needs MAAS, which boots machines: the registry only records them.
function bootOperation(op: 'deploy' | 'rescue_mode' | 'test' | 'erase', doc: string) {
  return operation('POST', op, doc, (ctx) => {
    const user = requireUser(ctx);
    requireAdmin(user);
    const row = machine(ctx);
    const type = ({ deploy: 'deploy', rescue_mode: 'rescue', test: 'test', erase: 'erase' } as const)[op];
    const decision = decideEvent(snapshotOf(ctx.store, row), type === 'deploy' ? { type, user: user.username } : { type });
    if (!decision.ok) throw refusalError(decision);
    return text(501, `The embedded registry records machines; to ${op.replace('_', ' ')} a machine, use MAAS.`);
  });
}

function details(ctx: Context): Answer {
  requireUser(ctx);
  return { status: 200, body: detailsBson(ctx.store, machine(ctx).id), type: 'bytes', contentType: 'application/bson' };
}

const DETAILS_DOC = 'Get system details\n\nReturns the LLDP and lshw XML outputs a machine reported, as BSON; null for each it has not.\n';

/** MAAS's machine handlers, as the registry implements them. */
export const MACHINE_HANDLERS: readonly Handler[] = [
  {
    name: 'MachinesHandler',
    doc: 'Manage the collection of all the machines in the MAAS.',
    path: `${API}/machines/`,
    params: [],
    actions: [
      restful('GET', 'List machines\n\nList machines, filtered by any of these.\n\n:param hostname: Optional. Host names.\n:type hostname: String\n\n:param mac_address: Optional. MAC addresses.\n:type mac_address: String\n\n:param id: Optional. System ids.\n:type id: String\n\n:param status: Optional. Statuses.\n:type status: String\n\n:param tags: Optional. Tags every machine must have.\n:type tags: String\n', readMachines),
      restful(
        'POST',
        'Create a new machine\n\n:param hostname: Optional.\n:type hostname: String\n\n:param architecture: Optional unless power_type needs it.\n:type architecture: String\n\n:param mac_addresses: One or more MAC addresses.\n:type mac_addresses: String\n\n:param power_type: Optional.\n:type power_type: String\n\n:param deployed: Optional. Create the machine as Deployed.\n:type deployed: Boolean\n',
        (ctx) => createFromForm(ctx, false),
      ),
      operation('POST', 'register', "Register a machine (redfish-enlist)\n\nFind the machine by hardware UUID, MAC or BMC address and update it, or create it as Deployed.\n", (ctx) => createFromForm(ctx, true)),
      operation('GET', 'power_parameters', 'Get power parameters\n\nThe power parameters of the machines, by system id (administrators only).\n\n:param id: Optional. System ids.\n:type id: String\n', (ctx) => {
        requireAdmin(requireUser(ctx));
        const ids = ctx.query.id;
        return json(Object.fromEntries(listMachines(ctx.store, ids ? { id: ids } : {}).map((row) => [row.system_id, JSON.parse(row.power_parameters)])));
      }),
      operation('POST', 'release', 'Release machines\n\n:param machines: Required. System ids of the machines to release.\n:type machines: String\n\n:param comment: Optional.\n:type comment: String\n', releaseMany),
    ],
  },
  {
    name: 'MachineHandler',
    doc: 'Manage an individual machine.',
    path: `${API}/machines/{system_id}/`,
    params: ['system_id'],
    actions: [
      restful('GET', 'Read a node\n\nReads a node with the given system_id.\n', (ctx) => (requireUser(ctx), json(asJson(ctx, machine(ctx))))),
      restful('PUT', 'Update a machine\n\n:param hostname: Optional.\n:type hostname: String\n\n:param description: Optional.\n:type description: String\n\n:param architecture: Optional.\n:type architecture: String\n\n:param power_type: Optional.\n:type power_type: String\n', async (ctx) => {
        requireAdmin(requireUser(ctx));
        const systemId = machine(ctx).system_id;
        return json(asJson(ctx, updateMachine(ctx.store, systemId, (await ctx.form()).fields)));
      }),
      restful('DELETE', 'Delete a machine\n', (ctx) => {
        requireAdmin(requireUser(ctx));
        applyMachineEvent(ctx.store, machine(ctx).system_id, { type: 'delete' });
        return { status: 204, body: '', type: 'text' };
      }),
      operation('GET', 'power_parameters', 'Get power parameters\n\nAdministrators only; they may hold passwords.\n', (ctx) => {
        requireAdmin(requireUser(ctx));
        return json(JSON.parse(machine(ctx).power_parameters));
      }),
      operation('GET', 'get_token', "Get a machine token\n\nThe machine's own OAuth token, null if it has none.\n", (ctx) => {
        const user = requireUser(ctx);
        const row = machine(ctx);
        requireOwner(ctx, user, row);
        const token = machineToken(ctx.store, row.id);
        return json(token ? { token_key: token.tokenKey, token_secret: token.tokenSecret, consumer_key: token.consumerKey } : null);
      }),
      operation('GET', 'details', DETAILS_DOC, details),
      adminEvent('release', 'Release a machine\n\n:param comment: Optional.\n:type comment: String\n'),
      adminEvent('lock', 'Lock a machine\n'),
      adminEvent('unlock', 'Unlock a machine\n'),
      adminEvent('mark_broken', 'Mark a machine as Broken\n'),
      adminEvent('mark_fixed', 'Mark a machine as Fixed\n'),
      operation('POST', 'set_workload_annotations', 'Set key=value data\n\nAn empty value removes the key.\n', async (ctx) => {
        const user = requireUser(ctx);
        const row = machine(ctx);
        const annotations: Record<string, string> = {};
        for (const [key, values] of Object.entries((await ctx.form()).fields)) if (key !== 'op') annotations[key] = values.at(-1) ?? '';
        return after(ctx, applyMachineEvent(ctx.store, row.system_id, { type: 'setWorkloadAnnotations', user: user.username, annotations }));
      }),
      bootOperation('deploy', 'Deploy a machine\n\nNot done by the registry: checked, then answered 501.\n'),
      bootOperation('rescue_mode', 'Enter rescue mode\n\nNot done by the registry: checked, then answered 501.\n'),
      bootOperation('test', 'Begin testing process for a node\n\nNot done by the registry: checked, then answered 501.\n'),
      bootOperation('erase', 'Erase a machine\n\nNot done by the registry: checked, then answered 501.\n'),
      operation('POST', 'regenerate_token', "Regenerate the machine's token (redfish-enlist)\n\nThe old token stops working at once.\n", (ctx) => {
        const user = requireUser(ctx);
        const row = machine(ctx);
        requireOwner(ctx, user, row);
        return ctx.store.transaction(() => {
          applyMachineEvent(ctx.store, row.system_id, { type: 'regenerateToken', user: user.username });
          const token = machineToken(ctx.store, row.id) ?? issueMachineToken(ctx.store, row.id);
          return json({ token_key: token.tokenKey, token_secret: token.tokenSecret, consumer_key: token.consumerKey });
        });
      }),
    ],
  },
  {
    name: 'NodesHandler',
    doc: 'Manage the collection of all the nodes in the MAAS.',
    path: `${API}/nodes/`,
    params: [],
    actions: [restful('GET', 'List Nodes visible to the user\n\nThe registry has machines only.\n', readMachines)],
  },
  {
    name: 'NodeHandler',
    doc: 'Manage an individual Node.',
    path: `${API}/nodes/{system_id}/`,
    params: ['system_id'],
    actions: [
      restful('GET', 'Read a node\n', (ctx) => {
        requireUser(ctx);
        const row = findMachine(ctx.store, ctx.params.system_id!);
        if (!row) throw new RegistryError(404, 'No Node matches the given query.');
        return json(asJson(ctx, row));
      }),
      operation('GET', 'details', DETAILS_DOC, (ctx) => {
        if (!findMachine(ctx.store, ctx.params.system_id!)) throw new RegistryError(404, 'No Node matches the given query.');
        return details(ctx);
      }),
    ],
  },
  {
    name: 'InterfacesHandler',
    doc: 'Manage interfaces on a node.',
    path: `${API}/nodes/{system_id}/interfaces/`,
    params: ['system_id'],
    actions: [restful('GET', 'List interfaces\n', (ctx) => (requireUser(ctx), json(interfacesJson(ctx.store, nodeOr404(ctx)))))],
  },
  {
    name: 'InterfaceHandler',
    doc: "Manage a node's or device's interface.",
    path: `${API}/nodes/{system_id}/interfaces/{id}/`,
    params: ['system_id', 'id'],
    actions: [
      restful('GET', 'Read an interface\n', (ctx) => {
        requireUser(ctx);
        const found = interfacesJson(ctx.store, nodeOr404(ctx)).find((iface) => String(iface.id) === ctx.params.id);
        if (!found) throw new RegistryError(404, 'No Interface matches the given query.');
        return json(found);
      }),
    ],
  },
  {
    name: 'BlockDevicesHandler',
    doc: 'Manage block devices on a machine.',
    path: `${API}/nodes/{system_id}/blockdevices/`,
    params: ['system_id'],
    actions: [
      restful('GET', 'List block devices\n', (ctx) => {
        requireUser(ctx);
        const row = machine(ctx);
        return json(blockDevicesOf(ctx.store, row.id).map((disk) => blockDeviceJson(row, disk, { firmwareVersion: false })));
      }),
    ],
  },
  {
    name: 'BlockDeviceHandler',
    doc: 'Manage a block device on a machine.',
    path: `${API}/nodes/{system_id}/blockdevices/{id}/`,
    params: ['system_id', 'id'],
    actions: [
      restful('GET', 'Read a block device\n', (ctx) => {
        requireUser(ctx);
        const row = machine(ctx);
        const disk = blockDevicesOf(ctx.store, row.id).find((candidate) => String(candidate.id) === ctx.params.id);
        if (!disk) throw new RegistryError(404, 'No BlockDevice matches the given query.');
        return json(blockDeviceJson(row, disk));
      }),
    ],
  },
];

function nodeOr404(ctx: Context): MachineRow {
  const row = findMachine(ctx.store, ctx.params.system_id!);
  if (!row) throw new RegistryError(404, 'No Node matches the given query.');
  return row;
}
