// Loading Redfish mockups for tests: the project's fixtures, the shared public mockups beside the
// checkout, and small hand-made trees given as path → body.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from '../../src/redfish/crawl.ts';
import type { ErrorKind } from '../../src/redfish/errors.ts';
import { loadMockup } from '../../src/redfish/mockup.ts';
import { sourceFromMockup, type ResourceSource } from '../../src/inventory/source.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The project's own mockup trees. */
export const FIXTURES = join(REPO, 'fixtures');

/** The project's fixtures of vendor shapes, each showing one class of behaviour (not in the demo or bench). */
export const SHAPES = join(FIXTURES, 'shapes');

/** Public mockups of real servers, beside the checkout (../shared/redfish-mockups) or where REDFISH_MOCKUPS says. */
export const SHARED_MOCKUPS = process.env.REDFISH_MOCKUPS ?? resolve(REPO, '..', 'shared', 'redfish-mockups');

/** Tree folders (those holding redfish/v1/index.json) under a folder; none when it is absent. */
export function treesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => existsSync(join(folder, name, 'redfish', 'v1', 'index.json')))
    .sort();
}

/** A mockup folder as a resource source, as if a crawl had read it all. */
export async function loadSource(tree: string): Promise<ResourceSource> {
  return sourceFromMockup(await loadMockup(tree));
}

const FAILED = Symbol('failed read');

/** A resource whose read failed, for `sourceOf`. */
export function failedRead(kind: ErrorKind, status?: number): unknown {
  return { [FAILED]: true, kind, status };
}

/** A source from bodies given inline; `failedRead(…)` entries are reads that failed. */
export function sourceOf(resources: Record<string, unknown>): ResourceSource {
  const map = new Map<string, Outcome>();
  for (const [path, body] of Object.entries(resources)) {
    const failure = body as { [FAILED]?: true; kind: ErrorKind; status?: number };
    if (failure && typeof failure === 'object' && failure[FAILED]) {
      map.set(path, { ok: false, error: { kind: failure.kind, message: `${failure.kind} reading ${path}`, ...(failure.status ? { status: failure.status } : {}) } });
    } else {
      map.set(path, { ok: true, body });
    }
  }
  return { resources: map };
}

/** Reads a single-resource case from fixtures/cases/<family>/<name>.json. */
export async function caseFile(family: string, name: string): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(join(FIXTURES, 'cases', family, `${name}.json`), 'utf8')) as Record<string, unknown>;
}
