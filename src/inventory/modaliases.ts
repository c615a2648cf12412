// HardwareInventory → what MAAS's commissioning script `maas-list-modaliases` prints in-band
// (`find /sys/devices -name modalias | xargs cat | sort -u`): one kernel modalias per line. MAAS
// matches these against modalias globs (canonical/maas metadataserver/builtin_scripts/hooks.py
// filter_modaliases): third-party drivers, hardware-specific commissioning scripts, switch tags.
// Out-of-band the PCI functions and the DMI strings are known; CPU features, USB, ACPI and
// platform devices are not, so no line stands for them.
import type { ChassisInfo, HardwareInventory, PciFunction } from './model.ts';

/**
 * A PCI function's modalias, as the kernel writes it (`pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X`).
 * A field the BMC did not report (subsystem ids, class code) is `*`: the kernel never writes one,
 * so only a glob that does not care about that field matches it, as with any unknown.
 */
export function pciModalias(fn: Pick<PciFunction, 'vendorId' | 'deviceId' | 'subsystemVendorId' | 'subsystemId' | 'classCode'>): string {
  const id = (value: string | undefined) => (value === undefined ? '*' : value.toUpperCase().padStart(8, '0'));
  const code = fn.classCode !== undefined && /^[\da-f]{6}$/i.test(fn.classCode) ? fn.classCode.toUpperCase() : undefined;
  const part = (from: number) => (code === undefined ? '*' : code.slice(from, from + 2));
  return `pci:v${id(fn.vendorId)}d${id(fn.deviceId)}sv${id(fn.subsystemVendorId)}sd${id(fn.subsystemId)}bc${part(0)}sc${part(2)}i${part(4)}`;
}

// SMBIOS chassis type codes (DMTF DSP0134 7.4.1) for Redfish ChassisType: the kernel's `ct` field.
const SMBIOS_CHASSIS_TYPES: Readonly<Record<string, number>> = {
  RackMount: 23,
  Blade: 28,
  Enclosure: 29,
  StandAlone: 7,
  Tower: 7,
  Sled: 25,
  Drawer: 25,
  Card: 17,
};

/** The SMBIOS chassis type code of a Redfish ChassisType, when there is one. */
export function smbiosChassisType(chassis: Pick<ChassisInfo, 'type'>): number | undefined {
  return chassis.type === undefined ? undefined : SMBIOS_CHASSIS_TYPES[chassis.type];
}

/**
 * The DMI modalias (drivers/firmware/dmi-id.c): `dmi:` then `:<prefix><value>` for each string
 * the firmware has, spaces, colons and non-ASCII left out, and a closing colon. Fields the BMC
 * does not report are left out, as the kernel leaves out strings the firmware lacks; undefined
 * when the BMC reports none of them.
 */
export function dmiModalias(inventory: HardwareInventory): string | undefined {
  const { identity, firmware, motherboard, chassis } = inventory;
  const type = smbiosChassisType(chassis);
  const fields: [string, string | undefined][] = [
    ['bvn', firmware.bios?.vendor],
    ['bvr', firmware.bios?.version],
    ['bd', firmware.bios?.date],
    ['svn', identity.manufacturer],
    ['pn', identity.model],
    ['rvn', motherboard.manufacturer],
    ['rn', motherboard.product],
    ['rvr', motherboard.version],
    ['cvn', chassis.manufacturer],
    ['ct', type === undefined ? undefined : String(type)],
    ['sku', identity.sku],
  ];
  const filter = (value: string) => [...value].filter((char) => char > ' ' && char < '\u007f' && char !== ':').join('');
  const known = fields.filter((field): field is [string, string] => field[1] !== undefined && filter(field[1]) !== '');
  if (known.length === 0) return undefined;
  return `dmi${known.map(([prefix, value]) => `:${prefix}${filter(value)}`).join('')}:`;
}

/** The `maas-list-modaliases` output: every modalias once, in byte order, one per line. */
export function toModaliases(inventory: HardwareInventory): string {
  const dmi = dmiModalias(inventory);
  const lines = new Set([...(dmi === undefined ? [] : [dmi]), ...inventory.pci.map(pciModalias)]);
  return `${[...lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('\n')}\n`;
}
