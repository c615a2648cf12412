// HardwareInventory → what MAAS's commissioning script `maas-support-info` prints in-band: a text
// for people (MAAS runs no parser on it), in `-----BEGIN X-----` sections. Out-of-band the
// sections about hardware can be written (CPU, PCI, modaliases, network interfaces, block
// devices, DMI strings); those about the running kernel and its devices (uname, the kernel
// command line, cloud-config, USB, serial ports, the DMI dump) cannot, and are left out.
import { chassisTypeName, deviceNumber } from './commissioning.ts';
import type { HardwareInventory } from './model.ts';
import { toModaliases } from './modaliases.ts';
import { pciClass } from './pci-names.ts';

/** The `maas-support-info` output of one machine. Pure. */
export function toSupportInfo(inventory: HardwareInventory, producer: string): string {
  const sections: [string, string[]][] = [
    ['SOURCE', [`Read out-of-band from the BMC's Redfish service by ${producer}: kernel, command line, USB, serial ports and the DMI dump are not known there.`]],
    ['CPU CORE COUNT AND MODEL', cpuLines(inventory)],
    ['PCI INFO', inventory.pci.map(lspciLine)],
    ['MODALIASES', toModaliases(inventory).trimEnd().split('\n').map((line) => `${'1'.padStart(7)} ${line}`)],
    ['NETWORK INTERFACES', networkLines(inventory)],
    ['BLOCK DEVICE SUMMARY', blockLines(inventory)],
    ['DMI KEYPAIRS', dmiLines(inventory)],
  ];
  return sections
    .filter(([, lines]) => lines.length > 0)
    .map(([title, lines]) => `-----BEGIN ${title}-----\n${lines.join('\n')}\n-----END ${title}-----\n`)
    .join('\n');
}

// `grep '^model name' /proc/cpuinfo | cut -d: -f 2- | sort | uniq -c`: one line per model, counting threads.
function cpuLines(inventory: HardwareInventory): string[] {
  const counts = new Map<string, number>();
  for (const cpu of inventory.cpus) counts.set(cpu.model ?? '', (counts.get(cpu.model ?? '') ?? 0) + cpu.threads);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([model, threads]) => `${String(threads).padStart(7)}  ${model}`);
}

// `lspci -nn`: `BB:DD.F Class name [cccc]: Vendor Product [vvvv:dddd]` (the domain only when not 0000).
function lspciLine(fn: HardwareInventory['pci'][number]): string {
  const slot = fn.address.startsWith('0000:') ? fn.address.slice(5) : fn.address;
  const code = fn.classCode === undefined ? '' : ` [${fn.classCode.slice(0, 4)}]`;
  const what = [fn.vendor, fn.product].filter(Boolean).join(' ') || 'Device';
  return `${slot} ${pciClass(fn.classCode).name}${code}: ${what} [${fn.vendorId}:${fn.deviceId}]`;
}

// `ip -o link`, for the host ports (their numbering is the kernel's, unknown: counted from 2, after lo).
function networkLines(inventory: HardwareInventory): string[] {
  return inventory.nics
    .flatMap((nic) => nic.ports)
    .map((port, index) => {
      const state = port.link === 'up' ? 'UP' : port.link === 'down' ? 'DOWN' : 'UNKNOWN';
      const flags = port.link === 'up' ? 'BROADCAST,MULTICAST,UP,LOWER_UP' : 'BROADCAST,MULTICAST';
      return `${index + 2}: ${port.name}: <${flags}> mtu ${port.mtu ?? 1500} state ${state}\\    link/ether ${port.mac} brd ff:ff:ff:ff:ff:ff`;
    });
}

// `lsblk -o NAME,MAJ:MIN,FSTYPE,PHY-SEC,SIZE,VENDOR,MODEL`: file systems are not known out-of-band.
function blockLines(inventory: HardwareInventory): string[] {
  if (inventory.drives.length === 0) return [];
  const rows = [
    ['NAME', 'MAJ:MIN', 'FSTYPE', 'PHY-SEC', 'SIZE', 'VENDOR', 'MODEL'],
    ...inventory.drives.map((drive, index) => [drive.name, deviceNumber(drive, index), '', String(drive.blockSize ?? 512), humanSize(drive.sizeBytes), drive.manufacturer ?? '', drive.model ?? '']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(' ').trimEnd());
}

// lsblk's sizes: powers of 1024, one decimal below 10.
function humanSize(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 10 && unit > 0 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${text}${units[unit]}`;
}

// `dmidecode -s KEY` for the keys the script asks, where the BMC tells the same string.
function dmiLines(inventory: HardwareInventory): string[] {
  const { identity, firmware, motherboard, chassis } = inventory;
  const cpu = inventory.cpus[0];
  const pairs: [string, string | undefined][] = [
    ['bios-vendor', firmware.bios?.vendor],
    ['bios-version', firmware.bios?.version],
    ['bios-release-date', firmware.bios?.date],
    ['system-manufacturer', identity.manufacturer],
    ['system-product-name', identity.model],
    ['system-serial-number', identity.serial],
    ['system-uuid', identity.uuid?.toUpperCase()],
    ['baseboard-manufacturer', motherboard.manufacturer],
    ['baseboard-product-name', motherboard.product],
    ['baseboard-version', motherboard.version],
    ['baseboard-serial-number', motherboard.serial],
    ['chassis-manufacturer', chassis.manufacturer],
    ['chassis-type', chassis.type === undefined ? undefined : chassisTypeName(chassis.type)],
    ['chassis-version', chassis.partNumber],
    ['chassis-serial-number', chassis.serial],
    ['chassis-asset-tag', chassis.assetTag],
    ['processor-manufacturer', cpu?.vendor],
    ['processor-version', cpu?.model],
    ['processor-frequency', cpu?.speedMHz === undefined ? undefined : `${cpu.speedMHz} MHz`],
  ];
  return pairs.filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '').map(([key, value]) => `${key}=${value}`);
}
