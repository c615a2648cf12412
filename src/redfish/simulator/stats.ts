// What a simulated BMC counts, and the live read-only view of it that tests and benchmarks read.

/** What a BMC has served since start or `resetStats()`; a live view. */
export interface BmcStats {
  readonly requests: number;
  readonly requestsByPath: ReadonlyMap<string, number>;
  /** Answers 304 to `If-None-Match`. */
  readonly notModified: number;
  /** Body bytes sent. */
  readonly bytesOut: number;
  readonly sessionsCreated: number;
  readonly sessionsDeleted: number;
  /** Live sessions now. */
  readonly openSessions: number;
  /** Most requests processed at once. */
  readonly peakConcurrent: number;
  /** Requests refused for missing or wrong credentials, logins included. */
  readonly authFailures: number;
}

/** The mutable counters behind a BMC's stats. */
export interface Counters {
  requests: number;
  requestsByPath: Map<string, number>;
  notModified: number;
  bytesOut: number;
  sessionsCreated: number;
  sessionsDeleted: number;
  peakConcurrent: number;
  authFailures: number;
}

/** Counters at zero. */
export function zeroCounters(): Counters {
  return {
    requests: 0,
    requestsByPath: new Map(),
    notModified: 0,
    bytesOut: 0,
    sessionsCreated: 0,
    sessionsDeleted: 0,
    peakConcurrent: 0,
    authFailures: 0,
  };
}

/** A live view of the counters (replaced on reset, so read through `counters()`) and the open session count. */
export function statsView(counters: () => Counters, openSessions: () => number): BmcStats {
  return {
    get requests() { return counters().requests; },
    get requestsByPath() { return counters().requestsByPath; },
    get notModified() { return counters().notModified; },
    get bytesOut() { return counters().bytesOut; },
    get sessionsCreated() { return counters().sessionsCreated; },
    get sessionsDeleted() { return counters().sessionsDeleted; },
    get openSessions() { return openSessions(); },
    get peakConcurrent() { return counters().peakConcurrent; },
    get authFailures() { return counters().authFailures; },
  };
}
