// One sweep of a fleet: every BMC through a global queue — crawl, normalise, fingerprint, find the
// machine (never a duplicate), create it Deployed or push what changed, and remember what was seen.
// One BMC's failure never stops the others; the report lists every BMC. Nothing here prints.
import type { Producer } from '../inventory/commissioning.ts';
import { FleetLimit } from '../redfish/fleet.ts';
import { RedfishClient, type ClientLog, type RequestTrace } from '../redfish/client.ts';
import { crawl, systemsFailure, type CrawlOptions, type RawCrawl } from '../redfish/crawl.ts';
import { RedfishError } from '../redfish/errors.ts';
import type { ClientOptions } from '../redfish/options.ts';
import { bmcState, loadReadCache, pinCertificate, recordBmcSweep, saveReadCache, saveInventory, type BmcOutcome, type BmcSweepRecord } from '../registry/bmc-state.ts';
import type { Store } from '../registry/store.ts';
import { notStored, notSwept, skipped, StorageError, write, writeRefusal } from './storing.ts';
import type { BmcConfig, Config } from './config.ts';
import { enlistHosts, type Reading } from './enlist.ts';
import { basicInsteadRecord, basicInsteadSince, basicInsteadWarning } from './basic-instead.ts';
import type { SweepTracker } from './progress.ts';
import { credentialSecrets, redactEcho, withoutUserinfo } from '../redfish/redact.ts';
import type { BmcResult, MachineResult, SweepOutcome, SweepReport } from './report.ts';
import type { Target } from './target.ts';

export { hostnameFor } from './enlist.ts';
export { outcomeWord, SWEEP_OUTCOMES, type BmcResult, type MachineResult, type SweepOutcome, type SweepReport } from './report.ts';

/** A pino-compatible logger. */
export interface Logger extends ClientLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
  /** A logger whose lines carry these fields too (pino's). */
  child?(bindings: Record<string, string>): Logger;
}

/** How to sweep. */
export interface SweepSettings {
  /** BMCs in flight at once. */
  readonly concurrency: number;
  /**
   * Requests in flight at once across the fleet. With more BMCs in flight than this allows at
   * their per-BMC limit, one BMC waiting on a link it has not read yet leaves its slot to another
   * instead of idling it. @default no limit beyond concurrency × per-BMC requests
   */
  readonly maxRequests?: number;
  /** Client options for every BMC; each BMC's own overrides win. */
  readonly client?: Partial<ClientOptions>;
  readonly crawl?: Partial<Omit<CrawlOptions, 'reuseUnchanged'>>;
  /**
   * How often every resource of a BMC is read. Between full reads, the parts behind an unchanged
   * listing (DIMMs of an unchanged Memory collection, ports of an unchanged adapter) are taken from
   * the last sweep; 0 reads everything every sweep. @default 0
   */
  readonly fullReadEveryMs?: number;
  /** Show what would be created and changed without writing anything. @default false */
  readonly dryRun?: boolean;
  /** Stops starting BMCs (in-flight ones finish): a daemon's SIGTERM. */
  readonly stop?: AbortSignal;
  /** Cancels everything in flight; sessions are still deleted. */
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  readonly producer?: Producer;
  /** Called as each BMC finishes. */
  readonly onResult?: (result: BmcResult, done: number, total: number) => void;
  /** Kept up to date with the BMCs in flight, for a progress display. */
  readonly progress?: SweepTracker;
  /** A timeline of each BMC's requests (the bench's): called as the BMC's sweep starts. */
  readonly trace?: (bmc: BmcConfig) => RequestTrace | undefined;
}

/** The settings a configuration file gives a sweep. */
export function settingsFromConfig(config: Config): Pick<SweepSettings, 'concurrency' | 'maxRequests' | 'client' | 'fullReadEveryMs'> {
  return {
    concurrency: config.concurrency.bmcs,
    maxRequests: config.concurrency.requests,
    fullReadEveryMs: config.schedule.fullReadEveryMs,
    client: {
      perBmcConcurrency: config.concurrency.perBmc,
      perBmcRatePerSecond: config.concurrency.perBmcRate,
      connectTimeoutMs: config.deadlines.connectMs,
      requestTimeoutMs: config.deadlines.requestMs,
      bmcDeadlineMs: config.deadlines.bmcMs,
    },
  };
}

/**
 * Sweeps BMCs into a target, remembering per-BMC state in `state`. The sweep's transactions share
 * commits (`Store.groupCommits`): each BMC's writes stay all or nothing, and are durable within a
 * fraction of a second and before this resolves.
 */
export function runSweep(bmcs: readonly BmcConfig[], target: Target, state: Store, settings: SweepSettings): Promise<SweepReport> {
  return state.groupCommits(() => sweepFleet(bmcs, target, state, settings));
}

async function sweepFleet(bmcs: readonly BmcConfig[], target: Target, state: Store, settings: SweepSettings): Promise<SweepReport> {
  const started = new Date();
  const t0 = performance.now();
  const fleet = settings.maxRequests ? new FleetLimit(settings.maxRequests) : undefined;
  const results: BmcResult[] = [];
  const stopped = () => settings.stop?.aborted === true || settings.signal?.aborted === true;
  // A database another process keeps locked fails every BMC alike: found once, before any is contacted.
  const unwritable = settings.dryRun ? undefined : writeRefusal(state);
  if (settings.dryRun) await target.prepare().catch(() => undefined);
  else if (unwritable === undefined) await target.prepare();
  let done = 0;
  settings.progress?.begin(bmcs.length);
  // Nothing is reported before it is durable: a BMC's result waits for the grouped commit that
  // holds its writes (≤ 200 ms) while its worker goes on to the next BMC. A commit that fails
  // (a full disk) turns every BMC with writes in it into `failed`.
  const storing = new Set<Promise<void>>();
  const finish = (bmc: BmcConfig, result: BmcResult) => {
    results.push(result);
    settings.progress?.finished(bmc, result.outcome);
    settings.onResult?.(result, ++done, bmcs.length);
  };
  const report = (bmc: BmcConfig, result: BmcResult, durable?: Promise<void>) => {
    if (!durable) return finish(bmc, result);
    const pending = durable.then(
      () => finish(bmc, result),
      (error: unknown) => finish(bmc, notStored(result, error, target)),
    );
    storing.add(pending);
    void pending.finally(() => storing.delete(pending));
  };
  // `concurrency` workers take the next BMC as they finish one, so memory does not grow with the
  // fleet (queuing every BMC up front held ~14 MB of tasks at 10,000). Once stopped, the BMCs not
  // started are reported as not swept; those in flight finish, or are cancelled by the signal.
  let next = 0;
  const worker = async () => {
    while (next < bmcs.length) {
      const bmc = bmcs[next++]!;
      if (unwritable !== undefined) {
        report(bmc, { ...skipped(bmc, unwritable), outcome: 'failed', errorKind: 'storage' });
        continue;
      }
      if (stopped()) {
        report(bmc, skipped(bmc, 'not swept: the sweep was stopped'));
        continue;
      }
      settings.progress?.started(bmc);
      const swept = await state.trackWrites(() => sweepBmc(bmc, target, state, settings, fleet)).catch((error: unknown) => ({ value: notSwept(bmc, error, settings), durable: undefined }));
      report(bmc, swept.value, swept.durable);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.concurrency, bmcs.length)) }, worker));
  try {
    state.flush();
  } catch {
    // The BMCs of that group learn it from durable(), above.
  }
  await Promise.all(storing);
  const totals: Record<SweepOutcome, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, cancelled: 0 };
  for (const result of results) totals[result.outcome]++;
  const order = new Map(bmcs.map((bmc, index) => [bmc.address, index]));
  results.sort((a, b) => (order.get(a.address) ?? 0) - (order.get(b.address) ?? 0));
  return { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), ms: Math.round(performance.now() - t0), dryRun: settings.dryRun === true, results, totals };
}

function cancelledInFlight(bmc: BmcConfig, client: RedfishClient, t0: number, settings: SweepSettings): BmcResult {
  settings.log?.warn({ bmc: bmc.name }, 'BMC sweep cancelled');
  return { ...skipped(bmc, 'cancelled while in flight; nothing was changed'), outcome: 'cancelled', ...stats(client, t0) };
}


// One BMC: read it, decide what each of its machines is in the target, record it all in one commit.
async function sweepBmc(bmc: BmcConfig, target: Target, state: Store, settings: SweepSettings, fleet: FleetLimit | undefined): Promise<BmcResult> {
  const t0 = performance.now();
  // What the BMC said (its messages, its links, bodies quoted in errors) may echo its credentials.
  const secrets = credentialSecrets(bmc.username, bmc.password);
  const scrub = (text: string) => withoutUserinfo(redactEcho(text, secrets));
  const remembered = bmcState(state, bmc.address);
  const read = await readBmc(bmc, state, settings, fleet, remembered, scrub, t0);
  if ('finished' in read) return read.finished;
  const { client, raw } = read;
  const systemsSeen: Record<string, string> = { ...(remembered?.systems ?? {}) };
  const { machines, warnings: found, readings } = await enlistHosts(bmc, raw, target, state, settings, systemsSeen, scrub);
  const warnings = [
    ...raw.warnings,
    ...raw.refusedLinks.map((refused) => `refused link ${refused.link.slice(0, 120)} (${refused.reason})`),
    ...(client.authNote ? [client.authNote] : []),
    ...(read.basicSince ? [basicInsteadWarning(read.basicSince)] : []),
  ].map(scrub).concat(found);
  const outcome = bmcOutcome(machines, raw.systems.length);
  const failedMachine = machines.find((machine) => machine.outcome === 'failed');
  const result: Recorded = {
    name: bmc.name,
    address: bmc.address,
    outcome,
    ...(outcome === 'failed'
      ? failedMachine
        ? { errorKind: failedMachine.errorKind ?? 'target', message: failedMachine.reason ?? 'the target refused the machine' }
        : noSystems(raw, scrub)
      : {}),
    ...stats(client, t0),
    reused: raw.reused,
    machines,
    warnings,
  };
  if (!settings.dryRun) {
    const refused = write(state, () => remember(bmc, state, read, result, readings, systemsSeen));
    if (refused !== undefined) return notStored(result, new StorageError(refused), target);
  }
  settings.log?.debug({ bmc: bmc.name, outcome, machines: machines.map((machine) => `${machine.hostname ?? machine.system}: ${machine.outcome}`), requests: result.requests, ms: result.ms }, 'BMC swept');
  return result;
}

/** A BMC read to the end, and what the read cache learnt. */
interface BmcRead {
  readonly client: RedfishClient;
  readonly raw: RawCrawl;
  readonly tls: BmcConfig['tls'];
  readonly cache: ReturnType<typeof loadReadCache>;
  /** Paths this sweep asked for: the cache keeps only those. */
  readonly touched: ReadonlySet<string>;
  readonly cacheChanged: () => boolean;
  /** Every resource was read (no part taken from the last sweep). */
  readonly full: boolean;
  /** Read with basic auth since then, as a session made then could not be deleted. */
  readonly basicSince: string | undefined;
}

// Crawls the BMC through a client of its own, closed (logged out) before anything is pushed. A
// BMC that could not be read ends here, its failure recorded.
async function readBmc(bmc: BmcConfig, state: Store, settings: SweepSettings, fleet: FleetLimit | undefined, remembered: ReturnType<typeof bmcState>, scrub: (text: string) => string, t0: number): Promise<BmcRead | { finished: BmcResult }> {
  const trace = settings.trace?.(bmc);
  const tls = bmc.tls.mode === 'pin' && bmc.tls.fingerprint256 === undefined && remembered?.pinnedFingerprint ? { mode: 'pin' as const, fingerprint256: remembered.pinnedFingerprint } : bmc.tls;
  const cache = loadReadCache(state, bmc.address);
  const fullReadEvery = settings.fullReadEveryMs ?? 0;
  const full = fullReadEvery <= 0 || cache.fullReadAt === undefined || state.now().getTime() - Date.parse(cache.fullReadAt) >= fullReadEvery;
  // An unchanged BMC answers 304 everywhere: its cache is then written back only if something
  // moved, keeping only the resources this sweep asked for (a removed resource's entry goes).
  let cacheChanged = false;
  const touched = new Set<string>();
  const basicSince = basicInsteadSince(remembered, bmc, settings.client, state.now());
  const client = new RedfishClient(
    { address: bmc.address, username: bmc.username, password: bmc.password, tls },
    { ...settings.client, ...bmc.client, ...(basicSince ? { auth: 'basic' as const } : {}) },
    {
      cache: {
        get: (path) => {
          touched.add(path);
          return cache.entries.get(path);
        },
        set: (path, read) => {
          cache.entries.set(path, read);
          cacheChanged = true;
        },
      },
      ...(fleet ? { fleet } : {}),
      ...(trace ? { trace } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
      // Every line the client logs names the BMC as the configuration does, beside its address.
      ...(settings.log ? { log: settings.log.child?.({ name: bmc.name }) ?? settings.log } : {}),
    },
  );
  let raw: RawCrawl;
  try {
    await client.connect();
    raw = await crawl(client, { ...settings.crawl, reuseUnchanged: !full });
    // Past its memory budget the BMC was not read further: nothing of it is used.
    if (client.exhausted) throw client.exhausted;
  } catch (error) {
    await client.close();
    return { finished: settings.signal?.aborted ? cancelledInFlight(bmc, client, t0, settings) : unreadable(bmc, client, error, state, settings, scrub, t0, basicSince) };
  } finally {
    // (close() is idempotent.)
    await client.close();
  }
  // A crawl cut short by cancellation read only part of the BMC: nothing of it is pushed or kept.
  if (settings.signal?.aborted) return { finished: cancelledInFlight(bmc, client, t0, settings) };
  return { client, raw, tls, cache, touched, cacheChanged: () => cacheChanged, full, basicSince };
}

// A BMC whose crawl failed: `failed` (or `skipped` for a discovered address where nothing
// answers), recorded unless this is a dry run.
function unreadable(bmc: BmcConfig, client: RedfishClient, error: unknown, state: Store, settings: SweepSettings, scrub: (text: string) => string, t0: number, basicSince: string | undefined): BmcResult {
  const failure = error instanceof RedfishError ? error : new RedfishError('bad-response', (error as Error).message);
  const silentDiscovery = bmc.discovered && (failure.kind === 'unreachable' || (failure.kind === 'timeout' && failure.connectPhase));
  const result: Recorded = {
    name: bmc.name,
    address: bmc.address,
    outcome: silentDiscovery ? 'skipped' : 'failed',
    ...(silentDiscovery ? { noAnswer: true as const } : {}),
    errorKind: failure.kind,
    message: scrub(silentDiscovery ? `no Redfish service answered (${failure.message})` : failure.message),
    ...stats(client, t0),
    reused: 0,
    machines: [],
    warnings: [],
  };
  // Most of a discovery range is silent, every sweep: one debug line each, not a warning each.
  if (silentDiscovery) settings.log?.debug({ bmc: bmc.name, kind: failure.kind }, 'discovered address did not answer');
  else settings.log?.warn({ bmc: bmc.name, kind: failure.kind, message: result.message }, 'BMC sweep failed');
  if (settings.dryRun) return result;
  const basic = basicInsteadRecord(client.basicInstead, basicSince, state.timestamp(), failure.kind);
  const refused = write(state, () => recordBmcSweep(state, bmc.address, record(result, tlsMode(bmc), basic)));
  return refused === undefined ? result : { ...result, message: `${result.message}; not recorded: ${refused}` };
}

// Everything the collector remembers of a BMC, in the caller's one commit: its pinned
// certificate, the inventories pushed, what it read and how the sweep ended. A crash before it
// costs one push of the same document again on the next sweep, which the target finds unchanged.
function remember(bmc: BmcConfig, state: Store, read: BmcRead, result: Recorded, readings: readonly Reading[], systemsSeen: Readonly<Record<string, string>>): void {
  const { client, tls, cache, touched } = read;
  const fullyRead = read.full && result.outcome !== 'failed';
  if (tls.mode === 'pin' && tls.fingerprint256 === undefined && client.certificateFingerprint) pinCertificate(state, bmc.address, client.certificateFingerprint);
  for (const reading of readings) saveInventory(state, bmc.address, reading.system, reading.fingerprint, reading.inventory);
  if (read.cacheChanged() || fullyRead) {
    const fullReadAt = fullyRead ? state.timestamp() : cache.fullReadAt;
    for (const path of cache.entries.keys()) if (!touched.has(path)) cache.entries.delete(path);
    saveReadCache(state, bmc.address, { entries: cache.entries, ...(fullReadAt ? { fullReadAt } : {}) });
  }
  recordBmcSweep(state, bmc.address, record(result, tlsMode(bmc), basicInsteadRecord(client.basicInstead, read.basicSince, state.timestamp())), systemsSeen);
}

// A BMC that lists no system is `not-found` only when every read on the way succeeded; otherwise
// the read that failed says why (a broken answer, a refused redirect, a server error).
function noSystems(raw: RawCrawl, scrub: (text: string) => string): { errorKind: string; message: string } {
  const cause = systemsFailure(raw);
  if (!cause) return { errorKind: 'not-found', message: 'no ComputerSystem is reachable from the service root' };
  return { errorKind: cause.kind, message: scrub(`no ComputerSystem could be listed: ${cause.message}`) };
}

function bmcOutcome(machines: readonly MachineResult[], systems: number): BmcOutcome {
  if (systems === 0 || machines.some((machine) => machine.outcome === 'failed')) return 'failed';
  if (machines.some((machine) => machine.outcome === 'created')) return 'created';
  if (machines.some((machine) => machine.outcome === 'updated')) return 'updated';
  if (machines.length > 0 && machines.every((machine) => machine.outcome === 'skipped')) return 'skipped';
  return 'unchanged';
}

function stats(client: RedfishClient, t0: number): Pick<BmcResult, 'requests' | 'bytes' | 'notModified' | 'ms' | 'serial'> {
  return {
    requests: client.stats.requests,
    bytes: client.stats.bytes,
    notModified: client.stats.notModified,
    ms: Math.round(performance.now() - t0),
    ...(client.serial ? { serial: true as const } : {}),
  };
}

function tlsMode(bmc: BmcConfig): string {
  return bmc.address.startsWith('http://') ? 'http' : bmc.tls.mode;
}

/** A result the registry records: every outcome but `cancelled`. */
type Recorded = BmcResult & { readonly outcome: BmcOutcome };

// What the BMCs page shows of a sweep's findings; a hostile BMC's thousands of warnings are not kept.
const RECORDED_UNKNOWN = 64;
const RECORDED_WARNINGS = 5;

function record(result: Recorded, tls: string, basicAuthSince?: string): BmcSweepRecord {
  const unknown = result.machines.flatMap((machine) => (machine.unknown ?? []).map((entry) => ({ system: machine.system, ...(machine.systemId ? { systemId: machine.systemId } : {}), ...entry })));
  return {
    ...(unknown.length > 0 ? { unknown: unknown.slice(0, RECORDED_UNKNOWN) } : {}),
    ...(result.warnings.length > 0 ? { warnings: result.warnings.slice(0, RECORDED_WARNINGS).map((warning) => warning.slice(0, 300)) } : {}),
    outcome: result.outcome,
    ...(result.noAnswer ? { noAnswer: true } : {}),
    ...(result.errorKind ? { errorKind: result.errorKind } : {}),
    ...(result.message ? { message: result.message } : {}),
    requests: result.requests,
    bytes: result.bytes,
    ms: result.ms,
    tls,
    ...(basicAuthSince ? { basicAuthSince } : {}),
    at: new Date().toISOString(),
  };
}
