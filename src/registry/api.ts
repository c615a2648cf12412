// The registry's HTTP API: MAAS's paths, operations, field names and answers for what it supports,
// so one MAAS client serves both. The version document and the API description are answered
// anonymously, everything else needs an OAuth signature; machine tokens may only push their own
// machine's hardware. Requests are routed by the handler table `describe/` lists (describe.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAllowedTransition, statusOfRef } from '../lifecycle/index.ts';
import { API, first, formOnce, json, text, type Answer, type ApiOptions, type Context } from './api-support.ts';
import { describeApi, findAction, findResource } from './describe.ts';
import { keepDetails } from './details.ts';
import { fieldsOf } from './form.ts';
import { pushHardware, type SignalStatus } from './hardware.ts';
import { machineById } from './machines.ts';
import { AuthError, verifyOAuth } from './oauth.ts';
import { scriptsArchive } from './scripts.ts';
import { RegistryError, type Store } from './store.ts';
import type { Credential } from './users.ts';

export type { ApiOptions } from './api-support.ts';

const COMMISSIONING_OUTPUT = '50-maas-01-commissioning.out';

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
    if (error instanceof AuthError) return { answer: text(401, `Authorization Error: ${error.message}`) };
    return { answer: failure(error) };
  }
  const user = credential?.user?.username;
  try {
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    const ctx: Context = {
      store,
      options,
      request,
      url,
      credential,
      query: fieldsOf(url.searchParams).fields,
      params: {},
      form: formOnce(request, options.maxBodyBytes ?? 1_048_576),
    };
    return { answer: await route(ctx), ...(user ? { user } : {}) };
  } catch (error) {
    return { answer: failure(error), ...(user ? { user } : {}) };
  }
}

async function route(ctx: Context): Promise<Answer> {
  const path = ctx.url.pathname.replace(/\/?$/, '/');
  const method = ctx.request.method ?? 'GET';
  const op = first(ctx.query.op);
  if (path.startsWith('/MAAS/metadata/')) return metadata(ctx, path, method);
  if (path === `${API}/describe/` && method === 'GET') return json(describeApi(originOf(ctx.request)));
  const outside = outsideApi(ctx.url.pathname);
  if (outside) return outside;
  const found = findResource(path);
  if (!found) return text(404, `Unknown API endpoint: ${ctx.url.pathname}.`);
  // As piston: the signed handler when the request is signed (or there is no anonymous one), and
  // only then the operation's signature.
  const handler = (ctx.credential ? found.resource.auth : null) ?? found.resource.anon;
  if (!handler) throw new RegistryError(401, 'Authorization Error: request is not signed');
  const { action, methodKnown } = findAction(handler, method, op);
  if (!methodKnown) return { status: 405, body: '', type: 'text', headers: { allow: [...new Set(handler.actions.map((one) => one.method))].join(', ') } };
  if (!action) return text(400, `Unrecognised signature: method=${method} op=${op ?? 'None'}`);
  return action.run({ ...ctx, params: found.params });
}

/**
 * What MAAS answers for a path under /MAAS/ outside its API and metadata service: the 1.0 API is gone
 * (410), and anything else is its web UI, which sends a client without a session to the login page
 * (maasserver/middleware.py, AccessMiddleware: `/MAAS/?next=` and the path, quote_plus'd), signed
 * or not. `/MAAS/describe/` is one such path: the description is `/MAAS/api/2.0/describe/`.
 */
function outsideApi(pathname: string): Answer | undefined {
  const normal = pathname.replace(/\/?$/, '/');
  if (normal === '/MAAS/' || normal.startsWith(`${API}/`) || normal.startsWith('/MAAS/metadata/')) return undefined;
  if (pathname.startsWith('/MAAS/api/1.0/')) return text(410, 'The 1.0 API is no longer available. Please use API version 2.0.');
  let path = pathname;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    // Django would have refused the request line; the path is quoted as it came.
  }
  const quoted = encodeURIComponent(path)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
  return { status: 302, body: '', type: 'text', headers: { location: `/MAAS/?next=${quoted}` } };
}

// Where the client reached the registry, for the description's absolute URIs.
function originOf(request: IncomingMessage): string {
  const secure = 'encrypted' in request.socket && request.socket.encrypted === true;
  const host = request.headers.host ?? `${request.socket.localAddress}:${request.socket.localPort}`;
  return `${secure ? 'https' : 'http'}://${host}`;
}

// The metadata API: a machine, authenticated by its own token, reports script results.
async function metadata(ctx: Context, path: string, method: string): Promise<Answer> {
  const match = /^\/MAAS\/metadata\/(2012-03-01|latest)\/(maas-scripts\/)?$/.exec(path);
  if (!match) return text(404, 'Not Found');
  if (!ctx.credential) throw new RegistryError(401, 'Authorization Error: request is not signed');
  if (ctx.credential.machineId === undefined) throw new RegistryError(403, 'Not authenticated as a known node.');
  // Which results to report: MAAS's script runner reads the machine's script set here.
  if (match[2]) {
    if (method !== 'GET') return notAllowed(method, first(ctx.query.op));
    if (!machineById(ctx.store, ctx.credential.machineId)) throw new RegistryError(403, 'Not authenticated as a known node.');
    return { status: 200, body: scriptsArchive(ctx.store.now()), type: 'bytes', contentType: 'application/x-tar' };
  }
  if (method !== 'POST') return notAllowed(method, first(ctx.query.op));
  const form = await formOnce(ctx.request, ctx.options.maxPushBytes ?? 16 * 1_048_576)();
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
  // MAAS keeps a script's output only when it exited 0, and parses hardware only from a
  // `<script>.out` part; the lshw and LLDP outputs are what `op=details` serves.
  if (exitStatus !== 0) return text(200, 'OK');
  const outputs = Object.fromEntries(Object.entries(form.files).flatMap(([name, part]) => (name.endsWith('.out') ? [[name.slice(0, -'.out'.length), part.data]] : [])));
  if (!file) {
    ctx.store.transaction(() => keepDetails(ctx.store, row.id, outputs));
    return text(200, 'OK');
  }
  let document: unknown;
  try {
    document = JSON.parse(file.data.toString('utf8'));
  } catch (error) {
    throw new RegistryError(400, `${COMMISSIONING_OUTPUT} is not JSON: ${(error as Error).message}`, { field: COMMISSIONING_OUTPUT });
  }
  pushHardware(ctx.store, row.id, document, { status: status as SignalStatus, outputs });
  return text(200, 'OK');
}

function notAllowed(method: string, op: string | undefined): Answer {
  return op ? text(400, `Unrecognised signature: method=${method} op=${op}`) : { status: 405, body: '', type: 'text' };
}

function failure(error: unknown): Answer {
  if (error instanceof RegistryError) {
    if (error.status === 400 && error.fields) return { status: 400, body: error.fields };
    if (error.status === 400 && error.field) return { status: 400, body: { [error.field]: error.details.length > 0 ? error.details : [error.message] } };
    return text(error.status, error.answer ?? error.message);
  }
  return text(500, 'Internal error; see the registry log.');
}

function send(response: ServerResponse, answer: Answer, store: Store): void {
  if (response.headersSent) return;
  const bytes = answer.type === 'bytes' ? answer.body : Buffer.from(answer.type === 'text' ? String(answer.body) : JSON.stringify(answer.body));
  const type = answer.type === 'bytes' ? answer.contentType : answer.type === 'text' ? 'text/plain; charset=utf-8' : 'application/json';
  response.writeHead(answer.status, {
    ...(answer.type !== 'bytes' ? answer.headers : {}),
    'content-type': type,
    'content-length': bytes.length,
    // Clients correct their OAuth clock from this (MAAS's own client does).
    date: store.now().toUTCString(),
    'cache-control': 'no-store',
  });
  response.end(answer.status === 204 ? undefined : bytes);
}
