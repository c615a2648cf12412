// One client's login to its BMC: a session (or basic auth when sessions are unavailable), the
// headers every read sends, one renewal of a session that expired mid-sweep, and the deletion of
// every session made. The client sends the requests; what a login's answer means is sessions.ts's.
import { errorFromResponse, RedfishError } from './errors.ts';
import type { AuthState, BmcEndpoint, ClientLog } from './hooks.ts';
import type { Priority } from './limit.ts';
import { linkOf } from './root.ts';
import { authHeaders, loginOutcome, type LockoutGuard, type Session } from './sessions.ts';
import { headerOf as header, type Exchange, type ExchangeRequest } from './transport.ts';

const DEFAULT_SESSIONS_PATH = '/redfish/v1/SessionService/Sessions';
const LOGOUT_TIMEOUT_MS = 5_000;

/** A request as the client's `send` takes it: its deadline, signal and size limit default to the client's. */
export type WireRequest = Omit<ExchangeRequest, 'signal' | 'timeoutMs' | 'maxBodyBytes' | 'maxJsonDepth'> & Partial<Omit<ExchangeRequest, 'maxJsonDepth'>>;

/** What a login needs of its client. */
export interface LoginClient {
  readonly origin: string;
  readonly endpoint: BmcEndpoint;
  /** The `auth` option: `basic` never tries a session. */
  readonly mode: 'session' | 'basic';
  readonly guard: LockoutGuard;
  readonly log: ClientLog | undefined;
  /** Sends one request (no per-BMC slot) and parses its answer. */
  send(request: WireRequest, priority: Priority): Promise<Exchange>;
  /** Counts an answer in the client's stats. */
  account(answer: Exchange): void;
  /** Counts a failure and cleans its message of echoed credentials. */
  fail(error: RedfishError): RedfishError;
  /** Text from the BMC with the credentials cut out. */
  echo(text: string): string;
}

/** The login state of one client. */
export class Login {
  readonly #client: LoginClient;
  #auth: AuthState = 'none';
  #token: string | undefined;
  // Every session made (a renewed login's too), each deleted at logout.
  readonly #sessions: Session[] = [];
  #renewal: Promise<void> | undefined;
  #renewed = false;
  #memo: { readonly key: string; readonly headers: Readonly<Record<string, string>> } | undefined;
  /** Where the BMC's session collection is (the service root's Links.Sessions once read). */
  sessionsPath = DEFAULT_SESSIONS_PATH;
  /** Why authentication fell back to basic, or that a session was left open, when either happened. */
  note: string | undefined;
  /** A login made a session that could not be found to delete, and basic auth is used instead. */
  basicInstead = false;

  constructor(client: LoginClient) {
    this.#client = client;
  }

  /** How the client is authenticated now. */
  get auth(): AuthState {
    return this.#auth;
  }

  /** The headers that authenticate a read now; made once per login state, not per request. */
  headers(): Readonly<Record<string, string>> {
    const key = this.#auth === 'session' ? `session ${this.#token ?? ''}` : this.#auth;
    if (this.#memo?.key === key) return this.#memo.headers;
    const headers = authHeaders(this.#auth, this.#token, this.#client.endpoint);
    this.#memo = { key, headers };
    return headers;
  }

  /** Logs in: a session when the BMC makes one with a token, basic auth otherwise; throws on refused credentials. */
  async login(): Promise<void> {
    const client = this.#client;
    const { origin, log } = client;
    if (client.mode === 'basic') {
      this.#auth = 'basic';
      return;
    }
    const path = this.sessionsPath;
    const { username, password } = client.endpoint;
    const answer = await client.send({ method: 'POST', path, json: { UserName: username, Password: password }, maxBodyBytes: 1_048_576 }, 'unlocks').catch((error: unknown) => {
      throw error instanceof RedfishError ? client.fail(error) : error;
    });
    client.account(answer);
    log?.debug({ bmc: origin, method: 'POST', path, status: answer.status }, 'session login');
    const login = { status: answer.status, token: header(answer, 'x-auth-token'), location: header(answer, 'location'), bodyId: linkOf(answer.body, ['@odata.id']), body: answer.body };
    const outcome = loginOutcome(login, origin, path, (location) => log?.warn({ bmc: origin, location }, "session location not on the BMC's origin; logging out on the BMC itself"));
    if (outcome.kind === 'refused') {
      client.guard.failed();
      throw errorFromResponse(answer.status, answer.body, { bmc: origin, method: 'POST', path }, (text) => client.echo(text));
    }
    if (answer.status < 300) client.guard.reset();
    if (outcome.kind === 'session') {
      this.#auth = 'session';
      this.#token = outcome.token;
      if (outcome.session) this.#sessions.push(outcome.session);
      else await this.#unlocated();
      return;
    }
    this.#auth = 'basic';
    this.note = outcome.note;
    if (outcome.undeletable) this.basicInstead = true;
    if (outcome.deletePath) await this.#logout({ path: outcome.deletePath, headers: this.headers() }, false);
    log?.warn({ bmc: origin, status: answer.status }, outcome.note);
  }

  // A session with a token but nowhere to delete it: it stays open until the BMC times it out. So
  // that the reads add nothing to it, basic auth is used instead when the BMC takes it (one read
  // of the session collection tells); otherwise the token. Either way the BMC's result says so.
  async #unlocated(): Promise<void> {
    const client = this.#client;
    const basic = authHeaders('basic', undefined, client.endpoint);
    const probe = await client.send({ method: 'GET', path: this.sessionsPath, headers: basic, maxBodyBytes: 1_048_576 }, 'unlocks').catch(() => undefined);
    if (probe) client.account(probe);
    const left = 'the BMC named no session path to delete in its login answer (no usable Location, @odata.id or Id): the session it made stays open until the BMC times it out';
    if (probe && probe.status >= 200 && probe.status < 300) {
      this.#auth = 'basic';
      this.#token = undefined;
      this.basicInstead = true;
      this.note = `${left}; basic auth is used instead`;
    } else {
      this.note = `${left}, and its token is used (basic auth was refused)`;
    }
    client.log?.warn({ bmc: client.origin, status: probe?.status }, this.note);
  }

  /** A session that expired mid-sweep is renewed once; false when it cannot be (a second 401 is a real refusal). */
  async renewOnce(): Promise<boolean> {
    if (this.#auth !== 'session') return false;
    if (!this.#renewal) {
      if (this.#renewed) return false;
      this.#renewed = true;
      this.#token = undefined;
      this.#renewal = this.login().finally(() => {
        this.#renewal = undefined;
      });
    }
    try {
      await this.#renewal;
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes every session made, the newest first; reads sent after this carry no token. */
  async logout(): Promise<void> {
    this.#token = undefined;
    const sessions = this.#sessions.splice(0).reverse();
    for (const [index, session] of sessions.entries()) await this.#logout(session, index > 0);
  }

  // Deletes a session. One replaced by a renewed login may have expired already (401, 404).
  async #logout(session: Session, replaced: boolean): Promise<void> {
    const { origin, log } = this.#client;
    try {
      const answer = await this.#client.send(
        { method: 'DELETE', path: session.path, headers: session.headers, signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS), timeoutMs: LOGOUT_TIMEOUT_MS, maxBodyBytes: 65_536 },
        'urgent',
      );
      this.#client.account(answer);
      if (answer.status >= 400 && answer.status !== 404 && !(replaced && answer.status === 401)) log?.warn({ bmc: origin, status: answer.status }, 'session logout refused');
    } catch (error) {
      log?.warn({ bmc: origin, error: this.#client.echo((error as Error).message) }, 'session logout failed');
    }
  }
}
