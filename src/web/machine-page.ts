// The machine page: identity, last sweep, hardware as MAAS shows it (with DIMMs and drive media
// from the collector's inventory when there is one), the raw document, the history timeline and
// the lifecycle actions the model allows.
import type { HardwareInventory } from '../inventory/model.ts';
import * as format from './format.ts';
import { breakingBetweenBytes, html, type Interpolation, type SafeHtml } from './html.ts';
import { layout, type Notice } from './layout.ts';
import { known, type MaasBlockDevice } from './maas-json.ts';
import type { MachineView } from './machine-view.ts';
import type { WebSession } from './session.ts';
import { describeUnknown } from './unknown.ts';

function facts(rows: readonly [string, Interpolation][]): SafeHtml {
  return html`<dl class="facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value === undefined || value === null || value === '' ? html`<span class="muted">—</span>` : value}</dd>`)}</dl>`;
}

function identity(view: MachineView): SafeHtml {
  const { machine, inventory, power } = view;
  const info = machine.hardware_info;
  const id = inventory?.identity;
  return html`<section class="panel"><h2>Identity</h2>${facts([
    ['System ID', html`<code>${machine.system_id}</code>`],
    ['Hardware UUID', machine.hardware_uuid ? html`<code>${machine.hardware_uuid}</code>` : undefined],
    ['Serial', known(info.system_serial) ?? id?.serial],
    ['Service tag', id?.serviceTag],
    ['SKU', known(info.system_sku) ?? id?.sku],
    ['Asset tag', id?.assetTag ?? inventory?.chassis.assetTag],
    ['Vendor', known(info.system_vendor)],
    ['Model', known(info.system_product)],
    ['Host name reported by the BMC', id?.hostName],
    ['Architecture', machine.architecture],
    ['Power type', machine.power_type || 'none'],
    ['BMC address', power.address ? html`<a href="/bmcs?q=${encodeURIComponent(power.address)}">${power.address}</a>` : undefined],
    ['Redfish system', power.nodeId],
    ['Owner', machine.owner],
    ['Locked', machine.locked ? 'yes' : 'no'],
  ])}</section>`;
}

function lastSweep(view: MachineView, now: Date): SafeHtml {
  const bmc = view.bmc;
  if (!bmc?.last) return html`<section class="panel"><h2>Last sweep</h2><p class="muted">This machine's BMC has not been swept${view.power.address ? '' : ' (no BMC address is known)'}.</p></section>`;
  const last = bmc.last;
  return html`<section class="panel"><h2>Last sweep</h2>${facts([
    ['Outcome', html`<span class="badge ${last.outcome === 'failed' ? 'bad' : 'ok'}">${last.outcome}</span>${view.unknown.length > 0 ? html` <span class="badge warn">incomplete</span>` : ''}`],
    ['Unknown sections', view.unknown.length > 0 ? html`${view.unknown.map((entry) => html`<div class="unknown">${describeUnknown(entry)}</div>`)}` : undefined],
    ['Error class', last.errorKind],
    ['Message', last.message ? breakingBetweenBytes(last.message) : undefined],
    ['When', html`${format.time(last.at)} <span class="muted">(${format.ago(last.at, now)})</span>`],
    ['Consecutive failures', bmc.consecutiveFailures],
    ['Last success', format.time(bmc.lastSuccess)],
    ['Requests', html`${last.requests} (${format.transferred(last.bytes)}) in ${format.duration(last.ms)}`],
    ['TLS', last.tls],
  ])}</section>`;
}

// What the last sweep could not read of a section, said where the section is shown: its figures are
// an earlier sweep's, or there are none (never "0 disks").
function unknownNote(view: MachineView, section: string): SafeHtml | undefined {
  const entry = view.unknown.find((candidate) => candidate.section === section);
  if (!entry) return undefined;
  const name = section === 'cpu' ? 'CPU' : `${section[0]!.toUpperCase()}${section.slice(1)}`;
  const cause = `${entry.kind}${entry.path ? ` at ${entry.path}` : ''}`;
  return html`<p class="unknown-note">${name} unknown: ${cause} — ${entry.keptFrom ? `showing what the sweep of ${format.time(entry.keptFrom)} read` : 'the last sweep could not read it'}.</p>`;
}

function cpus(view: MachineView): SafeHtml {
  const { machine, inventory, cpu } = view;
  const note = unknownNote(view, 'cpu');
  if (note && machine.cpu_count === 0) return html`<h3>CPU</h3>${note}`;
  const summary = html`${note ?? ''}<p>${known(machine.hardware_info.cpu_model) ?? 'CPU'}: ${cpu ? `${cpu.sockets} socket${cpu.sockets === 1 ? '' : 's'}, ${cpu.cores === undefined ? 'cores unknown' : `${cpu.cores} cores`}, ` : ''}${machine.cpu_count} threads${machine.cpu_speed ? ` at ${(machine.cpu_speed / 1000).toFixed(2)} GHz` : ''}</p>`;
  if (!inventory || inventory.cpus.length === 0) return html`<h3>CPU</h3>${summary}`;
  return html`<h3>CPU</h3>${summary}<div class="scroll"><table><thead><tr><th>Socket</th><th>Model</th><th class="num">Cores</th><th class="num">Threads</th><th class="num">Speed</th></tr></thead><tbody>${inventory.cpus.map(
    (entry) => html`<tr><td>${entry.socket}</td><td>${entry.model ?? ''}</td><td class="num">${entry.cores || '—'}</td><td class="num">${entry.threads || '—'}</td><td class="num">${cpuSpeed(entry)}</td></tr>`,
  )}</tbody></table></div>`;
}

// The speed a socket runs at; a BMC that gives only the turbo figure has it shown as the maximum.
function cpuSpeed(cpu: { readonly speedMHz?: number; readonly maxSpeedMHz?: number }): string {
  if (cpu.speedMHz) return `${cpu.speedMHz} MHz`;
  return cpu.maxSpeedMHz ? `max ${cpu.maxSpeedMHz} MHz` : '—';
}

function dimms(view: MachineView): SafeHtml {
  const note = unknownNote(view, 'memory');
  const total = view.machine.memory;
  const count = view.inventory?.memory.dimms.length ?? 0;
  // Unknown, and no DIMM kept from an earlier sweep: a total can only be the system's summary's.
  if (note && (total === 0 || (view.inventory && count === 0))) {
    return html`<h3>Memory</h3>${note}${total > 0 ? html`<p>${format.memory(total)} in total, as the system's summary gives it; no DIMM is known.</p>` : ''}`;
  }
  const heading = html`<h3>Memory</h3>${note ?? ''}<p>${format.memory(total)}${count > 0 ? ` in ${count} DIMM${count === 1 ? '' : 's'}` : ''}</p>`;
  if (!view.inventory || count === 0) {
    return html`${heading}<p class="muted">DIMM details come from the BMC's inventory; ${view.inventory ? 'the BMC reported only a total' : 'none is stored for this machine'}.</p>`;
  }
  const bySlot = [...view.inventory.memory.dimms].sort((a, b) => a.slot.localeCompare(b.slot, 'en', { numeric: true }));
  return html`${heading}<div class="scroll"><table class="dimms"><thead><tr><th>Slot</th><th class="num">Size</th><th>Type</th><th class="num">Speed</th><th>Manufacturer</th><th>Part number</th><th>Serial</th></tr></thead><tbody>${bySlot.map(
    (dimm) => html`<tr><td>${dimm.slot}</td><td class="num">${format.memory(dimm.sizeMiB)}</td><td>${dimm.type ?? ''}</td><td class="num">${dimm.speedMHz ? `${dimm.speedMHz} MHz` : ''}</td><td>${dimm.manufacturer ?? ''}</td><td>${dimm.partNumber ?? ''}</td><td><code>${dimm.serial ?? ''}</code></td></tr>`,
  )}</tbody></table></div>`;
}

// Media as MAAS tags it (ssd / rotary + rpm), refined by the inventory's drive when serials match.
function media(disk: MaasBlockDevice, inventory: HardwareInventory | undefined): string {
  const drive = inventory?.drives.find((entry) => entry.serial && entry.serial === disk.serial);
  const rpm = disk.tags.find((tag) => /^\d+rpm$/.test(tag));
  const kind = drive ? { ssd: 'SSD', hdd: 'HDD', unknown: '' }[drive.media] : disk.tags.includes('ssd') ? 'SSD' : disk.tags.includes('rotary') ? 'HDD' : '';
  const parts = [kind, drive?.protocol?.toUpperCase() ?? disk.tags.find((tag) => ['sata', 'sas', 'nvme', 'usb'].includes(tag))?.toUpperCase(), rpm].filter(Boolean);
  return parts.join(' · ') || '—';
}

function disks(view: MachineView): SafeHtml {
  const list = view.machine.physicalblockdevice_set;
  const total = list.reduce((sum, disk) => sum + disk.size, 0);
  const note = unknownNote(view, 'storage');
  if (note && list.length === 0) return html`<h3>Storage</h3>${note}`;
  return html`<h3>Storage</h3>${note ?? ''}<p>${format.size(total)} in ${list.length} disk${list.length === 1 ? '' : 's'}</p>${
    list.length === 0
      ? ''
      : html`<div class="scroll"><table class="disks"><thead><tr><th>Name</th><th>Model</th><th>Serial</th><th class="num">Size</th><th>Media</th><th>Firmware</th></tr></thead><tbody>${list.map(
          (disk) => html`<tr><td>${disk.name}</td><td>${disk.model}</td><td><code>${disk.serial}</code></td><td class="num">${format.size(disk.size)}</td><td>${media(disk, view.inventory)}</td><td>${disk.firmware_version ?? ''}</td></tr>`,
        )}</tbody></table></div>`
  }`;
}

function interfaces(view: MachineView): SafeHtml {
  const list = view.machine.interface_set;
  return html`<h3>Network</h3>${unknownNote(view, 'network') ?? ''}${
    list.length === 0
      ? html`<p class="muted">No interfaces.</p>`
      : html`<div class="scroll"><table class="nics"><thead><tr><th>Name</th><th>MAC</th><th>Type</th><th>Vendor / product</th><th class="num">Speed</th><th>Link</th></tr></thead><tbody>${list.map(
          (iface) => html`<tr><td>${iface.name}</td><td><code>${iface.mac_address}</code></td><td>${iface.type}</td><td>${[iface.vendor, iface.product].filter(Boolean).join(' ')}</td><td class="num">${format.speed(iface.interface_speed || iface.link_speed)}</td><td>${iface.link_connected ? html`<span class="badge ok">up</span>` : html`<span class="badge">down</span>`}</td></tr>`,
        )}</tbody></table></div>`
  }`;
}

function hardwareInfo(view: MachineView): SafeHtml {
  return html`<details><summary>hardware_info (as MAAS stores it)</summary>${facts(Object.entries(view.machine.hardware_info).map(([key, value]) => [key, value] as [string, Interpolation]))}</details>`;
}

function documentPanel(view: MachineView, now: Date): SafeHtml {
  const document = view.document;
  return html`<section class="panel"><h2>Commissioning document</h2>${
    document
      ? html`<p>Last pushed ${format.time(document.receivedAt)} (${format.ago(document.receivedAt, now)}), ${format.transferred(document.bytes)}.</p>
<p><a class="button" href="/machines/${view.machine.system_id}/commissioning.json" download>Download 50-maas-01-commissioning.json</a></p>`
      : html`<p class="muted">No hardware information has been pushed yet.</p>`
  }</section>`;
}

function history(view: MachineView): SafeHtml {
  return html`<section class="panel"><h2>Hardware history</h2>${
    view.history.length === 0
      ? html`<p class="muted">No hardware change since the machine was first seen.</p>`
      : html`<ol class="timeline">${view.history.map(
          (entry) => html`<li><time datetime="${entry.at}">${format.time(entry.at)}</time><ul>${entry.changes.map(
            (change) => html`<li class="change ${change.kind}"><span class="area">${change.area}</span> ${change.description}</li>`,
          )}</ul></li>`,
        )}</ol>`
  }</section>`;
}

function actions(view: MachineView): SafeHtml {
  const allowed = view.actions.filter((entry) => entry.allowed);
  const refused = view.actions.filter((entry) => !entry.allowed);
  return html`<section class="panel actions" aria-label="Actions"><h2>Actions</h2>
<div class="buttons">${allowed.map((entry) => html`<a class="button" href="/machines/${view.machine.system_id}/actions/${entry.action.name}">${entry.action.label}…</a>`)}${allowed.length === 0 ? html`<span class="muted">None available.</span>` : ''}</div>
${refused.length > 0 ? html`<ul class="refused">${refused.map((entry) => html`<li><b>${entry.action.label}</b>: ${entry.allowed ? '' : entry.reason}</li>`)}</ul>` : ''}
</section>`;
}

// A machine whose hardware was never pushed (created through the API, or its BMC not read yet)
// has no figures to show: saying "0 threads" would claim the BMC reported none.
function hardware(view: MachineView): SafeHtml {
  if (view.row.last_sync === null && !view.document && !view.inventory) {
    return html`<p class="no-hardware">No hardware information yet: nothing has been read from this machine's BMC or pushed for it.</p>${interfaces(view)}`;
  }
  // The sections without a place of their own here (PCI devices, firmware, chassis, the BMC).
  const others = ['pci', 'firmware', 'chassis', 'identity', 'bmc'].map((section) => unknownNote(view, section)).filter((note) => note !== undefined);
  return html`${others}${cpus(view)}${dimms(view)}${disks(view)}${interfaces(view)}${hardwareInfo(view)}`;
}

/** The machine page. */
export function machinePage(view: MachineView, session: WebSession, now: Date, options: { notice?: Notice; version?: string } = {}): SafeHtml {
  const { machine } = view;
  return layout(
    { title: machine.hostname, section: 'machines', session, ...options },
    html`<p class="crumbs"><a href="/">Machines</a> ›</p>
<h1>${machine.hostname} <span class="status s${machine.status}">${machine.status_name}</span>${machine.locked ? html` <span class="badge lock">locked</span>` : ''}</h1>
${actions(view)}
<div class="columns">${identity(view)}${lastSweep(view, now)}</div>
<div class="columns">${history(view)}${documentPanel(view, now)}</div>
<section class="panel"><h2>Hardware</h2>${hardware(view)}</section>`,
  );
}
