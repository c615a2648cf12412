// Colour for terminal output, with Node's own util.styleText (no library): outcomes and error
// classes stand out on a terminal, and nothing changes in a pipe or a file. Whether to colour is
// decided per stream from the command's environment: NO_COLOR (any non-empty value) turns it off,
// FORCE_COLOR on (0 or false: off), otherwise a TTY that is not TERM=dumb gets it.
import { styleText, stripVTControlCharacters } from 'node:util';
import type { Io } from './io.ts';

type Format = Parameters<typeof styleText>[0];

/** Colours text for one stream, or leaves it plain. */
export interface Style {
  readonly enabled: boolean;
  (format: Format, text: string): string;
}

/** Whether output to `stream` should be coloured. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return !['0', 'false'].includes(env.FORCE_COLOR);
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The style for a stream of a command. */
export function styleFor(io: Io, stream: 'stdout' | 'stderr'): Style {
  const enabled = colourWanted(io[stream], io.env);
  const style = ((format: Format, text: string) => (enabled && text ? styleText(format, text, { validateStream: false }) : text)) as Style;
  Object.defineProperty(style, 'enabled', { value: enabled });
  return style;
}

/** How a sweep outcome is coloured. */
export const OUTCOME_STYLE: Readonly<Record<string, Format>> = {
  created: 'green',
  updated: 'cyan',
  unchanged: 'dim',
  skipped: 'yellow',
  failed: ['red', 'bold'],
  cancelled: 'magenta',
};

/** The width text takes on a terminal, colour codes left out. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
