// One HTTP exchange with a BMC: send, read at most `maxBodyBytes`, and turn whatever happened into
// either a response or a RedfishError of the right kind. No retries, no auth decisions here.
//
// The HTTP/1.1 framing is ours (http1.ts), over the connector's sockets (tls.ts): node:http's client
// cost ~110 µs of CPU per request and got's ~0.2 ms more, against a budget of 15 ms per BMC for
// ~50 requests. The MAAS client, which sends a few requests per machine, keeps got.
import type net from 'node:net';
import { RedfishError, abortReason, requestError, type ErrorKind } from './errors.ts';
import { HttpFramingError, ResponseParser, headerLines, requestHead, type ParsedResponse } from './http1.ts';
import { BodyError, parseJsonBody } from './json.ts';
import { verificationError, type Connector } from './tls.ts';

/** A BMC's answer, with the body parsed when it is JSON. */
export interface Exchange {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body; undefined for empty bodies and 304. */
  readonly body: unknown;
  /** A successful JSON body's bytes as received, to be stored without serialising it again. */
  readonly raw?: Uint8Array;
  readonly bytes: number;
}

/** A BMC's answer as received, its body not parsed yet (see `decode`). */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** What one exchange needs. */
export interface ExchangeRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  /** Called with a body's bytes before it is parsed; throws (a RedfishError) to refuse it unparsed. */
  readonly admit?: (raw: Uint8Array, path: string) => void;
}

/** Where one BMC's requests go, and the connections kept open to it between requests. */
export interface Transport {
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** The header lines every request carries, checked once: Host (IPv6 in brackets, the port when it is not the scheme's default), Accept … */
  readonly fixedHeaders: string;
  readonly connect: Connector;
  /** Open connections; the idle ones carry the next requests. */
  readonly connections: Set<Connection>;
  readonly idle: Connection[];
  /** What each signal's one abort listener calls: the exchanges in flight under it. */
  readonly aborts: Map<AbortSignal, { readonly listener: () => void; readonly exchanges: Set<Abortable> }>;
  closed: boolean;
}

/** One keep-alive connection and the exchange it is carrying, if any. */
interface Connection {
  readonly socket: net.Socket;
  /** Whether it already carried an answer (a reused connection may have been closed by the BMC). */
  used: boolean;
  current: Carrier | undefined;
}

/** What a signal's abort listener stops: an exchange in flight, or a connect. */
interface Abortable {
  abort(): void;
}

/** What a connection reports to the exchange it carries. */
interface Carrier {
  data(chunk: Buffer): void;
  ended(): void;
  failed(error: Error): void;
}

const HEADERS: readonly (readonly [string, string])[] = [
  ['accept', 'application/json'],
  ['user-agent', 'redfish-enlist'],
  ['odata-version', '4.0'],
  // HTTP/1.1's default, said aloud for BMC web servers that still think in HTTP/1.0.
  ['connection', 'keep-alive'],
];

/** The transport for one BMC origin; connections come from `connect` as they are needed. */
export function createTransport(origin: string, connect: Connector): Transport {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  return {
    origin,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || (secure ? 443 : 80),
    fixedHeaders: headerLines([['host', url.host], ...HEADERS]),
    connect,
    connections: new Set(),
    idle: [],
    aborts: new Map(),
    closed: false,
  };
}

/** One header of an answer (the first, when repeated). */
export function headerOf(answer: Pick<Exchange, 'headers'>, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Closes every connection; exchanges still in flight fail as broken. */
export function closeTransport(transport: Transport): void {
  transport.closed = true;
  for (const [signal, { listener }] of transport.aborts) signal.removeEventListener('abort', listener);
  transport.aborts.clear();
  transport.idle.length = 0;
  for (const connection of transport.connections) connection.socket.destroy();
  transport.connections.clear();
}

/** Performs one exchange; HTTP error statuses are returned, transport failures thrown as RedfishError. */
export async function exchange(transport: Transport, bmc: string, request: ExchangeRequest): Promise<Exchange> {
  return decode(await send(transport, bmc, request), bmc, request);
}

/**
 * Performs one exchange and resolves as the answer's last byte is in, before its body is parsed:
 * a caller holding a request slot frees it first, so the next request is on the wire while this
 * body is parsed. Transport failures are thrown as RedfishError.
 */
export async function send(transport: Transport, bmc: string, request: ExchangeRequest): Promise<RawAnswer> {
  const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
  let head: string;
  try {
    head = requestHead(request.method, request.path, headerList(request.headers, payload), transport.fixedHeaders);
  } catch (error) {
    throw failure('bad-response', bmc, request, (error as Error).message);
  }
  const message = payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head;
  const deadline = Date.now() + request.timeoutMs;
  const idle = transport.idle.pop();
  if (idle) {
    const outcome = await carry(transport, idle, message, bmc, request, deadline);
    // A kept-alive connection the BMC closed meanwhile fails before any answer byte: a GET or
    // DELETE is then sent again on a new connection (the BMC never saw it). A POST is not.
    if (!(outcome instanceof RedfishError)) return outcome;
    if (request.method === 'POST') throw outcome;
  }
  const connection = await open(transport, bmc, request, deadline);
  const outcome = await carry(transport, connection, message, bmc, request, deadline);
  if (outcome instanceof RedfishError) throw outcome;
  return outcome;
}

function headerList(extra: Readonly<Record<string, string>> | undefined, payload: Buffer | undefined): (readonly [string, string])[] {
  const list: (readonly [string, string])[] = [];
  if (extra) for (const name in extra) list.push([name, extra[name]!]);
  if (payload) list.push(['content-type', 'application/json'], ['content-length', String(payload.length)]);
  return list;
}

// A new connection, within the exchange's deadline and signal.
async function open(transport: Transport, bmc: string, request: ExchangeRequest, deadline: number): Promise<Connection> {
  if (transport.closed) throw failure('timeout', bmc, request, 'abandoned, the client is closed');
  let timer: NodeJS.Timeout | undefined;
  let unwatch: (() => void) | undefined;
  // Bytes that come before the connection is adopted (a BMC talking first) answer nothing asked.
  const route: { connection?: Connection; unasked?: boolean } = {};
  const connecting = transport.connect(transport.host, transport.port, (bytes) => {
    if (route.connection) receive(route.connection, bytes);
    else route.unasked = true;
  });
  try {
    const socket = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure('timeout', bmc, request, `no complete answer within ${request.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        const watcher = { abort: () => reject(failure('timeout', bmc, request, `abandoned, ${abortReason(request.signal)}`)) };
        if (request.signal.aborted) watcher.abort();
        else unwatch = watchAbort(transport, request.signal, watcher);
      }),
    ]);
    route.connection = adopt(transport, socket);
    if (route.unasked) socket.destroy();
    return route.connection;
  } catch (error) {
    // A connect that completes after the exchange gave up is not kept.
    connecting.then((socket) => socket.destroy(), () => undefined);
    const own = error instanceof RedfishError && error.kind === 'timeout' && !error.connectPhase;
    throw own ? error : transportError(error, bmc, request);
  } finally {
    clearTimeout(timer);
    unwatch?.();
  }
}

// One abort listener per signal and transport, not one per request: adding and removing an
// EventTarget listener cost more than a request's framing. The listeners go when the transport
// closes, so a signal is not kept alive by them.
function watchAbort(transport: Transport, signal: AbortSignal, watcher: Abortable): () => void {
  let entry = transport.aborts.get(signal);
  if (!entry) {
    const exchanges = new Set<Abortable>();
    const listener = () => {
      for (const exchange of [...exchanges]) exchange.abort();
    };
    signal.addEventListener('abort', listener, { once: true });
    entry = { listener, exchanges };
    transport.aborts.set(signal, entry);
  }
  const { exchanges } = entry;
  exchanges.add(watcher);
  return () => exchanges.delete(watcher);
}

// The connection's listeners live as long as the socket and report to whichever exchange it
// carries; between exchanges, any byte or close from the BMC retires the connection.
function adopt(transport: Transport, socket: net.Socket): Connection {
  const connection: Connection = { socket, used: false, current: undefined };
  socket.setNoDelay(true);
  const retire = () => {
    transport.connections.delete(connection);
    const index = transport.idle.indexOf(connection);
    if (index !== -1) transport.idle.splice(index, 1);
  };
  // Bytes normally come through the connector's `onData`; a socket that ignores `onread` (one made
  // by an interceptor patching node:net, as HTTP fakes and some APM agents do) emits them instead.
  socket.on('data', (chunk: Buffer) => receive(connection, chunk));
  socket.on('end', () => {
    if (connection.current) connection.current.ended();
    else {
      retire();
      socket.destroy();
    }
  });
  socket.on('error', (error) => connection.current?.failed(error));
  socket.on('close', () => {
    retire();
    connection.current?.ended();
  });
  transport.connections.add(connection);
  if (transport.closed) socket.destroy();
  return connection;
}

// What the BMC sent on a connection goes to the exchange it carries; between exchanges it is an
// answer nobody asked for, and the connection is retired.
function receive(connection: Connection, bytes: Buffer): void {
  if (connection.current) connection.current.data(bytes);
  else connection.socket.destroy();
}

// Sends the request on `connection` and reads the answer. Resolves to a RedfishError (not rejects)
// when a reused connection turned out closed before any byte of the answer: the caller decides
// whether to send again.
function carry(transport: Transport, connection: Connection, message: string | Buffer, bmc: string, request: ExchangeRequest, deadline: number): Promise<RawAnswer | RedfishError> {
  return new Promise((resolve, reject) => new Carried(transport, connection, bmc, request, resolve, reject).send(message, deadline));
}

// One exchange on one connection, as an object rather than closures: it is what the connection
// reports to, what the deadline timer and the abort listener stop, and it is made ~50 times per
// BMC, so its state lives in fields instead of a closure context per callback.
class Carried implements Carrier, Abortable {
  readonly #transport: Transport;
  readonly #connection: Connection;
  readonly #bmc: string;
  readonly #request: ExchangeRequest;
  readonly #resolve: (outcome: RawAnswer | RedfishError) => void;
  readonly #reject: (error: RedfishError) => void;
  readonly #parser: ResponseParser;
  readonly #reused: boolean;
  #settled = false;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;

  constructor(transport: Transport, connection: Connection, bmc: string, request: ExchangeRequest, resolve: (outcome: RawAnswer | RedfishError) => void, reject: (error: RedfishError) => void) {
    this.#transport = transport;
    this.#connection = connection;
    this.#bmc = bmc;
    this.#request = request;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#parser = new ResponseParser({ maxBodyBytes: request.maxBodyBytes });
    this.#reused = connection.used;
  }

  send(message: string | Buffer, deadline: number): void {
    const { socket } = this.#connection;
    this.#timer = setTimeout(timedOut, Math.max(0, deadline - Date.now()), this);
    this.#connection.current = this;
    if (this.#request.signal.aborted) return this.abort();
    if (socket.destroyed) return this.#finish(this.#failure('server', 'connection closed before an answer'));
    this.#unwatch = watchAbort(this.#transport, this.#request.signal, this);
    if (typeof message === 'string') socket.write(message, 'latin1');
    else socket.write(message);
  }

  data(chunk: Buffer): void {
    let response: ParsedResponse | undefined;
    try {
      response = this.#parser.push(chunk);
    } catch (error) {
      if (!(error instanceof HttpFramingError)) throw error;
      return this.#finish(this.#failure('bad-response', error.message));
    }
    if (response) this.#finish(undefined, response);
  }

  ended(): void {
    const response = this.#parser.end();
    if (response) return this.#finish(undefined, response);
    this.#finish(this.#failure('server', this.#parser.started ? 'connection broken mid-body' : 'connection closed before an answer'));
  }

  failed(error: Error): void {
    this.#finish(transportError(error, this.#bmc, this.#request));
  }

  abort(): void {
    this.#finish(this.#failure('timeout', `abandoned, ${abortReason(this.#request.signal)}`));
  }

  timedOut(): void {
    this.#finish(this.#failure('timeout', `no complete answer within ${this.#request.timeoutMs} ms`));
  }

  #failure(kind: ErrorKind, text: string): RedfishError {
    return failure(kind, this.#bmc, this.#request, text);
  }

  #finish(error: RedfishError | undefined, response?: ParsedResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#unwatch?.();
    const connection = this.#connection;
    connection.current = undefined;
    if (error) {
      connection.socket.destroy();
      if (this.#reused && !this.#parser.started && error.kind === 'server') this.#resolve(error);
      else this.#reject(error);
      return;
    }
    connection.used = true;
    if (response!.keepAlive && !this.#transport.closed && !connection.socket.destroyed) this.#transport.idle.push(connection);
    else connection.socket.destroy();
    this.#resolve(response!);
  }
}

function timedOut(carried: Carried): void {
  carried.timedOut();
}

// An exchange's error, naming the request; built only when something fails.
const failure = requestError;

/** The answer with its body parsed (JSON within the request's depth limit); a bad 2xx body is a bad-response RedfishError. */
export function decode(response: RawAnswer, bmc: string, request: Pick<ExchangeRequest, 'method' | 'path' | 'maxJsonDepth' | 'admit'>): Exchange {
  const { status, headers, body: raw } = response;
  if (status === 304 || raw.length === 0) return { status, headers, body: undefined, bytes: raw.length };
  if (status >= 400) {
    let body: unknown;
    try {
      request.admit?.(raw, request.path);
      body = parseJsonBody(raw, request.maxJsonDepth);
    } catch {
      body = undefined; // error bodies are informative only
    }
    return { status, headers, body, bytes: raw.length };
  }
  try {
    request.admit?.(raw, request.path);
    return { status, headers, body: parseJsonBody(raw, request.maxJsonDepth), raw, bytes: raw.length };
  } catch (error) {
    if (error instanceof BodyError) throw failure('bad-response', bmc, request, error.message, { status });
    throw error;
  }
}

const UNREACHABLE = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

function transportError(error: unknown, bmc: string, request: ExchangeRequest): RedfishError {
  // The connector reports connect and TLS failures as RedfishErrors of their own; so do timeouts.
  if (error instanceof RedfishError) return failure(error.kind, bmc, request, error.message, { cause: error, connectPhase: error.connectPhase });
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.includes(code)) return failure('unreachable', bmc, request, `cannot connect (${code})`, { cause: error });
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
    const refused = verificationError(error as NodeJS.ErrnoException, bmc);
    return failure('tls', bmc, request, refused?.message ?? (error as Error).message, { cause: error });
  }
  // Resets and premature closes: the BMC's web server broke the exchange.
  return failure('server', bmc, request, `connection broken (${code || (error as Error).message})`, { cause: error });
}
