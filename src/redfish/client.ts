// A Redfish client for one BMC and one sweep: it reads the service root, logs in once (a session,
// or basic auth when sessions are unavailable), reads resources through a small per-BMC queue with
// retries, and always logs out. BMCs are small computers shared with operators; the client's first
// duty is not to hurt them (lockout guard, Retry-After, few requests in flight).
import { setTimeout as sleep } from 'node:timers/promises';
import { RedfishError, errorFromResponse, isSessionLimit, type ErrorKind } from './errors.ts';
import { checkLink, originOf, type RefusedLink } from './links.ts';
import { resolveClientOptions, type ClientOptions } from './options.ts';
import { chooseExpand, linkOf, sessionPathOf, type Session } from './root.ts';
import { credentialSecrets, redactEcho, withoutUserinfo } from './redact.ts';
import { parseRetryAfter, retryDelay } from './retry.ts';
import { createConnector, type TlsPolicy } from './tls.ts';
import { RequestLimit } from './limit.ts';
import { abortReason, closeTransport, createTransport, exchange, type Exchange, type ExchangeRequest, type Transport } from './transport.ts';

/** Where a BMC is and how to log in to it. */
export interface BmcEndpoint {
  /** Host, host:port or URL; HTTPS unless the URL says http. */
  readonly address: string;
  readonly username: string;
  readonly password: string;
  /** @default {mode: 'verify'} */
  readonly tls?: TlsPolicy;
}

/** Remembered ETags and bodies, so an unchanged resource costs a 304. */
/** What the last sweep read at one path: the body, and its ETag when the BMC sent one. */
export interface CachedRead {
  readonly etag?: string;
  readonly body: unknown;
  /**
   * The body's bytes as the BMC sent them, when read in this sweep: stored as is. Bytes rather
   * than text because they live outside the JS heap, which the young-generation GC copies.
   */
  readonly raw?: Uint8Array;
}

/**
 * The bodies read at the last sweep, by path (with query). ETags make re-reads conditional; the
 * crawl also reuses the bodies of members whose listing did not change (see crawl.ts).
 */
export interface ReadCache {
  get(path: string): CachedRead | undefined;
  set(path: string, read: CachedRead): void;
}

/** A pino-compatible logger subset; the client never passes it a secret. */
export interface ClientLog {
  debug(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** What the client does besides talking HTTP. */
export interface ClientHooks {
  /** Cancels every read (SIGINT/SIGTERM); the session is still deleted on close. */
  readonly signal?: AbortSignal;
  readonly cache?: ReadCache;
  readonly log?: ClientLog;
  /** Jitter source, [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * A limit shared by every client of a sweep on requests in flight across the fleet.
   * Each request takes a slot only while it is on the wire, never while waiting to retry.
   */
  readonly fleet?: Pick<RequestLimit, 'run'>;
}

/** Counters of one client, for reports and benchmarks. */
export interface ClientStats {
  requests: number;
  bytes: number;
  notModified: number;
  retries: number;
  elapsedMs: number;
  readonly errors: Partial<Record<ErrorKind, number>>;
}

/** How the client ended up authenticating. */
export type AuthState = 'none' | 'session' | 'basic';

// Reasons for aborting at close, made once: an Error (or the DOMException abort() makes without
// one) captures a stack trace, which showed in profiles at one per client.
const CLOSED = new Error('client closed');
const DISPOSED = new Error('client disposed');
const DEFAULT_SESSIONS_PATH = '/redfish/v1/SessionService/Sessions';
const LOGOUT_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 3;

/** A client for one BMC; create it per sweep and always `close()` it. */
export class RedfishClient {
  readonly origin: string;
  readonly options: ClientOptions;
  readonly stats: ClientStats = { requests: 0, bytes: 0, notModified: 0, retries: 0, elapsedMs: 0, errors: {} };
  readonly refusedLinks: RefusedLink[] = [];
  /** Why authentication fell back to basic, when it did. */
  authNote: string | undefined;
  /** SHA-256 fingerprint of the BMC's certificate, once a TLS connection was made. */
  certificateFingerprint: string | undefined;
  serviceRoot: unknown;

  readonly #endpoint: BmcEndpoint;
  readonly #hooks: ClientHooks;
  readonly #transport: Transport;
  readonly #queue: RequestLimit;
  // Aborts on the BMC's deadline, on close, or with the caller's signal. A plain controller, not
  // AbortSignal.any(): every read checks `aborted`, and a composite signal's getter walks its
  // sources through weak references each time (~1% of a sweep's CPU).
  readonly #closing = new AbortController();
  readonly #deadline: NodeJS.Timeout;
  readonly #unlinkCaller: (() => void) | undefined;
  // Connects in progress are abandoned only once logout is done: logout must still connect after
  // the deadline passed or the sweep was cancelled.
  readonly #disposed = new AbortController();
  readonly #signal: AbortSignal;
  #auth: AuthState = 'none';
  #token: string | undefined;
  // Every session this client made (a renewed login's too), each deleted at close.
  readonly #sessions: Session[] = [];
  #sessionsPath = DEFAULT_SESSIONS_PATH;
  #authFailures = 0;
  #lockedOut = false;
  #relogin: Promise<void> | undefined;
  #reloggedIn = false;
  #pausedUntil = 0;
  #expand: string | undefined;
  readonly #startedAt = performance.now();
  #closed: Promise<void> | undefined;
  #authMemo: { readonly key: string; readonly headers: Readonly<Record<string, string>> } | undefined;
  // What the BMC's credentials could be echoed back as (its password, the basic-auth token).
  readonly #secrets: readonly string[];

  constructor(endpoint: BmcEndpoint, options: Partial<ClientOptions> = {}, hooks: ClientHooks = {}) {
    this.origin = originOf(endpoint.address);
    this.options = resolveClientOptions(options);
    this.#endpoint = endpoint;
    this.#secrets = credentialSecrets(endpoint.username, endpoint.password);
    this.#hooks = hooks;
    const closing = this.#closing;
    this.#signal = closing.signal;
    this.#deadline = setTimeout(() => closing.abort(new DOMException('The BMC deadline passed', 'TimeoutError')), this.options.bmcDeadlineMs);
    this.#deadline.unref();
    const caller = hooks.signal;
    if (caller?.aborted) closing.abort(caller.reason);
    else if (caller) {
      const follow = () => closing.abort(caller.reason);
      caller.addEventListener('abort', follow, { once: true });
      this.#unlinkCaller = () => caller.removeEventListener('abort', follow);
    }
    // Connections are opened as requests need them, so the queue below bounds them: at most
    // perBmcConcurrency reads, and the logout.
    const connect = createConnector({
      secure: this.origin.startsWith('https:'),
      policy: endpoint.tls ?? { mode: 'verify' },
      connectTimeoutMs: this.options.connectTimeoutMs,
      signal: this.#disposed.signal,
      onCertificate: (fingerprint) => {
        this.certificateFingerprint = fingerprint;
      },
    });
    this.#transport = createTransport(this.origin, connect);
    const rate = this.options.perBmcRatePerSecond;
    this.#queue = new RequestLimit({ concurrency: this.options.perBmcConcurrency, spacingMs: rate > 0 ? Math.ceil(1000 / rate) : 0 });
  }

  /** How the client is authenticated now. */
  get auth(): AuthState {
    return this.#auth;
  }

  /** The `$expand` query used for collections, or undefined when collections are read member by member. */
  get expandQuery(): string | undefined {
    return this.#expand;
  }

  /** Stops using `$expand` for the rest of this sweep (the BMC answered it badly). */
  disableExpand(reason: string): void {
    if (this.#expand === undefined) return;
    this.#expand = undefined;
    this.#hooks.log?.warn({ bmc: this.origin, reason }, 'falling back to member-by-member reads');
  }

  /** Reads the service root and logs in. Resolves to the service root. */
  async connect(): Promise<unknown> {
    // The service root is readable without credentials (Redfish spec); reading it first tells us
    // where sessions live and whether $expand is offered, before any credential is sent.
    let root: unknown;
    try {
      root = await this.#enqueue('/redfish/v1/', false);
    } catch (error) {
      if (!(error instanceof RedfishError && error.kind === 'auth')) throw error;
      this.#authFailures = 0; // an anonymous refusal is not a failed login
      await this.#login();
      root = await this.#enqueue('/redfish/v1/', true);
    }
    this.serviceRoot = root;
    const sessions = checkLink(this.origin, linkOf(root, ['Links', 'Sessions']));
    if (sessions.ok) this.#sessionsPath = sessions.path;
    this.#expand = chooseExpand(root, this.options.expand);
    if (this.#auth === 'none') await this.#login();
    return root;
  }

  /**
   * Reads one resource by link. The link is checked first: another origin or a path outside
   * /redfish/v1 is refused (and recorded) without any request.
   */
  get(link: string, from = '(caller)', query?: string): Promise<unknown> {
    const checked = checkLink(this.origin, link);
    if (!checked.ok) {
      const shown = this.echo(link.slice(0, 200));
      this.refusedLinks.push({ link: shown, from, reason: checked.reason });
      this.#count('refused-link');
      return Promise.reject(
        new RedfishError('refused-link', `link ${JSON.stringify(shown)} from ${from} refused: ${checked.reason}`, {
          bmc: this.origin,
          path: from,
        }),
      );
    }
    // Not async: a read is ~50 per BMC, and an async wrapper here added a frame and two ticks to each.
    return this.#enqueue(withQuery(checked.path, query), true);
  }

  /**
   * Text the BMC sent back (its error message, a link, a body quoted in an error) with the
   * credentials cut out where they could be echoed, and any URL's user-info; paths stay whole.
   */
  echo(text: string): string {
    return withoutUserinfo(redactEcho(text, this.#secrets));
  }

  /** The body the last sweep read at a link (no request is made), if it is remembered. */
  remembered(link: string, query?: string): unknown {
    const checked = checkLink(this.origin, link);
    if (!checked.ok || !this.#hooks.cache) return undefined;
    return this.#hooks.cache.get(withQuery(checked.path, query))?.body;
  }

  /** Deletes the session (even after errors, timeouts or cancellation) and frees the connections. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing.abort(CLOSED);
    clearTimeout(this.#deadline);
    this.#unlinkCaller?.();
    this.#queue.clear(CLOSED);
    this.#token = undefined;
    const sessions = this.#sessions.splice(0).reverse();
    for (const [index, session] of sessions.entries()) await this.#logout(session, index > 0);
    this.#disposed.abort(DISPOSED);
    closeTransport(this.#transport);
    this.stats.elapsedMs = Math.round(performance.now() - this.#startedAt);
  }

  // Deletes a session. One replaced by a renewed login may have expired already (401, 404).
  async #logout(session: Session, replaced: boolean): Promise<void> {
    try {
      const answer = await this.#send({
        method: 'DELETE',
        path: session.path,
        headers: session.headers,
        signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS),
        timeoutMs: LOGOUT_TIMEOUT_MS,
        maxBodyBytes: 65_536,
      });
      this.#account(answer);
      if (answer.status >= 400 && answer.status !== 404 && !(replaced && answer.status === 401)) {
        this.#hooks.log?.warn({ bmc: this.origin, status: answer.status }, 'session logout refused');
      }
    } catch (error) {
      this.#hooks.log?.warn({ bmc: this.origin, error: this.echo((error as Error).message) }, 'session logout failed');
    }
  }

  async #login(): Promise<void> {
    const { username, password } = this.#endpoint;
    if (this.options.auth === 'basic') {
      this.#auth = 'basic';
      return;
    }
    const answer = await this.#send({
      method: 'POST',
      path: this.#sessionsPath,
      json: { UserName: username, Password: password },
      maxBodyBytes: 1_048_576,
    }).catch((error: unknown) => {
      throw error instanceof RedfishError ? this.#fail(error) : error;
    });
    this.#account(answer);
    const token = header(answer, 'x-auth-token');
    this.#hooks.log?.debug({ bmc: this.origin, method: 'POST', path: this.#sessionsPath, status: answer.status }, 'session login');
    if (answer.status >= 200 && answer.status < 300) {
      const path = sessionPathOf(this.origin, this.#sessionsPath, header(answer, 'location'), linkOf(answer.body, ['@odata.id']), (location) =>
        this.#hooks.log?.warn({ bmc: this.origin, location }, "session location not on the BMC's origin; logging out on the BMC itself"),
      );
      this.#authFailures = 0;
      if (token) {
        this.#auth = 'session';
        this.#token = token;
        if (path) this.#sessions.push({ path, headers: { 'x-auth-token': token } });
        else this.#hooks.log?.warn({ bmc: this.origin }, 'session location unusable; cannot log out');
        return;
      }
      // A session with no token to use it by: deleted at once (with basic auth), which serves instead.
      this.#auth = 'basic';
      if (path) {
        this.authNote = 'the BMC made a session but sent no X-Auth-Token; the session was deleted and basic auth is used for this sweep';
        await this.#logout({ path, headers: this.#authHeaders() }, false);
      } else {
        this.authNote = `session login unavailable (HTTP ${answer.status}, no X-Auth-Token); using basic auth`;
      }
      this.#hooks.log?.warn({ bmc: this.origin, status: answer.status }, this.authNote);
      return;
    }
    if (answer.status === 401 || answer.status === 403) {
      this.#authFailed();
      throw errorFromResponse(answer.status, answer.body, { bmc: this.origin, method: 'POST', path: this.#sessionsPath }, (text) => this.echo(text));
    }
    this.#auth = 'basic';
    this.authNote = isSessionLimit(answer.body)
      ? 'session limit reached on the BMC; using basic auth for this sweep'
      : `session login unavailable (HTTP ${answer.status}); using basic auth`;
    this.#hooks.log?.warn({ bmc: this.origin, status: answer.status }, this.authNote);
  }

  // Made once per login state, not per request.
  #authHeaders(): Readonly<Record<string, string>> {
    const key = this.#auth === 'session' ? `session ${this.#token ?? ''}` : this.#auth;
    if (this.#authMemo?.key === key) return this.#authMemo.headers;
    let headers: Record<string, string> = {};
    if (this.#auth === 'session' && this.#token) headers = { 'x-auth-token': this.#token };
    if (this.#auth === 'basic') {
      const { username, password } = this.#endpoint;
      headers = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    }
    this.#authMemo = { key, headers };
    return headers;
  }

  // Queued reads: a read still waiting when the deadline passes or the client closes is dropped
  // from the queue and ends as a timeout like any other abandoned read.
  async #enqueue(path: string, authenticated: boolean): Promise<unknown> {
    try {
      return await this.#queue.run(() => this.#read(path, authenticated), this.#signal);
    } catch (error) {
      if (error instanceof RedfishError) throw error;
      throw this.#fail(new RedfishError('timeout', `GET ${path}: abandoned before it was sent (${abortReason(this.#signal)})`, { bmc: this.origin, method: 'GET', path }));
    }
  }

  async #read(firstPath: string, authenticated: boolean): Promise<unknown> {
    let path = firstPath;
    let redirects = 0;
    for (let attempt = 1; ; attempt++) {
      if (this.#pausedUntil > Date.now()) await this.#sleep(this.#pausedUntil - Date.now());
      if (this.#lockedOut) throw this.#lockoutError(path);
      const cached = this.#hooks.cache?.get(path);
      const auth = authenticated ? this.#authHeaders() : {};
      let answer: Exchange;
      try {
        answer = await this.#send({
          method: 'GET',
          path,
          headers: cached?.etag ? { ...auth, 'if-none-match': cached.etag } : auth,
        });
      } catch (error) {
        const failure = error as RedfishError;
        if (!this.#signal.aborted) {
          const wait = this.#retryWait(attempt, failure.kind, undefined, undefined, failure.connectPhase, errnoOf(failure) === 'ECONNREFUSED');
          if (wait > 0) {
            await this.#sleep(wait);
            continue;
          }
        }
        throw this.#fail(failure);
      }
      this.#account(answer);
      const status = answer.status;
      this.#hooks.log?.debug({ bmc: this.origin, method: 'GET', path, status, bytes: answer.bytes, attempt }, 'redfish request');
      if (status === 304 && cached?.etag) {
        this.stats.notModified++;
        this.#authFailures = 0;
        return cached.body;
      }
      if (status >= 200 && status < 300) {
        this.#authFailures = 0;
        const etag = header(answer, 'etag');
        if (this.#hooks.cache) {
          const read: { body: unknown; etag?: string; raw?: Uint8Array } = { body: answer.body };
          if (etag) read.etag = etag;
          if (answer.raw) read.raw = answer.raw;
          this.#hooks.cache.set(path, read);
        }
        return answer.body;
      }
      if (status >= 300 && status < 400 && redirects < MAX_REDIRECTS) {
        path = this.#redirectTarget(path, header(answer, 'location'));
        redirects++;
        attempt--;
        continue;
      }
      const error = errorFromResponse(status, answer.body, { bmc: this.origin, method: 'GET', path }, (text) => this.echo(text));
      if (error.kind === 'auth') {
        this.#authFailed();
        if (this.#lockedOut) throw this.#fail(this.#lockoutError(path));
        if (status === 401 && authenticated && (await this.#reloginOnce())) continue;
        throw this.#fail(error);
      }
      const retryAfterMs = parseRetryAfter(header(answer, 'retry-after'), Date.now());
      const wait = this.#retryWait(attempt, error.kind, status, retryAfterMs, false);
      if (wait > 0) {
        if (retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + wait);
        await this.#sleep(wait);
        continue;
      }
      throw this.#fail(error);
    }
  }

  #retryWait(attempt: number, kind: ErrorKind, status: number | undefined, retryAfterMs: number | undefined, connectPhase: boolean, refused = false): number {
    const wait = retryDelay(
      {
        attempt,
        method: 'GET',
        kind,
        ...(status === undefined ? {} : { status }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        beforeConnect: connectPhase,
        refused,
        random: (this.#hooks.random ?? Math.random)(),
      },
      this.options,
    );
    if (wait > 0) this.stats.retries++;
    return wait;
  }

  // A session that expired mid-sweep is renewed once; a second 401 is a real refusal.
  async #reloginOnce(): Promise<boolean> {
    if (this.#auth !== 'session') return false;
    if (!this.#relogin) {
      if (this.#reloggedIn) return false;
      this.#reloggedIn = true;
      this.#token = undefined;
      this.#relogin = this.#login().finally(() => {
        this.#relogin = undefined;
      });
    }
    try {
      await this.#relogin;
      return true;
    } catch {
      return false;
    }
  }

  #send(request: Omit<ExchangeRequest, 'signal' | 'timeoutMs' | 'maxBodyBytes' | 'maxJsonDepth'> & Partial<ExchangeRequest>): Promise<Exchange> {
    const full: ExchangeRequest = {
      method: request.method,
      path: request.path,
      headers: request.headers,
      json: request.json,
      signal: request.signal ?? this.#signal,
      timeoutMs: request.timeoutMs ?? this.options.requestTimeoutMs,
      maxBodyBytes: request.maxBodyBytes ?? this.options.maxBodyBytes,
      maxJsonDepth: request.maxJsonDepth ?? this.options.maxJsonDepth,
    };
    const send = () => exchange(this.#transport, this.origin, full);
    return this.#hooks.fleet ? this.#hooks.fleet.run(send) : send();
  }

  #redirectTarget(path: string, location: string | undefined): string {
    const absolute = location ? new URL(location, `${this.origin}${path}`).href : '';
    const checked = checkLink(this.origin, absolute);
    if (!checked.ok) {
      this.refusedLinks.push({ link: absolute ? this.echo(absolute) : '(no Location)', from: path, reason: `redirect to ${checked.reason}` });
      throw new RedfishError('refused-link', `GET ${path}: redirect refused (${checked.reason})`, { bmc: this.origin, method: 'GET', path });
    }
    return checked.path;
  }

  #authFailed(): void {
    this.#authFailures++;
    if (this.#authFailures >= this.options.lockoutAfter) this.#lockedOut = true;
  }

  #lockoutError(path: string): RedfishError {
    return new RedfishError(
      'auth',
      `stopped after ${this.options.lockoutAfter} consecutive 401/403 answers, so the BMC account is not locked out; check the credentials`,
      { bmc: this.origin, method: 'GET', path },
    );
  }

  // Every failed read ends here: counted, and its message (which may quote the BMC: a malformed
  // header, a body that is not JSON) cleaned of echoed credentials.
  #fail(error: RedfishError): RedfishError {
    this.#count(error.kind);
    const message = this.echo(error.message);
    if (message === error.message) return error;
    const { kind, bmc, method, path, status, messageId, connectPhase } = error;
    return new RedfishError(kind, message, { ...(bmc ? { bmc } : {}), ...(method ? { method } : {}), ...(path ? { path } : {}), ...(status ? { status } : {}), ...(messageId ? { messageId } : {}), connectPhase });
  }

  #count(kind: ErrorKind): void {
    this.stats.errors[kind] = (this.stats.errors[kind] ?? 0) + 1;
  }

  #account(answer: Exchange): void {
    this.stats.requests++;
    this.stats.bytes += answer.bytes;
  }

  async #sleep(ms: number): Promise<void> {
    const remaining = this.options.bmcDeadlineMs - (performance.now() - this.#startedAt);
    if (ms >= remaining) {
      throw new RedfishError('timeout', `waiting ${ms} ms to retry would pass the BMC's deadline`, { bmc: this.origin });
    }
    try {
      await sleep(ms, undefined, { signal: this.#signal });
    } catch {
      throw new RedfishError('timeout', `abandoned while waiting to retry (${abortReason(this.#signal)})`, { bmc: this.origin });
    }
  }
}

/** Opens a client, runs `work` with it, and closes it whatever happens. */
export async function withRedfishClient<T>(
  endpoint: BmcEndpoint,
  options: Partial<ClientOptions>,
  hooks: ClientHooks,
  work: (client: RedfishClient) => Promise<T>,
): Promise<T> {
  const client = new RedfishClient(endpoint, options, hooks);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.close();
  }
}

function header(answer: Exchange, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withQuery(path: string, query: string | undefined): string {
  return query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;
}

// The system error code under a RedfishError (ECONNREFUSED, EHOSTUNREACH …), if any.
function errnoOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
