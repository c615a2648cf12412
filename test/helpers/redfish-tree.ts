// Small hand-made Redfish trees for unit tests: one system with exactly the resources a test
// names, everything linked the way a BMC links it.
type Body = Record<string, unknown>;

/** What a test tree contains; every list becomes a collection under the system or chassis. */
export interface TreeSpec {
  root?: Body;
  system?: Body;
  processors?: Body[];
  memory?: Body[] | null;
  storage?: { body?: Body; drives: Body[]; volumes?: Body[] }[];
  simpleStorage?: Body[];
  interfaces?: Body[];
  adapters?: { body?: Body; ports?: Body[]; functions?: Body[] }[];
  pcie?: { body?: Body; functions: Body[] }[];
  chassis?: Body;
  manager?: Body;
  managerInterfaces?: Body[];
  firmware?: Body[];
  /** Extra or replacing entries, by path. */
  extra?: Record<string, unknown>;
}

const V1 = '/redfish/v1';
const SYSTEM = `${V1}/Systems/1`;
const CHASSIS = `${V1}/Chassis/1`;
const MANAGER = `${V1}/Managers/1`;

/** Builds the path → body map of a one-system tree. */
export function tree(spec: TreeSpec = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const collection = (path: string, members: Body[], memberPath: (index: number, body: Body) => string) => {
    const links = members.map((body, index) => {
      const id = memberPath(index, body);
      out[id] = { '@odata.id': id, Id: id.split('/').pop(), ...body };
      return { '@odata.id': id };
    });
    out[path] = { '@odata.id': path, Members: links, 'Members@odata.count': links.length };
    return { '@odata.id': path };
  };
  const system: Body = {
    '@odata.id': SYSTEM,
    Id: '1',
    UUID: '4c4c4544-0042-3610-8052-b2c04f4e3532',
    Manufacturer: 'Contoso',
    Model: 'Server 9000',
    SerialNumber: 'SN0001',
    PowerState: 'On',
    Links: { Chassis: [{ '@odata.id': CHASSIS }], ManagedBy: [{ '@odata.id': MANAGER }] },
    ...spec.system,
  };
  if (spec.processors) system.Processors = collection(`${SYSTEM}/Processors`, spec.processors, (i) => `${SYSTEM}/Processors/CPU${i + 1}`);
  if (spec.memory === null) {
    out[`${SYSTEM}/Memory`] = { '@odata.id': `${SYSTEM}/Memory`, Members: null };
    system.Memory = { '@odata.id': `${SYSTEM}/Memory` };
  } else if (spec.memory) system.Memory = collection(`${SYSTEM}/Memory`, spec.memory, (i) => `${SYSTEM}/Memory/DIMM${i + 1}`);
  if (spec.interfaces) system.EthernetInterfaces = collection(`${SYSTEM}/EthernetInterfaces`, spec.interfaces, (i) => `${SYSTEM}/EthernetInterfaces/NIC${i + 1}`);
  if (spec.simpleStorage) system.SimpleStorage = collection(`${SYSTEM}/SimpleStorage`, spec.simpleStorage, (i) => `${SYSTEM}/SimpleStorage/${i + 1}`);
  if (spec.storage) {
    system.Storage = collection(
      `${SYSTEM}/Storage`,
      spec.storage.map((storage, s) => {
        const base = `${SYSTEM}/Storage/RAID${s + 1}`;
        const drives = storage.drives.map((drive, d) => {
          const id = `${base}/Drives/Disk${d}`;
          out[id] = { '@odata.id': id, Id: `Disk${d}`, ...drive };
          return { '@odata.id': id };
        });
        const volumes = storage.volumes ? { Volumes: collection(`${base}/Volumes`, storage.volumes, (v) => `${base}/Volumes/${v}`) } : {};
        return { Drives: drives, ...volumes, ...storage.body };
      }),
      (s) => `${SYSTEM}/Storage/RAID${s + 1}`,
    );
  }
  if (spec.pcie) {
    system.PCIeDevices = spec.pcie.map((device, d) => {
      const id = `${CHASSIS}/PCIeDevices/${d}`;
      out[id] = { '@odata.id': id, Id: String(d), ...device.body, PCIeFunctions: collection(`${id}/PCIeFunctions`, device.functions, (f) => `${id}/PCIeFunctions/${f}`) };
      return { '@odata.id': id };
    });
  }
  out[SYSTEM] = system;
  const chassis: Body = { '@odata.id': CHASSIS, Id: '1', ChassisType: 'RackMount', Links: { ComputerSystems: [{ '@odata.id': SYSTEM }] }, ...spec.chassis };
  if (spec.adapters) {
    chassis.NetworkAdapters = collection(
      `${CHASSIS}/NetworkAdapters`,
      spec.adapters.map((adapter, a) => {
        const base = `${CHASSIS}/NetworkAdapters/NIC${a + 1}`;
        return {
          ...adapter.body,
          ...(adapter.ports ? { Ports: collection(`${base}/Ports`, adapter.ports, (p, body) => `${base}/Ports/${String(body.Id ?? p + 1)}`) } : {}),
          ...(adapter.functions ? { NetworkDeviceFunctions: collection(`${base}/NetworkDeviceFunctions`, adapter.functions, (f) => `${base}/NetworkDeviceFunctions/${f + 1}`) } : {}),
        };
      }),
      (a) => `${CHASSIS}/NetworkAdapters/NIC${a + 1}`,
    );
  }
  out[CHASSIS] = chassis;
  const manager: Body = { '@odata.id': MANAGER, Id: '1', ManagerType: 'BMC', FirmwareVersion: '1.0', ...spec.manager };
  if (spec.managerInterfaces) manager.EthernetInterfaces = collection(`${MANAGER}/EthernetInterfaces`, spec.managerInterfaces, (i) => `${MANAGER}/EthernetInterfaces/${i + 1}`);
  out[MANAGER] = manager;
  const root: Body = {
    '@odata.id': `${V1}/`,
    Systems: { '@odata.id': `${V1}/Systems` },
    Chassis: { '@odata.id': `${V1}/Chassis` },
    Managers: { '@odata.id': `${V1}/Managers` },
    ...spec.root,
  };
  out[`${V1}/Systems`] = { '@odata.id': `${V1}/Systems`, Members: [{ '@odata.id': SYSTEM }] };
  out[`${V1}/Chassis`] = { '@odata.id': `${V1}/Chassis`, Members: [{ '@odata.id': CHASSIS }] };
  out[`${V1}/Managers`] = { '@odata.id': `${V1}/Managers`, Members: [{ '@odata.id': MANAGER }] };
  if (spec.firmware) {
    root.UpdateService = { '@odata.id': `${V1}/UpdateService` };
    out[`${V1}/UpdateService`] = {
      '@odata.id': `${V1}/UpdateService`,
      FirmwareInventory: collection(`${V1}/UpdateService/FirmwareInventory`, spec.firmware, (f) => `${V1}/UpdateService/FirmwareInventory/${f}`),
    };
  }
  out[V1] = root;
  return { ...out, ...spec.extra };
}

/** Paths of the one system and its neighbours, for tests that poke at them. */
export const PATHS = { SYSTEM, CHASSIS, MANAGER } as const;
