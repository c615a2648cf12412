// Prometheus metrics of the daemon (prom-client), and the small HTTP listener that serves them
// with a health check.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SECTION_NAMES } from '../inventory/model.ts';
import type { SweepReport } from './sweep.ts';

/** The daemon's metrics. */
export class SweepMetrics {
  readonly registry = new Registry();
  readonly #sweeps = new Counter({ name: 'redfish_enlist_sweeps_total', help: 'Sweeps completed', registers: [this.registry] });
  readonly #sweepFailures = new Counter({ name: 'redfish_enlist_sweep_failures_total', help: 'Sweeps that could not run at all (target or database unusable)', registers: [this.registry] });
  readonly #duration = new Histogram({
    name: 'redfish_enlist_sweep_duration_seconds',
    help: 'Wall time of a sweep',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly #outcomes = new Counter({ name: 'redfish_enlist_bmc_outcomes_total', help: 'BMC sweeps by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly #errors = new Counter({ name: 'redfish_enlist_bmc_errors_total', help: 'Failed BMC sweeps by error class', labelNames: ['kind'], registers: [this.registry] });
  readonly #requests = new Counter({ name: 'redfish_enlist_redfish_requests_total', help: 'Requests sent to BMCs', registers: [this.registry] });
  readonly #bytes = new Counter({ name: 'redfish_enlist_redfish_bytes_total', help: 'Bytes received from BMCs', registers: [this.registry] });
  readonly #lastSweep = new Gauge({ name: 'redfish_enlist_last_sweep_timestamp_seconds', help: 'When the last sweep finished', registers: [this.registry] });
  readonly #failing = new Gauge({ name: 'redfish_enlist_bmcs_failing', help: 'BMCs whose last sweep failed', registers: [this.registry] });
  readonly #bmcs = new Gauge({ name: 'redfish_enlist_bmcs', help: 'BMCs in the configuration', registers: [this.registry] });
  readonly #incomplete = new Gauge({ name: 'redfish_enlist_bmcs_incomplete', help: 'BMCs whose last sweep could not read a section of one of their machines', registers: [this.registry] });
  readonly #unknown = new Gauge({ name: 'redfish_enlist_sections_unknown', help: 'Machines whose section could not be read at the last sweep, by section', labelNames: ['section'], registers: [this.registry] });
  #lastSweepAt = 0;

  /** Counts a finished sweep. */
  record(report: SweepReport, configured: number): void {
    this.#sweeps.inc();
    this.#duration.observe(report.ms / 1000);
    for (const result of report.results) {
      this.#outcomes.inc({ outcome: result.outcome });
      if (result.outcome === 'failed') this.#errors.inc({ kind: result.errorKind ?? 'unknown' });
      this.#requests.inc(result.requests);
      this.#bytes.inc(result.bytes);
    }
    this.#lastSweepAt = Date.parse(report.finishedAt);
    this.#lastSweep.set(this.#lastSweepAt / 1000);
    this.#failing.set(report.totals.failed);
    const unknown = new Map<string, number>(SECTION_NAMES.map((name) => [name, 0]));
    let incomplete = 0;
    for (const result of report.results) {
      if (result.machines.some((machine) => machine.unknown && machine.unknown.length > 0)) incomplete++;
      for (const machine of result.machines) for (const name of new Set((machine.unknown ?? []).map((entry) => entry.section))) unknown.set(name, (unknown.get(name) ?? 0) + 1);
    }
    this.#incomplete.set(incomplete);
    for (const [section, count] of unknown) this.#unknown.set({ section }, count);
    this.#bmcs.set(configured);
  }

  /** Counts a sweep that could not run at all. */
  recordFailedSweep(): void {
    this.#sweepFailures.inc();
  }

  /** Time of the last finished sweep (ms since the epoch), 0 before the first. */
  get lastSweepAt(): number {
    return this.#lastSweepAt;
  }
}

/** Serves /metrics and /healthz; `healthy()` decides the health answer. */
export async function serveMetrics(metrics: SweepMetrics, listen: string, healthy: () => { ok: boolean; detail: string }): Promise<{ server: Server; url: string }> {
  const separator = listen.lastIndexOf(':');
  const host = listen.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(separator + 1));
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method === 'GET' && request.url === '/metrics') {
        const body = await metrics.registry.metrics();
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(body);
      } else if (request.method === 'GET' && request.url === '/healthz') {
        const { ok, detail } = healthy();
        response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
        response.end(`${ok ? 'ok' : 'unhealthy'}: ${detail}\n`);
      } else {
        response.writeHead(404).end();
      }
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}
