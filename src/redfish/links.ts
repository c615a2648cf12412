// Every link a BMC hands us is untrusted: only paths under /redfish/v1 on the BMC's own origin are
// ever requested, so credentials never leave the BMC and a hostile body cannot steer the collector
// to another host or to /etc/passwd-like paths.

/** A link that was not followed, and why. */
export interface RefusedLink {
  readonly link: string;
  /** The resource that carried the link. */
  readonly from: string;
  readonly reason: string;
}

/** The result of checking one link. */
export type LinkCheck = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** Parses a BMC address (host, host:port or URL) into its origin; HTTPS unless a URL says otherwise. */
export function originOf(address: string): string {
  const text = address.trim();
  if (text === '') throw new TypeError('Expected a BMC address, got an empty string');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`Expected a BMC address (host, host:port or URL), got \`${address}\``);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`Expected an http or https BMC address, got \`${address}\``);
  }
  if (url.username || url.password) {
    throw new TypeError('A BMC address must not carry credentials; give them as credentials instead');
  }
  return url.origin;
}

/**
 * A BMC address as `host[:port]`, the form MAAS's Redfish driver takes as `power_address` (it adds
 * `https://` itself, and MAAS answers 500 to a machine created with a URL there): lowercase, no
 * path, no port when it is HTTPS's 443; an `http://` address keeps its port, 80 included. Two
 * spellings of one BMC (`https://BMC:443/`, `bmc`) give the same text; an address that is none of
 * host, host:port or URL is returned trimmed and lowercased.
 */
export function bmcHostPort(address: string): string {
  let url: URL;
  try {
    url = new URL(originOf(address));
  } catch {
    return address.trim().toLowerCase();
  }
  const port = url.port || (url.protocol === 'http:' ? '80' : '');
  return port ? `${url.hostname}:${port}` : url.hostname;
}

/**
 * Checks a link against the BMC's origin and returns the path (with its query, if any) to request,
 * spelled as the BMC spelled it. Fragments are dropped: they point inside a resource already read.
 */
export function checkLink(origin: string, link: unknown): LinkCheck {
  if (typeof link !== 'string' || link === '') return { ok: false, reason: 'not a link' };
  // Nearly every link a BMC sends is a plain path like this: no URL parse needed (it is the
  // collector's most frequent call).
  if (isPlainPath(link)) return { ok: true, path: link };
  let url: URL;
  try {
    url = new URL(link, `${origin}/`);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.origin !== origin) return { ok: false, reason: `another origin (${url.origin})` };
  if (url.username || url.password) return { ok: false, reason: 'carries credentials' };
  // URL parsing already resolved dot segments; a raw `..` (or its encoding) is still refused so
  // that a BMC cannot make the collector ask for something it did not literally link.
  const rawPath = link.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/, 1)[0] ?? '';
  if (DOT_SEGMENT.test(rawPath)) return { ok: false, reason: 'dot segments in path' };
  const path = url.pathname.replace(/\/{2,}/g, '/');
  if (path !== '/redfish/v1' && path !== '/redfish/v1/' && !path.startsWith('/redfish/v1/')) {
    return { ok: false, reason: 'outside /redfish/v1' };
  }
  return { ok: true, path: `${path}${url.search}` };
}

// Characters that URL parsing would leave as they are, below /redfish/v1, with no `//`.
// One segment per slash, so the pattern cannot backtrack badly on hostile input.
const PLAIN_PATH = /^\/redfish\/v1(?:\/[A-Za-z0-9_.:@$!*'()+,;=~-]+)*\/?$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

/** True for a link that is already a clean path below /redfish/v1 (no host, query, dots or escapes). */
export function isPlainPath(link: string): boolean {
  return PLAIN_PATH.test(link) && !DOT_SEGMENT.test(link);
}

/** A path without its trailing slash (the service root stays `/redfish/v1`). */
export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A path with a query added (`?` or `&`); the path itself when there is none. */
export function withQuery(path: string, query: string | undefined): string {
  return query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;
}
