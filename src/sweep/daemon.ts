// The daemon: sweeps on a schedule without overlap, backs off BMCs that keep failing, reloads its
// configuration on SIGHUP, and on SIGTERM stops starting BMCs, lets those in flight finish (and
// log out), then exits. Metrics and a health check are served when the configuration says where.
import type { Server } from 'node:http';
import type { Store } from '../registry/store.ts';
import { listBmcStates, type BmcState } from '../registry/bmc-state.ts';
import type { BmcConfig, Config } from './config.ts';
import type { SweepMetrics } from './metrics.ts';
import { runSweep, settingsFromConfig, type Logger, type SweepReport, type SweepSettings } from './sweep.ts';
import type { Target } from './target.ts';

/** What the daemon needs from its caller. */
export interface DaemonOptions {
  /** Reads and checks the configuration (again, on SIGHUP); throws ConfigError on problems. */
  readonly loadConfig: () => Config;
  /** Opens the target and the collector's state store for a configuration. */
  readonly open: (config: Config) => { target: Target; state: Store; close: () => Promise<void> };
  readonly log: Logger;
  /** Extra sweep settings (producer, client overrides). */
  readonly sweep?: Partial<SweepSettings>;
  /** Stops the daemon (instead of SIGTERM, for tests and embedding). */
  readonly signal?: AbortSignal;
  /** After a stop request, how long in-flight BMCs may take before they are cancelled. @default 30000 */
  readonly graceMs?: number;
  /** Handles process signals (SIGTERM, SIGINT, SIGHUP). @default true */
  readonly handleSignals?: boolean;
  /** Called after each sweep. */
  readonly onSweep?: (report: SweepReport) => void;
  /** Random source for jitter. @default Math.random */
  readonly random?: () => number;
}

/** Longest wait before a failing BMC is tried again. */
const MAX_BACKOFF_MS = 24 * 3_600_000;

/** Whether a BMC is due this sweep: always unless it keeps failing, then after a growing wait. */
export function isDue(state: BmcState | undefined, intervalMs: number, now: number): boolean {
  if (!state || state.consecutiveFailures === 0 || !state.lastSweep) return true;
  const wait = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** (state.consecutiveFailures - 1));
  // A little slack so a BMC due "now" is not pushed to the next sweep by scheduling jitter.
  return now >= Date.parse(state.lastSweep) + wait - Math.min(wait / 10, 60_000);
}

/** The abort reason of a command stopped by a process signal (see cli/main.ts). */
export class ProcessSignal extends Error {
  override readonly name = 'ProcessSignal';
  readonly signal: 'SIGINT' | 'SIGTERM';

  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(signal);
    this.signal = signal;
  }
}

/** Runs sweeps until stopped; resolves after the last sweep has finished and every session is closed. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const log = options.log;
  const first = options.loadConfig();
  const running: Running = { config: first, opened: options.open(first) };
  const stop = new AbortController();
  const abort = new AbortController();
  const wake: Wake = { resolve: () => {} };
  // prom-client costs ~50 ms of CPU to load: only the daemon loads it, and only when it runs.
  const { SweepMetrics } = await import('./metrics.ts');
  const metrics: SweepMetrics = new SweepMetrics();
  let metricsServer: Server | undefined;
  let sweeping = false;

  const requestStop = (why: string) => {
    if (stop.signal.aborted) {
      abort.abort(new Error(`${why} again: cancelling BMCs in flight`));
      return;
    }
    log.info({ why }, 'stopping: no new BMCs; waiting for the ones in flight');
    stop.abort(new Error(why));
    wake.resolve();
    setTimeout(() => abort.abort(new Error(`${why}: grace period over`)), options.graceMs ?? 30_000).unref();
  };
  let reloadRequested = false;
  const onTerm = () => requestStop('SIGTERM');
  const onInt = () => requestStop('SIGINT');
  const onHup = () => {
    reloadRequested = true;
    if (!sweeping) wake.resolve();
  };
  if (options.handleSignals !== false) {
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
  }
  options.signal?.addEventListener(
    'abort',
    () => {
      // The CLI turns the same SIGTERM/SIGINT into this abort: it is not a second request, which
      // would cancel the BMCs in flight instead of letting them finish.
      if (options.handleSignals !== false && options.signal?.reason instanceof ProcessSignal) return;
      requestStop('stop requested');
    },
    { once: true },
  );

  try {
    metricsServer = await serveHealth(metrics, running, log);
    while (!stop.signal.aborted) {
      if (reloadRequested) {
        reloadRequested = false;
        await reload(running, options);
      }
      sweeping = true;
      await sweepOnce(running, options, metrics, { stop: stop.signal, abort: abort.signal }).finally(() => (sweeping = false));
      if (stop.signal.aborted) break;
      const config = running.config;
      await pause(Math.max(0, config.schedule.intervalMs + (2 * (options.random ?? Math.random)() - 1) * config.schedule.jitterMs), wake);
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    await running.opened.close();
    metricsServer?.closeAllConnections();
    await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
    log.info({}, 'stopped');
  }
}

/** The configuration in force and what is open for it; SIGHUP replaces both. */
interface Running {
  config: Config;
  opened: ReturnType<DaemonOptions['open']>;
}

/** Ends the wait between sweeps early (a stop request, a SIGHUP between sweeps). */
interface Wake {
  resolve: () => void;
}

// Metrics and the health check, when the configuration says where (staleness judged by the
// schedule in force, a reloaded one included).
async function serveHealth(metrics: SweepMetrics, running: Running, log: Logger): Promise<Server | undefined> {
  if (!running.config.daemon.listen) return undefined;
  const { serveMetrics } = await import('./metrics.ts');
  const served = await serveMetrics(metrics, running.config.daemon.listen, () => {
    const config = running.config;
    const stale = metrics.lastSweepAt > 0 && Date.now() - metrics.lastSweepAt > 2 * config.schedule.intervalMs + config.schedule.jitterMs + 600_000;
    return { ok: !stale, detail: metrics.lastSweepAt ? `last sweep ${new Date(metrics.lastSweepAt).toISOString()}` : 'first sweep under way' };
  });
  log.info({ url: served.url }, 'serving /metrics and /healthz');
  return served.server;
}

// A new configuration, checked before anything of the old one is closed; a bad one keeps the old.
async function reload(running: Running, options: DaemonOptions): Promise<void> {
  try {
    const next = options.loadConfig();
    await running.opened.close();
    running.config = next;
    running.opened = options.open(next);
    options.log.info({ bmcs: next.bmcs.length }, 'configuration reloaded');
  } catch (error) {
    options.log.error({ problems: (error as { problems?: string[] }).problems ?? [(error as Error).message] }, 'configuration not reloaded; keeping the previous one');
  }
}

// One sweep of the BMCs due: read (which are due) → sweep → record (metrics, the log line).
async function sweepOnce(running: Running, options: DaemonOptions, metrics: SweepMetrics, signals: { stop: AbortSignal; abort: AbortSignal }): Promise<void> {
  const { config, opened } = running;
  const log = options.log;
  try {
    const states = new Map(listBmcStates(opened.state).map((state) => [state.address, state]));
    const now = Date.now();
    const due: BmcConfig[] = config.bmcs.filter((bmc) => isDue(states.get(bmc.address), config.schedule.intervalMs, now));
    const report = await runSweep(due, opened.target, opened.state, { ...settingsFromConfig(config), log, ...options.sweep, stop: signals.stop, signal: signals.abort });
    metrics.record(report, config.bmcs.length);
    options.onSweep?.(report);
    log.info({ ...report.totals, noAnswer: report.results.filter((result) => result.noAnswer).length, bmcs: due.length, backingOff: config.bmcs.length - due.length, ms: report.ms }, 'sweep finished');
  } catch (error) {
    // A sweep that could not run at all (the target unreachable, its database full or locked):
    // the daemon stays up and tries again at the next interval.
    metrics.recordFailedSweep();
    log.error({ message: (error as Error)?.message ?? String(error) }, 'sweep could not run; trying again at the next interval');
  }
}

// The wait between sweeps, which `wake` can end early.
function pause(ms: number, wake: Wake): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake.resolve = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
