// One HTTP exchange with a BMC: send, read at most `maxBodyBytes`, and turn whatever happened into
// either a response or a RedfishError of the right kind. No retries, no auth decisions here.
//
// The HTTP/1.1 framing is ours (http1.ts), over the connector's sockets (tls.ts): node:http's client
// cost ~110 µs of CPU per request and got's ~0.2 ms more, against a budget of 15 ms per BMC for
// ~50 requests. The MAAS client, which sends a few requests per machine, keeps got.
import type net from 'node:net';
import { RedfishError, errorFromResponse } from './errors.ts';
import { HttpFramingError, ResponseParser, headerLines, requestHead, type ParsedResponse } from './http1.ts';
import { BodyError, parseJsonBody } from './json.ts';
import type { Connector } from './tls.ts';

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
  readonly aborts: Map<AbortSignal, { readonly listener: () => void; readonly exchanges: Set<() => void> }>;
  closed: boolean;
}

/** One keep-alive connection and the exchange it is carrying, if any. */
interface Connection {
  readonly socket: net.Socket;
  /** Whether it already carried an answer (a reused connection may have been closed by the BMC). */
  used: boolean;
  current: Carrier | undefined;
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
  const where = `${request.method} ${request.path}`;
  const context = { bmc, method: request.method, path: request.path };
  const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
  let head: string;
  try {
    head = requestHead(request.method, request.path, headerList(request.headers, payload), transport.fixedHeaders);
  } catch (error) {
    throw new RedfishError('bad-response', `${where}: ${(error as Error).message}`, context);
  }
  const message = payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head;
  const deadline = Date.now() + request.timeoutMs;
  const idle = transport.idle.pop();
  if (idle) {
    const outcome = await carry(transport, idle, message, request, where, context, deadline);
    // A kept-alive connection the BMC closed meanwhile fails before any answer byte: a GET or
    // DELETE is then sent again on a new connection (the BMC never saw it). A POST is not.
    if (!('stale' in outcome)) return outcome.answer;
    if (request.method === 'POST') throw outcome.stale;
  }
  const connection = await open(transport, request, where, context, deadline);
  const outcome = await carry(transport, connection, message, request, where, context, deadline);
  if ('stale' in outcome) throw outcome.stale;
  return outcome.answer;
}

function headerList(extra: Readonly<Record<string, string>> | undefined, payload: Buffer | undefined): (readonly [string, string])[] {
  const list: (readonly [string, string])[] = [];
  if (extra) for (const name in extra) list.push([name, extra[name]!]);
  if (payload) list.push(['content-type', 'application/json'], ['content-length', String(payload.length)]);
  return list;
}

// A new connection, within the exchange's deadline and signal.
async function open(transport: Transport, request: ExchangeRequest, where: string, context: ErrorContext, deadline: number): Promise<Connection> {
  if (transport.closed) throw new RedfishError('timeout', `${where}: abandoned, the client is closed`, context);
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
        timer = setTimeout(() => reject(new RedfishError('timeout', `${where}: no complete answer within ${request.timeoutMs} ms`, context)), Math.max(0, deadline - Date.now()));
        const onAbort = () => reject(new RedfishError('timeout', `${where}: abandoned, ${abortReason(request.signal)}`, context));
        if (request.signal.aborted) onAbort();
        else unwatch = watchAbort(transport, request.signal, onAbort);
      }),
    ]);
    route.connection = adopt(transport, socket);
    if (route.unasked) socket.destroy();
    return route.connection;
  } catch (error) {
    // A connect that completes after the exchange gave up is not kept.
    connecting.then((socket) => socket.destroy(), () => undefined);
    const own = error instanceof RedfishError && error.kind === 'timeout' && !error.connectPhase;
    throw own ? error : transportError(error, where, context);
  } finally {
    clearTimeout(timer);
    unwatch?.();
  }
}

// One abort listener per signal and transport, not one per request: adding and removing a listener
// on a composite signal (AbortSignal.any) cost more than a request's framing. The listeners go when
// the transport closes, so a client's signal is not kept alive to its deadline by them.
function watchAbort(transport: Transport, signal: AbortSignal, onAbort: () => void): () => void {
  let entry = transport.aborts.get(signal);
  if (!entry) {
    const exchanges = new Set<() => void>();
    const listener = () => {
      for (const abort of [...exchanges]) abort();
    };
    signal.addEventListener('abort', listener, { once: true });
    entry = { listener, exchanges };
    transport.aborts.set(signal, entry);
  }
  const { exchanges } = entry;
  exchanges.add(onAbort);
  return () => exchanges.delete(onAbort);
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

type Outcome = { readonly answer: Exchange } | { readonly stale: RedfishError };

// Sends the request on `connection` and reads the answer.
function carry(transport: Transport, connection: Connection, message: string | Buffer, request: ExchangeRequest, where: string, context: ErrorContext, deadline: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const parser = new ResponseParser({ maxBodyBytes: request.maxBodyBytes });
    const reused = connection.used;
    let settled = false;
    let unwatch: (() => void) | undefined;
    const finish = (error: RedfishError | undefined, response?: ParsedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch?.();
      connection.current = undefined;
      if (error) {
        connection.socket.destroy();
        if (reused && !parser.started && error.kind === 'server') resolve({ stale: error });
        else reject(error);
        return;
      }
      connection.used = true;
      if (response!.keepAlive && !transport.closed && !connection.socket.destroyed) transport.idle.push(connection);
      else connection.socket.destroy();
      try {
        resolve({ answer: answer(response!, request, where, context) });
      } catch (failure) {
        reject(failure as RedfishError);
      }
    };
    const onAbort = () => finish(new RedfishError('timeout', `${where}: abandoned, ${abortReason(request.signal)}`, context));
    const timer = setTimeout(() => finish(new RedfishError('timeout', `${where}: no complete answer within ${request.timeoutMs} ms`, context)), Math.max(0, deadline - Date.now()));
    connection.current = {
      data: (chunk) => {
        try {
          const response = parser.push(chunk);
          if (response) finish(undefined, response);
        } catch (error) {
          finish(framingError(error, where, context));
        }
      },
      ended: () => {
        const response = parser.end();
        if (response) return finish(undefined, response);
        finish(new RedfishError('server', parser.started ? `${where}: connection broken mid-body` : `${where}: connection closed before an answer`, context));
      },
      failed: (error) => finish(transportError(error, where, context)),
    };
    if (request.signal.aborted) return onAbort();
    if (connection.socket.destroyed) return finish(new RedfishError('server', `${where}: connection closed before an answer`, context));
    unwatch = watchAbort(transport, request.signal, onAbort);
    if (typeof message === 'string') connection.socket.write(message, 'latin1');
    else connection.socket.write(message);
  });
}

interface ErrorContext {
  readonly bmc: string;
  readonly method: string;
  readonly path: string;
}

function framingError(error: unknown, where: string, context: ErrorContext): RedfishError {
  if (!(error instanceof HttpFramingError)) throw error;
  return new RedfishError('bad-response', `${where}: ${error.message}`, context);
}

function answer(response: ParsedResponse, request: ExchangeRequest, where: string, context: ErrorContext): Exchange {
  const { status, headers, body: raw } = response;
  if (status === 304 || raw.length === 0) return { status, headers, body: undefined, bytes: raw.length };
  if (status >= 400) {
    let body: unknown;
    try {
      body = parseJsonBody(raw, request.maxJsonDepth);
    } catch {
      body = undefined; // error bodies are informative only
    }
    return { status, headers, body, bytes: raw.length };
  }
  try {
    return { status, headers, body: parseJsonBody(raw, request.maxJsonDepth), raw, bytes: raw.length };
  } catch (error) {
    if (error instanceof BodyError) throw new RedfishError('bad-response', `${where}: ${error.message}`, { ...context, status });
    throw error;
  }
}

/** Converts an HTTP error status into its RedfishError (for callers that have decided it is final). */
export function statusError(bmc: string, method: string, path: string, answer: Exchange): RedfishError {
  return errorFromResponse(answer.status, answer.body, { bmc, method, path });
}

/** Why a signal aborted, in words for an error message. */
export function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError') return "the BMC's deadline passed";
  return typeof reason?.message === 'string' && reason.message ? reason.message : 'cancelled';
}

const UNREACHABLE = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

function transportError(error: unknown, where: string, context: ErrorContext): RedfishError {
  // The connector reports connect and TLS failures as RedfishErrors of their own; so do timeouts.
  if (error instanceof RedfishError) return new RedfishError(error.kind, `${where}: ${error.message}`, { ...context, cause: error, connectPhase: error.connectPhase });
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.includes(code)) return new RedfishError('unreachable', `${where}: cannot connect (${code})`, { ...context, cause: error });
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) return new RedfishError('tls', `${where}: ${(error as Error).message}`, { ...context, cause: error });
  // Resets and premature closes: the BMC's web server broke the exchange.
  return new RedfishError('server', `${where}: connection broken (${code || (error as Error).message})`, { ...context, cause: error });
}
