// When to repeat a MAAS request is a pure function of what went wrong and whether repeating is
// safe, so it is tested on its own; the client only sleeps for what it returns.
//
// Safe to repeat: anything that never reached MAAS (refused connection, DNS failure), any answer
// MAAS gives when it did not run the request (503: MAAS answers "MAAS is starting" with
// Retry-After while it boots, src/maasserver/webapp.py; a proxy answers 503 when no region is up),
// and idempotent requests. A request that creates something is NOT repeated after it may have
// been sent (timeout, reset, 502/504 from a proxy): MAAS may have created the machine, and a blind
// retry would be refused as a duplicate MAC at best. The caller reconciles instead.

import { backoffDelay } from '../redfish/retry.ts';

// One Retry-After reading for both clients (seconds or an HTTP date).
export { parseRetryAfter } from '../redfish/retry.ts';

/** Retry settings of a MAAS client. */
export interface MaasRetryOptions {
  /** Retries after the first attempt. @default 3 */
  readonly retries: number;
  /** First backoff delay. @default 500 */
  readonly backoffBaseMs: number;
  /** Largest backoff delay before jitter. @default 10000 */
  readonly backoffMaxMs: number;
  /** Largest wait honoured from a 503's Retry-After header. @default 30000 */
  readonly maxRetryAfterMs: number;
}

/** How far a failed request got before it failed. */
export type SendPhase = 'not-sent' | 'maybe-sent';

/** What the last attempt ended in, as the retry policy sees it. */
export interface MaasAttemptOutcome {
  /** 1 for the first retry decision, 2 for the second… */
  readonly attempt: number;
  /** Whether repeating the request has the same effect as sending it once. */
  readonly idempotent: boolean;
  /** HTTP status, when MAAS (or a proxy) answered. */
  readonly status?: number;
  /** For transport failures: whether the request may have reached MAAS. */
  readonly phase?: SendPhase;
  /** Retry-After already converted to milliseconds from now. */
  readonly retryAfterMs?: number;
  /** A number in [0, 1) used for jitter; injected so tests are deterministic. */
  readonly random: number;
}

/** Milliseconds to wait before the next attempt, or 0 to stop. */
export function maasRetryDelay(outcome: MaasAttemptOutcome, options: MaasRetryOptions): number {
  if (outcome.attempt > options.retries) return 0;
  if (!isRetryable(outcome)) return 0;
  if (outcome.status === 503 && outcome.retryAfterMs !== undefined) {
    return Math.max(1, Math.min(outcome.retryAfterMs, options.maxRetryAfterMs));
  }
  return backoffDelay(outcome.attempt, options.backoffBaseMs, options.backoffMaxMs, outcome.random);
}

/** Whether this outcome may be retried at all (ignoring the attempt count). */
export function isRetryable(outcome: Pick<MaasAttemptOutcome, 'idempotent' | 'status' | 'phase'>): boolean {
  const { status, phase, idempotent } = outcome;
  if (status !== undefined) {
    if (status === 503) return true;
    if (status === 502 || status === 504) return idempotent;
    return false;
  }
  if (phase === 'not-sent') return true;
  return phase === 'maybe-sent' && idempotent;
}
