// MAAS machine statuses and the transitions MAAS allows between them.
// Numbers and display names follow MAAS's NODE_STATUS / NODE_STATUS_CHOICES (maasserver/enum.py);
// the table follows NODE_TRANSITIONS in maasserver/node_status.py (MAAS 3.x).

/** The camelCase state key of each MAAS status, as used by the lifecycle machine. */
export type StatusKey =
  | 'new'
  | 'commissioning'
  | 'failedCommissioning'
  | 'missing'
  | 'ready'
  | 'reserved'
  | 'deployed'
  | 'retired'
  | 'broken'
  | 'deploying'
  | 'allocated'
  | 'failedDeployment'
  | 'releasing'
  | 'failedReleasing'
  | 'diskErasing'
  | 'failedDiskErasing'
  | 'rescueMode'
  | 'enteringRescueMode'
  | 'failedEnteringRescueMode'
  | 'exitingRescueMode'
  | 'failedExitingRescueMode'
  | 'testing'
  | 'failedTesting';

/** One MAAS status: the number on the wire, MAAS's display name and the state key. */
export interface MaasStatus {
  /** `status` in MAAS's machine JSON. */
  readonly number: number;
  /** `status_name` in MAAS's machine JSON, e.g. 'Failed commissioning'. */
  readonly name: string;
  /** State key in the lifecycle machine, e.g. 'failedCommissioning'. */
  readonly key: StatusKey;
}

/** A status given by key or by MAAS number. */
export type StatusRef = StatusKey | number;

/** All 23 MAAS statuses, ordered by number. */
export const STATUSES: readonly MaasStatus[] = Object.freeze([
  { number: 0, name: 'New', key: 'new' },
  { number: 1, name: 'Commissioning', key: 'commissioning' },
  { number: 2, name: 'Failed commissioning', key: 'failedCommissioning' },
  { number: 3, name: 'Missing', key: 'missing' },
  { number: 4, name: 'Ready', key: 'ready' },
  { number: 5, name: 'Reserved', key: 'reserved' },
  { number: 6, name: 'Deployed', key: 'deployed' },
  { number: 7, name: 'Retired', key: 'retired' },
  { number: 8, name: 'Broken', key: 'broken' },
  { number: 9, name: 'Deploying', key: 'deploying' },
  { number: 10, name: 'Allocated', key: 'allocated' },
  { number: 11, name: 'Failed deployment', key: 'failedDeployment' },
  { number: 12, name: 'Releasing', key: 'releasing' },
  // MAAS's display name really is "Releasing failed", unlike the other failed statuses.
  { number: 13, name: 'Releasing failed', key: 'failedReleasing' },
  { number: 14, name: 'Disk erasing', key: 'diskErasing' },
  { number: 15, name: 'Failed disk erasing', key: 'failedDiskErasing' },
  { number: 16, name: 'Rescue mode', key: 'rescueMode' },
  { number: 17, name: 'Entering rescue mode', key: 'enteringRescueMode' },
  { number: 18, name: 'Failed to enter rescue mode', key: 'failedEnteringRescueMode' },
  { number: 19, name: 'Exiting rescue mode', key: 'exitingRescueMode' },
  { number: 20, name: 'Failed to exit rescue mode', key: 'failedExitingRescueMode' },
  { number: 21, name: 'Testing', key: 'testing' },
  { number: 22, name: 'Failed testing', key: 'failedTesting' },
] satisfies MaasStatus[]);

/** Every status key, in MAAS number order. */
export const STATUS_KEYS: readonly StatusKey[] = Object.freeze(STATUSES.map((s) => s.key));

const byKey = new Map<string, MaasStatus>(STATUSES.map((s) => [s.key, s]));
const byNumber = new Map<number, MaasStatus>(STATUSES.map((s) => [s.number, s]));
const byName = new Map<string, MaasStatus>(STATUSES.map((s) => [s.name.toLowerCase(), s]));

/** Whether a string is one of the 23 status keys. */
export function isStatusKey(value: unknown): value is StatusKey {
  return typeof value === 'string' && byKey.has(value);
}

/** The status with this key or MAAS number; throws TypeError for anything else. */
export function statusOfRef(ref: StatusRef): MaasStatus {
  const found = typeof ref === 'number' ? byNumber.get(ref) : byKey.get(ref);
  if (found === undefined) {
    throw new TypeError(`Expected a MAAS status key or number (0-22), got ${JSON.stringify(ref)}`);
  }
  return found;
}

/** The status with this MAAS number, or undefined. */
export function statusByNumber(number: number): MaasStatus | undefined {
  return byNumber.get(number);
}

/** The status with this state key. */
export function statusByKey(key: StatusKey): MaasStatus {
  return statusOfRef(key);
}

/** The status with this MAAS display name (case-insensitive, e.g. from `status_name`), or undefined. */
export function statusByName(name: string): MaasStatus | undefined {
  return byName.get(name.toLowerCase());
}

// Statuses from which MAAS's testing, when it passes, returns the machine to Ready rather than to
// the status it had before (NODE_TESTING_RESET_READY_TRANSITIONS).
const TESTING_RESETS_TO_READY: readonly StatusKey[] = [
  'new',
  'commissioning',
  'failedDeployment',
  'missing',
  'retired',
  'broken',
  'failedReleasing',
  'failedDiskErasing',
  'failedEnteringRescueMode',
  'failedExitingRescueMode',
  'failedTesting',
];

/** Statuses whose passed testing returns the machine to Ready (MAAS's NODE_TESTING_RESET_READY_TRANSITIONS). */
export const STATUSES_RESET_TO_READY_BY_TESTING: readonly StatusKey[] = Object.freeze([...TESTING_RESETS_TO_READY]);

/** MAAS's NODE_TRANSITIONS, complete: for each status, the statuses it may change to. */
export const NODE_TRANSITIONS: Readonly<Record<StatusKey, readonly StatusKey[]>> = Object.freeze({
  new: ['commissioning', 'testing', 'missing', 'ready', 'retired', 'broken', 'enteringRescueMode'],
  commissioning: ['failedCommissioning', 'ready', 'retired', 'missing', 'new', 'broken', 'testing'],
  failedCommissioning: ['commissioning', 'missing', 'retired', 'broken', 'enteringRescueMode', 'testing'],
  ready: ['enteringRescueMode', 'commissioning', 'allocated', 'reserved', 'retired', 'missing', 'broken', 'testing'],
  reserved: [
    'ready', 'allocated', 'retired', 'missing', 'broken', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing',
  ],
  allocated: [
    'ready', 'retired', 'missing', 'broken', 'deploying', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing',
  ],
  releasing: [
    'new', 'allocated', 'reserved', 'deployed', 'ready', 'broken', 'missing', 'failedDeployment', 'failedDiskErasing',
    'failedReleasing',
  ],
  deploying: ['allocated', 'missing', 'broken', 'failedDeployment', 'deployed', 'ready', 'diskErasing', 'releasing'],
  failedDeployment: [
    'allocated', 'missing', 'broken', 'ready', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing',
  ],
  deployed: ['allocated', 'missing', 'broken', 'ready', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing'],
  missing: ['new', 'ready', 'allocated', 'commissioning', 'broken', 'enteringRescueMode', 'testing'],
  retired: ['new', 'ready', 'missing', 'broken', 'enteringRescueMode', 'testing'],
  broken: ['commissioning', 'ready', 'diskErasing', 'releasing', 'enteringRescueMode', 'testing', 'deployed'],
  failedReleasing: ['releasing', 'diskErasing', 'ready', 'broken', 'testing'],
  diskErasing: ['broken', 'diskErasing', 'failedDiskErasing', 'ready', 'releasing'],
  failedDiskErasing: ['diskErasing', 'releasing', 'broken', 'allocated', 'ready', 'enteringRescueMode', 'testing'],
  enteringRescueMode: ['ready', 'broken', 'deployed', 'rescueMode', 'failedEnteringRescueMode', 'exitingRescueMode'],
  failedEnteringRescueMode: ['broken', 'enteringRescueMode', 'exitingRescueMode', 'testing'],
  rescueMode: ['broken', 'exitingRescueMode', 'testing'],
  exitingRescueMode: [
    'new', 'broken', 'failedCommissioning', 'ready', 'reserved', 'allocated', 'failedDeployment', 'deployed', 'missing',
    'retired', 'failedReleasing', 'failedDiskErasing', 'rescueMode', 'failedEnteringRescueMode',
    'failedExitingRescueMode', 'failedTesting',
  ],
  failedExitingRescueMode: ['broken', 'exitingRescueMode', 'testing'],
  testing: ['broken', 'new', 'ready', 'reserved', 'allocated', 'deployed', ...TESTING_RESETS_TO_READY],
  failedTesting: ['commissioning', 'broken', 'missing', 'enteringRescueMode', 'testing', 'ready', 'deployed'],
} satisfies Record<StatusKey, StatusKey[]>);

/** Whether MAAS allows a machine to change from one status to another; staying put is always allowed, as in MAAS. */
export function isAllowedTransition(from: StatusRef, to: StatusRef): boolean {
  const source = statusOfRef(from).key;
  const target = statusOfRef(to).key;
  return source === target || NODE_TRANSITIONS[source].includes(target);
}

/**
 * Statuses in which an operation is under way (MAAS's monitored statuses, each with a failed counterpart):
 * a collector should skip the machine and try again later rather than push hardware.
 */
export const TRANSITIONAL_STATUSES: readonly StatusKey[] = Object.freeze([
  'commissioning',
  'deploying',
  'releasing',
  'diskErasing',
  'enteringRescueMode',
  'exitingRescueMode',
  'testing',
] satisfies StatusKey[]);

/** Statuses in which a machine accepts hardware information from the collector (rule 4). */
export const STATUSES_ACCEPTING_HARDWARE_UPDATES: readonly StatusKey[] = Object.freeze([
  'deployed',
  'ready',
  'new',
  'broken',
] satisfies StatusKey[]);

/** Statuses a machine may be released from (MAAS's RELEASABLE_STATUSES). */
export const RELEASABLE_STATUSES: readonly StatusKey[] = Object.freeze([
  'allocated',
  'reserved',
  'broken',
  'deploying',
  'deployed',
  'failedDeployment',
  'failedDiskErasing',
  'failedReleasing',
] satisfies StatusKey[]);

/** Statuses a machine may be locked in (MAAS's Node.lock). */
export const LOCKABLE_STATUSES: readonly StatusKey[] = Object.freeze(['deployed', 'deploying'] satisfies StatusKey[]);
