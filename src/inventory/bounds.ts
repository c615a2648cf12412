// What no real server has. The largest single machines (32-socket HPE Superdome Flex, 16-socket IBM
// Power E1080 at 1,920 threads, 256-socket SGI UV) stay under every bound here; a BMC that claims
// more is not describing a machine, and building its document (one object per CPU thread, per
// disk, per port) would cost the collector memory without end. Such a machine is refused, naming
// the bound. A machine at every bound at once stays within the memory budget the README states
// (test/faults/memory-faults.test.ts, shape at-bounds).
import type { HardwareInventory } from './model.ts';

/** A machine's largest totals, and its commissioning document's largest size. */
export const MACHINE_BOUNDS = Object.freeze({
  sockets: 256,
  cores: 8192,
  threads: 16_384,
  dimms: 2048,
  drives: 2048,
  interfaces: 512,
  pciFunctions: 2048,
  /** Characters of the inventory's JSON, measured before any output is made (a large real server's is ~0.1 MB). */
  inventoryChars: 8 * 1024 * 1024,
  /** Characters of one commissioning script's output (a large real server's document is ~0.2 MB). */
  documentChars: 16 * 1024 * 1024,
});

/** The machine's totals, as the bounds count them. */
export function machineTotals(inventory: HardwareInventory): Record<Exclude<keyof typeof MACHINE_BOUNDS, 'documentChars' | 'inventoryChars'>, number> {
  let cores = 0;
  let threads = 0;
  for (const cpu of inventory.cpus) {
    cores += cpu.cores;
    threads += cpu.threads;
  }
  return {
    sockets: inventory.cpus.length,
    cores,
    threads,
    dimms: inventory.memory.dimms.length,
    drives: inventory.drives.length,
    interfaces: inventory.nics.reduce((sum, nic) => sum + nic.ports.length, 0),
    pciFunctions: inventory.pci.length,
  };
}

const WORDS: Readonly<Record<keyof typeof MACHINE_BOUNDS, string>> = {
  sockets: 'CPU sockets',
  cores: 'CPU cores',
  threads: 'CPU threads',
  dimms: 'DIMMs',
  drives: 'drives',
  interfaces: 'network interfaces',
  pciFunctions: 'PCI functions',
  documentChars: 'characters of commissioning output',
  inventoryChars: 'characters of inventory',
};

/** Why a machine is beyond the bounds ("4,096 CPU sockets, more than the 1,024 a machine may have"), or undefined. */
export function beyondBounds(inventory: HardwareInventory): string | undefined {
  const totals = machineTotals(inventory);
  for (const [key, total] of Object.entries(totals) as [keyof typeof totals, number][]) {
    if (total > MACHINE_BOUNDS[key]) return describe(key, total);
  }
  return undefined;
}

/** Why an inventory whose JSON is `chars` long is too large to make documents of, or undefined. */
export function inventoryBeyondBounds(chars: number): string | undefined {
  return chars > MACHINE_BOUNDS.inventoryChars ? `its hardware inventory would be ${number(chars)} characters, more than the ${number(MACHINE_BOUNDS.inventoryChars)} one may be` : undefined;
}

/** Why one of a push's script outputs (by script name) is too large, or undefined. */
export function documentBeyondBounds(outputs: Readonly<Record<string, string>>): string | undefined {
  for (const [script, output] of Object.entries(outputs)) {
    if (output.length > MACHINE_BOUNDS.documentChars) return `its ${script} output would be ${number(output.length)} characters, more than the ${number(MACHINE_BOUNDS.documentChars)} one may be`;
  }
  return undefined;
}

function describe(key: keyof typeof MACHINE_BOUNDS, total: number): string {
  return `the BMC reports ${number(total)} ${WORDS[key]}, more than the ${number(MACHINE_BOUNDS[key])} a machine may have`;
}

function number(value: number): string {
  return value.toLocaleString('en-US');
}
