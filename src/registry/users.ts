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
  if (password.length < 8) throw new RegistryError(400, 'a password needs at least 8 characters', { field: 'password' });
  store.transaction(() => {
    const { changes } = store.run('UPDATE users SET password_hash = ? WHERE username = ?', hashPassword(password), username);
    if (changes === 0) throw new RegistryError(404, `no user ${username}`);
    // A new password ends every web session opened with the old one.
    store.run('DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)', username);
  });
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
