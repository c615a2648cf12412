// The collector's own database failing under a sweep: a BMC whose sweep threw (its database locked
// or full) is a failure, never a skip; a result whose writes were lost with their grouped commit
// is `failed`, class `storage`; a database another process keeps locked is found once.
import { StorageError, storageFailure, type Store } from '../registry/store.ts';
import type { BmcConfig } from './config.ts';
import type { BmcResult } from './report.ts';
import type { SweepSettings } from './sweep.ts';
import type { Target } from './target.ts';

export { StorageError };

/** A BMC's result that it never got to: nothing was read or written. */
export function skipped(bmc: BmcConfig, message: string): BmcResult {
  return { name: bmc.name, address: bmc.address, outcome: 'skipped', message, requests: 0, bytes: 0, notModified: 0, reused: 0, ms: 0, machines: [], warnings: [] };
}

// A BMC whose sweep threw: cancelled by the signal, or a fault of the collector's own (its
// database locked or full), which is a failure, never a skip.
export function notSwept(bmc: BmcConfig, error: unknown, settings: SweepSettings): BmcResult {
  if ((error as Error)?.name === 'AbortError' || settings.signal?.aborted) return skipped(bmc, 'not swept: the sweep was stopped');
  const storage = storageFailure(error);
  const message = storage === undefined ? `the collector failed: ${(error as Error)?.message ?? String(error)}` : `not stored: ${storage}`;
  settings.log?.error({ bmc: bmc.name, message }, 'BMC sweep failed');
  return { ...skipped(bmc, message), outcome: 'failed', errorKind: storage === undefined ? 'internal' : 'storage' };
}

// A result whose writes were lost with the grouped commit that held them. The embedded target's
// machines were in that commit too; a MAAS target has them, but the collector does not remember.
export function notStored(result: BmcResult, error: unknown, target: Target): BmcResult {
  if (result.noAnswer || result.outcome === 'cancelled') return result; // nothing to keep: the address is probed again next time
  const why = storageFailure(error) ?? String((error as Error)?.message ?? error);
  const embedded = target.kind === 'embedded';
  const message = embedded ? `not stored: ${why}` : `not recorded by the collector: ${why} (the target has what was pushed; the next sweep finds it)`;
  return {
    ...result,
    outcome: 'failed',
    errorKind: result.outcome === 'failed' ? (result.errorKind ?? 'storage') : 'storage',
    message: result.outcome === 'failed' ? `${result.message ?? 'failed'}; ${message}` : message,
    machines: result.machines.map((machine) => ({
      system: machine.system,
      outcome: 'failed',
      errorKind: 'storage',
      reason: message,
      ...(embedded ? {} : { ...(machine.systemId ? { systemId: machine.systemId } : {}), ...(machine.hostname ? { hostname: machine.hostname } : {}) }),
    })),
  };
}

// Why nothing can be written to the collector's database (another process holds its write lock
// past the busy timeout), if so.
export function writeRefusal(state: Store): string | undefined {
  try {
    state.checkWritable();
    return undefined;
  } catch (error) {
    const storage = storageFailure(error);
    if (storage === undefined) throw error;
    return `not swept: the registry database cannot be written (${storage})`;
  }
}

// Runs one transaction of the collector's; the database's reason when it could not be written.
export function write(state: Store, work: () => void): string | undefined {
  try {
    state.transaction(work);
    return undefined;
  } catch (error) {
    const storage = storageFailure(error);
    if (storage === undefined) throw error;
    return storage;
  }
}
