// What one Redfish GET costs the collector's CPU with each HTTP client it could use: this project's
// HTTP/1.1 framing (src/redfish/http1.ts through transport.ts), node:http with a keep-alive agent,
// and undici (Node's own, behind fetch) through its dispatcher's request API. A simulated fleet in
// a process of its own answers after --latency ms; each BMC gets --requests GETs (basic auth, the
// JSON parsed), --lanes at a time, all BMCs at once. `node bench/transport.ts [--bmcs 50]`.
//
// The framing is hand-written only while this shows it is worth it (DEVELOPERS.md).
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createConnector } from '../src/redfish/tls.ts';
import { closeTransport, createTransport, exchange } from '../src/redfish/transport.ts';
import type { FleetServerOptions } from './fleet-server.ts';

const { values } = parseArgs({
  options: {
    bmcs: { type: 'string', default: '50' },
    requests: { type: 'string', default: '49' },
    lanes: { type: 'string', default: '2' },
    latency: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
  },
});
const bmcCount = Number(values.bmcs);
const perBmc = Number(values.requests);
const lanes = Number(values.lanes);

const fleetOptions: FleetServerOptions = { size: bmcCount, latencyMs: Number(values.latency), jitterMs: 0, connections: lanes };
const server = spawn(process.execPath, [join(import.meta.dirname, 'fleet-server.ts'), JSON.stringify(fleetOptions)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
const fleet = JSON.parse(String((await lines.next()).value)) as { bmcs: { url: string; username: string; password: string }[] };
const authorization = `Basic ${Buffer.from(`${fleet.bmcs[0]!.username}:${fleet.bmcs[0]!.password}`).toString('base64')}`;
// Resources every fixture has, of a few sizes.
const PATHS = ['/redfish/v1/', '/redfish/v1/Systems', '/redfish/v1/Chassis', '/redfish/v1/Managers', '/redfish/v1/UpdateService', '/redfish/v1/SessionService'];

/** One client: `open` makes its per-BMC state; `get` reads one path as parsed JSON. */
interface Client<State> {
  readonly name: string;
  open(origin: string): State;
  get(state: State, path: string): Promise<unknown>;
  close(state: State): void;
}

const ours: Client<ReturnType<typeof createTransport>> = {
  name: 'this project (http1.ts)',
  open: (origin) => createTransport(origin, createConnector({ secure: false, policy: { mode: 'insecure' }, connectTimeoutMs: 5_000 })),
  get: async (transport, path) =>
    (
      await exchange(transport, transport.origin, {
        method: 'GET',
        path,
        headers: { authorization },
        signal: new AbortController().signal,
        timeoutMs: 30_000,
        maxBodyBytes: 16 * 1024 * 1024,
        maxJsonDepth: 64,
      })
    ).body,
  close: closeTransport,
};

const nodeHttp: Client<{ origin: URL; agent: Agent }> = {
  name: 'node:http, keep-alive agent',
  open: (origin) => ({ origin: new URL(origin), agent: new Agent({ keepAlive: true, maxSockets: lanes }) }),
  get: ({ origin, agent }, path) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: origin.hostname, port: origin.port, path, agent, headers: { authorization, accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    }),
  close: ({ agent }) => agent.destroy(),
};

// Node's bundled undici: the dispatcher fetch uses, made on the first fetch.
await fetch(`${fleet.bmcs[0]!.url}/redfish/v1/`).then((answer) => answer.text());
interface Dispatcher {
  request(options: { origin: string; path: string; method: string; headers: Record<string, string> }): Promise<{ body: { text(): Promise<string> } }>;
}
const dispatcher = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as Dispatcher;
const undici: Client<string> = {
  name: "undici (Node's), request API",
  open: (origin) => origin,
  get: async (origin, path) => JSON.parse(await (await dispatcher.request({ origin, path, method: 'GET', headers: { authorization, accept: 'application/json' } })).body.text()),
  close: () => {},
};

async function measure<State>(client: Client<State>): Promise<number> {
  const cpu = process.cpuUsage();
  await Promise.all(
    fleet.bmcs.map(async (bmc) => {
      const state = client.open(bmc.url);
      let next = 0;
      const lane = async () => {
        while (next < perBmc) await client.get(state, PATHS[next++ % PATHS.length]!);
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      client.close(state);
    }),
  );
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / bmcCount;
}

const clients = [ours, nodeHttp, undici] as Client<unknown>[];
const results = new Map<string, number[]>(clients.map((client) => [client.name, []]));
for (const client of clients) await measure(client); // warm up every path first
for (let round = 0; round < Number(values.rounds); round++) for (const client of clients) results.get(client.name)!.push(await measure(client));
console.log(`${bmcCount} BMCs at once, ${perBmc} GETs each (${lanes} at a time, ${values.latency} ms latency), CPU ms per BMC (median of ${values.rounds}):`);
for (const [name, runs] of results) console.log(`  ${name.padEnd(34)} ${[...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!.toFixed(2)}`);
server.stdin!.end();
