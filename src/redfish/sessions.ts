// Redfish sessions as the client keeps them: what a login's answer means (a session to use and
// later delete, basic auth instead, or a refusal) and where a session can be deleted. Pure: the
// client sends the requests.
import { checkLink, trimSlash } from './links.ts';
import { isSessionLimit, RedfishError } from './errors.ts';
import type { AuthState, BmcEndpoint } from './hooks.ts';

/** A session to delete at close, with the headers that authenticate the deletion. */
export interface Session {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What a login's answer says of where its session is. */
export interface SessionLinks {
  /** The Location header. */
  readonly location: string | undefined;
  /** The body's @odata.id. */
  readonly bodyId: unknown;
  /** The body's Id. */
  readonly id?: unknown;
}

/**
 * Where the session a login made can be deleted: its Location, else the body's @odata.id, on the
 * BMC's own origin. When both point elsewhere (another host, user-info in the URL), the same path
 * on the BMC itself, if it names a member of the session collection, so the token never leaves the
 * BMC; `onForeign` hears of it (the location without user-info). Else the member of the session
 * collection the body's Id names. Undefined when nothing is usable.
 */
export function sessionPathOf(origin: string, sessionsPath: string, links: SessionLinks, onForeign?: (location: string) => void): string | undefined {
  const base = `${origin}${trimSlash(sessionsPath)}/`;
  const urls = [links.location, links.bodyId].flatMap((link) => {
    if (typeof link !== 'string' || link === '') return [];
    try {
      return [new URL(link, base)];
    } catch {
      return [];
    }
  });
  for (const url of urls) {
    const checked = checkLink(origin, url.href);
    if (checked.ok) return checked.path;
  }
  for (const url of urls) {
    const checked = checkLink(origin, url.pathname);
    if (checked.ok && checked.path.startsWith(base.slice(origin.length))) {
      onForeign?.(`${url.protocol}//${url.host}${url.pathname}`);
      return checked.path;
    }
  }
  return memberPath(origin, sessionsPath, links.id);
}

// The member of the session collection an Id names: BMCs that send neither a Location nor an
// @odata.id (or only ones elsewhere) often still send that. One plain path segment, never `.` or `..`.
function memberPath(origin: string, sessionsPath: string, id: unknown): string | undefined {
  const text = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? String(id) : id;
  if (typeof text !== 'string' || !/^(?!\.{1,2}$)[A-Za-z0-9_.~-]{1,128}$/.test(text)) return undefined;
  const checked = checkLink(origin, `${trimSlash(sessionsPath)}/${text}`);
  return checked.ok ? checked.path : undefined;
}

/** What a login's answer (POST to the session collection) means for the sweep. */
export type LoginOutcome =
  /** A session to send the token of; `session` is where to delete it, undefined when nothing is usable. */
  | { readonly kind: 'session'; readonly token: string; readonly session: Session | undefined }
  /** Basic auth instead, saying why; `deletePath` is a session the BMC made without a token, to delete at once. */
  | { readonly kind: 'basic'; readonly note: string; readonly deletePath?: string; readonly undeletable?: true }
  /** The credentials were refused (401, 403). */
  | { readonly kind: 'refused' };

/** The parts of a login's answer that decide what it means. */
export interface LoginAnswer {
  readonly status: number;
  readonly token: string | undefined;
  readonly location: string | undefined;
  readonly bodyId: unknown;
  readonly body: unknown;
}

/** Reads a login's answer: a session when it made one with a token, basic auth when it did not or could not. */
export function loginOutcome(answer: LoginAnswer, origin: string, sessionsPath: string, onForeign?: (location: string) => void): LoginOutcome {
  const { status, token } = answer;
  if (status >= 200 && status < 300) {
    const id = typeof answer.body === 'object' && answer.body !== null ? (answer.body as Record<string, unknown>).Id : undefined;
    const path = sessionPathOf(origin, sessionsPath, { location: answer.location, bodyId: answer.bodyId, id }, onForeign);
    if (token) return { kind: 'session', token, session: path ? { path, headers: { 'x-auth-token': token } } : undefined };
    // A session with no token to use it by: deleted at once (with basic auth), which serves instead.
    if (path) return { kind: 'basic', note: 'the BMC made a session but sent no X-Auth-Token; the session was deleted and basic auth is used for this sweep', deletePath: path };
    return {
      kind: 'basic',
      note: `the BMC answered the login with HTTP ${status} but no X-Auth-Token and no session path (no Location, @odata.id or Id): a session it made, if any, stays open until the BMC times it out; basic auth is used instead`,
      undeletable: true,
    };
  }
  if (status === 401 || status === 403) return { kind: 'refused' };
  return {
    kind: 'basic',
    note: isSessionLimit(answer.body) ? 'session limit reached on the BMC; using basic auth for this sweep' : `session login unavailable (HTTP ${status}); using basic auth`,
  };
}

/** The headers that authenticate a request in an auth state: the session's token, or basic auth. */
export function authHeaders(auth: AuthState, token: string | undefined, { username, password }: Pick<BmcEndpoint, 'username' | 'password'>): Readonly<Record<string, string>> {
  if (auth === 'session' && token) return { 'x-auth-token': token };
  if (auth === 'basic') return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  return {};
}

/**
 * Counts consecutive 401/403 answers and stops the client at `lockoutAfter` of them, before the
 * BMC's own lockout policy (often 3–5 failures) locks the account for its operators.
 */
export class LockoutGuard {
  readonly lockoutAfter: number;
  #failures = 0;
  #lockedOut = false;

  constructor(lockoutAfter: number) {
    this.lockoutAfter = lockoutAfter;
  }

  /** Whether the client has stopped sending credentials. */
  get lockedOut(): boolean {
    return this.#lockedOut;
  }

  /** Counts a refusal; true once the client must stop. */
  failed(): boolean {
    this.#failures++;
    if (this.#failures >= this.lockoutAfter) this.#lockedOut = true;
    return this.#lockedOut;
  }

  /** An accepted request: the count starts again. */
  reset(): void {
    this.#failures = 0;
  }

  /** The error every read gets once the client has stopped. */
  error(bmc: string, path: string): RedfishError {
    return new RedfishError('auth', `stopped after ${this.lockoutAfter} consecutive 401/403 answers, so the BMC account is not locked out; check the credentials`, { bmc, method: 'GET', path });
  }
}
