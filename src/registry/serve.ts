// `redfish-enlist serve`: the registry's API on an HTTP(S) listener.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { handleApiRequest, type ApiOptions } from './api.ts';
import { ConnectionGuard, connectionLimits, type ConnectionLimits } from './connections.ts';
import type { Store } from './store.ts';

/** Where and how to listen. */
export interface ServeOptions extends ApiOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 5240, MAAS's port */
  readonly port?: number;
  /** PEM key and certificate for HTTPS; plain HTTP without. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Requests the API does not answer (the web interface); 404 when absent. */
  readonly fallback?: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;
  /** Bounds on open connections (src/registry/connections.ts). @default from the process's file limit */
  readonly connections?: Partial<ConnectionLimits>;
}

/** A running registry server. */
export interface RegistryServer {
  /** Base URL of the MAAS-compatible API, e.g. http://127.0.0.1:5240/MAAS */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts serving the registry. */
export async function serveRegistry(store: Store, options: ServeOptions): Promise<RegistryServer> {
  const sockets = new Set<Socket>();
  const limits = { ...connectionLimits(), ...options.connections };
  const guard = new ConnectionGuard(limits);
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    response.once('close', guard.started(request));
    void (async () => {
      const path = request.url ?? '/';
      if (!path.startsWith('/MAAS/') && options.fallback && (await options.fallback(request, response))) return;
      await handleApiRequest(store, options, request, response);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  };
  // A head (and a TLS handshake) within the head timeout, checked every second: Node's default
  // check runs every 30 s, long enough for slow connections to pile up.
  const timeouts = { headersTimeout: limits.headTimeoutMs, requestTimeout: Math.max(60_000, limits.headTimeoutMs), connectionsCheckingInterval: Math.min(1_000, limits.headTimeoutMs) };
  const server = options.tls ? createHttps({ ...options.tls, ...timeouts, handshakeTimeout: limits.headTimeoutMs }, listener) : createHttp(timeouts, listener);
  server.on('connection', (socket: Socket) => {
    guard.admit(socket);
    if (socket.destroyed) return;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5240, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = (options.host ?? '127.0.0.1').includes(':') ? `[${options.host}]` : (options.host ?? '127.0.0.1');
  return {
    url: `${options.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/MAAS`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
