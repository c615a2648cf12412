// One options object per MAAS client, every field documented with its default, merged and checked in
// one place: a bad option throws a TypeError naming it, what was expected and what was given.
import { checkApiKey, parseApiKey, type ApiKey } from './api-key.ts';
import { stripUserinfo } from './errors.ts';
import type { MaasRetryOptions } from './retry.ts';

/** Options of a MAAS REST client. */
export interface MaasClientOptions extends Partial<MaasRetryOptions> {
  /** MAAS's base URL, e.g. `http://maas:5240/MAAS` (a trailing slash or `/api/2.0/` is tolerated). Required. */
  readonly url?: string;
  /** The admin API key `consumer_key:token_key:token_secret`; requests may also bring their own credentials. */
  readonly apiKey?: string | ApiKey;
  /** One attempt, from sending to the last body byte. @default 30000 */
  readonly timeoutMs?: number;
  /** Aborts every request of this client. */
  readonly signal?: AbortSignal;
  /** PEM certificate authorities trusted for an https MAAS (in addition to the system's). */
  readonly ca?: string;
  /** The local clock, ms since the epoch (OAuth timestamps, Retry-After). @default Date.now */
  readonly now?: () => number;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Client options after defaults and checks. */
export interface ResolvedMaasClientOptions extends MaasRetryOptions {
  /** Normalised base URL without a trailing slash, e.g. `http://maas:5240/MAAS`. */
  readonly url: string;
  readonly apiKey: ApiKey | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly ca: string | undefined;
  readonly now: () => number;
  readonly random: () => number;
}

/** The defaults of every optional numeric client option. */
export const DEFAULT_MAAS_CLIENT_OPTIONS: Readonly<MaasRetryOptions & { timeoutMs: number }> = Object.freeze({
  timeoutMs: 30_000,
  retries: 3,
  backoffBaseMs: 500,
  backoffMaxMs: 10_000,
  maxRetryAfterMs: 30_000,
});

/** Merges options over the defaults and checks every value. */
export function resolveMaasClientOptions(options: MaasClientOptions): ResolvedMaasClientOptions {
  const numbers = { ...DEFAULT_MAAS_CLIENT_OPTIONS, ...definedOnly(options) };
  expectNumber('timeoutMs', numbers.timeoutMs, 1);
  expectNumber('retries', numbers.retries, 0);
  expectNumber('backoffBaseMs', numbers.backoffBaseMs, 1);
  expectNumber('backoffMaxMs', numbers.backoffMaxMs, 1);
  expectNumber('maxRetryAfterMs', numbers.maxRetryAfterMs, 0);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${typeof options.signal}`);
  }
  if (options.ca !== undefined && typeof options.ca !== 'string') {
    throw new TypeError(`Expected \`ca\` to be a PEM string, got ${typeof options.ca}`);
  }
  for (const key of ['now', 'random'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`Expected \`${key}\` to be a function, got ${typeof options[key]}`);
    }
  }
  return Object.freeze({
    url: normaliseMaasUrl(options.url),
    apiKey: options.apiKey === undefined ? undefined : toApiKey(options.apiKey),
    timeoutMs: numbers.timeoutMs,
    retries: numbers.retries,
    backoffBaseMs: numbers.backoffBaseMs,
    backoffMaxMs: numbers.backoffMaxMs,
    maxRetryAfterMs: numbers.maxRetryAfterMs,
    signal: options.signal,
    ca: options.ca,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  });
}

/**
 * MAAS's base URL in one form: `http(s)://host[:port]/path` without a trailing slash. `maas login`
 * accepts the API URL too, so a trailing `/api/2.0` is removed.
 */
export function normaliseMaasUrl(url: unknown, option = 'url'): string {
  const example = 'an http(s) URL like http://maas:5240/MAAS';
  if (typeof url !== 'string' || url.trim() === '') {
    throw new TypeError(`Expected \`${option}\` to be ${example}, got ${url === '' ? 'an empty string' : typeof url}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(`Expected \`${option}\` to be ${example}, got \`${stripUserinfo(url)}\``);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Expected \`${option}\` to be ${example}, got the scheme \`${parsed.protocol}\``);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError(`Expected \`${option}\` to carry no user or password (MAAS uses the API key), got a URL with them`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new TypeError(`Expected \`${option}\` to have no query or fragment, got \`${parsed.search}${parsed.hash}\``);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/2\.0$/, '');
  return `${parsed.origin}${path}`;
}

function toApiKey(value: string | ApiKey): ApiKey {
  if (typeof value === 'string') return parseApiKey(value, 'apiKey');
  if (typeof value === 'object' && value !== null) return checkApiKey(value, 'apiKey');
  throw new TypeError(`Expected \`apiKey\` to be a string like consumer_key:token_key:token_secret, got ${typeof value}`);
}

function definedOnly(options: MaasClientOptions): Partial<MaasRetryOptions & { timeoutMs: number }> {
  const out: Record<string, unknown> = {};
  for (const key of ['timeoutMs', 'retries', 'backoffBaseMs', 'backoffMaxMs', 'maxRetryAfterMs'] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

function expectNumber(key: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Expected \`${key}\` to be a number from ${min} up, got \`${String(value)}\` (${typeof value})`);
  }
}
