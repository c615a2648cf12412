// The MAAS REST client: one signed request at a time, with the retries that are safe, and every
// failure turned into a MaasError. It knows MAAS's conventions (OAuth PLAINTEXT, `?op=`, multipart
// bodies, repeated fields) but no operation; those live in machines.ts.
import type { Method } from 'got';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiKey } from './api-key.ts';
import { MaasError, errorFromResponse, redact } from './errors.ts';
import { OAuthSigner } from './oauth.ts';
import { resolveMaasClientOptions, type MaasClientOptions, type ResolvedMaasClientOptions } from './options.ts';
import { maasRetryDelay, parseRetryAfter, type SendPhase } from './retry.ts';

/** One form or query value; booleans are sent as `true`/`false`. */
export type FormValue = string | number | boolean;

/** Form or query fields; an array repeats the field once per value (MAAS reads repeated fields as lists). */
export type FormFields = Readonly<Record<string, FormValue | readonly FormValue[] | undefined>>;

/** A file part of a multipart body. */
export interface FilePart {
  /** The form field name. */
  readonly field: string;
  /** The filename in Content-Disposition. */
  readonly filename: string;
  /** @default 'application/octet-stream' */
  readonly contentType?: string;
  readonly content: string | Uint8Array;
}

/** What one request sends besides its method and path. */
export interface MaasRequestOptions {
  /** Query parameters, `op` included. */
  readonly query?: FormFields;
  /** Body fields, sent as multipart/form-data. */
  readonly form?: FormFields;
  /** File parts, appended after the fields. */
  readonly files?: readonly FilePart[];
  /** Sign with these instead of the client's API key (e.g. a machine's token). */
  readonly credentials?: ApiKey;
  /** Whether sending twice has the effect of sending once. @default true for GET, HEAD, PUT, DELETE; false for POST */
  readonly idempotent?: boolean;
  /** Aborts this request (together with the client's signal). */
  readonly signal?: AbortSignal;
  /** Answer the body's bytes as they came (a tar, say) instead of parsing it. @default false */
  readonly binary?: boolean;
}

// got, loaded on first use: it costs ~0.1 s of CPU to load, which every command paid, though only
// the `maas` target sends requests with it.
let gotModule: Promise<typeof import('got').default> | undefined;
function loadGot(): Promise<typeof import('got').default> {
  gotModule ??= import('got').then((module) => module.default);
  return gotModule;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
// Failures that happen before a request exists on the wire: MAAS cannot have seen it.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
// Form fields whose values are secrets, cut out of anything MAAS echoes back.
const SECRET_FIELD = /pass|secret/i;
const MAX_PATH_IN_MESSAGES = 200;

/** A client of one MAAS region's REST API (`<url>/api/2.0/…`) and metadata API (`<url>/metadata/…`). */
export class MaasClient {
  /** The normalised base URL, e.g. `http://maas:5240/MAAS`. */
  readonly url: string;
  readonly #options: ResolvedMaasClientOptions;
  readonly #signer: OAuthSigner;
  readonly #agents: { http: http.Agent; https: https.Agent };

  constructor(options: MaasClientOptions) {
    this.#options = resolveMaasClientOptions(options);
    this.url = this.#options.url;
    this.#signer = new OAuthSigner({ now: this.#options.now });
    this.#agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  }

  /** Whether the client has an API key of its own (token-only clients sign every request with a machine token). */
  get hasApiKey(): boolean {
    return this.#options.apiKey !== undefined;
  }

  /** How far MAAS's clock is ahead of ours, in ms, as learnt from a refused request's `Date` header. */
  get clockOffsetMs(): number {
    return this.#signer.offsetMs;
  }

  /**
   * Sends one request to `path` (relative to the base URL, e.g. `api/2.0/machines/`) and returns the
   * parsed JSON answer (text when MAAS answers text, undefined when empty). Refusals and failures
   * throw MaasError.
   */
  async request(method: string, path: string, options: MaasRequestOptions = {}): Promise<unknown> {
    const verb = method.toUpperCase();
    const url = this.#urlFor(path, options.query);
    const where = describePath(path, options.query);
    const credentials = options.credentials ?? this.#options.apiKey;
    if (credentials === undefined) {
      throw new MaasError('no-credentials', `${verb} ${where} needs an API key, and this MAAS client has none`, {
        method: verb,
        path: where,
      });
    }
    const secrets = secretsOf(credentials, options.form);
    const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(verb);
    const signal = combineSignals(this.#options.signal, options.signal);
    const context = { method: verb, path: where };
    const body = options.form === undefined && options.files === undefined ? undefined : await multipart(options);
    let attempts = 0;
    let retries = 0;
    let clockCorrected = false;
    for (;;) {
      attempts += 1;
      let response;
      try {
        const got = await loadGot();
        response = await got(url, {
          method: verb as Method,
          headers: {
            authorization: this.#signer.sign(credentials, verb, url),
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': body.contentType }),
          },
          // A Buffer body goes out with its Content-Length (got would stream a FormData chunked).
          ...(body === undefined ? {} : { body: body.bytes }),
          throwHttpErrors: false,
          retry: { limit: 0 },
          followRedirect: false,
          responseType: 'buffer',
          timeout: { request: this.#options.timeoutMs },
          agent: this.#agents,
          ...(this.#options.ca === undefined ? {} : { https: { certificateAuthority: this.#options.ca } }),
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (error) {
        const failure = transportFailure(error, signal, this.#options.timeoutMs, secrets);
        const delay = failure.phase === undefined ? 0 : this.#delay({ attempt: retries + 1, idempotent, phase: failure.phase });
        if (delay > 0) {
          retries += 1;
          await this.#sleep(delay, signal, context);
          continue;
        }
        const maybeApplied = failure.phase === 'maybe-sent' && !idempotent;
        const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
        const unknown = maybeApplied ? '; MAAS may or may not have applied it, so it was not repeated' : '';
        throw new MaasError(failure.kind, `${verb} ${where} failed${tries}: ${failure.message}${unknown}`, {
          ...context,
          attempts,
          maybeApplied,
          cause: failure.cause,
        });
      }
      const status = response.statusCode;
      const headers = response.headers;
      if (status >= 200 && status < 300) {
        if (options.binary) return response.rawBody === undefined || response.rawBody.length === 0 ? undefined : new Uint8Array(response.rawBody);
        return parseBody(response.rawBody, headers['content-type'], verb, where, attempts);
      }
      if ((status === 401 || status === 403) && !clockCorrected && this.#signer.correctClock(headers.date)) {
        // MAAS's own client does the same: a refused signature may only be a stale timestamp.
        clockCorrected = true;
        continue;
      }
      const retryAfterMs = parseRetryAfter(headerText(headers['retry-after']), this.#options.now());
      const delay = this.#delay({ attempt: retries + 1, idempotent, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
      if (delay > 0) {
        retries += 1;
        await this.#sleep(delay, signal, context);
        continue;
      }
      const error = errorFromResponse({
        method: verb,
        path: where,
        status,
        contentType: headerText(headers['content-type']),
        body: Buffer.from(response.rawBody ?? new Uint8Array()).toString('utf8'),
        secrets,
        attempts,
        ...(headers.location === undefined ? {} : { location: headers.location }),
      });
      if ((status === 502 || status === 504) && !idempotent) {
        throw new MaasError(error.kind, `${error.message}; MAAS may or may not have applied it, so it was not repeated`, {
          ...context,
          status,
          attempts,
          maybeApplied: true,
          ...(error.maasMessage === undefined ? {} : { maasMessage: error.maasMessage }),
        });
      }
      throw error;
    }
  }

  /** Releases the client's connections. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #delay(outcome: { attempt: number; idempotent: boolean; status?: number; phase?: SendPhase; retryAfterMs?: number }): number {
    return maasRetryDelay({ ...outcome, random: this.#options.random() }, this.#options);
  }

  async #sleep(ms: number, signal: AbortSignal | undefined, context: { method: string; path: string }): Promise<void> {
    try {
      await sleep(ms, undefined, signal === undefined ? undefined : { signal });
    } catch (error) {
      throw new MaasError('aborted', `${context.method} ${context.path} was abandoned while waiting to retry`, {
        ...context,
        cause: error,
      });
    }
  }

  #urlFor(path: string, query: FormFields | undefined): string {
    const relative = path.replace(/^\/+/, '');
    const search = toSearchParams(query).toString();
    return `${this.url}/${relative}${search ? `?${search}` : ''}`;
  }
}

/** The request as error messages show it: path and query, without the base URL, shortened. */
function describePath(path: string, query: FormFields | undefined): string {
  const search = toSearchParams(query).toString();
  const text = `${path.replace(/^\/+/, '')}${search ? `?${decodeURIComponent(search)}` : ''}`;
  return text.length > MAX_PATH_IN_MESSAGES ? `${text.slice(0, MAX_PATH_IN_MESSAGES)}…` : text;
}

function toSearchParams(query: FormFields | undefined): URLSearchParams {
  const params = new URLSearchParams();
  if (query === undefined) return params;
  // `op` first, as MAAS's own clients write it.
  const keys = Object.keys(query).sort((a, b) => (a === 'op' ? -1 : b === 'op' ? 1 : 0));
  for (const key of keys) for (const value of valuesOf(query[key])) params.append(key, value);
  return params;
}

/**
 * The multipart/form-data body of a request, whole, so that it is sent with a Content-Length: MAAS's
 * Twisted web server hands Django an empty form for a chunked body ("This field is required"), which
 * only an nginx in front of it (MAAS 3.2+) hides by buffering.
 */
async function multipart(options: MaasRequestOptions): Promise<{ bytes: Buffer; contentType: string }> {
  const encoded = new Response(formData(options));
  const bytes = Buffer.from(await encoded.arrayBuffer());
  return { bytes, contentType: encoded.headers.get('content-type') ?? 'multipart/form-data' };
}

function formData(options: MaasRequestOptions): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(options.form ?? {})) {
    for (const item of valuesOf(value)) form.append(key, item);
  }
  for (const file of options.files ?? []) {
    const content = typeof file.content === 'string' ? file.content : new Uint8Array(file.content);
    form.append(file.field, new Blob([content], { type: file.contentType ?? 'application/octet-stream' }), file.filename);
  }
  return form;
}

function valuesOf(value: FormValue | readonly FormValue[] | undefined): string[] {
  if (value === undefined) return [];
  const list: readonly FormValue[] = Array.isArray(value) ? value : [value as FormValue];
  return list.map((item) => String(item));
}

function secretsOf(credentials: ApiKey, form: FormFields | undefined): string[] {
  const secrets = [credentials.tokenSecret];
  for (const [key, value] of Object.entries(form ?? {})) {
    if (SECRET_FIELD.test(key)) secrets.push(...valuesOf(value));
  }
  return secrets;
}

function parseBody(raw: Uint8Array | undefined, contentType: unknown, method: string, path: string, attempts: number): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  const text = Buffer.from(raw).toString('utf8');
  if (!String(contentType ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MaasError('bad-response', `${method} ${path}: MAAS answered invalid JSON (${(error as Error).message})`, {
      method,
      path,
      attempts,
    });
  }
}

interface TransportFailure {
  readonly kind: 'unreachable' | 'timeout' | 'connection' | 'aborted';
  readonly message: string;
  /** Undefined when retrying cannot help (aborted, TLS). */
  readonly phase: SendPhase | undefined;
  readonly cause: Error;
}

function transportFailure(
  error: unknown,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  secrets: readonly string[],
): TransportFailure {
  const code = String((error as { code?: unknown }).code ?? '');
  const text = redact((error as Error).message ?? String(error), secrets);
  // A plain cause: got's own error carries the request options, Authorization header included.
  const cause = Object.assign(new Error(text), code ? { code } : {});
  if (signal?.aborted) {
    return { kind: 'aborted', message: 'abandoned (aborted)', phase: undefined, cause };
  }
  if (NOT_SENT_CODES.has(code)) {
    return { kind: 'unreachable', message: `cannot connect to MAAS (${code})`, phase: 'not-sent', cause };
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) {
    return { kind: 'unreachable', message: `TLS failed (${code}): ${text}`, phase: undefined, cause };
  }
  if (code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError') {
    return { kind: 'timeout', message: `no complete answer within ${timeoutMs} ms`, phase: 'maybe-sent', cause };
  }
  return { kind: 'connection', message: `connection broken (${code || text})`, phase: 'maybe-sent', cause };
}

function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : AbortSignal.any(present);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
