// The package's public API: what scripts (examples/redfish-to-maas.ts) and other tools import.
// Each stage can be used alone: read a BMC, normalise, build MAAS's document, push it.

export { RedfishClient, withRedfishClient, type BmcEndpoint, type ClientHooks, type ClientStats } from './redfish/client.ts';
export { crawl, type RawCrawl, type CrawlOptions } from './redfish/crawl.ts';
export { RedfishError, type ErrorKind } from './redfish/errors.ts';
export { DEFAULT_CLIENT_OPTIONS, type ClientOptions } from './redfish/options.ts';
export type { TlsPolicy } from './redfish/tls.ts';
export { loadMockup, type Mockup } from './redfish/mockup.ts';
export { startBmc, startFleet, loadTrees, type SimulatedBmc, type SimulatedFleet } from './redfish/simulator/index.ts';

export {
  carryForward,
  diffInventories,
  fingerprint,
  sourceFromCrawl,
  sourceFromMockup,
  toCommissioningData,
  toCommissioningResults,
  toInventories,
  toInventory,
  validateCommissioningData,
  type CommissioningData,
  type CommissioningResults,
  type HardwareChange,
  type HardwareInventory,
  type Violation,
} from './inventory/index.ts';

export { applyEvent, createMachine as decideCreate, acceptsHardwareUpdate, statusOfRef, type LifecycleEvent } from './lifecycle/index.ts';

export { MaasClient, MaasError, MaasTarget, MachineStateError, getToken, listMachines, pushHardware, readCredentials, writeCredentials } from './maas/index.ts';
export { EmbeddedTarget } from './sweep/embedded-target.ts';
export { maasArchitecture, TargetError, type MachineKeys, type MachineRecord, type NewMachine, type PushReport, type Target } from './sweep/target.ts';
export { runSweep, type BmcResult, type SweepReport, type SweepSettings } from './sweep/sweep.ts';
export { loadConfig, parseConfig, ConfigError, type BmcConfig, type Config } from './sweep/config.ts';
export { discover, type DiscoveredBmc } from './sweep/discover.ts';

export { Store, serveRegistry, createApiKey, createUser, formatApiKey, listMachines as listRegistryMachines } from './registry/index.ts';
