// Plain-text tables and units for terminal output. Tables are the project's own few lines rather
// than cli-table3 or table: both wrap a long cell by splitting words wider than the column, which
// is what must never happen to a certificate fingerprint in a message.
import { visibleLength } from './style.ts';

/** How a table is laid out. */
export interface TableOptions {
  /**
   * The terminal's width. The last column's text then wraps at spaces to fit, or goes on lines of
   * its own under the row when the other columns leave it too little room or a word would not
   * fit beside them; a word is never broken. Without a width (a pipe, a file) every row is one line.
   */
  readonly width?: number;
}

// Narrower than this, the last column goes under its row instead of beside it.
const MIN_WRAPPED = 32;

/** Renders rows as an aligned table with a header line; cells may carry colour codes. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], options: TableOptions = {}): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined || cell === null ? '' : String(cell))))];
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
