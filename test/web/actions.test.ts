import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMachineEvent, createMachine, createUser, findMachine, pushHardware, RegistryError, type MachineRow, type Store, type User } from '../../src/registry/index.ts';
import { actionNamed, availableActions, performAction, type ActionAvailability } from '../../src/web/actions.ts';
import { fixtureDocument, macsOf, temporaryStore } from '../registry/fixtures.ts';

let store: Store;
let admin: User;
let dispose: () => void;

beforeEach(() => {
  ({ store, admin, dispose } = temporaryStore());
});
afterEach(() => dispose());

function deployed(hostname = 'db01', macs = ['52:54:00:00:00:01']): MachineRow {
  return createMachine(store, { hostname, architecture: 'amd64', macAddresses: macs, powerType: 'manual', deployed: true }, admin);
}

const summary = (entries: ActionAvailability[]) => Object.fromEntries(entries.map((entry) => [entry.action.name, entry.allowed ? `→ ${entry.nextStatus}` : entry.reason]));
const reload = (row: MachineRow) => findMachine(store, row.system_id)!;

describe('actions offered per status', () => {
  it('offers release, lock and mark broken on a Deployed machine, with MAAS reasons for the rest', () => {
    expect(summary(availableActions(store, deployed(), admin))).toEqual({
      release: '→ New',
      lock: '→ Deployed',
      unlock: 'Machine is not locked',
      mark_broken: '→ Broken',
      mark_fixed: "Can't mark a non-broken node as 'Ready'.",
    });
  });

  it('offers only unlock on a locked Deployed machine', () => {
    const row = deployed();
    applyMachineEvent(store, row.system_id, { type: 'lock' });
    const offered = availableActions(store, reload(row), admin).filter((entry) => entry.allowed).map((entry) => entry.action.name);
    expect(offered).toEqual(['unlock']);
  });

  it('offers mark fixed on a Broken machine, back to the Deployed it was', () => {
    const row = deployed();
    applyMachineEvent(store, row.system_id, { type: 'markBroken' });
    const offered = summary(availableActions(store, reload(row), admin));
    expect(offered.mark_fixed).toBe('→ Deployed');
    expect(offered.lock).toBe("Can't lock, node is not deployed or deploying");
  });

  it('offers nothing to a user who is not an administrator, as the API refuses them', () => {
    const user = createUser(store, 'viewer');
    expect(availableActions(store, deployed(), user).every((entry) => !entry.allowed && entry.status === 403)).toBe(true);
  });
});

describe('performing an action', () => {
  it('releases a Deployed machine with passed commissioning to Ready, and one without to New', async () => {
    const document = await fixtureDocument('dell-r750-idrac9');
    const commissioned = deployed('r750', macsOf(document));
    pushHardware(store, commissioned.id, document);
    expect(performAction(store, commissioned.system_id, actionNamed('release')!, admin)).toMatchObject({ status: 4, owner: null });
    expect(performAction(store, deployed().system_id, actionNamed('release')!, admin)).toMatchObject({ status: 0, owner: null });
  });

  it("throws the lifecycle model's refusal in MAAS's words", () => {
    const row = deployed();
    applyMachineEvent(store, row.system_id, { type: 'lock' });
    const attempt = () => performAction(store, row.system_id, actionNamed('release')!, admin);
    expect(attempt).toThrow(RegistryError);
    expect(attempt).toThrow(/locked/);
    expect(reload(row).status).toBe(6);
  });

  it('refuses a user who is not an administrator with 403', () => {
    const user = createUser(store, 'viewer');
    expect(() => performAction(store, deployed().system_id, actionNamed('lock')!, user)).toThrow(expect.objectContaining({ status: 403 }));
  });
});
