// The web interface's request handler, given to `serveRegistry` as its fallback: every path
// outside /MAAS/ comes here. Pages need a session; every POST needs the session's CSRF token (the
// login form a double-submit token) and, when the browser sends one, this site's Origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { findMachine, RegistryError, type Store } from '../registry/index.ts';
import { readForm } from '../registry/form.ts';
import { actionPage } from './action-page.ts';
import { actionNamed, availability, performAction } from './actions.ts';
import { bmcsPage, parseBmcQuery, type ConfiguredBmc } from './bmcs-page.ts';
import { html } from './html.ts';
import { cookiesOf, localPath, redirect, sameOrigin, sendBody, sendHtml, serializeCookie } from './http.ts';
import { layout, STYLESHEET_PATH, type Notice } from './layout.ts';
import { parseListingQuery } from './listing.ts';
import { loginPage } from './login-page.ts';
import { machinePage } from './machine-page.ts';
import { latestDocument, machineView } from './machine-view.ts';
import { machinesPage } from './machines-page.ts';
import { maasMachine } from './maas-json.ts';
import {
  authenticate,
  clearedSessionCookie,
  createSession,
  csrfMatches,
  endSession,
  findSession,
  loginCookieName,
  randomToken,
  SESSION_HOURS,
  sessionCookie,
  sessionCookieName,
  type WebSession,
} from './session.ts';
import { STYLESHEET } from './style.ts';
import { LoginThrottle, type Refusal, type ThrottlePolicy } from './throttle.ts';

/** How the web interface behaves. */
export interface WebOptions {
  /** The interface is served over TLS: cookies get `Secure` and the `__Host-` prefix. @default false */
  readonly secureCookies?: boolean;
  /** Version shown in the footer. */
  readonly version?: string;
  /** How long a login lasts. @default 12 */
  readonly sessionHours?: number;
  /** The collector's configured BMCs, so the BMCs page names them and lists those never swept. */
  readonly configuredBmcs?: () => readonly ConfiguredBmc[];
  /** Failed logins allowed per user name and per client address (src/web/throttle.ts). @default DEFAULT_THROTTLE */
  readonly loginThrottle?: Partial<ThrottlePolicy>;
}

/** A request handler for serveRegistry's `fallback`: resolves true once it has answered. */
export type WebHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const MAX_FORM_BYTES = 64 * 1024;
const STYLESHEET_ETAG = `"${createHash('sha256').update(STYLESHEET).digest('base64url').slice(0, 16)}"`;
const MACHINE_PATH = /^\/machines\/([a-z0-9]{1,40})(?:\/(commissioning\.json|actions\/([a-z_]{1,20})))?$/;

interface Request {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly method: string;
}

// What a throttled login is told: which limit, and for how long.
function refusalText(refusal: Refusal): string {
  const minutes = Math.ceil(refusal.retryAfterSeconds / 60);
  const wait = `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return refusal.reason === 'user'
    ? `Too many failed logins for this user name: it is refused, even with the right password, for the next ${wait}.`
    : `Too many failed logins from your address: logins from it are refused for the next ${wait}.`;
}

/** The web interface over a registry: machines, machine, BMCs, login and lifecycle actions. */
export function webInterface(store: Store, options: WebOptions = {}): WebHandler {
  const secure = options.secureCookies === true;
  const version = options.version ? { version: options.version } : {};
  const throttle = new LoginThrottle(options.loginThrottle, () => store.now().getTime());

  const page = (req: Request, status: number, title: string, notice: Notice, session?: WebSession) =>
    sendHtml(req.response, status, layout({ title, section: 'machines', notice, ...(session ? { session } : {}), ...version }, html`<p><a href="/">Back to the machines</a></p>`));

  async function login(req: Request): Promise<void> {
    const cookies = cookiesOf(req.request);
    const next = localPath(req.url.searchParams.get('next') ?? undefined);
    const showForm = (status: number, notice?: Notice, username?: string, target = next, headers: Record<string, string> = {}) => {
      // An existing token is kept, so a second tab's login form does not invalidate the first's.
      const current = cookies.get(loginCookieName(secure));
      const token = current && /^[A-Za-z0-9_-]{43}$/.test(current) && status === 200 ? current : randomToken();
      sendHtml(req.response, status, loginPage({ csrfToken: token, next: target, ...(username ? { username } : {}), ...(notice ? { notice } : {}), ...version }), {
        'set-cookie': serializeCookie(loginCookieName(secure), token, { secure, maxAgeSeconds: 3600 }),
        ...headers,
      });
    };
    if (req.method !== 'POST') {
      if (findSession(store, cookies.get(sessionCookieName(secure)))) return redirect(req.response, next);
      return showForm(200);
    }
    const form = await readForm(req.request, { maxBytes: MAX_FORM_BYTES });
    const field = (name: string) => form.fields[name]?.[0] ?? '';
    const target = localPath(field('next') || undefined);
    if (!sameOrigin(req.request) || !csrfMatches(cookies.get(loginCookieName(secure)), field('csrf'))) {
      return showForm(403, { kind: 'error', text: 'The login form had expired or came from another site. Please log in again.' }, undefined, target);
    }
    // Refused before the password is looked at: the right one is refused too, until the window ends.
    const address = req.request.socket.remoteAddress;
    const refusal = throttle.check(field('username'), address);
    if (refusal) return showForm(429, { kind: 'error', text: refusalText(refusal) }, field('username'), target, { 'retry-after': String(refusal.retryAfterSeconds) });
    const user = authenticate(store, field('username'), field('password'));
    if (!user) {
      throttle.failed(field('username'), address);
      return showForm(401, { kind: 'error', text: 'Wrong user name or password.' }, field('username'), target);
    }
    throttle.succeeded(field('username'));
    const hours = options.sessionHours ?? SESSION_HOURS;
    const { id } = createSession(store, user, hours);
    return redirect(req.response, target === '/login' ? '/' : target, {
      'set-cookie': [sessionCookie(id, secure, hours), serializeCookie(loginCookieName(secure), '', { secure, maxAgeSeconds: 0 })],
    });
  }

  async function machineRoute(req: Request, session: WebSession, systemId: string, sub: string | undefined, actionName: string | undefined): Promise<void> {
    const row = findMachine(store, systemId);
    if (!row) return page(req, 404, 'Not found', { kind: 'error', text: `No machine matches the given query: ${systemId}` }, session);
    if (sub === 'commissioning.json') {
      if (req.method !== 'GET') return notAllowed(req, session);
      const latest = latestDocument(store, row.id);
      if (!latest) return page(req, 404, 'Not found', { kind: 'error', text: `${row.hostname} has no commissioning document yet.` }, session);
      return sendBody(req.response, 200, latest.document, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${row.system_id}-50-maas-01-commissioning.json"`,
        'cache-control': 'no-store',
      });
    }
    if (actionName !== undefined) {
      const action = actionNamed(actionName);
      if (!action) return page(req, 404, 'Not found', { kind: 'error', text: `No action ${actionName}.` }, session);
      if (req.method === 'GET') {
        const entry = availability(store, row, action, session.user);
        return sendHtml(req.response, entry.allowed ? 200 : entry.status, actionPage(maasMachine(store, row), entry, session, version));
      }
      const form = await checkedForm(req, session);
      if (!form) return;
      if (form.confirm?.[0] !== 'yes') return redirect(req.response, `/machines/${row.system_id}/actions/${action.name}`);
      try {
        const after = performAction(store, row.system_id, action, session.user);
        return redirect(req.response, after ? `/machines/${row.system_id}?done=${action.name}` : '/');
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        const current = findMachine(store, systemId) ?? row;
        const entry = availability(store, current, action, session.user);
        return sendHtml(req.response, error.status, actionPage(maasMachine(store, current), entry, session, { notice: { kind: 'error', text: error.message }, ...version }));
      }
    }
    if (req.method !== 'GET') return notAllowed(req, session);
    const done = actionNamed(req.url.searchParams.get('done') ?? '');
    const machine = maasMachine(store, row);
    const notice: Notice | undefined = done ? { kind: 'ok', text: `${done.label} done: ${machine.hostname} is ${machine.status_name}${machine.locked ? ' and locked' : ''}.` } : undefined;
    return sendHtml(req.response, 200, machinePage(machineView(store, row, session.user), session, store.now(), { ...(notice ? { notice } : {}), ...version }));
  }

  // Reads a POST's form and checks its Origin and CSRF token; answers 403 itself and returns undefined when they fail.
  async function checkedForm(req: Request, session: WebSession): Promise<Readonly<Record<string, readonly string[]>> | undefined> {
    const form = await readForm(req.request, { maxBytes: MAX_FORM_BYTES });
    if (!sameOrigin(req.request) || !csrfMatches(session.csrfToken, form.fields.csrf?.[0])) {
      page(req, 403, 'Refused', { kind: 'error', text: "Refused: the request did not carry this session's CSRF token. Reload the page and try again." }, session);
      return undefined;
    }
    return form.fields;
  }

  function notAllowed(req: Request, session?: WebSession): void {
    page(req, 405, 'Method not allowed', { kind: 'error', text: `Method not allowed: ${req.method}` }, session);
  }

  async function route(req: Request): Promise<void> {
    const path = req.url.pathname;
    if (path === STYLESHEET_PATH) {
      if (req.request.headers['if-none-match'] === STYLESHEET_ETAG) return sendBody(req.response, 304, '', { etag: STYLESHEET_ETAG });
      return sendBody(req.response, 200, STYLESHEET, { 'content-type': 'text/css; charset=utf-8', etag: STYLESHEET_ETAG, 'cache-control': 'private, max-age=3600' });
    }
    if (path === '/favicon.ico') return sendBody(req.response, 404, '', { 'cache-control': 'private, max-age=86400' });
    if (path === '/login') return req.method === 'GET' || req.method === 'POST' ? login(req) : notAllowed(req);
    const cookies = cookiesOf(req.request);
    const sessionId = cookies.get(sessionCookieName(secure));
    const session = findSession(store, sessionId);
    if (!session) {
      if (req.method === 'GET') return redirect(req.response, path === '/' && !req.url.search ? '/login' : `/login?next=${encodeURIComponent(path + req.url.search)}`);
      return page(req, 403, 'Refused', { kind: 'error', text: 'Refused: you are not logged in (or your session has ended).' });
    }
    if (path === '/logout') {
      if (req.method !== 'POST') return notAllowed(req, session);
      if (!(await checkedForm(req, session))) return;
      endSession(store, sessionId);
      return redirect(req.response, '/login', { 'set-cookie': clearedSessionCookie(secure) });
    }
    if (path === '/') {
      if (req.method !== 'GET') return notAllowed(req, session);
      return sendHtml(req.response, 200, machinesPage(store, session, parseListingQuery(req.url.searchParams), version));
    }
    if (path === '/bmcs') {
      if (req.method !== 'GET') return notAllowed(req, session);
      return sendHtml(req.response, 200, bmcsPage(store, session, parseBmcQuery(req.url.searchParams), { ...version, ...(options.configuredBmcs ? { configured: options.configuredBmcs() } : {}) }));
    }
    const machine = MACHINE_PATH.exec(path);
    if (machine) return machineRoute(req, session, machine[1]!, machine[2] === 'commissioning.json' ? machine[2] : undefined, machine[3]);
    return page(req, 404, 'Not found', { kind: 'error', text: 'There is no such page.' }, session);
  }

  return async (request, response) => {
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const req: Request = { request, response, url: new URL(request.url ?? '/', 'http://web.invalid'), method };
    try {
      await route(req);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
      } else if (error instanceof RegistryError) {
        page(req, error.status, 'Refused', { kind: 'error', text: error.message });
      } else {
        page(req, 500, 'Internal error', { kind: 'error', text: 'Internal error; see the registry log.' });
      }
    }
    return true;
  };
}
