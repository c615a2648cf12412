// Login sessions of the web interface, kept in the registry database (table web_sessions): they
// survive a restart of `serve`, and deleting a user ends their sessions. The cookie holds a random
// id; the database holds only its SHA-256, so a copy of the database logs nobody in. Each session
// has its own CSRF token, which every state-changing request must carry.
import { createHash, randomBytes } from 'node:crypto';
import { findUser, verifyPassword, type Store, type User } from '../registry/index.ts';
import { hashPassword, sameSecret } from '../registry/secrets.ts';
import { serializeCookie } from './http.ts';

/** A logged-in user's session. */
export interface WebSession {
  readonly user: User;
  /** The token forms must send back as `csrf`. */
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/** How long a session lasts, from login. */
export const SESSION_HOURS = 12;

/** Name of the session cookie; under TLS the `__Host-` prefix pins it to this host, path / and Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-rfe-session' : 'rfe-session';
}

/** Name of the cookie that carries the login form's CSRF token before there is a session. */
export function loginCookieName(secure: boolean): string {
  return secure ? '__Host-rfe-login' : 'rfe-login';
}

/** A fresh random token (256 bits, base64url). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

let dummyHash: string | undefined;

/**
 * The user with this name and password, or undefined. An unknown user, or one without a web
 * password, costs the same scrypt as a wrong password, so timing does not tell which names exist.
 */
export function authenticate(store: Store, username: string, password: string): User | undefined {
  const found = username ? findUser(store, username) : undefined;
  if (!found?.passwordHash) {
    verifyPassword(password, (dummyHash ??= hashPassword(randomToken())));
    return undefined;
  }
  if (!verifyPassword(password, found.passwordHash)) return undefined;
  return { id: found.id, username: found.username, isAdmin: found.isAdmin };
}

/** Starts a session for a user; returns the cookie value (the only copy of the id) and the session. */
export function createSession(store: Store, user: User, hours = SESSION_HOURS): { id: string; session: WebSession } {
  const id = randomToken();
  const csrfToken = randomToken();
  const now = store.now();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
  store.transaction(() => {
    store.run('DELETE FROM web_sessions WHERE expires_at <= ?', now.toISOString());
    store.run('INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', digest(id), user.id, csrfToken, now.toISOString(), expiresAt);
  });
  return { id, session: { user, csrfToken, expiresAt } };
}

/** The live session a cookie value names, or undefined (unknown, expired, or its user deleted). */
export function findSession(store: Store, id: string | undefined): WebSession | undefined {
  if (!id || id.length > 100) return undefined;
  const row = store.get<{ csrf_token: string; expires_at: string; id: number; username: string; is_admin: number }>(
    `SELECT s.csrf_token, s.expires_at, u.id, u.username, u.is_admin
       FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    digest(id),
  );
  if (!row || row.expires_at <= store.timestamp()) return undefined;
  return { user: { id: row.id, username: row.username, isAdmin: row.is_admin === 1 }, csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

/** Ends a session (logout). */
export function endSession(store: Store, id: string | undefined): void {
  if (id) store.run('DELETE FROM web_sessions WHERE id_hash = ?', digest(id));
}

/** Whether a submitted CSRF token matches the expected one (constant time; a missing token never matches). */
export function csrfMatches(expected: string | undefined, submitted: string | undefined): boolean {
  if (!expected || !submitted) return false;
  return sameSecret(expected, submitted);
}

/** The Set-Cookie value that carries a new session's id for the session's lifetime. */
export function sessionCookie(id: string, secure: boolean, hours = SESSION_HOURS): string {
  return serializeCookie(sessionCookieName(secure), id, { secure, maxAgeSeconds: hours * 3600 });
}

/** The Set-Cookie value that deletes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return serializeCookie(sessionCookieName(secure), '', { secure, maxAgeSeconds: 0 });
}
