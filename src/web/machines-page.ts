// The landing page: the fleet's summary strip, the filter form, and one page of the machine table,
// one line per machine so that a screen shows 25 or more of a fleet of thousands: a machine's
// first MAC and "+N" (all of them on hover and on the machine page), vendor and model cut to the
// column with the whole text on hover. Columns an 800-px screen cannot hold are hidden there.
import type { Store } from '../registry/index.ts';
import * as format from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Notice } from './layout.ts';
import { cpuTopology, fleetSummary, listingPage, listingParams, PAGE_SIZES, STATUS_CHOICES, type FleetSummary, type ListedRow, type ListingQuery, type SortKey } from './listing.ts';
import { known, maasMachine } from './maas-json.ts';
import type { RecordedUnknown } from '../registry/index.ts';
import type { WebSession } from './session.ts';
import { describeUnknown, figure, parseUnknown, unknownFor } from './unknown.ts';

// Columns a narrower screen leaves out: `wide` below 1500 px, `medium` below 1100 px, `narrow`
// below 900 px (the lock then shows beside the status).
const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean; hide?: 'wide' | 'medium' | 'narrow' }[] = [
  { key: 'hostname', label: 'Host name' },
  { key: 'status', label: 'Status' },
  { key: 'owner', label: 'Owner', hide: 'wide' },
  { key: 'locked', label: 'Lock', hide: 'narrow' },
  { key: 'power', label: 'Power', hide: 'wide' },
  { key: 'vendor', label: 'Vendor / model' },
  { key: 'cpu', label: 'CPU', numeric: true },
  { key: 'memory', label: 'Memory', numeric: true },
  { key: 'storage', label: 'Storage', numeric: true },
  { key: 'disks', label: 'Disks', numeric: true, hide: 'medium' },
];

/** The href of the listing with some of the query changed. */
export function listingHref(query: ListingQuery, change: Partial<ListingQuery>): string {
  const params = listingParams({ ...query, ...change }).toString();
  return params ? `/?${params}` : '/';
}

function sortHeader(query: ListingQuery, key: SortKey, label: string, classes = ''): SafeHtml {
  const active = query.sort === key;
  const descending = active ? !query.descending : false;
  const arrow = active ? (query.descending ? ' ▼' : ' ▲') : '';
  const sortState = active ? (query.descending ? 'descending' : 'ascending') : 'none';
  return html`<th scope="col" aria-sort="${sortState}"${classes ? html` class="${classes}"` : ''}><a href="${listingHref(query, { sort: key, descending, page: 1 })}">${label}${arrow}</a></th>`;
}

function bmcHealth(row: ListedRow, unknown: readonly RecordedUnknown[]): SafeHtml {
  if (!row.bmc_address) return html`<span class="muted">—</span>`;
  if (row.bmc_outcome === 'failed') {
    return html`<a class="badge bad" href="/bmcs?q=${encodeURIComponent(row.bmc_address)}">failing${row.bmc_error_kind ? html` (${row.bmc_error_kind})` : ''}</a>`;
  }
  if (!row.bmc_outcome) return html`<span class="badge">not swept</span>`;
  // Read, but not all of it: the machine is incomplete, and the sections are named on hover.
  if (unknown.length > 0) return html`<a class="badge warn" href="/machines/${row.system_id}" title="${unknown.map(describeUnknown).join('\n')}">incomplete</a>`;
  return html`<span class="badge ok">ok</span>`;
}

/** "2 × 28" (sockets × cores per socket) and the thread count, on one line; MAAS's cpu_count alone before any push. */
function cpuCell(cpu: { sockets: number; cores: number | undefined } | undefined, threads: number): SafeHtml {
  if (!cpu) return html`${threads || '—'}`;
  if (cpu.cores === undefined) return html`<span title="${`${cpu.sockets} socket${cpu.sockets === 1 ? '' : 's'}, cores unknown, ${threads} threads`}">${threads} <span class="sub">threads</span></span>`;
  const perSocket = cpu.cores / cpu.sockets;
  const layout = Number.isInteger(perSocket) ? `${cpu.sockets} × ${perSocket}` : `${cpu.sockets} sockets, ${cpu.cores} cores`;
  return html`<span title="${`${cpu.sockets} socket${cpu.sockets === 1 ? '' : 's'}, ${cpu.cores} cores, ${threads} threads`}">${layout} <span class="sub">· ${threads} threads</span></span>`;
}

/** The first MAC and "+N"; every MAC in the cell's title (hover), and on the machine page. */
function macsCell(macs: readonly string[]): SafeHtml {
  if (macs.length === 0) return html`<td class="macs narrow"><span class="muted">none</span></td>`;
  return html`<td class="macs narrow" title="${macs.join('\n')}"><code>${macs[0]}</code>${macs.length > 1 ? html` <span class="more">+${macs.length - 1}</span>` : ''}</td>`;
}

function machineRow(store: Store, row: ListedRow, now: Date): SafeHtml {
  const machine = maasMachine(store, row);
  const info = machine.hardware_info;
  const vendor = [known(info.system_vendor), known(info.system_product)].filter(Boolean).join(' ');
  const cpu = cpuTopology(store, row.id);
  const macs = machine.interface_set.filter((iface) => iface.type === 'physical').map((iface) => iface.mac_address);
  const disks = machine.physicalblockdevice_set;
  const storageBytes = disks.reduce((sum, disk) => sum + disk.size, 0);
  // Nothing was ever pushed: no figure is shown as if it were one (0 disks, 0 threads). The
  // registry's own time of the last push: MAAS's `last_sync` is cleared when a machine is released.
  const bare = row.last_sync === null;
  const none = html`<span class="muted">—</span>`;
  const unknown = unknownFor(parseUnknown(row.bmc_unknown), row.system_id);
  return html`<tr>
  <td><a class="host" href="/machines/${row.system_id}">${machine.hostname}</a> <span class="sub">${row.system_id}</span></td>
  <td><span class="status s${machine.status}">${machine.status_name}</span>${machine.locked ? html` <span class="badge lock narrow-only">locked</span>` : ''}</td>
  <td class="wide">${machine.owner ?? none}</td>
  <td class="narrow">${machine.locked ? html`<span class="badge lock" title="Locked">locked</span>` : ''}</td>
  <td class="wide">${machine.power_type || html`<span class="muted">none</span>`}</td>
  <td class="vendor" title="${vendor}">${vendor || html`<span class="muted">${bare ? 'no hardware information yet' : 'unknown'}</span>`}</td>
  <td class="num">${bare ? none : figure(unknown, 'cpu', cpuCell(cpu, machine.cpu_count), machine.cpu_count === 0)}</td>
  <td class="num">${figure(unknown, 'memory', format.memory(machine.memory), machine.memory === 0)}</td>
  <td class="num">${figure(unknown, 'storage', format.size(storageBytes), disks.length === 0)}</td>
  <td class="num medium">${bare ? none : figure(unknown, 'storage', String(disks.length), disks.length === 0, { short: true })}</td>
  ${macsCell(macs)}
  <td class="medium"><time datetime="${row.last_sync ?? ''}" title="${format.time(row.last_sync)}">${format.ago(row.last_sync, now)}</time></td>
  <td>${bmcHealth(row, unknown)}</td>
</tr>`;
}

// One strip: the count, machines by status and by vendor (each a filter; the chosen one marked,
// choosing it again clears it), and the BMCs failing.
function summaryStrip(summary: FleetSummary, query: ListingQuery): SafeHtml {
  const statusChip = (entry: FleetSummary['byStatus'][number]) => {
    const chosen = query.statuses.length === 1 && query.statuses[0] === entry.status;
    return html`<a class="chip${chosen ? ' chosen' : ''}" href="${listingHref(query, { statuses: chosen ? [] : [entry.status], page: 1 })}"${chosen ? html` aria-current="true"` : ''}>${entry.name} <b>${entry.count}</b></a>`;
  };
  const vendorChip = (entry: FleetSummary['byVendor'][number]) => {
    const chosen = query.vendor === entry.vendor;
    return html`<a class="chip${chosen ? ' chosen' : ''}" href="${listingHref(query, { vendor: chosen ? '' : entry.vendor, page: 1 })}"${chosen ? html` aria-current="true"` : ''}>${entry.vendor} <b>${entry.count}</b></a>`;
  };
  return html`<section class="summary" aria-label="Fleet summary">
  <span class="total"><b>${summary.machines}</b> machines</span>
  <span class="group" aria-label="By status">${summary.byStatus.map(statusChip)}</span>
  <span class="group" aria-label="By vendor">${summary.byVendor.map(vendorChip)}</span>
  <a class="bmc-health${summary.bmcsFailing > 0 ? ' alarm' : ''}" href="/bmcs?failing=1"><b>${summary.bmcsFailing}</b> BMCs failing of ${summary.bmcs}</a>${summary.bmcsIncomplete > 0 ? html` <a class="bmc-health incomplete" href="/bmcs"><b>${summary.bmcsIncomplete}</b> incomplete</a>` : ''}
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
  ${query.vendor ? html`<input type="hidden" name="vendor" value="${query.vendor}">` : ''}
  ${query.sort !== 'hostname' ? html`<input type="hidden" name="sort" value="${query.sort}">` : ''}
  ${query.descending ? html`<input type="hidden" name="dir" value="desc">` : ''}
  <label>Per page <select name="size">${PAGE_SIZES.map((size) => html`<option value="${size}"${size === query.pageSize ? html` selected` : ''}>${size}</option>`)}</select></label>
  <button type="submit">Apply</button>
  ${query.text || query.statuses.length > 0 || query.vendor ? html`<a href="/">Clear</a>` : ''}
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
<thead><tr>${COLUMNS.map((column) => sortHeader(shown, column.key, column.label, [column.numeric ? 'num' : '', column.hide ?? ''].filter(Boolean).join(' ')))}<th scope="col" class="narrow">MACs</th>${sortHeader(shown, 'synced', 'Hardware updated', 'medium')}${sortHeader(shown, 'bmc', 'BMC')}</tr></thead>
<tbody>
${result.rows.length > 0 ? result.rows.map((row) => machineRow(store, row, now)) : html`<tr><td colspan="13" class="empty">No machine matches.</td></tr>`}
</tbody>
</table></div>
${result.pages > 1 ? pager(shown, result.page, result.pages, result.total) : ''}`,
  );
}
