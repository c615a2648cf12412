// The lifecycle machine: MAAS's statuses as states, the enlistment rules of maas-protocol.md as named
// guards, and named actions. Actions that change the machine's facts are `assign`s; the others are
// effects (no-ops here) that `transition` hands back for the registry or the MAAS client to run.

import { assign, setup, type SnapshotFrom } from 'xstate';
import { buildStates } from './transitions.ts';
import { LOCKABLE_STATUSES, STATUSES_RESET_TO_READY_BY_TESTING, type StatusKey } from './status.ts';
import {
  CONTROLLER_ANNOTATION_KEY,
  type CreateMachineInput,
  type LifecycleContext,
  type LifecycleEvent,
  type MachineInterface,
  type PowerType,
  type Refusal,
  type WorkloadAnnotationChange,
} from './types.ts';

/** The event that places a new machine in its first status; only `createMachine` sends it. */
export interface CreateEvent {
  /** Event type. */
  readonly type: 'create';
  /** Create as Deployed (rule 1). */
  readonly deployed: boolean;
  /** Create as Commissioning. */
  readonly commission: boolean;
  /** Create for this MAAS controller (rule 7). */
  readonly controller: string | null;
}

/** Everything the machine can receive. */
export type MachineEvent = LifecycleEvent | CreateEvent;

/** Operations that network boot the machine (rule 3), plus commissioning, which is excepted. */
export type BootOperation = 'deploy' | 'rescue' | 'test' | 'erase' | 'commission';

const NETBOOT_OPERATIONS: readonly BootOperation[] = ['deploy', 'rescue', 'test', 'erase'];
const POWER_TYPES_WITHOUT_MAC: readonly PowerType[] = ['unknown', 'ipmi'];
const POWER_TYPES_WITHOUT_BMC: readonly PowerType[] = ['unknown', 'manual'];

const eventMacs = (event: MachineEvent): readonly string[] =>
  event.type === 'setPowerDriver' ? (event.macAddresses ?? []) : [];
const isCreate = (event: MachineEvent): event is CreateEvent => event.type === 'create';
const physicalOnly = (interfaces: readonly MachineInterface[]) => interfaces.filter((i) => i.type === 'physical');

/** The first context of a machine, from what creating it was given. */
export function initialContext(input: CreateMachineInput): LifecycleContext {
  return {
    architecture: input.architecture ?? null,
    locked: false,
    // MAAS gives a machine an owner at creation only when it is created deployed.
    owner: input.deployed === true || (input.controller ?? null) !== null ? (input.owner ?? null) : null,
    powerType: input.powerType ?? 'unknown',
    macAddresses: [...new Set((input.macAddresses ?? []).map((mac) => mac.toLowerCase()))],
    interfaces: [...(input.interfaces ?? [])],
    hasPassedCommissioning: false,
    workloadAnnotations: {},
    hasToken: false,
    controller: null,
    previousStatus: null,
  };
}

const base = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as MachineEvent,
    input: {} as CreateMachineInput,
  },
  guards: {
    /** Rules 2 and 3: the machine has at least one MAC address. */
    hasMac: ({ context }) => context.macAddresses.length > 0,
    /** Rule 2: the power-driver change itself brings MAC addresses. */
    suppliesMac: ({ event }) => eventMacs(event).length > 0,
    /** Rule 2: a machine without a MAC may have only Unknown or IPMI power. */
    powerTypeAllowsNoMac: (_, params: { powerType: PowerType }) => POWER_TYPES_WITHOUT_MAC.includes(params.powerType),
    /** MAAS create rule: architecture and MACs may be omitted with IPMI power, or deployed with Unknown power. */
    createMayOmitMacAndArchitecture: ({ context, event }) =>
      context.powerType === 'ipmi' ||
      (context.powerType === 'unknown' && isCreate(event) && (event.deployed || event.controller !== null)),
    /** MAAS create rule: an architecture was given. */
    hasArchitecture: ({ context }) => context.architecture !== null && context.architecture !== '',
    /** Rule 1: the machine is created directly as Deployed. */
    createsDeployed: ({ event }) => isCreate(event) && event.deployed,
    /** Rule 7: the machine is created for a new controller. */
    createsController: ({ event }) => isCreate(event) && event.controller !== null,
    /** MAAS create option `commission`: the machine starts Commissioning. */
    createsCommissioning: ({ event }) => isCreate(event) && event.commission,
    /** MAAS: commissioning and testing need a configured power driver. */
    hasConfiguredPower: ({ context }) => context.powerType !== 'unknown',
    /** Rule 3: the operation network boots the machine; commissioning is excepted. */
    needsNetboot: (_, params: { operation: BootOperation }) => NETBOOT_OPERATIONS.includes(params.operation),
    /** Rule 6: the hardware information comes from a passed commissioning result. */
    hasPassedCommissioning: ({ context }) => context.hasPassedCommissioning,
    /** Lock rule: the machine is locked. */
    isLocked: ({ context }) => context.locked,
    /** Lock rule: only a Deployed or Deploying machine may be locked. */
    canLock: (_, params: { status: StatusKey }) => LOCKABLE_STATUSES.includes(params.status),
    /** Rule 7: the machine is linked to a MAAS controller. */
    isController: ({ context }) => context.controller !== null,
    /** Rule 7: the machine has a BMC, i.e. its power type is neither Unknown nor manual. */
    hasBmc: ({ context }) => !POWER_TYPES_WITHOUT_BMC.includes(context.powerType),
    /** Rule 8 and MAAS's annotation rule: the user is the machine's owner. */
    isOwner: ({ context }, params: { user: string }) => context.owner !== null && context.owner === params.user,
    /** Rule 8: a per-machine token exists. */
    hasToken: ({ context }) => context.hasToken,
    /** The result reported for a commissioning script or an operation passed. */
    resultPassed: ({ event }) =>
      (event.type === 'commissioningResult' || event.type === 'operationResult') && event.result === 'passed',
    /** MAAS returns to previous_status after rescue mode, testing and mark-fixed. */
    previousStatusIs: ({ context }, params: { status: StatusKey }) => context.previousStatus === params.status,
    /** MAAS: passed testing from these previous statuses resets the machine to Ready. */
    previousStatusResetsToReady: ({ context }) =>
      context.previousStatus === null || STATUSES_RESET_TO_READY_BY_TESTING.includes(context.previousStatus),
  },
  actions: {
    // Refusal signal: the caller reads its params; nothing else happens.
    refuse: (_, _params: Refusal) => {},
    // Effects, carried out by the caller.
    persistHardware: (_, _params: { passed: boolean }) => {},
    removeVirtualInterfaces: (_, _params: { names: readonly string[] }) => {},
    setOwner: (_, _params: { owner: string }) => {},
    clearOwner: (_, _params: { owner: string | null }) => {},
    setWorkloadAnnotations: (_, _params: WorkloadAnnotationChange) => {},
    clearWorkloadAnnotations: (_, _params: { keys: readonly string[] }) => {},
    issueToken: (_, _params: { owner: string | null }) => {},
    revokeToken: () => {},
    lockMachine: () => {},
    unlockMachine: () => {},
    annotateController: (_, _params: { controller: string; key: string; value: string }) => {},
    removeControllerAnnotation: (_, _params: { key: string }) => {},
    setPowerType: (_, _params: { powerType: PowerType }) => {},
    addMacAddresses: (_, _params: { macAddresses: readonly string[] }) => {},
    deleteMachine: () => {},
    // Changes to the machine's facts.
    recordPreviousStatus: assign((_, params: { status: StatusKey }) => ({ previousStatus: params.status })),
    recordCommissioningResult: assign(({ context, event }) => {
      if (event.type !== 'commissioningResult') return {};
      const passed = event.result === 'passed';
      const reported = event.interfaces ?? [];
      // A push lists every interface, so a non-empty report replaces what was known (commissioning-data.md).
      if (!passed || reported.length === 0) return { hasPassedCommissioning: passed };
      return {
        hasPassedCommissioning: true,
        interfaces: [...reported],
        macAddresses: [...new Set(reported.map((i) => i.mac.toLowerCase()))],
      };
    }),
    forgetDeployment: assign(({ context }) => ({
      owner: null,
      workloadAnnotations: {},
      hasToken: false,
      interfaces: physicalOnly(context.interfaces),
    })),
    setLocked: assign((_, params: { locked: boolean }) => ({ locked: params.locked })),
    takeOwnership: assign(({ context, event }) => ({ owner: event.type === 'deploy' ? event.user : context.owner })),
    markTokenIssued: assign({ hasToken: true }),
    applyPowerDriver: assign(({ context, event }) => {
      if (event.type !== 'setPowerDriver') return {};
      const added = eventMacs(event).map((mac) => mac.toLowerCase());
      return { powerType: event.powerType, macAddresses: [...new Set([...context.macAddresses, ...added])] };
    }),
    applyWorkloadAnnotations: assign(({ context, event }) => {
      if (event.type !== 'setWorkloadAnnotations') return {};
      const next: Record<string, string> = { ...context.workloadAnnotations };
      for (const [key, value] of Object.entries(event.annotations)) {
        if (value === '') delete next[key];
        else next[key] = value;
      }
      return { workloadAnnotations: next };
    }),
    unlinkController: assign(({ context }) => {
      const { [CONTROLLER_ANNOTATION_KEY]: _removed, ...rest } = context.workloadAnnotations;
      return { controller: null, locked: false, workloadAnnotations: rest };
    }),
  },
});

// The two conditional actions enqueue other named actions, so they are added once those exist.
/** `setup` of the lifecycle machine: its types, guards and actions, each declared once by name. */
export const lifecycleSetup = base.extend({
  actions: {
    // Rule 7: linking makes the machine locked, owned, holding a token and annotated as a controller.
    linkController: base.enqueueActions(({ context, event, enqueue }) => {
      const controller = event.type === 'controllerLinked' || event.type === 'create' ? event.controller : null;
      if (controller === null) return;
      const owner = context.owner ?? (event.type === 'controllerLinked' ? (event.owner ?? null) : null);
      if (context.owner === null && owner !== null) enqueue({ type: 'setOwner', params: { owner } });
      if (context.workloadAnnotations[CONTROLLER_ANNOTATION_KEY] !== controller) {
        const annotation = { controller, key: CONTROLLER_ANNOTATION_KEY, value: controller };
        enqueue({ type: 'annotateController', params: annotation });
      }
      if (!context.locked) enqueue('lockMachine');
      if (!context.hasToken) enqueue({ type: 'issueToken', params: { owner } });
      enqueue.assign({
        controller,
        locked: true,
        owner,
        hasToken: true,
        workloadAnnotations: { ...context.workloadAnnotations, [CONTROLLER_ANNOTATION_KEY]: controller },
      });
    }),
    // MAAS clears the owner whenever a machine (not a controller) becomes New or Ready, and a new
    // owner invalidates the token (maasserver/models/signals/nodes.py).
    dropOwnerWhenIdle: base.enqueueActions(({ context, enqueue, check }) => {
      if (context.owner === null || check('isController')) return;
      enqueue({ type: 'clearOwner', params: { owner: context.owner } });
      if (context.hasToken) enqueue('revokeToken');
      enqueue.assign({ owner: null, hasToken: false });
    }),
  },
});

/** The setup's type, for the state builders. */
export type LifecycleSetup = typeof lifecycleSetup;

/** The lifecycle machine: one state per MAAS status, plus `enlisting` before creation and `deleted` after. */
export const lifecycleMachine = lifecycleSetup.createMachine({
  id: 'maasMachine',
  context: ({ input }) => initialContext(input),
  initial: 'enlisting',
  states: buildStates(lifecycleSetup),
});

/** A snapshot of the lifecycle machine. */
export type LifecycleSnapshot = SnapshotFrom<typeof lifecycleMachine>;
