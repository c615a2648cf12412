// Public API of the inventory stage: pure functions from a raw crawl to the MAAS document.
export type * from './model.ts';
export { SECTION_NAMES } from './model.ts';
export { sourceFromCrawl, sourceFromMockup, type ResourceSource } from './source.ts';
export { systemsOf, toInventories, toInventory } from './normalise.ts';
export { detectVendor, GENERIC_PROFILE, type VendorProfile } from './vendor.ts';
export { API_EXTENSIONS, FALLBACK_ARCHITECTURE, toCommissioningData, type CommissioningData, type Producer } from './commissioning.ts';
export { toCommissioningResults, resultsOf, COMMISSIONING_SCRIPT, type CommissioningResults } from './results.ts';
export { toLshw } from './lshw.ts';
export { toModaliases, pciModalias } from './modaliases.ts';
export { validateCommissioningData, type Violation } from './validate.ts';
export { fingerprint, stableView } from './fingerprint.ts';
export { diffInventories, type ChangeArea, type HardwareChange } from './diff.ts';
export { carryForward, carriableSections, unknownSections } from './partial.ts';
