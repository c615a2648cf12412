// The landing page: the fleet's summary strip, the filter form, and one page of the machine table.
import type { Store } from '../registry/index.ts';
import * as format from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Notice } from './layout.ts';
import { cpuTopology, fleetSummary, listingPage, listingParams, PAGE_SIZES, STATUS_CHOICES, type FleetSummary, type ListedRow, type ListingQuery, type SortKey } from './listing.ts';
import { known, maasMachine } from './maas-json.ts';
import type { WebSession } from './session.ts';

const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'hostname', label: 'Host name' },
  { key: 'status', label: 'Status' },
  { key: 'owner', label: 'Owner' },
  { key: 'locked', label: 'Lock' },
  { key: 'power', label: 'Power' },
  { key: 'vendor', label: 'Vendor / model' },
  { key: 'cpu', label: 'CPU', numeric: true },
  { key: 'memory', label: 'Memory', numeric: true },
  { key: 'storage', label: 'Storage', numeric: true },
  { key: 'disks', label: 'Disks', numeric: true },
];

/** The href of the listing with some of the query changed. */
export function listingHref(query: ListingQuery, change: Partial<ListingQuery>): string {
  const params = listingParams({ ...query, ...change }).toString();
  return params ? `/?${params}` : '/';
}

function sortHeader(query: ListingQuery, key: SortKey, label: string, numeric = false): SafeHtml {
  const active = query.sort === key;
  const descending = active ? !query.descending : false;
  const arrow = active ? (query.descending ? ' ▼' : ' ▲') : '';
  const sortState = active ? (query.descending ? 'descending' : 'ascending') : 'none';
  return html`<th scope="col" aria-sort="${sortState}"${numeric ? html` class="num"` : ''}><a href="${listingHref(query, { sort: key, descending, page: 1 })}">${label}${arrow}</a></th>`;
}

function bmcHealth(row: ListedRow): SafeHtml {
  if (!row.bmc_address) return html`<span class="muted">—</span>`;
  if (row.bmc_outcome === 'failed') {
    return html`<a class="badge bad" href="/bmcs?q=${encodeURIComponent(row.bmc_address)}">failing${row.bmc_error_kind ? html` (${row.bmc_error_kind})` : ''}</a>`;
  }
  if (!row.bmc_outcome) return html`<span class="badge">not swept</span>`;
  return html`<span class="badge ok">ok</span>`;
}

/** "2 × 28" (sockets × cores per socket) over the thread count; MAAS's cpu_count alone before any push. */
function cpuCell(cpu: { sockets: number; cores: number } | undefined, threads: number): SafeHtml {
  if (!cpu) return html`${threads || '—'}`;
  const perSocket = cpu.cores / cpu.sockets;
  return html`${Number.isInteger(perSocket) ? `${cpu.sockets} × ${perSocket}` : `${cpu.sockets} sockets, ${cpu.cores} cores`}<div class="sub">${threads} threads</div>`;
}

function machineRow(store: Store, row: ListedRow, now: Date): SafeHtml {
  const machine = maasMachine(store, row);
  const info = machine.hardware_info;
  const vendor = [known(info.system_vendor), known(info.system_product)].filter(Boolean).join(' ');
  const cpu = cpuTopology(store, row.id);
  const macs = machine.interface_set.filter((iface) => iface.type === 'physical').map((iface) => iface.mac_address);
  const disks = machine.physicalblockdevice_set;
  const storageBytes = disks.reduce((sum, disk) => sum + disk.size, 0);
  return html`<tr>
  <td><a class="host" href="/machines/${row.system_id}">${machine.hostname}</a><div class="sub">${row.system_id}</div></td>
  <td><span class="status s${machine.status}">${machine.status_name}</span></td>
  <td>${machine.owner ?? html`<span class="muted">—</span>`}</td>
  <td>${machine.locked ? html`<span class="badge lock" title="Locked">locked</span>` : ''}</td>
  <td>${machine.power_type || html`<span class="muted">none</span>`}</td>
  <td class="vendor">${vendor || html`<span class="muted">unknown</span>`}</td>
  <td class="num">${cpuCell(cpu, machine.cpu_count)}</td>
  <td class="num">${format.memory(machine.memory)}</td>
  <td class="num">${format.size(storageBytes)}</td>
  <td class="num">${disks.length}</td>
  <td class="macs">${macs.length > 0 ? macs.map((mac) => html`<div>${mac}</div>`) : html`<span class="muted">none</span>`}</td>
  <td><time datetime="${machine.last_sync ?? ''}" title="${format.time(machine.last_sync)}">${format.ago(machine.last_sync, now)}</time></td>
  <td>${bmcHealth(row)}</td>
</tr>`;
}

function summaryStrip(summary: FleetSummary, query: ListingQuery): SafeHtml {
  return html`<section class="summary" aria-label="Fleet summary">
  <div class="card"><div class="figure">${summary.machines}</div><div>machines</div></div>
  <div class="card"><h2>By status</h2>${summary.byStatus.map(
    (entry) => html`<a class="chip" href="${listingHref(query, { statuses: [entry.status], page: 1 })}">${entry.name} <b>${entry.count}</b></a>`,
  )}</div>
  <div class="card"><h2>By vendor</h2>${summary.byVendor.map(
    (entry) => html`<a class="chip" href="${listingHref(query, { text: entry.vendor === 'Unknown' ? '' : entry.vendor, page: 1 })}">${entry.vendor} <b>${entry.count}</b></a>`,
  )}</div>
  <div class="card ${summary.bmcsFailing > 0 ? 'alarm' : ''}"><div class="figure">${summary.bmcsFailing}</div><div><a href="/bmcs?failing=1">BMCs failing</a> of ${summary.bmcs}</div></div>
</section>`;
}

// Status choices: the statuses machines are in, plus any already chosen.
function filterForm(query: ListingQuery, summary: FleetSummary): SafeHtml {
  const counts = new Map(summary.byStatus.map((entry) => [entry.status, entry.count]));
  const choices = STATUS_CHOICES.filter((status) => counts.has(status.number) || query.statuses.includes(status.number));
  return html`<form class="filters" method="get" action="/" role="search">
  <label>Filter <input type="search" name="q" value="${query.text}" placeholder="host name, MAC, serial, vendor"></label>
  <fieldset><legend>Status</legend>${choices.map(
    (status) => html`<label class="check"><input type="checkbox" name="status" value="${status.number}"${query.statuses.includes(status.number) ? html` checked` : ''}> ${status.name} <span class="muted">${counts.get(status.number) ?? 0}</span></label>`,
  )}</fieldset>
  ${query.sort !== 'hostname' ? html`<input type="hidden" name="sort" value="${query.sort}">` : ''}
  ${query.descending ? html`<input type="hidden" name="dir" value="desc">` : ''}
  <label>Per page <select name="size">${PAGE_SIZES.map((size) => html`<option value="${size}"${size === query.pageSize ? html` selected` : ''}>${size}</option>`)}</select></label>
  <button type="submit">Apply</button>
  ${query.text || query.statuses.length > 0 ? html`<a href="/">Clear</a>` : ''}
</form>`;
}

function pager(query: ListingQuery, page: number, pages: number, total: number): SafeHtml {
  const step = (target: number, label: string) =>
    target >= 1 && target <= pages && target !== page ? html`<a href="${listingHref(query, { page: target })}">${label}</a>` : html`<span class="muted">${label}</span>`;
  return html`<nav class="pager" aria-label="Pages">${step(1, '« First')} ${step(page - 1, '‹ Previous')}
  <span>Page ${page} of ${pages} · ${total} machine${total === 1 ? '' : 's'}</span>
  ${step(page + 1, 'Next ›')} ${step(pages, 'Last »')}</nav>`;
}

/** The machines page for a query. */
export function machinesPage(store: Store, session: WebSession, query: ListingQuery, options: { notice?: Notice; version?: string } = {}): SafeHtml {
  const now = store.now();
  const result = listingPage(store, query);
  const shown = { ...query, page: result.page };
  const summary = fleetSummary(store);
  return layout(
    { title: 'Machines', section: 'machines', session, ...options },
    html`<h1>Machines</h1>
${summaryStrip(summary, shown)}
${filterForm(shown, summary)}
${pager(shown, result.page, result.pages, result.total)}
<div class="scroll"><table class="machines">
<thead><tr>${COLUMNS.map((column) => sortHeader(shown, column.key, column.label, column.numeric))}<th scope="col">MACs</th>${sortHeader(shown, 'synced', 'Hardware updated')}${sortHeader(shown, 'bmc', 'BMC')}</tr></thead>
<tbody>
${result.rows.length > 0 ? result.rows.map((row) => machineRow(store, row, now)) : html`<tr><td colspan="13" class="empty">No machine matches.</td></tr>`}
</tbody>
</table></div>
${result.pages > 1 ? pager(shown, result.page, result.pages, result.total) : ''}`,
  );
}
