// The retry decision is a pure function of the attempt and what went wrong, so it is tested on its
// own; the client only sleeps for what it returns.
import type { ErrorKind } from './errors.ts';

/** Retry settings for reads. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 3 */
  readonly retries: number;
  /** First backoff delay. @default 250 */
  readonly backoffBaseMs: number;
  /** Largest backoff delay before jitter. @default 5000 */
  readonly backoffMaxMs: number;
  /** Largest wait honoured from a Retry-After header. @default 30000 */
  readonly maxRetryAfterMs: number;
}

/** What the last attempt ended in, as the retry policy sees it. */
export interface AttemptOutcome {
  /** 1 for the first retry decision, 2 for the second… */
  readonly attempt: number;
  readonly method: string;
  /** The error class of the failed attempt. */
  readonly kind: ErrorKind;
  /** HTTP status, when the BMC answered. */
  readonly status?: number;
  /** Retry-After already converted to milliseconds from now. */
  readonly retryAfterMs?: number;
  /** True when the error happened before a connection existed (refused, connect timeout, TLS). */
  readonly beforeConnect?: boolean;
  /** True when the BMC's address answered and refused the connection (ECONNREFUSED). */
  readonly refused?: boolean;
  /** A number in [0, 1) used for jitter; injected so tests are deterministic. */
  readonly random: number;
}

/**
 * Milliseconds to wait before the next attempt, or 0 to stop. Only reads are retried. A refused
 * connection fails at once (a BMC's web server restarting), so it is retried like a reset; a
 * connect that timed out, or a host that does not answer, is not: a BMC that is gone costs one
 * connect attempt, not minutes.
 */
export function retryDelay(outcome: AttemptOutcome, options: RetryOptions): number {
  if (outcome.attempt > options.retries) return 0;
  if (outcome.method !== 'GET') return 0;
  if (outcome.beforeConnect && outcome.kind === 'timeout') return 0;
  // A host that does not answer at all (no route, no ARP reply, no DNS name) is not retried either.
  if (outcome.kind === 'unreachable' && !outcome.refused) return 0;
  const status = outcome.status;
  if ((status === 429 || status === 503) && outcome.retryAfterMs !== undefined) {
    return Math.max(1, Math.min(outcome.retryAfterMs, options.maxRetryAfterMs));
  }
  const retryable =
    (outcome.kind === 'server' && (status === undefined || status >= 500 || status === 429)) ||
    outcome.kind === 'timeout' ||
    outcome.kind === 'unreachable';
  if (!retryable) return 0;
  return backoffDelay(outcome.attempt, options.backoffBaseMs, options.backoffMaxMs, outcome.random);
}

/**
 * Exponential backoff with "equal jitter": half fixed, half random, so retries of many requests
 * spread out but never collapse to zero. Shared by the Redfish and MAAS clients.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.max(1, Math.round(exponential / 2 + (exponential / 2) * random));
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
