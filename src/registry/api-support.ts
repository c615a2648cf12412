// What every API handler is made of: MAAS's handler model (a resource path with operations, each a
// method and an optional `op`), so the same table routes requests and is what `describe/` lists.
import type { IncomingMessage } from 'node:http';
import { mayAccessToken } from '../lifecycle/index.ts';
import { readForm, type Form } from './form.ts';
import { snapshotOf, type MachineRow } from './machines.ts';
import { RegistryError, type Store } from './store.ts';
import type { Credential, User } from './users.ts';

/** What the API needs besides the store. */
export interface ApiOptions {
  /** Version reported by /version/. */
  readonly version: string;
  /** Largest body of an ordinary request. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Largest body of a hardware push. @default 16777216 */
  readonly maxPushBytes?: number;
  /** The registry's name, MAAS's `maas_name` setting. @default the host's name */
  readonly name?: string;
  /**
   * How often machines' hardware is expected to be pushed (the collector's schedule), in seconds:
   * MAAS's `hardware_sync_interval` and each machine's `sync_interval`. @default 3600
   */
  readonly syncIntervalSeconds?: number;
  /** Called once per request, for logs (no secrets are passed). */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number; user?: string }) => void;
}

/** An answer before it is written: JSON, text, or bytes of a given type. */
export type Answer =
  | { readonly status: number; readonly body: unknown; readonly type?: 'json' | 'text'; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: number; readonly body: Buffer; readonly type: 'bytes'; readonly contentType: string };

/** One request as a handler sees it. */
export interface Context {
  readonly store: Store;
  readonly options: ApiOptions;
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly credential: Credential | undefined;
  /** Query fields (repeatable). */
  readonly query: Form['fields'];
  /** The path's parameters, e.g. `{system_id: 'abc123'}`. */
  readonly params: Readonly<Record<string, string>>;
  /** The request's form body, read once. */
  form(): Promise<Form>;
}

/** One operation of a handler: MAAS's (method, op) signature. */
export interface Action {
  /** The name clients call it by: `read`, `create`, `update`, `delete`, or the op. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly op: string | null;
  /** First line a title, then a blank line and the description; `:param` lines as MAAS writes them. */
  readonly doc: string;
  readonly run: (ctx: Context) => Answer | Promise<Answer>;
}

/** A handler: a resource path and its operations. */
export interface Handler {
  /** MAAS's class name ("MachinesHandler"); clients derive their command names from it. */
  readonly name: string;
  readonly doc: string;
  /** The path template, e.g. `/MAAS/api/2.0/machines/{system_id}/`. */
  readonly path: string;
  /** The template's parameters, in order. */
  readonly params: readonly string[];
  readonly actions: readonly Action[];
}

/** A resource as `describe/` lists it: its authenticated and anonymous handler. */
export interface Resource {
  readonly auth: Handler | null;
  readonly anon: Handler | null;
}

/** Where MAAS's REST API lives. */
export const API = '/MAAS/api/2.0';

/** A restful operation: read (GET), create (POST), update (PUT), delete (DELETE). */
export function restful(method: Action['method'], doc: string, run: Action['run']): Action {
  const name = { GET: 'read', POST: 'create', PUT: 'update', DELETE: 'delete' }[method];
  return { name, method, op: null, doc, run };
}

/** An `?op=NAME` operation. */
export function operation(method: Action['method'], op: string, doc: string, run: Action['run']): Action {
  return { name: op, method, op, doc, run };
}

/** A JSON answer. */
export function json(body: unknown, status = 200): Answer {
  return { status, body };
}

/** A plain-text answer. */
export function text(status: number, body: string): Answer {
  return { status, body, type: 'text' };
}

/** A field's first value. */
export function first(values: readonly string[] | undefined): string | undefined {
  return values?.[0];
}

/** A form boolean as Django reads one. */
export function truthy(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.toLowerCase());
}

/** The authenticated user; a machine token is refused everywhere but the metadata API. */
export function requireUser(ctx: Context): User {
  if (!ctx.credential) throw new RegistryError(401, 'Authorization Error: request is not signed');
  if (!ctx.credential.user) throw new RegistryError(403, "A machine token can only report that machine's hardware information.");
  return ctx.credential.user;
}

/** Refuses anyone but an administrator, in MAAS's words. */
export function requireAdmin(user: User): void {
  if (!user.isAdmin) throw new RegistryError(403, 'You do not have permission to perform this action.');
}

/** Rule 8: only the machine's owner sees or regenerates its token. */
export function requireOwner(ctx: Context, user: User, row: MachineRow): void {
  if (!mayAccessToken(snapshotOf(ctx.store, row), user.username)) {
    throw new RegistryError(403, "Only the machine's owner may see or regenerate its token.");
  }
}

/** A form reader for a request, reading the body at most once. */
export function formOnce(request: IncomingMessage, maxBytes: number): () => Promise<Form> {
  let read: Promise<Form> | undefined;
  return () => (read ??= readForm(request, { maxBytes }));
}
