// Behaviours that need real sockets: timeouts, resets, TLS policies.
import type http from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedfishClient, withRedfishClient } from '../../src/redfish/client.ts';
import { fingerprintOfPem } from '../../src/redfish/tls.ts';
import { json, startServer, testCertificate, type TestServer } from '../helpers/server.ts';

const root = { Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } };
const fast = { backoffBaseMs: 5, backoffMaxMs: 20 };
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

// A BMC with sessions that answers the scripted `systems` handler for /redfish/v1/Systems.
function bmc(systems: (response: http.ServerResponse, count: number) => void) {
  let count = 0;
  return (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (request.url === '/redfish/v1/') return json(response, 200, root);
    if (request.method === 'POST') {
      return json(response, 201, {}, { 'x-auth-token': 'tok', location: '/redfish/v1/SessionService/Sessions/9' });
    }
    if (request.method === 'DELETE') {
      response.writeHead(204).end();
      return;
    }
    systems(response, ++count);
  };
}

describe('deadlines and broken connections', () => {
  it('deletes the session after a request times out', async () => {
    server = await startServer(bmc(() => undefined /* never answers */));
    const started = Date.now();
    await expect(
      withRedfishClient({ address: server.url, username: 'u', password: 'p' }, { ...fast, requestTimeoutMs: 200, retries: 0 }, {}, (client) =>
        client.get('/redfish/v1/Systems'),
      ),
    ).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.requests).toContain('DELETE /redfish/v1/SessionService/Sessions/9');
  });

  it('stops every read at the BMC deadline and still logs out', async () => {
    server = await startServer(bmc(() => undefined));
    const client = new RedfishClient({ address: server.url, username: 'u', password: 'p' }, { ...fast, bmcDeadlineMs: 300 });
    await client.connect();
    const reads = await Promise.allSettled([client.get('/redfish/v1/Systems'), client.get('/redfish/v1/Systems'), client.get('/redfish/v1/Systems')]);
    await client.close();
    expect(reads.map((read) => read.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(reads.map((read) => (read as PromiseRejectedResult).reason.kind)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(server.requests).toContain('DELETE /redfish/v1/SessionService/Sessions/9');
  });

  it('retries a GET after the connection is reset, then succeeds', async () => {
    server = await startServer(
      bmc((response, count) => {
        if (count === 1) response.socket?.destroy();
        else json(response, 200, { Members: [] });
      }),
    );
    await expect(
      withRedfishClient({ address: server.url, username: 'u', password: 'p' }, fast, {}, (client) => client.get('/redfish/v1/Systems')),
    ).resolves.toEqual({ Members: [] });
  });

  it('reports a refused connection as unreachable after one attempt', async () => {
    server = await startServer(bmc(() => undefined));
    const url = server.url;
    await server.close();
    server = undefined;
    const client = new RedfishClient({ address: url, username: 'u', password: 'p' }, fast);
    await expect(client.connect()).rejects.toMatchObject({ kind: 'unreachable' });
    await client.close();
    expect(client.stats.retries).toBe(0);
  });
});

describe('TLS', () => {
  let certificate: { key: string; cert: string };
  let other: { key: string; cert: string };
  beforeAll(async () => {
    [certificate, other] = await Promise.all([testCertificate(), testCertificate()]);
  });

  const endpointFor = (url: string, tls: ConstructorParameters<typeof RedfishClient>[0]['tls']) => ({ address: url, username: 'u', password: 'p', tls });

  it('refuses a self-signed certificate by default', async () => {
    server = await startServer(bmc((response) => json(response, 200, {})), certificate);
    const client = new RedfishClient(endpointFor(server.url, undefined), fast);
    await expect(client.connect()).rejects.toMatchObject({ kind: 'tls' });
    await client.close();
    expect(server.requests).toEqual([]);
  });

  it('trusts a certificate signed by the configured CA file', async () => {
    server = await startServer(bmc((response) => json(response, 200, { Members: [] })), certificate);
    await expect(
      withRedfishClient(endpointFor(server.url, { mode: 'ca', ca: certificate.cert }), fast, {}, (client) => client.get('/redfish/v1/Systems')),
    ).resolves.toEqual({ Members: [] });
  });

  it('trusts on first use and reports the fingerprint to pin', async () => {
    server = await startServer(bmc((response) => json(response, 200, {})), certificate);
    const client = new RedfishClient(endpointFor(server.url, { mode: 'pin' }), fast);
    await client.connect();
    await client.close();
    expect(client.certificateFingerprint).toBe(fingerprintOfPem(certificate.cert));
  });

  it('accepts the pinned certificate', async () => {
    server = await startServer(bmc((response) => json(response, 200, { Members: [] })), certificate);
    const pin = fingerprintOfPem(certificate.cert).replaceAll(':', '').toLowerCase();
    await expect(
      withRedfishClient(endpointFor(server.url, { mode: 'pin', fingerprint256: pin }), fast, {}, (client) => client.get('/redfish/v1/Systems')),
    ).resolves.toEqual({ Members: [] });
  });

  it('refuses a certificate that changed since pinning, showing both fingerprints, before sending anything', async () => {
    server = await startServer(bmc((response) => json(response, 200, {})), other);
    const pinned = fingerprintOfPem(certificate.cert);
    const client = new RedfishClient(endpointFor(server.url, { mode: 'pin', fingerprint256: pinned }), fast);
    const error = await client.connect().catch((caught: Error) => caught);
    await client.close();
    expect(error).toMatchObject({ kind: 'tls' });
    expect((error as Error).message).toContain(`pinned ${pinned}`);
    expect((error as Error).message).toContain(`presented ${fingerprintOfPem(other.cert)}`);
    expect(server.requests).toEqual([]);
  });

  it('skips verification only in insecure mode', async () => {
    server = await startServer(bmc((response) => json(response, 200, { Members: [] })), certificate);
    await expect(
      withRedfishClient(endpointFor(server.url, { mode: 'insecure' }), fast, {}, (client) => client.get('/redfish/v1/Systems')),
    ).resolves.toEqual({ Members: [] });
  });
});
