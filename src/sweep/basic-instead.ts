// A BMC whose login makes a session it does not say where to delete (no Location, @odata.id or Id)
// leaves one session open per sweep until it times them out, and BMCs allow few (often 4–16). Once
// a sweep found that and basic auth worked instead, the next sweeps of the BMC use basic auth from
// the start, and make no session, for a week; then a session is tried again (new firmware may fix it).
import type { BmcState } from '../registry/bmc-state.ts';
import type { BmcConfig } from './config.ts';

/** How long a BMC is read with basic auth after its session could not be deleted. */
export const BASIC_INSTEAD_MS = 7 * 86_400_000;

/** Since when the BMC is to be read with basic auth instead of a session, when it still is. */
export function basicInsteadSince(remembered: BmcState | undefined, bmc: BmcConfig, configured: { auth?: unknown } | undefined, now: Date): string | undefined {
  const since = remembered?.last?.basicAuthSince;
  // An `auth` set in the configuration is the operator's choice, and wins.
  if (since === undefined || bmc.client.auth !== undefined || configured?.auth !== undefined) return undefined;
  const age = now.getTime() - Date.parse(since);
  return age >= 0 && age < BASIC_INSTEAD_MS ? since : undefined;
}

/** The warning of a sweep that used basic auth for that reason. */
export function basicInsteadWarning(since: string): string {
  const retry = new Date(Date.parse(since) + BASIC_INSTEAD_MS).toISOString().slice(0, 10);
  return `basic auth is used, and no session made: on ${since.slice(0, 10)} the BMC made a session it named no path to delete; a session is tried again from ${retry}`;
}

/**
 * What the BMC's record keeps: the time a session could not be deleted and basic auth served,
 * this sweep's (`now`) or the one still in force; none after basic auth itself was refused.
 */
export function basicInsteadRecord(foundNow: boolean, since: string | undefined, now: string, errorKind?: string): string | undefined {
  if (foundNow) return now;
  return errorKind === 'auth' ? undefined : since;
}
