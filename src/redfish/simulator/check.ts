// Option checks shared by the simulator's modules, with p-queue-style TypeErrors.

/** A TypeError in p-queue's style: the option, what it expects, and the value and type it got. */
export function invalid(option: string, expected: string, value: unknown): TypeError {
  const shown = typeof value === 'string' ? `\`${value}\`` : value instanceof RegExp ? String(value) : safeJson(value);
  return new TypeError(`Expected \`${option}\` to be ${expected}, got ${shown} (${value === null ? 'null' : typeof value})`);
}

/** True for an integer in [min, max]. */
export function isInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of an object whose value is not undefined, so they can be spread over defaults. */
export function defined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function safeJson(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return `\`${String(value)}\``;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return `\`${text.length > 80 ? `${text.slice(0, 77)}...` : text}\``;
  } catch {
    return `\`${String(value)}\``;
  }
}
