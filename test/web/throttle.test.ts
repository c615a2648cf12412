// The web login's failed-login counters (src/web/throttle.ts), driven directly: lockouts, their end,
// and what a flood of other names from other addresses can and cannot push out of memory.
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/web/throttle.ts';

/** An address in the `index`-th IPv6 /64 of a documentation prefix. */
const v6 = (index: number, host = 1) => `2001:db8:${Math.floor(index / 65_536).toString(16)}:${(index % 65_536).toString(16)}::${host.toString(16)}`;

// Failed logins as `serve` counts them: only those not refused before the password is looked at.
function fail(throttle: LoginThrottle, user: string, address: string): boolean {
  if (throttle.check(user, address)) return false;
  throttle.failed(user, address);
  return true;
}

describe('the login throttle', () => {
  it('refuses a name after 5 failures, the right password too, until its window passes', () => {
    let now = 0;
    const throttle = new LoginThrottle({}, () => now);
    for (let i = 0; i < 5; i++) expect(fail(throttle, 'alice', v6(0))).toBe(true);
    expect(throttle.check('alice', v6(9))).toMatchObject({ reason: 'user', retryAfterSeconds: 900 });
    now += 15 * 60_000;
    expect(throttle.check('alice', v6(9))).toBeUndefined();
  });

  it("keeps alice locked out through 9,540 failed logins on other names from 530 IPv6 /64s", () => {
    let now = 0;
    const throttle = new LoginThrottle({}, () => now);
    for (let i = 0; i < 5; i++) fail(throttle, 'alice', v6(0));
    // 18 names from each /64 (under its limit of 20): 9,540 names and 530 addresses, past the 10,000 keys remembered.
    for (let i = 0; i < 9_540; i++) {
      now += 10;
      expect(fail(throttle, `flood-${i}`, v6(1 + Math.floor(i / 18), i % 18))).toBe(true);
    }
    expect(throttle.check('alice', v6(0))).toMatchObject({ reason: 'user' });
    // The flood is bounded all the same: the first names it tried are forgotten.
    expect(fail(throttle, 'flood-0', v6(99_999))).toBe(true);
    // And alice's lockout ends on time.
    now = 15 * 60_000;
    expect(throttle.check('alice', v6(0))).toBeUndefined();
  });

  it('keeps every lockout while the room for them lasts, and a lockout that ended makes room', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxKeys: 4, maxLocked: 2 }, () => now);
    const lock = (user: string, at: number) => {
      for (let i = 0; i < 5; i++) fail(throttle, user, v6(at, i));
    };
    lock('alice', 1);
    lock('bob', 2);
    // The room for lockouts is full: carol's is kept among the other keys, which a flood can push out.
    lock('carol', 3);
    for (let i = 0; i < 10; i++) fail(throttle, `flood-${i}`, v6(10 + i));
    expect(['alice', 'bob', 'carol'].map((user) => throttle.check(user, v6(50))?.reason)).toEqual(['user', 'user', undefined]);
    // Once alice's and bob's lockouts end, dave's takes their room.
    now += 15 * 60_000;
    lock('dave', 4);
    for (let i = 0; i < 10; i++) fail(throttle, `later-${i}`, v6(30 + i));
    expect(['alice', 'bob', 'dave'].map((user) => throttle.check(user, v6(50))?.reason)).toEqual([undefined, undefined, 'user']);
  });

  it('a login that succeeds clears its name, locked out or not', () => {
    const throttle = new LoginThrottle({}, () => 0);
    for (let i = 0; i < 5; i++) fail(throttle, 'alice', v6(0));
    throttle.succeeded('alice');
    expect(throttle.check('alice', v6(1))).toBeUndefined();
  });
});
