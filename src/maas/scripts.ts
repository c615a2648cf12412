// Which commissioning scripts MAAS expects a machine to report, asked the way MAAS's own script
// runner asks: `GET /MAAS/metadata/<version>/maas-scripts`, signed with the machine's token (so it
// works in token-only mode too), answers a tar whose `index.json` lists the machine's current
// commissioning script set (metadataserver/api.py, MAASScriptsHandler). For a Deployed machine the
// list holds every script of the set, finished or not. 204 means the machine has no set.
import type { ApiKey } from './api-key.ts';
import type { MaasClient } from './client.ts';
import { MaasError, withPrefix } from './errors.ts';
import { METADATA_PATH } from './machines.ts';

/** Where MAAS serves a machine its scripts, relative to the base URL. */
export const SCRIPTS_PATH = `${METADATA_PATH}maas-scripts`;

/** The names of the machine's current commissioning scripts, in MAAS's order; empty when it has none. */
export async function commissioningScripts(client: MaasClient, systemId: string, token: ApiKey): Promise<string[]> {
  let answer: unknown;
  try {
    answer = await client.request('GET', SCRIPTS_PATH, { credentials: token, binary: true });
  } catch (error) {
    throw error instanceof MaasError ? withPrefix(error, `Reading the commissioning scripts of machine ${systemId}: `) : error;
  }
  if (answer === undefined) return [];
  const bad = (problem: string) => new MaasError('bad-response', `GET ${SCRIPTS_PATH} for machine ${systemId}: ${problem}`, { method: 'GET', path: SCRIPTS_PATH });
  if (!(answer instanceof Uint8Array)) throw bad('expected a tar archive');
  const index = tarEntry(answer, 'index.json');
  if (index === undefined) throw bad('the tar archive has no index.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(index).toString('utf8'));
  } catch (error) {
    throw bad(`index.json is not JSON (${(error as Error).message})`);
  }
  const scripts = (parsed as { '1.0'?: { commissioning_scripts?: unknown } } | null)?.['1.0']?.commissioning_scripts;
  if (scripts === undefined) return [];
  if (!Array.isArray(scripts)) throw bad('index.json has no list of commissioning scripts');
  const names: string[] = [];
  for (const script of scripts) {
    const name = (script as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name === '') throw bad('index.json lists a commissioning script without a name');
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

const BLOCK = 512;

/**
 * The content of the regular file NAME (with or without a leading `./`) in a POSIX tar archive,
 * or undefined. PAX extended headers (`x`) are honoured for the path, as Python's tarfile writes
 * one before each member whose mtime is fractional.
 */
export function tarEntry(archive: Uint8Array, name: string): Uint8Array | undefined {
  const wanted = name.replace(/^\.\//, '');
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return undefined;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) return undefined;
    const type = String.fromCharCode(header[156] ?? 0);
    const start = offset + BLOCK;
    const body = archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      paxPath = paxRecords(body).path;
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const path = (paxPath ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100))).replace(/^\.\//, '');
    paxPath = undefined;
    if ((type === '0' || type === '\u0000') && path === wanted) return body;
  }
  return undefined;
}

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

// PAX records: "<length> <key>=<value>\n", the length counting the whole record.
function paxRecords(body: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(Buffer.from(body.subarray(offset, space)).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= space - offset) break;
    const record = Buffer.from(body.subarray(space + 1, offset + length - 1)).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}
