// The progress line a terminal shows during a sweep, and the line above it for a BMC that hangs.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { progressLine, SLOW_BMC_MS, startProgress } from '../../src/cli/progress.ts';
import { styleFor } from '../../src/cli/style.ts';
import type { ProgressSnapshot } from '../../src/sweep/progress.ts';
import { capture } from '../helpers/cli.ts';

const plain = styleFor({ stdout: capture().stream, stderr: capture().stream, env: {} }, 'stderr');
const inFlight = (name: string, ms: number) => ({ name, address: `https://${name}`, startedAt: 0, ms });
const snapshot = (change: Partial<ProgressSnapshot>): ProgressSnapshot => ({ total: 1000, done: 812, failed: 3, queued: 124, inFlight: [inFlight('sim-0042', 41_000), inFlight('sim-0101', 900)], elapsedMs: 60_000, etaMs: 12_000, ...change });

describe('the progress line', () => {
  it('shows done/total, failures, BMCs in flight with the slowest by name, and the ETA', () => {
    expect(progressLine(snapshot({}), 150, plain)).toBe(`sweeping [${'█'.repeat(24)}${'░'.repeat(6)}] 812/1000 BMCs · 3 failed · 2 in flight, slowest sim-0042 (41 s) · ETA 12 s`);
  });

  it('names the BMCs the sweep waits on once only a few are left', () => {
    const line = progressLine(snapshot({ done: 998, queued: 0, inFlight: [inFlight('sim-0006-lenovo', 130_000), inFlight('sim-0190', 3_200)], etaMs: undefined }), 150, plain);
    expect(line).toMatch(/\] 998\/1000 BMCs · 3 failed · waiting on sim-0006-lenovo \(2 min 10 s\), sim-0190 \(3\.2 s\)$/);
  });

  it('fits a narrow terminal, dropping the bar first', () => {
    const line = progressLine(snapshot({}), 70, plain);
    expect(line.length).toBeLessThanOrEqual(69);
    expect(line).toMatch(/^812\/1000 BMCs · 3 failed · 2 in flight, slowest sim-0042/);
  });

  it('prints a line above the bar naming a BMC in flight past the slow mark, once', async () => {
    const out = capture(120);
    let current = snapshot({ inFlight: [inFlight('sim-0006-lenovo', SLOW_BMC_MS + 1000)] });
    const display = startProgress(out.stream, { snapshot: () => current }, plain);
    await new Promise((resolve) => setTimeout(resolve, 700));
    current = snapshot({ inFlight: [inFlight('sim-0006-lenovo', SLOW_BMC_MS + 2000)] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    display.stop();
    const text = stripVTControlCharacters(out.text());
    expect(text.match(/slow {2}sim-0006-lenovo \(https:\/\/sim-0006-lenovo\) has been in flight for 31 s/g)).toHaveLength(1);
    expect(text).toContain('812/1000 BMCs');
  });

  it('writes a log line above the bar with the terminal\'s line wrapping on, so a long one wraps instead of being cut at the edge', async () => {
    const out = capture();
    Object.assign(out.stream, { isTTY: true, columns: 60 });
    const display = startProgress(out.stream, { snapshot: () => snapshot({}) }, plain);
    const line = `warning: pinned certificate changed: presented ${'AB:'.repeat(31)}CD`;
    display.log(line);
    await new Promise((resolve) => setTimeout(resolve, 400));
    display.stop();
    const raw = out.text();
    // The bar switches wrapping off while it runs; the log line is written between on and off again.
    expect(raw).toContain('\u001b[?7l');
    expect(raw).toContain(`\u001b[?7h${line}\n\u001b[?7l`);
  });
});
