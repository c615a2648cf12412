// The sweep's progress on a terminal: one line, redrawn, with done/total, failures so far, the BMCs
// in flight and the slowest by name, an ETA, and — once only stragglers are left — the BMCs the
// sweep waits on. Log lines print above it as plain text. It reads the sweep only through
// SweepProgress. cli-progress does the redrawing (cursor, clearing, logging above the line).
import { MultiBar } from 'cli-progress';
import { stripVTControlCharacters } from 'node:util';
import type { ProgressSnapshot, SweepProgress } from '../sweep/progress.ts';
import { duration, visible } from './format.ts';
import { visibleLength, type Style } from './style.ts';

/** A BMC in flight this long is named in a line above the bar, once. */
export const SLOW_BMC_MS = 30_000;

/** The progress line for a snapshot, at most `width` columns. */
export function progressLine(snapshot: ProgressSnapshot, width: number, style: Style): string {
  const { done, total, failed, inFlight, queued } = snapshot;
  const parts = [`${done}/${total} BMCs`];
  if (failed > 0) parts.push(style('red', `${failed} failed`));
  if (inFlight.length > 0 && queued === 0 && inFlight.length <= 3) {
    parts.push(`waiting on ${inFlight.map((bmc) => `${visible(bmc.name)} (${coarse(bmc.ms)})`).join(', ')}`);
  } else if (inFlight.length > 0) {
    const slowest = inFlight[0]!;
    parts.push(`${inFlight.length} in flight, slowest ${visible(slowest.name)} (${coarse(slowest.ms)})`);
  }
  if (snapshot.etaMs !== undefined) parts.push(`ETA ${coarse(snapshot.etaMs)}`);
  const text = parts.join(' · ');
  const room = width - visibleLength(text) - 'sweeping [] '.length - 1;
  if (room < 10) return fit(stripVTControlCharacters(text), width - 1);
  const size = Math.min(30, room);
  const filled = total > 0 ? Math.round((size * done) / total) : 0;
  return `sweeping [${'█'.repeat(filled)}${'░'.repeat(size - filled)}] ${text}`;
}

function coarse(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : duration(Math.round(ms / 1000) * 1000);
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** A running progress display. */
export interface ProgressDisplay {
  /** Prints a line above the bar (a log line). */
  log(line: string): void;
  stop(): void;
}

const WRAP_ON = '\u001b[?7h';
const WRAP_OFF = '\u001b[?7l';

/** Starts the display on a terminal stream; it redraws a few times a second until stopped. */
export function startProgress(stream: NodeJS.WritableStream & { columns?: number }, progress: SweepProgress, style: Style): ProgressDisplay {
  const noted = new Set<string>();
  const bars = new MultiBar({
    stream,
    hideCursor: true,
    fps: 4,
    forceRedraw: true,
    clearOnComplete: true,
    format: () => {
      const snapshot = progress.snapshot();
      // A BMC that hangs gets a line of its own (it stays in the scrollback), once.
      for (const bmc of snapshot.inFlight) {
        if (bmc.ms < SLOW_BMC_MS || noted.has(bmc.address)) continue;
        noted.add(bmc.address);
        bars.log(`${WRAP_ON}${style('yellow', 'slow')}  ${visible(bmc.name)} (${visible(bmc.address)}) has been in flight for ${coarse(bmc.ms)}\n${WRAP_OFF}`);
      }
      return progressLine(snapshot, stream.columns ?? 80, style);
    },
  });
  const bar = bars.create(1, 0);
  return {
    // The bar turns the terminal's line wrapping off while it runs (so its own line never wraps);
    // a log line above it is written with wrapping on, so a long one (a fingerprint) is never cut.
    log: (line) => bars.log(`${WRAP_ON}${line}\n${WRAP_OFF}`),
    stop: () => {
      bar.update(1);
      bars.stop();
    },
  };
}
