// A hostile Redfish service of the memory suite's own, for what the simulator cannot express: every
// answer is made when asked (a tree of 4,096 processors or 16 MiB bodies is never held in memory),
// and each shape is one way a BMC can try to make the collector spend memory. Plain HTTP; any
// credentials are accepted, as a session.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the hostile BMC sends. */
export type HostileShape =
  /** 4,096 processors, each 4,096 cores and 16,384 threads (inside the per-socket limits). */
  | 'processor-bomb'
  /** 64 processors of 16,384 threads: ~80 small requests that would make a 255 MB document. */
  | 'document-bomb'
  /** 1,500 DIMMs on each of two pages of the Memory collection. */
  | 'dimm-pages'
  /** Two chassis of 2,100 drives each. */
  | 'drive-bomb'
  /** 2,000 Ethernet interfaces, each with a MAC of its own. */
  | 'interface-bomb'
  /** Two PCIe devices of 2,400 functions each. */
  | 'pcie-bomb'
  /** 4,096 storage subsystems of 4,096 drives each: 16.7 million links to read. */
  | 'read-flood'
  /** Every processor a body just under the 16 MiB cap, of `[{},{},…]` (a parser's worst case: ~21× its size on the heap). */
  | 'amplifying-bodies'
  /** 64 processors whose Model is a 4 MiB string. */
  | 'long-strings'
  /** 2,000 drives whose Model is 4,500 characters: within every count, a document of 18 million characters. */
  | 'document-size'
  /** A machine at every bound at once (256 sockets of 32 cores and 64 threads, 2,048 DIMMs, drives and PCI functions, 512 interfaces): accepted. */
  | 'at-bounds';

/** Every shape, in the order the suite tries them. */
export const HOSTILE_SHAPES: readonly HostileShape[] = [
  'processor-bomb',
  'document-bomb',
  'dimm-pages',
  'drive-bomb',
  'interface-bomb',
  'pcie-bomb',
  'read-flood',
  'amplifying-bodies',
  'long-strings',
  'document-size',
  'at-bounds',
];

/** A running hostile BMC. */
export interface MemoryBmc {
  readonly url: string;
  /** Requests answered. */
  readonly requests: () => number;
  close(): Promise<void>;
}

const SYSTEM = '/redfish/v1/Systems/1';
const MiB = 1024 * 1024;

/** Starts a hostile BMC of one shape on a free loopback port. */
export async function startMemoryBmc(shape: HostileShape): Promise<MemoryBmc> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    const [rawPath, query = ''] = (request.url ?? '/').split('?');
    const path = rawPath!.replace(/\/$/, '');
    if (request.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
      request.resume();
      response.writeHead(201, { 'content-type': 'application/json', 'x-auth-token': 'hostile', location: '/redfish/v1/SessionService/Sessions/1' });
      response.end('{"@odata.id":"/redfish/v1/SessionService/Sessions/1"}');
      return;
    }
    if (request.method === 'DELETE') {
      response.writeHead(204).end();
      return;
    }
    const body = decodeURIComponent(query).includes('$expand') ? expanded(shape, path) : answer(shape, path);
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"Base.1.0.ResourceMissingAtURI","message":"not here"}}');
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
    response.end(bytes);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (value: unknown) => JSON.stringify(value);

// Shapes of thousands of members list them in $expand answers, as real BMCs do: one request, not thousands.
const EXPANDS: ReadonlySet<HostileShape> = new Set(['processor-bomb', 'document-bomb', 'drive-bomb', 'interface-bomb', 'pcie-bomb', 'document-size', 'at-bounds']);

function expanded(shape: HostileShape, path: string): string | Buffer | undefined {
  const body = answer(shape, path);
  if (typeof body !== 'string' || !EXPANDS.has(shape)) return body;
  const parsed = JSON.parse(body) as { Members?: { '@odata.id': string }[] };
  if (!Array.isArray(parsed.Members)) return body;
  return json({ ...parsed, Members: parsed.Members.map((member) => JSON.parse(String(answer(shape, member['@odata.id'])))) });
}
const link = (path: string) => ({ '@odata.id': path });
const collection = (path: string, count: number, member: (index: number) => string, next?: string) =>
  json({ '@odata.id': path, Members: Array.from({ length: count }, (_, index) => link(member(index))), 'Members@odata.count': count, ...(next ? { 'Members@odata.nextLink': next } : {}) });
const mac = (index: number) => `02:00:${[(index >> 16) & 255, (index >> 8) & 255, index & 255, 1].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;

// A 16 MiB-minus body of empty objects, made once.
let amplifying: Buffer | undefined;
function amplifyingBody(): Buffer {
  amplifying ??= Buffer.from(`[${'{},'.repeat(Math.floor((16 * MiB - 64) / 3) - 1)}{}]`);
  return amplifying;
}
let longModel: string | undefined;

// Chassis holding drives: two of 2,100 (past the drives bound), one of 2,000 long-named ones, or
// one of 2,046 (with the storage subsystem's two, at the bound).
function chassisCount(shape: HostileShape): number {
  return shape === 'drive-bomb' ? 2 : shape === 'document-size' || shape === 'at-bounds' ? 1 : 0;
}

function answer(shape: HostileShape, path: string): string | Buffer | undefined {
  if (path === '/redfish/v1') {
    return json({
      '@odata.id': '/redfish/v1',
      RedfishVersion: '1.15.0',
      UUID: '0badbad0-0000-4000-8000-000000000001',
      Systems: link('/redfish/v1/Systems'),
      Links: { Sessions: link('/redfish/v1/SessionService/Sessions') },
      ...(EXPANDS.has(shape) ? { ProtocolFeaturesSupported: { ExpandQuery: { ExpandAll: true, Levels: true, NoLinks: true, MaxLevels: 1 } } } : {}),
    });
  }
  if (path === '/redfish/v1/Systems') return collection(path, 1, () => SYSTEM);
  if (path === SYSTEM) {
    return json({
      '@odata.id': SYSTEM,
      Id: '1',
      Name: 'hostile',
      Manufacturer: 'Hostile Inc.',
      Model: 'Bomb',
      SerialNumber: `HOSTILE-${shape}`,
      UUID: '0badbad0-0000-4000-8000-000000000002',
      Processors: link(`${SYSTEM}/Processors`),
      Memory: link(`${SYSTEM}/Memory`),
      Storage: link(`${SYSTEM}/Storage`),
      EthernetInterfaces: link(`${SYSTEM}/EthernetInterfaces`),
      PCIeDevices: link(`${SYSTEM}/PCIeDevices`),
      Links: { Chassis: chassisCount(shape) > 0 ? Array.from({ length: chassisCount(shape) }, (_, index) => link(`/redfish/v1/Chassis/${index}`)) : [] },
    });
  }
  const processors = shape === 'processor-bomb' || shape === 'amplifying-bodies' ? 4096 : shape === 'document-bomb' || shape === 'long-strings' ? 64 : shape === 'at-bounds' ? 256 : 2;
  if (path === `${SYSTEM}/Processors`) return collection(path, processors, (index) => `${path}/${index}`);
  const processor = /\/Processors\/(\d+)$/.exec(path);
  if (processor) {
    if (shape === 'amplifying-bodies') return amplifyingBody();
    const huge = shape === 'processor-bomb' || shape === 'document-bomb';
    if (shape === 'long-strings') longModel ??= 'X'.repeat(4 * MiB);
    return json({
      '@odata.id': path,
      Id: processor[1],
      Socket: `CPU ${processor[1]}`,
      ProcessorType: 'CPU',
      Manufacturer: 'Intel(R) Corporation',
      Model: shape === 'long-strings' ? longModel : 'Xeon',
      InstructionSet: 'x86-64',
      TotalCores: huge ? 4096 : 32,
      TotalThreads: huge ? 16_384 : 64,
      Status: { State: 'Enabled' },
    });
  }
  const memoryPage = /\/Memory(?:\/page(\d+))?$/.exec(path);
  if (memoryPage) {
    const page = Number(memoryPage[1] ?? 0);
    const count = shape === 'dimm-pages' ? 1500 : shape === 'at-bounds' ? 1024 : 2;
    const next = (shape === 'dimm-pages' || shape === 'at-bounds') && page === 0 ? `${SYSTEM}/Memory/page1` : undefined;
    return collection(path, count, (index) => `${SYSTEM}/Memory/d${page * count + index}`, next);
  }
  const dimm = /\/Memory\/d(\d+)$/.exec(path);
  if (dimm) return json({ '@odata.id': path, Id: `d${dimm[1]}`, DeviceLocator: `DIMM ${dimm[1]}`, CapacityMiB: 32_768, MemoryDeviceType: 'DDR5', SerialNumber: `S${dimm[1]}`, Status: { State: 'Enabled' } });
  const subsystems = shape === 'read-flood' ? 4096 : 1;
  if (path === `${SYSTEM}/Storage`) return collection(path, subsystems, (index) => `${path}/s${index}`);
  const storage = /\/Storage\/s(\d+)$/.exec(path);
  if (storage) {
    const drives = shape === 'read-flood' ? 4096 : 2;
    return json({ '@odata.id': path, Id: `s${storage[1]}`, Drives: Array.from({ length: drives }, (_, index) => link(`${path}/Drives/${index}`)) });
  }
  const chassis = /^\/redfish\/v1\/Chassis\/(\d+)$/.exec(path);
  if (chassis) return json({ '@odata.id': path, Id: chassis[1], ChassisType: 'RackMount', Drives: link(`${path}/Drives`) });
  if (/^\/redfish\/v1\/Chassis\/\d+\/Drives$/.test(path)) return collection(path, shape === 'drive-bomb' ? 2100 : shape === 'at-bounds' ? 2046 : 2000, (index) => `${path}/${index}`);
  const drive = /\/(?:Storage\/s|Chassis\/)(\d+)\/Drives\/(\d+)$/.exec(path);
  if (drive) {
    const model = shape === 'document-size' ? 'M'.repeat(4500) : 'Disk';
    return json({ '@odata.id': path, Id: drive[2], CapacityBytes: 960_197_124_096, MediaType: 'SSD', Protocol: 'SATA', Model: model, SerialNumber: `D${drive[1]}-${drive[2]}`, Status: { State: 'Enabled' } });
  }
  if (path === `${SYSTEM}/EthernetInterfaces`) return collection(path, shape === 'interface-bomb' ? 2000 : shape === 'at-bounds' ? 512 : 2, (index) => `${path}/${index}`);
  const nic = /\/EthernetInterfaces\/(\d+)$/.exec(path);
  if (nic) return json({ '@odata.id': path, Id: nic[1], MACAddress: mac(Number(nic[1])), SpeedMbps: 25_000, LinkStatus: 'LinkUp', Status: { State: 'Enabled' } });
  if (path === `${SYSTEM}/PCIeDevices`) return collection(path, shape === 'pcie-bomb' || shape === 'at-bounds' ? 2 : 1, (index) => `${path}/${index}`);
  const device = /\/PCIeDevices\/(\d+)$/.exec(path);
  if (device) return json({ '@odata.id': path, Id: device[1], Manufacturer: 'Hostile', PCIeFunctions: link(`${path}/PCIeFunctions`) });
  const functions = /\/PCIeDevices\/(\d+)\/PCIeFunctions$/.exec(path);
  if (functions) return collection(path, shape === 'pcie-bomb' ? 2400 : shape === 'at-bounds' ? 1024 - 8 : 8, (index) => `${path}/${index}`);
  const fn = /\/PCIeDevices\/(\d+)\/PCIeFunctions\/(\d+)$/.exec(path);
  if (fn) return json({ '@odata.id': path, Id: fn[2], VendorId: '0x8086', DeviceId: '0x1572', FunctionId: Number(fn[2]), ClassCode: '0x020000', DeviceClass: 'NetworkController', Name: `f${fn[1]}.${fn[2]}` });
  return undefined;
}
