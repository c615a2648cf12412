// What changed in a machine's hardware between two sweeps, in words an operator reads in the
// machine's history ("disk sdb replaced", "DIMM B2 16 GiB removed", "NIC 3c:ec:ef:… link down").
import type { Dimm, Drive, HardwareInventory, Port } from './model.ts';
import { diskSize, memorySize } from './units.ts';

/** The part of the machine a change is about. */
export type ChangeArea = 'identity' | 'cpu' | 'memory' | 'disk' | 'nic' | 'pci' | 'gpu' | 'firmware';

/** One hardware change. */
export interface HardwareChange {
  readonly area: ChangeArea;
  readonly kind: 'added' | 'removed' | 'replaced' | 'changed';
  /** What the change is about: a slot, a disk name, a MAC, a component. */
  readonly subject: string;
  readonly description: string;
}

/** The changes from `before` to `after`; empty when the hardware is the same. */
export function diffInventories(before: HardwareInventory, after: HardwareInventory): HardwareChange[] {
  return [
    ...diffIdentity(before, after),
    ...diffCpus(before, after),
    ...diffDimms(before.memory.dimms, after.memory.dimms),
    ...diffMemoryTotal(before, after),
    ...diffDrives(before.drives, after.drives),
    ...diffPorts(ports(before), ports(after)),
    ...diffKeyed('gpu', before.gpus, after.gpus, (gpu) => `${gpu.product ?? gpu.vendor ?? 'GPU'}${gpu.serial ? ` (${gpu.serial})` : ''}`, 'GPU'),
    ...diffKeyed('pci', before.pci, after.pci, (fn) => `${fn.address} ${fn.vendorId}:${fn.deviceId}`, 'PCI device'),
    ...diffFirmware(before, after),
  ];
}

function diffIdentity(before: HardwareInventory, after: HardwareInventory): HardwareChange[] {
  const changes: HardwareChange[] = [];
  for (const key of ['uuid', 'serial', 'assetTag', 'model'] as const) {
    const was = before.identity[key];
    const now = after.identity[key];
    if (was !== now) changes.push({ area: 'identity', kind: 'changed', subject: key, description: `${label(key)} changed: ${was ?? '(none)'} → ${now ?? '(none)'}` });
  }
  return changes;
}

function diffCpus(before: HardwareInventory, after: HardwareInventory): HardwareChange[] {
  const describe = (inventory: HardwareInventory) =>
    inventory.cpus.map((cpu) => `${cpu.socket}: ${cpu.model ?? 'CPU'} ${cpu.cores}C/${cpu.threads}T`).join('; ');
  const was = describe(before);
  const now = describe(after);
  if (was === now) return [];
  return [{ area: 'cpu', kind: 'changed', subject: 'processors', description: `processors changed: ${was || '(none)'} → ${now || '(none)'}` }];
}

function diffDimms(before: readonly Dimm[], after: readonly Dimm[]): HardwareChange[] {
  const changes: HardwareChange[] = [];
  const old = new Map(before.map((dimm) => [dimm.slot, dimm]));
  const fresh = new Map(after.map((dimm) => [dimm.slot, dimm]));
  for (const [slot, dimm] of old) {
    const now = fresh.get(slot);
    if (!now) changes.push({ area: 'memory', kind: 'removed', subject: slot, description: `${dimmName(slot)} ${memorySize(dimm.sizeMiB)} removed` });
    else if (now.serial !== dimm.serial || now.sizeMiB !== dimm.sizeMiB || now.partNumber !== dimm.partNumber) {
      changes.push({
        area: 'memory',
        kind: 'replaced',
        subject: slot,
        description: `${dimmName(slot)} replaced: ${memorySize(dimm.sizeMiB)}${dimm.serial ? ` ${dimm.serial}` : ''} → ${memorySize(now.sizeMiB)}${now.serial ? ` ${now.serial}` : ''}`,
      });
    }
  }
  for (const [slot, dimm] of fresh) {
    if (!old.has(slot)) changes.push({ area: 'memory', kind: 'added', subject: slot, description: `${dimmName(slot)} ${memorySize(dimm.sizeMiB)} added` });
  }
  return changes;
}

// Without DIMM details (summary only) the total is the only memory fact that can change.
function diffMemoryTotal(before: HardwareInventory, after: HardwareInventory): HardwareChange[] {
  if (before.memory.fromDimms && after.memory.fromDimms) return [];
  if (before.memory.totalMiB === after.memory.totalMiB) return [];
  return [{ area: 'memory', kind: 'changed', subject: 'total', description: `memory changed: ${memorySize(before.memory.totalMiB)} → ${memorySize(after.memory.totalMiB)}` }];
}

function diffDrives(before: readonly Drive[], after: readonly Drive[]): HardwareChange[] {
  const changes: HardwareChange[] = [];
  const key = (drive: Drive) => drive.serial ?? `${drive.name}/${drive.model ?? ''}/${drive.sizeBytes}`;
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const removed = before.filter((drive) => !afterKeys.has(key(drive)));
  const added = after.filter((drive) => !beforeKeys.has(key(drive)));
  for (const drive of removed) {
    const successor = added.find((candidate) => candidate.name === drive.name);
    if (successor) {
      changes.push({
        area: 'disk',
        kind: 'replaced',
        subject: drive.name,
        description: `disk ${drive.name} replaced: ${describeDrive(drive)} → ${describeDrive(successor)}`,
      });
      added.splice(added.indexOf(successor), 1);
    } else {
      changes.push({ area: 'disk', kind: 'removed', subject: drive.name, description: `disk ${drive.name} removed: ${describeDrive(drive)}` });
    }
  }
  for (const drive of added) {
    changes.push({ area: 'disk', kind: 'added', subject: drive.name, description: `disk ${drive.name} added: ${describeDrive(drive)}` });
  }
  return changes;
}

function diffPorts(before: readonly Port[], after: readonly Port[]): HardwareChange[] {
  const changes: HardwareChange[] = [];
  const old = new Map(before.map((port) => [port.mac, port]));
  const fresh = new Map(after.map((port) => [port.mac, port]));
  for (const [mac, port] of old) {
    const now = fresh.get(mac);
    if (!now) {
      changes.push({ area: 'nic', kind: 'removed', subject: mac, description: `NIC ${mac} removed` });
      continue;
    }
    if (now.link !== port.link && now.link !== 'unknown') {
      changes.push({ area: 'nic', kind: 'changed', subject: mac, description: `NIC ${mac} link ${now.link}` });
    }
    if ((now.speedMbps ?? 0) !== (port.speedMbps ?? 0) && now.speedMbps) {
      changes.push({ area: 'nic', kind: 'changed', subject: mac, description: `NIC ${mac} speed ${speed(port.speedMbps)} → ${speed(now.speedMbps)}` });
    }
  }
  for (const mac of fresh.keys()) {
    if (!old.has(mac)) changes.push({ area: 'nic', kind: 'added', subject: mac, description: `NIC ${mac} added` });
  }
  return changes;
}

function diffKeyed<T>(area: ChangeArea, before: readonly T[], after: readonly T[], key: (item: T) => string, noun: string): HardwareChange[] {
  const old = new Set(before.map(key));
  const fresh = new Set(after.map(key));
  return [
    ...[...old].filter((subject) => !fresh.has(subject)).map((subject) => ({ area, kind: 'removed' as const, subject, description: `${noun} ${subject} removed` })),
    ...[...fresh].filter((subject) => !old.has(subject)).map((subject) => ({ area, kind: 'added' as const, subject, description: `${noun} ${subject} added` })),
  ];
}

function diffFirmware(before: HardwareInventory, after: HardwareInventory): HardwareChange[] {
  const changes: HardwareChange[] = [];
  if (before.firmware.bios?.version !== after.firmware.bios?.version) {
    changes.push({
      area: 'firmware',
      kind: 'changed',
      subject: 'BIOS',
      description: `BIOS ${before.firmware.bios?.version ?? '(unknown)'} → ${after.firmware.bios?.version ?? '(unknown)'}`,
    });
  }
  if (before.bmc.firmware !== after.bmc.firmware) {
    changes.push({ area: 'firmware', kind: 'changed', subject: 'BMC', description: `BMC firmware ${before.bmc.firmware ?? '(unknown)'} → ${after.bmc.firmware ?? '(unknown)'}` });
  }
  const versions = (inventory: HardwareInventory) => {
    const byName = new Map<string, string[]>();
    for (const component of inventory.firmware.components) byName.set(component.name, [...(byName.get(component.name) ?? []), component.version]);
    return byName;
  };
  const old = versions(before);
  const fresh = versions(after);
  for (const [name, was] of old) {
    const now = fresh.get(name);
    if (now && now.join(', ') !== was.join(', ')) {
      changes.push({ area: 'firmware', kind: 'changed', subject: name, description: `${name} ${was.join(', ')} → ${now.join(', ')}` });
    }
  }
  return changes;
}

function ports(inventory: HardwareInventory): Port[] {
  return inventory.nics.flatMap((nic) => nic.ports);
}

function describeDrive(drive: Drive): string {
  const parts = [drive.model, drive.serial ? `serial ${drive.serial}` : undefined, diskSize(drive.sizeBytes)].filter(Boolean);
  return parts.join(', ');
}

// "DIMM A3", but iDRAC's locators already say DIMM ("DIMM.Socket.B2").
function dimmName(slot: string): string {
  return /^dimm/i.test(slot) ? slot : `DIMM ${slot}`;
}

function speed(mbps: number | undefined): string {
  if (!mbps) return '(unknown)';
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

function label(key: string): string {
  return { uuid: 'UUID', serial: 'serial number', assetTag: 'asset tag', model: 'model' }[key] ?? key;
}
