// The events that change a machine without moving its status: locks, controller links, the power
// driver, workload annotations, its token, edits and deletion.
import * as why from './reasons.ts';
import { allOf, isNot, issueTokenToOwner, refuse, requestedPowerType, suppliedMacs, userIsOwner, type Builder } from './transition-kit.ts';
import { CONTROLLER_ANNOTATION_KEY, type LifecycleEventType } from './types.ts';

/** The events that leave a machine's status as it is. */
export const STANDING_EVENTS = ['lock', 'unlock', 'controllerLinked', 'controllerUnlinked', 'setPowerDriver', 'update', 'setWorkloadAnnotations', 'regenerateToken', 'delete'] as const satisfies readonly LifecycleEventType[];

/** How a machine in any status answers each standing event. */
export function standingBuilders(): Record<(typeof STANDING_EVENTS)[number], Builder> {
  return {
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
