// MAAS's `status_action` and `status_message`: the action and description of a machine's latest
// event of level INFO or above (maasserver/models/node.py, Node.status_event), null before there is
// one. Of the calls the registry answers, only these record such an event in MAAS: a release
// ("Released"), marking a machine broken from a status MAAS releases it from (MAAS releases it
// first: "Released"), and a hardware push with status=OK, which makes a Deployed machine Ready
// ("Ready"). Lock, unlock, annotations and mark fixed record DEBUG events only. Each has the action "".
import { RELEASABLE_STATUSES, statusOfRef, type LifecycleEvent, type StatusKey } from '../lifecycle/index.ts';
import type { MachineRow } from './machines.ts';
import type { Store } from './store.ts';

/** The description of the event MAAS records for EVENT taking a machine from FROM to TO, if any. */
export function statusEventOf(event: LifecycleEvent['type'] | 'pushedOk', from: StatusKey, to: StatusKey): string | undefined {
  if (event === 'release' && from !== to && (to === 'new' || to === 'ready')) return 'Released';
  if (event === 'markBroken' && RELEASABLE_STATUSES.includes(from)) return 'Released';
  if (event === 'pushedOk' && from !== to && to === 'ready') return 'Ready';
  return undefined;
}

/** Records the status event of EVENT for a machine that was BEFORE and is now AFTER (nothing when MAAS records none). */
export function recordStatusEvent(store: Store, event: LifecycleEvent['type'] | 'pushedOk', before: MachineRow, after: MachineRow | undefined): void {
  if (after === undefined) return;
  const description = statusEventOf(event, statusOfRef(before.status).key, statusOfRef(after.status).key);
  if (description !== undefined) store.run('UPDATE machines SET status_event = ? WHERE id = ?', description, after.id);
}

/** A machine's `status_action` and `status_message` as MAAS shows them. */
export function statusEventJson(row: MachineRow): { status_action: string | null; status_message: string | null } {
  return row.status_event === null ? { status_action: null, status_message: null } : { status_action: '', status_message: row.status_event };
}
