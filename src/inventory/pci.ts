// PCIe devices and functions → MAAS's pci list, and GPUs from wherever the BMC lists them:
// display-class PCIe functions, and HPE iLO's OEM device inventory (Chassis Oem.Hpe.Links.Devices,
// fixtures/hpe-dl380-gen10-ilo5), which is the only place some iLO firmware names a GPU.
// - HPE iLO 5 leaves every device's Manufacturer empty: the vendor is named from the vendor id.
// - Functions that name the host interfaces they carry (Links.EthernetInterfaces or
//   Links.NetworkDeviceFunctions) are remembered, so each port can be tied to its function.
import { at, linkAt, linksAt, normalisePath, type Resource } from '../redfish/navigate.ts';
import type { ProcessorGpu } from './cpu.ts';
import type { Gpu, PciFunction } from './model.ts';
import { count, hexId, naturalCompare, str, text } from './read.ts';
import { pciVendorName } from './pci-names.ts';
import type { SectionReader } from './source.ts';
import type { VendorProfile } from './vendor.ts';

/** What ties host ports to PCI functions: each by the Redfish path that names it. */
export interface PciLinks {
  /** PCIe function path → its bus address. */
  readonly functions: ReadonlyMap<string, string>;
  /** Path of an EthernetInterface or NetworkDeviceFunction a function links → the function's address. */
  readonly carried: ReadonlyMap<string, string>;
  /** PCIe device path → the address of its function, for devices with exactly one. */
  readonly singleFunction: ReadonlyMap<string, string>;
}

/** PCI functions and the GPUs among them. */
export interface PciReading {
  readonly functions: PciFunction[];
  readonly gpus: Gpu[];
  readonly links: PciLinks;
}

/**
 * Reads PCIe functions from the machine's systems and their chassis, plus vendor device lists,
 * and merges the GPUs found there with those listed as processors (one GPU, however many places
 * name it).
 */
export function readPci(
  systems: readonly Resource[],
  chassis: readonly Resource[],
  reader: SectionReader,
  profile: VendorProfile,
  processorGpus: readonly ProcessorGpu[] = [],
): PciReading {
  const devices = new Map<string, Resource>();
  const addDevice = (device: Resource) => {
    const path = str(device['@odata.id']);
    if (path && !devices.has(path)) devices.set(path, device);
  };
  for (const system of systems) {
    if (Array.isArray(at(system, ['PCIeDevices']))) reader.follow(system, ['PCIeDevices']).forEach(addDevice);
    else reader.members(linkAt(system, ['PCIeDevices'])).forEach(addDevice);
  }
  for (const body of chassis) reader.members(linkAt(body, ['PCIeDevices'])).forEach(addDevice);

  const functions: PciFunction[] = [];
  const gpus: Gpu[] = [];
  const claimed = new Set<ProcessorGpu>();
  const seen = new Set<string>();
  const addresses = new Map<string, string>();
  const carried = new Map<string, string>();
  const perDevice = new Map<string, string[]>();
  [...devices.keys()].sort(naturalCompare).forEach((path, deviceIndex) => {
    const device = devices.get(path)!;
    const collection = linkAt(device, ['PCIeFunctions']);
    const members = collection ? reader.members(collection) : reader.follow(device, ['Links', 'PCIeFunctions']);
    for (const fn of members) {
      const source = str(fn['@odata.id']) ?? `${path}#${functions.length}`;
      if (seen.has(source)) continue;
      seen.add(source);
      const vendorId = hexId(fn.VendorId);
      const deviceId = hexId(fn.DeviceId);
      if (!vendorId || !deviceId) continue;
      const classCode = str(fn.ClassCode)?.toLowerCase().replace(/^0x/, '');
      const address = busAddress(fn) ?? busAddress(device) ?? syntheticAddress(deviceIndex, count(fn.FunctionId) ?? 0);
      const vendor = text(device.Manufacturer) ?? pciVendorName(vendorId);
      const product = text(device.Model) ?? text(device.Name);
      const firmware = text(device.FirmwareVersion);
      const subsystemVendorId = hexId(fn.SubsystemVendorId);
      const subsystemId = hexId(fn.SubsystemId);
      const entry: PciFunction = {
        source,
        address,
        vendorId,
        deviceId,
        ...(classCode ? { classCode } : {}),
        ...(vendor ? { vendor } : {}),
        ...(product ? { product } : {}),
        ...(firmware ? { firmware } : {}),
        ...(subsystemVendorId ? { subsystemVendorId } : {}),
        ...(subsystemId ? { subsystemId } : {}),
      };
      functions.push(entry);
      addresses.set(normalisePath(source), address);
      for (const link of [...linksAt(fn, ['Links', 'EthernetInterfaces']), ...linksAt(fn, ['Links', 'NetworkDeviceFunctions'])]) carried.set(normalisePath(link), address);
      const own = perDevice.get(normalisePath(path)) ?? [];
      perDevice.set(normalisePath(path), [...own, address]);
      // PCI class 03 is a display controller; 12 is a processing accelerator (compute GPUs).
      if (classCode?.startsWith('03') || classCode?.startsWith('12') || str(fn.DeviceClass) === 'DisplayController') {
        const deviceSerial = text(device.SerialNumber);
        const listed = processorGpus.find(
          (entry) =>
            entry.links.includes(normalisePath(source)) ||
            entry.links.includes(normalisePath(path)) ||
            (deviceSerial !== undefined && entry.gpu.serial === deviceSerial),
        );
        const serial = deviceSerial ?? listed?.gpu.serial;
        if (listed) claimed.add(listed);
        gpus.push({
          source,
          vendorId,
          deviceId,
          ...(vendor ? { vendor } : {}),
          ...(product ? { product } : {}),
          ...(serial ? { serial } : {}),
        });
      }
    }
  });
  // GPUs listed as processors that no PCIe function stands for come first, as MAAS lists them.
  const merged = [...processorGpus.filter((entry) => !claimed.has(entry)).map((entry) => entry.gpu), ...gpus];
  if (profile.oemDeviceList) merged.push(...oemGpus(chassis, reader, merged));
  const singleFunction = new Map([...perDevice].filter(([, list]) => list.length === 1).map(([device, list]) => [device, list[0]!]));
  return { functions, gpus: merged, links: { functions: addresses, carried, singleFunction } };
}

// HPE's device inventory: `DeviceType` names the kind of device ("GPU", "Accelerator"…). Each
// entry that matches a GPU already found (same serial, or same name) is that GPU, not another.
function oemGpus(chassis: readonly Resource[], reader: SectionReader, known: readonly Gpu[]): Gpu[] {
  const found: Gpu[] = [];
  const unmatched = [...known];
  const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
  for (const body of chassis) {
    for (const pointer of [['Oem', 'Hpe', 'Links', 'Devices'], ['Oem', 'Hp', 'Links', 'Devices']]) {
      if (linksAt(body, pointer).length === 0) continue;
      for (const device of reader.members(linkAt(body, pointer))) {
        const type = str(device.DeviceType) ?? '';
        if (!/gpu|graphics|accelerator/i.test(type)) continue;
        // iLO also types the HGX baseboard and its NVSwitches "GPU" (cray-csm-XL675d_A100): only a
        // device that is a PCI function and not a switch is a GPU the host sees.
        if (linksAt(device, ['DeviceInstances']).length === 0 || /switch/i.test(text(device.Name) ?? '')) continue;
        const serial = text(device.SerialNumber);
        const product = text(device.Name) ?? text(device.ProductName);
        const twin = unmatched.findIndex((gpu) => same(gpu.serial, serial)) ?? -1;
        const match = twin >= 0 ? twin : unmatched.findIndex((gpu) => same(gpu.product, product));
        if (match >= 0) {
          unmatched.splice(match, 1);
          continue;
        }
        const vendor = text(device.Manufacturer);
        found.push({
          source: str(device['@odata.id']) ?? '(device)',
          ...(vendor ? { vendor } : {}),
          ...(product ? { product } : {}),
          ...(serial ? { serial } : {}),
        });
      }
    }
  }
  return found;
}

// Dell and HPE put the bus address in OEM fields; the standard schema has none.
function busAddress(resource: Resource): string | undefined {
  const oem = at(resource, ['Oem']);
  if (typeof oem !== 'object' || oem === null) return undefined;
  for (const vendor of Object.values(oem as Record<string, unknown>)) {
    const candidates = [vendor, ...Object.values(typeof vendor === 'object' && vendor !== null ? (vendor as Record<string, unknown>) : {})];
    for (const candidate of candidates) {
      const bus = count(at(candidate, ['BusNumber']));
      const device = count(at(candidate, ['DeviceNumber']));
      const fn = count(at(candidate, ['FunctionNumber']));
      if (bus !== undefined && device !== undefined && fn !== undefined && bus < 256 && device < 32 && fn < 8) {
        return `0000:${hex2(bus)}:${hex2(device)}.${fn}`;
      }
    }
  }
  return undefined;
}

/**
 * MAAS requires a PCI address. When the BMC does not report one, a stable address is made up in
 * PCI domain ffff (no real host uses it): bus = the device's place in path order, then the function.
 */
export function syntheticAddress(deviceIndex: number, functionId: number): string {
  return `ffff:${hex2(deviceIndex % 256)}:${hex2(Math.floor(deviceIndex / 256) % 32)}.${functionId % 8}`;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
