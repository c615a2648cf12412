// The sweep's progress as a display reads it: done, failed, queued, the BMCs in flight longest
// first, and an ETA from the rate BMCs finish at — none once only stragglers past the typical
// duration are left.
import { describe, expect, it } from 'vitest';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { SweepTracker } from '../../src/sweep/progress.ts';

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
