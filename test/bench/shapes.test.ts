// The bench's floors: what each shape's BMCs allow at best, which every wall/floor figure divides by.
import { describe, expect, it } from 'vitest';
import { bmcFloorMs, buildShapes, fleetFloorMs, spread } from '../../bench/shapes.ts';

const OPTIONS = { size: 1000, latencyMs: 40, jitterMs: 20, connections: 4, plain: true, firstOnly: false, slowSize: 200, slowLatencyMs: 300, mockupSize: 20, hungDeadlineMs: 60_000 };
const COLLECTOR = { concurrency: 64, perBmc: 2, budget: 64 };
const shape = (name: Parameters<typeof buildShapes>[0][number]) => buildShapes([name], OPTIONS)[0]!;

describe('bench floors', () => {
  it('counts every request of a serial BMC one after the other', () => {
    expect(bmcFloorMs(shape('serial'), COLLECTOR, 0, 48)).toBe(48 * 40);
    expect(bmcFloorMs(shape('mockup-server'), COLLECTOR, 0, 26)).toBe(26 * 40);
  });

  it('gives a BMC answering several at once as many lanes as the per-BMC limit allows', () => {
    expect(bmcFloorMs(shape('today'), COLLECTOR, 0, 47)).toBe(24 * 40);
    expect(bmcFloorMs(shape('today'), { ...COLLECTOR, perBmc: 8 }, 0, 47)).toBe(12 * 40);
  });

  it("counts a slow shape's 10× BMCs at ten times the latency", () => {
    const slow = shape('slow');
    expect(slow.size).toBe(200);
    expect(bmcFloorMs(slow, COLLECTOR, 48, 48)).toBe(24 * 300);
    expect(bmcFloorMs(slow, COLLECTOR, 49, 48)).toBe(24 * 3000);
  });

  it('takes the longer of the slowest BMC and all answers shared by the requests in flight', () => {
    const today = shape('today');
    const fleet = Array.from({ length: 1000 }, (_, index) => ({ index, requests: 48 }));
    expect(fleetFloorMs(today, COLLECTOR, fleet)).toBe((1000 * 48 * 40) / 64);
    expect(fleetFloorMs(today, COLLECTOR, fleet.slice(0, 2))).toBe(24 * 40);
    // Serial BMCs fill at most one request each: 32 BMCs in flight hold 32 requests, not 64.
    expect(fleetFloorMs(shape('serial'), { ...COLLECTOR, concurrency: 32 }, fleet)).toBe((1000 * 48 * 40) / 32);
  });

  it('summarises per-BMC ratios by mean, 95th percentile and largest', () => {
    const values = Array.from({ length: 100 }, (_, index) => 1 + index / 100);
    expect(spread(values)).toEqual({ mean: expect.closeTo(1.495, 6), p95: 1.95, max: 1.99 });
  });
});
