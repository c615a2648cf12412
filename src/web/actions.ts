// Lifecycle actions offered on a machine's page. Which are possible, what each would lead to, and
// why one is refused all come from the lifecycle model (`applyEvent` on the machine's snapshot);
// doing one goes through `applyMachineEvent`, exactly as the API's op=release etc. do.
import { applyEvent, statusOf, type LifecycleEvent } from '../lifecycle/index.ts';
import { applyMachineEvent, RegistryError, snapshotOf, type MachineRow, type Store, type User } from '../registry/index.ts';

/** An action's URL name: MAAS's op name. */
export type ActionName = 'release' | 'lock' | 'unlock' | 'mark_broken' | 'mark_fixed';

/** One lifecycle action as the interface shows it. */
export interface ActionSpec {
  readonly name: ActionName;
  readonly label: string;
  readonly event: LifecycleEvent;
  /** What the confirmation page says the action does. */
  readonly explanation: string;
}

/** The lifecycle actions of the machine page, in display order. */
export const ACTIONS: readonly ActionSpec[] = [
  {
    name: 'release',
    label: 'Release',
    event: { type: 'release' },
    explanation: 'Releasing ends the deployment in MAAS terms: the owner, workload annotations and the per-machine token are cleared and virtual interfaces removed. Nothing is done to the running host.',
  },
  { name: 'lock', label: 'Lock', event: { type: 'lock' }, explanation: 'A locked machine refuses updates, release, deletion and annotation changes until it is unlocked.' },
  { name: 'unlock', label: 'Unlock', event: { type: 'unlock' }, explanation: 'Unlocking allows changes to the machine again.' },
  { name: 'mark_broken', label: 'Mark broken', event: { type: 'markBroken' }, explanation: 'A broken machine is kept out of use until it is marked fixed.' },
  { name: 'mark_fixed', label: 'Mark fixed', event: { type: 'markFixed' }, explanation: 'Marking fixed returns the machine to service.' },
];

/** The action with this URL name. */
export function actionNamed(name: string): ActionSpec | undefined {
  return ACTIONS.find((action) => action.name === name);
}

/** Whether an action is possible for a user on a machine now, and if so the status it leads to. */
export type ActionAvailability =
  | { readonly action: ActionSpec; readonly allowed: true; readonly nextStatus: string }
  | { readonly action: ActionSpec; readonly allowed: false; readonly reason: string; readonly status: number };

// The API's wording for the same refusal (api.ts requireAdmin): lifecycle actions are for administrators.
const ADMIN_ONLY = 'You do not have permission to perform this action.';

/** What the lifecycle model says about one action on a machine, for this user. */
export function availability(store: Store, row: MachineRow, action: ActionSpec, user: User): ActionAvailability {
  if (!user.isAdmin) return { action, allowed: false, reason: ADMIN_ONLY, status: 403 };
  const decision = applyEvent(snapshotOf(store, row), action.event);
  if (!decision.ok) return { action, allowed: false, reason: decision.reason, status: decision.status };
  return { action, allowed: true, nextStatus: statusOf(decision.snapshot).name };
}

/** Every action's availability on a machine. */
export function availableActions(store: Store, row: MachineRow, user: User): ActionAvailability[] {
  return ACTIONS.map((action) => availability(store, row, action, user));
}

/** Does an action; a refusal by the lifecycle model is thrown as a RegistryError with MAAS's reason. */
export function performAction(store: Store, systemId: string, action: ActionSpec, user: User): MachineRow | undefined {
  if (!user.isAdmin) throw new RegistryError(403, ADMIN_ONLY);
  return applyMachineEvent(store, systemId, action.event);
}
