// What a Redfish client is given and what it tells: where the BMC is, the hooks a sweep passes
// (read cache, log, fleet limit, a request trace), and its counters. Types only.
import type { ErrorKind } from './errors.ts';
import type { Priority } from './limit.ts';
import type { TlsPolicy } from './tls.ts';

/** Where a BMC is and how to log in to it. */
export interface BmcEndpoint {
  /** Host, host:port or URL; HTTPS unless the URL says http. */
  readonly address: string;
  readonly username: string;
  readonly password: string;
  /** @default {mode: 'verify'} */
  readonly tls?: TlsPolicy;
}

/** What the last sweep read at one path: the body, and its ETag when the BMC sent one. */
export interface CachedRead {
  readonly etag?: string;
  readonly body: unknown;
  /**
   * The body's bytes as the BMC sent them, when read in this sweep: stored as is. Bytes rather
   * than text because they live outside the JS heap, which the young-generation GC copies.
   */
  readonly raw?: Uint8Array;
}

/**
 * The bodies read at the last sweep, by path (with query). ETags make re-reads conditional; the
 * crawl also reuses the bodies of members whose listing did not change (see crawl.ts).
 */
export interface ReadCache {
  get(path: string): CachedRead | undefined;
  set(path: string, read: CachedRead): void;
}

/** A pino-compatible logger subset; the client never passes it a secret. */
export interface ClientLog {
  debug(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** What the client does besides talking HTTP. */
export interface ClientHooks {
  /** Cancels every read (SIGINT/SIGTERM); the session is still deleted on close. */
  readonly signal?: AbortSignal;
  readonly cache?: ReadCache;
  readonly log?: ClientLog;
  /** Jitter source, [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * A limit shared by every client of a sweep on requests in flight across the fleet (`FleetLimit`).
   * Each request takes a slot only while it is on the wire, never while waiting to retry.
   */
  readonly fleet?: FleetBudget;
  /**
   * Told of each request's steps, for a per-BMC timeline (the bench's): queued for this BMC, on
   * the wire (both limits passed), answered (the last byte in), done (handed to the caller).
   */
  readonly trace?: RequestTrace;
}

/** The fleet's budget as a client sees it: a seat per client. */
export interface FleetBudget {
  join(): FleetBudgetSeat;
}

/** One client's seat in the fleet's budget. */
export interface FleetBudgetSeat {
  /** Runs a request on the wire when the budget allows; `urgent` (a logout) first. */
  run<T>(task: () => Promise<T>, urgent?: boolean): Promise<T>;
  /** The BMC was found to work on several requests at once. */
  markParallel(): void;
  /** The client is done with the BMC. */
  leave(): void;
}

/** A step of one request's life (see ClientHooks.trace). */
export type RequestStep = 'queued' | 'sent' | 'answered' | 'done';

/** Receives the steps of every request of one client; `request` numbers them from 1. */
export type RequestTrace = (step: RequestStep, request: number, method: string, path: string, priority: Priority) => void;

/** Counters of one client, for reports and benchmarks. */
export interface ClientStats {
  requests: number;
  bytes: number;
  notModified: number;
  retries: number;
  elapsedMs: number;
  readonly errors: Partial<Record<ErrorKind, number>>;
}

/** How the client ended up authenticating. */
export type AuthState = 'none' | 'session' | 'basic';

