// How many requests one BMC should have in flight: the per-BMC limit, or one for a BMC that
// answers one request at a time. Such a BMC (a single-threaded web server, DMTF's mockup server,
// some small BMCs) keeps a second request in its backlog until the first is answered: nothing is
// gained by sending it, it holds a share of the fleet's budget while it waits, and on a slow BMC
// it can wait long enough to time out.
//
// Judged from answer times alone, with no request made for the purpose. If the BMC answers in the
// order asked, one at a time, a request sent while others were in flight waits for their answers
// (the wait w, known once they are answered) before its own service time: its latency is w + S.
// A BMC that works on several at once answers in S whatever was in flight. So latency against w
// has a slope near 1 for a serial BMC and near 0 otherwise; the slope is taken robustly (the median
// of pairwise slopes, Theil–Sen) over the last answers, so a heavy tail or one slow resource does
// not decide it, and a serial verdict also needs every answer that waited to have come back in the
// order asked. Once serial, the BMC gets one request at a time for the rest of the sweep (like
// `$expand` turned off), so nothing ever waits in its backlog again; the next sweep judges afresh.
//
// Pure: times come from the caller (ms on one clock).

/** Answers the verdict looks at: the last so many that waited for none, and the last so many that did. */
const WINDOW = 16;
/** Pairs of answers with different waits needed for a slope. */
const MIN_PAIRS = 6;
/** Answers that had to wait (by MIN_SPREAD of the typical latency) needed for a serial verdict. */
const MIN_STACKED = 8;
/** The slope above which the BMC is taken as serial. */
const SERIAL_ABOVE = 0.7;
/** Answers judged without a serial verdict after which the BMC is taken as working on several at once. */
const MAX_JUDGED = 3 * WINDOW;
/** Two waits must differ by this share of the typical latency for their pair to count. */
const MIN_SPREAD = 0.25;
/**
 * Answers faster than this are the collector's own event loop and the network, not the BMC's
 * work (an in-process simulator answering at once looks serial): no verdict from them.
 */
const MIN_SERVICE_MS = 2;

interface Sent {
  readonly sentAt: number;
  /** Requests on the wire when it was sent. */
  readonly beside: number;
  answeredAt: number | undefined;
  dropped: boolean;
}

/** One answer: its latency, and how long it would have waited behind the earlier ones on a serial BMC. */
interface Sample {
  readonly latency: number;
  readonly wait: number;
}

/** A ticket for one request on the wire. */
export type LaneTicket = Sent;

/** Watches one BMC's answers and says how many requests it should have in flight. */
export class LaneGauge {
  readonly #max: number;
  #lanes: number;
  // Requests in the order sent, from `#head`; finished ones are taken off the front.
  #sent: Sent[] = [];
  #head = 0;
  // The latest answer of the requests taken off the front.
  #latestAnswer = Number.NEGATIVE_INFINITY;
  #onWire = 0;
  #solo: Sample[] = [];
  #stacked: Sample[] = [];
  #judged = 0;

  /** `max`: the per-BMC limit. */
  constructor(max: number) {
    this.#max = max;
    this.#lanes = max;
    if (max <= 1) this.#sent = DONE;
  }

  /** Whether the BMC was judged to answer one request at a time. */
  get serial(): boolean {
    return this.#max > 1 && this.#lanes === 1;
  }

  /** Whether the BMC was found to work on several requests at once. */
  get parallel(): boolean {
    return this.#max > 1 && this.#sent === DONE && this.#lanes > 1;
  }

  /** Requests it should have in flight now. */
  get lanes(): number {
    return this.#lanes;
  }

  /** A request went on the wire. */
  sent(at: number): LaneTicket {
    const ticket: Sent = { sentAt: at, beside: this.#onWire, answeredAt: undefined, dropped: false };
    // Once judged, nothing is learnt any more: nothing is kept.
    if (this.#sent === DONE) return ticket;
    this.#sent.push(ticket);
    this.#onWire++;
    return ticket;
  }

  /** Its answer came in (all of it). */
  answered(ticket: LaneTicket, at: number): void {
    if (ticket.answeredAt !== undefined || ticket.dropped || this.#sent === DONE) return;
    ticket.answeredAt = at;
    this.#onWire--;
    this.#settle();
  }

  /** It failed or was abandoned: no answer time to learn from. */
  dropped(ticket: LaneTicket): void {
    if (ticket.answeredAt !== undefined || ticket.dropped || this.#sent === DONE) return;
    ticket.dropped = true;
    this.#onWire--;
    this.#settle();
  }

  // Takes finished requests off the front in the order sent: a request's wait is known once
  // everything sent before it is answered.
  #settle(): void {
    while (this.#head < this.#sent.length) {
      const first = this.#sent[this.#head]!;
      if (first.answeredAt === undefined && !first.dropped) break;
      this.#head++;
      if (first.answeredAt === undefined) continue;
      const sample = { latency: first.answeredAt - first.sentAt, wait: Math.max(0, this.#latestAnswer - first.sentAt) };
      this.#latestAnswer = Math.max(this.#latestAnswer, first.answeredAt);
      // Answered before a request asked earlier: a BMC answering one at a time in order never does
      // that. It works on more than one at once; nothing more to learn this sweep.
      if (sample.latency < sample.wait) {
        this.#sent = DONE;
        this.#head = 0;
        return;
      }
      // At two lanes, an answer sent beside two others (from before the lanes came down) is not
      // one of the kind the verdict at two needs.
      if (this.#lanes === 2 && first.beside > 1) continue;
      const samples = first.beside > 0 ? this.#stacked : this.#solo;
      samples.push(sample);
      if (samples.length > WINDOW) samples.shift();
      // After many answers without a serial verdict, the BMC is taken as working on several at
      // once and nothing more is judged this sweep.
      if (judgeSerial([...this.#solo, ...this.#stacked]) === true) {
        if (this.#stepDown()) return;
      } else if (++this.#judged >= MAX_JUDGED) {
        this.#sent = DONE;
        this.#head = 0;
        return;
      }
    }
    if (this.#head > 64 && this.#head * 2 > this.#sent.length) {
      this.#sent = this.#sent.slice(this.#head);
      this.#head = 0;
    }
  }

  // Answers waited as they would on a serial BMC. Sent beside two or more, they would also wait so
  // on a BMC working on two at once: from above two lanes, the lanes come down to two and the
  // answers at two decide. At two, the BMC is serial: one lane for the rest of the sweep.
  #stepDown(): boolean {
    this.#solo = [];
    this.#stacked = [];
    this.#judged = 0;
    if (this.#lanes > 2) {
      this.#lanes = 2;
      return false;
    }
    this.#lanes = 1;
    this.#sent = DONE;
    this.#head = 0;
    return true;
  }
}

// The request list once the verdict is final.
const DONE: Sent[] = [];

/**
 * True when the answers say serial, false when they do not, and undefined when they cannot tell
 * yet. Serial needs the slope of latency against wait (the median over pairs of answers whose
 * waits differ enough) at SERIAL_ABOVE or more, from MIN_STACKED answers that had to wait, none of
 * them answered before one asked earlier.
 */
export function judgeSerial(samples: readonly Sample[]): boolean | undefined {
  // Typed arrays sort numbers natively, with no comparator call per step: this runs per answer.
  const latencies = LATENCIES.subarray(0, samples.length);
  for (let index = 0; index < samples.length; index++) latencies[index] = samples[index]!.latency;
  latencies.sort();
  const typical = latencies[samples.length >> 1];
  if (typical === undefined || typical < MIN_SERVICE_MS) return undefined;
  const spread = typical * MIN_SPREAD;
  let stacked = 0;
  for (const sample of samples) {
    if (sample.wait < spread) continue;
    if (sample.latency < sample.wait) return false;
    stacked++;
  }
  const slope = stacked < MIN_STACKED ? undefined : medianSlope(samples, spread);
  if (slope === undefined) return undefined;
  return slope >= SERIAL_ABOVE;
}

// Scratch space for the two sorts, as large as two windows need.
const LATENCIES = new Float64Array(2 * WINDOW);
const SLOPES = new Float64Array(WINDOW * (2 * WINDOW - 1));

function medianSlope(samples: readonly Sample[], spread: number): number | undefined {
  let count = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = samples[i]!;
    for (let j = i + 1; j < samples.length; j++) {
      const b = samples[j]!;
      const dw = a.wait - b.wait;
      if (dw >= spread || dw <= -spread) SLOPES[count++] = (a.latency - b.latency) / dw;
    }
  }
  if (count < MIN_PAIRS) return undefined;
  const slopes = SLOPES.subarray(0, count).sort();
  return slopes[count >> 1];
}
