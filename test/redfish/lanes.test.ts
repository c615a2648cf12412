// The lane gauge: a BMC that answers one request at a time is told from one that works on several
// at once by when its answers come back, and only the first gets one lane. Driven here by a small
// queueing model (a BMC with `slots` FIFO workers, seeded service times, a crawl whose reads unlock
// more reads), on the model's own clock: no timers, no sockets.
import { describe, expect, it } from 'vitest';
import { LaneGauge, type LaneTicket } from '../../src/redfish/lanes.ts';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Model {
  /** Requests the BMC works on at once; the others wait in FIFO order. */
  readonly slots: number;
  /** The client's per-BMC limit. */
  readonly max: number;
  /** One answer's service time, in ms. */
  readonly service: (random: () => number) => number;
  readonly requests?: number;
  readonly seed?: number;
}

/** Runs a crawl against the model; returns the gauge and, per request, how many were on the wire when it was sent. */
function crawl(model: Model): { gauge: LaneGauge; besides: number[]; judgedAt: number | undefined } {
  const draw = random(model.seed ?? 1);
  const gauge = new LaneGauge(model.max);
  const total = model.requests ?? 48;
  const events: { at: number; run: () => void }[] = [];
  const at = (time: number, run: () => void) => {
    events.push({ at: time, run });
    events.sort((a, b) => a.at - b.at);
  };
  let now = 0;
  let known = 1;
  let issued = 0;
  let answered = 0;
  let busy = 0;
  let judgedAt: number | undefined;
  const backlog: (() => void)[] = [];
  const onWire = new Set<LaneTicket>();
  const besides: number[] = [];
  const serve = () => {
    while (busy < model.slots && backlog.length > 0) {
      busy++;
      backlog.shift()!();
    }
  };
  const send = () => {
    while (onWire.size < gauge.lanes && known > 0 && issued < total) {
      known--;
      const id = ++issued;
      besides.push(onWire.size);
      // As the client does, the service root and the login are not told to the gauge.
      const told = id > 2;
      const ticket = told ? gauge.sent(now) : ({} as LaneTicket);
      onWire.add(ticket);
      backlog.push(() =>
        at(now + model.service(draw), () => {
          busy--;
          serve();
          onWire.delete(ticket);
          if (told) gauge.answered(ticket, now);
          answered++;
          if (gauge.serial && judgedAt === undefined) judgedAt = answered;
          // The service root and the login lead to one read each, the first collections to many.
          known += id === 1 ? 1 : id === 2 ? 2 : id <= 4 ? 8 : Math.floor(draw() * 1.6);
          if (known === 0 && onWire.size === 0 && issued < total) known = 1;
          send();
        }),
      );
      serve();
    }
  };
  send();
  while (events.length > 0) {
    const next = events.shift()!;
    now = next.at;
    next.run();
  }
  return { gauge, besides, judgedAt };
}

const uniform = (random: () => number) => 20 + 40 * random();
// Log-normal, σ 0.8, mean 300 ms: the slow shape's heavy tail.
const tail = (random: () => number) => {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return 300 * Math.exp(0.8 * normal - 0.32);
};

describe('LaneGauge', () => {
  it('gives a BMC that answers one request at a time one lane, typically by its twelfth answer', () => {
    const judged: number[] = [];
    for (const service of [uniform, tail, () => 40]) {
      for (let seed = 1; seed <= 20; seed++) {
        const { gauge, besides, judgedAt } = crawl({ slots: 1, max: 2, service, seed });
        expect(gauge.serial).toBe(true);
        expect(gauge.lanes).toBe(1);
        judged.push(judgedAt!);
        // From then on, every request went out alone.
        expect(besides.slice(judgedAt! + 2).every((beside) => beside === 0)).toBe(true);
      }
    }
    judged.sort((a, b) => a - b);
    expect(judged[Math.floor(judged.length / 2)]).toBeLessThanOrEqual(12);
    expect(judged.at(-1)).toBeLessThanOrEqual(32);
  });

  it('keeps both lanes for a BMC that works on two or more at once, heavy tail or not', () => {
    let judged = 0;
    for (const service of [uniform, tail, () => 40]) {
      for (let seed = 1; seed <= 100; seed++) {
        for (const slots of [2, 4]) if (crawl({ slots, max: 2, service, seed }).gauge.serial) judged++;
      }
    }
    // A rare misjudgement costs that BMC one lane for one sweep; it must stay rare.
    expect(judged).toBeLessThanOrEqual(6);
  });

  it('with a per-BMC limit of 4, brings a serial BMC down to one lane and one that works on two at once to no fewer than two', () => {
    for (let seed = 1; seed <= 20; seed++) {
      expect(crawl({ slots: 1, max: 4, service: uniform, seed, requests: 60 }).gauge.lanes).toBe(1);
      expect(crawl({ slots: 2, max: 4, service: uniform, seed, requests: 60 }).gauge.lanes).toBeGreaterThanOrEqual(2);
    }
  });

  it('takes an answer that overtook one asked earlier as proof the BMC is not serial', () => {
    const gauge = new LaneGauge(2);
    let now = 0;
    const pair = (overtake: boolean) => {
      const alone = gauge.sent(now);
      gauge.answered(alone, now + 40);
      now += 40;
      const first = gauge.sent(now);
      const second = gauge.sent(now);
      // Serial-looking: the second answered a full service time after the first.
      gauge.answered(overtake ? second : first, now + 40);
      gauge.answered(overtake ? first : second, now + 80);
      now += 80;
    };
    pair(true);
    for (let round = 0; round < 8; round++) pair(false);
    expect(gauge.serial).toBe(false);
    expect(gauge.lanes).toBe(2);
    // The same answers without the overtaking one are a serial BMC's.
    const control = new LaneGauge(2);
    now = 0;
    const controlPair = () => {
      const alone = control.sent(now);
      control.answered(alone, now + 40);
      now += 40;
      const first = control.sent(now);
      const second = control.sent(now);
      control.answered(first, now + 40);
      control.answered(second, now + 80);
      now += 80;
    };
    for (let round = 0; round < 9; round++) controlPair();
    expect(control.serial).toBe(true);
  });

  it('does not judge answers too fast to be the BMC’s own work', () => {
    const { gauge } = crawl({ slots: 1, max: 2, service: () => 0.5 });
    expect(gauge.serial).toBe(false);
    expect(gauge.lanes).toBe(2);
  });

  it('learns nothing from failed requests', () => {
    const gauge = new LaneGauge(2);
    for (let index = 0; index < 40; index++) {
      const a = gauge.sent(index * 100);
      const b = gauge.sent(index * 100);
      gauge.dropped(a);
      gauge.dropped(b);
    }
    expect(gauge.lanes).toBe(2);
  });
});
