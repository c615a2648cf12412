// What the client reads from the BMC's service root about itself: its links, and whether
// `$expand` is offered.
import type { ClientOptions } from './options.ts';

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

