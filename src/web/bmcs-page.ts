// The BMCs page: every BMC the collector has swept (and configured ones it has not yet), with its
// last outcome, error class and message, requests and duration, TLS mode and pinned certificate.
// Addresses are paged in SQL; each shown BMC is read with the registry's bmcState.
import { bmcState, type BmcState, type Store } from '../registry/index.ts';
import type { TlsPolicy } from '../redfish/tls.ts';
import * as format from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { WebSession } from './session.ts';

/** What the BMCs page shows. */
export interface BmcQuery {
  /** Part of an address. */
  readonly text: string;
  readonly failingOnly: boolean;
  /** 1-based. */
  readonly page: number;
}

/** A BMC from the collector's configuration as the page shows it: deliberately no credentials. */
export interface ConfiguredBmc {
  readonly name: string;
  readonly address: string;
  readonly tls: TlsPolicy['mode'];
  /** Expanded from a discovery range, where silence is expected. */
  readonly discovered?: boolean;
}

/** Configured BMCs listed at most under "never swept"; a /16 discovery range would be 65,534. */
const NEVER_SWEPT_SHOWN = 200;

/** BMCs per page. */
export const BMC_PAGE_SIZE = 100;

/** Reads the BMCs page's query (q, failing=1, page). */
export function parseBmcQuery(params: URLSearchParams): BmcQuery {
  const page = Number.parseInt(params.get('page') ?? '', 10);
  return { text: (params.get('q') ?? '').trim().slice(0, 200), failingOnly: params.get('failing') === '1', page: Number.isFinite(page) && page >= 1 ? page : 1 };
}

function hrefOf(query: BmcQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.text) params.set('q', query.text);
  if (query.failingOnly) params.set('failing', '1');
  if (page !== 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `/bmcs?${text}` : '/bmcs';
}

/** One page of BMC states, failing ones first, then by address. */
export function bmcPage(store: Store, query: BmcQuery): { states: BmcState[]; total: number; page: number; pages: number } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (query.text) {
    clauses.push("address LIKE ? ESCAPE '\\'");
    params.push(`%${query.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  }
  if (query.failingOnly) clauses.push("json_extract(outcome, '$.outcome') = 'failed'");
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const total = store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM bmc_state ${where}`, ...params)!.n;
  const pages = Math.max(1, Math.ceil(total / BMC_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const addresses = store.all<{ address: string }>(
    `SELECT address FROM bmc_state ${where} ORDER BY json_extract(outcome, '$.outcome') = 'failed' DESC, address LIMIT ? OFFSET ?`,
    ...params,
    BMC_PAGE_SIZE,
    (page - 1) * BMC_PAGE_SIZE,
  );
  return { states: addresses.map((row) => bmcState(store, row.address)!), total, page, pages };
}

function machinesBehind(store: Store, state: BmcState): SafeHtml {
  const ids = Object.values(state.systems);
  if (ids.length === 0) return html`<span class="muted">—</span>`;
  const rows = store.all<{ system_id: string; hostname: string }>(`SELECT system_id, hostname FROM machines WHERE system_id IN (${ids.map(() => '?').join(', ')}) ORDER BY hostname`, ...ids);
  return html`${rows.map((row) => html`<div><a href="/machines/${row.system_id}">${row.hostname}</a></div>`)}`;
}

function bmcRow(store: Store, state: BmcState, now: Date, configured: ConfiguredBmc | undefined): SafeHtml {
  const last = state.last;
  return html`<tr class="${last?.outcome === 'failed' ? 'failing' : ''}">
  <td><code>${state.address}</code>${configured && configured.name !== configured.address ? html`<div class="sub">${configured.name}</div>` : ''}</td>
  <td>${last ? html`<time datetime="${last.at}" title="${format.time(last.at)}">${format.ago(last.at, now)}</time>` : html`<span class="muted">never</span>`}</td>
  <td>${last ? html`<span class="badge ${last.outcome === 'failed' ? 'bad' : 'ok'}">${last.outcome}</span>` : '—'}${state.consecutiveFailures > 1 ? html`<div class="sub">${state.consecutiveFailures} failures in a row</div>` : ''}</td>
  <td>${last?.errorKind ?? ''}</td>
  <td class="message">${last?.message ?? ''}</td>
  <td class="num">${last ? html`${last.requests}<div class="sub">${format.transferred(last.bytes)}</div>` : ''}</td>
  <td class="num">${last ? format.duration(last.ms) : ''}</td>
  <td>${last?.tls ?? configured?.tls ?? ''}</td>
  <td class="fingerprint">${state.pinnedFingerprint ? html`<code>${state.pinnedFingerprint}</code>` : html`<span class="muted">—</span>`}</td>
  <td>${machinesBehind(store, state)}</td>
</tr>`;
}

// Configured BMCs with no sweep recorded, narrowed like the table (a failing filter leaves none).
function neverSwept(store: Store, configured: readonly ConfiguredBmc[], query: BmcQuery): ConfiguredBmc[] {
  if (query.failingOnly || configured.length === 0) return [];
  const swept = new Set(store.all<{ address: string }>('SELECT address FROM bmc_state').map((row) => row.address));
  const text = query.text.toLowerCase();
  return configured.filter((bmc) => !swept.has(bmc.address) && (!text || bmc.address.toLowerCase().includes(text) || bmc.name.toLowerCase().includes(text)));
}

function neverSweptPanel(list: readonly ConfiguredBmc[]): SafeHtml {
  if (list.length === 0) return html``;
  return html`<section class="panel"><h2>Configured, never swept (${list.length})</h2>
<div class="scroll"><table class="configured">
<thead><tr><th>Name</th><th>Address</th><th>TLS</th><th>Last sweep</th></tr></thead>
<tbody>${list.slice(0, NEVER_SWEPT_SHOWN).map(
    (bmc) => html`<tr><td>${bmc.name}${bmc.discovered ? html`<div class="sub">discovery range</div>` : ''}</td><td><code>${bmc.address}</code></td><td>${bmc.tls}</td><td><span class="muted">never</span></td></tr>`,
  )}</tbody>
</table></div>${list.length > NEVER_SWEPT_SHOWN ? html`<p class="muted">and ${list.length - NEVER_SWEPT_SHOWN} more</p>` : ''}</section>`;
}

/** The BMCs page; `configured` are the BMCs in the collector's configuration, when the caller knows them. */
export function bmcsPage(store: Store, session: WebSession, query: BmcQuery, options: { configured?: readonly ConfiguredBmc[]; version?: string } = {}): SafeHtml {
  const now = store.now();
  const result = bmcPage(store, query);
  const configured = options.configured ?? [];
  const byAddress = new Map(configured.map((bmc) => [bmc.address, bmc]));
  const unswept = neverSwept(store, configured, query);
  const step = (target: number, label: string) =>
    target >= 1 && target <= result.pages && target !== result.page ? html`<a href="${hrefOf(query, target)}">${label}</a>` : html`<span class="muted">${label}</span>`;
  return layout(
    { title: 'BMCs', section: 'bmcs', session, ...(options.version ? { version: options.version } : {}) },
    html`<h1>BMCs</h1>
<form class="filters" method="get" action="/bmcs" role="search">
  <label>Address <input type="search" name="q" value="${query.text}"></label>
  <label class="check"><input type="checkbox" name="failing" value="1"${query.failingOnly ? html` checked` : ''}> failing only</label>
  <button type="submit">Apply</button>${query.text || query.failingOnly ? html` <a href="/bmcs">Clear</a>` : ''}
</form>
<nav class="pager">${step(result.page - 1, '‹ Previous')} <span>Page ${result.page} of ${result.pages} · ${result.total} BMC${result.total === 1 ? '' : 's'} swept${configured.length > 0 ? ` · ${configured.length} configured` : ''}</span> ${step(result.page + 1, 'Next ›')}</nav>
<div class="scroll"><table class="bmcs">
<thead><tr><th>Address</th><th>Last sweep</th><th>Outcome</th><th>Error class</th><th>Message</th><th class="num">Requests</th><th class="num">Duration</th><th>TLS</th><th>Pinned certificate (SHA-256)</th><th>Machines</th></tr></thead>
<tbody>${result.states.length > 0 ? result.states.map((state) => bmcRow(store, state, now, byAddress.get(state.address))) : html`<tr><td colspan="10" class="empty">No BMC has been swept${query.text || query.failingOnly ? ' that matches' : ' yet'}.</td></tr>`}</tbody>
</table></div>
${neverSweptPanel(unswept)}`,
  );
}
