// The API's handler table: what routes requests, and what `describe/` lists, in MAAS's document
// shape (resources with an anonymous and an authenticated handler, each with its path, URI
// parameters and actions), so MAAS's CLI and python-libmaas build their commands from it and find
// exactly what the registry answers.
import { createHash } from 'node:crypto';
import { COLLECTION_RESOURCES } from './api-collections.ts';
import { MACHINE_HANDLERS } from './api-machines.ts';
import type { Action, Handler, Resource } from './api-support.ts';

/** Every resource the registry serves, by name as MAAS sorts them. */
export const RESOURCES: readonly Resource[] = [...MACHINE_HANDLERS.map((handler) => ({ auth: handler, anon: null })), ...COLLECTION_RESOURCES].sort((a, b) =>
  byCodePoint(nameOf(a), nameOf(b)),
);

// Python's sort, which MAAS's description uses.
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nameOf(resource: Resource): string {
  return (resource.auth ?? resource.anon)!.name;
}

interface Route {
  readonly pattern: RegExp;
  readonly resource: Resource;
  readonly params: readonly string[];
}

const ROUTES: readonly Route[] = RESOURCES.map((resource) => {
  const handler = (resource.auth ?? resource.anon)!;
  const pattern = new RegExp(`^${handler.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '([^/]+)')}$`);
  return { pattern, resource, params: handler.params };
});

/** The resource a path names, with its parameters (percent-decoded); undefined for none. */
export function findResource(path: string): { resource: Resource; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    try {
      return { resource: route.resource, params: Object.fromEntries(route.params.map((name, index) => [name, decodeURIComponent(match[index + 1]!)])) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The action of a handler for a method and op; `methodKnown` says whether the method has any. */
export function findAction(handler: Handler, method: string, op: string | undefined): { action?: Action; methodKnown: boolean } {
  const actions = handler.actions.filter((candidate) => candidate.method === method);
  return { action: actions.find((candidate) => candidate.op === (op ?? null)), methodKnown: actions.length > 0 };
}

function describeHandler(handler: Handler, origin: string): Record<string, unknown> {
  return {
    actions: [...handler.actions]
      .sort((a, b) => byCodePoint(a.name, b.name))
      .map((action) => ({ doc: action.doc, method: action.method, name: action.name, op: action.op, restful: action.op === null })),
    doc: handler.doc,
    name: handler.name,
    params: handler.params,
    path: handler.path,
    uri: `${origin}${handler.path}`,
  };
}

const HASH = createHash('sha1')
  .update(JSON.stringify(RESOURCES.map((resource) => [resource.anon, resource.auth].map((handler) => handler && { ...describeHandler(handler, ''), uri: undefined }))))
  .digest('hex');

/**
 * The description MAAS serves at `describe/`: `resources`, and `handlers` (every anonymous handler,
 * then every authenticated one), each handler with its absolute `uri` on `origin`.
 */
export function describeApi(origin: string): Record<string, unknown> {
  const resources = RESOURCES.map((resource) => ({
    anon: resource.anon && describeHandler(resource.anon, origin),
    auth: resource.auth && describeHandler(resource.auth, origin),
    name: nameOf(resource),
  }));
  return {
    doc: 'MAAS API',
    handlers: [...resources.flatMap((resource) => (resource.anon ? [resource.anon] : [])), ...resources.flatMap((resource) => (resource.auth ? [resource.auth] : []))],
    hash: HASH,
    resources,
  };
}
