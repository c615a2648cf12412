// Bodies come from BMCs, which are hostile input as far as the collector is concerned: a body that
// is not JSON, is cut short or nests without end is an error for that resource, never a crash.

/** Thrown when a body is not acceptable JSON; the client turns it into a `bad-response`. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses a JSON body, refusing nesting deeper than `maxDepth` before parsing so that later
 * recursive readers never meet a structure that would exhaust the stack. `__proto__` and
 * `constructor` keys become ordinary own properties (JSON.parse never invokes setters).
 */
export function parseJsonBody(body: Uint8Array, maxDepth: number): unknown {
  const text = decodeBody(body);
  // A body with no more opening brackets than the cap cannot nest deeper than it; most Redfish
  // bodies are such, and counting is a quarter of the cost of the exact scan.
  if (!fewerOpenings(text, maxDepth) && nestingDepth(body, maxDepth) > maxDepth) throw new BodyError(`JSON nests deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (text.trim() === '') throw new BodyError('empty body where JSON was expected');
    const looksHtml = /^\s*</.test(text);
    throw new BodyError(
      looksHtml ? 'HTML where JSON was expected' : `invalid JSON (${(error as Error).message})`,
    );
  }
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

/** Greatest bracket depth outside strings, stopping early once `limit` is exceeded. */
export function nestingDepth(body: Uint8Array, limit: number): number {
  // Strings are skipped with a native search for the closing quote: Redfish bodies are mostly
  // strings, and this scan runs on every answer.
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let depth = 0;
  let max = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      let end = bytes.indexOf(QUOTE, i + 1);
      while (end !== -1 && isEscaped(bytes, end)) end = bytes.indexOf(QUOTE, end + 1);
      if (end === -1) return max; // unterminated: JSON.parse refuses it
      i = end;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return max;
}

// A quote is escaped when an odd number of backslashes precede it.
function isEscaped(bytes: Buffer, quote: number): boolean {
  let count = 0;
  for (let i = quote - 1; i >= 0 && bytes[i] === BACKSLASH; i--) count++;
  return count % 2 === 1;
}
