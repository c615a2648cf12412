// Sizes as MAAS shows them, one convention for the command line and the web pages: disks and
// storage in decimal units (480.1 GB, 3.84 TB), as MAAS and disk vendors print them; memory in GiB
// (512 GiB), as MAAS's machine listing does.

/** A disk or storage size in bytes: decimal GB or TB (MB below 1 GB). */
export function diskSize(value: number): string {
  if (value >= 1e12) return `${(value / 1e12).toFixed(value % 1e12 === 0 ? 0 : 2)} TB`;
  if (value >= 1e9) return `${(value / 1e9).toFixed(value % 1e9 === 0 ? 0 : 1)} GB`;
  return `${Math.round(value / 1e6)} MB`;
}

/** Memory in MiB: GiB (one decimal when not whole), or MiB below 1 GiB. */
export function memorySize(mib: number): string {
  if (mib < 1024) return `${mib} MiB`;
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}
