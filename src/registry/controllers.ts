// MAAS controllers (region and rack) as machines (rule 7): linking a controller makes its machine
// Deployed, locked and annotated; removing the controller unlocks the machine, and deletes it when
// it has no BMC. Controller records live under this project's own API path.
import { applyMachineEvent, createMachine, findMachine, machineById, type MachineRow } from './machines.ts';
import { RegistryError, type Store } from './store.ts';
import type { User } from './users.ts';

/** A controller and the machine it runs on. */
export interface ControllerRecord {
  readonly name: string;
  readonly systemId: string;
}

const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/i;

/**
 * Registers a controller on an existing machine (by system id), or on a new Deployed machine.
 * Registering the same controller again is a no-op that returns the same record.
 */
export function registerController(store: Store, name: string, actor: User, systemId?: string): ControllerRecord {
  if (!actor.isAdmin) throw new RegistryError(403, 'Only administrators can register controllers.');
  if (!NAME.test(name)) throw new RegistryError(400, `controller name ${JSON.stringify(name.slice(0, 80))} is not valid`, { field: 'name' });
  return store.transaction(() => {
    const existing = store.get<{ machine_id: number }>('SELECT machine_id FROM controllers WHERE name = ?', name);
    if (existing) {
      const machine = machineById(store, existing.machine_id)!;
      if (systemId !== undefined && systemId !== machine.system_id) {
        throw new RegistryError(409, `controller ${name} is already registered on machine ${machine.system_id}`);
      }
      return { name, systemId: machine.system_id };
    }
    let machine: MachineRow | undefined;
    if (systemId !== undefined) {
      machine = findMachine(store, systemId);
      if (!machine) throw new RegistryError(404, 'No Machine matches the given query.');
      machine = applyMachineEvent(store, machine.system_id, { type: 'controllerLinked', controller: name, owner: actor.username })!;
    } else {
      machine = createMachine(store, { hostname: name, controller: name, deployed: true }, actor);
    }
    store.run('INSERT INTO controllers (name, machine_id, created_at) VALUES (?, ?, ?)', name, machine.id, store.timestamp());
    return { name, systemId: machine.system_id };
  });
}

/** Removes a controller: its machine is unlocked, or deleted when it has no BMC. */
export function unregisterController(store: Store, name: string, actor: User): { systemId: string; deleted: boolean } {
  if (!actor.isAdmin) throw new RegistryError(403, 'Only administrators can remove controllers.');
  return store.transaction(() => {
    const existing = store.get<{ machine_id: number }>('SELECT machine_id FROM controllers WHERE name = ?', name);
    if (!existing) throw new RegistryError(404, `No controller named ${name}`);
    const machine = machineById(store, existing.machine_id)!;
    store.run('DELETE FROM controllers WHERE name = ?', name);
    const after = applyMachineEvent(store, machine.system_id, { type: 'controllerUnlinked' });
    return { systemId: machine.system_id, deleted: after === undefined };
  });
}

/** Every registered controller. */
export function listControllers(store: Store): ControllerRecord[] {
  return store.all<{ name: string; system_id: string }>('SELECT c.name, m.system_id FROM controllers c JOIN machines m ON m.id = c.machine_id ORDER BY c.name').map((row) => ({
    name: row.name,
    systemId: row.system_id,
  }));
}
