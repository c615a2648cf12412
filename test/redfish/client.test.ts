import nock from 'nock';
import { FleetLimit } from '../../src/redfish/fleet.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedfishClient, withRedfishClient, type CachedRead } from '../../src/redfish/client.ts';
import { crawl } from '../../src/redfish/crawl.ts';
import { RedfishError } from '../../src/redfish/errors.ts';

// nock intercepts below TLS, so HTTP fakes use a plain-HTTP BMC; TLS is tested against real sockets.
const BMC = 'http://bmc.test';
const endpoint = { address: BMC, username: 'admin', password: 's3cret-pw' } as const;
const root = {
  '@odata.id': '/redfish/v1/',
  Systems: { '@odata.id': '/redfish/v1/Systems' },
  Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
};
const fast = { backoffBaseMs: 5, backoffMaxMs: 20 };
const basic = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;

function session(scope: nock.Scope, token = 'tok-1', id = '1') {
  return scope
    .post('/redfish/v1/SessionService/Sessions', { UserName: 'admin', Password: 's3cret-pw' })
    .reply(201, { Id: id }, { 'X-Auth-Token': token, Location: `/redfish/v1/SessionService/Sessions/${id}` });
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('sessions', () => {
  it('creates one session, reuses it for every request and deletes it after success', async () => {
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root);
    session(scope);
    scope
      .get('/redfish/v1/Systems')
      .times(3)
      .matchHeader('x-auth-token', 'tok-1')
      .reply(200, { Members: [] })
      .delete('/redfish/v1/SessionService/Sessions/1')
      .matchHeader('x-auth-token', 'tok-1')
      .reply(204);
    await withRedfishClient(endpoint, fast, {}, async (client) => {
      expect(client.auth).toBe('session');
      for (let i = 0; i < 3; i++) await client.get('/redfish/v1/Systems');
    });
    expect(scope.isDone()).toBe(true);
  });

  it('deletes the session after an error', async () => {
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root);
    session(scope);
    scope.get('/redfish/v1/Systems').reply(404, {}).delete('/redfish/v1/SessionService/Sessions/1').reply(204);
    await expect(
      withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems')),
    ).rejects.toMatchObject({ kind: 'not-found' });
    expect(scope.isDone()).toBe(true);
  });

  it('deletes the session when the sweep is cancelled', async () => {
    const cancel = new AbortController();
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root);
    session(scope);
    scope.get('/redfish/v1/Systems').delay(2_000).reply(200, {}).delete('/redfish/v1/SessionService/Sessions/1').reply(204);
    const work = withRedfishClient(endpoint, fast, { signal: cancel.signal }, (client) => client.get('/redfish/v1/Systems'));
    setTimeout(() => cancel.abort(new Error('SIGTERM')), 50);
    await expect(work).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('SIGTERM') });
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['404', 404, {}],
    ['405', 405, {}],
    [
      'the iDRAC session limit (RAC0218)',
      400,
      { error: { '@Message.ExtendedInfo': [{ MessageId: 'IDRAC.2.8.RAC0218', Message: 'The maximum number of user sessions is reached.' }] } },
    ],
  ])('falls back to basic auth when the session cannot be created: %s', async (_name, status, body) => {
    const scope = nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(status, body)
      .get('/redfish/v1/Systems')
      .matchHeader('authorization', basic)
      .reply(200, { Members: [] });
    await withRedfishClient(endpoint, fast, {}, async (client) => {
      await client.get('/redfish/v1/Systems');
      expect(client.auth).toBe('basic');
      expect(client.authNote).toBeDefined();
    });
    expect(scope.isDone()).toBe(true);
  });

  it('logs in again once when the session expires mid-sweep', async () => {
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root);
    session(scope, 'tok-1', '1');
    scope.get('/redfish/v1/Systems').matchHeader('x-auth-token', 'tok-1').reply(401, {});
    session(scope, 'tok-2', '2');
    scope
      .get('/redfish/v1/Systems')
      .matchHeader('x-auth-token', 'tok-2')
      .reply(200, { Members: [] })
      .delete('/redfish/v1/SessionService/Sessions/2')
      .reply(204);
    await withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'));
    expect(scope.isDone()).toBe(true);
  });
});

describe('lockout guard', () => {
  it('stops after 3 consecutive 401 answers so the BMC account is not locked', async () => {
    let attempts = 0;
    const scope = nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get(/\/redfish\/v1\/Systems.*/)
      .times(10)
      .reply(() => {
        attempts++;
        return [401, {}];
      });
    const client = new RedfishClient(endpoint, fast);
    await client.connect();
    const errors: RedfishError[] = [];
    for (let i = 0; i < 5; i++) {
      errors.push((await client.get(`/redfish/v1/Systems/${i}`).catch((error: unknown) => error)) as RedfishError);
    }
    await client.close();
    expect(attempts).toBe(3);
    expect(errors.every((error) => error.kind === 'auth')).toBe(true);
    expect(errors[4]?.message).toMatch(/stopped after 3 consecutive 401\/403/);
    scope.persist(false);
  });

  it('stops after 3 consecutive 403 answers too, as BMCs that forbid rather than challenge send', async () => {
    let attempts = 0;
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get(/\/redfish\/v1\/Systems.*/)
      .times(10)
      .reply(() => {
        attempts++;
        return [403, { error: { message: 'Forbidden' } }];
      });
    const client = new RedfishClient(endpoint, fast);
    await client.connect();
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) errors.push(await client.get(`/redfish/v1/Systems/${i}`).catch((error: unknown) => error));
    await client.close();
    expect(attempts).toBe(3);
    expect(errors).toMatchObject(Array.from({ length: 5 }, () => ({ kind: 'auth' })));
    expect(errors[4]).toMatchObject({ message: expect.stringMatching(/stopped after 3 consecutive 401\/403/) });
  });

  it('stops at a wrong password given to the session service', async () => {
    let posts = 0;
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .times(5)
      .reply(() => {
        posts++;
        return [401, {}];
      });
    const client = new RedfishClient(endpoint, fast);
    await expect(client.connect()).rejects.toMatchObject({ kind: 'auth' });
    await client.close();
    expect(posts).toBe(1);
  });

  it('does not count licence refusals as failed logins', async () => {
    const licence = { error: { '@Message.ExtendedInfo': [{ MessageId: 'SMC.1.0.OemLicenseNotPassed' }] } };
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems/1/Storage')
      .times(4)
      .reply(403, licence)
      .get('/redfish/v1/Systems/1')
      .reply(200, { Id: '1' });
    const client = new RedfishClient(endpoint, fast);
    await client.connect();
    for (let i = 0; i < 4; i++) {
      await expect(client.get('/redfish/v1/Systems/1/Storage')).rejects.toMatchObject({ kind: 'licence' });
    }
    await expect(client.get('/redfish/v1/Systems/1')).resolves.toEqual({ Id: '1' });
    await client.close();
  });
});

describe('retries', () => {
  it('waits for Retry-After in seconds on 503 before asking again', async () => {
    const times: number[] = [];
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(() => {
        times.push(Date.now());
        return [503, {}, { 'Retry-After': '1' }];
      })
      .get('/redfish/v1/Systems')
      .reply(() => {
        times.push(Date.now());
        return [200, { Members: [] }];
      });
    await withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'));
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('waits for Retry-After given as an HTTP date on 429', async () => {
    const times: number[] = [];
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(() => {
        times.push(Date.now());
        return [429, {}, { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() }];
      })
      .get('/redfish/v1/Systems')
      .reply(() => {
        times.push(Date.now());
        return [200, { Members: [] }];
      });
    await withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'));
    // HTTP dates have one-second resolution, so the wait is between 1 and 2 seconds.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('gives up when Retry-After would pass the BMC deadline', async () => {
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(503, {}, { 'Retry-After': '60' });
    await expect(
      withRedfishClient(endpoint, { ...fast, bmcDeadlineMs: 2_000 }, {}, (client) => client.get('/redfish/v1/Systems')),
    ).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('deadline') });
  });

  it('retries a burst of 500s and recovers', async () => {
    const scope = nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .times(3)
      .reply(500, {})
      .get('/redfish/v1/Systems')
      .reply(200, { Members: [] });
    const client = new RedfishClient(endpoint, fast);
    await client.connect();
    await expect(client.get('/redfish/v1/Systems')).resolves.toEqual({ Members: [] });
    await client.close();
    expect(client.stats.retries).toBe(3);
    expect(scope.isDone()).toBe(true);
  });

});

describe('paged collections', () => {
  it('stops following Members@odata.nextLink at maxPages and marks the collection a bad response', async () => {
    const pages: string[] = [];
    // Every page links to a new one, so only the cap (not loop detection) can stop the crawl.
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .query(true)
      .times(10)
      .reply((request: Request) => {
        const url = new URL(request.url);
        pages.push(url.pathname + url.search);
        const next = Number(url.searchParams.get('page') ?? '0') + 1;
        return [200, { Members: [{ '@odata.id': `/redfish/v1/Systems/${next}` }], 'Members@odata.nextLink': `/redfish/v1/Systems?page=${next}` }];
      });
    const result = await withRedfishClient(endpoint, { ...fast, maxPages: 3 }, {}, (client) => crawl(client));
    expect(pages).toEqual(['/redfish/v1/Systems', '/redfish/v1/Systems?page=1', '/redfish/v1/Systems?page=2']);
    expect(result.resources.get('/redfish/v1/Systems')).toMatchObject({
      ok: false,
      error: { kind: 'bad-response', message: expect.stringContaining('more than 3 pages') },
    });
  });
});

describe('links and redirects', () => {
  it('refuses a cross-origin link without sending any request', async () => {
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root).post('/redfish/v1/SessionService/Sessions').reply(405);
    const evil = nock('http://evil.test').get(/.*/).reply(200, {});
    const client = new RedfishClient(endpoint, fast);
    await client.connect();
    await expect(client.get('http://evil.test/redfish/v1/Systems', '/redfish/v1/Chassis/1')).rejects.toMatchObject({ kind: 'refused-link' });
    await expect(client.get('/etc/passwd', '/redfish/v1/Chassis/1')).rejects.toMatchObject({ kind: 'refused-link' });
    await client.close();
    expect(evil.isDone()).toBe(false);
    expect(scope.isDone()).toBe(true);
    expect(client.refusedLinks.map((refused) => refused.reason)).toEqual(['another origin (http://evil.test)', 'outside /redfish/v1']);
  });

  it('refuses a redirect to another host and never sends credentials there', async () => {
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(302, '', { Location: 'http://evil.test/steal' });
    const evil = nock('http://evil.test').get(/.*/).reply(200, {});
    await expect(withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'))).rejects.toMatchObject({
      kind: 'refused-link',
    });
    expect(evil.isDone()).toBe(false);
  });

  it('follows a redirect within /redfish/v1 on the same origin', async () => {
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(301, '', { Location: '/redfish/v1/Systems/' })
      .get('/redfish/v1/Systems/')
      .reply(200, { Members: [] });
    await expect(withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'))).resolves.toEqual({ Members: [] });
  });
});

describe('bounded input', () => {
  const fiftyMegabytes = 50 * 1024 * 1024;

  it('refuses a 50 MB body announced by Content-Length', async () => {
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(200, () => Buffer.alloc(fiftyMegabytes, 0x20), { 'Content-Length': String(fiftyMegabytes) });
    await expect(withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'))).rejects.toMatchObject({
      kind: 'bad-response',
      message: expect.stringContaining('larger than'),
    });
  });

  it('refuses a 50 MB body sent without a length', async () => {
    const { Readable } = await import('node:stream');
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(200, () =>
        new Readable({
          read() {
            sent += chunk.length;
            this.push(sent > fiftyMegabytes ? null : chunk);
          },
        }),
      );
    await expect(withRedfishClient(endpoint, fast, {}, (client) => client.get('/redfish/v1/Systems'))).rejects.toMatchObject({
      kind: 'bad-response',
    });
    expect(sent).toBeLessThan(fiftyMegabytes);
  });

  it('turns invalid JSON into a bad-response for that resource only', async () => {
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(200, '{"Members": [', { 'Content-Type': 'application/json' })
      .get('/redfish/v1/Chassis')
      .reply(200, { Members: [] });
    await withRedfishClient(endpoint, fast, {}, async (client) => {
      await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ kind: 'bad-response' });
      await expect(client.get('/redfish/v1/Chassis')).resolves.toEqual({ Members: [] });
    });
  });
});

describe('memory budget of one BMC', () => {
  const budget = { ...fast, memoryBudgetBytes: 4 * 1024 * 1024 };

  it('refuses a body that would cost more than the budget once parsed, and reads nothing further', async () => {
    // 3 MB of empty objects: within every size limit, ~60 MB on the heap once parsed.
    const inflating = `[${'{},'.repeat(1_000_000)}{}]`;
    const scope = nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems')
      .reply(200, inflating, { 'Content-Type': 'application/json' });
    await withRedfishClient(endpoint, budget, {}, async (client) => {
      await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ kind: 'bad-response', message: expect.stringContaining('more than the 4 MiB one BMC may in a sweep') });
      // Past the budget every read fails at once: nothing is sent.
      await expect(client.get('/redfish/v1/Chassis')).rejects.toBe(client.exhausted);
    });
    expect(scope.isDone()).toBe(true);
  });

  it('counts every read it queues, so a BMC listing thousands of links does not queue thousands of reads', async () => {
    let sent = 0;
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get(/\/redfish\/v1\/Chassis\/\d+/)
      .times(10_000)
      .reply(200, () => {
        sent++;
        return { Id: 'x' };
      });
    await withRedfishClient(endpoint, budget, {}, async (client) => {
      const reads = await Promise.allSettled(Array.from({ length: 10_000 }, (_, index) => client.get(`/redfish/v1/Chassis/${index}`)));
      const refused = reads.filter((read) => read.status === 'rejected');
      expect(refused.length).toBeGreaterThan(6_000); // 4 MiB is ~4,000 reads
      expect(refused.every((read) => read.reason === client.exhausted)).toBe(true);
    });
    expect(sent).toBeLessThan(4_100);
  });

  it('lets a large real server through: its sweep costs a few MiB', async () => {
    const dimm = { '@odata.id': '/redfish/v1/Systems/1/Memory/1', Id: '1', CapacityMiB: 65536, Manufacturer: 'Hynix', PartNumber: 'HMCG94MEBRA123N', SerialNumber: '80AD0122', OperatingSpeedMhz: 4800, Status: { State: 'Enabled', Health: 'OK' } };
    const memory = { '@odata.id': '/redfish/v1/Systems/1/Memory', Members: Array.from({ length: 1536 }, (_, index) => ({ ...dimm, '@odata.id': `/redfish/v1/Systems/1/Memory/${index}`, Id: String(index) })) };
    nock(BMC).get('/redfish/v1/').reply(200, root).post('/redfish/v1/SessionService/Sessions').reply(405).get('/redfish/v1/Systems/1/Memory').reply(200, memory);
    // 1,536 DIMMs in one answer (a 32-socket machine's, expanded): ~0.5 MB, within the default 32 MiB.
    await withRedfishClient(endpoint, fast, {}, async (client) => {
      await expect(client.get('/redfish/v1/Systems/1/Memory')).resolves.toMatchObject({ Members: expect.any(Array) });
      expect(client.exhausted).toBeUndefined();
    });
  });
});

describe('conditional GET', () => {
  it('sends If-None-Match and reuses the cached body on 304', async () => {
    const cache = new Map<string, CachedRead>();
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get('/redfish/v1/Systems/1')
      .reply(200, { Id: '1', Model: 'R750' }, { ETag: '"v1"' })
      .get('/redfish/v1/Systems/1')
      .matchHeader('if-none-match', '"v1"')
      .reply(304);
    const client = new RedfishClient(endpoint, fast, { cache });
    await client.connect();
    await client.get('/redfish/v1/Systems/1');
    await expect(client.get('/redfish/v1/Systems/1')).resolves.toEqual({ Id: '1', Model: 'R750' });
    await client.close();
    expect(client.stats.notModified).toBe(1);
  });
});

describe('limits', () => {
  it('keeps at most perBmcConcurrency requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const scope = nock(BMC).get('/redfish/v1/').reply(200, root).post('/redfish/v1/SessionService/Sessions').reply(405);
    scope
      .get(/\/redfish\/v1\/Systems\/\d+/)
      .times(8)
      .reply(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return [200, {}];
      });
    await withRedfishClient(endpoint, { ...fast, perBmcConcurrency: 2 }, {}, (client) =>
      Promise.all(Array.from({ length: 8 }, (_, i) => client.get(`/redfish/v1/Systems/${i}`))),
    );
    expect(peak).toBe(2);
  });

  it('shares a fleet-wide limit on requests in flight between clients', async () => {
    let inFlight = 0;
    let peak = 0;
    const hosts = ['http://bmc-a.test', 'http://bmc-b.test', 'http://bmc-c.test'];
    for (const host of hosts) {
      nock(host)
        .get('/redfish/v1/')
        .reply(200, root)
        .post('/redfish/v1/SessionService/Sessions')
        .reply(405)
        .get(/\/redfish\/v1\/Systems\/\d+/)
        .times(4)
        .reply(async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
          return [200, {}];
        });
    }
    const fleet = new FleetLimit(3);
    await Promise.all(
      hosts.map((address) =>
        withRedfishClient({ ...endpoint, address }, { ...fast, perBmcConcurrency: 4 }, { fleet }, (client) =>
          Promise.all(Array.from({ length: 4 }, (_, i) => client.get(`/redfish/v1/Systems/${i}`))),
        ),
      ),
    );
    expect(peak).toBe(3);
  });

  it('spaces the requests to one BMC at perBmcRatePerSecond', async () => {
    const times: number[] = [];
    nock(BMC)
      .get('/redfish/v1/')
      .reply(200, root)
      .post('/redfish/v1/SessionService/Sessions')
      .reply(405)
      .get(/\/redfish\/v1\/Systems\/\d+/)
      .times(6)
      .reply(() => {
        times.push(Date.now());
        return [200, {}];
      });
    await withRedfishClient(endpoint, { ...fast, perBmcConcurrency: 6, perBmcRatePerSecond: 10 }, {}, (client) =>
      Promise.all(Array.from({ length: 6 }, (_, i) => client.get(`/redfish/v1/Systems/${i}`))),
    );
    // Six requests at 10 a second start over at least five intervals of 100 ms, not all at once.
    expect(times).toHaveLength(6);
    expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(400);
  });

  it('throws a TypeError naming a bad option', () => {
    expect(() => new RedfishClient(endpoint, { perBmcConcurrency: 0 })).toThrow(
      /Expected `perBmcConcurrency` to be a number from 1 up, got `0`/,
    );
    expect(() => new RedfishClient(endpoint, { expand: 'sometimes' as never })).toThrow(/`expand` to be one of/);
  });

  it('never puts the password in an error message', async () => {
    nock(BMC).get('/redfish/v1/').reply(200, root).post('/redfish/v1/SessionService/Sessions').reply(401, { error: { message: 'bad' } });
    const client = new RedfishClient(endpoint, fast);
    const error = await client.connect().catch((caught: Error) => caught);
    await client.close();
    expect(JSON.stringify(error)).not.toContain('s3cret-pw');
    expect(String((error as Error).stack)).not.toContain('s3cret-pw');
  });
});
