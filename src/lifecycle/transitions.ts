// Builds the state configs of the lifecycle machine from MAAS's tables. Every status answers every
// event with, in order: the refusals that apply to any status (lock, then rule 3), the transitions
// valid from that status, and otherwise a refusal in MAAS's words. No event is ever silently ignored.

import { and, not, or } from 'xstate';
import type { BootOperation, LifecycleSetup, MachineEvent } from './machine.ts';
import * as why from './reasons.ts';
import {
  isAllowedTransition,
  NODE_TRANSITIONS,
  RELEASABLE_STATUSES,
  STATUS_KEYS,
  STATUSES_ACCEPTING_HARDWARE_UPDATES,
  type StatusKey,
} from './status.ts';
import { CONTROLLER_ANNOTATION_KEY, type LifecycleContext, type LifecycleEventType, type Refusal } from './types.ts';

type StateConfig = Parameters<LifecycleSetup['createStateConfig']>[0];
// Without `states` a state is a leaf to xstate's types, so snapshot values type as plain keys.
type LeafStateConfig = Omit<StateConfig, 'states' | 'initial'>;
type Transition = Exclude<NonNullable<NonNullable<StateConfig['on']>['*']>, string | readonly unknown[]>;
type Guard = NonNullable<Transition['guard']>;
type Action = Extract<NonNullable<Transition['actions']>, readonly unknown[]>[number];
type Builder = (from: StatusKey) => Transition[];

/** Names of the machine's states: the 23 statuses, plus `enlisting` before creation and `deleted` after. */
export type LifecycleStateKey = StatusKey | 'enlisting' | 'deleted';

// xstate's and/or/not infer guard names from their arguments instead of from the setup, so their
// results are re-typed here; the guards passed in are still checked against the setup's names.
const allOf = (guards: readonly Guard[]): Guard => and(guards as never) as unknown as Guard;
const anyOf = (guards: readonly Guard[]): Guard => or(guards as never) as unknown as Guard;
const isNot = (guard: Guard): Guard => not(guard as never) as unknown as Guard;

const refuse = (refusal: Refusal, guard?: Guard): Transition => ({
  ...(guard === undefined ? {} : { guard }),
  actions: { type: 'refuse', params: refusal },
});

const passed = (transition: Transition): Transition => ({
  ...transition,
  guard: transition.guard === undefined ? 'resultPassed' : allOf(['resultPassed', transition.guard]),
});

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

const canMove = (from: StatusKey, to: StatusKey) => from !== to && isAllowedTransition(from, to);

const toStatus = (from: StatusKey, to: StatusKey): Transition[] =>
  canMove(from, to) ? [{ target: to }] : [refuse(why.invalidTransition(from, to))];

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

const issueTokenToOwner: Action[] = [
  { type: 'issueToken', params: ({ context }) => ({ owner: context.owner }) },
  'markTokenIssued',
];

const requestedPowerType = ({ context, event }: { context: LifecycleContext; event: MachineEvent }) =>
  event.type === 'setPowerDriver' ? event.powerType : context.powerType;
const userOf = (event: MachineEvent): string =>
  event.type === 'setWorkloadAnnotations' || event.type === 'regenerateToken' || event.type === 'deploy'
    ? event.user
    : '';
const userIsOwner: Guard = { type: 'isOwner', params: ({ event }) => ({ user: userOf(event) }) };
const suppliedMacs = (event: MachineEvent) => (event.type === 'setPowerDriver' ? (event.macAddresses ?? []) : []);

function builders(s: LifecycleSetup): Record<LifecycleEventType, Builder> {
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

    operationResult: (from) => {
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
    },

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

    lock: (from) => [
      refuse(why.ALREADY_LOCKED, 'isLocked'),
      {
        guard: { type: 'canLock', params: { status: from } },
        actions: [{ type: 'setLocked', params: { locked: true } }, 'lockMachine'],
      },
      refuse(why.LOCK_NOT_DEPLOYED),
    ],

    unlock: () => [
      refuse(why.NOT_LOCKED, isNot('isLocked')),
      refuse(why.CONTROLLER_STAYS_LOCKED, 'isController'),
      { actions: [{ type: 'setLocked', params: { locked: false } }, 'unlockMachine'] },
    ],

    // Rule 7: a controller is a running machine, so linking makes it Deployed from any status, the
    // way creating a machine as Deployed bypasses MAAS's transition check.
    controllerLinked: (from) => [{ ...(from === 'deployed' ? {} : { target: 'deployed' }), actions: 'linkController' }],

    controllerUnlinked: () => [
      refuse(why.NOT_A_CONTROLLER, isNot('isController')),
      { guard: isNot('hasBmc'), target: 'deleted', actions: 'deleteMachine' },
      {
        actions: [
          { type: 'removeControllerAnnotation', params: { key: CONTROLLER_ANNOTATION_KEY } },
          'unlockMachine',
          'unlinkController',
        ],
      },
    ],

    // Rule 2: without a MAC, only Unknown or IPMI power, unless the change brings a MAC.
    setPowerDriver: () => [
      {
        guard: allOf([
          isNot('hasMac'),
          isNot('suppliesMac'),
          isNot({ type: 'powerTypeAllowsNoMac', params: (args) => ({ powerType: requestedPowerType(args) }) }),
        ]),
        actions: { type: 'refuse', params: (args) => why.macRequiredForPower(requestedPowerType(args)) },
      },
      {
        guard: 'suppliesMac',
        actions: [
          { type: 'setPowerType', params: (args) => ({ powerType: requestedPowerType(args) }) },
          { type: 'addMacAddresses', params: ({ event }) => ({ macAddresses: suppliedMacs(event) }) },
          'applyPowerDriver',
        ],
      },
      {
        actions: [
          { type: 'setPowerType', params: (args) => ({ powerType: requestedPowerType(args) }) },
          'applyPowerDriver',
        ],
      },
    ],

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

    update: () => [{ actions: [] }],

    setWorkloadAnnotations: () => [
      refuse(why.ANNOTATIONS_NOT_ACQUIRED, isNot(userIsOwner)),
      {
        actions: [
          {
            type: 'setWorkloadAnnotations',
            params: ({ event }) => {
              const annotations = event.type === 'setWorkloadAnnotations' ? event.annotations : {};
              const entries = Object.entries(annotations);
              return {
                set: Object.fromEntries(entries.filter(([, value]) => value !== '')),
                removed: entries.filter(([, value]) => value === '').map(([key]) => key),
              };
            },
          },
          'applyWorkloadAnnotations',
        ],
      },
    ],

    // Rule 8: regenerating invalidates the old token at once; only the owner may do it.
    regenerateToken: () => [
      refuse(why.TOKEN_OWNER_ONLY, isNot(userIsOwner)),
      { guard: 'hasToken', actions: ['revokeToken', ...issueTokenToOwner] },
      { actions: issueTokenToOwner },
    ],

    delete: () => [{ target: 'deleted', actions: 'deleteMachine' }],
  };
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
