// What a crawl produces: every read's outcome keyed by path, a failed read in a form that can be
// stored and reported. Types, and the one conversion from an error to a failed outcome.
import { RedfishError, type ErrorKind } from './errors.ts';
import type { RefusedLink } from './links.ts';

/** A read that failed, in a form that can be stored and reported. */
export interface ReadFailure {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly status?: number;
  readonly messageId?: string;
}

/** The outcome of reading one resource. */
export type Outcome = { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly error: ReadFailure };

/** Everything one crawl of one BMC read. */
export interface RawCrawl {
  readonly origin: string;
  /** Every resource read (or failed), keyed by path without trailing slash. */
  readonly resources: ReadonlyMap<string, Outcome>;
  /**
   * ComputerSystem paths, from `/Systems` and from `Chassis/*\/ComputerSystems`, de-duplicated;
   * when those name none, from the managers' `Links.ManagerForServers`; then the systems the
   * managers already read serve that those did not name.
   */
  readonly systems: readonly string[];
  readonly refusedLinks: readonly RefusedLink[];
  /** Things worth telling an operator that did not stop the crawl. */
  readonly warnings: readonly string[];
  /** Resources taken from the last sweep's reads instead of read again (see `reuseUnchanged`). */
  readonly reused: number;
}

/** A read's error as a failed outcome. */
export function failed(error: unknown): Outcome {
  if (error instanceof RedfishError) {
    return {
      ok: false,
      error: {
        kind: error.kind,
        message: error.message,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.messageId === undefined ? {} : { messageId: error.messageId }),
      },
    };
  }
  return { ok: false, error: { kind: 'bad-response', message: (error as Error)?.message ?? String(error) } };
}
