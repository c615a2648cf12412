// The configuration file (YAML): BMCs, credentials, target, schedule, limits. It is checked whole
// before any BMC is contacted, and every problem is reported with its path in the file. Secrets
// come from environment variables or files; inline passwords work but are warned about.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { defaultDatabasePath } from '../registry/store.ts';
import { originOf } from '../redfish/links.ts';
import type { ClientOptions } from '../redfish/options.ts';
import { normaliseFingerprint, type TlsPolicy } from '../redfish/tls.ts';
import { expandRange } from './addresses.ts';
import { duration, integer, isObject, list, number, section, yaml } from './config-values.ts';

export { parseDuration } from './config-values.ts';

/** One BMC to sweep, with everything resolved. */
export interface BmcConfig {
  /** Display name (defaults to the address). */
  readonly name: string;
  /** The address as written (host, host:port or URL); also MAAS's power_address. */
  readonly address: string;
  readonly username: string;
  readonly password: string;
  /** Name of the credentials entry used, for reports. */
  readonly credentials: string;
  readonly tls: TlsPolicy;
  /** Only this ComputerSystem Id is enlisted from this BMC. */
  readonly systemId?: string;
  readonly tags: readonly string[];
  /** Per-BMC client overrides (expand, rate, timeouts). */
  readonly client: Partial<ClientOptions>;
  /** Came from a discovery range: probed first, and silence is not a failure. */
  readonly discovered: boolean;
}

/** Where machines go. */
export type TargetConfig =
  | { readonly kind: 'embedded'; readonly database: string }
  | {
      readonly kind: 'maas';
      readonly url: string;
      readonly apiKey?: string;
      readonly credentialsDir?: string;
      readonly skipCheck: boolean;
      /** `manual`: machines are enlisted without MAAS power control (release never powers them off). */
      readonly powerType: 'redfish' | 'manual';
      /** The collector's own state (ETags, pins, last inventories). */
      readonly stateDatabase: string;
    };

/** A checked configuration. */
export interface Config {
  readonly file?: string;
  readonly target: TargetConfig;
  readonly bmcs: readonly BmcConfig[];
  /** fullReadEveryMs: how often every resource is read again (see SweepSettings.fullReadEveryMs). */
  readonly schedule: { readonly intervalMs: number; readonly jitterMs: number; readonly fullReadEveryMs: number };
  /** requests: requests in flight across the fleet (see SweepSettings.maxRequests). */
  readonly concurrency: { readonly bmcs: number; readonly perBmc: number; readonly perBmcRate: number; readonly requests: number };
  readonly deadlines: { readonly connectMs: number; readonly requestMs: number; readonly bmcMs: number };
  readonly daemon: { readonly listen?: string };
  readonly log: { readonly level: string };
  /** Things that work but deserve attention (inline passwords, insecure TLS). */
  readonly warnings: readonly string[];
}

/** A configuration that cannot be used; `problems` lists every one, each with its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(file: string | undefined, problems: readonly string[]) {
    super(`${file ?? 'configuration'} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** How the loader reads files and the environment (injectable for tests). */
export interface ConfigSources {
  readonly env?: NodeJS.ProcessEnv;
  readonly readText?: (path: string) => string;
}

/** Defaults of every setting the file may leave out. */
export const CONFIG_DEFAULTS = Object.freeze({
  intervalMs: 3_600_000,
  jitterMs: 300_000,
  fullReadEveryMs: 86_400_000,
  bmcs: 64,
  perBmc: 2,
  requests: 64,
  perBmcRate: 0,
  connectMs: 5_000,
  requestMs: 30_000,
  bmcMs: 300_000,
  logLevel: 'info',
});

const TOP_LEVEL = new Set(['target', 'credentials', 'defaults', 'bmcs', 'include', 'schedule', 'concurrency', 'deadlines', 'daemon', 'log']);
const BMC_KEYS = new Set(['address', 'discover', 'name', 'credentials', 'tls', 'systemId', 'tags', 'expand', 'rate', 'timeouts']);
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** Loads and checks a configuration file. */
export function loadConfig(file: string, sources: ConfigSources = {}): Config {
  const readText = sources.readText ?? ((path: string) => readFileSync(path, 'utf8'));
  let text: string;
  try {
    text = readText(file);
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseConfig(text, { ...sources, readText, file });
}

/** Checks a configuration given as YAML text; relative paths are resolved against `file`'s folder. */
export function parseConfig(text: string, sources: ConfigSources & { file?: string } = {}): Config {
  const problems: string[] = [];
  const warnings: string[] = [];
  const env = sources.env ?? process.env;
  const readText = sources.readText ?? ((path: string) => readFileSync(path, 'utf8'));
  const base = sources.file ? dirname(resolve(sources.file)) : process.cwd();
  const path = (value: string) => (isAbsolute(value) ? value : resolve(base, value));
  const doc = yaml(text, sources.file ?? 'configuration', problems) ?? {};
  if (!isObject(doc)) throw new ConfigError(sources.file, ['the file must be a YAML mapping (key: value)']);
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) problems.push(`${key}: unknown setting (expected one of ${[...TOP_LEVEL].join(', ')})`);

  const credentials = readCredentials(doc.credentials, { env, readText, path, problems, warnings });
  const defaults = isObject(doc.defaults) ? doc.defaults : {};
  if (doc.defaults !== undefined && !isObject(doc.defaults)) problems.push('defaults: expected a mapping');
  const entries: { where: string; entry: unknown }[] = [];
  list(doc.bmcs, 'bmcs', problems).forEach((entry, i) => entries.push({ where: `bmcs[${i}]`, entry }));
  list(doc.include, 'include', problems).forEach((included, i) => {
    if (typeof included !== 'string') return void problems.push(`include[${i}]: expected a file path`);
    const file = path(included);
    let body: unknown;
    try {
      body = yaml(readText(file), included, problems);
    } catch (error) {
      return void problems.push(`include[${i}]: cannot read ${included}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const bmcs = isObject(body) ? body.bmcs : body;
    list(bmcs, `${included}: bmcs`, problems).forEach((entry, j) => entries.push({ where: `${included}: bmcs[${j}]`, entry }));
  });
  const bmcs: BmcConfig[] = [];
  const seen = new Map<string, string>();
  for (const { where, entry } of entries) {
    for (const bmc of readBmc(where, entry, defaults, credentials, { path, readText, problems, warnings })) {
      const key = originKey(bmc.address);
      if (seen.has(key)) problems.push(`${where}: ${bmc.address} is already listed at ${seen.get(key)}`);
      else seen.set(key, where);
      bmcs.push(bmc);
    }
  }

  const target = readTarget(doc.target, { path, readText, problems });
  const schedule = section(doc.schedule, 'schedule', problems, ['interval', 'jitter', 'fullReadEvery']);
  const concurrency = section(doc.concurrency, 'concurrency', problems, ['bmcs', 'perBmc', 'perBmcRate', 'requests']);
  const deadlines = section(doc.deadlines, 'deadlines', problems, ['connect', 'request', 'bmc']);
  const daemon = section(doc.daemon, 'daemon', problems, ['listen']);
  const log = section(doc.log, 'log', problems, ['level']);
  const level = log.level === undefined ? CONFIG_DEFAULTS.logLevel : String(log.level);
  if (!LOG_LEVELS.has(level)) problems.push(`log.level: expected one of ${[...LOG_LEVELS].join(', ')}, got ${JSON.stringify(log.level)}`);
  const listen = daemon.listen;
  if (listen !== undefined && (typeof listen !== 'string' || !/^[\w.:[\]-]+:\d{1,5}$/.test(listen))) problems.push('daemon.listen: expected host:port, e.g. 127.0.0.1:9464');

  const config: Config = {
    ...(sources.file ? { file: sources.file } : {}),
    target,
    bmcs,
    schedule: {
      intervalMs: duration(schedule.interval, 'schedule.interval', CONFIG_DEFAULTS.intervalMs, problems, 1_000),
      jitterMs: duration(schedule.jitter, 'schedule.jitter', CONFIG_DEFAULTS.jitterMs, problems, 0),
      fullReadEveryMs: duration(schedule.fullReadEvery, 'schedule.fullReadEvery', CONFIG_DEFAULTS.fullReadEveryMs, problems, 0),
    },
    concurrency: {
      bmcs: integer(concurrency.bmcs, 'concurrency.bmcs', CONFIG_DEFAULTS.bmcs, 1, 10_000, problems),
      perBmc: integer(concurrency.perBmc, 'concurrency.perBmc', CONFIG_DEFAULTS.perBmc, 1, 16, problems),
      perBmcRate: number(concurrency.perBmcRate, 'concurrency.perBmcRate', CONFIG_DEFAULTS.perBmcRate, 0, 1_000, problems),
      requests: integer(concurrency.requests, 'concurrency.requests', CONFIG_DEFAULTS.requests, 1, 100_000, problems),
    },
    deadlines: {
      connectMs: duration(deadlines.connect, 'deadlines.connect', CONFIG_DEFAULTS.connectMs, problems, 100),
      requestMs: duration(deadlines.request, 'deadlines.request', CONFIG_DEFAULTS.requestMs, problems, 100),
      bmcMs: duration(deadlines.bmc, 'deadlines.bmc', CONFIG_DEFAULTS.bmcMs, problems, 1_000),
    },
    daemon: typeof listen === 'string' ? { listen } : {},
    log: { level },
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(sources.file, problems);
  return config;
}

interface CredentialEntry {
  readonly username: string;
  readonly password: string;
}

interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly readText: (path: string) => string;
  readonly path: (value: string) => string;
  readonly problems: string[];
  readonly warnings: string[];
}

function readCredentials(value: unknown, ctx: Context): Map<string, CredentialEntry> {
  const out = new Map<string, CredentialEntry>();
  if (value === undefined) return out;
  if (!isObject(value)) {
    ctx.problems.push('credentials: expected a mapping of names to {username, passwordEnv | passwordFile | password}');
    return out;
  }
  for (const [name, entry] of Object.entries(value)) {
    const where = `credentials.${name}`;
    if (!isObject(entry)) {
      ctx.problems.push(`${where}: expected {username, passwordEnv | passwordFile | password}`);
      continue;
    }
    if (typeof entry.username !== 'string' || entry.username === '') ctx.problems.push(`${where}.username: required`);
    const sources = ['passwordEnv', 'passwordFile', 'password'].filter((key) => entry[key] !== undefined);
    if (sources.length !== 1) {
      ctx.problems.push(`${where}: give exactly one of passwordEnv, passwordFile or password`);
      continue;
    }
    let password: string | undefined;
    if (entry.passwordEnv !== undefined) {
      const variable = String(entry.passwordEnv);
      password = ctx.env[variable];
      if (password === undefined || password === '') ctx.problems.push(`${where}.passwordEnv: environment variable ${variable} is not set`);
    } else if (entry.passwordFile !== undefined) {
      try {
        password = ctx.readText(ctx.path(String(entry.passwordFile))).replace(/\r?\n$/, '');
        if (password === '') ctx.problems.push(`${where}.passwordFile: ${String(entry.passwordFile)} is empty`);
      } catch (error) {
        ctx.problems.push(`${where}.passwordFile: cannot read ${String(entry.passwordFile)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    } else {
      password = typeof entry.password === 'string' ? entry.password : undefined;
      if (password === undefined || password === '') ctx.problems.push(`${where}.password: expected a string`);
      else ctx.warnings.push(`${where}: password is inline in the configuration file; prefer passwordEnv or passwordFile`);
    }
    if (typeof entry.username === 'string' && password) out.set(name, { username: entry.username, password });
  }
  return out;
}

function readBmc(
  where: string,
  entry: unknown,
  defaults: Record<string, unknown>,
  credentials: ReadonlyMap<string, CredentialEntry>,
  ctx: Pick<Context, 'path' | 'readText' | 'problems' | 'warnings'>,
): BmcConfig[] {
  const { problems } = ctx;
  if (typeof entry === 'string') entry = { address: entry };
  if (!isObject(entry)) {
    problems.push(`${where}: expected an address or a mapping with address`);
    return [];
  }
  for (const key of Object.keys(entry)) if (!BMC_KEYS.has(key)) problems.push(`${where}.${key}: unknown setting`);
  const merged = { ...defaults, ...entry };
  const credentialName = merged.credentials;
  const credential = typeof credentialName === 'string' ? credentials.get(credentialName) : undefined;
  if (typeof credentialName !== 'string') problems.push(`${where}.credentials: required (the name of an entry under credentials:)`);
  else if (!credential && !problems.some((problem) => problem.startsWith(`credentials.${credentialName}`))) problems.push(`${where}.credentials: no credentials named ${JSON.stringify(credentialName)}`);
  const tls = readTls(merged.tls, `${where}.tls`, ctx);
  const client: { -readonly [K in keyof ClientOptions]?: ClientOptions[K] } = {};
  if (merged.expand !== undefined) {
    if (!['auto', 'on', 'off'].includes(String(merged.expand))) problems.push(`${where}.expand: expected auto, on or off`);
    else client.expand = String(merged.expand) as ClientOptions['expand'];
  }
  if (merged.rate !== undefined) client.perBmcRatePerSecond = number(merged.rate, `${where}.rate`, 0, 0, 1_000, problems);
  if (merged.timeouts !== undefined) {
    const timeouts = section(merged.timeouts, `${where}.timeouts`, problems, ['connect', 'request', 'bmc']);
    if (timeouts.connect !== undefined) client.connectTimeoutMs = duration(timeouts.connect, `${where}.timeouts.connect`, 0, problems, 100);
    if (timeouts.request !== undefined) client.requestTimeoutMs = duration(timeouts.request, `${where}.timeouts.request`, 0, problems, 100);
    if (timeouts.bmc !== undefined) client.bmcDeadlineMs = duration(timeouts.bmc, `${where}.timeouts.bmc`, 0, problems, 1_000);
  }
  const tags = merged.tags === undefined ? [] : Array.isArray(merged.tags) && merged.tags.every((tag) => typeof tag === 'string') ? (merged.tags as string[]) : (problems.push(`${where}.tags: expected a list of strings`), []);
  if (merged.systemId !== undefined && typeof merged.systemId !== 'string') problems.push(`${where}.systemId: expected a ComputerSystem Id`);
  const common = {
    username: credential?.username ?? '',
    password: credential?.password ?? '',
    credentials: typeof credentialName === 'string' ? credentialName : '',
    tls,
    ...(typeof merged.systemId === 'string' ? { systemId: merged.systemId } : {}),
    tags,
    client,
  };
  if (entry.discover !== undefined) {
    if (entry.address !== undefined) problems.push(`${where}: give address or discover, not both`);
    let addresses: string[] = [];
    try {
      addresses = ([] as unknown[]).concat(entry.discover).flatMap((range) => expandRange(String(range)));
    } catch (error) {
      problems.push(`${where}.discover: ${(error as Error).message}`);
    }
    return addresses.map((address) => ({ ...common, name: address, address, discovered: true }));
  }
  if (typeof entry.address !== 'string' || entry.address === '') {
    problems.push(`${where}.address: required (host, host:port or URL)`);
    return [];
  }
  try {
    originOf(entry.address);
  } catch (error) {
    problems.push(`${where}.address: ${(error as Error).message}`);
    return [];
  }
  if (tls.mode === 'insecure') ctx.warnings.push(`${where}: TLS verification is off for ${entry.address}`);
  const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : entry.address;
  return [{ ...common, name, address: entry.address, discovered: false }];
}

function readTls(value: unknown, where: string, ctx: Pick<Context, 'path' | 'readText' | 'problems'>): TlsPolicy {
  if (value === undefined || value === 'verify') return { mode: 'verify' };
  if (value === 'insecure') return { mode: 'insecure' };
  if (value === 'pin') return { mode: 'pin' };
  if (!isObject(value)) {
    ctx.problems.push(`${where}: expected verify, insecure, pin, {mode: pin, fingerprint} or {mode: ca, caFile}`);
    return { mode: 'verify' };
  }
  switch (value.mode) {
    case 'verify':
      return { mode: 'verify' };
    case 'insecure':
      return { mode: 'insecure' };
    case 'pin': {
      if (value.fingerprint === undefined) return { mode: 'pin' };
      try {
        return { mode: 'pin', fingerprint256: normaliseFingerprint(String(value.fingerprint)) };
      } catch (error) {
        ctx.problems.push(`${where}.fingerprint: ${(error as Error).message}`);
        return { mode: 'pin' };
      }
    }
    case 'ca': {
      if (typeof value.caFile !== 'string') {
        ctx.problems.push(`${where}.caFile: required for mode ca`);
        return { mode: 'verify' };
      }
      try {
        const ca = ctx.readText(ctx.path(value.caFile));
        if (!ca.includes('BEGIN CERTIFICATE')) ctx.problems.push(`${where}.caFile: ${value.caFile} holds no PEM certificate`);
        return { mode: 'ca', ca };
      } catch (error) {
        ctx.problems.push(`${where}.caFile: cannot read ${value.caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        return { mode: 'verify' };
      }
    }
    default:
      ctx.problems.push(`${where}.mode: expected verify, ca, pin or insecure, got ${JSON.stringify(value.mode)}`);
      return { mode: 'verify' };
  }
}

function readTarget(value: unknown, ctx: Pick<Context, 'path' | 'readText' | 'problems'>): TargetConfig {
  const target = value === undefined ? {} : isObject(value) ? value : (ctx.problems.push('target: expected a mapping'), {});
  const kind = target.kind ?? 'embedded';
  const database = typeof target.database === 'string' ? ctx.path(target.database) : defaultDatabasePath();
  if (kind === 'embedded') return { kind, database };
  if (kind !== 'maas') {
    ctx.problems.push(`target.kind: expected embedded or maas, got ${JSON.stringify(kind)}`);
    return { kind: 'embedded', database };
  }
  if (typeof target.url !== 'string' || !/^https?:\/\/.+/.test(target.url)) ctx.problems.push('target.url: required for a maas target, e.g. http://maas.example:5240/MAAS');
  let apiKey: string | undefined;
  if (target.apiKeyFile !== undefined) {
    try {
      apiKey = ctx.readText(ctx.path(String(target.apiKeyFile))).trim();
      if (apiKey.split(':').length !== 3) ctx.problems.push(`target.apiKeyFile: ${String(target.apiKeyFile)} does not hold a MAAS API key (consumer:token:secret)`);
    } catch (error) {
      ctx.problems.push(`target.apiKeyFile: cannot read ${String(target.apiKeyFile)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const credentialsDir = typeof target.credentialsDir === 'string' ? ctx.path(target.credentialsDir) : undefined;
  if (apiKey === undefined && credentialsDir === undefined) ctx.problems.push('target: a maas target needs apiKeyFile (admin key) or credentialsDir (per-machine tokens), or both');
  const powerType = target.powerType ?? 'redfish';
  if (powerType !== 'redfish' && powerType !== 'manual') {
    ctx.problems.push(`target.powerType: expected redfish (MAAS powers machines through their BMC; release powers them off) or manual (MAAS never powers them), got ${JSON.stringify(powerType)}`);
  }
  return {
    kind: 'maas',
    url: String(target.url ?? ''),
    ...(apiKey ? { apiKey } : {}),
    ...(credentialsDir ? { credentialsDir } : {}),
    skipCheck: target.skipCheck === true,
    powerType: powerType === 'manual' ? 'manual' : 'redfish',
    stateDatabase: typeof target.stateDatabase === 'string' ? ctx.path(target.stateDatabase) : database,
  };
}

function originKey(address: string): string {
  try {
    return originOf(address);
  } catch {
    return address;
  }
}
