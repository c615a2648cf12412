// Refusal texts. Where MAAS has a message for the same refusal, the text is MAAS's, character for
// character, so one client can handle a refusal from MAAS and from the registry alike; the source is
// named beside each. The rest are this project's, for rules MAAS does not have.

import { statusByKey, type StatusKey } from './status.ts';
import type { PowerType, Refusal } from './types.ts';

const name = (key: StatusKey): string => statusByKey(key).name;

/** maasserver/models/node.py `_validate_status_transition` (NodeStateViolation, 409). */
export function invalidTransition(from: StatusKey, to: StatusKey): Refusal {
  return { status: 409, reason: `Invalid transition: ${name(from)} -> ${name(to)}.` };
}

/** maasserver/api/machines.py `release` (NodeStateViolation, 409). */
export function cannotRelease(from: StatusKey): Refusal {
  return { status: 409, reason: `Machine cannot be released in its current state ('${name(from)}').` };
}

/** maasserver/models/node.py `Node.lock` (NodeStateViolation, 409). */
export const LOCK_NOT_DEPLOYED: Refusal = { status: 409, reason: "Can't lock, node is not deployed or deploying" };

/** maasserver/api/machines.py `lock` (NodeStateViolation, 409). */
export const ALREADY_LOCKED: Refusal = { status: 409, reason: 'Machine is already locked' };

/** maasserver/api/machines.py `unlock` (NodeStateViolation, 409). */
export const NOT_LOCKED: Refusal = { status: 409, reason: 'Machine is not locked' };

/** maasserver/models/node.py `Node.mark_fixed` (NodeStateViolation, 409). */
export const MARK_FIXED_NOT_BROKEN: Refusal = { status: 409, reason: "Can't mark a non-broken node as 'Ready'." };

/** maasserver/node_action.py `MarkFixed` (NodeActionError). */
export const MARK_FIXED_NOT_COMMISSIONED: Refusal = {
  status: 409,
  reason: 'Unable to be mark fixed because it has not been commissioned successfully.',
};

/** maasserver/api/nodes.py `set_workload_annotations` (NodeStateViolation, 409). */
export const ANNOTATIONS_NOT_ACQUIRED: Refusal = {
  status: 409,
  reason: "Cannot set workload annotation: it hasn't been acquired.",
};

/** maasserver/models/node.py `start_commissioning` / `start_testing` (UnknownPowerType). */
export const UNCONFIGURED_POWER: Refusal = {
  status: 409,
  reason: 'Unconfigured power type. Please configure the power type and try again.',
};

/** maasserver/models/node.py `start_testing` (ValidationError). */
export const TESTING_NEVER_COMMISSIONED: Refusal = {
  status: 409,
  reason:
    'Unable to start machine testing; this node has never been commissioned. ' +
    "Please use the 'Commission' action to commission & test this machine.",
};

/**
 * MAAS's create form (maasserver/forms `MachineForm.clean`), every error at once (400): Django's
 * "This field is required." for a missing architecture or MAC, and a power type other than IPMI
 * refused on a machine without network interfaces. Undefined when there is none.
 */
export function createFieldErrors(missing: { architecture: boolean; macAddresses: boolean }, powerType: PowerType, hasMac: boolean): Refusal | undefined {
  const fields: Record<string, string[]> = {};
  if (missing.architecture) fields.architecture = ['This field is required.'];
  if (missing.macAddresses) fields.mac_addresses = ['This field is required.'];
  if (!hasMac && powerType !== 'unknown' && powerType !== 'ipmi') fields.power_type = [`Can't set power type to ${powerType} without network interfaces`];
  const [field, reasons] = Object.entries(fields)[0] ?? [];
  return field === undefined ? undefined : { status: 400, field, reason: reasons![0]!, fields };
}

// MAAS grants no edit permission on a locked machine, so it refuses every change with a 403 and no
// message (PermissionDenied); the reason is this project's, for its own pages and logs.
/** A locked machine refuses changes. */
export function lockedRefusal(operation: string): Refusal {
  return { status: 403, reason: `Cannot ${operation} because the machine is locked.`, answer: '' };
}

/**
 * Rule 2: a machine without MACs keeps a power type that needs none unless it is given a MAC;
 * maasserver/forms `MachineForm.clean` (400).
 */
export function macRequiredForPower(powerType: PowerType): Refusal {
  return { status: 400, field: 'power_type', reason: `Can't set power type to ${powerType} without network interfaces` };
}

/** Rule 3: operations that network boot need a MAC. */
export function netbootNeedsMac(operation: string): Refusal {
  return {
    status: 409,
    reason: `Cannot ${operation}: the machine has no MAC address, so it cannot network boot.`,
  };
}

/** Rule 4: hardware information is accepted only in some statuses. */
export function hardwareNotAccepted(from: StatusKey): Refusal {
  return {
    status: 409,
    reason: `Machine cannot accept hardware information in its current state ('${name(from)}').`,
  };
}

/** An operation result arrived when no operation is under way. */
export function noOperationUnderWay(from: StatusKey): Refusal {
  return { status: 409, reason: `No operation is under way on a machine in state '${name(from)}'.` };
}

/** Commissioning ends with a commissioning result, not a generic operation result. */
export const COMMISSIONING_NEEDS_RESULT: Refusal = {
  status: 400,
  reason: 'Commissioning ends with a commissioning result (50-maas-01-commissioning).',
};

/** Rule 7: unlinking needs a link. */
export const NOT_A_CONTROLLER: Refusal = { status: 409, reason: 'Machine is not linked to a MAAS controller.' };

/** Rule 7: a machine linked to a controller stays locked until the controller is removed. */
export const CONTROLLER_STAYS_LOCKED: Refusal = {
  status: 409,
  reason: 'Machine is linked to a MAAS controller and stays locked until the controller is removed.',
};

/** Rule 8: only the owner may generate the per-machine token. */
export const TOKEN_OWNER_ONLY: Refusal = {
  status: 403,
  reason: "Only the machine's owner may generate its token.",
};

/** Events sent to a deleted machine. */
export const MACHINE_DELETED: Refusal = { status: 409, reason: 'Machine has been deleted.' };
