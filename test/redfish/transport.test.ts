// Behaviours that need real sockets: timeouts, resets, TLS policies.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedfishClient, withRedfishClient } from '../../src/redfish/client.ts';
import { fingerprintOfPem } from '../../src/redfish/tls.ts';
import { json, startServer, testCertificate, type TestServer } from '../helpers/server.ts';

const root = { Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } };
const fast = { backoffBaseMs: 5, backoffMaxMs: 20 };
let server: TestServer | undefined;

let late: { requests: string[]; close(): Promise<void> } | undefined;
let silent: ChildProcess | undefined;
const fillers: Socket[] = [];

afterEach(async () => {
  await server?.close();
  await late?.close();
  for (const socket of fillers.splice(0)) socket.destroy();
  silent?.kill();
  server = late = silent = undefined;
});

// An origin where nothing listens: a port that was free a moment ago.
async function freeUrl(): Promise<string> {
  const probe = await startServer(() => undefined);
  await probe.close();
  return probe.url;
}

// Listens on the port of `url`, as a BMC whose web server came back.
async function listenOn(url: string, handler: http.RequestListener) {
  const requests: string[] = [];
  const listener = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => listener.listen(Number(new URL(url).port), '127.0.0.1', resolve));
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        listener.closeAllConnections();
        listener.close(() => resolve());
      }),
  };
}

// An origin whose TCP connects never complete, reliably and offline: a process that listens with a
// backlog of 1 and never accepts, whose queue is then filled, so the kernel drops further SYNs.
async function unansweredUrl(): Promise<string> {
  const script = `const s = require('node:net').createServer();
s.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)));`;
  silent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(silent.stdout!, 'data')) as [Buffer];
  const port = Number(String(line).trim());
  for (let i = 0; i < 16; i++) {
    const socket = net.connect(port, '127.0.0.1');
    fillers.push(socket);
    socket.on('error', () => undefined);
    const connected = await Promise.race([once(socket, 'connect').then(() => true), sleep(300).then(() => false)]);
    if (!connected) return `http://127.0.0.1:${port}`;
  }
  throw new Error('could not fill the listen backlog');
}

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

describe('what a BMC receives', () => {
  it('sends Host with the port, the session token, Accept and OData-Version on every read', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const answer = bmc((response) => json(response, 200, { Members: [] }));
    server = await startServer((request, response) => {
      if (request.method === 'GET') seen.push(request.headers);
      answer(request, response);
    });
    await withRedfishClient({ address: server.url, username: 'u', password: 'p' }, fast, {}, (client) => client.get('/redfish/v1/Systems'));
    const read = seen.at(-1)!;
    expect(read.host).toBe(new URL(server.url).host);
    expect(read['x-auth-token']).toBe('tok');
    expect(read.accept).toBe('application/json');
    expect(read['odata-version']).toBe('4.0');
    expect(read.connection).toBe('keep-alive');
  });
});

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

  it('retries a refused connection with backoff, then reports the BMC unreachable', async () => {
    const url = await freeUrl();
    const client = new RedfishClient({ address: url, username: 'u', password: 'p' }, { ...fast, retries: 2 });
    await expect(client.connect()).rejects.toMatchObject({ kind: 'unreachable' });
    await client.close();
    expect(client.stats.retries).toBe(2);
  });

  it('reads a BMC whose web server refused the first connection and listens by the retry', async () => {
    const url = await freeUrl();
    let refused = 0;
    // The fleet hook sees each exchange end, so the server starts right after the first refusal.
    const seat = {
      run: async <T>(send: () => Promise<T>): Promise<T> => {
        try {
          return await send();
        } catch (error) {
          if (++refused === 1) late = await listenOn(url, bmc((response) => json(response, 200, { Members: [] })));
          throw error;
        }
      },
      markParallel: () => undefined,
      leave: () => undefined,
    };
    const watch = { join: () => seat };
    await expect(
      withRedfishClient({ address: url, username: 'u', password: 'p' }, fast, { fleet: watch }, (client) => client.get('/redfish/v1/Systems')),
    ).resolves.toEqual({ Members: [] });
    expect(refused).toBe(1);
    expect(late?.requests).toContain('GET /redfish/v1/Systems');
  });

  it('gives up on a TCP connect that never completes after one connect timeout, without retrying it', async () => {
    const url = await unansweredUrl();
    const client = new RedfishClient({ address: url, username: 'u', password: 'p' }, { ...fast, connectTimeoutMs: 300, requestTimeoutMs: 20_000 });
    const started = Date.now();
    const error = await client.connect().catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    await client.close();
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('connect did not complete within 300 ms') });
    expect(client.stats.retries).toBe(0);
    // Waited for the connect timeout, and not for the request timeout or a retry's.
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
  });
});

// A BMC web server written at the socket level: `answer` gets each request head and the number of
// requests its connection carried before, and writes raw bytes (or destroys the socket).
async function rawBmc(answer: (socket: Socket, head: string, before: number) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const listener = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    let before = 0;
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        answer(socket, head, before++);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const raw = {
    url: `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
  late = { requests: [], close: raw.close };
  return raw;
}

const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('keep-alive connections and framing', () => {
  it('sends a GET again on a new connection when the BMC closed the kept-alive one, without counting a retry', async () => {
    const bmc = await rawBmc((socket, _head, before) => {
      if (before > 0) socket.destroy(); // the BMC's idle timeout won the race with our request
      else socket.write(ok('{"Members":[]}'));
    });
    const answer = await withRedfishClient({ address: bmc.url, username: 'u', password: 'p' }, { ...fast, auth: 'basic', retries: 0 }, {}, async (client) => {
      const body = await client.get('/redfish/v1/Systems');
      expect(client.stats.retries).toBe(0);
      return body;
    });
    expect(answer).toEqual({ Members: [] });
    expect(bmc.connections()).toBe(2);
  });

  it('reports an answer framed two ways as a bad response, not as data', async () => {
    const bmc = await rawBmc((socket, head) => {
      if (head.startsWith('GET /redfish/v1/ ')) socket.write(ok('{}'));
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}');
    });
    await expect(
      withRedfishClient({ address: bmc.url, username: 'u', password: 'p' }, { ...fast, auth: 'basic' }, {}, (client) => client.get('/redfish/v1/Systems')),
    ).rejects.toMatchObject({ kind: 'bad-response', message: expect.stringContaining('invalid Content-Length') });
  });

  it('reads an answer delimited by the end of the connection, and opens a new one for the next read', async () => {
    const bmc = await rawBmc((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"Members":[]}'));
    await withRedfishClient({ address: bmc.url, username: 'u', password: 'p' }, { ...fast, auth: 'basic' }, {}, async (client) => {
      expect(await client.get('/redfish/v1/Systems')).toEqual({ Members: [] });
      expect(await client.get('/redfish/v1/Chassis')).toEqual({ Members: [] });
    });
    expect(bmc.connections()).toBe(3);
  });
});

describe('TLS', () => {
  let certificate: { key: string; cert: string };
  let other: { key: string; cert: string };
  beforeAll(async () => {
    [certificate, other] = await Promise.all([testCertificate(), testCertificate()]);
  });

  const endpointFor = (url: string, tls: ConstructorParameters<typeof RedfishClient>[0]['tls']) => ({ address: url, username: 'u', password: 'p', tls });

  it("refuses a self-signed certificate by default, saying which of this tool's settings trusts it", async () => {
    server = await startServer(bmc((response) => json(response, 200, {})), certificate);
    const client = new RedfishClient(endpointFor(server.url, undefined), fast);
    const refused = await client.connect().then(() => undefined, (error: Error) => error);
    expect(refused).toMatchObject({ kind: 'tls' });
    expect(refused!.message).toMatch(/^GET \/redfish\/v1\/: TLS with 127\.0\.0\.1: its certificate is self-signed; to trust it, set this BMC's tls to \{mode: ca, caFile: FILE\} with the CA that signed it, or to pin/);
    expect(refused!.message).not.toMatch(/Node|--use-system-ca/);
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
