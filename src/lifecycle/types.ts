// The facts, events and effects of the lifecycle model. Plain data: everything here survives JSON.

import type { StatusKey } from './status.ts';

/** A MAAS power driver name; 'unknown' means none is configured (MAAS's empty power type). */
export type PowerType = 'unknown' | 'ipmi' | 'redfish' | 'manual' | (string & {});

/** A MAAS interface type; anything but 'physical' is removed on release (rule 6). */
export type InterfaceType = 'physical' | 'vlan' | 'bond' | 'bridge' | 'vf' | (string & {});

/** One network interface of a machine, as the rules need it. */
export interface MachineInterface {
  /** Interface name, e.g. 'eno1' or 'bond0.100'. */
  readonly name: string;
  /** MAC address, lower-case colon form. */
  readonly mac: string;
  /** MAAS interface type. */
  readonly type: InterfaceType;
}

/** The machine facts the lifecycle rules depend on; the status itself is the machine's state value. */
export interface LifecycleContext {
  /** Architecture as MAAS stores it (e.g. 'amd64/generic'), or null when not given. */
  readonly architecture: string | null;
  /** Whether the machine is locked against changes. */
  readonly locked: boolean;
  /** Username of the owner, or null. */
  readonly owner: string | null;
  /** Power driver. */
  readonly powerType: PowerType;
  /** Known MAC addresses; empty for a machine enlisted without one (rule 2). */
  readonly macAddresses: readonly string[];
  /** Interfaces from hardware information. */
  readonly interfaces: readonly MachineInterface[];
  /** Whether the hardware information comes from a passed commissioning result (rule 6). */
  readonly hasPassedCommissioning: boolean;
  /** Workload annotations (MAAS's owner data). */
  readonly workloadAnnotations: Readonly<Record<string, string>>;
  /** Whether a per-machine token exists (rule 8). */
  readonly hasToken: boolean;
  /** Id of the MAAS controller this machine is linked to, or null (rule 7). */
  readonly controller: string | null;
  /** The status before the last change, kept as MAAS keeps previous_status; null when there was none. */
  readonly previousStatus: StatusKey | null;
}

/** What creating a machine takes (POST /machines/ plus the controller link). */
export interface CreateMachineInput {
  /** Architecture, e.g. 'amd64/generic'. Required unless power is IPMI, or deployed with Unknown power. */
  readonly architecture?: string | null;
  /** MAC addresses. Required unless power is IPMI, or deployed with Unknown power. */
  readonly macAddresses?: readonly string[];
  /** Interfaces known at creation. @default [] */
  readonly interfaces?: readonly MachineInterface[];
  /** Power driver. @default 'unknown' */
  readonly powerType?: PowerType;
  /** Create the machine as Deployed (rule 1); wins over `commission`, as in MAAS. @default false */
  readonly deployed?: boolean;
  /** Create the machine as Commissioning. @default false */
  readonly commission?: boolean;
  /** Owner: the administrator creating a deployed machine. @default null */
  readonly owner?: string | null;
  /** Create the machine for this MAAS controller (rule 7): Deployed, locked, annotated. @default null */
  readonly controller?: string | null;
}

/** Result of a commissioning script or of an operation under way. */
export type ResultStatus = 'passed' | 'failed';

/** Every event the lifecycle machine understands. */
export type LifecycleEvent =
  | { readonly type: 'commission' }
  | {
      readonly type: 'commissioningResult';
      readonly result: ResultStatus;
      /** Interfaces from the result; when given and non-empty they replace the machine's interfaces and MACs. */
      readonly interfaces?: readonly MachineInterface[];
    }
  | { readonly type: 'release' }
  | { readonly type: 'markBroken' }
  | { readonly type: 'markFixed' }
  | { readonly type: 'lock' }
  | { readonly type: 'unlock' }
  | { readonly type: 'controllerLinked'; readonly controller: string; readonly owner?: string | null }
  | { readonly type: 'controllerUnlinked' }
  | { readonly type: 'setPowerDriver'; readonly powerType: PowerType; readonly macAddresses?: readonly string[] }
  | { readonly type: 'deploy'; readonly user: string }
  | { readonly type: 'rescue' }
  | { readonly type: 'exitRescue' }
  | { readonly type: 'test' }
  | { readonly type: 'erase' }
  | { readonly type: 'operationResult'; readonly result: ResultStatus }
  | { readonly type: 'update' }
  | {
      readonly type: 'setWorkloadAnnotations';
      readonly user: string;
      /** key=value pairs; an empty value deletes the key, as in MAAS. */
      readonly annotations: Readonly<Record<string, string>>;
    }
  | { readonly type: 'regenerateToken'; readonly user: string }
  | { readonly type: 'delete' };

/** The type names of all lifecycle events. */
export type LifecycleEventType = LifecycleEvent['type'];

/** HTTP status a refusal maps to: 409 state conflict, 400 bad request, 403 not allowed. */
export type RefusalStatus = 409 | 400 | 403;

/** Why an event was refused, with MAAS's wording where MAAS has one. */
export interface Refusal {
  /** Human-readable reason. */
  readonly reason: string;
  /** HTTP status for the refusal. */
  readonly status: RefusalStatus;
  /** Form field the refusal is about, for MAAS-style `{field: [reason]}` bodies. */
  readonly field?: string;
  /** Every field's errors when MAAS's form reports several at once; `field` and `reason` are the first. */
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  /** What MAAS's API answers, when it is not `reason` (MAAS refuses a locked machine with an empty 403). */
  readonly answer?: string;
}

/** An effect the caller (registry or MAAS client) carries out; the model itself never does I/O. */
export type Effect =
  | { readonly type: 'persistHardware'; readonly params: { readonly passed: boolean } }
  | { readonly type: 'removeVirtualInterfaces'; readonly params: { readonly names: readonly string[] } }
  | { readonly type: 'setOwner'; readonly params: { readonly owner: string } }
  | { readonly type: 'clearOwner'; readonly params: { readonly owner: string | null } }
  | { readonly type: 'setWorkloadAnnotations'; readonly params: WorkloadAnnotationChange }
  | { readonly type: 'clearWorkloadAnnotations'; readonly params: { readonly keys: readonly string[] } }
  | { readonly type: 'issueToken'; readonly params: { readonly owner: string | null } }
  | { readonly type: 'revokeToken'; readonly params: Record<string, never> }
  | { readonly type: 'lockMachine'; readonly params: Record<string, never> }
  | { readonly type: 'unlockMachine'; readonly params: Record<string, never> }
  | { readonly type: 'annotateController'; readonly params: ControllerAnnotation }
  | { readonly type: 'removeControllerAnnotation'; readonly params: { readonly key: string } }
  | { readonly type: 'setPowerType'; readonly params: { readonly powerType: PowerType } }
  | { readonly type: 'addMacAddresses'; readonly params: { readonly macAddresses: readonly string[] } }
  | { readonly type: 'deleteMachine'; readonly params: Record<string, never> };

/** The type names of all effects. */
export type EffectType = Effect['type'];

/** Workload annotations to set and keys to remove. */
export interface WorkloadAnnotationChange {
  /** Keys and their new values. */
  readonly set: Readonly<Record<string, string>>;
  /** Keys to delete. */
  readonly removed: readonly string[];
}

/** The workload annotation that marks a machine as a MAAS controller (rule 7). */
export interface ControllerAnnotation {
  /** Controller id. */
  readonly controller: string;
  /** Annotation key. */
  readonly key: string;
  /** Annotation value. */
  readonly value: string;
}

/** Workload annotation key saying a machine is a MAAS controller; its value is the controller id (rule 7). */
export const CONTROLLER_ANNOTATION_KEY = 'maas-controller';
