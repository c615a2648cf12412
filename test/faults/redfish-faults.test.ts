// The fault suite: a small fleet in which one BMC misbehaves. Each case sweeps the fleet once
// cleanly, breaks the BMC, sweeps again, and checks that the others complete, the bad one is
// reported with the right error class, its earlier hardware data is untouched and no session is
// left open. A summary line per fault is printed at the end: held or not.
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bmcState, pinCertificate } from '../../src/registry/bmc-state.ts';
import type { Store } from '../../src/registry/store.ts';
import { generateCertificate, loadTrees, startFleet, type Certificate, type FaultRule, type SimulatedBmc, type SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep, type BmcResult, type SweepSettings } from '../../src/sweep/sweep.ts';
import { FIXTURES } from '../helpers/mockup.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { summarise, type Verdicts } from './summary.ts';

const TREES = ['dell-r750-idrac9', 'hpe-dl380-gen10-ilo5', 'supermicro-x12dpt-bmc'];
const SYSTEM = '/redfish/v1/Systems/1'; // the Supermicro's, the usual bad BMC
const MEMORY = `${SYSTEM}/Memory`;
const DELL_MEMORY = '/redfish/v1/Systems/System.Embedded.1/Memory'; // the Dell advertises $expand
const settings: SweepSettings = {
  concurrency: 4,
  client: { requestTimeoutMs: 600, connectTimeoutMs: 600, bmcDeadlineMs: 8_000, retries: 2, backoffBaseMs: 5, backoffMaxMs: 20, maxRetryAfterMs: 3_000 },
};

interface Context {
  readonly fleet: SimulatedFleet;
  readonly bad: SimulatedBmc;
  readonly configs: BmcConfig[];
  readonly index: number;
  readonly store: Store;
  /** The body the bad BMC serves at a path. */
  read(path: string): Promise<any>;
  /** Sessions the case itself opened (and leaves open), not the collector's. */
  ownSessions: number;
}

interface FaultCase {
  readonly name: string;
  /** Which fixture misbehaves. @default supermicro */
  readonly bad?: 'dell' | 'supermicro';
  readonly arrange: (context: Context) => Promise<void> | void;
  /** A failed BMC with this error class; otherwise the BMC completes, with this warning if given. */
  readonly fails?: string;
  readonly warning?: RegExp;
  readonly check?: (context: Context, result: BmcResult) => Promise<void> | void;
}

const faults = (context: Context, rules: FaultRule[]) => context.bad.setFaults(rules);
const everything = /.*/; // every path, the service root and login included

const CASES: readonly FaultCase[] = [
  { name: 'connection refused', arrange: (c) => c.bad.close(), fails: 'unreachable' },
  { name: 'accepts, then silence', arrange: (c) => faults(c, [{ path: everything, action: { type: 'hang' } }]), fails: 'timeout' },
  {
    name: 'slow drip of bytes past the deadline',
    arrange: (c) => faults(c, [{ path: '/redfish/v1', action: { type: 'drip', bytesPerSecond: 200, bytes: 4_000 } }]),
    fails: 'timeout',
  },
  { name: 'reset mid-body', arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'reset-mid-body' } }]), fails: 'server' },
  {
    name: '500 bursts, then recovery',
    arrange: (c) => faults(c, [{ path: SYSTEM, times: 2, action: { type: 'status', status: 500 } }]),
    check: (_c, result) => expect(result.outcome).toBe('unchanged'),
  },
  {
    name: '429 with Retry-After in seconds',
    arrange: (c) => faults(c, [{ path: SYSTEM, times: 1, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } }]),
    check: (_c, result) => {
      expect(result.outcome).toBe('unchanged');
      expect(result.ms).toBeGreaterThanOrEqual(900); // it waited as told
    },
  },
  {
    name: '503 with Retry-After as an HTTP date',
    arrange: (c) => faults(c, [{ path: SYSTEM, times: 1, action: { type: 'status', status: 503, headers: { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() } } }]),
    check: (_c, result) => expect(result.outcome).toBe('unchanged'),
  },
  {
    name: 'session limit reached',
    bad: 'dell',
    arrange: async (c) => {
      // Fill the BMC's sessions as other tools would, and leave them open.
      for (;;) {
        const login = await https(`${c.bad.url}/redfish/v1/SessionService/Sessions`, 'POST', JSON.stringify({ UserName: c.bad.credentials.username, Password: c.bad.credentials.password }));
        if (login.status !== 201) break;
        c.ownSessions++;
      }
    },
    warning: /session limit reached on the BMC; using basic auth/,
    check: (_c, result) => expect(result.outcome).toBe('unchanged'),
  },
  {
    name: 'wrong password (the lockout guard stops at 3 tries)',
    arrange: (c) => {
      c.configs[c.index] = { ...c.configs[c.index]!, password: 'not-the-password' };
      c.bad.resetStats();
    },
    fails: 'auth',
    check: (c, result) => {
      expect(c.bad.stats.authFailures).toBeLessThanOrEqual(3);
      expect(result.message).not.toContain('not-the-password');
    },
  },
  {
    name: 'a certificate that changed since pinning',
    arrange: (c) => {
      // The first sweep trusted and stored the certificate it met (trust on first use)…
      expect(bmcState(c.store, c.configs[c.index]!.address)?.pinnedFingerprint).toBe(certificate.fingerprint256);
      // …which now differs from the one the BMC presents.
      pinCertificate(c.store, c.configs[c.index]!.address, 'AB'.repeat(32));
      c.bad.resetStats();
    },
    fails: 'tls',
    check: (c, result) => {
      expect(result.message).toMatch(/certificate/i);
      expect(c.bad.stats.requests).toBe(0); // refused at the handshake: no credentials sent
    },
  },
  { name: 'invalid JSON', arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'invalid-json' } }]), fails: 'bad-response' },
  { name: 'truncated JSON', arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'truncated-json' } }]), fails: 'bad-response' },
  { name: 'a 200 with HTML', arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'html' } }]), fails: 'bad-response' },
  {
    name: 'a 100 MB body',
    arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'huge', bytes: 100 * 1024 * 1024 } }]),
    fails: 'bad-response',
    check: (_c, result) => expect(result.message).toMatch(/larger than/),
  },
  {
    name: '10,000-deep nesting',
    arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'deep', depth: 10_000 } }]),
    fails: 'bad-response',
    check: (_c, result) => expect(result.message).toMatch(/deeper than/),
  },
  {
    name: '__proto__ and constructor keys',
    arrange: async (c) => {
      const system = await c.read(SYSTEM);
      const hostile = JSON.stringify(system).replace(/^\{/, '{"__proto__":{"polluted":true,"Model":"evil"},"constructor":{"prototype":{"polluted":true}},');
      faults(c, [{ path: SYSTEM, action: { type: 'body', body: hostile } }]);
    },
    check: (_c, result) => {
      expect(result.outcome).toBe('unchanged');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('Model');
    },
  },
  ...(
    [
      ['a link to another host', 'http://evil.example/redfish/v1/Systems/1/Memory'],
      ['a link to an /etc/passwd-like path', '/etc/passwd'],
      ['a link with ..', '/redfish/v1/Systems/1/../../../etc/passwd'],
    ] as const
  ).map(([name, link]): FaultCase => ({
    name,
    // (A fault body is served as it is; setResource would give the copy the fleet's identity twice.)
    arrange: async (c) => faults(c, [{ path: SYSTEM, action: { type: 'body', body: JSON.stringify({ ...(await c.read(SYSTEM)), Memory: { '@odata.id': link } }) } }]),
    warning: /refused link .*(another origin|outside \/redfish\/v1|dot segments)/,
    check: (_c, result) => {
      expect(result.outcome).toBe('unchanged'); // the memory is kept from the last sweep
      expect(result.warnings.join('\n')).toMatch(/could not read memory \(refused-link/);
    },
  })),
  {
    name: 'a redirect to another host',
    arrange: (c) => faults(c, [{ path: SYSTEM, action: { type: 'redirect', location: 'http://evil.example/redfish/v1/Systems/1' } }]),
    fails: 'refused-link',
  },
  {
    // c.read gives the listing unexpanded: plain links, what such a BMC answers to $expand too.
    name: '$expand advertised, answered with plain links',
    bad: 'dell',
    arrange: async (c) => faults(c, [{ path: DELL_MEMORY, afterAuth: true, action: { type: 'body', body: JSON.stringify(await c.read(DELL_MEMORY)) } }]),
    check: (_c, result) => expect(result.outcome).toBe('unchanged'),
  },
  {
    name: 'a nextLink loop',
    arrange: async (c) => c.bad.setResource(MEMORY, { ...(await c.read(MEMORY)), 'Members@odata.nextLink': MEMORY }),
    warning: /nextLink loops back/,
    check: (_c, result) => expect(result.outcome).toBe('unchanged'),
  },
  {
    name: 'a collection of 100,000 members',
    arrange: async (c) => {
      const members = Array.from({ length: 100_000 }, (_, i) => ({ '@odata.id': `${MEMORY}/${i + 1}` }));
      c.bad.setResource(MEMORY, { ...(await c.read(MEMORY)), Members: members, 'Members@odata.count': members.length });
    },
    warning: /could not read memory \(bad-response at .*Memory/,
    check: (c, result) => {
      expect(result.outcome).toBe('unchanged');
      expect(result.requests).toBeLessThan(100); // the members were not read one by one
    },
  },
  {
    name: 'duplicated ids',
    arrange: async (c) => {
      const memory = await c.read(MEMORY);
      c.bad.setResource(MEMORY, { ...memory, Members: [...memory.Members, ...memory.Members], 'Members@odata.count': memory.Members.length * 2 });
    },
    check: (_c, result) => expect(result.outcome).toBe('unchanged'), // no DIMM counted twice
  },
];

let certificate: Certificate;
let trees: Awaited<ReturnType<typeof loadTrees>>;
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  certificate = await generateCertificate({ hosts: ['127.0.0.1', 'localhost'] });
  trees = await loadTrees(TREES.map((tree) => join(FIXTURES, tree)));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('Redfish faults', verdicts));

describe('one misbehaving BMC in a fleet', () => {
  for (const fault of CASES) {
    it(`holds against: ${fault.name}`, async () => {
      const fleet = await startFleet({ trees, size: TREES.length, tls: certificate, credentials: { username: 'admin', password: 'fault-suite-pw' } });
      const { store, dispose } = temporaryStore();
      cleanups.push(() => fleet.close(), dispose);
      const configs: BmcConfig[] = fleet.bmcs.map((bmc) => ({
        name: bmc.name,
        address: bmc.url,
        username: bmc.credentials.username,
        password: bmc.credentials.password,
        credentials: 'simulator',
        tls: { mode: 'pin' },
        tags: [],
        client: {},
        discovered: false,
      }));
      const index = fleet.bmcs.findIndex((bmc) => bmc.name.includes(fault.bad ?? 'supermicro'));
      const bad = fleet.bmcs[index]!;
      const sweep = () => runSweep(configs, new EmbeddedTarget(store), store, settings);
      expect((await sweep()).totals).toMatchObject({ created: TREES.length });
      const before = hardwareOf(store, bad.url);

      const context: Context = {
        fleet,
        bad,
        configs,
        index,
        store,
        ownSessions: 0,
        read: async (path) => JSON.parse((await https(`${bad.url}${path}`, 'GET', undefined, `Basic ${Buffer.from(`${bad.credentials.username}:${bad.credentials.password}`).toString('base64')}`)).text),
      };
      try {
        await fault.arrange(context);
        const report = await sweep();
        const result = report.results[index]!;
        const others = report.results.filter((_, i) => i !== index);
        expect(others.map((other) => other.outcome)).toEqual(others.map(() => 'unchanged'));
        if (fault.fails) expect(result).toMatchObject({ outcome: 'failed', errorKind: fault.fails });
        else expect(result.outcome).not.toBe('failed');
        if (fault.warning) expect(result.warnings.join('\n')).toMatch(fault.warning);
        await fault.check?.(context, result);
        expect(hardwareOf(store, bad.url)).toEqual(before);
        if (fault.name !== 'connection refused') expect(fleet.totals().openSessions).toBe(context.ownSessions);
        verdicts.push({ fault: fault.name, held: true, detail: result.errorKind ?? result.outcome });
      } catch (error) {
        verdicts.push({ fault: fault.name, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
        throw error;
      }
    });
  }
});

/** One request to a simulated BMC, trusting the fleet's certificate. */
function https(url: string, method: string, body?: string, authorization?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { method, ca: certificate.cert, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** What the registry shows of the machine behind a BMC: everything a sweep could have changed. */
function hardwareOf(store: Store, address: string): unknown {
  const machine = store.get<{ id: number }>(`SELECT id FROM machines WHERE json_extract(power_parameters, '$.power_address') = ?`, address);
  if (!machine) throw new Error(`no machine for ${address}`);
  const rows = (sql: string) => store.all(sql, machine.id);
  return {
    machine: store.get('SELECT status, cpu_count, cpu_speed, memory, hardware_uuid, hostname FROM machines WHERE id = ?', machine.id),
    interfaces: rows('SELECT name, mac_address, type FROM interfaces WHERE machine_id = ? ORDER BY id'),
    disks: rows('SELECT name, serial, size, model FROM block_devices WHERE machine_id = ? ORDER BY id'),
    numa: rows('SELECT idx, memory, cores FROM numa_nodes WHERE machine_id = ? ORDER BY idx'),
    devices: rows('SELECT bus, address, vendor_id, product_id FROM node_devices WHERE machine_id = ? ORDER BY id'),
    results: rows('SELECT fingerprint FROM commissioning_results WHERE machine_id = ? ORDER BY id'),
    history: rows('SELECT changes FROM hardware_history WHERE machine_id = ? ORDER BY id'),
  };
}
