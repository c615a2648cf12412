// How the client spends the requests a BMC allows, against simulated BMCs over real sockets: a BMC
// that answers one request at a time gets one at a time once noticed, the next read goes out as an
// answer's last byte is in (before it is parsed), reads that lead to more reads go first, and a
// logout does not queue behind other BMCs' reads. Asserted on the order of events (the simulator's
// request log, the client's trace), never on how long anything took.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RedfishClient, withRedfishClient, type BmcEndpoint, type RequestStep, type RequestTrace } from '../../src/redfish/client.ts';
import { crawl } from '../../src/redfish/crawl.ts';
import { FleetLimit } from '../../src/redfish/fleet.ts';
import type { Priority } from '../../src/redfish/limit.ts';
import { loadMockup } from '../../src/redfish/mockup.ts';
import type { ClientOptions } from '../../src/redfish/options.ts';
import { startBmc, type BmcOptions, type ServedRequest, type SimulatedBmc } from '../../src/redfish/simulator/index.ts';
import { FIXTURES } from '../helpers/mockup.ts';

const started: SimulatedBmc[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((bmc) => bmc.close()));
});

async function serve(tree: string, options: Partial<BmcOptions> = {}): Promise<{ bmc: SimulatedBmc; endpoint: BmcEndpoint }> {
  const bmc = await startBmc({ mockup: await loadMockup(join(FIXTURES, tree)), tls: false, requestLog: true, ...options });
  started.push(bmc);
  return { bmc, endpoint: { address: bmc.url, username: bmc.credentials.username, password: bmc.credentials.password } };
}

interface Step {
  readonly step: RequestStep | 'parsed';
  readonly request: number;
  readonly path: string;
  readonly priority?: Priority;
}

/** A trace that keeps the steps in the order they happened. */
function recorder(): { steps: Step[]; trace: RequestTrace } {
  const steps: Step[] = [];
  return { steps, trace: (step, request, _method, path, priority) => steps.push({ step, request, path, priority }) };
}

// Requests that waited in the BMC's backlog: they arrived before the answer to an earlier one was complete.
const backlogged = (log: readonly ServedRequest[]) => log.filter((request, index) => log.slice(0, index).some((earlier) => earlier.answeredAt === undefined || earlier.answeredAt > request.arrivedAt));

const options: Partial<ClientOptions> = { perBmcConcurrency: 2, requestTimeoutMs: 10_000 };

describe('a BMC that answers one request at a time', () => {
  it('gets one request at a time once the client has noticed, so nothing waits in its backlog', async () => {
    const { bmc, endpoint } = await serve('dell-r750-idrac9', { maxConcurrent: 1, latency: { fixedMs: 40, jitterMs: 10 } });
    // When the client took the BMC as serial (its debug line), on the simulator's clock.
    let noticedAt = Number.POSITIVE_INFINITY;
    const log = { warn: () => {}, debug: (_object: object, message: string) => void (message.includes('one request at a time') && (noticedAt = Math.min(noticedAt, performance.now()))) };
    const client = new RedfishClient(endpoint, options, { log });
    await client.connect();
    await crawl(client);
    await client.close();
    expect(client.serial).toBe(true);
    const served = bmc.requestLog;
    const waited = backlogged(served).map((request) => served.indexOf(request));
    // It started with two at a time (some waited in the backlog), and noticed within the crawl.
    expect(waited.length).toBeGreaterThan(0);
    const after = served.filter((request) => request.arrivedAt > noticedAt);
    expect(after.length).toBeGreaterThan(served.length / 4);
    // From then on each request arrived after every one before it was answered.
    for (const request of after) {
      const earlier = served.slice(0, served.indexOf(request));
      expect(earlier.every((other) => other.answeredAt !== undefined && other.answeredAt <= request.arrivedAt), `${request.path} waited`).toBe(true);
    }
  });

  it('is told apart from a BMC that answers several at once, which keeps two requests in flight', async () => {
    const { bmc, endpoint } = await serve('dell-r750-idrac9', { maxConcurrent: 4, latency: { fixedMs: 12, jitterMs: 4 } });
    const client = new RedfishClient(endpoint, options);
    await client.connect();
    await crawl(client);
    await client.close();
    expect(client.serial).toBe(false);
    expect(bmc.stats.peakConcurrent).toBe(2);
    // Requests overlapped to the end of the crawl.
    const log = bmc.requestLog;
    const overlapping = log.slice(16).filter((request, index) => request.arrivedAt < log[index + 15]!.answeredAt!);
    expect(overlapping.length).toBeGreaterThan(0);
  });
});

describe('the next read', () => {
  it('goes out as soon as an answer is in, before that answer is parsed', async () => {
    const { endpoint } = await serve('lenovo-sr650v2-xcc', { latency: { fixedMs: 2, jitterMs: 0 } });
    const { steps, trace } = recorder();
    // The read cache hears of a body once it is parsed.
    const cache = { get: () => undefined, set: (path: string) => void steps.push({ step: 'parsed', request: 0, path }) };
    await withRedfishClient(endpoint, { ...options, perBmcConcurrency: 1 }, { trace, cache }, (client) => crawl(client));
    // Every answer that came in while a read was waiting: that read was sent before the answer's
    // body was parsed.
    let checked = 0;
    const queued = new Set<number>();
    for (const [index, step] of steps.entries()) {
      if (step.step === 'queued') queued.add(step.request);
      if (step.step === 'sent') queued.delete(step.request);
      if (step.step !== 'answered' || queued.size === 0) continue;
      const later = steps.slice(index + 1);
      const next = later.find((other) => other.step === 'sent');
      const parsed = later.findIndex((other) => other.step === 'parsed' && other.path === step.path);
      if (next === undefined || parsed === -1) continue;
      expect(later.indexOf(next), `${next.path} sent after ${step.path} was parsed`).toBeLessThan(parsed);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('is what leads to more reads first: no read of a leaf goes out while one that unlocks others waits', async () => {
    const { endpoint } = await serve('hpe-dl380-gen10-ilo5', { latency: { fixedMs: 2, jitterMs: 0 } });
    const { steps, trace } = recorder();
    await withRedfishClient(endpoint, { ...options, perBmcConcurrency: 1 }, { trace }, (client) => crawl(client));
    const waiting = new Map<number, Priority>();
    let leaves = 0;
    for (const step of steps) {
      if (step.step === 'queued' && step.priority !== undefined) waiting.set(step.request, step.priority);
      if (step.step !== 'sent') continue;
      waiting.delete(step.request);
      if (step.priority !== 'leaf') continue;
      leaves++;
      expect([...waiting.values()], `${step.path} went before a read that unlocks others`).not.toContain('unlocks');
    }
    expect(leaves).toBeGreaterThan(5);
    // The firmware inventory needs only the service root: it is read beside the first collections.
    const sent = steps.filter((step) => step.step === 'sent').map((step) => step.path);
    expect(sent.indexOf('/redfish/v1/UpdateService')).toBeLessThan(sent.findIndex((path) => path.startsWith('/redfish/v1/Chassis?')) + 2);
  });
});

describe('the fleet’s budget', () => {
  it('goes to a BMC with nothing in flight before another BMC’s second request', async () => {
    const a = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const b = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const c = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const fleet = new FleetLimit(1);
    const order: string[] = [];
    const named = (name: string): RequestTrace => (step, _request, method, path) => {
      if (step === 'sent' && method === 'GET') order.push(`${name} ${path}`);
    };
    const clients = [a, b, c].map((served, index) => new RedfishClient(served.endpoint, { ...options, perBmcConcurrency: 2 }, { fleet, trace: named('abc'[index]!) }));
    await Promise.all(clients.map((client) => client.connect()));
    order.length = 0;
    // a asks for two, then b and c for one each, while a's first holds the budget's one slot.
    const reads = [clients[0]!.get('/redfish/v1/Systems'), clients[0]!.get('/redfish/v1/Chassis'), clients[1]!.get('/redfish/v1/Systems'), clients[2]!.get('/redfish/v1/Systems')];
    await Promise.all(reads);
    await Promise.all(clients.map((client) => client.close()));
    expect(order.map((line) => line[0])).toEqual(['a', 'b', 'c', 'a']);
  });

  it('sends no second request into a BMC’s backlog while another BMC mid-crawl needs the slot', async () => {
    const a = await serve('dell-r750-idrac9', { maxConcurrent: 1, latency: { fixedMs: 20, jitterMs: 0 } });
    const b = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const fleet = new FleetLimit(2);
    const first = new RedfishClient(a.endpoint, { ...options, perBmcConcurrency: 2 }, { fleet });
    const second = new RedfishClient(b.endpoint, { ...options, perBmcConcurrency: 2 }, { fleet });
    await Promise.all([first.connect(), second.connect()]);
    // b is logged in and between two reads; a, which answers one at a time, is asked for two.
    await Promise.all(['Systems', 'Chassis', 'Managers'].map((path) => first.get(`/redfish/v1/${path}`)));
    expect(backlogged(a.bmc.requestLog)).toEqual([]);
    // Once b is done, its slot is slack: a's reads go two at a time, and wait in its backlog.
    await second.close();
    await Promise.all(['Systems', 'Chassis', 'Managers'].map((path) => first.get(`/redfish/v1/${path}`)));
    await first.close();
    expect(backlogged(a.bmc.requestLog).length).toBeGreaterThan(0);
  });
});

describe('logging out', () => {
  it('goes before other BMCs’ reads waiting for the fleet’s budget', async () => {
    const a = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const b = await serve('dell-r750-idrac9', { latency: { fixedMs: 20, jitterMs: 0 } });
    const fleet = new FleetLimit(1);
    const order: string[] = [];
    const named = (name: string): RequestTrace => (step, _request, method, path) => {
      if (step === 'sent') order.push(`${name} ${method} ${path}`);
    };
    const first = new RedfishClient(a.endpoint, { ...options, perBmcConcurrency: 4 }, { fleet, trace: named('a') });
    const second = new RedfishClient(b.endpoint, { ...options, perBmcConcurrency: 4 }, { fleet, trace: named('b') });
    await Promise.all([first.connect(), second.connect()]);
    // b's reads fill the fleet's one slot and queue for it; then a logs out.
    const reads = ['Systems', 'Chassis', 'Managers', 'UpdateService'].map((path) => second.get(`/redfish/v1/${path}`));
    await new Promise((resolve) => setImmediate(resolve));
    const logout = first.close();
    await Promise.all([logout, ...reads]);
    await second.close();
    const at = (entry: string) => order.findIndex((line) => line.startsWith(entry));
    expect(at('a DELETE')).toBe(at('b GET /redfish/v1/Systems') + 1);
    expect(a.bmc.stats.openSessions).toBe(0);
  });
});
