// A Redfish client for one BMC and one sweep: it reads the service root, logs in once (a session,
// or basic auth when sessions are unavailable), reads resources through a small per-BMC queue with
// retries, and always logs out. BMCs are small computers shared with operators; the client's first
// duty is not to hurt them (lockout guard, Retry-After, few requests in flight).
import { setTimeout as sleep } from 'node:timers/promises';
import { RedfishError, abortReason, errnoOf, errorFromResponse, type ErrorKind } from './errors.ts';
import type { AuthState, BmcEndpoint, CachedRead, ClientHooks, ClientStats, FleetBudgetSeat } from './hooks.ts';
import { MemoryBudget } from './budget.ts';
import { LaneGauge, type LaneTicket } from './lanes.ts';
import { checkLink, originOf, withQuery, type RefusedLink } from './links.ts';
import { resolveClientOptions, type ClientOptions } from './options.ts';
import { chooseExpand, linkOf } from './root.ts';
import { Login, type WireRequest } from './login.ts';
import { LockoutGuard } from './sessions.ts';
import { credentialSecrets, redactEcho, withoutUserinfo } from './redact.ts';
import { parseRetryAfter, retryDelay } from './retry.ts';
import { createConnector } from './tls.ts';
import { RequestLimit, type Priority } from './limit.ts';
import { closeTransport, createTransport, decode, headerOf as header, send, type Exchange, type ExchangeRequest, type RawAnswer, type Transport } from './transport.ts';

export type { AuthState, BmcEndpoint, CachedRead, ClientHooks, ClientLog, ClientStats, ReadCache, RequestStep, RequestTrace } from './hooks.ts';

// Reasons for aborting at close, made once: an Error (or the DOMException abort() makes without
// one) captures a stack trace, which showed in profiles at one per client.
const CLOSED = new Error('client closed');
const DISPOSED = new Error('client disposed');
const MAX_REDIRECTS = 3;

/** A client for one BMC; create it per sweep and always `close()` it. */
export class RedfishClient {
  readonly origin: string;
  readonly options: ClientOptions;
  readonly stats: ClientStats = { requests: 0, bytes: 0, notModified: 0, retries: 0, elapsedMs: 0, errors: {} };
  readonly refusedLinks: RefusedLink[] = [];
  /** Why authentication fell back to basic, or that a session was left open, when either happened. */
  get authNote(): string | undefined {
    return this.#login.note;
  }
  /** The BMC made a session the client could not find to delete, and basic auth served instead. */
  get basicInstead(): boolean {
    return this.#login.basicInstead;
  }
  /** SHA-256 fingerprint of the BMC's certificate, once a TLS connection was made. */
  certificateFingerprint: string | undefined;
  serviceRoot: unknown;
  /** Set once the BMC's answers cost more than `memoryBudgetBytes`: every later read fails with it. */
  get exhausted(): RedfishError | undefined {
    return this.#budget.exhausted;
  }

  readonly #endpoint: BmcEndpoint;
  readonly #hooks: ClientHooks;
  readonly #transport: Transport;
  readonly #queue: RequestLimit;
  readonly #gauge: LaneGauge;
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
  readonly #guard: LockoutGuard;
  readonly #login: Login;
  #pausedUntil = 0;
  #expand: string | undefined;
  readonly #startedAt = performance.now();
  #closed: Promise<void> | undefined;
  readonly #budget: MemoryBudget;
  #traced = 0;
  // This BMC's place in the fleet's budget.
  readonly #seat: FleetBudgetSeat | undefined;
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
    this.#budget = new MemoryBudget(this.options.memoryBudgetBytes, this.origin, (error) => {
      this.#count('bad-response');
      // The reads still queued are never sent.
      this.#queue.clear(error);
    });
    this.#gauge = new LaneGauge(this.options.perBmcConcurrency);
    this.#seat = hooks.fleet?.join();
    this.#guard = new LockoutGuard(this.options.lockoutAfter);
    this.#login = new Login({
      origin: this.origin,
      endpoint,
      mode: this.options.auth,
      guard: this.#guard,
      log: hooks.log,
      send: (request, priority) => this.#send(request, priority),
      account: (answer) => this.#account(answer),
      fail: (error) => this.#fail(error),
      echo: (text) => this.echo(text),
    });
  }

  /** Whether the BMC was found to answer one request at a time (it then gets one at a time). */
  get serial(): boolean {
    return this.#gauge.serial;
  }

  /** How the client is authenticated now. */
  get auth(): AuthState {
    return this.#login.auth;
  }

  /** The `$expand` query used for collections, or undefined when collections are read member by member. */
  get expandQuery(): string | undefined {
    return this.#expand;
  }

  /** Stops using `$expand` for the rest of this sweep (the BMC answered it badly). */
  disableExpand(reason: string): void {
    if (this.#expand === undefined) return;
    this.#expand = undefined;
    // Expected of some firmware every sweep, and handled: not a warning to act on.
    this.#hooks.log?.debug({ bmc: this.origin, reason }, 'falling back to member-by-member reads');
  }

  /** Reads the service root and logs in. Resolves to the service root. */
  async connect(): Promise<unknown> {
    // The service root is readable without credentials (Redfish spec); reading it first tells us
    // where sessions live and whether $expand is offered, before any credential is sent.
    let root: unknown;
    try {
      root = await this.#enqueue('/redfish/v1/', false, 'unlocks', false);
    } catch (error) {
      if (!(error instanceof RedfishError && error.kind === 'auth')) throw error;
      this.#guard.reset(); // an anonymous refusal is not a failed login
      await this.#login.login();
      root = await this.#enqueue('/redfish/v1/', true, 'unlocks', false);
    }
    this.serviceRoot = root;
    const sessions = checkLink(this.origin, linkOf(root, ['Links', 'Sessions']));
    if (sessions.ok) this.#login.sessionsPath = sessions.path;
    this.#expand = chooseExpand(root, this.options.expand);
    if (this.#login.auth === 'none') await this.#login.login();
    return root;
  }

  /**
   * Reads one resource by link. The link is checked first: another origin or a path outside
   * /redfish/v1 is refused (and recorded) without any request. `priority`: whether its answer
   * leads to more reads (`unlocks`, sent first) or not (`leaf`).
   */
  get(link: string, from = '(caller)', query?: string, priority: Priority = 'unlocks'): Promise<unknown> {
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
    return this.#enqueue(withQuery(checked.path, query), true, priority);
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
    await this.#login.logout();
    this.#seat?.leave();
    this.#disposed.abort(DISPOSED);
    closeTransport(this.#transport);
    this.stats.elapsedMs = Math.round(performance.now() - this.#startedAt);
  }

  // Reads through the per-BMC limit, one slot per attempt on the wire: the slot is freed as the
  // answer's last byte is in, so the next read goes out while this body is parsed, and a read
  // waiting to retry leaves its slot to the others. A read still waiting when the deadline passes
  // or the client closes is dropped from the queue and ends as a timeout like any other abandoned read.
  // The service root (a static page, and the first request, made while the code is cold), the
  // login and the logout are not the BMC's typical work: the lane gauge hears only of the reads.
  async #enqueue(firstPath: string, authenticated: boolean, priority: Priority = 'unlocks', gauged = true): Promise<unknown> {
    this.#budget.read(firstPath);
    const trace = this.#hooks.trace;
    const id = trace ? ++this.#traced : 0;
    trace?.('queued', id, 'GET', firstPath, priority);
    let path = firstPath;
    let redirects = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        const cached = this.#hooks.cache?.get(path);
        const auth = authenticated ? this.#login.headers() : {};
        const headers = cached?.etag ? { ...auth, 'if-none-match': cached.etag } : auth;
        let sent: RawAnswer | RedfishError;
        try {
          sent = await this.#queue.run(() => this.#attempt(path, headers, id, priority, gauged), this.#signal, priority);
        } catch (error) {
          if (error instanceof RedfishError) throw error;
          throw this.#fail(new RedfishError('timeout', `GET ${path}: abandoned before it was sent (${abortReason(this.#signal)})`, { bmc: this.origin, method: 'GET', path }));
        }
        const answer = sent instanceof RedfishError ? sent : this.#decode(sent, path);
        if (answer instanceof RedfishError) {
          const error = answer;
          if (!this.#signal.aborted) {
            const wait = this.#retryWait(attempt, error.kind, undefined, undefined, error.connectPhase, errnoOf(error) === 'ECONNREFUSED');
            if (wait > 0) {
              await this.#sleep(wait);
              continue;
            }
          }
          throw this.#fail(error);
        }
        const outcome = this.#outcome(path, answer, cached, attempt, redirects < MAX_REDIRECTS);
        if (outcome.done) return outcome.body;
        if (outcome.redirect !== undefined) {
          path = outcome.redirect;
          redirects++;
          attempt--;
          continue;
        }
        const error = outcome.error!;
        if (error.kind === 'auth') {
          if (this.#guard.failed()) throw this.#fail(this.#guard.error(this.origin, path));
          if (answer.status === 401 && authenticated && (await this.#login.renewOnce())) continue;
          throw this.#fail(error);
        }
        const retryAfterMs = parseRetryAfter(header(answer, 'retry-after'), Date.now());
        const wait = this.#retryWait(attempt, error.kind, answer.status, retryAfterMs, false);
        if (wait > 0) {
          if (retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + wait);
          await this.#sleep(wait);
          continue;
        }
        throw this.#fail(error);
      }
    } finally {
      trace?.('done', id, 'GET', firstPath, priority);
    }
  }

  // One attempt, in a per-BMC slot: waits out a pause the BMC asked for (Retry-After), then sends.
  // A transport failure is returned rather than thrown, to be told from a refusal to send at all.
  async #attempt(path: string, headers: Readonly<Record<string, string>>, id: number, priority: Priority, gauged: boolean): Promise<RawAnswer | RedfishError> {
    if (this.exhausted) throw this.exhausted;
    if (this.#pausedUntil > Date.now()) await this.#sleep(this.#pausedUntil - Date.now());
    if (this.#guard.lockedOut) throw this.#guard.error(this.origin, path);
    return this.#wire({ method: 'GET', path, headers }, id, priority, gauged).catch((error: unknown) => error as RedfishError);
  }

  // A GET's answer parsed, or why it could not be (a bad-response RedfishError).
  #decode(raw: RawAnswer, path: string): Exchange | RedfishError {
    try {
      return decode(raw, this.origin, { method: 'GET', path, maxJsonDepth: this.options.maxJsonDepth, admit: this.#budget.body });
    } catch (error) {
      return error as RedfishError;
    }
  }

  // What a decoded answer means for the read: its body (a 304 gives the cached one), a redirect to
  // follow, or an error to retry or report.
  #outcome(path: string, answer: Exchange, cached: CachedRead | undefined, attempt: number, mayRedirect: boolean): { done: true; body: unknown } | { done: false; redirect?: string; error?: RedfishError } {
    this.#account(answer);
    const status = answer.status;
    this.#hooks.log?.debug({ bmc: this.origin, method: 'GET', path, status, bytes: answer.bytes, attempt }, 'redfish request');
    if (status === 304 && cached?.etag) {
      this.stats.notModified++;
      this.#guard.reset();
      return { done: true, body: cached.body };
    }
    if (status >= 200 && status < 300) {
      this.#guard.reset();
      const etag = header(answer, 'etag');
      if (this.#hooks.cache) {
        const read: { body: unknown; etag?: string; raw?: Uint8Array } = { body: answer.body };
        if (etag) read.etag = etag;
        if (answer.raw) read.raw = answer.raw;
        this.#hooks.cache.set(path, read);
      }
      return { done: true, body: answer.body };
    }
    if (status >= 300 && status < 400 && mayRedirect) return { done: false, redirect: this.#redirectTarget(path, header(answer, 'location')) };
    return { done: false, error: errorFromResponse(status, answer.body, { bmc: this.origin, method: 'GET', path }, (text) => this.echo(text)) };
  }

  #retryWait(attempt: number, kind: ErrorKind, status: number | undefined, retryAfterMs: number | undefined, connectPhase: boolean, refused = false): number {
    const random = (this.#hooks.random ?? Math.random)();
    const given = { ...(status === undefined ? {} : { status }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const wait = retryDelay({ attempt, method: 'GET', kind, ...given, beforeConnect: connectPhase, refused, random }, this.options);
    if (wait > 0) this.stats.retries++;
    return wait;
  }

  // An exchange with its body parsed, for login and logout (no per-BMC slot: see #enqueue).
  async #send(request: WireRequest, priority: Priority): Promise<Exchange> {
    return decode(await this.#wire(request, 0, priority, false), this.origin, { ...request, maxJsonDepth: this.options.maxJsonDepth });
  }

  // One request on the wire, within the fleet's budget; resolves as the answer's last byte is in.
  // The lane gauge hears of a gauged one, and the BMC's lanes follow its verdict.
  #wire(request: WireRequest, traced: number, priority: Priority, gauged: boolean): Promise<RawAnswer> {
    const { method, path } = request;
    const full: ExchangeRequest = {
      method,
      path,
      headers: request.headers,
      json: request.json,
      signal: request.signal ?? this.#signal,
      timeoutMs: request.timeoutMs ?? this.options.requestTimeoutMs,
      maxBodyBytes: request.maxBodyBytes ?? this.options.maxBodyBytes,
      maxJsonDepth: this.options.maxJsonDepth,
    };
    const trace = this.#hooks.trace;
    const id = trace ? traced || ++this.#traced : 0;
    if (trace && !traced) trace('queued', id, method, path, priority);
    const gauge = gauged ? this.#gauge : undefined;
    const go = (): Promise<RawAnswer> => {
      trace?.('sent', id, method, path, priority);
      const ticket = gauge?.sent(performance.now());
      const ended = (at: number | undefined) => {
        if (ticket) this.#heard(ticket, at);
        trace?.('answered', id, method, path, priority);
      };
      return send(this.#transport, this.origin, full).then(
        (answer) => (ended(performance.now()), answer),
        (error: unknown) => {
          ended(undefined);
          throw error;
        },
      );
    };
    return this.#seat ? this.#seat.run(go, priority === 'urgent') : go();
  }

  // Tells the gauge how a request ended (answered at `at`, or not at all) and follows its verdict.
  #heard(ticket: LaneTicket, at: number | undefined): void {
    if (at === undefined) this.#gauge.dropped(ticket);
    else this.#gauge.answered(ticket, at);
    if (this.#gauge.parallel) this.#seat?.markParallel();
    const lanes = this.#gauge.lanes;
    if (lanes === this.#queue.concurrency) return;
    this.#queue.concurrency = lanes;
    this.#hooks.log?.debug({ bmc: this.origin, lanes }, lanes === 1 ? 'the BMC answers one request at a time' : 'requests in flight to the BMC');
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

  // Every failed read ends here: counted, and its message (which may quote the BMC: a malformed
  // header, a body that is not JSON) cleaned of echoed credentials.
  #fail(error: RedfishError): RedfishError {
    this.#count(error.kind);
    return error.withMessage(this.echo(error.message));
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
export async function withRedfishClient<T>(endpoint: BmcEndpoint, options: Partial<ClientOptions>, hooks: ClientHooks, work: (client: RedfishClient) => Promise<T>): Promise<T> {
  const client = new RedfishClient(endpoint, options, hooks);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.close();
  }
}
