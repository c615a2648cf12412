// Secrets never leave in a message, and nothing else is cut out in their name. The collector's own
// messages are built without secrets (a password, a token, a key is never put into one); what can
// still carry one is text another party sends back — a BMC's or MAAS's error message quoting the
// request, a malformed header or body quoted in a framing error, a link with user-info — and that
// text alone goes through `redactEcho`. A long secret is cut out wherever it occurs; a short one
// (the password `redfish`, `v1`) only where it stands as a word of its own outside a path or URL,
// so `/redfish/v1/Systems/Self` stays whole whatever the password.

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets this long or longer are cut out of echoed text wherever they occur. */
export const LONG_SECRET = 8;

/** The forms a secret can be echoed in: as sent, percent-encoded, JSON-escaped. */
function formsOf(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

// Characters of a URL or path token (RFC 3986's unreserved, sub-delims, ':', '@', '%', '/', brackets).
const URL_CHAR = /[A-Za-z0-9._~!$&'()*+,;=:@%/[\]-]/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
const PATH_OR_URL = /^(?:\/|[a-z][a-z0-9+.-]*:\/\/)/i;

/**
 * `text` that another party sent back, with every secret in it replaced by `[redacted]`: a secret
 * of LONG_SECRET characters or more wherever it occurs (and its percent-encoded and JSON-escaped
 * forms), a shorter one only where it is a word of its own (no letter or digit touching it) that
 * is not part of a path or URL.
 */
export function redactEcho(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const ordered = [...new Set(secrets.filter((secret): secret is string => !!secret))].sort((a, b) => b.length - a.length);
  for (const secret of ordered) {
    for (const form of formsOf(secret)) {
      if (!out.includes(form)) continue;
      out = form.length >= LONG_SECRET ? out.split(form).join(REDACTED) : redactWords(out, form);
    }
  }
  return out;
}

// Occurrences of a short secret that stand alone, outside any path or URL token.
function redactWords(text: string, secret: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + secret.length)) {
    const before = text[at - 1] ?? '';
    const after = text[at + secret.length] ?? '';
    if (ALPHANUMERIC.test(before) || ALPHANUMERIC.test(after) || inPathOrUrl(text, at, at + secret.length)) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + secret.length;
  }
  return out + text.slice(from);
}

function inPathOrUrl(text: string, start: number, end: number): boolean {
  let first = start;
  while (first > 0 && URL_CHAR.test(text[first - 1]!)) first--;
  let last = end;
  while (last < text.length && URL_CHAR.test(text[last]!)) last++;
  return PATH_OR_URL.test(text.slice(first, last));
}

/** A deep copy of echoed data (a BMC's strings) with every string passed through `redactEcho`. */
export function redactEchoDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (typeof value === 'string') return redactEcho(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactEchoDeep(item, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = redactEchoDeep(field, secrets);
    return out as T;
  }
  return value;
}

/** A URL (or text holding URLs) with the user-info of each (`user:password@`) replaced. */
export function withoutUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]*@/gi, `$1${REDACTED}@`);
}

/** The secrets a client's credentials can be echoed as: the password, and the basic-auth token. */
export function credentialSecrets(username: string, password: string): string[] {
  return [password, Buffer.from(`${username}:${password}`).toString('base64')];
}
