// The registry API against hostile clients: forged and replayed requests, a machine's token aimed
// at another machine, broken and oversized uploads, SQL-looking filters, and pushes racing for the
// same machine. Each case checks the refusal and that nothing stored changed; a summary line per
// case is printed at the end.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommissioningData } from '../../src/inventory/commissioning.ts';
import { documentFingerprint } from '../../src/registry/hardware.ts';
import type { RegistryServer } from '../../src/registry/serve.ts';
import type { Store } from '../../src/registry/store.ts';
import { signerFor } from '../helpers/oauth.ts';
import { fixtureDocument, macsOf, registryUnderTest } from '../registry/fixtures.ts';
import { recordVerdict, summarise, type Verdicts } from './summary.ts';

let store: Store;
let dispose: () => Promise<void>;
let server: RegistryServer;
let adminKey: string;
let dell: CommissioningData;
const verdicts: Verdicts = [];

beforeEach(async () => {
  ({ store, adminKey, server, dispose } = await registryUnderTest());
  dell = await fixtureDocument('dell-r750-idrac9');
});
afterEach(() => dispose());
afterAll(() => summarise('Registry API abuse', verdicts));

/** Runs a case, recording whether it held. */
function abuse(name: string, run: () => Promise<void>): void {
  it(`holds against: ${name}`, () => recordVerdict(verdicts, name, run));
}

async function call(key: string | undefined, method: string, path: string, body?: FormData) {
  const url = `${server.url}${path}`;
  const response = await fetch(url, { method, headers: key ? { authorization: signerFor(key)(method, url) } : {}, ...(body ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, text, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined };
}

function form(fields: Record<string, string | string[]>, files: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const one of ([] as string[]).concat(value)) body.append(name, one);
  for (const [name, content] of Object.entries(files)) body.append(name, new Blob([content], { type: 'application/json' }), name);
  return body;
}

async function enlist(hostname: string, document: CommissioningData): Promise<{ systemId: string; token: string }> {
  const created = await call(adminKey, 'POST', '/api/2.0/machines/', form({ hostname, architecture: 'amd64', mac_addresses: macsOf(document), power_type: 'manual', deployed: 'true' }));
  expect(created.status).toBe(200);
  const { json } = await call(adminKey, 'GET', `/api/2.0/machines/${created.json.system_id}/?op=get_token`);
  return { systemId: created.json.system_id, token: `${json.consumer_key}:${json.token_key}:${json.token_secret}` };
}

const push = (token: string, document: unknown) =>
  call(token, 'POST', '/metadata/2012-03-01/', form({ op: 'signal', status: 'WORKING', exit_status: '0', name: '50-maas-01-commissioning' }, { '50-maas-01-commissioning.out': JSON.stringify(document) }));

/** Everything stored about machines, to show a refused request changed nothing. */
function everything(): unknown {
  return ['machines', 'interfaces', 'block_devices', 'numa_nodes', 'node_devices', 'commissioning_results', 'hardware_history', 'tokens'].map((table) =>
    store.all(`SELECT * FROM ${table}`).map((row) => JSON.stringify(row)).sort(),
  );
}

/** A variant of a document whose first disk has another serial. */
function withSerial(document: CommissioningData, serial: string): CommissioningData {
  const copy = structuredClone(document) as any;
  copy.resources.storage.disks[0].serial = serial;
  return copy;
}

describe('the registry API under abuse', () => {
  abuse('a bad signature', async () => {
    await enlist('r750-a', dell);
    const before = everything();
    const [consumer, token] = adminKey.split(':');
    expect((await call(`${consumer}:${token}:wrong-secret`, 'GET', '/api/2.0/machines/')).status).toBe(401);
    expect((await call(`${consumer}:${token}:wrong-secret`, 'POST', '/api/2.0/machines/', form({ hostname: 'forged', deployed: 'true' }))).status).toBe(401);
    expect((await call('a:b:c', 'GET', '/api/2.0/machines/')).status).toBe(401);
    expect(everything()).toEqual(before);
  });

  abuse('a replayed nonce', async () => {
    const url = `${server.url}/api/2.0/machines/`;
    const header = signerFor(adminKey)('POST', url);
    const first = await fetch(url, { method: 'POST', headers: { authorization: header }, body: form({ hostname: 'once', deployed: 'true' }) });
    expect(first.status).toBe(200);
    const before = everything();
    const replay = await fetch(url, { method: 'POST', headers: { authorization: header }, body: form({ hostname: 'twice', deployed: 'true' }) });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('nonce already used');
    expect(everything()).toEqual(before);
  });

  abuse("a machine's token used for another machine", async () => {
    const a = await enlist('r750-a', dell);
    const other = await fixtureDocument('hpe-dl380-gen10-ilo5');
    const b = await enlist('dl380-b', other);
    expect((await push(b.token, other)).status).toBe(200);
    const before = everything();
    // Its token reaches only the metadata API, and only for itself: B's REST endpoints refuse it…
    expect((await call(a.token, 'GET', `/api/2.0/machines/${b.systemId}/`)).status).toBe(403);
    expect((await call(a.token, 'POST', `/api/2.0/machines/${b.systemId}/?op=release`)).status).toBe(403);
    expect((await call(a.token, 'GET', `/api/2.0/machines/${b.systemId}/?op=get_token`)).status).toBe(403);
    expect(everything()).toEqual(before);
    // …and what it pushes, even B's own document, lands on A alone.
    expect((await push(a.token, other)).status).toBe(200);
    const rows = store.all<{ system_id: string; n: number }>('SELECT m.system_id, COUNT(r.id) AS n FROM machines m LEFT JOIN commissioning_results r ON r.machine_id = m.id GROUP BY m.id ORDER BY m.id');
    expect(rows).toEqual([
      { system_id: a.systemId, n: 1 },
      { system_id: b.systemId, n: 1 },
    ]);
  });

  abuse('an oversized upload', async () => {
    const { token } = await enlist('r750-a', dell);
    const before = everything();
    const url = `${server.url}/api/2.0/machines/`;
    const huge = await fetch(url, { method: 'POST', headers: { authorization: signerFor(adminKey)('POST', url), 'content-type': 'application/x-www-form-urlencoded' }, body: `hostname=${'x'.repeat(2_000_000)}` });
    expect(huge.status).toBe(413);
    const bigDocument = { ...dell, padding: 'x'.repeat(80 * 1024 * 1024) };
    expect((await push(token, bigDocument)).status).toBe(413);
    expect(everything()).toEqual(before);
  });

  abuse('malformed multipart', async () => {
    const { token } = await enlist('r750-a', dell);
    const before = everything();
    const url = `${server.url}/metadata/2012-03-01/`;
    for (const body of [
      '--zzz\r\nContent-Disposition: form-data; name="op"\r\n\r\nsignal\r\n--zzz\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nunterminated',
      'not multipart at all',
      '--zzz--',
    ]) {
      const response = await fetch(url, { method: 'POST', headers: { authorization: signerFor(token)('POST', url), 'content-type': 'multipart/form-data; boundary=zzz' }, body });
      expect(response.status).toBe(400);
    }
    expect((await push(token, '{"truncated": ')).status).toBe(400);
    expect(everything()).toEqual(before);
  });

  abuse('SQL-looking filter values', async () => {
    await enlist('r750-a', dell);
    const before = everything();
    for (const value of ["x' OR 1=1 --", "'; DROP TABLE machines; --", '%', '_', '" OR ""="']) {
      const listed = await call(adminKey, 'GET', `/api/2.0/machines/?hostname=${encodeURIComponent(value)}`);
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual([]);
    }
    expect((await call(adminKey, 'GET', '/api/2.0/machines/?hostname=r750-a')).json).toHaveLength(1);
    expect(everything()).toEqual(before);
  });

  abuse('concurrent pushes for the same machine (the last one wins, nothing interleaves)', async () => {
    const { systemId, token } = await enlist('r750-a', dell);
    const variants = Array.from({ length: 12 }, (_, i) => withSerial(dell, `RACE-${String(i).padStart(2, '0')}`));
    const answers = await Promise.all(variants.map((variant) => push(token, variant)));
    expect(answers.map((answer) => answer.status)).toEqual(variants.map(() => 200));
    const results = store.all<{ fingerprint: string }>('SELECT r.fingerprint FROM commissioning_results r JOIN machines m ON m.id = r.machine_id WHERE m.system_id = ? ORDER BY r.id', systemId);
    const last = results.at(-1)!.fingerprint;
    const winner = variants.find((variant) => documentFingerprint(variant) === last)!;
    expect(winner).toBeDefined();
    // The machine's disks are exactly the winner's: no serial from another push.
    const serials = store.all<{ serial: string }>('SELECT b.serial FROM block_devices b JOIN machines m ON m.id = b.machine_id WHERE m.system_id = ?', systemId).map((disk) => disk.serial);
    expect(serials.filter((serial) => serial.startsWith('RACE-'))).toEqual([(winner as any).resources.storage.disks[0].serial]);
    const history = store.all<{ n: number }>('SELECT COUNT(*) AS n FROM hardware_history')[0]!.n;
    expect(history).toBe(variants.length - 1); // each later push is one whole change, none half-applied
  });
});
