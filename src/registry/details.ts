// A machine's probed details, which MAAS serves with `op=details`: the standard output of its lshw
// and LLDP scripts as a machine reported them (MAAS keeps a script's output when it exited 0), in
// MAAS's BSON, null for each it has not reported. The collector reports lshw; nothing out-of-band
// knows a host's LLDP neighbours.
import { LSHW_SCRIPT } from '../inventory/results.ts';
import { encodeBsonDocument } from './bson.ts';
import type { Store } from './store.ts';

/** MAAS's details keys and the scripts whose output each is, in MAAS's order. */
const DETAILS = [
  ['lldp', 'maas-capture-lldpd'],
  ['lshw', LSHW_SCRIPT],
] as const;

/** The scripts whose outputs the registry keeps for `op=details`. */
export const DETAIL_SCRIPTS: ReadonlySet<string> = new Set(DETAILS.map(([, script]) => script));

/**
 * Keeps the detail scripts' outputs among OUTPUTS (by script name), inside the caller's
 * transaction. An output equal to the kept one writes nothing.
 */
export function keepDetails(store: Store, machineId: number, outputs: Readonly<Record<string, string | Uint8Array>>): void {
  for (const [script, output] of Object.entries(outputs)) {
    if (!DETAIL_SCRIPTS.has(script)) continue;
    const data = typeof output === 'string' ? Buffer.from(output, 'utf8') : output;
    store.run(
      'INSERT INTO script_outputs (machine_id, name, data) VALUES (?, ?, ?) ON CONFLICT (machine_id, name) DO UPDATE SET data = excluded.data WHERE data != excluded.data',
      machineId,
      script,
      data,
    );
  }
}

/** The BSON document MAAS's `op=details` answers for a machine. */
export function detailsBson(store: Store, machineId: number): Buffer {
  const kept = new Map(store.all<{ name: string; data: Uint8Array }>('SELECT name, data FROM script_outputs WHERE machine_id = ?', machineId).map((row) => [row.name, Buffer.from(row.data)]));
  return encodeBsonDocument(DETAILS.map(([key, script]) => [key, kept.get(script) ?? null]));
}
