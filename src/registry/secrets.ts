// Identifiers and secrets: MAAS-style system ids and OAuth keys, password hashes, and constant-time
// comparison. Nothing here is stored in clear except what OAuth PLAINTEXT requires.
import { randomInt, scryptSync, timingSafeEqual, randomBytes, createHash } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// MAAS system ids: six characters that cannot be misread (no 0/o, 1/l/i).
const SYSTEM_ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A random string over an alphabet, from the CSPRNG. */
export function randomString(length: number, alphabet = ALPHANUMERIC): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new system id in MAAS's style, e.g. "x7mkda". */
export function newSystemId(): string {
  return randomString(6, SYSTEM_ID_ALPHABET);
}

/** A new OAuth credential triple, with MAAS's lengths (18, 18, 32). */
export function newCredentials(): { consumerKey: string; tokenKey: string; tokenSecret: string } {
  return { consumerKey: randomString(18), tokenKey: randomString(18), tokenSecret: randomString(32) };
}

/** Compares two secrets in constant time (for equal lengths; unequal lengths compare unequal). */
export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32 } as const;

/** Hashes a password for storage (scrypt, random salt). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Checks a password against a stored hash, in constant time. */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}
