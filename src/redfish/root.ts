// What the client reads from the BMC's own answers about itself: links in the service root,
// whether `$expand` is offered, and where the session a login made can be deleted.
import type { ClientOptions } from './options.ts';
import { checkLink, trimSlash } from './links.ts';

/** A session to delete at close, with the headers that authenticate the deletion. */
export interface Session {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Where the session a login made can be deleted: its Location, else the body's @odata.id, on the
 * BMC's own origin. When both point elsewhere (another host, user-info in the URL), the same path
 * on the BMC itself, if it names a member of the session collection, so the token never leaves the
 * BMC; `onForeign` hears of it (the location without user-info). Undefined when nothing is usable.
 */
export function sessionPathOf(origin: string, sessionsPath: string, location: string | undefined, bodyId: unknown, onForeign?: (location: string) => void): string | undefined {
  const base = `${origin}${trimSlash(sessionsPath)}/`;
  const urls = [location, bodyId].flatMap((link) => {
    if (typeof link !== 'string' || link === '') return [];
    try {
      return [new URL(link, base)];
    } catch {
      return [];
    }
  });
  for (const url of urls) {
    const checked = checkLink(origin, url.href);
    if (checked.ok) return checked.path;
  }
  for (const url of urls) {
    const checked = checkLink(origin, url.pathname);
    if (checked.ok && checked.path.startsWith(base.slice(origin.length))) {
      onForeign?.(`${url.protocol}//${url.host}${url.pathname}`);
      return checked.path;
    }
  }
  return undefined;
}

/** The value at `path` of a body; a link object gives its @odata.id. */
export function linkOf(body: unknown, path: readonly string[]): unknown {
  let current = body;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'object' && current !== null && Object.hasOwn(current, '@odata.id')) {
    return (current as Record<string, unknown>)['@odata.id'];
  }
  return current;
}

// `$expand=.` expands only links outside `Links` (the members), one level: exactly the reads it
// replaces. `*` would also drag in every `Links` target, so it is the second choice.
export function chooseExpand(root: unknown, mode: ClientOptions['expand']): string | undefined {
  if (mode === 'off') return undefined;
  const expand = linkOf(root, ['ProtocolFeaturesSupported', 'ExpandQuery']);
  const features = typeof expand === 'object' && expand !== null ? (expand as Record<string, unknown>) : {};
  const levels = features.Levels === true ? '($levels=1)' : '';
  if (features.NoLinks === true) return `$expand=.${levels}`;
  if (features.ExpandAll === true) return `$expand=*${levels}`;
  return mode === 'on' ? '$expand=.($levels=1)' : undefined;
}

