import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMockup, type Mockup } from '../../../src/redfish/mockup.ts';
import { startBmc, type FaultRule, type SimulatedBmc } from '../../../src/redfish/simulator/index.ts';
import { BASIC, call, failure, getJson, HAVE_MOCKUPS, MOCKUPS, open } from './helpers.ts';

const SYSTEMS = '/redfish/v1/Systems';
const AUTH = { headers: { Authorization: BASIC } };
let rack: Mockup;
const running: SimulatedBmc[] = [];

async function withFaults(...faults: FaultRule[]): Promise<SimulatedBmc> {
  const bmc = await startBmc({ mockup: rack, tls: false, faults });
  running.push(bmc);
  return bmc;
}

// Reads a response until the connection ends, keeping what arrived and how it ended.
function partial(url: string): Promise<{ headers: Record<string, unknown>; received: Buffer; ended: 'complete' | 'aborted' }> {
  return new Promise((resolve, reject) => {
    const req = open(url, AUTH, (res) => {
      const chunks: Buffer[] = [];
      let complete = false;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        complete = true;
      });
      res.on('error', () => {});
      res.on('close', () => resolve({ headers: res.headers, received: Buffer.concat(chunks), ended: complete ? 'complete' : 'aborted' }));
    });
    req.on('error', reject);
    req.end();
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((bmc) => bmc.close()));
});

describe.skipIf(!HAVE_MOCKUPS)(`simulated BMC faults (public mockups in ${MOCKUPS}; skipped when that folder is absent)`, () => {
  beforeAll(async () => {
    rack = await loadMockup(join(MOCKUPS, 'dmtf-public-rackmount1'));
  });

  describe('rules', () => {
    it('answers a status fault with its headers, e.g. 503 with Retry-After, and a Redfish error body', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'status', status: 503, headers: { 'Retry-After': '2' } } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('2');
      expect(JSON.parse(answer.body).error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.8.ServiceTemporarilyUnavailable');
    });

    it('stops applying a rule once its times are spent', async () => {
      const bmc = await withFaults({ path: SYSTEMS, times: 2, action: { type: 'status', status: 500 } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(`${bmc.url}${SYSTEMS}`, AUTH)).status);
      expect(statuses).toEqual([500, 500, 200]);
    });

    it('leaves the service root and the session login alone when a rule names no path', async () => {
      const bmc = await withFaults({ action: { type: 'status', status: 500 } });
      expect((await call(`${bmc.url}/redfish/v1/`)).status).toBe(200);
      const login = await call(`${bmc.url}/redfish/v1/SessionService/Sessions`, { method: 'POST', body: '{"UserName":"admin","Password":"redfish"}' });
      expect(login.status).toBe(201);
      expect((await call(`${bmc.url}${SYSTEMS}`, AUTH)).status).toBe(500);
    });

    it('matches a RegExp on the path and a method', async () => {
      const bmc = await withFaults({ path: /\/Memory\//, method: 'get', action: { type: 'status', status: 500 } });
      expect((await call(`${bmc.url}/redfish/v1/Systems/437XR1138R2/Memory/DIMM1`, AUTH)).status).toBe(500);
      expect((await call(`${bmc.url}/redfish/v1/Systems/437XR1138R2/Memory`, AUTH)).status).toBe(200);
    });

    it('applies an afterAuth rule only to requests that passed authentication', async () => {
      const bmc = await withFaults({ path: SYSTEMS, afterAuth: true, action: { type: 'status', status: 500 } });
      expect((await call(`${bmc.url}${SYSTEMS}`)).status).toBe(401);
      expect((await call(`${bmc.url}${SYSTEMS}`, AUTH)).status).toBe(500);
    });

    it('applies a rule with a probability the same way for the same seed', async () => {
      const rule: FaultRule = { path: SYSTEMS, probability: 0.5, action: { type: 'status', status: 500 } };
      const runs: number[][] = [];
      for (let run = 0; run < 2; run++) {
        const bmc = await withFaults(rule);
        const statuses = [];
        for (let i = 0; i < 20; i++) statuses.push((await call(`${bmc.url}${SYSTEMS}`, AUTH)).status);
        runs.push(statuses);
      }
      expect(runs[0]).toEqual(runs[1]);
      expect(runs[0]).toContain(500);
      expect(runs[0]).toContain(200);
    });

    it('takes replaced rules at runtime', async () => {
      const bmc = await withFaults();
      bmc.faults = [{ path: SYSTEMS, action: { type: 'status', status: 429, headers: { 'Retry-After': 'Wed, 21 Oct 2037 07:28:00 GMT' } } }];
      const limited = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('Wed, 21 Oct 2037 07:28:00 GMT');
      bmc.setFaults([]);
      expect((await call(`${bmc.url}${SYSTEMS}`, AUTH)).status).toBe(200);
      expect(() => bmc.setFaults([{ times: -1, action: { type: 'hang' } }])).toThrow(/`faults\[0\]\.times`/);
    });
  });

  describe('actions', () => {
    it('hang: never answers, and close() releases the hung request', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'hang' } });
      let answered = false;
      const pending = failure(`${bmc.url}${SYSTEMS}`, AUTH).finally(() => {
        answered = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered).toBe(false);
      await bmc.close();
      expect((await pending).message).toMatch(/socket hang up|ECONNRESET/);
    });

    it('reset: destroys the connection without answering', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'reset' } });
      expect((await failure(`${bmc.url}${SYSTEMS}`, AUTH)).message).toMatch(/socket hang up|ECONNRESET/);
    });

    it('reset-mid-body: sends the real Content-Length and half the body, then closes', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'reset-mid-body' } });
      const full = Buffer.byteLength(JSON.stringify(rack.get(SYSTEMS)?.body));
      const { headers, received, ended } = await partial(`${bmc.url}${SYSTEMS}`);
      expect(Number(headers['content-length'])).toBe(full);
      expect(received.length).toBe(Math.floor(full / 2));
      expect(ended).toBe('aborted');
    });

    it('drip: sends the head at once and then only a few bytes at a time', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'drip', bytesPerSecond: 40 } });
      const received: Buffer[] = [];
      const head = await new Promise<Record<string, unknown>>((resolve, reject) => {
        open(`${bmc.url}${SYSTEMS}`, AUTH, (res) => {
          res.on('data', (chunk: Buffer) => received.push(chunk));
          res.on('error', () => {});
          resolve(res.headers);
        }).on('error', reject).end();
      });
      expect(Number(head['content-length'])).toBe(Buffer.byteLength(JSON.stringify(rack.get(SYSTEMS)?.body)));
      await new Promise((resolve) => setTimeout(resolve, 350));
      const bytes = Buffer.concat(received).length;
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(20);
    });

    it('invalid-json: answers 200 with a body that does not parse', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'invalid-json' } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.status).toBe(200);
      expect(() => JSON.parse(answer.body)).toThrow(SyntaxError);
    });

    it('truncated-json: answers 200 with a body cut short and a Content-Length that matches it', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'truncated-json' } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.status).toBe(200);
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
      expect(JSON.stringify(rack.get(SYSTEMS)?.body).startsWith(answer.body)).toBe(true);
      expect(() => JSON.parse(answer.body)).toThrow(SyntaxError);
    });

    it('html: answers 200 text/html with a login page', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'html' } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.body).toMatch(/<form[^>]*>/);
    });

    it('huge: streams exactly the requested bytes with a Content-Length', async () => {
      const bytes = 8 * 1024 * 1024 + 3;
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'huge', bytes } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(Number(answer.headers['content-length'])).toBe(bytes);
      expect(answer.body).toHaveLength(bytes);
      expect(answer.body).toMatch(/^\{"@odata\.id":"\/redfish\/v1\/Systems","Padding":"x+"\}$/);
      expect(bmc.stats.bytesOut).toBe(bytes);
    });

    it('huge: streams a body far larger than memory, holding little while the client is slow', async () => {
      const bytes = 64 * 1024 * 1024 * 1024;
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'huge', bytes } });
      const before = process.memoryUsage();
      const { length, announced, after } = await new Promise<{ length: number; announced: number; after: NodeJS.MemoryUsage }>((resolve, reject) => {
        const req = open(`${bmc.url}${SYSTEMS}`, AUTH, (res) => {
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            length += chunk.length;
            if (length < 4 * 1024 * 1024 || res.isPaused()) return;
            res.pause();
            setTimeout(() => {
              resolve({ length, announced: Number(res.headers['content-length']), after: process.memoryUsage() });
              req.destroy();
            }, 200);
          });
          res.on('error', () => {});
        });
        req.on('error', reject).end();
      });
      expect(announced).toBe(bytes);
      expect(length).toBeGreaterThanOrEqual(4 * 1024 * 1024);
      expect(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
    });

    it('deep: answers JSON objects nested depth levels', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'deep', depth: 5000 } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.body.startsWith('{"a":{"a":')).toBe(true);
      let depth = 0;
      for (let node: any = JSON.parse(answer.body); node !== undefined; node = node.a) depth += 1;
      expect(depth).toBe(5000);
    });

    it('redirect: answers 302 with Location by default, or the given status', async () => {
      const bmc = await withFaults(
        { path: SYSTEMS, action: { type: 'redirect', location: 'https://elsewhere.example/redfish/v1/Systems' } },
        { path: '/redfish/v1/Chassis', action: { type: 'redirect', location: '/login', status: 301 } },
      );
      const found = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(found.status).toBe(302);
      expect(found.headers.location).toBe('https://elsewhere.example/redfish/v1/Systems');
      expect((await call(`${bmc.url}/redfish/v1/Chassis`, AUTH)).status).toBe(301);
    });

    it('foreign-links: rewrites every @odata.id of the real body onto another origin', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'foreign-links', origin: 'https://evil.example/' } });
      const { json } = await getJson(`${bmc.url}${SYSTEMS}`);
      expect(json['@odata.id']).toBe('https://evil.example/redfish/v1/Systems');
      expect(json.Members).toEqual([{ '@odata.id': 'https://evil.example/redfish/v1/Systems/437XR1138R2' }]);
    });

    it('body: answers 200 with exactly the given body and content type', async () => {
      const bmc = await withFaults({ path: SYSTEMS, action: { type: 'body', body: '{"__proto__":{"x":1}}', contentType: 'application/json' } });
      const answer = await call(`${bmc.url}${SYSTEMS}`, AUTH);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.body).toBe('{"__proto__":{"x":1}}');
    });
  });
});
