// Bodies come from BMCs, which are hostile input as far as the collector is concerned: a body that
// is not JSON, is cut short or nests without end is an error for that resource, never a crash.

/** Thrown when a body is not acceptable JSON; the client turns it into a `bad-response`. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses a JSON body, refusing nesting deeper than `maxDepth` so that later recursive readers
 * never meet a structure that would exhaust the stack. V8's JSON.parse does not recurse, so the
 * depth is checked on the parsed value: scanning the bytes before parsing cost as much as the
 * parse itself on an expanded collection. `__proto__` and `constructor` keys become ordinary own
 * properties (JSON.parse never invokes setters).
 */
export function parseJsonBody(body: Uint8Array, maxDepth: number): unknown {
  const text = decodeBody(body);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    if (text.trim() === '') throw new BodyError('empty body where JSON was expected');
    const looksHtml = /^\s*</.test(text);
    throw new BodyError(
      looksHtml ? 'HTML where JSON was expected' : `invalid JSON (${(error as Error).message})`,
    );
  }
  // A body with no more opening brackets than the cap cannot nest deeper than it; most Redfish
  // bodies are such, and counting them is cheaper than the walk.
  if (!fewerOpenings(text, maxDepth) && deeperThan(value, maxDepth)) throw new BodyError(`JSON nests deeper than ${maxDepth} levels`);
  return value;
}

/**
 * An upper bound on the JSON values a body holds, counted on its bytes without parsing: one per
 * comma and opening bracket, plus one (brackets and commas inside strings are counted too).
 */
export function jsonValues(body: Uint8Array): number {
  let count = 1;
  for (let at = 0; at < body.length; at++) {
    const byte = body[at]!;
    if (byte === 0x2c || byte === 0x7b || byte === 0x5b) count++;
  }
  return count;
}

/** A body's text, decoded as `parseJsonBody` decodes it (UTF-8, a leading BOM dropped). */
export function decodeBody(body: Uint8Array): string {
  return decoder.decode(body);
}

// Whether `text` holds at most `limit` opening brackets, counting those inside strings too.
function fewerOpenings(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > limit) return false;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > limit) return false;
  return true;
}

/** Whether a parsed value nests objects and arrays deeper than `limit` (a top-level container is 1). */
export function deeperThan(value: unknown, limit: number): boolean {
  // Iterative, and it stops at the first container past the limit: the value may be hostile.
  if (value === null || typeof value !== 'object') return false;
  const containers: object[] = [value];
  const depths: number[] = [1];
  while (containers.length > 0) {
    const container = containers.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(container)) {
      for (const item of container as unknown[]) {
        if (item !== null && typeof item === 'object') {
          containers.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in container) {
      if (!Object.hasOwn(container, key)) continue;
      const item = (container as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') {
        containers.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
