// `redfish-enlist serve`: the registry's API on an HTTP(S) listener.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { handleApiRequest, type ApiOptions } from './api.ts';
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
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const path = request.url ?? '/';
      if (!path.startsWith('/MAAS/') && options.fallback && (await options.fallback(request, response))) return;
      await handleApiRequest(store, options, request, response);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  };
  const server = options.tls ? createHttps(options.tls, listener) : createHttp(listener);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
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
