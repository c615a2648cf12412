// MAAS authenticates every API call with OAuth 1.0a, PLAINTEXT method: the signature is the
// consumer secret (always empty) and the token secret joined by '&'. MAAS stores each nonce and
// rejects stale timestamps, so every request gets a fresh nonce and a timestamp from a clock that
// can be corrected from the server's `Date` header, as MAAS's own client does
// (canonical/maas src/provisioningserver/refresh/maas_api_helper.py, `geturl`).
import { randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { ApiKey } from './api-key.ts';

/** Options of an OAuthSigner. */
export interface OAuthSignerOptions {
  /** The local clock in milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** A fresh nonce per request. @default 32 random hex characters */
  readonly nonce?: () => string;
  /**
   * A 401/403 whose `Date` differs from the corrected clock by less than this is not blamed on the
   * clock (HTTP dates have one-second resolution and the answer took time to arrive). @default 5000
   */
  readonly clockToleranceMs?: number;
}

/** The smallest skew (ms) that a 401/403's `Date` header must show before the clock is corrected. */
export const DEFAULT_CLOCK_TOLERANCE_MS = 5_000;

/** Signs MAAS requests: one per client, shared by every key it signs with (there is one MAAS clock). */
export class OAuthSigner {
  readonly #now: () => number;
  readonly #nonce: () => string;
  readonly #toleranceMs: number;
  #offsetMs = 0;

  constructor(options: OAuthSignerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
    this.#toleranceMs = options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
  }

  /** How far MAAS's clock is ahead of ours, in ms, as last learnt from a `Date` header (0 until then). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** The `Authorization` header value for one request signed with `key`. */
  sign(key: ApiKey, method: string, url: string): string {
    const oauth = new OAuth({ consumer: { key: key.consumerKey, secret: '' }, signature_method: 'PLAINTEXT' });
    const timestamp = Math.floor((this.#now() + this.#offsetMs) / 1000);
    oauth.getTimeStamp = () => timestamp;
    oauth.getNonce = this.#nonce;
    // PLAINTEXT signs no request data, so only the method and URL are given.
    const data = oauth.authorize({ method, url }, { key: key.tokenKey, secret: key.tokenSecret });
    return oauth.toHeader(data).Authorization;
  }

  /**
   * Learns MAAS's clock from a refused request's `Date` header. Returns true when the header shows a
   * skew the current correction does not already account for, i.e. when a retry may succeed.
   */
  correctClock(dateHeader: string | undefined): boolean {
    if (dateHeader === undefined) return false;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return false;
    const offsetMs = serverMs - this.#now();
    if (Math.abs(offsetMs - this.#offsetMs) < this.#toleranceMs) return false;
    this.#offsetMs = offsetMs;
    return true;
  }
}

