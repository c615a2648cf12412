// Shared pieces of the MAAS client tests: a nock reply that records what was really sent, an
// independent parser of the OAuth header, and machine JSON shaped like MAAS 3.x answers.
import type nock from 'nock';

type ReplyFnResult = nock.ReplyFnResult;

/** The MAAS these tests talk to (plain http: nock 15 intercepts below TLS). */
export const MAAS = 'http://maas.test:5240';
/** The base URL given to the client. */
export const MAAS_URL = `${MAAS}/MAAS`;
/** An admin API key in MAAS's format. */
export const ADMIN_KEY = 'AdminConsumer1234:AdminToken567890:AdminSecretXyz9876543210abc';
/** The admin key's token secret, which must never appear in errors. */
export const ADMIN_SECRET = 'AdminSecretXyz9876543210abc';
/** A machine's token as get_token answers it. */
export const MACHINE_TOKEN = { consumer_key: 'NodeConsumerAbc', token_key: 'NodeTokenDef', token_secret: 'NodeSecretGhi123456' };

/** One request as MAAS received it. */
export interface Received {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  /** The Authorization header's fields, percent-decoded. */
  readonly oauth: Record<string, string>;
  /** The multipart body, when there was one. */
  readonly form: FormData | undefined;
}

/** A nock reply function that records the request (body parsed as multipart) and answers `answer`. */
export function recordInto(
  received: Received[],
  answer: ReplyFnResult | ((request: Received) => ReplyFnResult),
): (request: Request) => Promise<ReplyFnResult> {
  return async (request: Request) => {
    const contentType = request.headers.get('content-type') ?? '';
    const form = contentType.startsWith('multipart/form-data') ? await request.formData() : undefined;
    const authorization = request.headers.get('authorization');
    const entry: Received = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      oauth: authorization ? parseOAuth(authorization) : {},
      form,
    };
    received.push(entry);
    return typeof answer === 'function' ? answer(entry) : answer;
  };
}

/** The fields of `Authorization: OAuth k="v", …`, parsed without the code under test. */
export function parseOAuth(header: string): Record<string, string> {
  expectPrefix(header, 'OAuth ');
  const fields: Record<string, string> = {};
  for (const part of header.slice('OAuth '.length).split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match) throw new Error(`Unparseable OAuth header part: ${part}`);
    fields[match[1]!] = decodeURIComponent(match[2]!);
  }
  return fields;
}

/** Every value of a multipart field as strings (files as their text). */
export async function formValues(form: FormData | undefined, name: string): Promise<string[]> {
  if (!form) return [];
  return Promise.all(form.getAll(name).map((value) => (typeof value === 'string' ? value : value.text())));
}

/** Machine JSON as MAAS 3.x answers it (the fields this client reads, and a few it ignores). */
export function machineJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    system_id: 'abc123',
    hostname: 'node-1',
    fqdn: 'node-1.maas',
    status: 6,
    status_name: 'Deployed',
    owner: 'admin',
    locked: false,
    architecture: 'amd64/generic',
    cpu_count: 32,
    memory: 262144,
    hardware_uuid: '4C4C4544-0042-4A10-8051-B4C04F4E3633',
    power_type: 'redfish',
    power_state: 'on',
    interface_set: [
      { name: 'eno1', type: 'physical', mac_address: '52:54:00:AA:00:01' },
      { name: 'eno2', type: 'physical', mac_address: '52:54:00:aa:00:02' },
    ],
    resource_uri: '/MAAS/api/2.0/machines/abc123/',
    ...overrides,
  };
}

function expectPrefix(text: string, prefix: string): void {
  if (!text.startsWith(prefix)) throw new Error(`Expected "${prefix}…", got "${text.slice(0, 20)}…"`);
}

/** The error a promise rejects with, checked to be an instance of `type` (fails when it resolves). */
export async function rejection<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`Expected a rejection with ${type.name}, but the promise resolved`);
  if (!(outcome.error instanceof type)) throw new Error(`Expected ${type.name}, got ${String(outcome.error)}`);
  return outcome.error;
}

/** MAAS 3.4's commissioning script set of a machine created Deployed (the scripts tagged deploy-info). */
export const MAAS_34_SCRIPTS = ['20-maas-03-machine-resources', '50-maas-01-commissioning', 'maas-list-modaliases', 'maas-lshw', 'maas-serial-ports', 'maas-support-info'];

/**
 * The tar MAAS answers to `GET metadata/…/maas-scripts`, written here as Python's tarfile writes
 * it (a PAX header before each member, for the fractional mtime), with an index.json listing NAMES.
 */
export function scriptsTar(names: readonly string[]): Buffer {
  const index = JSON.stringify({ '1.0': { commissioning_scripts: names.map((name, i) => ({ name, script_result_id: 10 + i, path: `commissioning/${name}` })) } });
  const member = (path: string, content: Buffer, type: string) => {
    const header = Buffer.alloc(512);
    header.write(path.slice(0, 99), 0);
    header.write('0000644\0', 100);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('14650000000\0', 136);
    header.write('        ', 148);
    header.write(type, 156);
    header.write('ustar\u000000', 257);
    header.write(`${header.reduce((sum, byte) => sum + byte, 0).toString(8).padStart(6, '0')}\0 `, 148);
    return Buffer.concat([header, content, Buffer.alloc((512 - (content.length % 512)) % 512)]);
  };
  const pax = (path: string) => {
    const records = [`path=${path}\n`, 'mtime=1700000000.123456\n'].map((record) => {
      let length = record.length + 3;
      while (`${length} ${record}`.length !== length) length += 1;
      return `${length} ${record}`;
    });
    return member('././@PaxHeader', Buffer.from(records.join('')), 'x');
  };
  const files: [string, string][] = [...names.map((name): [string, string] => [`commissioning/${name}`, '#!/bin/sh\necho ünïcödé\n']), ['index.json', index]];
  return Buffer.concat([...files.flatMap(([path, content]) => [pax(path), member(path, Buffer.from(content), '0')]), Buffer.alloc(1024)]);
}
