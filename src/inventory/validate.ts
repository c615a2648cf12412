// Every rule MAAS's process_lxd_results applies to a commissioning document (and the rules this
// project adds: names ≤ 15 characters, UUID form), as a list of violations with JSON paths. A
// document with violations is never pushed: MAAS would fail the result or corrupt the machine.
import { at, isResource } from '../redfish/navigate.ts';
import { API_EXTENSIONS } from './commissioning.ts';

/** One broken rule. */
export interface Violation {
  /** JSON path, e.g. `resources.storage.disks[2].rpm`. */
  readonly path: string;
  readonly problem: string;
}

const REQUIRED_EXTENSIONS = API_EXTENSIONS.slice(0, 5);
const ARCHITECTURES = new Set(['i686', 'x86_64', 'aarch64', 'ppc64le', 's390x', 'mips', 'mips64']);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const UUID = /^[\da-f]{8}-?([\da-f]{4}-?){3}[\da-f]{12}$/i;
const PCI_ADDRESS = /^[\da-f]{4}:[\da-f]{2}:[\da-f]{2}\.[0-7]$/;
const HEX_ID = /^[\da-f]{4}$/;
const MODE = /^\d+base/;
const DISK_REQUIRED = ['id', 'read_only', 'type', 'rpm', 'removable', 'numa_node', 'size'] as const;
const NETWORK_REQUIRED = ['type', 'hwaddr', 'state', 'addresses', 'bond', 'bridge', 'vlan'] as const;

/** Checks a commissioning document against MAAS's rules; an empty list means MAAS will accept it. */
/** The first violations in words, for one line of an error message. */
export function describeViolations(violations: readonly Violation[], shown = 5): string {
  const listed = violations.slice(0, shown).map((violation) => `${violation.path} ${violation.problem}`).join('; ');
  return violations.length > shown ? `${listed} (and ${violations.length - shown} more)` : listed;
}

export function validateCommissioningData(document: unknown): Violation[] {
  const out: Violation[] = [];
  const fail = (path: string, problem: string) => out.push({ path, problem });
  if (!isResource(document)) return [{ path: '', problem: 'must be a JSON object' }];
  if (document.api_version !== '1.0') fail('api_version', 'must be "1.0"');
  const extensions = Array.isArray(document.api_extensions) ? document.api_extensions : undefined;
  if (!extensions) fail('api_extensions', 'must be a list of strings');
  for (const extension of REQUIRED_EXTENSIONS) {
    if (extensions && !extensions.includes(extension)) fail('api_extensions', `must include "${extension}"`);
  }
  const architecture = at(document, ['environment', 'kernel_architecture']);
  if (!isResource(document.environment)) fail('environment', 'must be an object');
  else if (typeof architecture !== 'string' || !ARCHITECTURES.has(architecture)) {
    fail('environment.kernel_architecture', `must be one of ${[...ARCHITECTURES].join(', ')}`);
  }
  const resources = document.resources;
  if (!isResource(resources)) {
    fail('resources', 'must be an object');
    return out;
  }
  const numa = checkCpu(resources.cpu, fail);
  checkMemory(resources.memory, numa, fail);
  const macs = checkNetwork(resources.network, numa, fail);
  checkStorage(resources.storage, numa, fail);
  checkDevices(resources.pci, 'resources.pci', fail);
  checkGpu(resources.gpu, numa, fail);
  checkUsb(resources.usb, fail);
  checkSystem(resources.system, fail);
  checkNetworks(document.networks, macs, fail);
  return out;
}

type Fail = (path: string, problem: string) => void;

// Returns the NUMA nodes the CPU section defines.
function checkCpu(cpu: unknown, fail: Fail): Set<number> {
  const numa = new Set<number>();
  if (!isResource(cpu)) {
    fail('resources.cpu', 'must be an object');
    return numa;
  }
  const ids = new Set<number>();
  let threads = 0;
  list(cpu.sockets, 'resources.cpu.sockets', fail).forEach((socket, s) => {
    for (const key of ['frequency', 'frequency_turbo'] as const) {
      const value = at(socket, [key]);
      if (value !== undefined && !isNumber(value)) fail(`resources.cpu.sockets[${s}].${key}`, 'must be a number');
    }
    list(at(socket, ['cores']), `resources.cpu.sockets[${s}].cores`, fail).forEach((core, c) => {
      list(at(core, ['threads']), `resources.cpu.sockets[${s}].cores[${c}].threads`, fail).forEach((thread, t) => {
        const path = `resources.cpu.sockets[${s}].cores[${c}].threads[${t}]`;
        threads++;
        const id = at(thread, ['id']);
        const node = at(thread, ['numa_node']);
        if (!isCount(id)) fail(`${path}.id`, 'is required and must be a whole number');
        else if (ids.has(id)) fail(`${path}.id`, `duplicates thread id ${id}`);
        else ids.add(id);
        if (!isCount(node)) fail(`${path}.numa_node`, 'is required and must be a whole number');
        else numa.add(node);
      });
    });
  });
  if (!isCount(cpu.total)) fail('resources.cpu.total', 'must be a whole number');
  else if (cpu.total !== threads) fail('resources.cpu.total', `is ${cpu.total} but ${threads} threads are listed`);
  return numa;
}

function checkMemory(memory: unknown, numa: Set<number>, fail: Fail): void {
  if (!isResource(memory)) return fail('resources.memory', 'must be an object');
  if (!isNumber(memory.total) || memory.total < 0) fail('resources.memory.total', 'must be a number of bytes');
  list(memory.nodes, 'resources.memory.nodes', fail).forEach((node, n) => {
    const index = at(node, ['numa_node']);
    if (!isCount(index)) fail(`resources.memory.nodes[${n}].numa_node`, 'is required and must be a whole number');
    else numa.add(index);
    if (!isNumber(at(node, ['total']))) fail(`resources.memory.nodes[${n}].total`, 'must be a number of bytes');
  });
}

// Returns port id → MAC for the networks check.
function checkNetwork(network: unknown, numa: Set<number>, fail: Fail): Map<string, string> {
  const ports = new Map<string, string>();
  if (!isResource(network)) {
    fail('resources.network', 'must be an object');
    return ports;
  }
  const seen = new Map<string, string>();
  list(network.cards, 'resources.network.cards', fail).forEach((card, c) => {
    checkNuma(at(card, ['numa_node']), numa, `resources.network.cards[${c}].numa_node`, fail);
    checkOptionalPci(card, `resources.network.cards[${c}]`, fail);
    list(at(card, ['ports']), `resources.network.cards[${c}].ports`, fail).forEach((port, p) => {
      const path = `resources.network.cards[${c}].ports[${p}]`;
      const id = at(port, ['id']);
      const address = at(port, ['address']);
      if (typeof id !== 'string' || id === '') fail(`${path}.id`, 'must be the interface name');
      else if (id.length > 15) fail(`${path}.id`, `"${id}" is longer than 15 characters`);
      else if (id !== id.toLowerCase()) fail(`${path}.id`, `"${id}" must be lower case`);
      else if (ports.has(id)) fail(`${path}.id`, `duplicates interface name "${id}"`);
      if (typeof address !== 'string' || !MAC.test(address)) fail(`${path}.address`, 'must be a lower-case colon-separated MAC');
      else if (seen.has(address)) fail(`${path}.address`, `duplicates MAC ${address} of ${seen.get(address)}`);
      else seen.set(address, String(id));
      if (typeof id === 'string' && typeof address === 'string') ports.set(id, address);
      const modes = at(port, ['supported_modes']);
      if (modes !== undefined && modes !== null) {
        if (!Array.isArray(modes) || modes.length === 0) fail(`${path}.supported_modes`, 'must be left out or a non-empty list');
        else modes.forEach((mode, m) => {
          if (typeof mode !== 'string' || !MODE.test(mode)) fail(`${path}.supported_modes[${m}]`, 'must start with a speed, e.g. "10000baseT/Full"');
        });
      }
      const speed = at(port, ['link_speed']);
      if (speed !== undefined && !isNumber(speed)) fail(`${path}.link_speed`, 'must be a number');
    });
  });
  return ports;
}

function checkStorage(storage: unknown, numa: Set<number>, fail: Fail): void {
  if (!isResource(storage)) return fail('resources.storage', 'must be an object');
  const ids = new Set<string>();
  list(storage.disks, 'resources.storage.disks', fail).forEach((disk, d) => {
    const path = `resources.storage.disks[${d}]`;
    for (const key of DISK_REQUIRED) if (at(disk, [key]) === undefined) fail(`${path}.${key}`, 'is required');
    const id = at(disk, ['id']);
    if (typeof id !== 'string' || id === '') fail(`${path}.id`, 'must be the kernel device name');
    else if (ids.has(id)) fail(`${path}.id`, `duplicates disk "${id}"`);
    else ids.add(id);
    for (const key of ['read_only', 'removable'] as const) {
      const value = at(disk, [key]);
      if (value !== undefined && typeof value !== 'boolean') fail(`${path}.${key}`, 'must be true or false');
    }
    const rpm = at(disk, ['rpm']);
    if (rpm !== undefined && !isCount(rpm)) fail(`${path}.rpm`, 'must be a whole number');
    const size = at(disk, ['size']);
    if (size !== undefined && (!isNumber(size) || size < 0)) fail(`${path}.size`, 'must be a number of bytes');
    const blockSize = at(disk, ['block_size']);
    if (blockSize !== undefined && !isCount(blockSize)) fail(`${path}.block_size`, 'must be a whole number');
    checkNuma(at(disk, ['numa_node']), numa, `${path}.numa_node`, fail);
    checkOptionalPci(disk, path, fail);
  });
}

function checkDevices(section: unknown, base: string, fail: Fail): void {
  if (section === undefined) return;
  if (!isResource(section)) return fail(base, 'must be an object');
  list(section.devices, `${base}.devices`, fail).forEach((device, d) => {
    const path = `${base}.devices[${d}]`;
    for (const key of ['vendor_id', 'product_id'] as const) {
      const value = at(device, [key]);
      if (typeof value !== 'string' || !HEX_ID.test(value)) fail(`${path}.${key}`, 'must be four hex digits');
    }
    const address = at(device, ['pci_address']);
    if (typeof address !== 'string' || !PCI_ADDRESS.test(address)) fail(`${path}.pci_address`, 'must be a PCI address like 0000:3b:00.0');
  });
}

function checkGpu(gpu: unknown, numa: Set<number>, fail: Fail): void {
  if (gpu === undefined) return;
  if (!isResource(gpu)) return fail('resources.gpu', 'must be an object');
  list(gpu.cards, 'resources.gpu.cards', fail).forEach((card, c) => {
    checkNuma(at(card, ['numa_node']), numa, `resources.gpu.cards[${c}].numa_node`, fail);
    checkOptionalPci(card, `resources.gpu.cards[${c}]`, fail);
  });
}

function checkUsb(usb: unknown, fail: Fail): void {
  if (usb === undefined) return;
  if (!isResource(usb)) return fail('resources.usb', 'must be an object');
  list(usb.devices, 'resources.usb.devices', fail).forEach((device, d) => {
    for (const key of ['vendor_id', 'product_id', 'bus_address', 'device_address'] as const) {
      if (at(device, [key]) === undefined) fail(`resources.usb.devices[${d}].${key}`, 'is required');
    }
  });
}

function checkSystem(system: unknown, fail: Fail): void {
  if (!isResource(system)) return fail('resources.system', 'must be an object');
  const uuid = system.uuid;
  if (uuid !== undefined && uuid !== '' && (typeof uuid !== 'string' || !UUID.test(uuid))) fail('resources.system.uuid', 'must be empty or a UUID');
  for (const part of ['firmware', 'chassis', 'motherboard'] as const) {
    const value = system[part];
    if (value !== undefined && value !== null && !isResource(value)) fail(`resources.system.${part}`, 'must be an object');
  }
  for (const key of ['vendor', 'product', 'serial', 'sku', 'type'] as const) {
    const value = system[key];
    if (value !== undefined && typeof value !== 'string') fail(`resources.system.${key}`, 'must be a string');
  }
}

function checkNetworks(networks: unknown, ports: Map<string, string>, fail: Fail): void {
  if (!isResource(networks)) return fail('networks', 'is required and must be an object');
  for (const [name, state] of Object.entries(networks)) {
    const path = `networks.${name}`;
    if (!isResource(state)) {
      fail(path, 'must be an object');
      continue;
    }
    for (const key of NETWORK_REQUIRED) if (!Object.hasOwn(state, key)) fail(`${path}.${key}`, 'is required');
    if (!Array.isArray(state.addresses)) fail(`${path}.addresses`, 'must be a list');
    if (state.type !== 'broadcast') continue;
    if (!ports.has(name)) fail(path, 'names no port in resources.network');
    else if (state.hwaddr !== ports.get(name)) fail(`${path}.hwaddr`, `must be ${ports.get(name)}, the port's MAC`);
  }
  for (const name of ports.keys()) if (!Object.hasOwn(networks, name)) fail(`networks.${name}`, 'is missing for a reported port');
}

function checkNuma(value: unknown, numa: Set<number>, path: string, fail: Fail): void {
  if (!isCount(value)) fail(path, 'is required and must be a whole number');
  else if (!numa.has(value)) fail(path, `names NUMA node ${value}, which no CPU thread or memory node defines`);
}

function checkOptionalPci(entry: unknown, path: string, fail: Fail): void {
  const address = at(entry, ['pci_address']);
  if (address !== undefined && (typeof address !== 'string' || !PCI_ADDRESS.test(address))) {
    fail(`${path}.pci_address`, 'must be left out or a PCI address like 0000:3b:00.0');
  }
}

function list(value: unknown, path: string, fail: Fail): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    fail(path, 'must be a list');
    return [];
  }
  return value;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return isNumber(value) && Number.isInteger(value) && value >= 0;
}
