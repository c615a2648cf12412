// A real MAAS as a sweep target. With an admin API key it finds, creates and pushes; with only a
// directory of per-machine credentials files ("token-only") it pushes hardware for the machines
// enlisted earlier and holds no admin key at all.
import type { CommissioningResults } from '../inventory/results.ts';
import { describeViolations, validateCommissioningData } from '../inventory/validate.ts';
import { bmcHostPort } from '../redfish/links.ts';
import { acceptsHardwareUpdate, isTransitional, statusByNumber } from '../lifecycle/index.ts';
import { MachineSkipped, TargetError, type MachineKeys, type MachineRecord, type NewMachine, type PushReport, type Target } from '../sweep/target.ts';
import type { ApiKey } from './api-key.ts';
import { MaasClient } from './client.ts';
import { credentialsPath, readCredentials, writeCredentials } from './credentials.ts';
import { MaasError, withPrefix } from './errors.ts';
import { MachineIndex } from './machine-index.ts';
import { createDeployedMachine, getToken, listMachines, MANUAL_POWER_TYPE, powerParameters, pushHardware, readMachine, REDFISH_POWER_TYPE, type PowerType } from './machines.ts';
import type { MaasClientOptions } from './options.ts';
import { commissioningScripts } from './scripts.ts';

/** Options of a MAAS target. */
export interface MaasTargetOptions {
  /** MAAS's base URL, e.g. `http://maas:5240/MAAS`. Required. */
  readonly url?: string;
  /** Admin API key `consumer_key:token_key:token_secret`; without it the target is token-only. */
  readonly apiKey?: string;
  /** Directory of per-machine credentials files (`<system_id>.yaml`), written on create and read on push. */
  readonly credentialsDir?: string;
  /** Create machines with `power_parameters_skip_check=true` (no rack controller validates the BMC). @default false */
  readonly skipCheck?: boolean;
  /**
   * `redfish`: MAAS powers machines through their BMC, so a release powers the host off.
   * `manual`: MAAS never powers them on or off, and keeps no BMC credentials. @default 'redfish'
   */
  readonly powerType?: PowerType;
  /** Transport settings of the underlying client (timeouts, retries, clock). */
  readonly client?: Omit<MaasClientOptions, 'url' | 'apiKey'>;
}

/** A machine was left alone because of its status; the sweep reports it as skipped. */
export class MachineStateError extends MachineSkipped {
  override readonly name: string = 'MachineStateError';
  /** The machine's MAAS status number. */
  readonly machineStatus: number;
  /** True when an operation is under way (Commissioning, Deploying, …): the next sweep may succeed. */
  readonly transitional: boolean;

  constructor(message: string, machineStatus: number, transitional: boolean) {
    super(message);
    this.machineStatus = machineStatus;
    this.transitional = transitional;
  }
}

const DEPLOYED = 6;

/** The `maas` target: a real MAAS region through its REST and metadata APIs. */
export class MaasTarget implements Target {
  readonly kind = 'maas';
  readonly #client: MaasClient;
  readonly #credentialsDir: string | undefined;
  readonly #skipCheck: boolean;
  readonly #powerType: PowerType;
  readonly #tokens = new Map<string, ApiKey>();
  #index: MachineIndex | undefined;
  #preparing: Promise<void> | undefined;

  constructor(options: MaasTargetOptions) {
    if (options.apiKey === undefined && options.credentialsDir === undefined) {
      throw new TypeError('Expected `apiKey` (admin) or `credentialsDir` (token-only), got neither');
    }
    if (options.credentialsDir !== undefined && (typeof options.credentialsDir !== 'string' || options.credentialsDir === '')) {
      throw new TypeError(`Expected \`credentialsDir\` to be a directory path, got ${JSON.stringify(options.credentialsDir)}`);
    }
    if (options.skipCheck !== undefined && typeof options.skipCheck !== 'boolean') {
      throw new TypeError(`Expected \`skipCheck\` to be a boolean, got ${typeof options.skipCheck}`);
    }
    if (options.powerType !== undefined && options.powerType !== REDFISH_POWER_TYPE && options.powerType !== MANUAL_POWER_TYPE) {
      throw new TypeError(`Expected \`powerType\` to be redfish or manual, got ${JSON.stringify(options.powerType)}`);
    }
    this.#client = new MaasClient({ ...options.client, url: options.url, ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }) });
    this.#credentialsDir = options.credentialsDir;
    this.#skipCheck = options.skipCheck ?? false;
    this.#powerType = options.powerType ?? REDFISH_POWER_TYPE;
  }

  /** True without an admin key: only machines with a credentials file can be found and pushed. */
  get tokenOnly(): boolean {
    return !this.#client.hasApiKey;
  }

  /** Loads every machine and every machine's power parameters (two admin calls) into this sweep's index. */
  async prepare(): Promise<void> {
    if (this.tokenOnly) return;
    const loading = (async () => {
      const [records, power] = await Promise.all([listMachines(this.#client), powerParameters(this.#client)]);
      this.#index = MachineIndex.build(records, power);
    })();
    this.#preparing = loading;
    try {
      await loading;
    } finally {
      if (this.#preparing === loading) this.#preparing = undefined;
    }
  }

  /** The machine for this hardware: remembered system id, then UUID, then MAC, then BMC address and node id. */
  async findMachine(keys: MachineKeys): Promise<MachineRecord | undefined> {
    if (this.tokenOnly) return this.#findTokenOnly(keys);
    // Without prepare(), the first lookup loads the index; lookups made meanwhile wait for it.
    if (this.#index === undefined) await (this.#preparing ?? this.prepare());
    const index = this.#index as MachineIndex;
    if (keys.knownSystemId !== undefined) {
      const remembered = index.bySystemId(keys.knownSystemId) ?? (await this.#readIfExists(keys.knownSystemId));
      // A remembered id whose machine now has another UUID was deleted and its id reused: look further.
      const conflicting = remembered?.hardwareUuid && keys.uuid && remembered.hardwareUuid !== keys.uuid.toLowerCase();
      if (remembered && !conflicting) return remembered;
    }
    const found =
      (keys.uuid ? index.byUuid(keys.uuid) : undefined) ??
      keys.macs.map((mac) => index.byMac(mac)).find((record) => record !== undefined) ??
      index.byBmc(keys.bmcAddress, keys.nodeId);
    if (found || keys.macs.length === 0) return found;
    // Not in this sweep's index: MAAS may have gained the machine since (another enlister, an
    // operator). One filtered listing is cheap next to creating a duplicate that MAAS would refuse.
    const listed = await listMachines(this.#client, { mac_address: [...keys.macs] });
    const record = listed[0];
    if (record) index.add(record);
    return record;
  }

  /** Creates a Deployed machine, then keeps its token (and writes its credentials file when configured). */
  async createDeployed(machine: NewMachine): Promise<MachineRecord> {
    if (this.tokenOnly) {
      throw new TargetError(
        `Cannot create ${machine.hostname} in MAAS: no admin API key is configured (token-only mode only pushes hardware for machines enlisted earlier with a credentials file)`,
      );
    }
    const created = await createDeployedMachine(this.#client, machine, { skipCheck: this.#skipCheck, powerType: this.#powerType });
    // A machine with manual power has no power address in MAAS: it is found by UUID or MAC.
    const record: MachineRecord = this.#powerType === MANUAL_POWER_TYPE ? created : { ...created, powerAddress: bmcHostPort(machine.power.address) };
    this.#index?.add(record, machine.power.nodeId);
    try {
      await this.#fetchToken(record);
    } catch {
      // The machine exists either way. The push that follows asks for the token again and reports
      // any failure there, with the machine named; failing here would make the sweep think the
      // machine was not created.
    }
    return record;
  }

  /** Why MAAS would not take hardware for this machine, from the status MAAS gave (see checkAcceptsHardware). */
  hardwareRefusal(machine: MachineRecord): string | undefined {
    try {
      checkAcceptsHardware(machine);
      return undefined;
    } catch (error) {
      if (error instanceof MachineStateError) return error.message;
      throw error;
    }
  }

  /**
   * Reports the machine's commissioning results with its own token, after checking its status:
   * every script of the machine's commissioning set that RESULTS has an output for, so that MAAS
   * counts the set passed (release then gives Ready). Scripts of the set nothing stands in for
   * are returned as unreported.
   */
  async pushHardware(machine: MachineRecord, results: CommissioningResults): Promise<PushReport> {
    // MAAS answers 200 to a signal whose document it then fails to parse, leaving the machine's
    // hardware as it was without a word: a document MAAS would refuse is refused here, loudly.
    const violations = validateCommissioningData(results.document);
    if (violations.length > 0) throw new TargetError(`commissioning document for ${label(machine)} would not parse in MAAS: ${describeViolations(violations)}`);
    // Token-only: a machine token belongs to MAAS's inactive node-init user, not to the machine's
    // owner, so the REST API cannot be relied on to show the machine; only the record's status is known.
    // MAAS deletes the token on release, and answers 409 to a signal in most other states; but it
    // would also take the push during Testing or Entering rescue mode, which this mode cannot see.
    const current = this.tokenOnly ? machine : await readMachine(this.#client, machine.systemId);
    checkAcceptsHardware(current);
    const { token, source } = await this.#tokenFor(current);
    // The set is read with the machine's token, as MAAS's own script runner reads it.
    const report = async (key: ApiKey): Promise<PushReport> => {
      const scripts = await commissioningScripts(this.#client, current.systemId, key);
      await pushHardware(this.#client, current.systemId, key, results, scripts);
      return { unreported: scripts.filter((name) => !Object.hasOwn(results.outputs, name)) };
    };
    try {
      return await report(token);
    } catch (error) {
      if (!(error instanceof MaasError) || (error.status !== 401 && error.status !== 403)) throw error;
      if (this.tokenOnly) throw withPrefix(error, refusedTokenAdvice(current, this.#credentialsDir!));
      if (source === 'maas') throw error;
      // The kept token may have been regenerated since it was saved: ask MAAS once more.
      this.#tokens.delete(current.systemId);
      const fresh = await this.#fetchToken(current);
      if (fresh.tokenKey === token.tokenKey && fresh.tokenSecret === token.tokenSecret) throw error;
      return await report(fresh);
    }
  }

  /** Releases connections. */
  async close(): Promise<void> {
    this.#client.close();
  }

  async #findTokenOnly(keys: MachineKeys): Promise<MachineRecord | undefined> {
    if (keys.knownSystemId === undefined || this.#credentialsDir === undefined) return undefined;
    const credentials = await readCredentials(this.#credentialsDir, keys.knownSystemId);
    if (credentials === undefined) return undefined;
    this.#tokens.set(credentials.systemId, credentials);
    // What a token-only target knows without the REST API: the machine exists and has a token, which
    // MAAS creates for a Deployed machine and deletes when the machine is released.
    return {
      systemId: credentials.systemId,
      hostname: '',
      status: DEPLOYED,
      statusName: 'Deployed',
      locked: false,
      macAddresses: [],
      powerType: 'redfish',
    };
  }

  async #readIfExists(systemId: string): Promise<MachineRecord | undefined> {
    try {
      return await readMachine(this.#client, systemId);
    } catch (error) {
      if (error instanceof MaasError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #tokenFor(machine: MachineRecord): Promise<{ token: ApiKey; source: 'memory' | 'file' | 'maas' }> {
    const kept = this.#tokens.get(machine.systemId);
    if (kept) return { token: kept, source: 'memory' };
    if (this.#credentialsDir !== undefined) {
      const credentials = await readCredentials(this.#credentialsDir, machine.systemId);
      if (credentials) {
        this.#tokens.set(machine.systemId, credentials);
        return { token: credentials, source: 'file' };
      }
    }
    if (this.tokenOnly) {
      throw new TargetError(
        `No credentials file for machine ${label(machine)} in ${this.#credentialsDir ?? '(no directory)'}; without an admin API key its hardware cannot be pushed`,
      );
    }
    return { token: await this.#fetchToken(machine), source: 'maas' };
  }

  /** Asks MAAS for the machine's token (admin), keeps it, and writes its credentials file when configured. */
  async #fetchToken(machine: MachineRecord): Promise<ApiKey> {
    const token = await getToken(this.#client, machine.systemId);
    if (token === null) {
      throw new MaasError(
        'no-token',
        `MAAS has no token for machine ${label(machine)}: it was not created as Deployed or has been released since; hardware cannot be pushed for it`,
        { method: 'GET', path: `api/2.0/machines/${machine.systemId}/?op=get_token` },
      );
    }
    this.#tokens.set(machine.systemId, token);
    if (this.#credentialsDir !== undefined) await writeCredentials(this.#credentialsDir, this.#client.url, machine.systemId, token);
    return token;
  }
}

/** Throws MachineStateError unless the lifecycle model and MAAS both take hardware for this machine now. */
export function checkAcceptsHardware(machine: MachineRecord): void {
  const known = statusByNumber(machine.status);
  const name = machine.statusName || known?.name || `status ${machine.status}`;
  if (known === undefined) {
    throw new MachineStateError(`Machine ${label(machine)} has a status this tool does not know (${name}); skipped`, machine.status, false);
  }
  if (isTransitional(machine.status)) {
    throw new MachineStateError(
      `Machine ${label(machine)} is ${name}: an operation is under way, so no hardware was pushed; the next sweep tries again`,
      machine.status,
      true,
    );
  }
  if (!acceptsHardwareUpdate(machine.status)) {
    throw new MachineStateError(`Machine ${label(machine)} is ${name}, which does not take hardware information; skipped`, machine.status, false);
  }
  if (machine.status !== DEPLOYED) {
    // MAAS's signal handler parses results only for Deployed among these statuses; for New, Ready
    // or Broken it answers OK and stores nothing (src/metadataserver/api.py, VersionIndexHandler.signal).
    throw new MachineStateError(
      `Machine ${label(machine)} is ${name}: MAAS takes pushed hardware only from Deployed machines (it would accept the push and ignore it); skipped`,
      machine.status,
      false,
    );
  }
}

/**
 * What an operator must do when a machine's saved token is refused in token-only mode. MAAS deletes
 * a machine's token when it is released and replaces it when it is deployed again; without an admin
 * key the collector cannot read the machine to tell which happened, so the BMC fails (class target).
 */
function refusedTokenAdvice(machine: MachineRecord, credentialsDir: string): string {
  const file = credentialsPath(credentialsDir, machine.systemId);
  return (
    `The token in the credentials file of machine ${label(machine)} (${file}) was refused: MAAS deletes a machine's token when the machine is released, ` +
    `and replaces it when the machine is deployed again. If the machine is still Deployed in MAAS, put its new token in ${credentialsDir} ` +
    `by sweeping once with an admin key (apiKeyFile) and this credentialsDir; if it was released, remove its BMC from the configuration. `
  );
}

function label(machine: MachineRecord): string {
  return machine.hostname ? `${machine.hostname} (${machine.systemId})` : machine.systemId;
}
