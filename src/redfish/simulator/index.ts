// Simulated Redfish BMCs for tests, benchmarks and demos: one BMC, or a fleet made from a few trees.
export { startBmc, type ServedRequest, type SimulatedBmc } from './bmc.ts';
export { faultsForBmc, parseFaultFile, type FleetFaultRule } from './fault-file.ts';
export type { FaultAction, FaultRule } from './faults.ts';
export {
  DEFAULT_FLEET_OPTIONS,
  loadTrees,
  startFleet,
  type BmcListOptions,
  type FleetOptions,
  type FleetTotals,
  type FleetTree,
  type SimulatedFleet,
} from './fleet.ts';
export { answerDelay, fleetLatency, type SlowBmcs } from './latency.ts';
export {
  applyIdentity,
  compileIdentity,
  identityTables,
  renderIdentity,
  variantHostName,
  type IdentityTables,
  type IdentityTemplate,
  type IdentityToken,
} from './identity.ts';
export {
  DEFAULT_BEHAVIOUR,
  DEFAULT_BMC_OPTIONS,
  EXPAND_MODES,
  loadBehaviour,
  type BmcBehaviour,
  type BmcOptions,
  type Credentials,
  type ExpandMode,
  type Latency,
  type TlsCredentials,
} from './options.ts';
export type { BmcStats } from './stats.ts';
export { DEFAULT_CERTIFICATE_OPTIONS, generateCertificate, type Certificate, type CertificateOptions } from './tls.ts';
