// Failed web logins are counted per user name and per client address over a sliding window; past a
// limit the name (or the address) is refused — the right password included — until the oldest
// failure in the window ages out. A refused attempt checks no password (no scrypt to spend) and
// does not count, so an attacker cannot keep a user locked beyond one window by trying on. What is
// kept is bounded: a few timestamps per key, and at most `maxKeys` keys (the oldest go first).
import { clientOf } from '../registry/connections.ts';

/** How many failures are allowed, and over how long. */
export interface ThrottlePolicy {
  /** @default 15 minutes */
  readonly windowMs: number;
  /** Failed logins for one user name (from anywhere) before it is refused. @default 5 */
  readonly perUser: number;
  /** Failed logins from one client address (an IPv6 /64), for any names, before it is refused. @default 20 */
  readonly perAddress: number;
  /** User names and addresses remembered at once. @default 10,000 */
  readonly maxKeys: number;
}

/** The default policy (README, "Logging in"). */
export const DEFAULT_THROTTLE: ThrottlePolicy = Object.freeze({ windowMs: 15 * 60_000, perUser: 5, perAddress: 20, maxKeys: 10_000 });

/** Why a login is refused before its password is looked at. */
export interface Refusal {
  readonly reason: 'user' | 'address';
  /** Until the oldest failure in the window ages out. */
  readonly retryAfterSeconds: number;
}

/** The failed-login counters of one `serve` process. */
export class LoginThrottle {
  readonly policy: ThrottlePolicy;
  readonly #now: () => number;
  // Key → times of its latest failures (at most its limit), oldest first. Map order: least recently failed first.
  readonly #failures = new Map<string, number[]>();

  constructor(policy: Partial<ThrottlePolicy> = {}, now: () => number = Date.now) {
    this.policy = { ...DEFAULT_THROTTLE, ...policy };
    this.#now = now;
  }

  /** The refusal of a login by `user` from `address`, or undefined when it may be tried. */
  check(user: string, address: string | undefined): Refusal | undefined {
    const now = this.#now();
    const refusals = [
      this.#refusal(userKey(user), this.policy.perUser, now, 'user'),
      this.#refusal(addressKey(address), this.policy.perAddress, now, 'address'),
    ].filter((refusal) => refusal !== undefined);
    return refusals.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds)[0];
  }

  /** Counts a failed login. */
  failed(user: string, address: string | undefined): void {
    const now = this.#now();
    this.#add(userKey(user), this.policy.perUser, now);
    this.#add(addressKey(address), this.policy.perAddress, now);
  }

  /** A login that succeeded clears its user name's failures (not its address's). */
  succeeded(user: string): void {
    this.#failures.delete(userKey(user));
  }

  #refusal(key: string, limit: number, now: number, reason: Refusal['reason']): Refusal | undefined {
    const times = this.#recent(key, now);
    if (times.length < limit) return undefined;
    return { reason, retryAfterSeconds: Math.max(1, Math.ceil((times[times.length - limit]! + this.policy.windowMs - now) / 1000)) };
  }

  #add(key: string, limit: number, now: number): void {
    const times = this.#recent(key, now);
    times.push(now);
    if (times.length > limit) times.splice(0, times.length - limit);
    this.#failures.delete(key);
    this.#failures.set(key, times);
    while (this.#failures.size > this.policy.maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }

  // The failures of a key still inside the window (the map entry is trimmed in place).
  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key) ?? [];
    const first = times.findIndex((time) => time > now - this.policy.windowMs);
    if (first !== 0) times.splice(0, first === -1 ? times.length : first);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}

// User names are compared as the registry would find them; a long one is cut (it still counts).
function userKey(user: string): string {
  return `user ${user.trim().toLowerCase().slice(0, 200)}`;
}

function addressKey(address: string | undefined): string {
  return `address ${clientOf(address)}`;
}
