// The pure API the registry and the MAAS client share: given a machine snapshot and an event, the
// next snapshot and the effects to carry out, or a refusal with MAAS's reason. Nothing here does I/O.

import { createActor, type ActorScope, type ExecutableActionObject, type transition } from 'xstate';
import { initialContext, lifecycleMachine, type LifecycleSnapshot, type MachineEvent } from './machine.ts';
import { MACHINE_DELETED } from './reasons.ts';
import {
  isStatusKey,
  STATUSES_ACCEPTING_HARDWARE_UPDATES,
  statusByKey,
  statusOfRef,
  TRANSITIONAL_STATUSES,
  type MaasStatus,
  type StatusKey,
  type StatusRef,
} from './status.ts';
import type { LifecycleStateKey } from './transitions.ts';
import type {
  CreateMachineInput,
  Effect,
  LifecycleContext,
  LifecycleEvent,
  MachineInterface,
  Refusal,
} from './types.ts';

/** The outcome of an event: done, with the next snapshot and effects, or refused with a reason. */
export type Decision =
  | { readonly ok: true; readonly snapshot: LifecycleSnapshot; readonly effects: readonly Effect[] }
  | ({ readonly ok: false } & Refusal);

/** A snapshot as stored (e.g. as JSON in SQLite): the status key and the machine's facts. */
export interface PersistedMachine {
  /** Status key of the machine. */
  readonly value: StatusKey;
  /** The machine's facts. */
  readonly context: LifecycleContext;
}

type Executed = ReturnType<typeof transition<typeof lifecycleMachine>>[1];

// xstate's pure `transition()` builds a throwaway actor (and the machine's initial snapshot) for
// every call; that was most of the lifecycle's cost per machine. The machine spawns, invokes and
// delays nothing, so one inert scope serves every transition: it only collects the actions.
let scope: ActorScope<LifecycleSnapshot, MachineEvent> | undefined;
let collected: ExecutableActionObject[] = [];

function pureTransition(snapshot: LifecycleSnapshot, event: MachineEvent): [LifecycleSnapshot, Executed] {
  if (!scope) {
    const self = createActor(lifecycleMachine, { input: {} });
    scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => {},
      defer: () => {},
      emit: () => {},
      stopChild: () => {},
      actionExecutor: (action) => void collected.push(action),
    };
  }
  collected = [];
  const next = lifecycleMachine.transition(snapshot, event, scope);
  return [next, collected as Executed];
}

// The refusal signal, if the machine refused; xstate's own actions (raise) are not effects.
function decide(next: LifecycleSnapshot, actions: Executed): Decision {
  const refusal = actions.find((action) => action.type === 'refuse');
  if (refusal !== undefined) return { ok: false, ...(refusal.params as Refusal) };
  const effects = actions
    .filter((action) => action.type !== 'refuse' && !action.type.startsWith('xstate.'))
    .map((action) => ({ type: action.type, params: action.params ?? {} }) as Effect);
  return { ok: true, snapshot: next, effects };
}

/** Creates a machine (POST /machines/, including `deployed=true` and controller machines). */
export function createMachine(input: CreateMachineInput): Decision {
  // `enlisting` has no entry actions, so resolving it equals xstate's initialTransition, at a
  // seventh of the cost (a sweep creates every machine of a new fleet).
  const enlisting = lifecycleMachine.resolveState({ value: 'enlisting', context: initialContext(input) });
  const create: MachineEvent = {
    type: 'create',
    deployed: input.deployed === true,
    commission: input.commission === true,
    controller: input.controller ?? null,
  };
  const [next, actions] = pureTransition(enlisting, create);
  return decide(next, actions);
}

/** Applies one event to a machine: the next snapshot and its effects, or a refusal in MAAS's words. */
export function applyEvent(snapshot: LifecycleSnapshot, event: LifecycleEvent): Decision {
  if (snapshot.status === 'done') return { ok: false, ...MACHINE_DELETED };
  // Every status answers every event (transitions.ts), so this only catches a malformed event.
  if (lifecycleMachine.getTransitionData(snapshot, event).length === 0) {
    return { ok: false, status: 400, reason: `Unknown lifecycle event ${JSON.stringify(event.type)}.` };
  }
  const [next, actions] = pureTransition(snapshot, event);
  return decide(next, actions);
}

/** Whether a snapshot is of a deleted machine (after `delete`, or unlinking a controller without a BMC). */
export function isDeleted(snapshot: LifecycleSnapshot): boolean {
  return snapshot.status === 'done';
}

/** The MAAS status of a machine: number, display name and state key. */
export function statusOf(snapshot: LifecycleSnapshot): MaasStatus {
  const value: LifecycleStateKey = snapshot.value;
  if (!isStatusKey(value)) throw new TypeError(`Machine has no MAAS status in state '${value}'`);
  return statusByKey(value);
}

/** Whether the collector may push hardware information to a machine in this status (rule 4). */
export function acceptsHardwareUpdate(status: StatusRef): boolean {
  // The accepting statuses are all settled ones: a machine mid-operation is skipped and tried later.
  return STATUSES_ACCEPTING_HARDWARE_UPDATES.includes(statusOfRef(status).key);
}

/** Whether an operation is under way in this status, so the machine should be left alone for now. */
export function isTransitional(status: StatusRef): boolean {
  return TRANSITIONAL_STATUSES.includes(statusOfRef(status).key);
}

/** Whether this user may see the machine's per-machine token: its owner only (rule 8). */
export function mayAccessToken(snapshot: LifecycleSnapshot, user: string): boolean {
  return snapshot.context.owner !== null && snapshot.context.owner === user;
}

/** The storable form of a snapshot. */
export function toPersisted(snapshot: LifecycleSnapshot): PersistedMachine {
  return { value: statusOf(snapshot).key, context: snapshot.context };
}

/** Restores a snapshot from its stored form; the status may also be a MAAS status number. */
export function fromPersisted(json: unknown): LifecycleSnapshot {
  const record = asRecord(json, 'persisted machine');
  const rawValue = record.value;
  if (typeof rawValue !== 'number' && !isStatusKey(rawValue)) {
    throw new TypeError(`Expected \`value\` to be a MAAS status key or number, got ${JSON.stringify(rawValue)}`);
  }
  const value = statusOfRef(rawValue).key;
  const context = readContext(asRecord(record.context, 'context'));
  return lifecycleMachine.resolveState({ value, context });
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected ${what} to be an object, got ${value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

// Missing fields take their creation defaults, so a snapshot stored before a field existed restores.
function readContext(raw: Record<string, unknown>): LifecycleContext {
  const defaults = initialContext({});
  const field = <T>(key: keyof LifecycleContext, ok: (v: unknown) => boolean, expected: string): T => {
    const value = raw[key];
    if (value === undefined) return defaults[key] as T;
    if (!ok(value)) throw new TypeError(`Expected context.${key} to be ${expected}, got ${JSON.stringify(value)}`);
    return value as T;
  };
  const isString = (v: unknown) => typeof v === 'string';
  const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';
  const isBoolean = (v: unknown) => typeof v === 'boolean';
  const isStrings = (v: unknown) => Array.isArray(v) && v.every(isString);
  const isInterface = (i: Partial<MachineInterface> | null) =>
    i !== null && typeof i === 'object' && isString(i.name) && isString(i.mac) && isString(i.type);
  const isInterfaces = (v: unknown) => Array.isArray(v) && v.every(isInterface);
  const isAnnotations = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isString);
  return {
    architecture: field('architecture', isStringOrNull, 'a string or null'),
    locked: field('locked', isBoolean, 'a boolean'),
    owner: field('owner', isStringOrNull, 'a string or null'),
    powerType: field('powerType', isString, 'a string'),
    macAddresses: field('macAddresses', isStrings, 'an array of strings'),
    interfaces: field('interfaces', isInterfaces, 'an array of {name, mac, type}'),
    hasPassedCommissioning: field('hasPassedCommissioning', isBoolean, 'a boolean'),
    workloadAnnotations: field('workloadAnnotations', isAnnotations, 'an object of strings'),
    hasToken: field('hasToken', isBoolean, 'a boolean'),
    controller: field('controller', isStringOrNull, 'a string or null'),
    previousStatus: field('previousStatus', (v) => v === null || isStatusKey(v), 'a status key or null'),
  };
}
