// Options of one simulated BMC, their defaults and their checks, and the per-tree behaviour file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mockup } from '../mockup.ts';
import { defined, invalid, isInteger, isRecord } from './check.ts';
import { checkFaultRules, type FaultRule } from './faults.ts';

/**
 * How a BMC answers `$expand`: correctly, not at all, with invalid JSON (iDRAC8), dropping members'
 * fields (AMI), or advertising it and answering with plain links (`ignored`).
 */
export type ExpandMode = 'ok' | 'off' | 'broken-json' | 'drop-fields' | 'ignored';

/** The expand modes, in the order they are documented. */
export const EXPAND_MODES: readonly ExpandMode[] = ['ok', 'off', 'broken-json', 'drop-fields', 'ignored'];

/** A tree's own behaviour, read from `simulator.json` at its root. */
export interface BmcBehaviour {
  /** @default 'ok' */
  readonly expand?: ExpandMode;
  /** Overrides the BMC's default session limit when set. */
  readonly sessionLimit?: number;
}

/** The behaviour of a tree without `simulator.json`. */
export const DEFAULT_BEHAVIOUR: BmcBehaviour = { expand: 'ok' };

/** A user name and password. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A PEM key and certificate to serve HTTPS with. */
export interface TlsCredentials {
  readonly key: string;
  readonly cert: string;
}

/**
 * Delay added to every answer: `fixedMs` plus a uniform jitter in ±`jitterMs`, never below zero,
 * times a log-normal factor with mean 1 when `tail` is above zero (a heavy tail, as real BMCs have:
 * most answers a little faster than the mean, a few several times slower).
 */
export interface Latency {
  readonly fixedMs: number;
  readonly jitterMs: number;
  /** σ of the log-normal factor: with 0.8, half the answers take under 0.73× the mean and 1% over 4.7×. @default 0 */
  readonly tail?: number;
}

/** Options of `startBmc`. Every field but `mockup` is optional. */
export interface BmcOptions {
  /** The loaded tree to serve (shared, never mutated). */
  readonly mockup: Mockup;
  /** The tree's behaviour (`loadBehaviour`); explicit options win over it. @default DEFAULT_BEHAVIOUR */
  readonly behaviour?: BmcBehaviour;
  /** A name for listings. @default 'simulated-bmc' */
  readonly name?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks an ephemeral port. @default 0 */
  readonly port?: number;
  /** `false` serves plain HTTP. @default a self-signed EC certificate generated at start */
  readonly tls?: false | TlsCredentials;
  /** @default {username: 'admin', password: 'redfish'} */
  readonly credentials?: Credentials;
  /** Live sessions allowed at once. @default 8, or the behaviour's */
  readonly sessionLimit?: number;
  /** `false` answers 405 to session login, as BMCs without sessions do. @default true */
  readonly sessions?: boolean;
  /** @default 'ok', or the behaviour's */
  readonly expand?: ExpandMode;
  /** Collections longer than this are served in pages; 0 never pages. @default 0 */
  readonly pageSize?: number;
  /** @default {fixedMs: 0, jitterMs: 0} */
  readonly latency?: Latency;
  /** Requests processed at once, latency included; others wait in FIFO order. @default Infinity */
  readonly maxConcurrent?: number;
  /** `false` closes the connection after every answer (`Connection: close`), as HTTP/1.0 servers do. @default true */
  readonly keepAlive?: boolean;
  /** Fleet index: serve the tree as a distinct machine (see identity.ts). @default undefined (as is) */
  readonly identity?: number;
  /** Fault rules, first match wins; replaceable at runtime. @default [] */
  readonly faults?: readonly FaultRule[];
  /** Seed of the PRNG behind fault probabilities and latency jitter. @default 1 */
  readonly seed?: number;
  /** Keep a log of every request's arrival, start and answer (SimulatedBmc.requestLog). @default false */
  readonly requestLog?: boolean;
}

/** Options after defaults are applied and checked. */
export interface ResolvedBmcOptions {
  readonly mockup: Mockup;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: false | TlsCredentials | undefined;
  readonly credentials: Credentials;
  readonly sessionLimit: number;
  readonly sessions: boolean;
  readonly expand: ExpandMode;
  readonly pageSize: number;
  readonly latency: Latency;
  readonly maxConcurrent: number;
  readonly keepAlive: boolean;
  readonly identity: number | undefined;
  readonly faults: readonly FaultRule[];
  readonly seed: number;
  readonly requestLog: boolean;
}

/** Defaults of every optional BMC option that has one. */
export const DEFAULT_BMC_OPTIONS = {
  name: 'simulated-bmc',
  host: '127.0.0.1',
  port: 0,
  credentials: { username: 'admin', password: 'redfish' },
  sessionLimit: 8,
  sessions: true,
  expand: 'ok',
  pageSize: 0,
  latency: { fixedMs: 0, jitterMs: 0 },
  maxConcurrent: Number.POSITIVE_INFINITY,
  keepAlive: true,
  faults: [],
  seed: 1,
  requestLog: false,
} as const satisfies Partial<ResolvedBmcOptions>;

/** Merges defaults, the tree's behaviour and the options, and checks each; throws TypeError naming a bad one. */
export function resolveBmcOptions(options: BmcOptions): ResolvedBmcOptions {
  if (!isRecord(options)) throw invalid('options', 'an object', options);
  const behaviour = options.behaviour ?? DEFAULT_BEHAVIOUR;
  const merged = {
    ...DEFAULT_BMC_OPTIONS,
    ...defined({ expand: behaviour.expand, sessionLimit: behaviour.sessionLimit }),
    ...defined(options as unknown as Record<string, unknown>),
  } as unknown as ResolvedBmcOptions;
  const { mockup, name, host, port, tls, credentials, sessionLimit, sessions, expand } = merged;
  const { pageSize, latency, maxConcurrent, keepAlive, identity, faults, seed } = merged;
  if (!(mockup instanceof Map) || !mockup.has('/redfish/v1')) throw invalid('mockup', 'a loaded Mockup holding /redfish/v1', mockup);
  if (typeof name !== 'string' || name === '') throw invalid('name', 'a non-empty string', name);
  if (typeof host !== 'string' || host === '') throw invalid('host', 'a non-empty string', host);
  if (!isInteger(port, 0, 65_535)) throw invalid('port', 'an integer from 0 to 65535', port);
  if (tls !== undefined && tls !== false && !(isRecord(tls) && typeof tls.key === 'string' && typeof tls.cert === 'string')) {
    throw invalid('tls', 'false or {key, cert} PEM strings', tls);
  }
  if (!isRecord(credentials) || typeof credentials.username !== 'string' || credentials.username === '' || typeof credentials.password !== 'string') {
    throw invalid('credentials', '{username, password} strings', credentials);
  }
  if (!isInteger(sessionLimit, 0)) throw invalid('sessionLimit', 'an integer from 0 and up', sessionLimit);
  if (typeof sessions !== 'boolean') throw invalid('sessions', 'a boolean', sessions);
  if (!EXPAND_MODES.includes(expand)) throw invalid('expand', `one of ${EXPAND_MODES.join(', ')}`, expand);
  if (!isInteger(pageSize, 0)) throw invalid('pageSize', 'an integer from 0 and up', pageSize);
  if (!isRecord(latency) || !isFiniteFrom(latency.fixedMs, 0) || !isFiniteFrom(latency.jitterMs, 0) || !(latency.tail === undefined || isFiniteFrom(latency.tail, 0))) {
    throw invalid('latency', '{fixedMs, jitterMs, tail?}, finite numbers from 0 and up', latency);
  }
  if (maxConcurrent !== Number.POSITIVE_INFINITY && !isInteger(maxConcurrent, 1)) {
    throw invalid('maxConcurrent', 'an integer from 1 and up, or Infinity', maxConcurrent);
  }
  if (typeof keepAlive !== 'boolean') throw invalid('keepAlive', 'a boolean', keepAlive);
  if (identity !== undefined && !isInteger(identity, 0)) throw invalid('identity', 'an integer from 0 and up', identity);
  checkFaultRules(faults, 'faults');
  if (!Number.isInteger(seed)) throw invalid('seed', 'an integer', seed);
  if (typeof merged.requestLog !== 'boolean') throw invalid('requestLog', 'a boolean', merged.requestLog);
  return merged;
}

/** Reads `simulator.json` at a tree's root; a tree without one gets DEFAULT_BEHAVIOUR. */
export async function loadBehaviour(treeDir: string): Promise<BmcBehaviour> {
  const file = join(treeDir, 'simulator.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_BEHAVIOUR;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isRecord(json)) throw new Error(`${file}: expected an object like {"expand": "ok"}`);
  const expand = json.expand ?? DEFAULT_BEHAVIOUR.expand;
  if (!EXPAND_MODES.includes(expand as ExpandMode)) {
    throw new Error(`${file}: expand must be one of ${EXPAND_MODES.join(', ')}, got ${JSON.stringify(expand)}`);
  }
  if (json.sessionLimit !== undefined && !isInteger(json.sessionLimit, 0)) {
    throw new Error(`${file}: sessionLimit must be an integer from 0 and up, got ${JSON.stringify(json.sessionLimit)}`);
  }
  return json.sessionLimit === undefined
    ? { expand: expand as ExpandMode }
    : { expand: expand as ExpandMode, sessionLimit: json.sessionLimit as number };
}

function isFiniteFrom(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}
