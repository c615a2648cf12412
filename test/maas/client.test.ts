import nock from 'nock';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MaasClient } from '../../src/maas/client.ts';
import { MaasError } from '../../src/maas/errors.ts';
import { TargetError } from '../../src/sweep/target.ts';
import { ADMIN_KEY, ADMIN_SECRET, MAAS, MAAS_URL, recordInto, rejection, type Received } from './helpers.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const fast = { backoffBaseMs: 1, backoffMaxMs: 2, random: () => 0 };

function client(options: Partial<ConstructorParameters<typeof MaasClient>[0]> = {}): MaasClient {
  return new MaasClient({ url: MAAS_URL, apiKey: ADMIN_KEY, now: () => NOW, ...fast, ...options });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('MaasClient OAuth header', () => {
  it('signs with OAuth 1.0a PLAINTEXT: consumer key, token, "&secret" signature, version 1.0', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/').reply(recordInto(received, [200, []]));
    await client().request('GET', 'api/2.0/machines/');
    const header = received[0]!.headers.get('authorization')!;
    expect(header.startsWith('OAuth ')).toBe(true);
    expect(header).toContain('oauth_signature="%26AdminSecretXyz9876543210abc"');
    expect(received[0]!.oauth).toMatchObject({
      oauth_version: '1.0',
      oauth_signature_method: 'PLAINTEXT',
      oauth_consumer_key: 'AdminConsumer1234',
      oauth_token: 'AdminToken567890',
      oauth_signature: `&${ADMIN_SECRET}`,
    });
    expect(Object.keys(received[0]!.oauth).sort()).toEqual([
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_token',
      'oauth_version',
    ]);
  });

  it('uses a fresh nonce on every request and the injected clock for the timestamp', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/').times(2).reply(recordInto(received, [200, []]));
    const maas = client();
    await maas.request('GET', 'api/2.0/machines/');
    await maas.request('GET', 'api/2.0/machines/');
    const [first, second] = received.map((r) => r.oauth);
    expect(first!.oauth_nonce).toMatch(/^[A-Za-z0-9]{16,}$/);
    expect(first!.oauth_nonce).not.toBe(second!.oauth_nonce);
    expect(first!.oauth_timestamp).toBe(String(NOW / 1000));
    expect(second!.oauth_timestamp).toBe(String(NOW / 1000));
  });

  it('tolerates a trailing slash or /api/2.0/ on the base URL', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').times(2).reply(200, []);
    await client({ url: `${MAAS_URL}/` }).request('GET', 'api/2.0/machines/');
    await client({ url: `${MAAS_URL}/api/2.0/` }).request('GET', '/api/2.0/machines/');
    expect(nock.isDone()).toBe(true);
  });

  it('retries once with a corrected timestamp when a 401 carries a Date 10 minutes ahead', async () => {
    const received: Received[] = [];
    const ahead = new Date(NOW + 600_000).toUTCString();
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/')
      .reply(recordInto(received, [401, 'Expired timestamp', { date: ahead, 'content-type': 'text/plain' }]))
      .get('/MAAS/api/2.0/machines/')
      .reply(recordInto(received, [200, [], { date: ahead }]));
    const maas = client();
    await expect(maas.request('GET', 'api/2.0/machines/')).resolves.toEqual([]);
    expect(received.map((r) => Number(r.oauth.oauth_timestamp) - NOW / 1000)).toEqual([0, 600]);
    expect(received[0]!.oauth.oauth_nonce).not.toBe(received[1]!.oauth.oauth_nonce);
    expect(maas.clockOffsetMs).toBe(600_000);
  });

  it('keeps the corrected clock for later requests', async () => {
    const received: Received[] = [];
    const behind = new Date(NOW - 3_600_000).toUTCString();
    nock(MAAS)
      .get('/MAAS/api/2.0/machines/')
      .reply(recordInto(received, [403, 'stale', { date: behind }]))
      .get('/MAAS/api/2.0/machines/')
      .times(2)
      .reply(recordInto(received, [200, []]));
    const maas = client();
    await maas.request('GET', 'api/2.0/machines/');
    await maas.request('GET', 'api/2.0/machines/');
    expect(received.map((r) => Number(r.oauth.oauth_timestamp) - NOW / 1000)).toEqual([0, -3600, -3600]);
  });

  it('reports a second 401 after the clock correction as final, without a third attempt', async () => {
    const ahead = new Date(NOW + 600_000).toUTCString();
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/').times(2).reply(recordInto(received, [401, 'Authorization Error: Invalid access token', { date: ahead }]));
    const error = await rejection(client().request('GET', 'api/2.0/machines/'), MaasError);
    expect(received).toHaveLength(2);
    expect(error.status).toBe(401);
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('Invalid access token');
  });

  it('does not retry a 401 whose Date agrees with the local clock', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/users/').reply(recordInto(received, [401, 'bad key', { date: new Date(NOW + 1_000).toUTCString() }]));
    const error = await rejection(client().request('GET', 'api/2.0/users/'), MaasError);
    expect(received).toHaveLength(1);
    expect(error.status).toBe(401);
  });
});

describe('MaasClient requests', () => {
  it('sends ops and repeated filters in the query string', async () => {
    const received: Received[] = [];
    nock(MAAS).get('/MAAS/api/2.0/machines/').query(true).reply(recordInto(received, [200, []]));
    await client().request('GET', 'api/2.0/machines/', { query: { op: 'list', mac_address: ['aa', 'bb'], hostname: undefined } });
    expect(received[0]!.url.search).toBe('?op=list&mac_address=aa&mac_address=bb');
  });

  it('returns text answers as text and empty answers as undefined', async () => {
    nock(MAAS).post('/MAAS/metadata/2012-03-01/').reply(200, 'OK', { 'content-type': 'text/plain' });
    nock(MAAS).delete('/MAAS/api/2.0/machines/abc/').reply(204);
    expect(await client().request('POST', 'metadata/2012-03-01/', { form: { op: 'signal' } })).toBe('OK');
    expect(await client().request('DELETE', 'api/2.0/machines/abc/')).toBeUndefined();
  });

  it('retries a 503 and succeeds', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').reply(503, 'MAAS is starting').get('/MAAS/api/2.0/machines/').reply(200, [{ system_id: 'x' }]);
    await expect(client().request('GET', 'api/2.0/machines/')).resolves.toEqual([{ system_id: 'x' }]);
  });

  it('retries a 503 even for a POST that creates: MAAS did not run it', async () => {
    nock(MAAS).post('/MAAS/api/2.0/machines/').reply(503, 'busy', { 'retry-after': '0' }).post('/MAAS/api/2.0/machines/').reply(200, { system_id: 'x' });
    await expect(client().request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } })).resolves.toEqual({ system_id: 'x' });
  });

  it('gives up after the configured retries and says how many attempts were made', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').times(3).reply(502, 'Bad Gateway');
    const error = await rejection(client({ retries: 2 }).request('GET', 'api/2.0/machines/'), MaasError);
    expect(error.status).toBe(502);
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('after 3 attempts');
  });

  it('does not repeat a POST that creates after a 504: MAAS may have created it', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/api/2.0/machines/').reply(recordInto(received, [504, 'Gateway Timeout']));
    const error = await rejection(client().request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } }), MaasError);
    expect(received).toHaveLength(1);
    expect(error.maybeApplied).toBe(true);
    expect(error.message).toContain('may or may not have applied it');
  });

  it('retries a GET after a connection reset, but not a POST that creates', async () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    nock(MAAS).get('/MAAS/api/2.0/machines/').replyWithError(reset()).get('/MAAS/api/2.0/machines/').reply(200, []);
    await expect(client().request('GET', 'api/2.0/machines/')).resolves.toEqual([]);
    nock(MAAS).post('/MAAS/api/2.0/machines/').replyWithError(reset());
    const error = await rejection(client().request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } }), MaasError);
    expect(error.kind).toBe('connection');
    expect(error.maybeApplied).toBe(true);
  });

  it('retries a POST after a refused connection: it never reached MAAS', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5240'), { code: 'ECONNREFUSED' });
    nock(MAAS).post('/MAAS/api/2.0/machines/').replyWithError(refused).post('/MAAS/api/2.0/machines/').reply(200, { system_id: 'y' });
    await expect(client().request('POST', 'api/2.0/machines/', { form: { hostname: 'y' } })).resolves.toEqual({ system_id: 'y' });
  });

  it('refuses to send without credentials', async () => {
    const error = await rejection(new MaasClient({ url: MAAS_URL }).request('GET', 'api/2.0/machines/'), MaasError);
    expect(error.kind).toBe('no-credentials');
  });
});

describe('MaasClient errors', () => {
  it('names the field of a 400 and quotes MAAS', async () => {
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .reply(400, { mac_addresses: ['MAC address 52:54:00:aa:00:01 already in use on host-1.'] });
    const error = await rejection(client().request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } }), MaasError);
    expect(error).toBeInstanceOf(TargetError);
    expect(error.name).toBe('MaasError');
    expect(error).toMatchObject({ status: 400, field: 'mac_addresses', kind: 'bad-request', method: 'POST', path: 'api/2.0/machines/' });
    expect(error.message).toContain('MAC address 52:54:00:aa:00:01 already in use on host-1.');
  });

  it('quotes a plain-text 400', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').query(true).reply(400, 'Unrecognised signature: method=GET op=bogus', { 'content-type': 'text/plain' });
    const error = await rejection(client().request('GET', 'api/2.0/machines/', { query: { op: 'bogus' } }), MaasError);
    expect(error.field).toBeUndefined();
    expect(error.path).toBe('api/2.0/machines/?op=bogus');
    expect(error.message).toContain('Unrecognised signature: method=GET op=bogus');
  });

  it('says a machine change refused with no reason (MAAS 3.4 on a locked machine) may be the lock', async () => {
    nock(MAAS).put('/MAAS/api/2.0/machines/abc123/').reply(403, '', { 'content-type': 'text/html; charset=utf-8' });
    const error = await rejection(client().request('PUT', 'api/2.0/machines/abc123/', { form: { description: 'x' } }), MaasError);
    expect(error).toMatchObject({ status: 403, kind: 'forbidden' });
    expect(error.message).toBe('MAAS does not allow PUT api/2.0/machines/abc123/ for these credentials (HTTP 403) with no reason given: the machine may be locked, or these credentials may not change it');
  });

  it('surfaces a 409 with the conflict as MAAS phrased it', async () => {
    nock(MAAS).post('/MAAS/api/2.0/machines/abc123/').query({ op: 'deploy' }).reply(409, 'Machine cannot be deployed in its current state', { 'content-type': 'text/plain' });
    const error = await rejection(client().request('POST', 'api/2.0/machines/abc123/', { query: { op: 'deploy' } }), MaasError);
    expect(error).toMatchObject({ status: 409, kind: 'conflict', maasMessage: 'Machine cannot be deployed in its current state' });
    expect(error.message).toContain("in the machine's current state");
  });

  it('says 403 is a permission problem and 404 is a missing resource', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').query(true).reply(403, 'User is not allowed access to this API.');
    nock(MAAS).get('/MAAS/api/2.0/machines/nope/').reply(404, 'No Machine matches the given query.');
    const forbidden = await rejection(client().request('GET', 'api/2.0/machines/', { query: { op: 'power_parameters' } }), MaasError);
    const missing = await rejection(client().request('GET', 'api/2.0/machines/nope/'), MaasError);
    expect(forbidden).toMatchObject({ status: 403, kind: 'forbidden' });
    expect(missing).toMatchObject({ status: 404, kind: 'not-found' });
    expect(missing.message).toContain('No Machine matches the given query.');
  });

  it('never shows the BMC password or token secret, even when MAAS echoes them', async () => {
    const password = 'Sup3r-Secret_BMC~pw';
    nock(MAAS)
      .post('/MAAS/api/2.0/machines/')
      .reply(400, { power_parameters: [`Could not log in with ${password} (key ${ADMIN_SECRET})`] })
      .post('/MAAS/api/2.0/machines/')
      .replyWithError(Object.assign(new Error(`socket hang up ${password}`), { code: 'ECONNRESET' }));
    const form = { hostname: 'x', power_parameters_power_pass: password };
    for (let i = 0; i < 2; i++) {
      const error = await rejection(client().request('POST', 'api/2.0/machines/', { form }), MaasError);
      for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), String(error.stack)]) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(ADMIN_SECRET);
      }
    }
  });

  it('withholds the secret MAAS’s OAuth check echoes when it refuses a signature', async () => {
    // django-piston3 answers a bad PLAINTEXT signature with the one it expected: `&<the real secret>`.
    const real = 'TheRealSecretOnlyMaasKnows12345';
    nock(MAAS).get('/MAAS/api/2.0/machines/').reply(401, `Authorization Error: 'Invalid signature. Expected signature base string: &${real}'`, { 'content-type': 'text/plain' });
    const error = await rejection(client().request('GET', 'api/2.0/machines/'), MaasError);
    expect(error.message).toContain('Expected signature base string: [withheld]');
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), String(error.stack)]) expect(text).not.toContain(real);
  });

  it('sends a multipart body whole, with its Content-Length: MAAS’s own web server reads a chunked one as empty', async () => {
    const received: Received[] = [];
    nock(MAAS).post('/MAAS/api/2.0/machines/').reply(recordInto(received, [200, {}]));
    await client().request('POST', 'api/2.0/machines/', { form: { hostname: 'node-1', mac_addresses: ['52:54:00:00:00:01', '52:54:00:00:00:02'] } });
    const { headers, form } = received[0]!;
    expect(headers.get('transfer-encoding')).toBeNull();
    expect(Number(headers.get('content-length'))).toBeGreaterThan(0);
    expect(headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    expect(form?.getAll('mac_addresses')).toEqual(['52:54:00:00:00:01', '52:54:00:00:00:02']);
  });

  it('reports invalid JSON from MAAS as a bad response', async () => {
    nock(MAAS).get('/MAAS/api/2.0/machines/').reply(200, '{not json', { 'content-type': 'application/json' });
    const error = await rejection(client().request('GET', 'api/2.0/machines/'), MaasError);
    expect(error.kind).toBe('bad-response');
  });
});

describe('MaasClient options', () => {
  it('rejects a missing or non-http URL with a TypeError naming `url`', () => {
    expect(() => new MaasClient({})).toThrow(/`url`/);
    expect(() => new MaasClient({ url: 'ftp://maas/MAAS' })).toThrow(TypeError);
    expect(() => new MaasClient({ url: 'http://admin:pw@maas/MAAS' })).toThrow(/no user or password/);
    expect(() => new MaasClient({ url: 'http://admin:pw@maas/MAAS' })).not.toThrow(/pw/);
  });

  it('rejects a malformed API key without echoing it', () => {
    expect(() => new MaasClient({ url: MAAS_URL, apiKey: 'only:two' })).toThrow(/3 colon-separated parts/);
    expect(() => new MaasClient({ url: MAAS_URL, apiKey: 'a:b:sec ret' })).toThrow(/token secret/);
    expect(() => new MaasClient({ url: MAAS_URL, apiKey: 'a:b:sec ret' })).not.toThrow(/sec ret/);
  });

  it('rejects bad numbers naming the option, the expected range and the value', () => {
    expect(() => new MaasClient({ url: MAAS_URL, timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a number from 1 up, got `0` (number)');
    expect(() => new MaasClient({ url: MAAS_URL, retries: -1 })).toThrow(/`retries`/);
  });
});
