// The registry's commands as an operator runs them, in-process: `users add` with a password file,
// then logging in to what `serve` serves; users and API keys managed; `serve --config` listing the
// configured BMCs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { recordBmcSweep } from '../../src/registry/bmc-state.ts';
import { registerMachine } from '../../src/registry/register.ts';
import { verifyPassword } from '../../src/registry/secrets.ts';
import { Store } from '../../src/registry/store.ts';
import { createUser, findUser } from '../../src/registry/users.ts';
import { capture, runCli } from '../helpers/cli.ts';
import { signerFor } from '../helpers/oauth.ts';
import { tableRows } from '../web/page-html.ts';

const WEB_PASSWORD = 'Tr0ub4dor-web-login';
const BMC_PASSWORD = 'calvin-in-a-file-42';

const run = (args: string[], signal?: AbortSignal) => runCli(args, signal ? { signal } : {});

// `serve` on a free port until stop(); resolves once it has printed where it listens.
async function serve(args: string[]) {
  const controller = new AbortController();
  const stdout = capture();
  const stderr = capture();
  const done = main(['serve', '--port', '0', ...args], { stdout: stdout.stream, stderr: stderr.stream, env: {}, signal: controller.signal });
  let base: string | undefined;
  while (!base) {
    const code = await Promise.race([done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10))]);
    if (code !== undefined) throw new Error(`serve exited with ${code}: ${stderr.text()}`);
    base = /web interface at (http:\/\/\S+?)\/ /.exec(stdout.text())?.[1];
  }
  const stop = async () => {
    controller.abort();
    return { code: await done, stdout: stdout.text(), stderr: stderr.text() };
  };
  return { base, stdout: stdout.text(), stop };
}

// Logs in through the login form as a browser does; resolves to the session cookie, or the refusal's status.
async function login(base: string, username: string, password: string): Promise<{ status: number; cookie?: string }> {
  const form = await fetch(`${base}/login`);
  const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const answer = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username, password, next: '/' }).toString(),
  });
  const session = answer.headers.getSetCookie().find((value) => value.startsWith('rfe-session='));
  return { status: answer.status, ...(session ? { cookie: session.split(';')[0]! } : {}) };
}

let dir: string;
let database: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-cli-'));
  database = join(dir, 'registry.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('redfish-enlist users add', () => {
  it('takes the web password from the first line of --password-file, stores only its hash, and lets the user log in', async () => {
    writeFileSync(join(dir, 'alice.pw'), `${WEB_PASSWORD}\nnot part of it\n`);
    const added = await run(['users', 'add', 'alice', '--admin', '--password-file', join(dir, 'alice.pw'), '--database', database]);
    expect(added).toMatchObject({ code: 0, stdout: 'user alice (administrator) can log in to the web interface\n' });
    expect(added.stdout + added.stderr).not.toContain(WEB_PASSWORD);

    const store = new Store(database);
    const hash = findUser(store, 'alice')!.passwordHash!;
    store.close();
    expect(hash).not.toContain(WEB_PASSWORD);
    expect(verifyPassword(WEB_PASSWORD, hash)).toBe(true);
    for (const file of [database, `${database}-wal`].filter(existsSync)) expect(readFileSync(file).includes(WEB_PASSWORD), file).toBe(false);

    const server = await serve(['--database', database]);
    try {
      expect(await login(server.base, 'alice', 'not the password')).toEqual({ status: 401 });
      const { status, cookie } = await login(server.base, 'alice', WEB_PASSWORD);
      expect(status).toBe(303);
      const home = await fetch(`${server.base}/`, { headers: { cookie: cookie! }, redirect: 'manual' });
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<h1>Machines</h1>');
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('refuses a missing or empty password file with status 2, naming the file, and creates no user', async () => {
    const missing = await run(['users', 'add', 'bob', '--password-file', join(dir, 'nowhere.pw'), '--database', database]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`redfish-enlist: password: cannot read ${join(dir, 'nowhere.pw')} (ENOENT)\n`);
    writeFileSync(join(dir, 'empty.pw'), '\n');
    const empty = await run(['users', 'add', 'bob', '--password-file', join(dir, 'empty.pw'), '--database', database]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(`redfish-enlist: password: ${join(dir, 'empty.pw')} is empty\n`);
    const store = new Store(database);
    expect(findUser(store, 'bob')).toBeUndefined();
    store.close();
  });
});

describe('redfish-enlist users and apikey', () => {
  const pw = (name: string, text: string) => {
    writeFileSync(join(dir, name), `${text}\n`);
    return join(dir, name);
  };

  it('refuses to add a user that exists, with status 1, leaving its password as it was', async () => {
    expect((await run(['users', 'add', 'alice', '--password-file', pw('a.pw', WEB_PASSWORD), '--database', database])).code).toBe(0);
    const again = await run(['users', 'add', 'alice', '--admin', '--password-file', pw('b.pw', 'another-password-9'), '--database', database]);
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'redfish-enlist: user alice already exists (users passwd alice sets its password)\n' });
    const store = new Store(database);
    expect(verifyPassword(WEB_PASSWORD, findUser(store, 'alice')!.passwordHash!)).toBe(true);
    store.close();
  });

  it('refuses a password shorter than 8 characters with status 2 (usage), creating no user and changing none', async () => {
    const short = pw('short.pw', 'abc1234');
    const added = await run(['users', 'add', 'carol', '--password-file', short, '--database', database]);
    expect(added).toMatchObject({ code: 2, stderr: 'redfish-enlist: a password needs at least 8 characters\n' });
    expect((await run(['users', 'add', 'dave', '--password-file', pw('d.pw', WEB_PASSWORD), '--database', database])).code).toBe(0);
    const changed = await run(['users', 'passwd', 'dave', '--password-file', short, '--database', database]);
    expect(changed.code).toBe(2);
    const store = new Store(database);
    expect(findUser(store, 'carol')).toBeUndefined();
    expect(verifyPassword(WEB_PASSWORD, findUser(store, 'dave')!.passwordHash!)).toBe(true);
    store.close();
  });

  it('lists users, changes a password (ending its web sessions) and removes a user with its keys', async () => {
    expect((await run(['users', 'add', 'root', '--password-file', pw('r.pw', WEB_PASSWORD), '--database', database])).code).toBe(0);
    expect((await run(['users', 'add', 'bob', '--password-file', pw('bob.pw', WEB_PASSWORD), '--database', database])).code).toBe(0);
    const key = (await run(['apikey', '--username', 'bob', '--database', database])).stdout.trim();
    const listed = await run(['users', 'list', '--database', database]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^USER\s+ADMIN\s+WEB LOGIN\s+API KEYS\s+MACHINES\s+CREATED\nbob\s+no\s+yes\s+1\s+0\s+\d{4}-\d\d-\d\d\nroot\s+yes\s+yes\s+0\s+0\s+[\d-]+\n\n2 users\n$/);
    expect(listed.stdout).not.toContain(key.split(':')[2]);

    const server = await serve(['--database', database]);
    try {
      const { cookie } = await login(server.base, 'bob', WEB_PASSWORD);
      const changed = await run(['users', 'passwd', 'bob', '--password-file', pw('new.pw', 'a-new-web-password'), '--database', database]);
      expect(changed).toMatchObject({ code: 0, stdout: 'user bob has a new web password; its web sessions were ended\n' });
      expect((await fetch(`${server.base}/`, { headers: { cookie: cookie! }, redirect: 'manual' })).status).toBe(303);
      expect((await login(server.base, 'bob', WEB_PASSWORD)).status).toBe(401);
      expect((await login(server.base, 'bob', 'a-new-web-password')).status).toBe(303);
    } finally {
      await server.stop();
    }
    const store = new Store(database);
    const { row } = registerMachine(store, { hostname: 'owned-by-bob', architecture: 'amd64', macAddresses: ['52:54:00:00:00:01'], powerType: 'manual' }, { ...findUser(store, 'bob')!, isAdmin: true });
    store.close();
    expect(await run(['users', 'remove', 'bob', '--database', database])).toMatchObject({ code: 1, stderr: 'redfish-enlist: user bob owns 1 machine; release them first\n' });
    const again = new Store(database);
    again.run('UPDATE machines SET owner = NULL WHERE id = ?', row.id);
    again.close();
    expect(await run(['users', 'remove', 'bob', '--database', database])).toMatchObject({ code: 0, stdout: 'removed user bob\n' });
    expect((await run(['apikey', '--list', '--database', database])).stdout).not.toContain(key.split(':')[1]);
    expect(await run(['users', 'remove', 'bob', '--database', database])).toMatchObject({ code: 1, stderr: 'redfish-enlist: no user bob\n' });
    expect(await run(['users', 'remove', 'root', '--database', database])).toMatchObject({ code: 1, stderr: 'redfish-enlist: user root is the last administrator\n' });
  });

  it('prints one key, the same on every call, makes another with --generate, lists them (or one user\'s) without secrets and revokes one', async () => {
    const first = (await run(['apikey', '--database', database])).stdout.trim();
    expect(first).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
    expect((await run(['apikey', '--database', database])).stdout.trim()).toBe(first);
    const second = (await run(['apikey', '--generate', '--database', database])).stdout.trim();
    expect(second).not.toBe(first);
    // Still the first, alone: `apikey > admin.key` writes one key.
    expect((await run(['apikey', '--database', database])).stdout).toBe(`${first}\n`);
    expect((await run(['apikey', '--list', '--username', 'nobody', '--database', database])).stdout).toBe('TOKEN  USER  NAME  CREATED\n\n0 API keys\n');
    const listed = await run(['apikey', '--list', '--database', database]);
    expect(listed.stdout).toMatch(new RegExp(`^TOKEN\\s+USER\\s+NAME\\s+CREATED\\n${first.split(':')[1]}\\s+admin\\s+cli\\s+[\\d-]+ [\\d:]+\\n${second.split(':')[1]}\\s+admin`));
    for (const key of [first, second]) expect(listed.stdout).not.toContain(key.split(':')[2]);

    const server = await serve(['--database', database]);
    try {
      const url = `${server.base}/MAAS/api/2.0/machines/`;
      const machines = () => fetch(url, { headers: { authorization: signerFor(first)('GET', url) } });
      expect((await machines()).status).toBe(200);
      expect(await run(['apikey', '--revoke', first, '--database', database])).toMatchObject({ code: 0, stdout: `revoked API key ${first.split(':')[1]} of admin\n` });
      expect((await machines()).status).toBe(401);
    } finally {
      await server.stop();
    }
    expect(await run(['apikey', '--revoke', first, '--database', database])).toMatchObject({ code: 1, stderr: 'redfish-enlist: no such API key\n' });
    expect((await run(['apikey', '--database', database])).stdout).toBe(`${second}\n`);
    expect(await run(['apikey', '--revoke', second.split(':')[1]!, '--database', database])).toMatchObject({ code: 0 });
  });

  it('refuses a database that does not exist in every command that only reads or changes what exists, creating none', async () => {
    const typo = join(dir, 'regsitry.db');
    for (const args of [['machines'], ['users', 'list'], ['users', 'remove', 'bob'], ['users', 'passwd', 'bob', '--password-env', 'PW'], ['apikey', '--list'], ['apikey', '--revoke', 'x']]) {
      const result = await runCli([...args, '--database', typo], { env: { PW: WEB_PASSWORD } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toBe(`redfish-enlist: no registry database at ${typo} (a sweep to an embedded target, users add or apikey creates one; --database names another)\n`);
    }
    expect(existsSync(typo)).toBe(false);
  });
});

describe('redfish-enlist serve --config', () => {
  // Two configured BMCs, one of them already swept; the database is the configuration's target.
  function configure(): string {
    writeFileSync(join(dir, 'bmc.pw'), `${BMC_PASSWORD}\n`);
    writeFileSync(
      join(dir, 'config.yaml'),
      `target: { kind: embedded, database: registry.db }
credentials: { idrac: { username: root, passwordFile: bmc.pw } }
bmcs:
  - { name: r750-rack-a, address: "https://10.1.0.5", credentials: idrac, tls: pin }
  - { name: spare-rack-c, address: "https://10.1.0.9", credentials: idrac, tls: insecure }
`,
    );
    return join(dir, 'config.yaml');
  }

  it("lists every configured BMC on the BMCs page by name, address and TLS mode, never-swept ones as such, and no password", async () => {
    const config = configure();
    writeFileSync(join(dir, 'ops.pw'), `${WEB_PASSWORD}\n`);
    expect((await run(['users', 'add', 'ops', '--password-file', join(dir, 'ops.pw'), '--database', database])).code).toBe(0);
    const store = new Store(database);
    recordBmcSweep(store, 'https://10.1.0.5', { outcome: 'failed', errorKind: 'timeout', message: 'no answer in 30 s', requests: 3, bytes: 900, ms: 30_000, tls: 'pin', at: store.timestamp() });
    store.close();

    const server = await serve(['--config', config]);
    let page: string;
    try {
      expect(server.stdout).toContain(`(database ${database}; 2 BMCs configured in ${config})`);
      const { cookie } = await login(server.base, 'ops', WEB_PASSWORD);
      page = await (await fetch(`${server.base}/bmcs`, { headers: { cookie: cookie! } })).text();
    } finally {
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
      expect(stopped.stdout + stopped.stderr).not.toContain(BMC_PASSWORD);
    }
    expect(tableRows(page, { className: 'bmcs' }).map((row) => [row.text.Address, row.text['Error class'], row.text.TLS])).toEqual([['https://10.1.0.5 r750-rack-a', 'timeout', 'pin']]);
    expect(tableRows(page, { className: 'configured' }).map((row) => row.text)).toEqual([{ Name: 'spare-rack-c', Address: 'https://10.1.0.9', TLS: 'insecure', 'Last sweep': 'never' }]);
    expect(page).not.toContain(BMC_PASSWORD);
  });

  it('refuses a configuration with problems with status 2, before serving anything', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'bmcs:\n  - address: 10.0.0.1\n    credentials: nobody\n');
    // Already aborted: were the file accepted, serve would start, stop at once and exit 0.
    const result = await run(['serve', '--port', '0', '--config', join(dir, 'bad.yaml'), '--database', database], AbortSignal.abort());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bmcs[0].credentials: no credentials named "nobody"');
    expect(result.stdout).toBe('');
  });
});

describe('redfish-enlist machines', () => {
  it('says "no hardware information yet" for a machine created without hardware, rather than 0 CPUs', async () => {
    const store = new Store(database);
    registerMachine(store, { hostname: 'bare-01', architecture: 'amd64', macAddresses: ['52:54:00:00:00:02'], powerType: 'manual' }, { ...createUser(store, 'root', { admin: true }), isAdmin: true });
    store.close();
    const listed = await run(['machines', '--database', database]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^bare-01 +\w{6} +\w+ +manual +no hardware information yet +52:54:00:00:00:02 *$/m);
  });
});
