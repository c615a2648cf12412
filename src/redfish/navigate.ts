import { isPlainPath } from './links.ts';

// Links stay plain strings until something fetches them (gofish's lesson). These readers pull
// links out of untrusted JSON without trusting its shape: a missing, null or mistyped property is
// simply "no link", and only own properties are read, so `__proto__` keys stay inert data.

/** A JSON object read from a BMC. */
export type Resource = Readonly<Record<string, unknown>>;

/** True for a plain JSON object. */
export function isResource(value: unknown): value is Resource {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property at `pointer` (a list of keys), or undefined. */
export function at(value: unknown, pointer: readonly string[]): unknown {
  let current = value;
  for (const key of pointer) {
    if (!isResource(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** The link at `pointer`: a `{"@odata.id": …}` object or a bare string. */
export function linkAt(value: unknown, pointer: readonly string[]): string | undefined {
  return linkOf(at(value, pointer));
}

/** Every link at `pointer`: an array of link objects, a single link, or nothing. */
export function linksAt(value: unknown, pointer: readonly string[]): string[] {
  const found = at(value, pointer);
  if (Array.isArray(found)) return found.map(linkOf).filter((link): link is string => link !== undefined);
  const single = linkOf(found);
  return single === undefined ? [] : [single];
}

/** The member links of a collection; `Members: null` (AMI) counts as none. */
export function membersOf(collection: unknown): string[] {
  return linksAt(collection, ['Members']);
}

/** The `@odata.id` of a resource, without trailing slash or fragment. */
export function idOf(resource: unknown): string | undefined {
  const id = linkAt(resource, ['@odata.id']);
  return id === undefined ? undefined : normalisePath(id);
}

/**
 * The key a link's resource is stored under in a crawl: its path on `origin`, dot segments
 * resolved, without query, fragment or trailing slash; undefined for another origin or a link that
 * is not a URL. The crawl and the inventory readers both use it, so a refused read is found.
 */
export function linkKey(origin: string | undefined, link: string): string | undefined {
  if (isPlainPath(link)) return normalisePath(link);
  const base = origin ?? 'http://bmc.invalid';
  try {
    const url = new URL(link, `${base}/`);
    return url.origin === new URL(base).origin ? normalisePath(url.pathname) : undefined;
  } catch {
    return undefined;
  }
}

/** A link in the form used as a key of a crawl's resources: no fragment, no trailing slash. */
export function normalisePath(link: string): string {
  // Called for every link of every body: no array, and no new string when there is nothing to cut.
  const hash = link.indexOf('#');
  const end = hash === -1 ? link.length : hash;
  const cut = end > 1 && link.charCodeAt(end - 1) === 0x2f ? end - 1 : end;
  return cut === link.length ? link : link.slice(0, cut);
}

function linkOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  const id = isResource(value) && Object.hasOwn(value, '@odata.id') ? value['@odata.id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
