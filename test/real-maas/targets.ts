// The real region and the registry's `serve` side by side: the same signed requests to either, so a
// test makes the same machine in both and compares what each answers.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { serveRegistry } from '../../src/registry/serve.ts';
import { createApiKey, formatApiKey } from '../../src/registry/users.ts';
import { signerFor } from '../helpers/oauth.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { adminKey, MAAS_URL, RM } from './region.ts';

/** Where a MAAS API is and the admin key that signs for it. */
export interface Target {
  readonly name: 'maas' | 'serve';
  /** Base URL with the trailing slash, as users give it to MAAS's clients (`http://…/MAAS/`). */
  readonly url: string;
  readonly key: string;
}

export interface Reply {
  readonly status: number;
  readonly bytes: Buffer;
  readonly text: string;
  readonly json: any;
  readonly type: string;
}

/** The real region, signed with its admin key. */
export function realRegion(): Target {
  return { name: 'maas', url: MAAS_URL, key: adminKey() };
}

/** `redfish-enlist serve` over a fresh registry on a free loopback port, with an administrator's key. */
export async function registryServe(): Promise<Target & { close(): Promise<void> }> {
  const registry = temporaryStore();
  const key = formatApiKey(createApiKey(registry.store, registry.admin));
  const server = await serveRegistry(registry.store, { port: 0, version: 'real-maas-suite' });
  return {
    name: 'serve',
    url: `${server.url}/`,
    key,
    close: async () => {
      await server.close();
      registry.dispose();
    },
  };
}

/** A signed request; PATH is relative to the target's URL (`api/2.0/machines/`). */
export async function call(target: Target, method: string, path: string, fields?: Record<string, string | readonly string[]>, files?: Record<string, string>): Promise<Reply> {
  const url = new URL(path, target.url).toString();
  let body: FormData | undefined;
  if (fields || files) {
    body = new FormData();
    for (const [name, value] of Object.entries(fields ?? {})) for (const one of ([] as string[]).concat(value)) body.append(name, one);
    for (const [name, content] of Object.entries(files ?? {})) body.append(name, new Blob([content]), name);
  }
  const response = await fetch(url, { method, headers: { authorization: signerFor(target.key)(method, url) }, ...(body ? { body } : {}) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, bytes, text, json, type: response.headers.get('content-type') ?? '' };
}

/** Creates a Deployed machine with these fields; its system id. */
export async function createDeployed(target: Target, fields: Record<string, string | readonly string[]>): Promise<string> {
  const reply = await call(target, 'POST', 'api/2.0/machines/', { deployed: 'true', ...fields });
  if (reply.status !== 200) throw new Error(`${target.name}: creating ${JSON.stringify(fields)} answered ${reply.status}: ${reply.text}`);
  return reply.json.system_id as string;
}

/** Pushes a commissioning document (and any other script outputs) with the machine's own token, as MAAS's hardware sync does. */
export async function pushDocument(target: Target, systemId: string, document: CommissioningData, outputs: Record<string, string> = {}): Promise<void> {
  const token = (await call(target, 'GET', `api/2.0/machines/${systemId}/?op=get_token`)).json as { consumer_key: string; token_key: string; token_secret: string };
  const machine: Target = { ...target, key: `${token.consumer_key}:${token.token_key}:${token.token_secret}` };
  const fields = { op: 'signal', status: 'WORKING', exit_status: '0', name: '50-maas-01-commissioning' };
  const reply = await call(machine, 'POST', 'metadata/2012-03-01/', fields, { '50-maas-01-commissioning.out': JSON.stringify(document), ...outputs });
  if (reply.status !== 200) throw new Error(`${target.name}: pushing hardware for ${systemId} answered ${reply.status}: ${reply.text}`);
}

/** What one of the kit's client programs printed and how it exited (MAAS's CLI exits 2 on a non-2xx answer). */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the kit's clients ($RM/bin/maas, libmaas-python) with HOME in $RM: `client-home`, the
 * region's own, or another, so MAAS's CLI loads only the profiles logged in there (it builds every
 * profile's commands from its description at each start).
 */
export function runClient(name: 'maas' | 'libmaas-python', args: readonly string[], home = 'client-home'): Promise<Outcome> {
  const folder = join(RM, home);
  mkdirSync(folder, { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(join(RM, 'bin', name), args, { env: { ...process.env, HOME: folder }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** A JSON value's shape: the types a place holds, an object's keys, an array's items (all merged). */
export interface Shape {
  readonly types: Set<string>;
  readonly keys: Map<string, Shape>;
  items?: Shape;
}

function emptyShape(): Shape {
  return { types: new Set(), keys: new Map() };
}

/** The shape of a JSON value; every element of an array adds to one item shape. */
export function shapeOf(value: unknown, into: Shape = emptyShape()): Shape {
  if (value === null) into.types.add('null');
  else if (Array.isArray(value)) {
    into.types.add('array');
    into.items ??= emptyShape();
    for (const item of value) shapeOf(item, into.items);
  } else if (typeof value === 'object') {
    into.types.add('object');
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (!into.keys.has(key)) into.keys.set(key, emptyShape());
      shapeOf(item, into.keys.get(key)!);
    }
  } else into.types.add(typeof value);
  return into;
}

/** Where two shapes differ, one line per place: keys only one side has, and types that differ. */
export function shapeDifferences(maas: Shape, serve: Shape, path = '$'): string[] {
  const types = (shape: Shape) => [...shape.types].sort().join('|') || 'nothing';
  const out: string[] = [];
  if (types(maas) !== types(serve)) out.push(`${path}: MAAS ${types(maas)}, serve ${types(serve)}`);
  for (const key of new Set([...maas.keys.keys(), ...serve.keys.keys()])) {
    const [left, right] = [maas.keys.get(key), serve.keys.get(key)];
    if (!left) out.push(`${path}.${key}: only serve has it`);
    else if (!right) out.push(`${path}.${key}: only MAAS has it`);
    else out.push(...shapeDifferences(left, right, `${path}.${key}`));
  }
  if (maas.items || serve.items) out.push(...shapeDifferences(maas.items ?? emptyShape(), serve.items ?? emptyShape(), `${path}[]`));
  return out;
}
