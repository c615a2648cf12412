// Users, their API keys and per-machine tokens. An API key is MAAS's `consumer:token:secret`; a
// machine token is the same kind of triple bound to one machine, and can do nothing else.
import { newCredentials } from './secrets.ts';
import { RegistryError, type Store } from './store.ts';
import { hashPassword } from './secrets.ts';

/** A registry user. */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly isAdmin: boolean;
}

/** OAuth credentials, and what they belong to. */
export interface Credential {
  readonly consumerKey: string;
  readonly tokenKey: string;
  readonly tokenSecret: string;
  /** The user an API key belongs to. */
  readonly user?: User;
  /** The machine (row id) a machine token belongs to. */
  readonly machineId?: number;
}

const USERNAME = /^[a-z_][a-z0-9_.-]{0,149}$/i;

/** Creates a user; the first user of a registry is always an administrator. */
export function createUser(store: Store, username: string, options: { admin?: boolean; password?: string } = {}): User {
  if (!USERNAME.test(username)) throw new RegistryError(400, `username ${JSON.stringify(username)} is not valid: use letters, digits, _ . -`, { field: 'username' });
  if (options.password !== undefined) checkPassword(options.password);
  return store.transaction(() => {
    if (store.get('SELECT id FROM users WHERE username = ?', username)) {
      throw new RegistryError(409, `user ${username} already exists`, { field: 'username' });
    }
    const first = !store.get('SELECT id FROM users LIMIT 1');
    const isAdmin = first || options.admin === true;
    const { lastInsertRowid } = store.run(
      'INSERT INTO users (username, is_admin, password_hash, created_at) VALUES (?, ?, ?, ?)',
      username,
      isAdmin ? 1 : 0,
      options.password ? hashPassword(options.password) : null,
      store.timestamp(),
    );
    return { id: lastInsertRowid, username, isAdmin };
  });
}

/** Sets or replaces a user's web password. */
export function setPassword(store: Store, username: string, password: string): void {
  checkPassword(password);
  store.transaction(() => {
    const { changes } = store.run('UPDATE users SET password_hash = ? WHERE username = ?', hashPassword(password), username);
    if (changes === 0) throw new RegistryError(404, `no user ${username}`);
    // A new password ends every web session opened with the old one.
    store.run('DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)', username);
  });
}

/** The shortest web password accepted. */
export const MIN_PASSWORD_LENGTH = 8;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new RegistryError(400, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
}

/** A user by name. */
export function findUser(store: Store, username: string): (User & { passwordHash: string | null }) | undefined {
  const row = store.get<{ id: number; username: string; is_admin: number; password_hash: string | null }>(
    'SELECT id, username, is_admin, password_hash FROM users WHERE username = ?',
    username,
  );
  return row && { id: row.id, username: row.username, isAdmin: row.is_admin === 1, passwordHash: row.password_hash };
}

/** Creates an API key for a user. */
export function createApiKey(store: Store, user: User, name = ''): Credential {
  const credentials = newCredentials();
  store.run(
    'INSERT INTO tokens (consumer_key, token_key, token_secret, user_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    credentials.consumerKey,
    credentials.tokenKey,
    credentials.tokenSecret,
    user.id,
    name,
    store.timestamp(),
  );
  return { ...credentials, user };
}

/** Formats credentials as MAAS's API key, `consumer:token:secret`. */
export function formatApiKey(credential: Pick<Credential, 'consumerKey' | 'tokenKey' | 'tokenSecret'>): string {
  return `${credential.consumerKey}:${credential.tokenKey}:${credential.tokenSecret}`;
}

/** The credential behind a token key, with its user or machine. */
export function findCredential(store: Store, tokenKey: string): Credential | undefined {
  const row = store.get<{
    consumer_key: string;
    token_key: string;
    token_secret: string;
    user_id: number | null;
    machine_id: number | null;
    username: string | null;
    is_admin: number | null;
  }>(
    `SELECT t.consumer_key, t.token_key, t.token_secret, t.user_id, t.machine_id, u.username, u.is_admin
       FROM tokens t LEFT JOIN users u ON u.id = t.user_id WHERE t.token_key = ?`,
    tokenKey,
  );
  if (!row) return undefined;
  return {
    consumerKey: row.consumer_key,
    tokenKey: row.token_key,
    tokenSecret: row.token_secret,
    ...(row.user_id !== null && row.username !== null ? { user: { id: row.user_id, username: row.username, isAdmin: row.is_admin === 1 } } : {}),
    ...(row.machine_id !== null ? { machineId: row.machine_id } : {}),
  };
}

/** Issues a new token for a machine, replacing any earlier one (which stops working at once). */
export function issueMachineToken(store: Store, machineId: number): Credential {
  const credentials = newCredentials();
  store.transaction(() => {
    store.run('DELETE FROM tokens WHERE machine_id = ?', machineId);
    store.run(
      'INSERT INTO tokens (consumer_key, token_key, token_secret, machine_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      credentials.consumerKey,
      credentials.tokenKey,
      credentials.tokenSecret,
      machineId,
      'machine',
      store.timestamp(),
    );
  });
  return { ...credentials, machineId };
}

/** The machine's token, if it has one. */
export function machineToken(store: Store, machineId: number): Credential | undefined {
  const row = store.get<{ token_key: string }>('SELECT token_key FROM tokens WHERE machine_id = ?', machineId);
  return row ? findCredential(store, row.token_key) : undefined;
}

/** Removes a machine's token. */
export function revokeMachineToken(store: Store, machineId: number): void {
  store.run('DELETE FROM tokens WHERE machine_id = ?', machineId);
}

/**
 * Records a nonce; false when this token already used it (a replay). Nonces older than the
 * timestamp window are forgotten, since requests that old are refused anyway.
 */
export function useNonce(store: Store, tokenKey: string, nonce: string, timestamp: number, windowSeconds: number): boolean {
  const nowSeconds = Math.floor(store.now().getTime() / 1000);
  store.run('DELETE FROM nonces WHERE timestamp < ?', nowSeconds - windowSeconds);
  const { changes } = store.run('INSERT OR IGNORE INTO nonces (token_key, nonce, timestamp) VALUES (?, ?, ?)', tokenKey, nonce, timestamp);
  return changes === 1;
}

/** A user as `users list` shows it. */
export interface UserSummary extends User {
  readonly hasPassword: boolean;
  readonly apiKeys: number;
  /** Machines the user owns (MAAS's owner). */
  readonly machines: number;
  readonly createdAt: string;
}

/** Every user, by name. */
export function listUsers(store: Store): UserSummary[] {
  return store
    .all<{ id: number; username: string; is_admin: number; has_password: number; keys: number; machines: number; created_at: string }>(
      `SELECT u.id, u.username, u.is_admin, u.password_hash IS NOT NULL AS has_password, u.created_at,
              (SELECT COUNT(*) FROM tokens t WHERE t.user_id = u.id) AS keys,
              (SELECT COUNT(*) FROM machines m WHERE m.owner = u.username) AS machines
         FROM users u ORDER BY u.username`,
    )
    .map((row) => ({ id: row.id, username: row.username, isAdmin: row.is_admin === 1, hasPassword: row.has_password === 1, apiKeys: row.keys, machines: row.machines, createdAt: row.created_at }));
}

/**
 * Removes a user with its API keys and web sessions. Refused (409) while the user owns machines,
 * as MAAS refuses, and for the last administrator, without whom nobody could act on machines.
 */
export function removeUser(store: Store, username: string): void {
  store.transaction(() => {
    const user = findUser(store, username);
    if (!user) throw new RegistryError(404, `no user ${username}`);
    const owned = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM machines WHERE owner = ?', username)!.n;
    if (owned > 0) throw new RegistryError(409, `user ${username} owns ${owned} machine${owned === 1 ? '' : 's'}; release them first`);
    const admins = store.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE is_admin = 1')!.n;
    if (user.isAdmin && admins === 1) throw new RegistryError(409, `user ${username} is the last administrator`);
    store.run('DELETE FROM users WHERE id = ?', user.id);
  });
}

/** An API key as listings show it: its public token key, never its secret. */
export interface ApiKeySummary {
  readonly tokenKey: string;
  readonly username: string;
  readonly name: string;
  readonly createdAt: string;
}

/** API keys, oldest first: a user's, or every user's. */
export function listApiKeys(store: Store, username?: string): ApiKeySummary[] {
  return store
    .all<{ token_key: string; username: string; name: string; created_at: string }>(
      `SELECT t.token_key, u.username, t.name, t.created_at FROM tokens t JOIN users u ON u.id = t.user_id
        WHERE ? IS NULL OR u.username = ? ORDER BY t.id`,
      username ?? null,
      username ?? null,
    )
    .map((row) => ({ tokenKey: row.token_key, username: row.username, name: row.name, createdAt: row.created_at }));
}

/** A user's API keys in full (`consumer:token:secret`), oldest first, for the user's own use. */
export function apiKeysOf(store: Store, user: User): Credential[] {
  return store
    .all<{ consumer_key: string; token_key: string; token_secret: string }>('SELECT consumer_key, token_key, token_secret FROM tokens WHERE user_id = ? ORDER BY id', user.id)
    .map((row) => ({ consumerKey: row.consumer_key, tokenKey: row.token_key, tokenSecret: row.token_secret, user }));
}

/** Revokes an API key, given whole or by its token key; it stops working at once. */
export function revokeApiKey(store: Store, key: string): ApiKeySummary {
  const parts = key.trim().split(':');
  const tokenKey = parts.length === 3 ? parts[1]! : key.trim();
  return store.transaction(() => {
    const found = store.get<{ token_key: string; username: string; name: string; created_at: string }>(
      'SELECT t.token_key, u.username, t.name, t.created_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_key = ?',
      tokenKey,
    );
    // A whole key must match whole: a guessed token key with the wrong secret revokes nothing.
    const full = parts.length === 3 ? store.get('SELECT id FROM tokens WHERE consumer_key = ? AND token_key = ? AND token_secret = ? AND user_id IS NOT NULL', parts[0]!, parts[1]!, parts[2]!) : true;
    if (!found || !full) throw new RegistryError(404, 'no such API key');
    store.run('DELETE FROM tokens WHERE token_key = ? AND user_id IS NOT NULL', tokenKey);
    return { tokenKey: found.token_key, username: found.username, name: found.name, createdAt: found.created_at };
  });
}
