// OAuth 1.0a PLAINTEXT verification, as MAAS checks it: a known token, its consumer, the signature
// `&<token_secret>` compared in constant time, a timestamp within the window and a nonce never seen.
import { sameSecret } from './secrets.ts';
import type { Store } from './store.ts';
import { findCredential, useNonce, type Credential } from './users.ts';

/** How far a request's timestamp may be from the registry's clock. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/** Why a request was not authenticated. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** The oauth_* parameters of an `Authorization: OAuth …` header, percent-decoded. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^OAuth\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([a-z_]+)\s*=\s*"([^"]*)"/gi)) {
    try {
      params.set(match[1]!, decodeURIComponent(match[2]!));
    } catch {
      throw new AuthError('malformed OAuth header');
    }
  }
  return params;
}

/** Verifies a request's OAuth header; resolves to its credential, or throws AuthError. */
export function verifyOAuth(store: Store, header: string | undefined): Credential | undefined {
  const params = parseOAuthHeader(header);
  if (!params) return undefined;
  if (params.get('oauth_signature_method') !== 'PLAINTEXT') throw new AuthError('only the PLAINTEXT signature method is supported');
  const tokenKey = params.get('oauth_token') ?? '';
  const credential = findCredential(store, tokenKey);
  if (!credential || !sameSecret(params.get('oauth_consumer_key') ?? '', credential.consumerKey)) throw new AuthError('Invalid API key.');
  // The consumer secret is always empty, so the signature is "&" + token secret.
  if (!sameSecret(params.get('oauth_signature') ?? '', `&${credential.tokenSecret}`)) throw new AuthError('bad signature');
  const timestamp = Number(params.get('oauth_timestamp'));
  const now = Math.floor(store.now().getTime() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS) {
    throw new AuthError('timestamp outside the accepted window; check the client clock');
  }
  const nonce = params.get('oauth_nonce') ?? '';
  if (nonce === '' || nonce.length > 256) throw new AuthError('missing nonce');
  if (!useNonce(store, credential.tokenKey, nonce, timestamp, TIMESTAMP_WINDOW_SECONDS)) throw new AuthError('nonce already used');
  return credential;
}
