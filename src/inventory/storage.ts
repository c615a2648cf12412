// Storage → drives (named as the kernel would name them) and volumes. Quirks handled here:
// - Huawei iBMC: the collection is at Systems/1/Storages, reached through the `Storage` link
//   (fixtures/huawei-2288hv5-ibmc); drives live under the chassis and are linked from storage.
// - Drives listed both in Storage and under the chassis (HPE Gen10+): de-duplicated by path and
//   by serial number.
// - Older BMCs (Cisco CIMC, fixtures/cisco-c220m5-cimc) only have SimpleStorage `Devices`.
// - Older HPE iLO 5 blades: an empty Storage collection, the drives only under the OEM
//   SmartStorage tree (fixtures/shapes/hpe-blade-smartstorage).
// - Supermicro answers 403 OemLicenseNotPassed for storage: the reader marks the section unknown.
// - A drive that names no protocol (or only the PCIe link) on a controller whose only device
//   protocol is NVMe is an NVMe drive (controllerProtocol): named nvme0n1…, typed nvme.
// - Sizes are cross-checked against every other size the BMC gives (capacity.ts).
import { at, linkAt, normalisePath, type Resource } from '../redfish/navigate.ts';
import { ARRAY_CONTROLLERS, PHYSICAL_DRIVES, SMART_STORAGE } from '../redfish/oem/hpe.ts';
import { lacksProtocol, PLAUSIBLE_DRIVE_BYTES } from '../redfish/resources/storage.ts';
import { checkSize, ownSizeEvidence, volumeSizeEvidence, type SizeEvidence } from './capacity.ts';
import type { Drive, Media, Note, Volume } from './model.ts';
import { LIMITS, list, naturalCompare, positive, str, text, type ReadContext } from './read.ts';
import type { SectionReader } from './source.ts';

/** Drives and volumes of one system, and the drive sizes corrected, doubted or left out. */
export interface StorageReading {
  readonly drives: Drive[];
  readonly volumes: Volume[];
  readonly notes: Note[];
}

type Unnamed = Omit<Drive, 'name'> & { readonly order: string };

/** Reads every drive and volume a machine's systems' storage and chassis report (the host first). */
export function readStorage(systems: readonly Resource[], chassis: readonly Resource[], reader: SectionReader, findings: ReadContext['findings']): StorageReading {
  const drives = new Map<string, Unnamed>();
  const evidence = new Map<string, SizeEvidence[]>();
  const volumes: Volume[] = [];
  const volumeBodies: Resource[] = [];
  const subsystems = systems.flatMap((system) => reader.members(linkAt(system, ['Storage']) ?? linkAt(system, ['Storages'])));
  subsystems.forEach((storage, index) => {
    const order = `${String(index).padStart(3, '0')}`;
    const bodies = reader.follow(storage, ['Drives']);
    const fallback = bodies.some(lacksProtocol) ? controllerProtocol(storage, reader) : undefined;
    for (const body of bodies) addDrive(drives, evidence, body, order, findings, fallback);
    for (const volume of reader.members(linkAt(storage, ['Volumes']))) {
      volumeBodies.push(volume);
      const name = text(volume.Name) ?? str(volume.Id) ?? '(volume)';
      const sizeBytes = positive(volume.CapacityBytes, LIMITS.bytes);
      const raidType = text(volume.RAIDType) ?? text(volume.VolumeType);
      volumes.push({ name, ...(sizeBytes ? { sizeBytes } : {}), ...(raidType ? { raidType } : {}) });
    }
  });
  for (const body of chassis) {
    for (const drive of [...reader.members(linkAt(body, ['Drives'])), ...reader.follow(body, ['Links', 'Drives'])]) {
      addDrive(drives, evidence, drive, '900', findings);
    }
  }
  // The vendor's OEM tree: the drives, when the standard storage lists none; else the sizes to
  // check an implausible CapacityBytes against (the crawl reads it in the same two cases).
  if (drives.size === 0 || [...drives.values()].some((drive) => drive.sizeBytes < PLAUSIBLE_DRIVE_BYTES)) {
    const oem = new Map<string, Unnamed>();
    const into = drives.size === 0 ? drives : oem;
    for (const system of systems) addSmartStorageDrives(into, system, reader, findings);
    for (const [path, drive] of drives) {
      const twin = [...oem.values()].find((candidate) => candidate.serial !== undefined && candidate.serial === drive.serial);
      if (twin) evidence.set(path, [...(evidence.get(path) ?? []), { bytes: twin.sizeBytes, from: `SmartStorage ${twin.source}`, kind: 'exact' }]);
    }
  }
  if (drives.size === 0) {
    for (const simple of systems.flatMap((system) => reader.members(linkAt(system, ['SimpleStorage'])))) addSimpleDevices(drives, simple);
  }
  const notes = checkSizes(drives, evidence, volumeBodies);
  const named = nameDrives([...drives.values()]);
  return { drives: named, volumes, notes: [...notes, ...named.filter((drive) => drive.media === 'unknown').map(unknownMedia)] };
}

// MAAS has no unknown media: it tags every disk reported without a rotation speed `ssd`, and the
// tags of a Deployed machine's disks cannot be changed. The note says what the BMC did not.
function unknownMedia(drive: Drive): Note {
  return {
    area: 'storage',
    subject: drive.serial ?? drive.name,
    action: 'flagged',
    reason: `${drive.name}: the BMC does not say whether it is an SSD or a spinning disk (no MediaType or rotation speed); MAAS tags a disk without a rotation speed ssd`,
    resource: drive.source,
  };
}

// Every drive's reported size against the other sizes the BMC gives (capacity.ts): corrected in
// place, kept with a doubt, or taken out; each decision is a note.
function checkSizes(drives: Map<string, Unnamed>, evidence: ReadonlyMap<string, SizeEvidence[]>, volumes: readonly Resource[]): Note[] {
  const bounds = volumeSizeEvidence(volumes, new Map([...drives].map(([path, drive]) => [normalisePath(path), drive.sizeBytes])));
  const notes: Note[] = [];
  for (const [path, drive] of drives) {
    const verdict = checkSize(drive.sizeBytes, [...(evidence.get(path) ?? []), ...(bounds.get(normalisePath(path)) ?? [])]);
    const note = (action: Note['action'], reason: string) => notes.push({ area: 'storage', subject: drive.serial ?? path, action, reason, resource: path });
    if (!verdict.ok) {
      drives.delete(path);
      note('left out', verdict.reason);
    } else if (verdict.correction !== undefined) {
      drives.set(path, { ...drive, sizeBytes: verdict.bytes });
      note('corrected', verdict.correction);
    } else if (verdict.doubt !== undefined) note('flagged', `${verdict.doubt}; kept as reported`);
  }
  return notes;
}

/**
 * The one device protocol a storage subsystem's controllers support (SupportedDeviceProtocols of
 * the inline StorageControllers, else of the Controllers collection when it was read), or
 * undefined when they name none or several (a tri-mode controller says nothing of its drives).
 */
export function controllerProtocol(storage: Resource, reader: SectionReader): string | undefined {
  const inline = list(storage.StorageControllers);
  const controllers = inline.length > 0 ? inline : reader.membersIfRead(linkAt(storage, ['Controllers']));
  const protocols = new Set(controllers.flatMap((controller) => list(at(controller, ['SupportedDeviceProtocols'])).map((entry) => str(entry)?.toLowerCase())).filter((entry) => entry !== undefined));
  return protocols.size === 1 ? [...protocols][0] : undefined;
}

function addDrive(drives: Map<string, Unnamed>, evidence: Map<string, SizeEvidence[]>, body: Resource, group: string, findings: ReadContext['findings'], controller?: string): void {
  const source = str(body['@odata.id']) ?? `(drive ${drives.size})`;
  if (drives.has(source)) return;
  const ctx = { resource: source, findings };
  if (str(at(body, ['Status', 'State'])) === 'Absent') return;
  const sizeBytes = positive(body.CapacityBytes, LIMITS.bytes, ctx, 'CapacityBytes');
  if (sizeBytes === undefined) return; // an empty bay or a drive the BMC cannot size
  const serial = text(body.SerialNumber);
  if (serial !== undefined && [...drives.values()].some((drive) => drive.serial === serial)) return;
  const protocol = (lacksProtocol(body) ? controller : undefined) ?? str(body.Protocol)?.toLowerCase();
  const declaredRpm = positive(body.RotationSpeedRPM, LIMITS.rpm, ctx, 'RotationSpeedRPM');
  const media = mediaOf(str(body.MediaType), protocol, declaredRpm);
  // MAAS tags a disk rotary only when rpm > 0; an HDD whose speed is not reported gets 1 so that
  // it is not shown as an SSD.
  const rpm = media === 'hdd' ? (declaredRpm ?? 1) : 0;
  const blockSize = positive(body.BlockSizeBytes, LIMITS.blockSize, ctx, 'BlockSizeBytes');
  const location = text(at(body, ['PhysicalLocation', 'PartLocation', 'ServiceLabel'])) ?? text(at(list(body.Location)[0], ['Info']));
  const { wwn, eui } = identifiersOf(body.Identifiers);
  const model = text(body.Model);
  const firmware = text(body.Revision);
  const manufacturer = text(body.Manufacturer);
  evidence.set(source, ownSizeEvidence(body));
  drives.set(source, {
    source,
    order: `${group}/${location ?? ''}/${source}`,
    sizeBytes,
    media,
    rpm,
    removable: protocol === 'usb',
    ...(protocol ? { protocol } : {}),
    ...(blockSize ? { blockSize } : {}),
    ...(model ? { model } : {}),
    ...(serial ? { serial } : {}),
    ...(firmware ? { firmware } : {}),
    ...(manufacturer ? { manufacturer } : {}),
    ...(wwn ? { wwn } : {}),
    ...(eui ? { eui } : {}),
    ...(location ? { location } : {}),
  });
}

// HPE iLO: with an empty standard Storage collection, the drives are only in SmartStorage, one
// DiskDrives collection per array controller (fixtures/shapes/hpe-blade-smartstorage).
function addSmartStorageDrives(drives: Map<string, Unnamed>, system: Resource, reader: SectionReader, findings: ReadContext['findings']): void {
  for (const pointer of SMART_STORAGE) {
    const smart = reader.get(linkAt(system, pointer));
    if (smart === undefined) continue;
    reader.members(linkAt(smart, ARRAY_CONTROLLERS)).forEach((controller, index) => {
      for (const body of reader.members(linkAt(controller, PHYSICAL_DRIVES))) addSmartStorageDrive(drives, body, `800/${String(index).padStart(3, '0')}`, findings);
    });
  }
}

function addSmartStorageDrive(drives: Map<string, Unnamed>, body: Resource, group: string, findings: ReadContext['findings']): void {
  const source = str(body['@odata.id']) ?? `(drive ${drives.size})`;
  if (drives.has(source) || str(at(body, ['Status', 'State'])) === 'Absent') return;
  const ctx = { resource: source, findings };
  // Blocks × block size is exact; CapacityMiB and CapacityGB are rounded.
  const blocks = positive(body.CapacityLogicalBlocks, LIMITS.bytes, ctx, 'CapacityLogicalBlocks');
  const blockSize = positive(body.BlockSizeBytes, LIMITS.blockSize, ctx, 'BlockSizeBytes');
  const mib = positive(body.CapacityMiB, LIMITS.bytes / MIB, ctx, 'CapacityMiB');
  const gb = positive(body.CapacityGB, LIMITS.bytes / 1e9, ctx, 'CapacityGB');
  const sizeBytes = blocks && blockSize ? blocks * blockSize : mib ? mib * MIB : gb ? gb * 1e9 : undefined;
  if (sizeBytes === undefined) return;
  const serial = text(body.SerialNumber);
  if (serial !== undefined && [...drives.values()].some((drive) => drive.serial === serial)) return;
  const protocol = str(body.InterfaceType)?.toLowerCase();
  const declaredRpm = positive(body.RotationalSpeedRpm, LIMITS.rpm, ctx, 'RotationalSpeedRpm');
  const media = mediaOf(str(body.MediaType), protocol, declaredRpm);
  const location = text(body.Location);
  const wwid = str(body.WWID)?.toLowerCase().replace(/^0x/, '');
  const model = text(body.Model);
  const firmware = text(at(body, ['FirmwareVersion', 'Current', 'VersionString']));
  drives.set(source, {
    source,
    order: `${group}/${location ?? ''}/${source}`,
    sizeBytes,
    media,
    rpm: media === 'hdd' ? (declaredRpm ?? 1) : 0,
    removable: protocol === 'usb',
    ...(protocol ? { protocol } : {}),
    ...(blockSize ? { blockSize } : {}),
    ...(model ? { model } : {}),
    ...(serial ? { serial } : {}),
    ...(firmware ? { firmware } : {}),
    ...(wwid && /^[0-9a-f]{16}$/.test(wwid) ? { wwn: `0x${wwid}` } : {}),
    ...(location ? { location } : {}),
  });
}

const MIB = 1024 * 1024;

function addSimpleDevices(drives: Map<string, Unnamed>, simple: Resource): void {
  const base = str(simple['@odata.id']) ?? '(simple storage)';
  list(simple.Devices).forEach((device, index) => {
    if (str(at(device, ['Status', 'State'])) === 'Absent') return;
    const sizeBytes = positive(at(device, ['CapacityBytes']), LIMITS.bytes);
    if (sizeBytes === undefined) return;
    const source = `${base}#/Devices/${index}`;
    const model = text(at(device, ['Model'])) ?? text(at(device, ['Name']));
    const manufacturer = text(at(device, ['Manufacturer']));
    drives.set(source, {
      source,
      order: `500/${base}/${String(index).padStart(4, '0')}`,
      sizeBytes,
      media: 'unknown',
      rpm: 0,
      removable: false,
      ...(model ? { model } : {}),
      ...(manufacturer ? { manufacturer } : {}),
    });
  });
}

function mediaOf(mediaType: string | undefined, protocol: string | undefined, rpm: number | undefined): Media {
  if (mediaType === 'SSD') return 'ssd';
  if (mediaType === 'HDD' || mediaType === 'SMR') return 'hdd';
  if (rpm !== undefined && rpm > 0) return 'hdd';
  if (protocol === 'nvme') return 'ssd';
  return 'unknown';
}

// NAA names become the WWN MAAS shows ("0x5000c500a1b2c3d4"); EUI-64/NGUID identify NVMe.
function identifiersOf(value: unknown): { wwn?: string; eui?: string } {
  const out: { wwn?: string; eui?: string } = {};
  for (const identifier of list(value)) {
    const format = str(at(identifier, ['DurableNameFormat']));
    const name = str(at(identifier, ['DurableName']))?.toLowerCase().replace(/^(naa|eui)\./, '').replace(/[:\s-]/g, '');
    if (!name || !/^(0x)?[0-9a-f]{8,32}$/.test(name)) continue;
    const hex = name.replace(/^0x/, '');
    if (format === 'NAA' && out.wwn === undefined) out.wwn = `0x${hex}`;
    if ((format === 'EUI' || format === 'NGUID') && out.eui === undefined) out.eui = hex;
  }
  return out;
}

// Kernel-style names, stable from sweep to sweep: NVMe drives are nvme0n1…, everything else sda…,
// each in the order of storage subsystem, bay label and path.
function nameDrives(drives: readonly Unnamed[]): Drive[] {
  const sorted = [...drives].sort((a, b) => naturalCompare(a.order, b.order));
  let scsi = 0;
  let nvme = 0;
  return sorted.map(({ order: _order, ...drive }) => ({
    name: drive.protocol === 'nvme' ? `nvme${nvme++}n1` : `sd${letters(scsi++)}`,
    ...drive,
  }));
}

/** sd names: a…z, aa…az, ba… as the kernel counts. */
export function letters(index: number): string {
  let name = '';
  for (let n = index; n >= 0; n = Math.floor(n / 26) - 1) name = String.fromCharCode(97 + (n % 26)) + name;
  return name;
}

