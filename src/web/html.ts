// HTML built with a tagged template that escapes every interpolation unless it is already HTML.
// Host names, vendor strings and error messages come from BMCs and are hostile input: the only
// way to put text into a page is through `html`, so forgetting to escape is not possible.

import { visibleLines } from '../inventory/visible.ts';

const BRAND = Symbol('SafeHtml');

/** HTML that is safe to emit as is: built by `html`, or trusted markup from `trusted`. */
export interface SafeHtml {
  readonly [BRAND]: true;
  readonly text: string;
}

/** What may be interpolated: text (escaped), numbers, HTML, lists of these; nullish and false print nothing. */
export type Interpolation = SafeHtml | string | number | bigint | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Escapes text for use in element content and in quoted attribute values; control characters (a
 * BMC's terminal codes, a right-to-left override in a serial) are shown as escapes, as on a terminal.
 */
export function escapeHtml(text: string): string {
  return visibleLines(text).replace(/[&<>"'`]/g, (char) => ENTITIES[char]!);
}

function safe(text: string): SafeHtml {
  return { [BRAND]: true, text };
}

/** Whether a value is HTML made by `html` or `trusted`. */
export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: true })[BRAND] === true;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (isSafeHtml(value)) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The template tag: literal parts are kept, every interpolation is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return safe(out);
}

/** Marks a constant string of markup as safe; never pass it anything that came from outside. */
export function trusted(markup: string): SafeHtml {
  return safe(markup);
}

/** Hex pairs joined by colons, six or more: certificate fingerprints and MACs. */
const BYTES = /\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,}\b/g;

/**
 * Text (escaped) in which every run of hex pairs joined by colons — a fingerprint, a MAC — may
 * break across lines only after a colon: a `<wbr>` follows each, so a browser squeezing the text
 * into a column breaks there rather than inside a byte.
 */
export function breakingBetweenBytes(text: string): SafeHtml {
  const parts: Interpolation[] = [];
  let end = 0;
  for (const run of text.matchAll(BYTES)) {
    parts.push(text.slice(end, run.index), run[0].split(':').map((byte, index) => (index === 0 ? byte : html`:<wbr>${byte}`)));
    end = run.index + run[0].length;
  }
  parts.push(text.slice(end));
  return html`${parts}`;
}
