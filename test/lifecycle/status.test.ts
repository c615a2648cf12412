import { describe, expect, it } from 'vitest';
import {
  isAllowedTransition,
  NODE_TRANSITIONS,
  STATUS_KEYS,
  STATUSES,
  STATUSES_ACCEPTING_HARDWARE_UPDATES,
  statusByKey,
  statusByName,
  statusByNumber,
  statusOfRef,
  TRANSITIONAL_STATUSES,
} from '../../src/lifecycle/index.ts';

describe('MAAS statuses', () => {
  it('lists the 23 MAAS statuses with their numbers and display names', () => {
    expect(STATUSES.map((s) => [s.number, s.name])).toEqual([
      [0, 'New'],
      [1, 'Commissioning'],
      [2, 'Failed commissioning'],
      [3, 'Missing'],
      [4, 'Ready'],
      [5, 'Reserved'],
      [6, 'Deployed'],
      [7, 'Retired'],
      [8, 'Broken'],
      [9, 'Deploying'],
      [10, 'Allocated'],
      [11, 'Failed deployment'],
      [12, 'Releasing'],
      [13, 'Releasing failed'],
      [14, 'Disk erasing'],
      [15, 'Failed disk erasing'],
      [16, 'Rescue mode'],
      [17, 'Entering rescue mode'],
      [18, 'Failed to enter rescue mode'],
      [19, 'Exiting rescue mode'],
      [20, 'Failed to exit rescue mode'],
      [21, 'Testing'],
      [22, 'Failed testing'],
    ]);
  });

  it('looks a status up by number, by state key and by display name', () => {
    expect(statusByNumber(2)).toEqual({ number: 2, name: 'Failed commissioning', key: 'failedCommissioning' });
    expect(statusByKey('deployed').number).toBe(6);
    expect(statusByName('failed TO ENTER rescue mode')?.key).toBe('failedEnteringRescueMode');
    expect(statusOfRef(12).key).toBe('releasing');
    expect(statusByNumber(23)).toBeUndefined();
  });

  it('rejects an unknown status reference with a TypeError that shows it', () => {
    expect(() => statusOfRef(99)).toThrow(new TypeError('Expected a MAAS status key or number (0-22), got 99'));
    expect(() => statusOfRef('gone' as never)).toThrow(TypeError);
  });
});

describe('MAAS transition table', () => {
  it('has an entry for every status, naming only known statuses', () => {
    expect(Object.keys(NODE_TRANSITIONS).sort()).toEqual([...STATUS_KEYS].sort());
    for (const targets of Object.values(NODE_TRANSITIONS)) {
      for (const target of targets) expect(STATUS_KEYS).toContain(target);
    }
  });

  it("allows what MAAS's NODE_TRANSITIONS allows and nothing else", () => {
    expect(isAllowedTransition('deployed', 'releasing')).toBe(true);
    expect(isAllowedTransition('releasing', 'new')).toBe(true);
    expect(isAllowedTransition('broken', 'deployed')).toBe(true);
    expect(isAllowedTransition('testing', 'failedExitingRescueMode')).toBe(true);
    expect(isAllowedTransition('deployed', 'commissioning')).toBe(false);
    expect(isAllowedTransition('deployed', 'new')).toBe(false);
    expect(isAllowedTransition('new', 'deployed')).toBe(false);
    expect(isAllowedTransition(6, 12)).toBe(true);
  });

  it('treats staying in a status as allowed, as MAAS does', () => {
    for (const key of STATUS_KEYS) expect(isAllowedTransition(key, key)).toBe(true);
  });

  it('matches the transitions maas-protocol.md quotes from MAAS', () => {
    const quoted: Record<string, string[]> = {
      new: ['commissioning', 'testing', 'missing', 'ready', 'retired', 'broken', 'enteringRescueMode'],
      commissioning: ['failedCommissioning', 'ready', 'retired', 'missing', 'new', 'broken', 'testing'],
      ready: [
        'enteringRescueMode', 'commissioning', 'allocated', 'reserved', 'retired', 'missing', 'broken', 'testing',
      ],
      allocated: [
        'ready', 'retired', 'missing', 'broken', 'deploying', 'diskErasing', 'releasing', 'enteringRescueMode',
        'testing',
      ],
      deploying: [
        'allocated', 'missing', 'broken', 'failedDeployment', 'deployed', 'ready', 'diskErasing', 'releasing',
      ],
      deployed: [
        'allocated', 'missing', 'broken', 'ready', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing',
      ],
      releasing: [
        'new', 'allocated', 'reserved', 'deployed', 'ready', 'broken', 'missing', 'failedDeployment',
        'failedDiskErasing', 'failedReleasing',
      ],
      broken: ['commissioning', 'ready', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing', 'deployed'],
    };
    for (const [from, targets] of Object.entries(quoted)) {
      expect([...NODE_TRANSITIONS[from as keyof typeof NODE_TRANSITIONS]].sort()).toEqual([...targets].sort());
    }
  });

  it('names transitional statuses apart from those that accept hardware updates', () => {
    expect(TRANSITIONAL_STATUSES).toEqual([
      'commissioning',
      'deploying',
      'releasing',
      'diskErasing',
      'enteringRescueMode',
      'exitingRescueMode',
      'testing',
    ]);
    expect(STATUSES_ACCEPTING_HARDWARE_UPDATES).toEqual(['deployed', 'ready', 'new', 'broken']);
    for (const key of STATUSES_ACCEPTING_HARDWARE_UPDATES) expect(TRANSITIONAL_STATUSES).not.toContain(key);
  });
});
