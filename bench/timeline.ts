// Where a BMC's time goes between its requests (`npm run bench -- --timeline`): every request's
// steps (queued for the BMC, on the wire, answered, done) on one clock, per BMC, and a summary of
// each BMC's wall split by what it was doing. For a serial BMC, the time with nothing on the wire
// is time the BMC sat idle that the collector could have given it.
import type { RequestStep, RequestTrace } from '../src/redfish/client.ts';

interface Step {
  readonly at: number;
  readonly step: RequestStep;
  readonly request: number;
  readonly method: string;
}

/** One BMC's requests, as its client reported them. */
export class BmcTimeline {
  readonly startedAt = performance.now();
  endedAt: number | undefined;
  readonly steps: Step[] = [];
  readonly trace: RequestTrace = (step, request, method) => {
    this.steps.push({ at: performance.now(), step, request, method });
  };
}

/** What a BMC's wall went to, in ms (means over BMCs in a summary). */
export interface TimeSplit {
  /** Before its first request: the sweep's bookkeeping (the read cache loaded, the client made). */
  readonly start: number;
  /** At least one request on the wire, as many as the BMC's lanes allow. */
  readonly busy: number;
  /** Fewer requests on the wire than lanes while some were queued: waiting for the fleet's budget. */
  readonly fleetWait: number;
  /** Fewer on the wire than lanes with nothing queued: the crawl had no read to give (parsing, or waiting on a link). */
  readonly crawlWait: number;
  /** Nothing on the wire and nothing queued: the BMC idle while the collector worked. */
  readonly idle: number;
  /** After its last answer: normalising, enlisting, the registry's writes. */
  readonly end: number;
  /** Gaps between an answer that left nothing on the wire and the next request sent. */
  readonly gaps: number;
  readonly gapMs: number;
  /** Requests sent while another was on the wire. */
  readonly stacked: number;
}

/** Splits one BMC's wall, for a BMC that answers `lanes` requests at once. */
export function splitTime(timeline: BmcTimeline, lanes: number): TimeSplit | undefined {
  const steps = [...timeline.steps].sort((a, b) => a.at - b.at);
  const end = timeline.endedAt;
  if (steps.length === 0 || end === undefined) return undefined;
  const first = steps[0]!.at;
  const lastAnswer = steps.findLast((step) => step.step === 'answered')?.at ?? first;
  let wire = 0;
  let queued = 0;
  const sent = new Set<number>();
  const split = { start: first - timeline.startedAt, busy: 0, fleetWait: 0, crawlWait: 0, idle: 0, end: Math.max(0, end - lastAnswer), gaps: 0, gapMs: 0, stacked: 0 };
  let at = first;
  let gapFrom: number | undefined;
  for (const step of steps) {
    const span = Math.min(step.at, lastAnswer) - at;
    if (span > 0) {
      if (wire >= lanes) split.busy += span;
      else if (queued > 0) split.fleetWait += span;
      else if (wire > 0) split.crawlWait += span;
      else split.idle += span;
    }
    at = Math.max(at, Math.min(step.at, lastAnswer));
    if (step.step === 'queued') queued++;
    if (step.step === 'sent') {
      if (!sent.has(step.request)) {
        sent.add(step.request);
        queued = Math.max(0, queued - 1);
      }
      if (wire === 0 && gapFrom !== undefined) {
        split.gaps++;
        split.gapMs += step.at - gapFrom;
        gapFrom = undefined;
      }
      if (wire > 0) split.stacked++;
      wire++;
    }
    if (step.step === 'answered') {
      wire = Math.max(0, wire - 1);
      if (wire === 0) gapFrom = step.at;
    }
  }
  return split;
}

/** The mean split over BMCs. */
export function meanSplit(splits: readonly TimeSplit[]): TimeSplit | undefined {
  if (splits.length === 0) return undefined;
  const keys = Object.keys(splits[0]!) as (keyof TimeSplit)[];
  return Object.fromEntries(keys.map((key) => [key, splits.reduce((sum, split) => sum + split[key], 0) / splits.length])) as unknown as TimeSplit;
}
