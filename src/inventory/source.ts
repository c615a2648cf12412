// A read-only view of what a crawl (or a mockup) holds, keyed by path, and the per-section reader
// that records which resources fed a section and which failures make it unknown.
import { errorFromResponse } from '../redfish/errors.ts';
import type { Mockup } from '../redfish/mockup.ts';
import { isResource, linkKey, linksAt, type Resource } from '../redfish/navigate.ts';
import type { Outcome, RawCrawl } from '../redfish/crawl.ts';
import type { Provenance, SectionFailure, SectionName } from './model.ts';

/** Resources by path, as a crawl stores them. */
export interface ResourceSource {
  /** The BMC origin links are resolved against; absent for mockups read from disk. */
  readonly origin?: string;
  readonly resources: ReadonlyMap<string, Outcome>;
}

/** Turns a mockup into a source, as if a crawl had read every resource in it. */
export function sourceFromMockup(mockup: Mockup): ResourceSource {
  const resources = new Map<string, Outcome>();
  for (const [path, resource] of mockup) {
    if (resource.status && resource.status >= 400) {
      const error = errorFromResponse(resource.status, resource.body, { method: 'GET', path });
      resources.set(path, {
        ok: false,
        error: { kind: error.kind, message: error.message, status: resource.status, ...(error.messageId ? { messageId: error.messageId } : {}) },
      });
    } else {
      resources.set(path, { ok: true, body: resource.body });
    }
  }
  return { resources };
}

/** Turns a crawl into a source. */
export function sourceFromCrawl(crawl: RawCrawl): ResourceSource {
  return { origin: crawl.origin, resources: crawl.resources };
}

/** The key a link is stored under, or undefined for a link to another origin. */
export function keyOf(source: ResourceSource, link: string): string | undefined {
  return linkKey(source.origin, link);
}

/** Reads resources for one section and remembers where the section's data came from. */
export class SectionReader {
  readonly name: SectionName;
  readonly #source: ResourceSource;
  readonly #sources = new Set<string>();
  readonly #failures: SectionFailure[] = [];

  constructor(source: ResourceSource, name: SectionName) {
    this.#source = source;
    this.name = name;
  }

  /** The resource behind a link; a failed or missing read marks the section unknown. */
  get(link: string | undefined): Resource | undefined {
    if (link === undefined) return undefined;
    const key = keyOf(this.#source, link);
    if (key === undefined) {
      this.#failures.push({ path: link, kind: 'refused-link', message: 'link to another origin' });
      return undefined;
    }
    const outcome = this.#source.resources.get(key);
    if (outcome === undefined) {
      this.#failures.push({ path: key, kind: 'not-read', message: 'linked but not read' });
      return undefined;
    }
    if (!outcome.ok) {
      this.#failures.push({ path: key, kind: outcome.error.kind, message: outcome.error.message });
      return undefined;
    }
    if (!isResource(outcome.body)) {
      this.#failures.push({ path: key, kind: 'bad-response', message: 'not a JSON object' });
      return undefined;
    }
    this.#sources.add(key);
    return outcome.body;
  }

  /** The members of the collection behind a link (none when there is no link). */
  members(link: string | undefined): Resource[] {
    const collection = this.get(link);
    if (collection === undefined) return [];
    return linksAt(collection, ['Members'])
      .map((member) => this.get(member))
      .filter((member): member is Resource => member !== undefined);
  }

  /**
   * The members of a collection read only for extra evidence: what was read, and nothing more. A
   * collection or member that was not read (or failed) is no evidence, not a failure of the section.
   */
  membersIfRead(link: string | undefined): Resource[] {
    const body = (path: string | undefined) => {
      const key = path === undefined ? undefined : keyOf(this.#source, path);
      const outcome = key === undefined ? undefined : this.#source.resources.get(key);
      return outcome?.ok && isResource(outcome.body) ? outcome.body : undefined;
    };
    if (body(link) === undefined) return [];
    return linksAt(this.get(link), ['Members'])
      .filter((member) => body(member) !== undefined)
      .map((member) => this.get(member)!);
  }

  /** The resources behind every link at `pointer` of `body`. */
  follow(body: unknown, pointer: readonly string[]): Resource[] {
    return linksAt(body, pointer)
      .map((link) => this.get(link))
      .filter((found): found is Resource => found !== undefined);
  }

  /** Marks the section unknown for a reason found while reading (not a failed request). */
  fail(path: string, kind: string, message: string): void {
    this.#failures.push({ path, kind, message });
  }

  /** What fed this section and whether it is complete. */
  provenance(): Provenance {
    return { sources: [...this.#sources].sort(), unknown: this.#failures.length > 0, failures: [...this.#failures] };
  }
}
