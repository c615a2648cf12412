// `serve` against abusive clients, from several loopback addresses (127.0.0.x, all this machine):
// password guessing on the web login (and a flood of other names to make it forget a lockout),
// connections that never finish a request head, and request bodies that trickle in. Each case
// checks the abuser is held back and everyone else is still served. A summary line per case.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionLimits, openFileLimit } from '../../src/registry/connections.ts';
import { serveRegistry, setPassword, type RegistryServer, type Store } from '../../src/registry/index.ts';
import { createUser } from '../../src/registry/users.ts';
import { webInterface } from '../../src/web/index.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { recordVerdict, summarise, type Verdicts } from './summary.ts';

const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('serve under abuse', verdicts));

/** A case, recording whether it held. */
function abuse(name: string, run: () => Promise<string>, timeoutMs = 30_000): void {
  it(`holds against: ${name}`, () => recordVerdict(verdicts, name, run), timeoutMs);
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One request from a loopback address of the caller's choosing. */
function send(base: string, from: string, method: string, path: string, options: { body?: string; cookie?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const request = httpRequest(
      url,
      {
        method,
        localAddress: from,
        agent: false,
        headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Logs in through the form, as a browser at `from` would: the form's CSRF cookie, then the POST. */
async function login(base: string, from: string, username: string, password: string): Promise<Answer> {
  const form = await send(base, from, 'GET', '/login');
  const cookie = String(form.headers['set-cookie']).split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)![1]!;
  return send(base, from, 'POST', '/login', { cookie, body: new URLSearchParams({ csrf, next: '/', username, password }).toString() });
}

describe('web login attempts', () => {
  let store: Store;
  let server: RegistryServer;
  let base: string;
  let offsetMs = 0;
  beforeAll(async () => {
    const made = temporaryStore(() => new Date(Date.now() + offsetMs));
    store = made.store;
    for (const name of ['alice', 'bob']) setPassword(store, createUser(store, name).username, `${name}-right-password`);
    server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store) });
    base = server.url.replace(/\/MAAS$/, '');
    return async () => {
      await server.close();
      made.dispose();
    };
  });

  abuse('40 wrong passwords in 2 s, then the right one', async () => {
    const started = performance.now();
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push((await login(base, '127.0.0.1', 'alice', `guess-${i}`)).status);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.slice(5))).toEqual(new Set([429]));
    const right = await login(base, '127.0.0.1', 'alice', 'alice-right-password');
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many failed logins for this user name: it is refused, even with the right password, for the next 15 minutes.');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(800);
    // From another address too: the limit is the user name's.
    expect((await login(base, '127.0.0.3', 'alice', 'alice-right-password')).status).toBe(429);
    return '5 tries, then refused (429) for 15 minutes';
  });

  abuse('other users and addresses are held only to their own limits', async () => {
    // Another user logs in from the guessing address and from another one.
    expect((await login(base, '127.0.0.1', 'bob', 'bob-right-password')).status).toBe(303);
    expect((await login(base, '127.0.0.3', 'bob', 'bob-right-password')).status).toBe(303);
    // One address spraying names (4 each, under the per-user limit) reaches the address's limit…
    for (let i = 0; i < 20; i++) expect((await login(base, '127.0.0.4', `user-${i % 5}`, 'nope')).status).toBe(401);
    const sprayed = await login(base, '127.0.0.4', 'bob', 'bob-right-password');
    expect(sprayed.status).toBe(429);
    expect(sprayed.text).toContain('Too many failed logins from your address');
    // …which holds back that address alone.
    expect((await login(base, '127.0.0.5', 'bob', 'bob-right-password')).status).toBe(303);
    return 'user limit, address limit apart';
  });

  abuse('the window passes', async () => {
    offsetMs += 15 * 60_000 + 1_000;
    expect((await login(base, '127.0.0.1', 'alice', 'alice-right-password')).status).toBe(303);
    expect((await login(base, '127.0.0.4', 'bob', 'bob-right-password')).status).toBe(303);
    return 'logins accepted again after 15 minutes';
  });
});

describe('a flood of failed logins on other names', () => {
  abuse("alice locked out, then failed logins on 60 other names from 4 other addresses, past what the throttle remembers", async () => {
    // The throttle's memory scaled down from 10,000 keys to 50, so that the flood fits in a test:
    // 60 names and 4 addresses are 64 keys, more than that (at the full size, 9,540 logins from 530 /64s).
    const { store, dispose } = temporaryStore();
    setPassword(store, createUser(store, 'alice').username, 'alice-right-password');
    const server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store, { loginThrottle: { maxKeys: 50 } }) });
    cleanups.push(async () => {
      await server.close();
      dispose();
    });
    const base = server.url.replace(/\/MAAS$/, '');
    for (let i = 0; i < 5; i++) expect((await login(base, '127.0.6.1', 'alice', `guess-${i}`)).status).toBe(401);
    expect((await login(base, '127.0.6.1', 'alice', 'alice-right-password')).status).toBe(429);
    for (let i = 0; i < 60; i++) expect((await login(base, `127.0.6.${2 + (i % 4)}`, `flood-${i}`, 'nope')).status).toBe(401);
    // Still refused, from anywhere, the right password too.
    const right = await login(base, '127.0.6.9', 'alice', 'alice-right-password');
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many failed logins for this user name');
    return 'alice still refused (429) after 60 failed logins on other names';
  });
});

const HALF_HEAD = 'GET /MAAS/api/2.0/version/ HTTP/1.1\r\nHost: x\r\n';

/**
 * Opens connections that send `opening` (by default half a request head) and then nothing, or with
 * `dripMs` one byte more every so often; resolves once all are open or refused.
 */
async function slowConnections(port: number, addresses: readonly string[], each: number, opening = HALF_HEAD, dripMs?: number): Promise<{ open: () => number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  await Promise.all(
    addresses.flatMap((address) =>
      Array.from({ length: each }, () =>
        new Promise<void>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1', localAddress: address }, () => {
            socket.write(opening);
            if (dripMs !== undefined) {
              const drip = setInterval(() => socket.write('x'), dripMs);
              socket.once('close', () => clearInterval(drip));
            }
            resolve();
          });
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          socket.resume(); // reads what the server sends, so its closing is seen
          sockets.push(socket);
        }),
      ),
    ),
  );
  return { open: () => sockets.filter((socket) => !socket.closed).length, sockets };
}

/** Waits until a count stops changing (the server has refused or evicted what it will). */
async function settled(count: () => number): Promise<void> {
  for (let last = -1, stable = 0; stable < 3; ) {
    await sleep(100);
    const now = count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

describe('connections that never finish a request head', () => {
  const serve = async (connections?: Parameters<typeof serveRegistry>[1]['connections']) => {
    const { store, dispose } = temporaryStore();
    const server = await serveRegistry(store, { port: 0, version: 'test', ...(connections ? { connections } : {}) });
    cleanups.push(async () => {
      await server.close();
      dispose();
    });
    return server;
  };
  const served = async (server: RegistryServer, from = '127.0.0.1') => {
    const started = performance.now();
    const answer = await send(server.url, from, 'GET', '/MAAS/api/2.0/version/');
    return { status: answer.status, ms: performance.now() - started };
  };

  abuse('1,000 from one address', async () => {
    const limits = connectionLimits();
    expect(limits.total).toBeLessThanOrEqual(Math.max(64, openFileLimit() / 4)); // well below the file limit
    const server = await serve();
    const slow = await slowConnections(server.port, ['127.0.0.2'], 1_000);
    cleanups.push(() => slow.sockets.forEach((socket) => socket.destroy()));
    await settled(slow.open);
    expect(slow.open()).toBeLessThanOrEqual(limits.perClient);
    const normal = await served(server);
    expect(normal.status).toBe(200);
    expect(normal.ms).toBeLessThan(2_000);
    return `${slow.open()} of 1,000 kept open; a normal client served in ${Math.round(normal.ms)} ms`;
  });

  abuse('from many addresses, filling the server, until the head timeout', async () => {
    const server = await serve({ total: 40, perClient: 8, headTimeoutMs: 2_000 });
    const addresses = Array.from({ length: 10 }, (_, i) => `127.0.1.${i + 1}`);
    const slow = await slowConnections(server.port, addresses, 8);
    cleanups.push(() => slow.sockets.forEach((socket) => socket.destroy()));
    await settled(slow.open);
    expect(slow.open()).toBeLessThanOrEqual(40);
    // A client that asks takes the place of one that only holds a connection.
    for (let i = 0; i < 5; i++) expect((await served(server, `127.0.2.${i + 1}`)).status).toBe(200);
    // And what never sent a head is closed once the head timeout (and a check, each second) passed.
    await sleep(3_500);
    expect(slow.open()).toBe(0);
    return 'at most 40 open; normal clients served; the rest closed after 2 s';
  });
});

describe('request bodies that trickle in', () => {
  abuse('8 connections from each of 8 addresses, a whole POST head then a body byte every 5 s', async () => {
    // The bounds `serve` takes under `ulimit -n 256`: 64 connections, 8 per client.
    const limits = connectionLimits(256);
    expect(limits).toMatchObject({ total: 64, perClient: 8 });
    const { store, dispose } = temporaryStore();
    setPassword(store, createUser(store, 'carol').username, 'carol-right-password');
    const server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store), connections: limits });
    const base = server.url.replace(/\/MAAS$/, '');
    const addresses = Array.from({ length: 8 }, (_, i) => `127.0.3.${i + 1}`);
    const slow = await slowConnections(server.port, addresses, 8, 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\n', 5_000);
    cleanups.push(async () => {
      slow.sockets.forEach((socket) => socket.destroy());
      await server.close();
      dispose();
    });
    await settled(slow.open);
    expect(slow.open()).toBe(64); // the server is full, every connection a request in progress
    // Once their bodies are past the grace, below the minimum rate, they make room for clients that ask.
    await sleep(limits.bodyGraceMs + 500);
    const started = performance.now();
    for (let i = 0; i < 3; i++) expect((await send(base, `127.0.4.${i + 1}`, 'GET', '/login')).status).toBe(200);
    expect((await login(base, '127.0.4.9', 'carol', 'carol-right-password')).status).toBe(303);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(3_000);
    // Only as many as were needed were closed.
    await settled(slow.open);
    expect(slow.open()).toBeGreaterThanOrEqual(64 - 5);
    return `normal clients served (a page, a login) in ${Math.round(ms)} ms; ${64 - slow.open()} of the 64 trickling connections closed for them`;
  }, 40_000);
});
