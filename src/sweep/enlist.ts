// What one reading of a machine does to the target: find it (never a duplicate), create it
// Deployed or push what changed, follow it to a new BMC address, or leave it alone while MAAS is
// busy with it; and the host name a new machine gets.
import { FALLBACK_ARCHITECTURE } from '../inventory/commissioning.ts';
import { diffInventories } from '../inventory/diff.ts';
import { fingerprintOfView, stableJson } from '../inventory/fingerprint.ts';
import { beyondBounds, documentBeyondBounds, inventoryBeyondBounds } from '../inventory/bounds.ts';
import { hostsOf, NOT_MACHINE_TYPES } from '../inventory/hosts.ts';
import type { HardwareInventory } from '../inventory/model.ts';
import { toInventory } from '../inventory/normalise.ts';
import { sourceFromCrawl } from '../inventory/source.ts';
import { carryForward } from '../inventory/partial.ts';
import { toCommissioningResults } from '../inventory/results.ts';
import { acceptsHardwareUpdate, statusOfRef } from '../lifecycle/index.ts';
import type { RawCrawl } from '../redfish/crawl.ts';
import { ERROR_KINDS, RedfishError } from '../redfish/errors.ts';
import { bmcHostPort } from '../redfish/links.ts';
import { lastInventory } from '../registry/bmc-state.ts';
import { toHostname } from '../registry/machines.ts';
import { storageFailure, type Store } from '../registry/store.ts';
import type { BmcConfig } from './config.ts';
import type { MachineResult } from './report.ts';
import type { SweepSettings } from './sweep.ts';
import { unknownSectionsOf } from './unknown.ts';
import { maasArchitecture, MachineSkipped, TargetError, type MachineRecord, type PushReport, type Target } from './target.ts';

/** An inventory pushed to the target, to remember as the system's last reading. */
export interface Reading {
  readonly system: string;
  readonly fingerprint: string;
  readonly inventory: HardwareInventory;
}

/**
 * Enlists one reading; what the target refuses or fails becomes the machine's result, never an
 * exception: skipped when the target left the machine alone for its state, failed otherwise.
 */
export async function enlistOrFail(
  bmc: BmcConfig,
  read: HardwareInventory,
  knownSystemId: string | undefined,
  target: Target,
  state: Store,
  settings: SweepSettings,
  readings: Reading[],
  scrub: (text: string) => string,
): Promise<MachineResult> {
  try {
    return await enlist(bmc, read, knownSystemId, target, state, settings, readings);
  } catch (error) {
    if (error instanceof MachineSkipped) return { system: read.system, outcome: 'skipped', reason: scrub(error.message) };
    const status = error instanceof TargetError ? error.status : undefined;
    // The embedded target's own database failing (full, locked) is the collector's storage, not a refusal.
    const storage = storageFailure(error instanceof TargetError ? (error.cause ?? error) : error);
    return {
      system: read.system,
      outcome: 'failed',
      errorKind: error instanceof RedfishError ? error.kind : storage === undefined ? 'target' : 'storage',
      reason: scrub(storage === undefined ? withStatus((error as Error).message, status) : `not stored: ${storage}`),
    };
  }
}

/** A target's message with its HTTP status, unless the message already says it (MAAS's errors do). */
function withStatus(message: string, status: number | undefined): string {
  return status === undefined || message.includes(`HTTP ${status}`) ? message : `${message} (HTTP ${status})`;
}

export async function enlist(bmc: BmcConfig, read: HardwareInventory, knownSystemId: string | undefined, target: Target, state: Store, settings: SweepSettings, readings: Reading[]): Promise<MachineResult> {
  let previous = lastInventory<HardwareInventory>(state, bmc.address, read.system);
  const machine = await target.findMachine({
    ...(read.identity.uuid ? { uuid: read.identity.uuid } : {}),
    macs: read.nics.flatMap((nic) => nic.ports.map((port) => port.mac)),
    bmcAddress: bmc.address,
    nodeId: read.systemId,
    ...(knownSystemId ? { knownSystemId } : {}),
  });
  if (machine) refuseOtherMachine(machine, read, bmc, knownSystemId);
  // The same machine answering on a new BMC address: what it had is remembered under the old one.
  if (!previous && machine?.powerAddress !== undefined && machine.powerAddress !== bmc.address) {
    previous = lastInventory<HardwareInventory>(state, machine.powerAddress, read.system);
  }
  const inventory = carryForward(previous?.inventory, read, previous ? `sweep of ${previous.at}` : undefined);
  // Its size measured on the JSON the fingerprint hashes anyway, before any output is made of it.
  const view = stableJson(inventory);
  const tooLarge = inventoryBeyondBounds(view.length);
  if (tooLarge !== undefined) throw new RedfishError('bad-response', `${read.system}: ${tooLarge}`);
  const print = fingerprintOfView(view);
  const results = toCommissioningResults(inventory, settings.producer);
  // Measured before anything is created or pushed: the outputs a target stores and sends.
  const measure = () => {
    const outputs = documentBeyondBounds(results.outputs);
    if (outputs !== undefined) throw new RedfishError('bad-response', `${read.system}: ${outputs}`);
  };
  if (!machine) {
    unreadableMacs(inventory);
    measure();
    const hostname = hostnameFor(inventory);
    if (settings.dryRun) return { system: read.system, outcome: 'created', hostname, reason: 'would be created (dry run)' };
    const created = await createWithFreeName(target, hostname, inventory, bmc);
    const report = await target.pushHardware(created, results);
    readings.push({ system: read.system, fingerprint: print, inventory });
    return { system: read.system, outcome: 'created', systemId: created.systemId, hostname: created.hostname, ...unreported(report) };
  }
  const found = { system: read.system, systemId: machine.systemId, hostname: machine.hostname };
  // The same machine answering on a new BMC address: follow it (rule 5), never duplicate it.
  if (!settings.dryRun && machine.powerAddress !== undefined && machine.powerAddress !== bmc.address && target.updatePower) {
    await target.updatePower(machine, { address: bmc.address, user: bmc.username, password: bmc.password, nodeId: inventory.systemId });
  }
  if (!acceptsHardwareUpdate(machine.status)) {
    return { ...found, outcome: 'skipped', reason: `machine is ${statusOfRef(machine.status).name}; hardware is updated once the operation ends` };
  }
  // Decided from the target's own status before anything is pushed (real MAAS: Deployed only).
  const refusal = target.hardwareRefusal?.(machine);
  if (refusal !== undefined) return { ...found, outcome: 'skipped', reason: refusal };
  if (previous?.fingerprint === print) return { ...found, outcome: 'unchanged' };
  // Nothing to carry an unreadable section over from: pushing would replace the disks or NICs the
  // target knows with nothing. The machine is left as it is until every section reads.
  const unknown = Object.entries(inventory.sections).filter(([, section]) => section.unknown).map(([name]) => name);
  if (!previous && unknown.length > 0) {
    return { ...found, outcome: 'skipped', reason: `could not read ${unknown.join(', ')} and has no earlier reading to keep them from; not replacing what the target knows with an incomplete document` };
  }
  measure();
  const changes = previous ? diffInventories(previous.inventory, inventory) : [];
  if (settings.dryRun) return { ...found, outcome: 'updated', reason: 'would be updated (dry run)', changes: changes.map((change) => change.description) };
  const report = await target.pushHardware(machine, results, changes);
  readings.push({ system: read.system, fingerprint: print, inventory });
  return { ...found, outcome: 'updated', changes: changes.map((change) => change.description), ...unreported(report) };
}

// A machine found by a MAC alone (not by its UUID, its BMC's address or the collector's memory of
// this BMC) whose hardware UUID is another's is another machine sharing a MAC (a cloned or
// moved NIC, a simulator's): its hardware is never overwritten with this BMC's.
function refuseOtherMachine(machine: MachineRecord, read: HardwareInventory, bmc: BmcConfig, knownSystemId: string | undefined): void {
  const theirs = machine.hardwareUuid?.toLowerCase();
  const ours = read.identity.uuid?.toLowerCase();
  if (!theirs || !ours || theirs === ours || knownSystemId === machine.systemId) return;
  if (machine.powerAddress !== undefined && bmcHostPort(machine.powerAddress) === bmcHostPort(bmc.address)) return;
  const shared = read.nics.flatMap((nic) => nic.ports.map((port) => port.mac.toLowerCase())).find((mac) => machine.macAddresses.some((other) => other.toLowerCase() === mac));
  throw new TargetError(
    `${read.system}: MAC ${shared ?? '(one of its MACs)'} is already machine ${machine.hostname} (${machine.systemId}), whose hardware UUID ${theirs} is not this BMC's ${ours}: not updating another machine's hardware. If it is this machine with a new board, delete ${machine.hostname} or give it this BMC's address, then sweep again`,
  );
}

// A new machine is created with its MACs (MAAS's rule): when its interfaces could not be read, the
// read's own failure is the BMC's answer, not the target's "field required" refusal of a create.
function unreadableMacs(inventory: HardwareInventory): void {
  const network = inventory.sections.network;
  if (!network.unknown || inventory.nics.some((nic) => nic.ports.length > 0)) return;
  const failure = network.failures[0];
  const where = failure ? ` (${failure.kind} at ${failure.path})` : '';
  const kind = ERROR_KINDS.find((known) => known === failure?.kind) ?? 'bad-response';
  throw new RedfishError(kind, `${inventory.system}: could not read its network interfaces${where}; a new machine is created with its MACs, so it is created once they read`);
}

// Scripts of the machine's commissioning set no BMC reading stands in for: said, since release then gives New.
function unreported(report: PushReport | void): { reason?: string } {
  if (!report || report.unreported.length === 0) return {};
  return { reason: `commissioning scripts not reported (nothing out-of-band stands in for them): ${report.unreported.join(', ')}; released, the machine goes to New, not Ready` };
}

// MAAS refuses a host name already taken; the collector then tells the machines apart by serial.
async function createWithFreeName(target: Target, hostname: string, inventory: HardwareInventory, bmc: BmcConfig): Promise<MachineRecord> {
  const macs = inventory.nics.flatMap((nic) => nic.ports.map((port) => port.mac));
  const create = (name: string) =>
    target.createDeployed({
      hostname: name,
      architecture: maasArchitecture(inventory.architecture ?? FALLBACK_ARCHITECTURE),
      macs,
      power: { address: bmc.address, user: bmc.username, password: bmc.password, nodeId: inventory.systemId },
      description: `Enlisted by redfish-enlist from ${bmc.name}`,
    });
  try {
    return await create(hostname);
  } catch (error) {
    if (!(error instanceof TargetError) || error.field !== 'hostname') throw error;
    const suffix = toHostname(inventory.identity.serial ?? inventory.identity.uuid ?? inventory.systemId).slice(-8);
    return create(`${hostname.slice(0, 54)}-${suffix}`);
  }
}

/** The host name a new machine gets: the BMC's report of it, else one made from vendor and serial. */
export function hostnameFor(inventory: HardwareInventory): string {
  if (inventory.identity.hostName) return toHostname(inventory.identity.hostName);
  const serial = inventory.identity.serial ?? inventory.identity.uuid?.slice(0, 8) ?? inventory.systemId;
  return toHostname(`${inventory.vendor === 'generic' ? 'machine' : inventory.vendor}-${serial}`);
}

/**
 * Each machine a BMC's systems make (the systems it links as parts of one host are one machine),
 * enlisted or updated in the target, with the warnings it gave and what was pushed, to be remembered.
 */
export async function enlistHosts(bmc: BmcConfig, raw: RawCrawl, target: Target, state: Store, settings: SweepSettings, systemsSeen: Record<string, string>, scrub: (text: string) => string): Promise<{ machines: MachineResult[]; warnings: string[]; readings: Reading[] }> {
  const machines: MachineResult[] = [];
  const warnings: string[] = [];
  const readings: Reading[] = [];
  const source = sourceFromCrawl(raw);
  for (const group of hostsOf(source, raw.systems)) {
    const path = group.host;
    const inventory = toInventory(source, path, group);
    if (inventory === undefined) {
      const outcome = raw.resources.get(path);
      const failure = outcome && !outcome.ok ? outcome.error : { kind: 'bad-response', message: `${path} is not a ComputerSystem` };
      machines.push({ system: path, outcome: 'failed', errorKind: failure.kind, reason: scrub(failure.message) });
      continue;
    }
    const type = (raw.resources.get(inventory.system) as { body?: { SystemType?: unknown } } | undefined)?.body?.SystemType;
    if (bmc.systemId !== undefined && inventory.systemId !== bmc.systemId) continue;
    if (typeof type === 'string' && NOT_MACHINE_TYPES.has(type)) {
      machines.push({ system: inventory.system, outcome: 'skipped', reason: `SystemType ${type} is not a machine` });
      continue;
    }
    // A machine no real server could be is not enlisted: its document alone would cost without end.
    const beyond = beyondBounds(inventory);
    if (beyond !== undefined) {
      machines.push({ system: inventory.system, outcome: 'failed', errorKind: 'bad-response', reason: scrub(`${inventory.system}: ${beyond}`) });
      continue;
    }
    // Each unreadable section with the error class of its failed reads (the earlier data is kept).
    for (const [name, section] of Object.entries(inventory.sections)) {
      if (!section.unknown) continue;
      const causes = [...new Set(section.failures.map((failure) => `${failure.kind} at ${failure.path}`))];
      warnings.push(scrub(`${inventory.system}: could not read ${name}${causes.length > 0 ? ` (${causes.slice(0, 3).join('; ')}${causes.length > 3 ? '; …' : ''})` : ''}`));
    }
    const incomplete = Object.values(inventory.sections).some((section) => section.unknown);
    const unknown = incomplete ? unknownSectionsOf(inventory, lastInventory<HardwareInventory>(state, bmc.address, inventory.system)).map((entry) => (entry.path ? { ...entry, path: scrub(entry.path) } : entry)) : [];
    const enlisted = await enlistOrFail(bmc, inventory, systemsSeen[inventory.system], target, state, settings, readings, scrub);
    machines.push(unknown.length > 0 && enlisted.outcome !== 'failed' ? { ...enlisted, unknown } : enlisted);
    if (enlisted.systemId) systemsSeen[inventory.system] = enlisted.systemId;
  }
  return { machines, warnings, readings };
}
