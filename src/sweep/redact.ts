// Secrets never leave in a message: every text that reaches a log, a report or an error shown to
// a user passes through here first.

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** `text` with every occurrence of every secret replaced. Very short secrets are replaced too. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join(REDACTED);
    // Secrets can also appear percent-encoded or base64-encoded (basic auth) in echoed requests.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  return out;
}

/** A deep copy of a value with every string scrubbed of the secrets. */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = redactDeep(field, secrets);
    return out as T;
  }
  return value;
}
