// Where machines live: the embedded registry or a real MAAS. The sweep talks to both through this
// one interface, so "find, create as Deployed, push hardware" means the same thing everywhere.
import type { HardwareChange } from '../inventory/diff.ts';
import type { CommissioningResults } from '../inventory/results.ts';

/** What a target knows about one machine. */
export interface MachineRecord {
  readonly systemId: string;
  readonly hostname: string;
  /** MAAS status number (6 = Deployed). */
  readonly status: number;
  readonly statusName: string;
  readonly locked: boolean;
  readonly macAddresses: readonly string[];
  readonly hardwareUuid?: string;
  readonly powerType: string;
  /** The BMC address from the machine's power parameters, when the target shares it. */
  readonly powerAddress?: string;
}

/** The BMC a machine is reached through, as power parameters. */
export interface PowerParameters {
  /** `power_address`: the BMC's address as configured. */
  readonly address: string;
  readonly user: string;
  /** Never logged, never listed. */
  readonly password: string;
  /** Redfish `node_id`: the ComputerSystem's Id. */
  readonly nodeId: string;
}

/** What identifies the hardware behind a BMC, in the order a machine is matched. */
export interface MachineKeys {
  readonly uuid?: string;
  readonly macs: readonly string[];
  readonly bmcAddress: string;
  readonly nodeId: string;
  /** A system id remembered from an earlier sweep. */
  readonly knownSystemId?: string;
}

/** A machine to create as Deployed. */
export interface NewMachine {
  readonly hostname: string;
  /** MAAS architecture, e.g. "amd64/generic". */
  readonly architecture: string;
  readonly macs: readonly string[];
  readonly power: PowerParameters;
  readonly description?: string;
}

/** A store of machines that accepts hardware pushes. */
export interface Target {
  /** Short name for reports ("embedded", "maas"). */
  readonly kind: string;
  /** Loads whatever index makes finding machines cheap for one sweep. */
  prepare(): Promise<void>;
  /** The machine for this hardware: by remembered id, then UUID, then MAC, then BMC address. */
  findMachine(keys: MachineKeys): Promise<MachineRecord | undefined>;
  /** Creates a Deployed machine (never reboots or reloads it). */
  createDeployed(machine: NewMachine): Promise<MachineRecord>;
  /**
   * Reports a machine's commissioning results (its hardware), as MAAS's own hardware sync does.
   * `changes` (what the collector saw change, DIMM by DIMM) is kept as history by targets that keep one.
   */
  pushHardware(machine: MachineRecord, results: CommissioningResults, changes?: readonly HardwareChange[]): Promise<PushReport | void>;
  /**
   * Why the target would not take hardware for this machine now, decided from its status as the
   * target reported it (undefined: it would). The sweep then reports the machine skipped, unpushed.
   */
  hardwareRefusal?(machine: MachineRecord): string | undefined;
  /** Points a machine at its BMC's new address (the BMC moved); targets that cannot may omit it. */
  updatePower?(machine: MachineRecord, power: PowerParameters): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** What a push could not do, beyond storing the hardware. */
export interface PushReport {
  /**
   * Scripts of the machine's commissioning set that no output stands in for (a site's own script
   * tagged for deployed machines, say): the set stays incomplete, so release gives New, not Ready.
   */
  readonly unreported: readonly string[];
}

/** A target refused an operation; `status` is the HTTP status when there was one. */
export class TargetError extends Error {
  override readonly name: string = 'TargetError';
  readonly status: number | undefined;
  /** The form field a 400 names, when it names one. */
  readonly field: string | undefined;

  constructor(message: string, options: { status?: number; field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.field = options.field;
  }
}

/** The target left a machine alone because of its state (no push): the sweep reports it skipped, not failed. */
export class MachineSkipped extends TargetError {
  override readonly name: string = 'MachineSkipped';
}

/** MAAS's architecture name for a kernel architecture ("amd64/generic" for x86_64). */
export function maasArchitecture(kernel: string): string {
  const map: Record<string, string> = {
    x86_64: 'amd64',
    i686: 'i386',
    aarch64: 'arm64',
    ppc64le: 'ppc64el',
    s390x: 's390x',
    mips: 'mips',
    mips64: 'mips64el',
  };
  return `${map[kernel] ?? 'amd64'}/generic`;
}
