// A MAAS API key is three OAuth values joined by colons; the consumer secret is always empty.
// Parsing never echoes the key: a typo in it must not put the token secret into a log.

/** The three OAuth 1.0a values of a MAAS API key or per-machine token. */
export interface ApiKey {
  /** OAuth consumer key (MAAS shows it first). */
  readonly consumerKey: string;
  /** OAuth token key. */
  readonly tokenKey: string;
  /** OAuth token secret: the only secret part. Never logged. */
  readonly tokenSecret: string;
}

// MAAS generates keys from letters and digits (piston3 `generate_random_key`); other tools may use
// `-`, `_` or `.`. Anything else (spaces, quotes, newlines) is a copy-paste accident.
const PART = /^[A-Za-z0-9._~-]+$/;
const PART_NAMES = ['consumer key', 'token key', 'token secret'] as const;

/**
 * Parses `consumer_key:token_key:token_secret` (surrounding whitespace ignored). A bad key throws a
 * TypeError that says which part is wrong without quoting any of it.
 */
export function parseApiKey(text: unknown, option = 'apiKey'): ApiKey {
  if (typeof text !== 'string') {
    throw new TypeError(`Expected \`${option}\` to be a string like consumer_key:token_key:token_secret, got ${typeof text}`);
  }
  const parts = text.trim().split(':');
  if (parts.length !== 3) {
    throw new TypeError(
      `Expected \`${option}\` to have 3 colon-separated parts (consumer_key:token_key:token_secret), got ${parts.length}`,
    );
  }
  parts.forEach((part, index) => checkPart(part, PART_NAMES[index] ?? 'part', option));
  const [consumerKey, tokenKey, tokenSecret] = parts as [string, string, string];
  return { consumerKey, tokenKey, tokenSecret };
}

/** Checks an ApiKey-shaped object (e.g. a per-machine token) and returns a clean copy. */
export function checkApiKey(key: ApiKey, option = 'apiKey'): ApiKey {
  checkPart(key.consumerKey, 'consumer key', option);
  checkPart(key.tokenKey, 'token key', option);
  checkPart(key.tokenSecret, 'token secret', option);
  return { consumerKey: key.consumerKey, tokenKey: key.tokenKey, tokenSecret: key.tokenSecret };
}

/** A loggable name for a key: its consumer key and token key, never the secret. */
export function describeApiKey(key: ApiKey): string {
  return `${key.consumerKey}:${key.tokenKey}:…`;
}

function checkPart(part: unknown, name: string, option: string): void {
  if (typeof part !== 'string' || part.length === 0) {
    throw new TypeError(`Expected the ${name} of \`${option}\` to be non-empty`);
  }
  if (!PART.test(part)) {
    throw new TypeError(
      `Expected the ${name} of \`${option}\` to contain only letters, digits, '.', '_', '~' or '-' (${part.length} characters given, not shown)`,
    );
  }
}
