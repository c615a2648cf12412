// Failed web logins are counted per user name and per client address over a sliding window; past a
// limit the name (or the address) is refused — the right password included — until the oldest
// failure in the window ages out. A refused attempt checks no password (no scrypt to spend) and
// does not count, so an attacker cannot keep a user locked beyond one window by trying on. What is
// kept is bounded: a few timestamps per key, and at most `maxKeys` keys (the oldest go first). A
// key that is locked out is kept apart, in at most `maxLocked` more, so failed logins on other
// names from other addresses cannot push it out and end its lockout early; with that room full of
// lockouts still running, a new lockout is kept among the others.
import { clientOf } from '../registry/connections.ts';

/** How many failures are allowed, and over how long. */
export interface ThrottlePolicy {
  /** @default 15 minutes */
  readonly windowMs: number;
  /** Failed logins for one user name (from anywhere) before it is refused. @default 5 */
  readonly perUser: number;
  /** Failed logins from one client address (an IPv6 /64), for any names, before it is refused. @default 20 */
  readonly perAddress: number;
  /** User names and addresses remembered at once, besides those locked out. @default 10,000 */
  readonly maxKeys: number;
  /** User names and addresses locked out remembered at once, none of them pushed out by others. @default 10,000 */
  readonly maxLocked: number;
}

/** The default policy (README, "Logging in"). */
export const DEFAULT_THROTTLE: ThrottlePolicy = Object.freeze({ windowMs: 15 * 60_000, perUser: 5, perAddress: 20, maxKeys: 10_000, maxLocked: 10_000 });

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
  // The same for keys at their limit, which no other key pushes out. Map order: locked first, so
  // (a refused login counting nothing) the first whose lockout ends.
  readonly #locked = new Map<string, number[]>();

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
    this.#locked.delete(userKey(user));
  }

  #refusal(key: string, limit: number, now: number, reason: Refusal['reason']): Refusal | undefined {
    const times = this.#recent(key, limit, now);
    if (times.length < limit) return undefined;
    return { reason, retryAfterSeconds: Math.max(1, Math.ceil((times[times.length - limit]! + this.policy.windowMs - now) / 1000)) };
  }

  #add(key: string, limit: number, now: number): void {
    const times = this.#recent(key, limit, now);
    times.push(now);
    if (times.length > limit) times.splice(0, times.length - limit);
    if (this.#locked.has(key)) return;
    this.#failures.delete(key);
    if (times.length >= limit && this.#lock(key, times, now)) return;
    this.#keep(key, times);
  }

  // Among the keys not locked out, the least recently failed go first past `maxKeys`.
  #keep(key: string, times: number[]): void {
    this.#failures.set(key, times);
    while (this.#failures.size > this.policy.maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }

  // Keeps a key that reached its limit apart, once the lockouts that ended are gone from the front;
  // false when the room is full of lockouts still running.
  #lock(key: string, times: number[], now: number): boolean {
    for (const [held, heldTimes] of this.#locked) {
      if (heldTimes.length > 0 && heldTimes[0]! > now - this.policy.windowMs) break;
      this.#recent(held, limitOf(held, this.policy), now);
    }
    if (this.#locked.size >= this.policy.maxLocked) return false;
    this.#locked.set(key, times);
    return true;
  }

  // The failures of a key still inside the window (its entry is trimmed in place). A key locked
  // out whose lockout ended goes back among the others with the failures it has left.
  #recent(key: string, limit: number, now: number): number[] {
    const locked = this.#locked.get(key);
    const times = locked ?? this.#failures.get(key) ?? [];
    const first = times.findIndex((time) => time > now - this.policy.windowMs);
    if (first !== 0) times.splice(0, first === -1 ? times.length : first);
    if (locked && times.length < limit) {
      this.#locked.delete(key);
      if (times.length > 0) this.#keep(key, times);
    } else if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}

function limitOf(key: string, policy: ThrottlePolicy): number {
  return key.startsWith('user ') ? policy.perUser : policy.perAddress;
}

// User names are compared as the registry would find them; a long one is cut (it still counts).
function userKey(user: string): string {
  return `user ${user.trim().toLowerCase().slice(0, 200)}`;
}

function addressKey(address: string | undefined): string {
  return `address ${clientOf(address)}`;
}
