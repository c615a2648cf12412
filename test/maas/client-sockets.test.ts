// Timeouts, refused connections and aborts against real sockets (nock cannot fake a timeout).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MaasClient } from '../../src/maas/client.ts';
import { MaasError } from '../../src/maas/errors.ts';
import { json, startServer, type TestServer } from '../helpers/server.ts';
import { ADMIN_KEY, rejection } from './helpers.ts';

const fast = { backoffBaseMs: 1, backoffMaxMs: 2, random: () => 0 };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});


async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('MaasClient over real sockets', () => {
  it('does not repeat a create that timed out after it was sent, and says the outcome is unknown', async () => {
    server = await startServer(() => undefined); // reads the request, never answers
    const client = new MaasClient({ url: `${server.url}/MAAS`, apiKey: ADMIN_KEY, timeoutMs: 150, ...fast });
    const error = await rejection(client.request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } }), MaasError);
    expect(server.requests).toEqual(['POST /MAAS/api/2.0/machines/']);
    expect(error).toMatchObject({ kind: 'timeout', maybeApplied: true, attempts: 1 });
    expect(error.message).toContain('no complete answer within 150 ms');
    client.close();
  });

  it('repeats a GET that timed out', async () => {
    let calls = 0;
    server = await startServer((_request, response) => {
      calls += 1;
      if (calls > 1) json(response, 200, []);
    });
    const client = new MaasClient({ url: `${server.url}/MAAS`, apiKey: ADMIN_KEY, timeoutMs: 150, ...fast });
    await expect(client.request('GET', 'api/2.0/machines/')).resolves.toEqual([]);
    expect(calls).toBe(2);
    client.close();
  });

  it('retries a refused connection, then reports MAAS unreachable', async () => {
    const port = await closedPort();
    const client = new MaasClient({ url: `http://127.0.0.1:${port}/MAAS`, apiKey: ADMIN_KEY, retries: 2, ...fast });
    const error = await rejection(client.request('POST', 'api/2.0/machines/', { form: { hostname: 'x' } }), MaasError);
    expect(error).toMatchObject({ kind: 'unreachable', attempts: 3, maybeApplied: false });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('stops at once when the caller aborts', async () => {
    server = await startServer(() => undefined);
    const controller = new AbortController();
    const client = new MaasClient({ url: `${server.url}/MAAS`, apiKey: ADMIN_KEY, signal: controller.signal, ...fast });
    const pending = client.request('GET', 'api/2.0/machines/');
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(pending, MaasError);
    expect(error.kind).toBe('aborted');
    expect(server.requests).toHaveLength(1);
    client.close();
  });
});
