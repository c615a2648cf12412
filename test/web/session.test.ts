import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser, type Store, type User } from '../../src/registry/index.ts';
import { serializeCookie } from '../../src/web/http.ts';
import { authenticate, clearedSessionCookie, createSession, csrfMatches, endSession, findSession, sessionCookie, sessionCookieName } from '../../src/web/session.ts';
import { temporaryStore } from '../registry/fixtures.ts';

let store: Store;
let dispose: () => void;
let clock: Date;
let user: User;

beforeEach(() => {
  clock = new Date('2025-11-25T10:00:00Z');
  ({ store, dispose } = temporaryStore(() => clock));
  user = createUser(store, 'operator', { password: 'correct horse battery' });
});
afterEach(() => dispose());

describe('logging in', () => {
  it('accepts the right password and refuses a wrong one, an unknown user and a user without a password', () => {
    expect(authenticate(store, 'operator', 'correct horse battery')).toMatchObject({ username: 'operator', id: user.id });
    expect(authenticate(store, 'operator', 'wrong')).toBeUndefined();
    expect(authenticate(store, 'nobody', 'correct horse battery')).toBeUndefined();
    expect(authenticate(store, 'admin', '')).toBeUndefined();
  });
});

describe('sessions', () => {
  it('finds a session by its cookie value and stores only a hash of it', () => {
    const { id, session } = createSession(store, user);
    expect(findSession(store, id)).toMatchObject({ user: { username: 'operator' }, csrfToken: session.csrfToken });
    expect(JSON.stringify(store.all('SELECT * FROM web_sessions'))).not.toContain(id);
    expect(findSession(store, `${id}x`)).toBeUndefined();
    expect(findSession(store, undefined)).toBeUndefined();
  });

  it('ends a session at logout and after its lifetime', () => {
    const first = createSession(store, user, 12);
    const second = createSession(store, user, 12);
    endSession(store, first.id);
    expect(findSession(store, first.id)).toBeUndefined();
    expect(findSession(store, second.id)).toBeDefined();
    clock = new Date('2025-11-25T22:00:01Z');
    expect(findSession(store, second.id)).toBeUndefined();
  });

  it('ends every session of a user who is deleted', () => {
    const { id } = createSession(store, user);
    store.run('DELETE FROM users WHERE id = ?', user.id);
    expect(findSession(store, id)).toBeUndefined();
  });

  it('gives each session its own CSRF token', () => {
    expect(createSession(store, user).session.csrfToken).not.toBe(createSession(store, user).session.csrfToken);
  });
});

describe('CSRF tokens', () => {
  it('match only the exact token, and never a missing one', () => {
    expect(csrfMatches('abc', 'abc')).toBe(true);
    expect(csrfMatches('abc', 'abd')).toBe(false);
    expect(csrfMatches('abc', 'abcd')).toBe(false);
    expect(csrfMatches('abc', undefined)).toBe(false);
    expect(csrfMatches('abc', '')).toBe(false);
    expect(csrfMatches(undefined, undefined)).toBe(false);
    expect(csrfMatches('', '')).toBe(false);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Strict, without Secure over plain HTTP', () => {
    const { id } = createSession(store, user);
    const cookie = sessionCookie(id, false);
    expect(cookie).toBe(`rfe-session=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`);
  });

  it('is Secure with the __Host- prefix under TLS', () => {
    const { id } = createSession(store, user);
    const cookie = sessionCookie(id, true);
    expect(cookie.split('; ')).toEqual([`__Host-rfe-session=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure', 'Max-Age=43200']);
    expect(sessionCookieName(true)).toBe('__Host-rfe-session');
  });

  it('is deleted at logout with the same attributes', () => {
    expect(clearedSessionCookie(true)).toBe('__Host-rfe-session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0');
    expect(serializeCookie('x', 'y', { secure: false })).toBe('x=y; Path=/; HttpOnly; SameSite=Strict');
  });
});
