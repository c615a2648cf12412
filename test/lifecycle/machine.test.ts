import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import {
  acceptsHardwareUpdate,
  applyEvent,
  CONTROLLER_ANNOTATION_KEY,
  createMachine,
  fromPersisted,
  isAllowedTransition,
  isDeleted,
  isTransitional,
  lifecycleMachine,
  mayAccessToken,
  STATUS_KEYS,
  statusOf,
  toPersisted,
  type CreateMachineInput,
  type Decision,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleSnapshot,
  type MachineInterface,
  type StatusKey,
} from '../../src/lifecycle/index.ts';

// Arrange helpers: every snapshot comes from the pure API.
function created(input: CreateMachineInput): LifecycleSnapshot {
  const decision = createMachine(input);
  if (!decision.ok) throw new Error(`create refused: ${decision.reason}`);
  return decision.snapshot;
}

function machineIn(status: StatusKey, context: Partial<LifecycleContext> = {}): LifecycleSnapshot {
  return fromPersisted({ value: status, context: { powerType: 'redfish', macAddresses: [MAC], ...context } });
}

function done(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) throw new Error(`refused: ${decision.reason}`);
  return decision;
}

function refused(decision: Decision): Extract<Decision, { ok: false }> {
  if (decision.ok) throw new Error(`accepted, now ${statusOf(decision.snapshot).name}`);
  return decision;
}

function run(snapshot: LifecycleSnapshot, ...events: LifecycleEvent[]): LifecycleSnapshot {
  return events.reduce((current, event) => done(applyEvent(current, event)).snapshot, snapshot);
}

const MAC = '52:54:00:12:34:56';
const types = (decision: Decision) => done(decision).effects.map((effect) => effect.type);
const statusName = (snapshot: LifecycleSnapshot) => statusOf(snapshot).name;
const passedResult = { type: 'commissioningResult', result: 'passed' } as const;
const deployedByAdmin = { deployed: true, owner: 'admin' } as const;

describe('rule 1: a machine can be created directly as Deployed', () => {
  it('creates a machine as Deployed without a MAC when power is Unknown', () => {
    const decision = createMachine(deployedByAdmin);

    const { snapshot, effects } = done(decision);
    expect(statusOf(snapshot)).toEqual({ number: 6, name: 'Deployed', key: 'deployed' });
    expect(snapshot.context).toMatchObject({ powerType: 'unknown', macAddresses: [], owner: 'admin', hasToken: true });
    // Nothing reboots or reloads it: the only effect is the per-machine token.
    expect(effects).toEqual([{ type: 'issueToken', params: { owner: 'admin' } }]);
  });

  it('creates as Deployed even when commissioning is also asked for, as MAAS does', () => {
    const input = { ...deployedByAdmin, commission: true, macAddresses: [MAC], architecture: 'amd64/generic' };
    expect(statusName(created(input))).toBe('Deployed');
  });

  it('creates an ordinary machine as New, or as Commissioning when asked', () => {
    const base = { architecture: 'amd64/generic', macAddresses: [MAC], powerType: 'redfish' } as const;
    expect(statusName(created(base))).toBe('New');
    expect(statusName(created({ ...base, commission: true }))).toBe('Commissioning');
  });
});

describe('rule 2: no power driver is required, and MACs follow the power type', () => {
  it('refuses to create a machine without a MAC when power is redfish, naming both fields as MAAS does', () => {
    const decision = createMachine({ ...deployedByAdmin, powerType: 'redfish', architecture: 'amd64/generic' });

    expect(refused(decision)).toEqual({
      ok: false,
      status: 400,
      field: 'mac_addresses',
      reason: 'This field is required.',
      fields: { mac_addresses: ['This field is required.'], power_type: ["Can't set power type to redfish without network interfaces"] },
    });
  });

  it('lists every missing field of a create at once, architecture first, as MAAS’s form does', () => {
    expect(refused(createMachine({ ...deployedByAdmin, powerType: 'manual' })).fields).toEqual({
      architecture: ['This field is required.'],
      mac_addresses: ['This field is required.'],
      power_type: ["Can't set power type to manual without network interfaces"],
    });
  });

  it('creates a machine without a MAC or architecture when power is IPMI', () => {
    expect(statusName(created({ powerType: 'ipmi' }))).toBe('New');
  });

  it('refuses a machine without a MAC that is neither IPMI nor deployed, as MAAS does', () => {
    expect(refused(createMachine({ architecture: 'amd64/generic' })).field).toBe('mac_addresses');
  });

  it('requires an architecture unless power is IPMI or the machine is deployed with Unknown power', () => {
    expect(refused(createMachine({ macAddresses: [MAC], powerType: 'redfish' }))).toMatchObject({
      status: 400,
      field: 'architecture',
    });
    expect(statusName(created({ macAddresses: [MAC], powerType: 'ipmi' }))).toBe('New');
    expect(statusName(created({ ...deployedByAdmin, macAddresses: [MAC] }))).toBe('Deployed');
  });

  it('requires a MAC when an Unknown machine without MACs gets the redfish driver, in MAAS’s words', () => {
    const machine = created(deployedByAdmin);

    const refusal = refused(applyEvent(machine, { type: 'setPowerDriver', powerType: 'redfish' }));

    expect(refusal).toMatchObject({ status: 400, field: 'power_type', reason: "Can't set power type to redfish without network interfaces" });
  });

  it('lets an Unknown machine without MACs switch to IPMI', () => {
    const decision = applyEvent(created(deployedByAdmin), { type: 'setPowerDriver', powerType: 'ipmi' });

    expect(done(decision).effects).toEqual([{ type: 'setPowerType', params: { powerType: 'ipmi' } }]);
    expect(done(decision).snapshot.context.powerType).toBe('ipmi');
  });

  it('accepts the redfish driver for a machine without MACs when the change brings one', () => {
    const decision = applyEvent(created(deployedByAdmin), {
      type: 'setPowerDriver',
      powerType: 'redfish',
      macAddresses: ['52:54:00:AA:BB:CC'],
    });

    expect(types(decision)).toEqual(['setPowerType', 'addMacAddresses']);
    expect(done(decision).snapshot.context).toMatchObject({
      powerType: 'redfish',
      macAddresses: ['52:54:00:aa:bb:cc'],
    });
  });
});

describe('rule 3: no network boot without a MAC, commissioning excepted', () => {
  it('refuses deploy/rescue/test/erase for a machine without a MAC', () => {
    const noMac = { macAddresses: [], powerType: 'ipmi', hasPassedCommissioning: true };
    const cases: [StatusKey, LifecycleEvent][] = [
      ['ready', { type: 'deploy', user: 'alice' }],
      ['deployed', { type: 'rescue' }],
      ['deployed', { type: 'test' }],
      ['deployed', { type: 'erase' }],
    ];
    for (const [status, event] of cases) {
      const refusal = refused(applyEvent(machineIn(status, noMac), event));
      expect(refusal.status).toBe(409);
      expect(refusal.reason).toMatch(/^Cannot .+: the machine has no MAC address, so it cannot network boot\.$/);
    }
  });

  it('allows the same operations once the machine has a MAC', () => {
    const withMac = { powerType: 'ipmi', hasPassedCommissioning: true };
    expect(statusName(run(machineIn('ready', withMac), { type: 'deploy', user: 'alice' }))).toBe('Deploying');
    expect(statusName(run(machineIn('deployed', withMac), { type: 'rescue' }))).toBe('Entering rescue mode');
    expect(statusName(run(machineIn('deployed', withMac), { type: 'test' }))).toBe('Testing');
    expect(statusName(run(machineIn('deployed', withMac), { type: 'erase' }))).toBe('Disk erasing');
  });

  it('allows commissioning a machine without a MAC', () => {
    const machine = created({ powerType: 'ipmi' });

    expect(statusName(run(machine, { type: 'commission' }))).toBe('Commissioning');
  });

  it('refuses to commission a machine whose power type is Unknown, as MAAS does', () => {
    const refusal = refused(applyEvent(machineIn('ready', { powerType: 'unknown' }), { type: 'commission' }));
    expect(refusal.reason).toBe('Unconfigured power type. Please configure the power type and try again.');
  });
});

describe('rule 4: hardware information of a Deployed machine can be updated any number of times', () => {
  it('hardware updates of a Deployed machine keep it Deployed any number of times', () => {
    let machine = created(deployedByAdmin);
    for (let push = 0; push < 3; push += 1) {
      const decision = applyEvent(machine, passedResult);
      expect(done(decision).effects).toEqual([{ type: 'persistHardware', params: { passed: true } }]);
      machine = done(decision).snapshot;
      expect(statusName(machine)).toBe('Deployed');
    }
    expect(machine.context).toMatchObject({ owner: 'admin', hasToken: true, hasPassedCommissioning: true });
  });

  it("a hardware update replaces the machine's interfaces and MACs", () => {
    const interfaces: MachineInterface[] = [
      { name: 'eno1', mac: '52:54:00:00:00:01', type: 'physical' },
      { name: 'eno1.100', mac: '52:54:00:00:00:01', type: 'vlan' },
    ];
    const machine = run(created(deployedByAdmin), { ...passedResult, interfaces });

    expect(machine.context.interfaces).toEqual(interfaces);
    expect(machine.context.macAddresses).toEqual(['52:54:00:00:00:01']);
  });

  it('accepts hardware in Deployed, Ready, New and Broken, finishes commissioning, and refuses it otherwise', () => {
    for (const status of STATUS_KEYS) {
      const accepts = ['deployed', 'ready', 'new', 'broken'].includes(status);
      expect(acceptsHardwareUpdate(status), status).toBe(accepts);
      expect(applyEvent(machineIn(status), passedResult).ok, status).toBe(accepts || status === 'commissioning');
    }
    expect(isTransitional('deploying')).toBe(true);
    expect(refused(applyEvent(machineIn('deploying'), passedResult))).toEqual({
      ok: false,
      status: 409,
      reason: "Machine cannot accept hardware information in its current state ('Deploying').",
    });
  });
});

describe('rule 6: release of a Deployed machine', () => {
  const deployedWith = (context: Partial<LifecycleContext>) =>
    machineIn('deployed', { owner: 'admin', hasToken: true, ...context });

  it('release of a deployed machine with passed hardware information goes to Ready', () => {
    const machine = run(created(deployedByAdmin), passedResult);

    expect(statusName(run(machine, { type: 'release' }))).toBe('Ready');
  });

  it('release of a deployed machine without hardware information goes to New', () => {
    expect(statusName(run(created(deployedByAdmin), { type: 'release' }))).toBe('New');
  });

  it('release after a failed commissioning result goes to New', () => {
    const machine = run(created(deployedByAdmin), passedResult, { type: 'commissioningResult', result: 'failed' });

    expect(statusName(run(machine, { type: 'release' }))).toBe('New');
  });

  it('release removes VLAN, bond, bridge and VF interfaces and keeps physical ones', () => {
    const interfaces: MachineInterface[] = [
      { name: 'eno1', mac: '52:54:00:00:00:01', type: 'physical' },
      { name: 'eno2', mac: '52:54:00:00:00:02', type: 'physical' },
      { name: 'eno1.100', mac: '52:54:00:00:00:01', type: 'vlan' },
      { name: 'bond0', mac: '52:54:00:00:00:02', type: 'bond' },
      { name: 'br0', mac: '52:54:00:00:00:02', type: 'bridge' },
      { name: 'eno2v0', mac: '52:54:00:00:00:09', type: 'vf' },
    ];

    const decision = applyEvent(deployedWith({ interfaces }), { type: 'release' });

    expect(done(decision).effects).toContainEqual({
      type: 'removeVirtualInterfaces',
      params: { names: ['eno1.100', 'bond0', 'br0', 'eno2v0'] },
    });
    expect(done(decision).snapshot.context.interfaces.map((i) => i.name)).toEqual(['eno1', 'eno2']);
  });

  it('release clears owner, workload annotations and token', () => {
    const machine = deployedWith({ workloadAnnotations: { role: 'db', team: 'infra' } });

    const decision = applyEvent(machine, { type: 'release' });

    expect(done(decision).effects).toEqual([
      { type: 'removeVirtualInterfaces', params: { names: [] } },
      { type: 'clearOwner', params: { owner: 'admin' } },
      { type: 'clearWorkloadAnnotations', params: { keys: ['role', 'team'] } },
      { type: 'revokeToken', params: {} },
    ]);
    expect(done(decision).snapshot.context).toMatchObject({ owner: null, workloadAnnotations: {}, hasToken: false });
  });

  it('a released machine is an ordinary machine: it can be commissioned and deployed again', () => {
    const released = run(deployedWith({ hasPassedCommissioning: true }), { type: 'release' });

    expect(statusName(run(released, { type: 'commission' }))).toBe('Commissioning');
    const redeployed = run(released, { type: 'deploy', user: 'alice' }, { type: 'operationResult', result: 'passed' });
    expect(statusName(redeployed)).toBe('Deployed');
  });

  it("answers a release of a Ready machine with success, and of a New one with MAAS's refusal", () => {
    expect(done(applyEvent(machineIn('ready'), { type: 'release' })).effects).toEqual([]);
    expect(refused(applyEvent(machineIn('new'), { type: 'release' }))).toEqual({
      ok: false,
      status: 409,
      reason: "Machine cannot be released in its current state ('New').",
    });
  });
});

describe('locking', () => {
  it('locks only a Deployed or Deploying machine', () => {
    for (const status of STATUS_KEYS) {
      const decision = applyEvent(machineIn(status), { type: 'lock' });
      if (status === 'deployed' || status === 'deploying') {
        expect(types(decision)).toEqual(['lockMachine']);
        expect(done(decision).snapshot.context.locked).toBe(true);
      } else {
        expect(refused(decision)).toMatchObject({
          status: 409,
          reason: "Can't lock, node is not deployed or deploying",
        });
      }
    }
  });

  it('a locked machine refuses update, release, delete and annotations', () => {
    const locked = run(machineIn('deployed', { owner: 'admin' }), { type: 'lock' });
    const events: LifecycleEvent[] = [
      { type: 'update' },
      { type: 'release' },
      { type: 'delete' },
      { type: 'setWorkloadAnnotations', user: 'admin', annotations: { role: 'db' } },
    ];
    for (const event of events) {
      const refusal = refused(applyEvent(locked, event));
      expect(refusal.status).toBe(403);
      expect(refusal.answer).toBe('');
      expect(refusal.reason).toMatch(/because the machine is locked\.$/);
    }
  });

  it('refuses to lock a locked machine or unlock an unlocked one, in MAAS words', () => {
    const locked = run(machineIn('deployed'), { type: 'lock' });

    expect(refused(applyEvent(locked, { type: 'lock' })).reason).toBe('Machine is already locked');
    expect(refused(applyEvent(machineIn('deployed'), { type: 'unlock' })).reason).toBe('Machine is not locked');
    expect(types(applyEvent(locked, { type: 'unlock' }))).toEqual(['unlockMachine']);
  });
});

describe('rule 7: controllers', () => {
  it('linking a controller makes the machine Deployed, locked and annotated', () => {
    const machine = machineIn('ready', { powerType: 'ipmi' });

    const decision = applyEvent(machine, { type: 'controllerLinked', controller: 'rack-7', owner: 'maas-worker' });

    const { snapshot, effects } = done(decision);
    expect(statusName(snapshot)).toBe('Deployed');
    expect(snapshot.context).toMatchObject({
      locked: true,
      controller: 'rack-7',
      owner: 'maas-worker',
      hasToken: true,
    });
    expect(snapshot.context.workloadAnnotations).toEqual({ [CONTROLLER_ANNOTATION_KEY]: 'rack-7' });
    expect(effects.map((e) => e.type)).toEqual(['setOwner', 'annotateController', 'lockMachine', 'issueToken']);
  });

  it("creates a new controller's machine as Deployed, locked and annotated", () => {
    const machine = created({ ...deployedByAdmin, deployed: false, controller: 'region-1' });

    expect(statusName(machine)).toBe('Deployed');
    expect(machine.context).toMatchObject({ locked: true, workloadAnnotations: { 'maas-controller': 'region-1' } });
  });

  it('keeps a controller machine locked until the controller is removed', () => {
    const machine = created({ ...deployedByAdmin, controller: 'region-1' });

    expect(refused(applyEvent(machine, { type: 'unlock' })).status).toBe(409);
    expect(refused(applyEvent(machine, { type: 'release' })).status).toBe(403);
  });

  it('unlinking a controller unlocks the machine', () => {
    const linked = { type: 'controllerLinked', controller: 'rack-7' } as const;
    const machine = run(machineIn('ready', { powerType: 'redfish' }), linked);

    const decision = applyEvent(machine, { type: 'controllerUnlinked' });

    expect(types(decision)).toEqual(['removeControllerAnnotation', 'unlockMachine']);
    expect(statusName(done(decision).snapshot)).toBe('Deployed');
    expect(done(decision).snapshot.context).toMatchObject({ locked: false, controller: null, workloadAnnotations: {} });
  });

  it('unlinking a controller removes a machine with no BMC', () => {
    for (const powerType of ['unknown', 'manual']) {
      const machine = created({
        ...deployedByAdmin,
        powerType,
        macAddresses: [MAC],
        architecture: 'amd64/generic',
        controller: 'region-1',
      });

      const decision = applyEvent(machine, { type: 'controllerUnlinked' });

      expect(types(decision)).toEqual(['deleteMachine']);
      expect(isDeleted(done(decision).snapshot)).toBe(true);
      expect(refused(applyEvent(done(decision).snapshot, { type: 'update' })).reason).toBe('Machine has been deleted.');
    }
  });
});

describe('rule 8: per-machine credentials', () => {
  it('regenerating the token invalidates the old one at once', () => {
    const decision = applyEvent(created(deployedByAdmin), { type: 'regenerateToken', user: 'admin' });

    expect(done(decision).effects).toEqual([
      { type: 'revokeToken', params: {} },
      { type: 'issueToken', params: { owner: 'admin' } },
    ]);
  });

  it('only the owner may generate or see the token', () => {
    const machine = created(deployedByAdmin);

    expect(refused(applyEvent(machine, { type: 'regenerateToken', user: 'mallory' }))).toMatchObject({ status: 403 });
    expect(mayAccessToken(machine, 'admin')).toBe(true);
    expect(mayAccessToken(machine, 'mallory')).toBe(false);
    expect(mayAccessToken(run(machine, { type: 'release' }), 'admin')).toBe(false);
  });
});

// Who may enlist is the registry's check (test/registry); the model's part of rule 9 is that a
// hardware update carries no user at all.
describe('rule 9: hardware needs only the machine token', () => {
  it('takes hardware from the token alone: no user, and even on a locked controller machine', () => {
    const controller = created({ ...deployedByAdmin, controller: 'region-1' });

    const updated = run(controller, passedResult);
    expect(statusName(updated)).toBe('Deployed');
    expect(updated.context).toMatchObject({ locked: true, owner: 'admin', hasToken: true });
  });
});

describe('MAAS behaviour the rules rely on', () => {
  it('commissioning-result passed moves Commissioning to Ready and records passed hardware info', () => {
    const decision = applyEvent(created({ powerType: 'ipmi', commission: true }), passedResult);

    expect(statusName(done(decision).snapshot)).toBe('Ready');
    expect(done(decision).snapshot.context.hasPassedCommissioning).toBe(true);
    expect(types(decision)).toEqual(['persistHardware']);
  });

  it('commissioning-result failed moves Commissioning to Failed commissioning', () => {
    const failed = { type: 'commissioningResult', result: 'failed' } as const;
    const machine = run(created({ powerType: 'ipmi', commission: true }), failed);

    expect(statusName(machine)).toBe('Failed commissioning');
    expect(machine.context.hasPassedCommissioning).toBe(false);
  });

  it('mark broken from Deployed and mark fixed returns to the previous status as MAAS does', () => {
    const broken = run(created(deployedByAdmin), { type: 'markBroken' });
    expect(statusName(broken)).toBe('Broken');
    expect(broken.context.previousStatus).toBe('deployed');

    const fixed = run(broken, { type: 'markFixed' });

    expect(statusName(fixed)).toBe('Deployed');
    expect(fixed.context).toMatchObject({ owner: 'admin', hasToken: true });
  });

  it('mark fixed of a machine broken elsewhere goes to Ready, and needs passed commissioning', () => {
    const brokenFromReady = run(machineIn('ready', { hasPassedCommissioning: true }), { type: 'markBroken' });
    expect(statusName(run(brokenFromReady, { type: 'markFixed' }))).toBe('Ready');

    const brokenFromNew = run(machineIn('new'), { type: 'markBroken' });
    expect(refused(applyEvent(brokenFromNew, { type: 'markFixed' })).reason).toBe(
      'Unable to be mark fixed because it has not been commissioned successfully.',
    );
  });

  it("refusals carry MAAS's wording and status 409", () => {
    const deployed = created(deployedByAdmin);
    expect(refused(applyEvent(deployed, { type: 'commission' }))).toEqual({
      ok: false,
      status: 409,
      reason: 'Invalid transition: Deployed -> Commissioning.',
    });
    expect(refused(applyEvent(deployed, { type: 'markFixed' }))).toEqual({
      ok: false,
      status: 409,
      reason: "Can't mark a non-broken node as 'Ready'.",
    });
    expect(refused(applyEvent(deployed, { type: 'setWorkloadAnnotations', user: 'bob', annotations: {} }))).toEqual({
      ok: false,
      status: 409,
      reason: "Cannot set workload annotation: it hasn't been acquired.",
    });
    expect(refused(applyEvent(machineIn('new', { powerType: 'ipmi' }), { type: 'test' })).reason).toBe(
      'Unable to start machine testing; this node has never been commissioned. ' +
        "Please use the 'Commission' action to commission & test this machine.",
    );
  });

  it('lets the owner set workload annotations, an empty value deleting a key', () => {
    const machine = run(created(deployedByAdmin), {
      type: 'setWorkloadAnnotations',
      user: 'admin',
      annotations: { role: 'db', team: 'infra' },
    });

    const decision = applyEvent(machine, { type: 'setWorkloadAnnotations', user: 'admin', annotations: { team: '' } });

    expect(done(decision).effects).toEqual([
      { type: 'setWorkloadAnnotations', params: { set: {}, removed: ['team'] } },
    ]);
    expect(done(decision).snapshot.context.workloadAnnotations).toEqual({ role: 'db' });
  });

  it('deploying a Ready machine allocates it to the user, then deploys it', () => {
    const ready = machineIn('ready', { hasPassedCommissioning: true });

    const decision = applyEvent(ready, { type: 'deploy', user: 'alice' });


    expect(statusName(done(decision).snapshot)).toBe('Deploying');
    expect(types(decision)).toEqual(['setOwner', 'issueToken']);
    expect(statusName(run(done(decision).snapshot, { type: 'operationResult', result: 'passed' }))).toBe('Deployed');
  });

  it('returns a machine to its status before rescue mode or testing', () => {
    const deployed = machineIn('deployed', { powerType: 'ipmi', owner: 'admin', hasToken: true });
    const ok = { type: 'operationResult', result: 'passed' } as const;

    expect(statusName(run(deployed, { type: 'rescue' }, ok, { type: 'exitRescue' }, ok))).toBe('Deployed');
    expect(statusName(run(deployed, { type: 'test' }, ok))).toBe('Deployed');
    expect(statusName(run(machineIn('broken', { powerType: 'ipmi' }), { type: 'test' }, ok))).toBe('Ready');
  });

  it('clears the owner and token when a machine becomes Ready, as MAAS does', () => {
    const broken = machineIn('broken', { owner: 'alice', hasToken: true, hasPassedCommissioning: true });

    const decision = applyEvent(broken, { type: 'markFixed' });

    expect(types(decision)).toEqual(['clearOwner', 'revokeToken']);
    expect(done(decision).snapshot.context).toMatchObject({ owner: null, hasToken: false });
  });
});

describe('transition table', () => {
  const operable = { powerType: 'ipmi', hasPassedCommissioning: true };
  const singleTarget: [LifecycleEvent, StatusKey][] = [
    [{ type: 'commission' }, 'commissioning'],
    [{ type: 'test' }, 'testing'],
    [{ type: 'rescue' }, 'enteringRescueMode'],
    [{ type: 'markBroken' }, 'broken'],
  ];

  it('accepts every allowed transition that an event asks for', () => {
    for (const [event, target] of singleTarget) {
      for (const from of STATUS_KEYS) {
        // Commissioning starts its own tests; the test event is for the other statuses.
        const startsItsOwnTests = event.type === 'test' && from === 'commissioning';
        if (from === target || !isAllowedTransition(from, target) || startsItsOwnTests) continue;
        expect(statusOf(run(machineIn(from, operable), event)).key, `${event.type} from ${from}`).toBe(target);
      }
    }
  });

  it('refuses every disallowed transition that an event asks for, naming both statuses', () => {
    for (const [event, target] of singleTarget) {
      for (const from of STATUS_KEYS) {
        if (from === target || isAllowedTransition(from, target)) continue;
        const refusal = refused(applyEvent(machineIn(from, operable), event));
        expect(refusal.status).toBe(409);
        expect(refusal.reason).toMatch(/^Invalid transition: .+ -> .+\.$/);
      }
    }
  });

  it("never moves a machine along a path MAAS's table forbids", () => {
    const events: LifecycleEvent[] = [
      ...singleTarget.map(([event]) => event),
      { type: 'release' },
      { type: 'erase' },
      { type: 'deploy', user: 'alice' },
      { type: 'exitRescue' },
      { type: 'markFixed' },
      { type: 'operationResult', result: 'passed' },
      { type: 'operationResult', result: 'failed' },
      passedResult,
      { type: 'commissioningResult', result: 'failed' },
    ];
    // Release passes through Releasing and deploy through Allocated, each hop allowed on its own.
    const viaOneHop = (from: StatusKey, to: StatusKey) =>
      (['releasing', 'allocated'] as const).some(
        (hop) => isAllowedTransition(from, hop) && isAllowedTransition(hop, to),
      );
    for (const from of STATUS_KEYS) {
      for (const previousStatus of [null, 'deployed', 'ready'] as const) {
        for (const event of events) {
          const decision = applyEvent(machineIn(from, { ...operable, previousStatus }), event);
          if (!decision.ok) continue;
          const to = statusOf(decision.snapshot).key;
          expect(isAllowedTransition(from, to) || viaOneHop(from, to), `${event.type} ${from} -> ${to}`).toBe(true);
        }
      }
    }
  });

  it('finishes every operation under way the way MAAS does, passed or failed', () => {
    const expected: [StatusKey, Partial<LifecycleContext>, StatusKey, StatusKey][] = [
      ['deploying', {}, 'deployed', 'failedDeployment'],
      ['diskErasing', {}, 'new', 'failedDiskErasing'],
      ['releasing', { hasPassedCommissioning: true }, 'ready', 'failedReleasing'],
      ['enteringRescueMode', {}, 'rescueMode', 'failedEnteringRescueMode'],
      ['exitingRescueMode', { previousStatus: 'deployed' }, 'deployed', 'failedExitingRescueMode'],
      ['testing', { previousStatus: 'allocated' }, 'allocated', 'failedTesting'],
    ];
    for (const [from, context, onPass, onFailure] of expected) {
      const machine = machineIn(from, context);
      expect(statusOf(run(machine, { type: 'operationResult', result: 'passed' })).key, from).toBe(onPass);
      expect(statusOf(run(machine, { type: 'operationResult', result: 'failed' })).key, from).toBe(onFailure);
    }
    expect(refused(applyEvent(machineIn('deployed'), { type: 'operationResult', result: 'passed' })).status).toBe(409);
  });

  it('releases and erases from exactly the statuses MAAS can release from', () => {
    const releasable = ['allocated', 'reserved', 'broken', 'deploying', 'deployed', 'failedDeployment'];
    releasable.push('failedDiskErasing', 'failedReleasing');
    for (const from of STATUS_KEYS) {
      const release = applyEvent(machineIn(from), { type: 'release' });
      const erase = applyEvent(machineIn(from), { type: 'erase' });
      const alreadyReleased = from === 'ready' || from === 'releasing';
      expect(release.ok, `release from ${from}`).toBe(releasable.includes(from) || alreadyReleased);
      expect(erase.ok, `erase from ${from}`).toBe(releasable.includes(from));
      if (!erase.ok) expect(erase.reason).toMatch(/^Machine cannot be released in its current state \('.+'\)\.$/);
    }
  });
});

describe('refusals', () => {
  it('answers every event in every status: each is done or refused, none is silently ignored', () => {
    const events: LifecycleEvent[] = [
      { type: 'commission' },
      passedResult,
      { type: 'release' },
      { type: 'markBroken' },
      { type: 'markFixed' },
      { type: 'lock' },
      { type: 'unlock' },
      { type: 'controllerLinked', controller: 'rack-1' },
      { type: 'controllerUnlinked' },
      { type: 'setPowerDriver', powerType: 'redfish' },
      { type: 'deploy', user: 'alice' },
      { type: 'rescue' },
      { type: 'exitRescue' },
      { type: 'test' },
      { type: 'erase' },
      { type: 'operationResult', result: 'passed' },
      { type: 'update' },
      { type: 'setWorkloadAnnotations', user: 'alice', annotations: { a: 'b' } },
      { type: 'regenerateToken', user: 'alice' },
      { type: 'delete' },
    ];
    for (const status of STATUS_KEYS) {
      for (const event of events) {
        const decision = applyEvent(machineIn(status, { owner: 'alice' }), event);
        if (!decision.ok) expect(decision.reason, `${event.type} in ${status}`).not.toMatch(/^Unknown lifecycle event/);
      }
    }
  });

  it('refuses an event the model does not know with a 400', () => {
    expect(refused(applyEvent(machineIn('ready'), { type: 'reboot' } as never))).toMatchObject({ status: 400 });
  });
});

describe('persistence', () => {
  it('survives toPersisted/fromPersisted through JSON and behaves the same afterwards', () => {
    const machine = run(created({ ...deployedByAdmin, macAddresses: [MAC] }), passedResult, {
      type: 'setWorkloadAnnotations',
      user: 'admin',
      annotations: { role: 'db' },
    });

    const restored = fromPersisted(JSON.parse(JSON.stringify(toPersisted(machine))));

    expect(restored.value).toBe('deployed');
    expect(restored.context).toEqual(machine.context);
    expect(done(applyEvent(restored, { type: 'release' })).effects).toEqual(
      done(applyEvent(machine, { type: 'release' })).effects,
    );
  });

  it('restores from a MAAS status number and fills missing facts with their defaults', () => {
    const restored = fromPersisted({ value: 6, context: { owner: 'admin' } });

    expect(statusName(restored)).toBe('Deployed');
    expect(restored.context).toMatchObject({ owner: 'admin', locked: false, macAddresses: [], powerType: 'unknown' });
  });

  it('rejects a stored machine with an unknown status or a malformed fact, naming it', () => {
    expect(() => fromPersisted({ value: 'gone', context: {} })).toThrow(
      new TypeError('Expected `value` to be a MAAS status key or number, got "gone"'),
    );
    expect(() => fromPersisted({ value: 'ready', context: { locked: 'yes' } })).toThrow(
      new TypeError('Expected context.locked to be a boolean, got "yes"'),
    );
    expect(() => fromPersisted(null)).toThrow(TypeError);
  });
});

describe('decisions', () => {
  const events: LifecycleEvent[] = [
    { type: 'commission' },
    { type: 'commissioningResult', result: 'passed', interfaces: [{ name: 'eth0', mac: MAC, type: 'physical' }] },
    { type: 'commissioningResult', result: 'failed' },
    { type: 'release' },
    { type: 'markBroken' },
    { type: 'markFixed' },
    { type: 'lock' },
    { type: 'unlock' },
    { type: 'deploy', user: 'admin' },
    { type: 'rescue' },
    { type: 'erase' },
    { type: 'setPowerDriver', powerType: 'ipmi' },
    { type: 'regenerateToken', user: 'admin' },
    { type: 'delete' },
  ];
  it("are xstate's own pure transitions, in every status, for every event", () => {
    for (const status of STATUS_KEYS) {
      for (const event of events) {
        const snapshot = machineIn(status, { owner: 'admin' });
        const [next, actions] = transition(lifecycleMachine, snapshot, event);
        const refusal = actions.find((action) => action.type === 'refuse');
        const decision = applyEvent(snapshot, event);
        const label = `${status} + ${event.type}`;
        expect(decision.ok, label).toBe(refusal === undefined);
        if (!decision.ok) continue;
        expect([decision.snapshot.value, decision.snapshot.context], label).toEqual([next.value, next.context]);
        expect(decision.effects.map((effect) => effect.type), label).toEqual(actions.map((action) => action.type).filter((type) => !type.startsWith('xstate.')));
      }
    }
  });
});
