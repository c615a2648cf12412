// One HTTP exchange with a BMC: send, read at most `maxBodyBytes`, and turn whatever happened into
// either a response or a RedfishError of the right kind. No retries, no auth decisions here.
//
// This is node:http directly, not got: a sweep makes ~50 requests per BMC, and got's per-request
// option handling costs ~0.2 ms of CPU each (measured with bench/fleet.ts) — the whole 15 ms per
// BMC budget. The MAAS client, which sends a few requests per machine, keeps got.
import http from 'node:http';
import https from 'node:https';
import { RedfishError, errorFromResponse } from './errors.ts';
import { BodyError, parseJsonBody } from './json.ts';

/** A BMC's answer, with the body parsed when it is JSON. */
export interface Exchange {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body; undefined for empty bodies and 304. */
  readonly body: unknown;
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

/** Where one BMC's requests go: its origin and the agent that owns its connections. */
export interface Transport {
  readonly origin: string;
  readonly agent: http.Agent;
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** The Host header: host (IPv6 in brackets) and the port when it is not the scheme's default. */
  readonly hostHeader: string;
}

const HEADERS = ['accept', 'application/json', 'user-agent', 'redfish-enlist', 'odata-version', '4.0'] as const;

// Headers as a flat list, the form node:http writes out as given: an object costs a validation
// and a lookup per header on every request. Host is then ours to send.
function headerList(transport: Transport, extra: Readonly<Record<string, string>> | undefined, payload: Buffer | undefined): string[] {
  const list: string[] = ['host', transport.hostHeader, ...HEADERS];
  if (extra) for (const name in extra) list.push(name, extra[name]!);
  if (payload) list.push('content-type', 'application/json', 'content-length', String(payload.length));
  return list;
}

/** The transport for one BMC origin and agent. */
export function createTransport(origin: string, agent: http.Agent): Transport {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  return { origin, agent, secure, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (secure ? 443 : 80), hostHeader: url.host };
}

/** Performs one exchange; HTTP error statuses are returned, transport failures thrown as RedfishError. */
export function exchange(transport: Transport, bmc: string, request: ExchangeRequest): Promise<Exchange> {
  const where = `${request.method} ${request.path}`;
  const context = { bmc, method: request.method, path: request.path };
  return new Promise((resolve, reject) => {
    const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
    let settled = false;
    const finish = (error: RedfishError | undefined, answer?: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      if (error) {
        outgoing.destroy();
        reject(error);
      } else resolve(answer!);
    };
    const onAbort = () => finish(new RedfishError('timeout', `${where}: abandoned, ${abortReason(request.signal)}`, context));
    const timer = setTimeout(() => finish(new RedfishError('timeout', `${where}: no complete answer within ${request.timeoutMs} ms`, context)), request.timeoutMs);
    const outgoing = (transport.secure ? https : http).request({
      host: transport.host,
      port: transport.port,
      method: request.method,
      path: request.path,
      agent: transport.agent,
      headers: headerList(transport, request.headers, payload),
    });
    outgoing.on('error', (error) => finish(transportError(error, where, context)));
    outgoing.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      const tooLarge = () => new RedfishError('bad-response', `${where}: body larger than ${request.maxBodyBytes} bytes refused`, { ...context, status: response.statusCode });
      if (Number.isFinite(declared) && declared > request.maxBodyBytes) return finish(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBodyBytes) finish(tooLarge());
        else chunks.push(chunk);
      });
      response.on('error', (error) => finish(transportError(error, where, context)));
      response.on('end', () => {
        if (!response.complete) return finish(new RedfishError('server', `${where}: connection broken mid-body`, context));
        try {
          finish(undefined, answer(response, Buffer.concat(chunks, size), request, where, context));
        } catch (error) {
          finish(error as RedfishError);
        }
      });
      // A closed socket before 'end' (reset mid-body): the answer is incomplete.
      response.on('close', () => {
        if (!settled) finish(new RedfishError('server', `${where}: connection broken mid-body`, context));
      });
    });
    if (request.signal.aborted) return onAbort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    outgoing.end(payload);
  });
}

function answer(response: http.IncomingMessage, raw: Buffer, request: ExchangeRequest, where: string, context: { bmc: string }): Exchange {
  const status = response.statusCode ?? 0;
  const headers = response.headers;
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
    return { status, headers, body: parseJsonBody(raw, request.maxJsonDepth), bytes: raw.length };
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

function transportError(error: unknown, where: string, context: { bmc: string; method: string; path: string }): RedfishError {
  // The agent reports connect and TLS failures as RedfishErrors of their own.
  if (error instanceof RedfishError) return new RedfishError(error.kind, `${where}: ${error.message}`, { ...context, cause: error, connectPhase: error.connectPhase });
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.includes(code)) return new RedfishError('unreachable', `${where}: cannot connect (${code})`, { ...context, cause: error });
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) return new RedfishError('tls', `${where}: ${(error as Error).message}`, { ...context, cause: error });
  // Resets and premature closes: the BMC's web server broke the exchange.
  return new RedfishError('server', `${where}: connection broken (${code || (error as Error).message})`, { ...context, cause: error });
}
