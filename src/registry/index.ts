// Public API of the embedded registry.
export { defaultDatabasePath, RegistryError, Store, type StoreOptions } from './store.ts';
export { createApiKey, createUser, findUser, formatApiKey, issueMachineToken, machineToken, setPassword, type Credential, type User } from './users.ts';
export {
  applyMachineEvent,
  createMachine,
  findMachine,
  interfacesOf,
  listMachines,
  machineById,
  snapshotOf,
  updateMachine,
  type MachineFilter,
  type MachineInput,
  type MachineRow,
} from './machines.ts';
export { documentFingerprint, machineHistory, pushHardware, readDocument, type PushOutcome, type SignalStatus } from './hardware.ts';
export { machineJson } from './machine-json.ts';
export { listControllers, registerController, unregisterController, type ControllerRecord } from './controllers.ts';
export { serveRegistry, type RegistryServer, type ServeOptions } from './serve.ts';
export { handleApiRequest, type ApiOptions } from './api.ts';
export { verifyPassword } from './secrets.ts';
export { bmcState, lastInventory, listBmcStates, loadReadCache, pinCertificate, recordBmcSweep, saveReadCache, saveInventory, type BmcOutcome, type BmcState, type BmcSweepRecord, type RecordedUnknown } from './bmc-state.ts';
export { freeHostname, registerMachine, matchMachine } from './register.ts';
