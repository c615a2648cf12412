// The MAAS client's public API: re-exports only.
export { checkApiKey, describeApiKey, parseApiKey, type ApiKey } from './api-key.ts';
export { MaasClient, type FilePart, type FormFields, type FormValue, type MaasRequestOptions } from './client.ts';
export {
  CredentialsFileError,
  credentialsPath,
  credentialsYaml,
  parseCredentials,
  readCredentials,
  readCredentialsFile,
  statusEndpoint,
  writeCredentials,
  type MachineCredentials,
} from './credentials.ts';
export { MaasError, type MaasErrorContext, type MaasErrorKind } from './errors.ts';
export { MachineIndex, normaliseBmcAddress } from './machine-index.ts';
export {
  COMMISSIONING_SCRIPT,
  createDeployedMachine,
  createForm,
  getToken,
  listMachines,
  MACHINES_PATH,
  METADATA_PATH,
  normaliseMac,
  powerParameters,
  MANUAL_POWER_TYPE,
  pushHardware,
  readMachine,
  REDFISH_POWER_TYPE,
  type PowerType,
  toMachineRecord,
  withSubarchitecture,
  type CreateOptions,
  type MaasPowerParameters,
  type MachineFilter,
} from './machines.ts';
export { DEFAULT_CLOCK_TOLERANCE_MS, OAuthSigner, type OAuthSignerOptions } from './oauth.ts';
export {
  DEFAULT_MAAS_CLIENT_OPTIONS,
  normaliseMaasUrl,
  resolveMaasClientOptions,
  type MaasClientOptions,
  type ResolvedMaasClientOptions,
} from './options.ts';
export { isRetryable, maasRetryDelay, parseRetryAfter, type MaasAttemptOutcome, type MaasRetryOptions, type SendPhase } from './retry.ts';
export { checkAcceptsHardware, MaasTarget, MachineStateError, type MaasTargetOptions } from './target.ts';
