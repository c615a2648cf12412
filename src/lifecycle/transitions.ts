// Builds the state configs of the lifecycle machine from MAAS's tables. Every status answers every
// event with, in order: the refusals that apply to any status (lock, then rule 3), the transitions
// valid from that status, and otherwise a refusal in MAAS's words. No event is ever silently ignored.

import type { BootOperation, LifecycleSetup, MachineEvent } from './machine.ts';
import * as why from './reasons.ts';
import { standingBuilders, STANDING_EVENTS } from './standing-events.ts';
import { NODE_TRANSITIONS, RELEASABLE_STATUSES, STATUS_KEYS, STATUSES_ACCEPTING_HARDWARE_UPDATES, type StatusKey } from './status.ts';
import { allOf, anyOf, canMove, isNot, issueTokenToOwner, passed, refuse, toStatus, userOf, type Action, type Builder, type Guard, type LeafStateConfig, type Transition } from './transition-kit.ts';
import type { LifecycleContext, LifecycleEventType } from './types.ts';


/** Names of the machine's states: the 23 statuses, plus `enlisting` before creation and `deleted` after. */
export type LifecycleStateKey = StatusKey | 'enlisting' | 'deleted';


// MAAS does not record these as previous_status, so leaving rescue mode or testing returns the
// machine to where it was before (maasserver/models/signals/nodes.py).
const NOT_RECORDED_AS_PREVIOUS: readonly StatusKey[] = [
  'rescueMode',
  'enteringRescueMode',
  'failedEnteringRescueMode',
  'exitingRescueMode',
  'failedExitingRescueMode',
  'testing',
];

// Operations MAAS guards with its edit or admin permission, which a locked machine never grants.
const LOCK_REFUSED: Partial<Record<LifecycleEventType, string>> = {
  update: 'update the machine',
  release: 'release the machine',
  delete: 'delete the machine',
  setWorkloadAnnotations: 'set workload annotations',
  setPowerDriver: 'change the power driver',
  commission: 'commission the machine',
  deploy: 'deploy the machine',
  rescue: 'enter rescue mode',
  exitRescue: 'exit rescue mode',
  test: 'test the machine',
  erase: 'erase the machine',
  markBroken: 'mark the machine broken',
  markFixed: 'mark the machine fixed',
};

const BOOT_OPERATIONS: Partial<Record<LifecycleEventType, { operation: BootOperation; verb: string }>> = {
  commission: { operation: 'commission', verb: 'commission' },
  deploy: { operation: 'deploy', verb: 'deploy' },
  rescue: { operation: 'rescue', verb: 'enter rescue mode' },
  test: { operation: 'test', verb: 'test' },
  erase: { operation: 'erase', verb: 'erase the disks' },
};


const hardwareActions: Action[] = [
  {
    type: 'persistHardware',
    params: ({ event }) => ({ passed: event.type === 'commissioningResult' && event.result === 'passed' }),
  },
  'recordCommissioningResult',
];

// Rule 6: what a finished release removes and clears.
const finalizeRelease: Action[] = [
  {
    type: 'removeVirtualInterfaces',
    params: ({ context }) => ({ names: context.interfaces.filter((i) => i.type !== 'physical').map((i) => i.name) }),
  },
  { type: 'clearOwner', params: ({ context }) => ({ owner: context.owner }) },
  { type: 'clearWorkloadAnnotations', params: ({ context }) => ({ keys: Object.keys(context.workloadAnnotations) }) },
  'revokeToken',
  'forgetDeployment',
];



/** How a machine in each status answers every event. */
function builders(s: LifecycleSetup): Record<LifecycleEventType, Builder> {
  return { ...statusBuilders(s), ...standingBuilders() };
}

/** The events that move a machine between statuses. */
type StatusEvent = Exclude<LifecycleEventType, (typeof STANDING_EVENTS)[number]>;

function statusBuilders(s: LifecycleSetup): Record<StatusEvent, Builder> {
  // Release always completes at once: the model never powers a machine off (rule 1), so nothing is
  // left to wait for in Releasing.
  const finishOperation = s.raise({ type: 'operationResult', result: 'passed' });
  return {
    commission: (from) =>
      canMove(from, 'commissioning')
        ? [refuse(why.UNCONFIGURED_POWER, isNot('hasConfiguredPower')), { target: 'commissioning' }]
        : [refuse(why.invalidTransition(from, 'commissioning'))],

    // Rule 4: a hardware push keeps a Deployed (or Ready, New, Broken) machine where it is.
    commissioningResult: (from) => {
      if (from === 'commissioning') {
        return [
          passed({ target: 'ready', actions: hardwareActions }),
          { target: 'failedCommissioning', actions: hardwareActions },
        ];
      }
      if (STATUSES_ACCEPTING_HARDWARE_UPDATES.includes(from)) return [{ actions: hardwareActions }];
      return [refuse(why.hardwareNotAccepted(from))];
    },

    // MAAS answers a release of a Ready or Releasing machine with success: the postcondition holds.
    release: (from) => {
      if (from === 'ready' || from === 'releasing') return [{ actions: [] }];
      if (RELEASABLE_STATUSES.includes(from)) return [{ target: 'releasing', actions: finishOperation }];
      return [refuse(why.cannotRelease(from))];
    },

    erase: (from) =>
      RELEASABLE_STATUSES.includes(from) && canMove(from, 'diskErasing')
        ? [{ target: 'diskErasing' }]
        : [refuse(why.cannotRelease(from))],

    operationResult: (from) => operationResults(from, finishOperation),

    // MAAS releases a machine it marks broken; this model keeps owner and token so hardware sync of an
    // enlisted machine survives, and never powers anything off (rule 1).
    markBroken: (from) => (from === 'broken' ? [{ actions: [] }] : toStatus(from, 'broken')),

    markFixed: (from) =>
      from === 'broken'
        ? [
            { guard: { type: 'previousStatusIs', params: { status: 'deployed' } }, target: 'deployed' },
            refuse(why.MARK_FIXED_NOT_COMMISSIONED, isNot('hasPassedCommissioning')),
            { target: 'ready' },
          ]
        : [refuse(why.MARK_FIXED_NOT_BROKEN)],

    // MAAS's deploy acquires a Ready machine first (Ready -> Allocated -> Deploying).
    deploy: (from) => {
      if (from === 'ready') {
        return [
          {
            target: 'allocated',
            actions: [
              { type: 'setOwner', params: ({ event }) => ({ owner: userOf(event) }) },
              'takeOwnership',
              s.raise(({ event }) => event),
            ],
          },
        ];
      }
      if (from === 'allocated') {
        return [
          { guard: 'hasToken', target: 'deploying' },
          { target: 'deploying', actions: issueTokenToOwner },
        ];
      }
      return [refuse(why.invalidTransition(from, 'deploying'))];
    },

    rescue: (from) => toStatus(from, 'enteringRescueMode'),

    // Only the rescue statuses may change to Exiting rescue mode in MAAS's table.
    exitRescue: (from) => toStatus(from, 'exitingRescueMode'),

    // Commissioning starts its own tests; the test operation is for the other statuses MAAS allows.
    test: (from) =>
      from === 'commissioning'
        ? [refuse(why.invalidTransition(from, 'testing'))]
        : canMove(from, 'testing')
          ? [
              refuse(why.UNCONFIGURED_POWER, isNot('hasConfiguredPower')),
              ...(from === 'new' ? [refuse(why.TESTING_NEVER_COMMISSIONED, isNot('hasPassedCommissioning'))] : []),
              { target: 'testing' },
            ]
          : [refuse(why.invalidTransition(from, 'testing'))],

  };
}

// What the end of an operation under way does: its result decides where the machine goes.
function operationResults(from: StatusKey, finishOperation: Action): Transition[] {
  switch (from) {
    case 'deploying':
      return [passed({ target: 'deployed' }), { target: 'failedDeployment' }];
    case 'diskErasing':
      return [passed({ target: 'releasing', actions: finishOperation }), { target: 'failedDiskErasing' }];
    case 'releasing':
      return [
        passed({ guard: 'hasPassedCommissioning', target: 'ready', actions: finalizeRelease }),
        passed({ target: 'new', actions: finalizeRelease }),
        { target: 'failedReleasing' },
      ];
    case 'enteringRescueMode':
      return [passed({ target: 'rescueMode' }), { target: 'failedEnteringRescueMode' }];
    case 'exitingRescueMode':
      return [
        ...NODE_TRANSITIONS.exitingRescueMode.map((status) =>
          passed({ guard: { type: 'previousStatusIs', params: { status } }, target: status }),
        ),
        passed(refuse({ status: 409, reason: 'Invalid transition: Exiting rescue mode -> Unknown.' })),
        { target: 'failedExitingRescueMode' },
      ];
    case 'testing':
      return [
        passed({ guard: 'previousStatusResetsToReady', target: 'ready' }),
        ...(['reserved', 'allocated', 'deployed'] as const).map((status) =>
          passed({ guard: { type: 'previousStatusIs', params: { status } }, target: status }),
        ),
        passed({ target: 'ready' }),
        { target: 'failedTesting' },
      ];
    case 'commissioning':
      return [refuse(why.COMMISSIONING_NEEDS_RESULT)];
    default:
      return [refuse(why.noOperationUnderWay(from))];
  }
}

/** Refusals that apply whatever the status: a locked machine first, then rule 3. */
function crossCuttingRefusals(event: LifecycleEventType): Transition[] {
  const refusals: Transition[] = [];
  const lockedOperation = LOCK_REFUSED[event];
  if (lockedOperation !== undefined) refusals.push(refuse(why.lockedRefusal(lockedOperation), 'isLocked'));
  const boot = BOOT_OPERATIONS[event];
  if (boot !== undefined) {
    const needsNetboot: Guard = { type: 'needsNetboot', params: { operation: boot.operation } };
    refusals.push(refuse(why.netbootNeedsMac(boot.verb), allOf([needsNetboot, isNot('hasMac')])));
  }
  return refusals;
}

function statusState(status: StatusKey, byEvent: Record<LifecycleEventType, Builder>): LeafStateConfig {
  const on: Partial<Record<LifecycleEventType, Transition[]>> = {};
  for (const event of Object.keys(byEvent) as LifecycleEventType[]) {
    on[event] = [...crossCuttingRefusals(event), ...byEvent[event](status)];
  }
  return {
    ...(status === 'new' || status === 'ready' ? { entry: 'dropOwnerWhenIdle' } : {}),
    ...(NOT_RECORDED_AS_PREVIOUS.includes(status)
      ? {}
      : { exit: { type: 'recordPreviousStatus', params: { status } } }),
    on,
  };
}

// Creation: MAAS's create rules and rule 2, then the first status (rules 1 and 7).
const enlisting: LeafStateConfig = {
  on: {
    create: [
      {
        guard: anyOf([
          allOf([
            isNot('hasMac'),
            anyOf([
              isNot({ type: 'powerTypeAllowsNoMac', params: ({ context }) => ({ powerType: context.powerType }) }),
              isNot('createMayOmitMacAndArchitecture'),
            ]),
          ]),
          allOf([isNot('hasArchitecture'), isNot('createMayOmitMacAndArchitecture')]),
        ]),
        actions: {
          type: 'refuse',
          params: ({ context, event }) => {
            const mayOmit = createMayOmit(context, event);
            const hasMac = context.macAddresses.length > 0;
            const missing = { macAddresses: !hasMac && (!['unknown', 'ipmi'].includes(context.powerType) || !mayOmit), architecture: !context.architecture && !mayOmit };
            return why.createFieldErrors(missing, context.powerType, hasMac)!;
          },
        },
      },
      { guard: 'createsController', target: 'deployed', actions: 'linkController' },
      {
        guard: 'createsDeployed',
        target: 'deployed',
        actions: issueTokenToOwner,
      },
      refuse(why.UNCONFIGURED_POWER, allOf(['createsCommissioning', isNot('hasConfiguredPower')])),
      { guard: 'createsCommissioning', target: 'commissioning' },
      { target: 'new' },
    ],
  },
};

// The guard createMayOmitMacAndArchitecture, for the refusal that lists every missing field.
function createMayOmit(context: LifecycleContext, event: MachineEvent): boolean {
  return context.powerType === 'ipmi' || (context.powerType === 'unknown' && event.type === 'create' && (event.deployed || event.controller !== null));
}

/** The states of the lifecycle machine. */
export function buildStates(s: LifecycleSetup): Record<LifecycleStateKey, LeafStateConfig> {
  const byEvent = builders(s);
  const states = Object.fromEntries(STATUS_KEYS.map((status) => [status, statusState(status, byEvent)])) as Record<
    StatusKey,
    LeafStateConfig
  >;
  return { enlisting, ...states, deleted: { type: 'final' } };
}
