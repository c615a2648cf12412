// The BMCs page: every BMC the collector has swept (and configured ones it has not yet), with its
// last outcome, error class and message, requests and duration, TLS mode and pinned certificate.
// Addresses are paged in SQL; each shown BMC is read with the registry's bmcState.
import { bmcState, type BmcState, type Store } from '../registry/index.ts';
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

function bmcRow(store: Store, state: BmcState, now: Date): SafeHtml {
  const last = state.last;
  return html`<tr class="${last?.outcome === 'failed' ? 'failing' : ''}">
  <td><code>${state.address}</code></td>
  <td>${last ? html`<time datetime="${last.at}" title="${format.time(last.at)}">${format.ago(last.at, now)}</time>` : html`<span class="muted">never</span>`}</td>
  <td>${last ? html`<span class="badge ${last.outcome === 'failed' ? 'bad' : 'ok'}">${last.outcome}</span>` : '—'}${state.consecutiveFailures > 1 ? html`<div class="sub">${state.consecutiveFailures} failures in a row</div>` : ''}</td>
  <td>${last?.errorKind ?? ''}</td>
  <td class="message">${last?.message ?? ''}</td>
  <td class="num">${last ? html`${last.requests}<div class="sub">${format.transferred(last.bytes)}</div>` : ''}</td>
  <td class="num">${last ? format.duration(last.ms) : ''}</td>
  <td>${last?.tls ?? ''}</td>
  <td class="fingerprint">${state.pinnedFingerprint ? html`<code>${state.pinnedFingerprint}</code>` : html`<span class="muted">—</span>`}</td>
  <td>${machinesBehind(store, state)}</td>
</tr>`;
}

/** The BMCs page; `configured` are the addresses in the collector's configuration, when the caller knows them. */
export function bmcsPage(store: Store, session: WebSession, query: BmcQuery, options: { configured?: readonly string[]; version?: string } = {}): SafeHtml {
  const now = store.now();
  const result = bmcPage(store, query);
  const neverSwept = (options.configured ?? []).filter((address) => !bmcState(store, address));
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
<nav class="pager">${step(result.page - 1, '‹ Previous')} <span>Page ${result.page} of ${result.pages} · ${result.total} BMC${result.total === 1 ? '' : 's'}</span> ${step(result.page + 1, 'Next ›')}</nav>
<div class="scroll"><table class="bmcs">
<thead><tr><th>Address</th><th>Last sweep</th><th>Outcome</th><th>Error class</th><th>Message</th><th class="num">Requests</th><th class="num">Duration</th><th>TLS</th><th>Pinned certificate (SHA-256)</th><th>Machines</th></tr></thead>
<tbody>${result.states.length > 0 ? result.states.map((state) => bmcRow(store, state, now)) : html`<tr><td colspan="10" class="empty">No BMC has been swept${query.text || query.failingOnly ? ' that matches' : ' yet'}.</td></tr>`}</tbody>
</table></div>
${neverSwept.length > 0 ? html`<section class="panel"><h2>Configured, never swept</h2><p>${neverSwept.slice(0, 200).map((address) => html`<code>${address}</code> `)}${neverSwept.length > 200 ? `and ${neverSwept.length - 200} more` : ''}</p></section>` : ''}`,
  );
}
