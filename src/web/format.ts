// How figures read on the pages: sizes in the units MAAS and vendors print, times in UTC with how
// long ago, speeds in Gb/s.
import { diskSize, memorySize } from '../inventory/units.ts';

/** Memory in MiB as GiB (or MiB below 1 GiB), as MAAS's listing shows it. */
export function memory(mib: number): string {
  return mib > 0 ? memorySize(mib) : '—';
}

/** A disk or storage size in bytes, in decimal units (GB, TB) as vendors and MAAS print them. */
export function size(value: number): string {
  return value > 0 ? diskSize(value) : '—';
}

/** A link speed in Mb/s. */
export function speed(mbps: number): string {
  if (!mbps) return '—';
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

/** An ISO time as "2025-11-25 01:22 UTC". */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago an ISO time was, from `now`: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** A duration in milliseconds as "850 ms" or "12.3 s". */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A count of bytes transferred as kB or MB. */
export function transferred(count: number): string {
  if (count < 1000) return `${count} B`;
  if (count < 1e6) return `${(count / 1000).toFixed(1)} kB`;
  return `${(count / 1e6).toFixed(1)} MB`;
}
