// Plain-text tables and units for terminal output. Tables are the project's own few lines rather
// than cli-table3 or table: both wrap a long cell by splitting words wider than the column, which
// is what must never happen to a certificate fingerprint in a message.
//
// Text from a BMC (a model string, its own error message) can hold terminal control sequences:
// clear-screen, set-title, cursor moves. Every human-readable output shows them as escapes
// (`visible`): tables do it to every cell, and the JSON and YAML outputs escape what their
// libraries leave raw.
import { Document, visit } from 'yaml';
import { escapeControl, HAS_CONTROL, visible, visibleLines } from '../inventory/visible.ts';
import { visibleLength } from './style.ts';

// What JSON.stringify (and so the yaml library's quoted strings) leaves raw.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

export { visible, visibleLines };

/** JSON text of a value, with the controls JSON.stringify leaves raw escaped as \uXXXX (the same value). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** YAML text of a value; a string holding a control character is double-quoted with escapes. */
export function yamlText(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Scalar: (_key, node) => {
      if (typeof node.value === 'string' && HAS_CONTROL.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // Only double-quoted scalars can hold these now, where `\xNN` and `\uNNNN` are escapes.
  return document.toString().replace(RAW_IN_JSON, escapeControl);
}

/** How a table is laid out. */
export interface TableOptions {
  /**
   * The terminal's width. The last column's text then wraps at spaces to fit, or goes on lines of
   * its own under the row when the other columns leave it too little room or a word would not
   * fit beside them; a word is never broken. Without a width (a pipe, a file) every row is one line.
   */
  readonly width?: number;
  /** Colours a cell after its text was made visible (the colour codes are the table's own). */
  readonly colour?: (text: string, column: number, row: readonly unknown[]) => string;
}

// Narrower than this, the last column goes under its row instead of beside it.
const MIN_WRAPPED = 32;

/** Renders rows as an aligned table with a header line; every cell's control characters are shown as escapes. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], options: TableOptions = {}): string {
  const text = (cell: unknown) => (cell === undefined || cell === null ? '' : visible(String(cell)));
  const colour = options.colour;
  const cells = [headers, ...rows.map((row) => row.map((cell, column) => (colour ? colour(text(cell), column, row) : text(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => visibleLength(row[column] ?? ''))));
  const pad = (cell: string, column: number) => cell + ' '.repeat(Math.max(0, widths[column]! - visibleLength(cell)));
  const last = headers.length - 1;
  const indent = widths.slice(0, last).reduce((sum, width) => sum + width + 2, 0);
  const room = options.width === undefined ? Infinity : options.width - indent;
  const line = (row: readonly string[], lastCell: string) => [...row.slice(0, last).map(pad), lastCell].join('  ').trimEnd();
  if (widths[last]! <= room) return cells.map((row) => line(row, row[last] ?? '')).join('\n');
  // The last column wraps beside its row; a row whose text has a word wider than that room (a
  // fingerprint), or every row when the room is too narrow, has the text on lines under the row.
  const beside = room >= MIN_WRAPPED;
  const under = Math.max(MIN_WRAPPED, (options.width ?? 0) - 4);
  return cells
    .map((row, index) => {
      const text = row[last] ?? '';
      if (index === 0) return line(row, beside ? text : '');
      if (beside && text.split(' ').every((word) => visibleLength(word) <= room)) {
        const [first = '', ...more] = wrap(text, room);
        return [line(row, first), ...more.map((part) => `${' '.repeat(indent)}${part}`)].join('\n');
      }
      return [line(row, ''), ...(text ? wrap(text, under).map((part) => `    ${part}`) : [])].join('\n');
    })
    .join('\n');
}

/** Splits text at spaces into lines of at most `width`; a longer word keeps a line to itself, whole. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && visibleLength(current) + 1 + visibleLength(word) > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

/** Milliseconds as a short duration: 850 ms, 12.3 s, 4 min 10 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
