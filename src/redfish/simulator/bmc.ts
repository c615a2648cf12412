// One simulated BMC: a Redfish service over HTTP or HTTPS serving a mockup tree, with basic auth and
// sessions, ETags, `$expand`, paging, latency, a small worker pool, faults and a fleet identity.
// Connections are accepted by a net server and handed to a non-listening http server, so HTTPS can
// use one shared TLS context: a fleet of 10,000 then holds one parsed key, not 10,000.
import { hash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, isIPv6, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { mockupKey, type MockupResource } from '../mockup.ts';
import { isRecord } from './check.ts';
import { FaultSet, runFault, type FaultAction, type FaultRule } from './faults.ts';
import { identityTables } from './identity.ts';
import { answerDelay } from './latency.ts';
import { resolveBmcOptions, type BmcOptions, type Credentials, type ResolvedBmcOptions, type TlsCredentials } from './options.ts';
import { seededRandom } from './random.ts';
import { BASE_REGISTRY, errorForStatus, redfishError, resourceMissing } from './redfish-error.ts';
import { lookup, renderResource, type Overlay, type RenderSettings } from './render.ts';
import { SessionStore, sessionBody, sessionLimitAnswer } from './sessions.ts';
import { Slots } from './slots.ts';
import { certificateHosts, generateCertificate, sharedSecureContext } from './tls.ts';
import { statsView, zeroCounters, type BmcStats } from './stats.ts';
import { prepareTree, type PreparedTree } from './tree.ts';
import { etagMatches, readBody } from './wire.ts';

/** A running simulated BMC. */
export interface SimulatedBmc {
  readonly name: string;
  /** Origin, e.g. `https://127.0.0.1:40123`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials;
  /** SHA-256 fingerprint of the certificate; undefined over plain HTTP. */
  readonly fingerprint256: string | undefined;
  /** The certificate in PEM; undefined over plain HTTP. */
  readonly certificatePem: string | undefined;
  readonly stats: BmcStats;
  /** The fault rules; assigning replaces them and restarts their `times`. */
  faults: readonly FaultRule[];
  /** Replaces the fault rules (same as assigning `faults`). */
  setFaults(rules: readonly FaultRule[]): void;
  /** Zeroes the counters; open sessions stay. */
  resetStats(): void;
  /** Serves `body` at `path` from now on, on this BMC only. */
  setResource(path: string, body: unknown, options?: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> }): void;
  /** Answers 404 at `path` from now on, on this BMC only; links to it are left dangling. */
  deleteResource(path: string): void;
  /**
   * Every request since start or `resetStats()`, in arrival order, when started with
   * `requestLog: true` (else empty): when it arrived, when one of the BMC's workers took it (after
   * waiting in the backlog), and when its answer was sent. Times are `performance.now()`.
   */
  readonly requestLog: readonly ServedRequest[];
  /** Stops listening and destroys open connections, hung requests included. */
  close(): Promise<void>;
}

/** One request as the BMC saw it (see SimulatedBmc.requestLog). */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly arrivedAt: number;
  /** When a worker took it; undefined while it waits, or if the client went away first. */
  startedAt?: number;
  /** When the answer was complete; undefined until then, or if none was. */
  answeredAt?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const OPEN_PATHS = new Set(['/redfish', '/redfish/v1', '/redfish/v1/odata', '/redfish/v1/$metadata']);
const SERVICE_ENTRY = '{"v1":"/redfish/v1/"}';
const MAX_LOGIN_BYTES = 64 * 1024;

/** Starts a simulated BMC and resolves once it listens. */
export async function startBmc(options: BmcOptions): Promise<SimulatedBmc> {
  const resolved = resolveBmcOptions(options);
  const tls = resolved.tls ?? (await generateCertificate({ hosts: certificateHosts(resolved.host) }));
  const bmc = new Bmc(resolved, tls === false ? undefined : tls);
  await bmc.listen();
  return bmc;
}

class Bmc implements SimulatedBmc {
  readonly name: string;
  readonly host: string;
  readonly credentials: Credentials;
  readonly fingerprint256: string | undefined;
  readonly certificatePem: string | undefined;
  readonly stats: BmcStats;
  readonly #options: ResolvedBmcOptions;
  readonly #tree: PreparedTree;
  readonly #settings: RenderSettings;
  readonly #sessions: SessionStore;
  readonly #jitter: () => number;
  readonly #faultRandom: () => number;
  readonly #slots: Slots;
  readonly #context: SecureContext | undefined;
  readonly #net: NetServer;
  readonly #http: Server;
  readonly #sockets = new Set<Socket>();
  #overlay: Overlay | undefined;
  #faults: FaultSet;
  #counters = zeroCounters();
  #log: ServedRequest[] = [];
  #active = 0;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedBmcOptions, tls: TlsCredentials | undefined) {
    this.#options = options;
    this.name = options.name;
    this.host = options.host;
    this.credentials = options.credentials;
    this.#tree = prepareTree(options.mockup);
    this.#settings = {
      expand: options.expand,
      pageSize: options.pageSize,
      identity: options.identity,
      identityTables: options.identity === undefined ? undefined : identityTables(options.mockup),
    };
    this.#sessions = new SessionStore(this.#tree.sessionsKey);
    this.#jitter = seededRandom(options.seed ^ 0x5bd1e995);
    this.#faultRandom = seededRandom(options.seed);
    this.#faults = new FaultSet(options.faults, this.#faultRandom);
    this.#slots = new Slots(options.maxConcurrent);
    if (tls !== undefined) {
      const shared = sharedSecureContext(tls);
      this.#context = shared.context;
      this.fingerprint256 = shared.fingerprint256;
      this.certificatePem = tls.cert;
    }
    this.#http = createHttpServer((req, res) => this.#onRequest(req, res));
    this.#http.on('clientError', (_error, socket) => socket.destroy());
    this.#net = createNetServer((socket) => this.#onConnection(socket));
    this.stats = statsView(() => this.#counters, () => this.#sessions.size);
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const host = this.host === '0.0.0.0' ? '127.0.0.1' : this.host === '::' ? '::1' : this.host;
    return `${this.#context === undefined ? 'http' : 'https'}://${isIPv6(host) ? `[${host}]` : host}:${this.#port}`;
  }

  get faults(): readonly FaultRule[] {
    return this.#faults.rules;
  }

  set faults(rules: readonly FaultRule[]) {
    this.#faults = new FaultSet(rules, this.#faultRandom);
  }

  setFaults(rules: readonly FaultRule[]): void {
    this.faults = rules;
  }

  get requestLog(): readonly ServedRequest[] {
    return this.#log;
  }

  resetStats(): void {
    this.#log = [];
    this.#counters = zeroCounters();
    this.#counters.peakConcurrent = this.#active;
  }

  setResource(path: string, body: unknown, options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}): void {
    const resource: MockupResource = {
      body,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    };
    (this.#overlay ??= new Map()).set(mockupKey(path), resource);
  }

  deleteResource(path: string): void {
    (this.#overlay ??= new Map()).set(mockupKey(path), null);
  }

  /** Binds the listening socket. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#net.once('error', reject);
      this.#net.listen(this.#options.port, this.host, () => {
        this.#net.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#net.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#net.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closing;
  }

  #onConnection(socket: Socket): void {
    // A client that vanishes is routine for a BMC; the http server sees the error on its own socket.
    socket.on('error', () => {});
    this.#track(socket);
    if (this.#closing !== undefined) {
      socket.destroy();
      return;
    }
    const connection = this.#context === undefined ? socket : new TLSSocket(socket, { isServer: true, secureContext: this.#context });
    if (connection !== socket) this.#track(connection);
    this.#http.emit('connection', connection);
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const key = this.#tree.intern(mockupKey(url));
    const counters = this.#counters;
    counters.requests += 1;
    counters.requestsByPath.set(key, (counters.requestsByPath.get(key) ?? 0) + 1);
    // Node's server then answers `Connection: close` and closes the socket after the answer.
    if (!this.#options.keepAlive) res.shouldKeepAlive = false;
    let state: 'waiting' | 'running' | 'gone' = 'waiting';
    const served: ServedRequest | undefined = this.#options.requestLog ? { method: req.method ?? 'GET', path: url, arrivedAt: performance.now() } : undefined;
    if (served) {
      this.#log.push(served);
      res.once('finish', () => (served.answeredAt = performance.now()));
    }
    res.once('close', () => {
      if (state === 'running') this.#release();
      state = 'gone';
    });
    this.#slots.acquire(() => {
      if (state === 'gone') {
        this.#slots.release();
        return;
      }
      state = 'running';
      if (served) served.startedAt = performance.now();
      this.#active += 1;
      this.#counters.peakConcurrent = Math.max(this.#counters.peakConcurrent, this.#active);
      const go = (): void => {
        if (state === 'running') void this.#respond(req, res, key, url).catch(() => res.destroy());
      };
      const delay = answerDelay(this.#options.latency, this.#jitter);
      if (delay > 0) setTimeout(go, delay);
      else go();
    });
  }

  #release(): void {
    this.#active -= 1;
    this.#slots.release();
  }

  async #respond(req: IncomingMessage, res: ServerResponse, key: string, url: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const sessionsKey = this.#tree.sessionsKey;
    const login = method === 'POST' && key === sessionsKey;
    const request = { key, method, exempt: key === '/redfish' || key === '/redfish/v1' || login };
    const early = this.#faults.take({ ...request, afterAuth: false });
    if (early !== undefined) return this.#fault(early, req, res, key, url);
    if (!login && !OPEN_PATHS.has(key) && !this.#authorised(req)) {
      this.#counters.authFailures += 1;
      return this.#send(res, 401, errorForStatus(401), { 'WWW-Authenticate': 'Basic realm="simulator"' });
    }
    const late = this.#faults.take({ ...request, afterAuth: true });
    if (late !== undefined) return this.#fault(late, req, res, key, url);
    if (method === 'GET' || method === 'HEAD') return this.#get(req, res, key, url);
    if (login) return this.#login(req, res);
    if (method === 'DELETE' && this.#options.sessions && key.startsWith(`${sessionsKey}/`)) return this.#logout(res, key);
    return this.#notAllowed(res, 'The HTTP method is not allowed on this resource.');
  }

  #fault(action: FaultAction, req: IncomingMessage, res: ServerResponse, key: string, url: string): void {
    runFault(action, {
      req,
      res,
      key,
      body: () => (key === '/redfish' ? SERVICE_ENTRY : (this.#render(key, url)?.text ?? resourceMissing(key))),
      sent: (bytes) => {
        this.#counters.bytesOut += bytes;
      },
    });
  }

  #render(key: string, url: string): ReturnType<typeof renderResource> {
    const cut = url.indexOf('?');
    return renderResource(this.#tree, this.#overlay, key, new URLSearchParams(cut < 0 ? '' : url.slice(cut + 1)), this.#settings);
  }

  #get(req: IncomingMessage, res: ServerResponse, key: string, url: string): void {
    const sessionsKey = this.#tree.sessionsKey;
    if (key === '/redfish') return this.#sendGet(req, res, 200, SERVICE_ENTRY);
    if (key === sessionsKey) return this.#sendGet(req, res, 200, this.#sessions.collection(lookup(this.#tree, this.#overlay, key)?.body));
    if (key.startsWith(`${sessionsKey}/`)) {
      // Sample sessions stored in a tree are not live; only the BMC's own sessions are served.
      const session = this.#sessions.byPath(key);
      return session === undefined ? this.#send(res, 404, resourceMissing(key)) : this.#sendGet(req, res, 200, sessionBody(session));
    }
    const rendered = this.#render(key, url);
    if (rendered === undefined) return this.#send(res, 404, resourceMissing(key));
    return this.#sendGet(req, res, rendered.status, rendered.text, rendered.headers);
  }

  #sendGet(req: IncomingMessage, res: ServerResponse, status: number, text: string, stored?: Readonly<Record<string, string>>): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(stored ?? {})) {
      if (!/^(?:etag|content-length|transfer-encoding)$/i.test(name)) headers[name] = value;
    }
    // Encoded once: the ETag, the length and the socket all take these bytes.
    const body = Buffer.from(text);
    if (status >= 200 && status < 300) {
      const etag = `"${hash('sha1', body, 'base64url')}"`;
      headers.ETag = etag;
      if (etagMatches(req.headers['if-none-match'], etag)) {
        this.#counters.notModified += 1;
        res.writeHead(304, { ETag: etag, 'OData-Version': '4.0' });
        res.end();
        return;
      }
    }
    this.#send(res, status, body, headers, req.method === 'HEAD');
  }

  #send(res: ServerResponse, status: number, body: string | Buffer, headers: Readonly<Record<string, string>> = {}, head = false): void {
    res.setHeader('Content-Type', JSON_TYPE);
    res.setHeader('OData-Version', '4.0');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const length = Buffer.byteLength(body);
    res.setHeader('Content-Length', length);
    res.writeHead(status);
    res.end(head ? undefined : body);
    if (!head) this.#counters.bytesOut += length;
  }

  #authorised(req: IncomingMessage): boolean {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && this.#sessions.byToken(token) !== undefined) return true;
    const basic = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1] === undefined) return false;
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const { username, password } = this.credentials;
    return colon >= 0 && decoded.slice(0, colon) === username && decoded.slice(colon + 1) === password;
  }

  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#options.sessions) {
      return this.#notAllowed(res, 'Sessions are not supported by this service.');
    }
    const text = await readBody(req, MAX_LOGIN_BYTES);
    let json: unknown;
    try {
      json = text === undefined ? undefined : JSON.parse(text);
    } catch {
      const message = 'The request body submitted was malformed JSON and could not be parsed by the receiving service.';
      return this.#send(res, 400, redfishError(`${BASE_REGISTRY}.MalformedJSON`, message));
    }
    if (!isRecord(json) || typeof json.UserName !== 'string' || typeof json.Password !== 'string') {
      const message = 'The properties UserName and Password are required to create a session.';
      return this.#send(res, 400, redfishError(`${BASE_REGISTRY}.PropertyMissing`, message));
    }
    const { username, password } = this.credentials;
    if (json.UserName !== username || json.Password !== password) {
      this.#counters.authFailures += 1;
      const message = 'The user name or password is not valid.';
      return this.#send(res, 401, redfishError(`${BASE_REGISTRY}.NoValidSession`, message, 'Correct the credentials and resubmit the request.'));
    }
    if (this.#sessions.size >= this.#options.sessionLimit) {
      const answer = sessionLimitAnswer(this.#tree.isDell);
      return this.#send(res, answer.status, answer.text);
    }
    const session = this.#sessions.create(username);
    this.#counters.sessionsCreated += 1;
    this.#send(res, 201, sessionBody(session), { 'X-Auth-Token': session.token, Location: session.path });
  }

  #notAllowed(res: ServerResponse, message: string): void {
    this.#send(res, 405, redfishError(`${BASE_REGISTRY}.OperationNotAllowed`, message), { Allow: 'GET, HEAD' });
  }

  #logout(res: ServerResponse, key: string): void {
    if (!this.#sessions.delete(key)) return this.#send(res, 404, resourceMissing(key));
    this.#counters.sessionsDeleted += 1;
    res.writeHead(204, { 'OData-Version': '4.0' });
    res.end();
  }
}
