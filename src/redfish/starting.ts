// A system whose Status.State is `Starting`: a host still in POST lists no CPUs or memory yet, so
// the crawl reads it again a few times rather than record a gutted machine. Some BMCs keep saying
// Starting long after the host is up (iLO firmware that never leaves it), and re-reading those
// costs seconds for nothing: what the BMC says of the host's progress decides whether the
// inventory is complete, in the standard BootProgress or, on HPE iLO, its OEM POST state.

/** True when the system says it is starting. */
export function isStarting(system: unknown): boolean {
  return field(system, ['Status', 'State']) === 'Starting';
}

// BootProgress.LastState values past the point where the hardware inventory is known.
const INVENTORIED_BOOT_STATES = new Set(['SystemHardwareInitializationComplete', 'SetupEntered', 'OSBootStarted', 'OSRunning']);
// HPE iLO's Oem.Hpe.PostState values after device discovery.
const INVENTORIED_POST_STATES = new Set(['InPostDiscoveryComplete', 'FinishedPost']);

/**
 * What in the system's own answer says its hardware inventory is complete, in words, or undefined
 * when nothing does: BootProgress.LastState past hardware initialisation, or HPE's PostState after
 * discovery, or its DeviceDiscoveryComplete saying the main device discovery is complete.
 */
export function inventoryComplete(system: unknown): string | undefined {
  const boot = field(system, ['BootProgress', 'LastState']);
  if (typeof boot === 'string' && INVENTORIED_BOOT_STATES.has(boot)) return `BootProgress.LastState is ${boot}`;
  for (const vendor of ['Hpe', 'Hp']) {
    const post = field(system, ['Oem', vendor, 'PostState']);
    if (typeof post === 'string' && INVENTORIED_POST_STATES.has(post)) return `Oem.${vendor}.PostState is ${post}`;
    const discovery = field(system, ['Oem', vendor, 'DeviceDiscoveryComplete', 'DeviceDiscovery']);
    if (discovery === 'vMainDeviceDiscoveryComplete') return `Oem.${vendor}.DeviceDiscoveryComplete.DeviceDiscovery is ${discovery}`;
  }
  return undefined;
}

function field(body: unknown, pointer: readonly string[]): unknown {
  let value = body;
  for (const key of pointer) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
