// Per-machine credentials files, in the YAML shape MAAS gives a deployed machine for reporting:
//   reporting: {maas: {consumer_key, token_key, token_secret, endpoint: <MAAS>/metadata/status/<system_id>}}
// One file per machine (`<dir>/<system_id>.yaml`, mode 0600), written atomically, so that a scheduled
// sweep can push hardware with these tokens alone and hold no admin key.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { TargetError } from '../sweep/target.ts';
import { checkApiKey, type ApiKey } from './api-key.ts';

/** One machine's credentials as read from its file. */
export interface MachineCredentials extends ApiKey {
  readonly systemId: string;
  /** `<MAAS>/metadata/status/<system_id>`: the MAAS these credentials belong to. */
  readonly endpoint: string;
  /** The file they were read from. */
  readonly file: string;
}

/** A credentials file that cannot be used; the message names the file and the field, never the secret. */
export class CredentialsFileError extends TargetError {
  override readonly name: string = 'CredentialsFileError';
  /** The file that was read. */
  readonly file: string;

  constructor(file: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

const FIELDS = ['consumer_key', 'token_key', 'token_secret', 'endpoint'] as const;
const SYSTEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The path of a machine's credentials file in `dir`. */
export function credentialsPath(dir: string, systemId: string): string {
  if (!SYSTEM_ID.test(systemId)) {
    throw new TypeError(`Expected a MAAS system id (letters, digits, '-', '_'), got ${JSON.stringify(systemId)}`);
  }
  return path.join(dir, `${systemId}.yaml`);
}

/** MAAS's reporting endpoint for a machine: `<MAAS base URL>/metadata/status/<system_id>`. */
export function statusEndpoint(maasUrl: string, systemId: string): string {
  return `${maasUrl.replace(/\/+$/, '')}/metadata/status/${systemId}`;
}

/** The YAML text of a credentials file. */
export function credentialsYaml(maasUrl: string, systemId: string, token: ApiKey): string {
  const key = checkApiKey(token, `token of machine ${systemId}`);
  return stringify({
    reporting: {
      maas: {
        consumer_key: key.consumerKey,
        token_key: key.tokenKey,
        token_secret: key.tokenSecret,
        endpoint: statusEndpoint(maasUrl, systemId),
      },
    },
  });
}

/**
 * Writes `<dir>/<system_id>.yaml` with mode 0600 (the directory is created 0700 when missing): the
 * file is created under a temporary name with that mode, flushed, then renamed over the old one, so
 * a reader never sees half a file and the secret is never readable by others, not even briefly.
 */
export async function writeCredentials(dir: string, maasUrl: string, systemId: string, token: ApiKey): Promise<string> {
  const target = credentialsPath(dir, systemId);
  const text = credentialsYaml(maasUrl, systemId, token);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `.${systemId}.yaml.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return target;
}

/** A machine's credentials from `<dir>/<system_id>.yaml`, or undefined when there is no such file. */
export async function readCredentials(dir: string, systemId: string): Promise<MachineCredentials | undefined> {
  const file = credentialsPath(dir, systemId);
  try {
    return await readCredentialsFile(file, systemId);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads and checks one credentials file; `systemId` defaults to the file's base name. */
export async function readCredentialsFile(file: string, systemId = path.basename(file, '.yaml')): Promise<MachineCredentials> {
  const info = await stat(file);
  // Like ssh with a private key: a token readable by others is refused, not silently used.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new CredentialsFileError(
      file,
      `holds a machine token but is accessible to other users (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 on it`,
    );
  }
  return parseCredentials(await readFile(file, 'utf8'), file, systemId);
}

/** Checks a credentials file's text; errors name `file` and the field, never its value. */
export function parseCredentials(text: string, file: string, systemId: string): MachineCredentials {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    // The YAML error quotes the offending line, which may be the secret: keep only its position.
    const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw new CredentialsFileError(file, `is not valid YAML${where ? ` (line ${where.line}, column ${where.col})` : ''}`);
  }
  const reporting = field(document, 'reporting', file, 'reporting');
  const maas = field(reporting, 'maas', file, 'reporting.maas');
  const values: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = (maas as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new CredentialsFileError(file, `\`reporting.maas.${name}\` must be a non-empty string`, { field: `reporting.maas.${name}` });
    }
    values[name] = value.trim();
  }
  const consumerSecret = (maas as Record<string, unknown>).consumer_secret;
  if (consumerSecret !== undefined && consumerSecret !== null && consumerSecret !== '') {
    throw new CredentialsFileError(file, '`reporting.maas.consumer_secret` must be empty: MAAS tokens have no consumer secret', {
      field: 'reporting.maas.consumer_secret',
    });
  }
  let key: ApiKey;
  try {
    key = checkApiKey({ consumerKey: values.consumer_key!, tokenKey: values.token_key!, tokenSecret: values.token_secret! });
  } catch (error) {
    const which = /consumer key/.test((error as Error).message) ? 'consumer_key' : /token key/.test((error as Error).message) ? 'token_key' : 'token_secret';
    throw new CredentialsFileError(file, `\`reporting.maas.${which}\` is malformed (only letters, digits, '.', '_', '~' and '-' are allowed)`, {
      field: `reporting.maas.${which}`,
    });
  }
  const endpoint = values.endpoint!;
  const expected = `/metadata/status/${systemId}`;
  let endpointUrl: URL | undefined;
  try {
    endpointUrl = new URL(endpoint);
  } catch {
    endpointUrl = undefined;
  }
  if (endpointUrl === undefined || !/^https?:$/.test(endpointUrl.protocol) || !endpointUrl.pathname.replace(/\/+$/, '').endsWith(expected)) {
    throw new CredentialsFileError(file, `\`reporting.maas.endpoint\` must be an http(s) URL ending in ${expected}`, {
      field: 'reporting.maas.endpoint',
    });
  }
  return { ...key, systemId, endpoint, file };
}

function field(parent: unknown, name: string, file: string, fieldPath: string): Record<string, unknown> {
  const value = typeof parent === 'object' && parent !== null && !Array.isArray(parent) ? (parent as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CredentialsFileError(file, `\`${fieldPath}\` must be a mapping`, { field: fieldPath });
  }
  return value as Record<string, unknown>;
}
