// A Redfish mockup in the DMTF Redfish-Mockup-Server layout: every resource at
// `<tree>/redfish/v1/<path>/index.json`, optional `headers.json` beside it. Folder names keep the
// URL's percent-encoding (`iDRAC.Embedded.1%23NIC.1`), so a folder path is the request path.
// This project adds one convention: `error.json` (`{"status": 403, "body": {…Redfish error…}}`) in
// place of `index.json` records a resource that answers with an error, e.g. licence-gated storage.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One resource of a mockup: its JSON body, any headers stored for it, and a status when it is an error. */
export interface MockupResource {
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** HTTP status for a resource recorded as an error (`error.json`); absent means 200. */
  readonly status?: number;
}

/** A mockup tree keyed by request path without trailing slash (`/redfish/v1`, `/redfish/v1/Systems`). */
export type Mockup = ReadonlyMap<string, MockupResource>;

/** Normalises a request path to a mockup key: no query, no trailing slash, no doubled slashes. */
export function mockupKey(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const squeezed = bare.replace(/\/{2,}/g, '/');
  return squeezed.length > 1 && squeezed.endsWith('/') ? squeezed.slice(0, -1) : squeezed;
}

/**
 * Loads a mockup folder. The folder may be the tree (holding `redfish/v1/index.json`) or any
 * folder above `redfish/`. A file that is not valid JSON is an error naming the file.
 */
export async function loadMockup(root: string): Promise<Mockup> {
  const resources = new Map<string, MockupResource>();
  const base = join(root, 'redfish', 'v1');
  for (const dir of await walk(base)) {
    const files = new Set(await readdir(dir));
    const rel = relative(base, dir).split(sep).filter(Boolean).join('/');
    const key = rel ? `/redfish/v1/${rel}` : '/redfish/v1';
    const headers = files.has('headers.json')
      ? headersOf(await readJson(join(dir, 'headers.json')))
      : undefined;
    if (files.has('index.json')) {
      const body = await readJson(join(dir, 'index.json'));
      resources.set(key, headers ? { body, headers } : { body });
    } else if (files.has('error.json')) {
      resources.set(key, errorOf(join(dir, 'error.json'), await readJson(join(dir, 'error.json'))));
    }
  }
  if (!resources.has('/redfish/v1')) {
    throw new Error(`${root} is not a Redfish mockup: ${join(base, 'index.json')} is missing`);
  }
  return resources;
}

async function walk(dir: string): Promise<string[]> {
  const out = [dir];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name))));
  }
  return out;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

// The DMTF mockup server's headers.json is `{"GET": {"ETag": "…"}}`; a flat object is accepted too.
function headersOf(json: unknown): Record<string, string> {
  const source = isObject(json) && isObject(json.GET) ? json.GET : json;
  const out: Record<string, string> = {};
  if (!isObject(source)) return out;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function errorOf(file: string, json: unknown): MockupResource {
  if (!isObject(json) || typeof json.status !== 'number' || json.status < 400 || json.status > 599) {
    throw new Error(`${file}: expected {"status": 4xx|5xx, "body": …}`);
  }
  return { status: json.status, body: json.body ?? null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
