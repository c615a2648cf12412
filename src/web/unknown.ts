// A machine's sections that its last sweep could not read, as the pages show them: never as an
// empty figure ("0 disks"), always with the class and path of the read that failed, and whether
// the figure shown is an earlier sweep's.
import type { RecordedUnknown } from '../registry/index.ts';
import { describeUnknown, unknownFor } from '../sweep/unknown.ts';
import { html, type SafeHtml } from './html.ts';

export { describeUnknown, unknownFor };

/** Parses the recorded list as SQL's json_extract returns it (text, or null). */
export function parseUnknown(json: string | null | undefined): RecordedUnknown[] {
  if (!json) return [];
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as RecordedUnknown[]) : [];
  } catch {
    return [];
  }
}

/**
 * A figure of a section that may be unknown: the figure when the section was read; "unknown:
 * licence" when it was not and there is nothing to show; else the figure (an earlier sweep's, or
 * what part of it could be read) with a marker. The cause is in the title (hover).
 */
export function figure(entries: readonly RecordedUnknown[], section: string, shown: SafeHtml | string, empty: boolean, options: { short?: boolean } = {}): SafeHtml {
  const entry = entries.find((candidate) => candidate.section === section);
  if (!entry) return html`${shown}`;
  const title = describeUnknown(entry);
  if (empty) return html`<span class="unknown" title="${title}">${options.short ? '?' : `unknown: ${entry.kind}`}</span>`;
  return html`${shown} <span class="unknown" title="${title}">⚠</span>`;
}
