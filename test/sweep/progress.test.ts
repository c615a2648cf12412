// The sweep's progress as a display reads it: done, failed, queued, the BMCs in flight longest
// first, and an ETA from the rate BMCs finish at — none once only stragglers past the typical
// duration are left; and a real sweep with a hung BMC, as its progress line shows it.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.ts';
import { styleFor } from '../../src/cli/style.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { SweepTracker } from '../../src/sweep/progress.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { capture } from '../helpers/cli.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { bmcConfigs, fixtureFleet } from './fleet.ts';

const plain = styleFor({ stdout: capture().stream, stderr: capture().stream, env: {} }, 'stderr');

const bmc = (name: string): BmcConfig => ({ name, address: `https://${name}`, username: 'u', password: 'p', credentials: 'c', tls: { mode: 'verify' }, tags: [], client: {}, discovered: false });

describe('SweepTracker', () => {
  it('counts done and failed BMCs and lists those in flight, longest-running first', () => {
    let now = 0;
    const tracker = new SweepTracker(() => now);
    const [a, b, c] = [bmc('a'), bmc('b'), bmc('c')];
    tracker.begin(5);
    tracker.started(a);
    now = 100;
    tracker.started(b);
    now = 300;
    tracker.started(c);
    tracker.finished(b, 'failed');
    now = 1000;
    const snapshot = tracker.snapshot();
    expect(snapshot).toMatchObject({ total: 5, done: 1, failed: 1, queued: 2, elapsedMs: 1000 });
    expect(snapshot.inFlight.map((entry) => [entry.name, entry.ms])).toEqual([['a', 1000], ['c', 700]]);
  });

  it('estimates the time left from the finishing rate while BMCs are queued, and from typical durations at the tail', () => {
    let now = 0;
    const tracker = new SweepTracker(() => now);
    const bmcs = Array.from({ length: 4 }, (_, index) => bmc(`b${index}`));
    tracker.begin(4);
    expect(tracker.snapshot().etaMs).toBeUndefined();
    tracker.started(bmcs[0]!);
    tracker.started(bmcs[1]!);
    now = 1000;
    tracker.finished(bmcs[0]!, 'created');
    tracker.started(bmcs[2]!);
    // 1 done in 1 s; 3 left (1 queued, 2 in flight): 3 s.
    expect(tracker.snapshot().etaMs).toBe(3000);
    now = 1500;
    tracker.finished(bmcs[1]!, 'created');
    tracker.started(bmcs[3]!);
    // Nothing queued: the median duration (1 s, 1.5 s → 1.5 s) less what each has run.
    now = 1800;
    expect(tracker.snapshot().etaMs).toBe(1200);
    // Both past the typical duration: no estimate; the display names them instead.
    now = 4000;
    expect(tracker.snapshot().etaMs).toBeUndefined();
  });
});

describe('a sweep with a hung BMC', () => {
  it('names it on the progress line once the others are done, and reports it as timed out when deadlines.bmc passes', async () => {
    const fleet = await fixtureFleet(3);
    const { store, dispose } = temporaryStore();
    try {
      const hung = fleet.bmcs[1]!;
      // It answers its service root and the login, then nothing (its logout aside).
      hung.setFaults([{ path: /\/(Systems|Chassis|UpdateService|Managers)/, afterAuth: true, action: { type: 'hang' } }]);
      const tracker = new SweepTracker();
      const lines: string[] = [];
      const watch = setInterval(() => lines.push(progressLine(tracker.snapshot(), 200, plain)), 50);
      const deadline = 3_000;
      const report = await runSweep(bmcConfigs(fleet), new EmbeddedTarget(store), store, {
        concurrency: 3,
        progress: tracker,
        client: { requestTimeoutMs: 10_000, bmcDeadlineMs: deadline, backoffBaseMs: 5, backoffMaxMs: 20 },
      }).finally(() => clearInterval(watch));
      // While it hung, the line said which BMC the sweep was waiting on.
      const waiting = new RegExp(`2/3 BMCs · waiting on ${hung.name} \\(\\d+\\.\\d s\\)$`);
      expect(lines.some((line) => waiting.test(line))).toBe(true);
      // Reported as what happened (its reads timed out), not as a BMC without a system.
      const result = report.results.find((entry) => entry.name === hung.name)!;
      expect(result).toMatchObject({ outcome: 'failed', errorKind: 'timeout' });
      expect(result.message).toMatch(/^no ComputerSystem could be listed: GET \/redfish\/v1\/Systems: abandoned, the BMC's deadline passed$/);
      expect(report.totals.created).toBe(2);
      // The summary waited for the deadline, and no longer than the deadline and a logout's 5 s.
      expect(result.ms).toBeGreaterThanOrEqual(deadline);
      expect(report.ms).toBeLessThan(deadline + 5_000 + 1_000);
      expect(fleet.totals().openSessions).toBe(0);
    } finally {
      await fleet.close();
      dispose();
    }
  });
});
