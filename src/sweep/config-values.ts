// The readers of a configuration file's values: each checks one value, and on a wrong one records
// a problem naming where it is and returns the fallback, so a file's problems are all reported at once.
import { parse } from 'yaml';

/** Parses a duration: a number of seconds, or text like 500ms, 30s, 5m, 1h, 1d. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * unit);
}

export function duration(value: unknown, where: string, fallback: number, problems: string[], min: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined || ms < min) {
    problems.push(`${where}: expected a duration of at least ${min} ms (e.g. 30s, 5m, 1h), got ${JSON.stringify(value)}`);
    return fallback;
  }
  return ms;
}

export function integer(value: unknown, where: string, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${where}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

export function number(value: unknown, where: string, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push(`${where}: expected a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

export function section(value: unknown, where: string, problems: string[], keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push(`${where}: expected a mapping`);
    return {};
  }
  // A misspelt setting would otherwise be ignored silently.
  for (const key of Object.keys(value)) if (!keys.includes(key)) problems.push(`${where}.${key}: unknown setting (expected ${keys.join(', ')})`);
  return value;
}

export function list(value: unknown, where: string, problems: string[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where}: expected a list`);
    return [];
  }
  return value;
}

export function yaml(text: string, where: string, problems: string[]): unknown {
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    problems.push(`${where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
