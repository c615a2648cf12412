import { request as httpsRequest } from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMachine, createUser, findMachine, pushHardware, serveRegistry, type MachineRow, type RegistryServer, type Store, type User } from '../../src/registry/index.ts';
import { webInterface } from '../../src/web/index.ts';
import { testCertificate } from '../helpers/server.ts';
import { fixtureDocument, macsOf, temporaryStore } from '../registry/fixtures.ts';

let store: Store;
let admin: User;
let dispose: () => void;
let server: RegistryServer;
let base: string;
let machine: MachineRow;
const PASSWORD = 'correct horse battery';
const BMC_PASSWORD = 'calvin-bmc-secret';

beforeEach(async () => {
  ({ store, admin, dispose } = temporaryStore());
  createUser(store, 'operator', { admin: true, password: PASSWORD });
  const document = await fixtureDocument('dell-r750-idrac9');
  machine = createMachine(
    store,
    { hostname: 'r750-db01', architecture: 'amd64', macAddresses: macsOf(document), powerType: 'redfish', powerParameters: { power_address: '10.0.0.5', power_user: 'root', power_pass: BMC_PASSWORD, node_id: 'System.Embedded.1' }, deployed: true },
    admin,
  );
  pushHardware(store, machine.id, document);
  server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store) });
  base = server.url.replace(/\/MAAS$/, '');
});
afterEach(async () => {
  await server.close();
  dispose();
});

const form = (fields: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() });

async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const { body, ...type } = form(fields);
  return fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { ...type, ...headers }, body });
}

// Logs in as a browser would: the login page's token and cookie, then the form.
async function login(username = 'operator', password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/login`);
  const loginCookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const answer = await post('/login', { csrf: token, username, password, next: '/' }, { cookie: loginCookie });
  expect(answer.status).toBe(303);
  const cookie = answer.headers.getSetCookie().find((value) => value.startsWith('rfe-session='))!.split(';')[0]!;
  const home = await fetch(`${base}/`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await home.text())![1]!;
  return { cookie, csrf };
}

describe('security headers', () => {
  it('sends a script-free CSP, DENY framing and no-sniff on pages, refusals and the stylesheet', async () => {
    const { cookie } = await login();
    for (const answer of [await fetch(`${base}/login`), await fetch(`${base}/nowhere`, { headers: { cookie } }), await fetch(`${base}/static/style.css`)]) {
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(answer.headers.get('content-security-policy')).toContain("script-src 'none'");
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  it('serves the stylesheet with an ETag and answers 304 when it is unchanged', async () => {
    const first = await fetch(`${base}/static/style.css`);
    expect(first.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const again = await fetch(`${base}/static/style.css`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('logging in', () => {
  it('sends a visitor to the login page, remembering where they were going', async () => {
    const answer = await fetch(`${base}/machines/${machine.system_id}?x=1`, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/machines/${machine.system_id}?x=1`)}`);
  });

  it('refuses a login form without its CSRF cookie or with another token', async () => {
    const page = await fetch(`${base}/login`);
    const loginCookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    expect((await post('/login', { csrf: token, username: 'operator', password: PASSWORD })).status).toBe(403);
    expect((await post('/login', { csrf: 'other', username: 'operator', password: PASSWORD }, { cookie: loginCookie })).status).toBe(403);
    expect((await post('/login', { csrf: token, username: 'operator', password: 'wrong' }, { cookie: loginCookie })).status).toBe(401);
  });

  it('never redirects to another site after login', async () => {
    const page = await fetch(`${base}/login`);
    const loginCookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const answer = await post('/login', { csrf: token, username: 'operator', password: PASSWORD, next }, { cookie: loginCookie });
      expect(answer.headers.get('location')).toBe('/');
    }
  });

  it('sets a Secure __Host- session cookie when served over TLS', async () => {
    const tls = await testCertificate();
    const secure = await serveRegistry(store, { port: 0, version: 'test', tls, fallback: webInterface(store, { secureCookies: true }) });
    try {
      const get = (path: string, headers: Record<string, string> = {}, body?: string) =>
        new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
          const request = httpsRequest(`https://127.0.0.1:${secure.port}${path}`, { method: body ? 'POST' : 'GET', rejectUnauthorized: false, headers }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
          });
          request.on('error', reject);
          request.end(body);
        });
      const page = await get('/login');
      const loginCookie = (page.headers['set-cookie'] as string[])[0]!;
      expect(loginCookie).toMatch(/^__Host-rfe-login=.*; Secure;/);
      const token = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const answer = await get('/login', { cookie: loginCookie.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ csrf: token, username: 'operator', password: PASSWORD }).toString());
      expect(answer.status).toBe(303);
      const session = (answer.headers['set-cookie'] as string[]).find((value) => value.startsWith('__Host-rfe-session='))!;
      expect(session.split('; ').slice(1)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure', 'Max-Age=43200']);
    } finally {
      await secure.close();
    }
  });
});

describe('state-changing requests', () => {
  it('refuses a lifecycle action without the CSRF token, with a wrong one, or from another origin', async () => {
    const { cookie, csrf } = await login();
    const path = `/machines/${machine.system_id}/actions/lock`;
    expect((await post(path, { confirm: 'yes' }, { cookie })).status).toBe(403);
    expect((await post(path, { confirm: 'yes', csrf: `${csrf}x` }, { cookie })).status).toBe(403);
    expect((await post(path, { confirm: 'yes', csrf }, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(path, { confirm: 'yes', csrf }, { cookie, origin: 'null' })).status).toBe(403);
    expect(findMachine(store, machine.system_id)!.locked).toBe(0);
    const done = await post(path, { confirm: 'yes', csrf }, { cookie, origin: base });
    expect(done.headers.get('location')).toBe(`/machines/${machine.system_id}?done=lock`);
    expect(findMachine(store, machine.system_id)!.locked).toBe(1);
  });

  it('sends an unconfirmed action to its confirmation page, changing nothing', async () => {
    const { cookie, csrf } = await login();
    const answer = await post(`/machines/${machine.system_id}/actions/release`, { csrf }, { cookie });
    expect(answer.headers.get('location')).toBe(`/machines/${machine.system_id}/actions/release`);
    expect(findMachine(store, machine.system_id)!.status).toBe(6);
  });

  it("answers a refused action with the lifecycle model's status and MAAS's reason", async () => {
    const { cookie, csrf } = await login();
    const answer = await post(`/machines/${machine.system_id}/actions/unlock`, { confirm: 'yes', csrf }, { cookie });
    expect(answer.status).toBe(409);
    expect(await answer.text()).toContain('Machine is not locked');
  });

  it('refuses a logout without the CSRF token and keeps the session', async () => {
    const { cookie, csrf } = await login();
    expect((await post('/logout', {}, { cookie })).status).toBe(403);
    expect((await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    expect((await post('/logout', { csrf }, { cookie })).status).toBe(303);
    expect((await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });

  it('lets a user who is not an administrator look, but not act', async () => {
    createUser(store, 'viewer', { password: 'viewer-password' });
    const { cookie, csrf } = await login('viewer', 'viewer-password');
    const answer = await post(`/machines/${machine.system_id}/actions/release`, { confirm: 'yes', csrf }, { cookie });
    expect(answer.status).toBe(403);
    expect(findMachine(store, machine.system_id)!.status).toBe(6);
  });
});

describe('pages', () => {
  it('never show the BMC password', async () => {
    const { cookie } = await login();
    for (const path of ['/', `/machines/${machine.system_id}`, '/bmcs', `/machines/${machine.system_id}/actions/release`]) {
      const text = await (await fetch(`${base}${path}`, { headers: { cookie } })).text();
      expect(text).not.toContain(BMC_PASSWORD);
    }
  });

  it('offer the latest commissioning document as a JSON download', async () => {
    const { cookie } = await login();
    const answer = await fetch(`${base}/machines/${machine.system_id}/commissioning.json`, { headers: { cookie } });
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${machine.system_id}-50-maas-01-commissioning.json"`);
    expect(((await answer.json()) as { api_version: string }).api_version).toBe('1.0');
  });

  it('answer 404 for an unknown machine, and leave the MAAS API to the API', async () => {
    const { cookie } = await login();
    expect((await fetch(`${base}/machines/nosuch`, { headers: { cookie } })).status).toBe(404);
    const api = await fetch(`${base}/MAAS/api/2.0/machines/`, { headers: { cookie } });
    expect(api.status).toBe(401);
  });
});
