// The collections MAAS clients read on their way to machines (version, zones, resource pools,
// tags, users, the account, settings), and this project's own handlers (controllers, history).
import { hostname } from 'node:os';
import { listControllers, registerController, unregisterController } from './controllers.ts';
import { machineHistory } from './hardware.ts';
import { DEFAULT_SYNC_INTERVAL_SECONDS, machineJson, POOL, ZONE } from './machine-json.ts';
import { findMachine, machineOr404, type MachineRow } from './machines.ts';
import { API, first, json, operation, requireAdmin, requireUser, restful, text, type Context, type Handler, type Resource } from './api-support.ts';
import { RegistryError } from './store.ts';
import { listApiKeys, listUsers } from './users.ts';

const OWN = `${API}/redfish-enlist`;
const CAPABILITIES = ['networks-management', 'static-ipaddresses', 'ipv6-deployment-ubuntu', 'devices-management', 'storage-deployment-ubuntu', 'network-deployment-ubuntu'];

/** MAAS's version document, the one thing answered without a signature. */
export const VERSION_HANDLER: Handler = {
  name: 'VersionHandler',
  doc: 'Information about this MAAS instance.',
  path: `${API}/version/`,
  params: [],
  actions: [restful('GET', 'MAAS version information\n', (ctx) => json({ capabilities: CAPABILITIES, version: ctx.options.version, subversion: 'redfish-enlist' }))],
};

const userJson = (user: { username: string; isAdmin: boolean }) => ({ is_superuser: user.isAdmin, username: user.username, email: '', is_local: true, resource_uri: `${API}/users/${user.username}/` });

const tagJson = (tag: { name: string; comment: string }) => ({ name: tag.name, definition: '', comment: tag.comment, kernel_opts: '', resource_uri: `${API}/tags/${tag.name}/` });

// Tag names as MAAS allows them.
const TAG_NAME = /^[a-zA-Z0-9_-]+$/;

function tagOr404(ctx: Context): { name: string; comment: string } {
  const tag = ctx.store.get<{ name: string; comment: string }>('SELECT name, comment FROM tags WHERE name = ?', ctx.params.name!);
  if (!tag) throw new RegistryError(404, 'No Tag matches the given query.');
  return tag;
}

/** The settings `maas/?op=get_config` answers: the registry's name, and how often hardware is expected. */
function settings(ctx: Context): Record<string, unknown> {
  const seconds = ctx.options.syncIntervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS;
  const interval = seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
  return { maas_name: ctx.options.name ?? hostname(), hardware_sync_interval: interval };
}

// A collection the registry has one of: MAAS's default.
const onlyDefault = (name: string, doc: string, path: string, item: Record<string, unknown>): Handler => ({
  name,
  doc,
  path,
  params: [],
  actions: [restful('GET', `${doc}\n`, (ctx) => (requireUser(ctx), json([item])))],
});

const COLLECTION_HANDLERS: readonly Handler[] = [
  onlyDefault('ZonesHandler', 'Manage physical zones.', `${API}/zones/`, ZONE),
  {
    name: 'ZoneHandler',
    doc: 'Manage a physical zone.',
    path: `${API}/zones/{name}/`,
    params: ['name'],
    actions: [
      restful('GET', 'Read a zone\n', (ctx) => {
        requireUser(ctx);
        if (ctx.params.name !== ZONE.name) throw new RegistryError(404, 'No Zone matches the given query.');
        return json(ZONE);
      }),
    ],
  },
  onlyDefault('ResourcePoolsHandler', 'Manage resource pools.', `${API}/resourcepools/`, POOL),
  {
    name: 'ResourcePoolHandler',
    doc: 'Manage a resource pool.',
    path: `${API}/resourcepool/{id}/`,
    params: ['id'],
    actions: [
      restful('GET', 'Read a resource pool\n', (ctx) => {
        requireUser(ctx);
        if (ctx.params.id !== String(POOL.id) && ctx.params.id !== POOL.name) throw new RegistryError(404, 'No ResourcePool matches the given query.');
        return json(POOL);
      }),
    ],
  },
  {
    name: 'TagsHandler',
    doc: 'Manage all tags known to MAAS.',
    path: `${API}/tags/`,
    params: [],
    actions: [
      restful('GET', 'List tags\n', (ctx) => (requireUser(ctx), json(ctx.store.all<{ name: string; comment: string }>('SELECT name, comment FROM tags ORDER BY name').map(tagJson)))),
      restful('POST', 'Create a new tag\n\n:param name: Required.\n:type name: String\n\n:param comment: Optional.\n:type comment: String\n', async (ctx) => {
        requireAdmin(requireUser(ctx));
        const form = (await ctx.form()).fields;
        const name = first(form.name) ?? '';
        if (!name) throw new RegistryError(400, 'This field is required.', { field: 'name' });
        if (!TAG_NAME.test(name)) throw new RegistryError(400, 'Enter a valid value.', { field: 'name' });
        if (first(form.definition)) throw new RegistryError(400, 'The registry has no tag definitions; tag machines with op=update_nodes.', { field: 'definition' });
        if (ctx.store.get('SELECT 1 AS yes FROM tags WHERE name = ?', name)) throw new RegistryError(400, 'Tag with this Name already exists.', { field: 'name' });
        const comment = first(form.comment) ?? '';
        ctx.store.run('INSERT INTO tags (name, comment, created_at) VALUES (?, ?, ?)', name, comment, ctx.store.timestamp());
        return json(tagJson({ name, comment }));
      }),
    ],
  },
  {
    name: 'TagHandler',
    doc: 'Tags are properties that can be associated with a Node and serve as criteria for selecting and allocating nodes.',
    path: `${API}/tags/{name}/`,
    params: ['name'],
    actions: [
      restful('GET', 'Read a specific tag\n', (ctx) => (requireUser(ctx), json(tagJson(tagOr404(ctx))))),
      restful('DELETE', 'Delete a tag\n', (ctx) => {
        requireAdmin(requireUser(ctx));
        ctx.store.run('DELETE FROM tags WHERE name = ?', tagOr404(ctx).name);
        return { status: 204, body: '', type: 'text' };
      }),
      operation('GET', 'machines', 'List machines by tag\n', (ctx) => {
        requireUser(ctx);
        const tag = tagOr404(ctx);
        const rows = ctx.store.all<MachineRow>('SELECT m.* FROM machines m JOIN machine_tags t ON t.machine_id = m.id WHERE t.tag = ? ORDER BY m.hostname', tag.name);
        return json(rows.map((row) => machineJson(ctx.store, row, ctx.options.syncIntervalSeconds ? { syncIntervalSeconds: ctx.options.syncIntervalSeconds } : {})));
      }),
      operation('POST', 'update_nodes', 'Update nodes associated with this tag\n\n:param add: Optional. System ids to tag.\n:type add: String\n\n:param remove: Optional. System ids to untag.\n:type remove: String\n', async (ctx) => {
        const user = requireUser(ctx);
        const tag = tagOr404(ctx);
        if (!user.isAdmin) throw new RegistryError(403, 'Must be a superuser or supply a rack_controller');
        const form = (await ctx.form()).fields;
        // As MAAS: ids that name no machine are ignored; the counts are of machines named.
        const machines = (key: string) => [...new Set(form[key] ?? [])].map((id) => findMachine(ctx.store, id)).filter((row): row is MachineRow => row !== undefined);
        const add = machines('add');
        const remove = machines('remove');
        ctx.store.transaction(() => {
          for (const row of add) ctx.store.run('INSERT OR IGNORE INTO machine_tags (machine_id, tag) VALUES (?, ?)', row.id, tag.name);
          for (const row of remove) ctx.store.run('DELETE FROM machine_tags WHERE machine_id = ? AND tag = ?', row.id, tag.name);
        });
        return json({ added: add.length, removed: remove.length });
      }),
    ],
  },
  {
    name: 'UsersHandler',
    doc: 'Manage the user accounts of this MAAS.',
    path: `${API}/users/`,
    params: [],
    actions: [
      restful('GET', 'List users\n', (ctx) => (requireUser(ctx), json(listUsers(ctx.store).map(userJson)))),
      operation('GET', 'whoami', 'Retrieve logged-in user\n', (ctx) => json(userJson(requireUser(ctx)))),
    ],
  },
  {
    name: 'UserHandler',
    doc: 'Manage a user account.',
    path: `${API}/users/{username}/`,
    params: ['username'],
    actions: [
      restful('GET', 'Retrieve user details\n', (ctx) => {
        requireUser(ctx);
        const user = listUsers(ctx.store).find((candidate) => candidate.username === ctx.params.username);
        if (!user) throw new RegistryError(404, 'No User matches the given query.');
        return json(userJson(user));
      }),
    ],
  },
  {
    name: 'AccountHandler',
    doc: 'Manage the current logged-in user.',
    path: `${API}/account/`,
    params: [],
    actions: [
      // MAAS lists each key whole; the registry never lists a secret, so a key is listed as
      // consumer key and token key.
      operation('GET', 'list_authorisation_tokens', 'List authorisation tokens\n\nThe API keys of the logged-in user, without their secrets.\n', (ctx) => {
        const user = requireUser(ctx);
        const consumers = new Map(ctx.store.all<{ token_key: string; consumer_key: string }>('SELECT token_key, consumer_key FROM tokens WHERE user_id = ?', user.id).map((row) => [row.token_key, row.consumer_key]));
        return json(listApiKeys(ctx.store, user.username).map((key) => ({ name: key.name, token: `${consumers.get(key.tokenKey)}:${key.tokenKey}` })));
      }),
    ],
  },
  {
    name: 'MaasHandler',
    doc: 'Manage the MAAS server.',
    path: `${API}/maas/`,
    params: [],
    actions: [
      operation('GET', 'get_config', 'Get a configuration value\n\n:param name: Required. maas_name or hardware_sync_interval.\n:type name: String\n', (ctx) => {
        requireUser(ctx);
        const name = first(ctx.query.name);
        if (!name) return text(400, 'No provided name!');
        const values = settings(ctx);
        if (!(name in values)) throw new RegistryError(400, `${name} is not a valid config setting (valid settings are: ${Object.keys(values).join(', ')}).`, { field: name });
        return json(values[name]);
      }),
    ],
  },
  {
    name: 'RedfishEnlistControllersHandler',
    doc: "MAAS controllers as machines (redfish-enlist's own).",
    path: `${OWN}/controllers/`,
    params: [],
    actions: [
      restful('GET', 'List controllers\n', (ctx) => (requireUser(ctx), json(listControllers(ctx.store).map(controllerJson)))),
      restful('POST', 'Register a controller\n\n:param name: Required.\n:type name: String\n\n:param system_id: Optional. The machine it runs on.\n:type system_id: String\n', async (ctx) => {
        const user = requireUser(ctx);
        const form = (await ctx.form()).fields;
        const name = first(form.name);
        if (!name) throw new RegistryError(400, 'This field is required.', { field: 'name' });
        return json(controllerJson(registerController(ctx.store, name, user, first(form.system_id))));
      }),
    ],
  },
  {
    name: 'RedfishEnlistControllerHandler',
    doc: "A MAAS controller (redfish-enlist's own).",
    path: `${OWN}/controllers/{name}/`,
    params: ['name'],
    actions: [restful('DELETE', 'Remove a controller\n', (ctx) => json(unregisterController(ctx.store, ctx.params.name!, requireUser(ctx))))],
  },
  {
    name: 'RedfishEnlistMachineHistoryHandler',
    doc: "What each hardware push changed (redfish-enlist's own).",
    path: `${OWN}/machines/{system_id}/history/`,
    params: ['system_id'],
    actions: [restful('GET', 'Read hardware history\n', (ctx) => (requireUser(ctx), json(machineHistory(ctx.store, machineOr404(ctx.store, ctx.params.system_id!).id))))],
  },
];

function controllerJson(record: { name: string; systemId: string }): Record<string, string> {
  return { name: record.name, system_id: record.systemId };
}

/** Every resource of the API besides machines: the version anonymously, the rest signed. */
export const COLLECTION_RESOURCES: readonly Resource[] = [{ auth: null, anon: VERSION_HANDLER }, ...COLLECTION_HANDLERS.map((handler) => ({ auth: handler, anon: null }))];
