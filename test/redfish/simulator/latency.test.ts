import { describe, expect, it } from 'vitest';
import { answerDelay, fleetLatency } from '../../../src/redfish/simulator/index.ts';
import { seededRandom } from '../../../src/redfish/simulator/random.ts';

function draws(latency: Parameters<typeof answerDelay>[0], count = 20_000): number[] {
  const random = seededRandom(7);
  return Array.from({ length: count }, () => answerDelay(latency, random)).sort((a, b) => a - b);
}

describe('answer latency', () => {
  it('stays within fixedMs ± jitterMs without a tail', () => {
    const delays = draws({ fixedMs: 40, jitterMs: 20 });
    expect(delays[0]).toBeGreaterThanOrEqual(20);
    expect(delays.at(-1)).toBeLessThanOrEqual(60);
  });

  it('keeps the mean at fixedMs with a heavy tail: most answers faster, a few several times slower', () => {
    const delays = draws({ fixedMs: 300, jitterMs: 0, tail: 0.8 });
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).toBeGreaterThan(285);
    expect(mean).toBeLessThan(315);
    const median = delays[delays.length / 2]!;
    expect(median).toBeLessThan(0.8 * 300);
    const p99 = delays[Math.floor(delays.length * 0.99)]!;
    expect(p99).toBeGreaterThan(3.5 * 300);
  });

  it('makes every n-th BMC of a fleet the given factor slower, and no other', () => {
    const latency = { fixedMs: 40, jitterMs: 10, tail: 0.5 };
    const slow = { every: 50, factor: 10 };
    const slowOnes = Array.from({ length: 200 }, (_, index) => index).filter((index) => fleetLatency(latency, slow, index) !== latency);
    expect(slowOnes).toEqual([49, 99, 149, 199]);
    expect(fleetLatency(latency, slow, 49)).toEqual({ fixedMs: 400, jitterMs: 100, tail: 0.5 });
    expect(fleetLatency(latency, undefined, 49)).toBe(latency);
  });
});
