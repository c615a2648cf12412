// A hostile BMC of the fault suite's own, on raw sockets (node:net, no HTTP library): a minimal
// Redfish service (service root, sessions, one ComputerSystem) whose every answer a case can replace
// with bytes of its choosing — a 1 MiB header line, a chunked body that never ends, a login whose
// Location points elsewhere, basic auth refused. It counts the sessions it handed out and those still open.
import { createServer, type Server, type Socket } from 'node:net';

/** A request as the hostile BMC parsed it. */
export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The session this request authenticated with (X-Auth-Token), or `basic`, or undefined. */
  readonly auth: string | undefined;
}

/** What a case answers instead of the service: raw bytes, or a function that takes over the socket. */
export type HostileAnswer = string | Buffer | ((socket: Socket) => void);

/** Everything a case can change. */
export interface HostileOptions {
  /** Answers a request instead of the service; undefined lets the service answer. */
  readonly answer?: (request: HostileRequest, bmc: HostileBmc) => HostileAnswer | undefined;
  /** The body of the login's 201, and its headers besides Content-Length and Content-Type. */
  readonly login?: (session: { id: string; token: string; path: string }, bmc: HostileBmc) => { headers: Record<string, string>; body: unknown };
  /** Whether basic auth is accepted. @default true */
  readonly basic?: boolean;
}

/** A running hostile BMC. */
export interface HostileBmc {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Every request, as `METHOD path`. */
  readonly requests: string[];
  /** Sessions handed out. */
  created: number;
  /** Session paths still open, with their tokens. */
  readonly live: Map<string, string>;
  close(): Promise<void>;
}

const SESSIONS = '/redfish/v1/SessionService/Sessions';

/** Starts a hostile BMC on 127.0.0.1 (plain HTTP). */
export async function startHostileBmc(options: HostileOptions = {}): Promise<HostileBmc> {
  const sockets = new Set<Socket>();
  let bmc!: HostileBmc;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let busy = false;
    const next = (): void => {
      if (busy) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', path = ''] = head[0]!.split(' ');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
      buffered = buffered.subarray(end + 4 + length);
      const request: HostileRequest = { method, path, headers, body, auth: authOf(bmc, headers, options.basic ?? true) };
      bmc.requests.push(`${method} ${path}`);
      const answer = options.answer?.(request, bmc) ?? serve(request, bmc, options);
      if (typeof answer === 'function') {
        busy = true; // the case owns the socket now
        answer(socket);
        return;
      }
      socket.write(answer);
      next();
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  bmc = {
    url: `http://127.0.0.1:${port}`,
    username: 'admin',
    password: 'hostile-bmc-pw',
    requests: [],
    created: 0,
    live: new Map(),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return bmc;
}

/** An HTTP/1.1 answer with a JSON body (or none). */
export function answer(status: number, body?: unknown, headers: Record<string, string> = {}): string {
  const text = body === undefined ? '' : JSON.stringify(body);
  const lines = Object.entries({ ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), 'Content-Length': String(Buffer.byteLength(text)), ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${status < 300 ? 'OK' : 'Not OK'}\r\n${lines.join('')}\r\n${text}`;
}

function authOf(bmc: HostileBmc, headers: Readonly<Record<string, string>>, acceptBasic: boolean): string | undefined {
  const token = headers['x-auth-token'];
  if (token) return [...bmc.live.values()].includes(token) ? token : undefined;
  const basic = headers.authorization;
  return acceptBasic && basic === `Basic ${Buffer.from(`${bmc.username}:${bmc.password}`).toString('base64')}` ? 'basic' : undefined;
}

const ROOT = {
  '@odata.id': '/redfish/v1',
  Id: 'RootService',
  RedfishVersion: '1.15.0',
  UUID: '5d3f1b8e-0000-4000-8000-00000000a001',
  Systems: { '@odata.id': '/redfish/v1/Systems' },
  Chassis: { '@odata.id': '/redfish/v1/Chassis' },
  Links: { Sessions: { '@odata.id': SESSIONS } },
};
const SYSTEM = {
  '@odata.id': '/redfish/v1/Systems/1',
  '@odata.type': '#ComputerSystem.v1_20_0.ComputerSystem',
  Id: '1',
  Manufacturer: 'Hostile',
  Model: 'H1',
  SerialNumber: 'HOSTILE-0001',
  UUID: '5d3f1b8e-0000-4000-8000-00000000b001',
  HostName: 'hostile-1',
  PowerState: 'On',
  ProcessorSummary: { Count: 1, LogicalProcessorCount: 8 },
  MemorySummary: { TotalSystemMemoryGiB: 16 },
  EthernetInterfaces: { '@odata.id': '/redfish/v1/Systems/1/EthernetInterfaces' },
};
const NIC = { '@odata.id': '/redfish/v1/Systems/1/EthernetInterfaces/1', Id: '1', MACAddress: '02:00:00:00:0b:01', SpeedMbps: 10000, LinkStatus: 'LinkUp' };

// The service a case did not replace: the root without credentials, a session login, one system.
function serve(request: HostileRequest, bmc: HostileBmc, options: HostileOptions): string {
  const path = request.path.split('?')[0]!.replace(/\/$/, '');
  if (request.method === 'GET' && path === '/redfish/v1') return answer(200, ROOT);
  if (request.method === 'POST' && path === SESSIONS) {
    const login = JSON.parse(request.body || '{}') as { UserName?: string; Password?: string };
    if (login.UserName !== bmc.username || login.Password !== bmc.password) return answer(401, { error: { message: 'bad credentials' } });
    const id = String(++bmc.created);
    const session = { id, token: `token-${id}-${Math.random().toString(36).slice(2)}`, path: `${SESSIONS}/${id}` };
    bmc.live.set(session.path, session.token);
    const made = options.login?.(session, bmc) ?? { headers: { 'X-Auth-Token': session.token, Location: session.path }, body: { '@odata.id': session.path, Id: id } };
    return answer(201, made.body, made.headers);
  }
  if (!request.auth) return answer(401, { error: { message: 'authentication required' } });
  if (request.method === 'DELETE' && bmc.live.has(path)) {
    bmc.live.delete(path);
    return answer(204);
  }
  if (request.method !== 'GET') return answer(405, { error: { message: 'not allowed' } });
  if (path === SESSIONS) return answer(200, { '@odata.id': path, Members: [...bmc.live.keys()].map((link) => ({ '@odata.id': link })), 'Members@odata.count': bmc.live.size });
  if (path === '/redfish/v1/Systems') return answer(200, { '@odata.id': path, Members: [{ '@odata.id': '/redfish/v1/Systems/1' }], 'Members@odata.count': 1 });
  if (path === '/redfish/v1/Chassis') return answer(200, { '@odata.id': path, Members: [], 'Members@odata.count': 0 });
  if (path === '/redfish/v1/Systems/1') return answer(200, SYSTEM);
  if (path === '/redfish/v1/Systems/1/EthernetInterfaces') return answer(200, { '@odata.id': path, Members: [{ '@odata.id': NIC['@odata.id'] }], 'Members@odata.count': 1 });
  if (path === NIC['@odata.id']) return answer(200, NIC);
  return answer(404, { error: { message: `no resource at ${path}` } });
}
