// One HTTP exchange with a BMC: send, read at most `maxBodyBytes`, and turn whatever happened into
// either a response or a RedfishError of the right kind. No retries, no auth decisions here.
import got, { type Got, type Method } from 'got';
import type http from 'node:http';
import type https from 'node:https';
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
  readonly method: Method;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
}

/** Creates the got instance for one BMC origin and agent. */
export function createTransport(origin: string, agent: http.Agent): Got {
  return got.extend({
    prefixUrl: origin,
    agent: { http: agent, https: agent as https.Agent },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'buffer',
    decompress: true,
    headers: { accept: 'application/json', 'user-agent': 'redfish-enlist', 'odata-version': '4.0' },
  });
}

/** Performs one exchange; HTTP error statuses are returned, transport failures thrown as RedfishError. */
export async function exchange(http: Got, bmc: string, request: ExchangeRequest): Promise<Exchange> {
  const context = { bmc, method: request.method, path: request.path };
  const sizeGuard = new AbortController();
  let oversized = false;
  const signal = AbortSignal.any([request.signal, sizeGuard.signal]);
  const refuseOversized = () => {
    oversized = true;
    sizeGuard.abort();
  };
  const promise = http(request.path.replace(/^\//, ''), {
    method: request.method,
    headers: request.headers,
    ...(request.json === undefined ? {} : { json: request.json }),
    timeout: { request: request.timeoutMs },
    signal,
  });
  promise.on('response', (response: http.IncomingMessage) => {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > request.maxBodyBytes) refuseOversized();
  });
  promise.on('downloadProgress', (progress: { transferred: number }) => {
    if (progress.transferred > request.maxBodyBytes) refuseOversized();
  });
  let response;
  try {
    response = await promise;
  } catch (error) {
    if (oversized) {
      throw new RedfishError('bad-response', `${request.method} ${request.path}: body larger than ${request.maxBodyBytes} bytes refused`, context);
    }
    throw transportError(error, request, context);
  }
  const raw = response.rawBody ?? new Uint8Array();
  const status = response.statusCode;
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
    if (error instanceof BodyError) {
      throw new RedfishError('bad-response', `${request.method} ${request.path}: ${error.message}`, { ...context, status });
    }
    throw error;
  }
}

/** Converts an HTTP error status into its RedfishError (for callers that have decided it is final). */
export function statusError(bmc: string, method: string, path: string, answer: Exchange): RedfishError {
  return errorFromResponse(answer.status, answer.body, { bmc, method, path });
}

function transportError(
  error: unknown,
  request: ExchangeRequest,
  context: { bmc: string; method: string; path: string },
): RedfishError {
  const own = findRedfishError(error);
  if (own) {
    return new RedfishError(own.kind, `${request.method} ${request.path}: ${own.message}`, {
      ...context,
      cause: own,
      connectPhase: own.connectPhase,
    });
  }
  const code = (error as { code?: string }).code ?? '';
  const where = `${request.method} ${request.path}`;
  if (request.signal.aborted) {
    return new RedfishError('timeout', `${where}: abandoned, ${abortReason(request.signal)}`, { ...context, cause: error });
  }
  if (code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError') {
    return new RedfishError('timeout', `${where}: no complete answer within ${request.timeoutMs} ms`, { ...context, cause: error });
  }
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    return new RedfishError('unreachable', `${where}: cannot connect (${code})`, { ...context, cause: error });
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return new RedfishError('tls', `${where}: ${(error as Error).message}`, { ...context, cause: error });
  }
  // Resets and premature closes: the BMC's web server broke the exchange.
  return new RedfishError('server', `${where}: connection broken (${code || (error as Error).message})`, { ...context, cause: error });
}

/** Why a signal aborted, in words for an error message. */
export function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError') return "the BMC's deadline passed";
  return typeof reason?.message === 'string' && reason.message ? reason.message : 'cancelled';
}

function findRedfishError(error: unknown): RedfishError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof RedfishError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
