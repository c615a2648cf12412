// The text a BMC serves for a resource: the tree's body, or the BMC's runtime overlay, reshaped for
// `$expand` and paging, then rewritten for its fleet identity.
import { mockupKey, type MockupResource } from '../mockup.ts';
import { isRecord } from './check.ts';
import { breakJson } from './faults.ts';
import { applyIdentity, renderIdentity, type IdentityTables } from './identity.ts';
import type { ExpandMode } from './options.ts';
import type { PreparedTree } from './tree.ts';

/** Per-BMC changes over the shared tree: a body set at runtime, or null for a deleted resource. */
export type Overlay = Map<string, MockupResource | null>;

/** How one BMC shapes what it serves. */
export interface RenderSettings {
  readonly expand: ExpandMode;
  readonly pageSize: number;
  readonly identity: number | undefined;
  readonly identityTables: IdentityTables | undefined;
}

/** A resource ready to send. */
export interface Rendered {
  readonly status: number;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

// The `$expand` forms a collector sends for one level: `.`, `*`, `~` (with or without `($levels=n)`), `Members`.
const EXPAND_QUERY = /^(?:[.*~](?:\(\$levels=\d+\))?|Members)$/;
const KEPT_BY_AMI = ['@odata.id', '@odata.type', 'Name'];

/** The resource at a key: the overlay's if it has one (null: deleted), else the tree's. */
export function lookup(tree: PreparedTree, overlay: Overlay | undefined, key: string): MockupResource | undefined {
  const own = overlay?.get(key);
  if (own !== undefined) return own ?? undefined;
  return tree.mockup.get(key);
}

/** What a GET of `key` with `query` answers, or undefined when no resource is there. */
export function renderResource(
  tree: PreparedTree,
  overlay: Overlay | undefined,
  key: string,
  query: URLSearchParams,
  settings: RenderSettings,
): Rendered | undefined {
  const resource = lookup(tree, overlay, key);
  if (resource === undefined) return undefined;
  const status = resource.status ?? 200;
  const { identity, identityTables: tables } = settings;
  const reshaped = status === 200 ? reshape(tree, overlay, key, resource.body, query, settings) : undefined;
  const own = reshaped ?? (overlay?.has(key) === true ? JSON.stringify(resource.body ?? null) : undefined);
  let text: string;
  if (own !== undefined) text = identity === undefined || tables === undefined ? own : applyIdentity(own, identity, tables);
  else if (identity === undefined || tables === undefined) text = tree.text(key) ?? 'null';
  else text = renderIdentity(tree.template(key) ?? ['null'], identity, tables);
  return { status, text, headers: resource.headers };
}

// Undefined when the body is served as stored.
function reshape(
  tree: PreparedTree,
  overlay: Overlay | undefined,
  key: string,
  body: unknown,
  query: URLSearchParams,
  settings: RenderSettings,
): string | undefined {
  if (!isRecord(body)) return undefined;
  if (key === '/redfish/v1' && settings.expand === 'off') return JSON.stringify(withoutExpandQuery(body));
  const members = body.Members;
  if (!Array.isArray(members)) return undefined;
  const expand = settings.expand !== 'off' && settings.expand !== 'ignored' && tree.expandAdvertised && EXPAND_QUERY.test(query.get('$expand') ?? '');
  const paged = settings.pageSize > 0 && members.length > settings.pageSize;
  if (!expand && !paged) return undefined;
  const out: Record<string, unknown> = { ...body };
  let page: unknown[] = members;
  if (paged) {
    const skip = Math.min(Math.max(Number.parseInt(query.get('$skip') ?? '0', 10) || 0, 0), members.length);
    const next = skip + settings.pageSize;
    page = members.slice(skip, next);
    out['Members@odata.count'] = members.length;
    if (next < members.length) out['Members@odata.nextLink'] = `${key}?$skip=${next}`;
    else delete out['Members@odata.nextLink'];
  }
  out.Members = expand ? page.map((member) => inline(tree, overlay, member, settings.expand)) : page;
  const text = JSON.stringify(out);
  return expand && settings.expand === 'broken-json' ? breakJson(text) : text;
}

// One level only: a member's own links stay links. A member that is missing or an error stays a link.
function inline(tree: PreparedTree, overlay: Overlay | undefined, member: unknown, mode: ExpandMode): unknown {
  if (!isRecord(member) || typeof member['@odata.id'] !== 'string') return member;
  const target = lookup(tree, overlay, mockupKey(member['@odata.id']));
  if (target === undefined || (target.status ?? 200) !== 200 || !isRecord(target.body)) return member;
  if (mode !== 'drop-fields') return target.body;
  const body = target.body;
  return Object.fromEntries(KEPT_BY_AMI.filter((name) => name in body).map((name) => [name, body[name]]));
}

function withoutExpandQuery(root: Record<string, unknown>): Record<string, unknown> {
  const features = root.ProtocolFeaturesSupported;
  if (!isRecord(features) || !('ExpandQuery' in features)) return root;
  const { ExpandQuery: _, ...rest } = features;
  return { ...root, ProtocolFeaturesSupported: rest };
}
