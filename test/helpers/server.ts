// A scripted local HTTP(S) server for tests where real sockets matter (timeouts, resets, TLS).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>;

export interface TestServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost. */
export async function testCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  } as never);
  return { key: pems.private, cert: pems.cert };
}

/** Starts a server on 127.0.0.1 that records "METHOD path" of every request. */
export async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const listener: http.RequestListener = (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    void Promise.resolve(handler(request, response)).catch((error: unknown) => {
      response.destroy(error as Error);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON. */
export function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
