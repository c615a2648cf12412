// The BMCs page: every BMC the collector has swept (and configured ones it has not yet), with its
// last outcome, error class and message, requests and duration, TLS mode and pinned certificate.
// Columns sort; long messages and fingerprints fold (opened in place, no script); the addresses of
// discovery ranges where nothing answered are one line, listed on request. Addresses are sorted and
// paged in SQL; each shown BMC is read with the registry's bmcState.
import { bmcState, type BmcState, type Store } from '../registry/index.ts';
import type { TlsPolicy } from '../redfish/tls.ts';
import * as format from './format.ts';
import { breakingBetweenBytes, html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { WebSession } from './session.ts';
import { describeUnknown } from './unknown.ts';

/** Columns the BMCs page sorts by; `health` (failing first, then by address) is the default. */
export type BmcSortKey = 'health' | 'address' | 'swept' | 'outcome' | 'error' | 'requests' | 'duration' | 'tls';

// The SQL behind each sort key: constants chosen by key, never built from the request.
const BMC_SORT_SQL: Readonly<Record<BmcSortKey, string>> = {
  health: "CASE WHEN json_extract(outcome, '$.outcome') = 'failed' THEN 0 WHEN json_array_length(outcome, '$.unknown') > 0 THEN 1 ELSE 2 END",
  address: 'address',
  swept: "COALESCE(json_extract(outcome, '$.at'), '')",
  outcome: "COALESCE(json_extract(outcome, '$.outcome'), '')",
  error: "COALESCE(json_extract(outcome, '$.errorKind'), '')",
  requests: "COALESCE(json_extract(outcome, '$.requests'), 0)",
  duration: "COALESCE(json_extract(outcome, '$.ms'), 0)",
  tls: "COALESCE(json_extract(outcome, '$.tls'), '')",
};

const NO_ANSWER = "json_extract(outcome, '$.noAnswer') = 1";

/** What the BMCs page shows. */
export interface BmcQuery {
  /** Part of an address. */
  readonly text: string;
  readonly failingOnly: boolean;
  /** The addresses of discovery ranges where nothing answered, instead of the BMCs. */
  readonly silentOnly: boolean;
  readonly sort: BmcSortKey;
  readonly descending: boolean;
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

/** The BMCs page with nothing chosen. */
export const DEFAULT_BMC_QUERY: BmcQuery = { text: '', failingOnly: false, silentOnly: false, sort: 'health', descending: false, page: 1 };

/** Reads the BMCs page's query (q, failing=1, silent=1, sort, dir, page); junk falls back to defaults. */
export function parseBmcQuery(params: URLSearchParams): BmcQuery {
  const page = Number.parseInt(params.get('page') ?? '', 10);
  const sort = params.get('sort') as BmcSortKey | null;
  return {
    text: (params.get('q') ?? '').trim().slice(0, 200),
    failingOnly: params.get('failing') === '1',
    silentOnly: params.get('silent') === '1',
    sort: sort && Object.hasOwn(BMC_SORT_SQL, sort) ? sort : DEFAULT_BMC_QUERY.sort,
    descending: params.get('dir') === 'desc',
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

/** The href of the BMCs page with some of the query changed. */
export function bmcsHref(query: BmcQuery, change: Partial<BmcQuery>): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.text) params.set('q', next.text);
  if (next.failingOnly) params.set('failing', '1');
  if (next.silentOnly) params.set('silent', '1');
  if (next.sort !== DEFAULT_BMC_QUERY.sort) params.set('sort', next.sort);
  if (next.descending) params.set('dir', 'desc');
  if (next.page !== 1) params.set('page', String(next.page));
  const text = params.toString();
  return text ? `/bmcs?${text}` : '/bmcs';
}

/** One page of BMC states in the query's order (address breaks ties), and how many addresses did not answer. */
export function bmcPage(store: Store, query: BmcQuery): { states: BmcState[]; total: number; page: number; pages: number; silent: number } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (query.text) {
    clauses.push("address LIKE ? ESCAPE '\\'");
    params.push(`%${query.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  }
  if (query.failingOnly) clauses.push("json_extract(outcome, '$.outcome') = 'failed'");
  const matching = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const silent = store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM bmc_state ${matching ? `${matching} AND` : 'WHERE'} ${NO_ANSWER}`, ...params)!.n;
  clauses.push(query.silentOnly ? NO_ANSWER : `${NO_ANSWER} IS NOT 1`);
  const where = `WHERE ${clauses.join(' AND ')}`;
  const total = store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM bmc_state ${where}`, ...params)!.n;
  const pages = Math.max(1, Math.ceil(total / BMC_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const direction = query.descending ? 'DESC' : 'ASC';
  const addresses = store.all<{ address: string }>(
    `SELECT address FROM bmc_state ${where} ORDER BY ${BMC_SORT_SQL[query.sort]} ${direction}, address ${direction} LIMIT ? OFFSET ?`,
    ...params,
    BMC_PAGE_SIZE,
    (page - 1) * BMC_PAGE_SIZE,
  );
  return { states: addresses.map((row) => bmcState(store, row.address)!), total, page, pages, silent };
}

/** Messages longer than this are folded to their first words. */
export const FOLD_AT = 90;

/** A long message folded to its first words (whole words), opened in place; a fingerprint in it breaks only between bytes. */
export function folded(text: string): SafeHtml {
  if (text.length <= FOLD_AT) return breakingBetweenBytes(text);
  let short = '';
  for (const word of text.split(' ')) {
    if ((short ? short.length + 1 : 0) + word.length > FOLD_AT - 10) break;
    short = short ? `${short} ${word}` : word;
  }
  return html`<details class="fold"><summary><span class="short">${short || text.slice(0, FOLD_AT - 10)} <span class="more">… more</span></span><span class="less">less</span></summary>${breakingBetweenBytes(text)}</details>`;
}

/** A SHA-256 fingerprint: its first four bytes, opened in place to all 32, which break only after a colon. */
export function fingerprint(value: string): SafeHtml {
  const bytes = value.split(':');
  return html`<details class="fold fingerprint"><summary><span class="short"><code>${bytes.slice(0, 4).join(':')}</code> <span class="more">…</span></span><span class="less">hide</span></summary><code class="full">${breakingBetweenBytes(value)}</code></details>`;
}

function machinesBehind(store: Store, state: BmcState): SafeHtml {
  const ids = Object.values(state.systems);
  if (ids.length === 0) return html`<span class="muted">—</span>`;
  const rows = store.all<{ system_id: string; hostname: string }>(`SELECT system_id, hostname FROM machines WHERE system_id IN (${ids.map(() => '?').join(', ')}) ORDER BY hostname`, ...ids);
  return html`${rows.map((row) => html`<div><a href="/machines/${row.system_id}">${row.hostname}</a></div>`)}`;
}

// The last sweep's message; else what it could not read, section by section; else its first warning.
function messageOf(last: BmcState['last']): SafeHtml | string {
  if (!last) return '';
  if (last.message) return folded(last.message);
  if (last.unknown?.length) return folded(last.unknown.map(describeUnknown).join('; '));
  return last.warnings?.length ? folded(`warning: ${last.warnings[0]}`) : '';
}

function bmcRow(store: Store, state: BmcState, now: Date, configured: ConfiguredBmc | undefined): SafeHtml {
  const last = state.last;
  return html`<tr class="${last?.outcome === 'failed' ? 'failing' : ''}">
  <td><code>${state.address}</code>${configured && configured.name !== configured.address ? html`<div class="sub">${configured.name}</div>` : ''}</td>
  <td class="narrow">${last ? html`<time datetime="${last.at}" title="${format.time(last.at)}">${format.ago(last.at, now)}</time>` : html`<span class="muted">never</span>`}</td>
  <td class="outcome">${last ? html`<span class="badge ${last.outcome === 'failed' ? 'bad' : 'ok'}">${last.outcome}</span>` : '—'}${last?.errorKind ? html` <span class="narrow-only">${last.errorKind}</span>` : ''}${last?.unknown?.length && last.outcome !== 'failed' ? html` <span class="badge warn" title="${last.unknown.map(describeUnknown).join('\n')}">incomplete</span>` : ''}${state.consecutiveFailures > 1 ? html` <span class="sub">${state.consecutiveFailures} failures in a row</span>` : ''}</td>
  <td class="narrow">${last?.errorKind ?? ''}</td>
  <td class="message">${messageOf(last)}</td>
  <td class="num detail">${last ? html`${last.requests} <span class="sub">${format.transferred(last.bytes)}</span>` : ''}</td>
  <td class="num detail">${last ? format.duration(last.ms) : ''}</td>
  <td class="detail">${last?.tls ?? configured?.tls ?? ''}</td>
  <td class="fingerprint detail">${state.pinnedFingerprint ? fingerprint(state.pinnedFingerprint) : html`<span class="muted">—</span>`}</td>
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

// Configured BMCs never swept, by name; addresses of discovery ranges not probed yet are counted,
// not listed: a /16 range would be 65,534 rows.
function neverSweptPanel(list: readonly ConfiguredBmc[]): SafeHtml {
  const named = list.filter((bmc) => !bmc.discovered);
  const discovered = list.length - named.length;
  if (list.length === 0) return html``;
  return html`<section class="panel"><h2>Configured, never swept (${list.length})</h2>
${named.length > 0 ? html`<div class="scroll"><table class="configured">
<thead><tr><th>Name</th><th>Address</th><th>TLS</th><th>Last sweep</th></tr></thead>
<tbody>${named.slice(0, NEVER_SWEPT_SHOWN).map(
    (bmc) => html`<tr><td>${bmc.name}</td><td><code>${bmc.address}</code></td><td>${bmc.tls}</td><td><span class="muted">never</span></td></tr>`,
  )}</tbody>
</table></div>${named.length > NEVER_SWEPT_SHOWN ? html`<p class="muted">and ${named.length - NEVER_SWEPT_SHOWN} more</p>` : ''}` : ''}
${discovered > 0 ? html`<p class="muted">${discovered} address${discovered === 1 ? '' : 'es'} of discovery ranges not probed yet.</p>` : ''}</section>`;
}

// Columns a narrower screen leaves out, as the machine listing does: `detail` below 1400 px,
// `narrow` below 900 px (the error class then shows beside the outcome).
const BMC_COLUMNS: readonly { key?: BmcSortKey; label: string; title?: string; numeric?: boolean; hide?: 'detail' | 'narrow'; wraps?: boolean }[] = [
  { key: 'address', label: 'Address' },
  { key: 'swept', label: 'Last sweep', hide: 'narrow' },
  { key: 'outcome', label: 'Outcome' },
  { key: 'error', label: 'Error class', hide: 'narrow' },
  { label: 'Message' },
  { key: 'requests', label: 'Requests', numeric: true, hide: 'detail' },
  { key: 'duration', label: 'Duration', numeric: true, hide: 'detail' },
  { key: 'tls', label: 'TLS', hide: 'detail' },
  { label: 'Pinned certificate', title: 'SHA-256 fingerprint of the certificate pinned on first use', hide: 'detail', wraps: true },
  { label: 'Machines' },
];

function bmcHeader(query: BmcQuery, column: (typeof BMC_COLUMNS)[number]): SafeHtml {
  const classes = [column.numeric ? 'num' : '', column.hide ?? '', column.wraps ? 'wraps' : ''].filter(Boolean).join(' ');
  const numeric = html`${classes ? html` class="${classes}"` : ''}${column.title ? html` title="${column.title}"` : ''}`;
  if (!column.key) return html`<th scope="col"${numeric}>${column.label}</th>`;
  const active = query.sort === column.key;
  const state = active ? (query.descending ? 'descending' : 'ascending') : 'none';
  const href = bmcsHref(query, { sort: column.key, descending: active ? !query.descending : false, page: 1 });
  return html`<th scope="col" aria-sort="${state}"${numeric}><a href="${href}">${column.label}${active ? (query.descending ? ' ▼' : ' ▲') : ''}</a></th>`;
}

/** The BMCs page; `configured` are the BMCs in the collector's configuration, when the caller knows them. */
export function bmcsPage(store: Store, session: WebSession, query: BmcQuery, options: { configured?: readonly ConfiguredBmc[]; version?: string } = {}): SafeHtml {
  const now = store.now();
  const result = bmcPage(store, query);
  const configured = options.configured ?? [];
  const byAddress = new Map(configured.map((bmc) => [bmc.address, bmc]));
  const unswept = neverSwept(store, configured, query);
  const step = (target: number, label: string) =>
    target >= 1 && target <= result.pages && target !== result.page ? html`<a href="${bmcsHref(query, { page: target })}">${label}</a>` : html`<span class="muted">${label}</span>`;
  const what = query.silentOnly ? `address${result.total === 1 ? '' : 'es'} of discovery ranges that did not answer` : `BMC${result.total === 1 ? '' : 's'} swept`;
  const silentLine =
    result.silent > 0 && !query.silentOnly
      ? html`<p class="silent">${result.silent} address${result.silent === 1 ? '' : 'es'} of discovery ranges did not answer at ${result.silent === 1 ? 'its' : 'their'} last sweep. <a href="${bmcsHref(query, { silentOnly: true, failingOnly: false, page: 1 })}">List them</a></p>`
      : query.silentOnly
        ? html`<p class="silent"><a href="${bmcsHref(query, { silentOnly: false, page: 1 })}">Back to the BMCs</a></p>`
        : '';
  return layout(
    { title: 'BMCs', section: 'bmcs', session, ...(options.version ? { version: options.version } : {}) },
    html`<h1>BMCs</h1>
<form class="filters" method="get" action="/bmcs" role="search">
  <label>Address <input type="search" name="q" value="${query.text}"></label>
  <label class="check"><input type="checkbox" name="failing" value="1"${query.failingOnly ? html` checked` : ''}> failing only</label>
  ${query.silentOnly ? html`<input type="hidden" name="silent" value="1">` : ''}
  ${query.sort !== DEFAULT_BMC_QUERY.sort ? html`<input type="hidden" name="sort" value="${query.sort}">` : ''}
  ${query.descending ? html`<input type="hidden" name="dir" value="desc">` : ''}
  <button type="submit">Apply</button>${query.text || query.failingOnly || query.silentOnly ? html` <a href="/bmcs">Clear</a>` : ''}
</form>
${silentLine}
<nav class="pager" aria-label="Pages">${step(result.page - 1, '‹ Previous')} <span>Page ${result.page} of ${result.pages} · ${result.total} ${what}${configured.length > 0 ? ` · ${configured.length} configured` : ''}</span> ${step(result.page + 1, 'Next ›')}</nav>
<div class="scroll"><table class="bmcs">
<thead><tr>${BMC_COLUMNS.map((column) => bmcHeader(query, column))}</tr></thead>
<tbody>${result.states.length > 0 ? result.states.map((state) => bmcRow(store, state, now, byAddress.get(state.address))) : html`<tr><td colspan="10" class="empty">No BMC has been swept${query.text || query.failingOnly ? ' that matches' : ' yet'}.</td></tr>`}</tbody>
</table></div>
${neverSweptPanel(unswept)}`,
  );
}
