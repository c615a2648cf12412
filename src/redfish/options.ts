// One options object per BMC client, every field documented with its default, merged and checked
// in one place (p-queue's style): a bad option throws a TypeError naming it.
import type { RetryOptions } from './retry.ts';

/** How the client authenticates. */
export type AuthMode = 'session' | 'basic';

/** Whether collections are read with `$expand`. */
export type ExpandMode = 'auto' | 'on' | 'off';

/** Options of a Redfish client for one BMC. */
export interface ClientOptions extends RetryOptions {
  /** TCP connect plus TLS handshake. @default 5000 */
  readonly connectTimeoutMs: number;
  /** One request, from sending to the last body byte. @default 30000 */
  readonly requestTimeoutMs: number;
  /** Everything this client does for one sweep of the BMC; past it, every read fails. @default 300000 */
  readonly bmcDeadlineMs: number;
  /** Requests in flight to this BMC at once. BMCs are small computers. @default 2 */
  readonly perBmcConcurrency: number;
  /** Requests started per second at most; 0 means no rate limit. @default 0 */
  readonly perBmcRatePerSecond: number;
  /** Session first (falls back to basic when sessions are unavailable), or basic only. @default 'session' */
  readonly auth: AuthMode;
  /** Consecutive 401/403 answers after which the client stops, so a wrong password never locks the BMC account. @default 3 */
  readonly lockoutAfter: number;
  /** Largest response body accepted. @default 16777216 (16 MiB) */
  readonly maxBodyBytes: number;
  /** Deepest JSON nesting accepted. @default 64 */
  readonly maxJsonDepth: number;
  /** `$expand` on collections: when the service root advertises it, always, or never. @default 'auto' */
  readonly expand: ExpandMode;
  /** Pages followed through `Members@odata.nextLink` per collection. @default 50 */
  readonly maxPages: number;
  /** Members accepted per collection; more is a bad response, not a reason to read them all. @default 4096 */
  readonly maxMembers: number;
  /**
   * What one BMC's answers may cost the collector in one sweep: 1 KiB per read, plus each body's
   * bytes and 64 bytes per JSON value in it (what V8 holds, at most, once it is parsed). A body
   * that would pass it is not parsed, and the BMC fails (`bad-response`, naming the budget): a
   * hostile BMC costs at most this much, whatever it sends. A large real server's sweep costs
   * 1–5 MiB. @default 33554432 (32 MiB)
   */
  readonly memoryBudgetBytes: number;
}

/** The defaults of every client option. */
export const DEFAULT_CLIENT_OPTIONS: ClientOptions = Object.freeze({
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  bmcDeadlineMs: 300_000,
  perBmcConcurrency: 2,
  perBmcRatePerSecond: 0,
  auth: 'session',
  lockoutAfter: 3,
  maxBodyBytes: 16 * 1024 * 1024,
  maxJsonDepth: 64,
  expand: 'auto',
  maxPages: 50,
  maxMembers: 4096,
  memoryBudgetBytes: 32 * 1024 * 1024,
  retries: 3,
  backoffBaseMs: 250,
  backoffMaxMs: 5_000,
  maxRetryAfterMs: 30_000,
});

const POSITIVE: readonly (keyof ClientOptions)[] = [
  'connectTimeoutMs',
  'requestTimeoutMs',
  'bmcDeadlineMs',
  'perBmcConcurrency',
  'lockoutAfter',
  'maxBodyBytes',
  'maxJsonDepth',
  'maxPages',
  'maxMembers',
  'memoryBudgetBytes',
  'backoffBaseMs',
  'backoffMaxMs',
];
const NON_NEGATIVE: readonly (keyof ClientOptions)[] = ['perBmcRatePerSecond', 'retries', 'maxRetryAfterMs'];

/** Merges options over the defaults and checks every value. */
export function resolveClientOptions(partial: Partial<ClientOptions> = {}): ClientOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const options = { ...DEFAULT_CLIENT_OPTIONS, ...defined } as ClientOptions;
  for (const key of POSITIVE) expectNumber(key, options[key], 1);
  for (const key of NON_NEGATIVE) expectNumber(key, options[key], 0);
  expectOneOf('auth', options.auth, ['session', 'basic']);
  expectOneOf('expand', options.expand, ['auto', 'on', 'off']);
  return Object.freeze(options);
}

function expectNumber(key: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `Expected \`${key}\` to be a number from ${min} up, got \`${String(value)}\` (${typeof value})`,
    );
  }
}

function expectOneOf(key: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new TypeError(
      `Expected \`${key}\` to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got \`${String(value)}\` (${typeof value})`,
    );
  }
}
