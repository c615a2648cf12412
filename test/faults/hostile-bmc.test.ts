// Hostile BMCs the simulator cannot play (test/faults/hostile-bmc.ts, raw sockets): logins whose
// session is hard to log out of, and answers that break framing or lead elsewhere. Each case sweeps
// the BMC into a registry and checks the error class the report, the registry and the BMCs page
// show, and that no session the collector made is left open. A summary line per case at the end.
import type { Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/registry/store.ts';
import { bmcState } from '../../src/registry/bmc-state.ts';
import type { BmcConfig } from '../../src/sweep/config.ts';
import { EmbeddedTarget } from '../../src/sweep/embedded-target.ts';
import { runSweep, type BmcResult, type SweepSettings } from '../../src/sweep/sweep.ts';
import { bmcsPage, parseBmcQuery } from '../../src/web/bmcs-page.ts';
import { runCli } from '../helpers/cli.ts';
import { temporaryStore } from '../registry/fixtures.ts';
import { answer, startHostileBmc, type HostileAnswer, type HostileBmc, type HostileOptions } from './hostile-bmc.ts';
import { summarise, type Verdicts } from './summary.ts';

const settings: SweepSettings = {
  concurrency: 1,
  client: { requestTimeoutMs: 2_000, connectTimeoutMs: 1_000, bmcDeadlineMs: 10_000, retries: 2, backoffBaseMs: 5, backoffMaxMs: 20, maxRetryAfterMs: 1_000, maxBodyBytes: 1_048_576 },
};
const verdicts: Verdicts = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => summarise('Hostile BMCs', verdicts));

interface HostileCase {
  readonly name: string;
  readonly bmc: HostileOptions;
  /** A failure of this class, naming the cause; otherwise the BMC is swept. */
  readonly fails?: string;
  readonly message?: RegExp;
  readonly check?: (bmc: HostileBmc, result: BmcResult) => void;
}

/** Answers `path` (without query) with `hostile`, everything else as the service does. */
const at = (path: string | RegExp, hostile: HostileAnswer) => ({
  answer: (request: { path: string; auth: string | undefined }) => {
    const bare = request.path.split('?')[0]!;
    return (typeof path === 'string' ? bare === path : path.test(bare)) ? hostile : undefined;
  },
});

const CASES: readonly HostileCase[] = [
  {
    name: "a login whose Location is on another host (the body's @odata.id is used)",
    bmc: { login: (session) => ({ headers: { 'X-Auth-Token': session.token, Location: `http://evil.example${session.path}` }, body: { '@odata.id': session.path } }) },
  },
  {
    name: 'a login whose Location carries user-info, and no @odata.id',
    bmc: { login: (session, bmc) => ({ headers: { 'X-Auth-Token': session.token, Location: `http://spy:secret@${new URL(bmc.url).host}${session.path}` }, body: {} }) },
  },
  {
    name: 'a login whose Location and @odata.id are both on another host (logged out on the BMC itself)',
    bmc: { login: (session) => ({ headers: { 'X-Auth-Token': session.token, Location: `http://evil.example${session.path}` }, body: { '@odata.id': `https://evil.example${session.path}` } }) },
  },
  {
    name: 'a 201 without X-Auth-Token (the session is deleted; basic auth instead)',
    bmc: { login: (session) => ({ headers: { Location: session.path }, body: { '@odata.id': session.path } }) },
    check: (_bmc, result) => expect(result.warnings.join('\n')).toMatch(/no X-Auth-Token/),
  },
  {
    name: 'a login body with an Id but no @odata.id, and no Location (the Id in the session collection is deleted)',
    bmc: { login: (session) => ({ headers: { 'X-Auth-Token': session.token }, body: { Id: Number(session.id) } }) },
    check: (bmc, result) => {
      expect(bmc.requests).toContain('DELETE /redfish/v1/SessionService/Sessions/1');
      expect(result.warnings).toEqual([]);
    },
  },
  {
    name: 'a Location on another host outside the session collection, no @odata.id (the body Id on the BMC itself is deleted)',
    bmc: { login: (session) => ({ headers: { 'X-Auth-Token': session.token, Location: `http://evil.example/elsewhere/${session.token}` }, body: { Id: session.id } }) },
    check: (bmc) => {
      expect(bmc.requests).toContain('DELETE /redfish/v1/SessionService/Sessions/1');
      expect(bmc.requests.filter((request) => request.startsWith('DELETE'))).toHaveLength(1);
    },
  },
  {
    name: 'a 201 with no token and no Location, the body naming its Id (deleted with basic auth)',
    bmc: { login: (session) => ({ headers: {}, body: { Id: session.id } }) },
    check: (bmc, result) => {
      expect(bmc.requests).toContain('DELETE /redfish/v1/SessionService/Sessions/1');
      expect(result.warnings.join('\n')).toMatch(/no X-Auth-Token; the session was deleted/);
    },
  },
  {
    name: 'a 401 mid-sweep with the session still open (renewed; both sessions deleted)',
    bmc: (() => {
      let refused = false;
      return {
        answer: (request: { path: string }) => {
          if (refused || request.path !== '/redfish/v1/Systems/1') return undefined;
          refused = true;
          return answer(401, { error: { message: 'session expired' } });
        },
      };
    })(),
    check: (bmc) => expect(bmc.created).toBe(2),
  },
  {
    name: 'a 1 MiB header line on /Systems',
    bmc: at('/redfish/v1/Systems', `HTTP/1.1 200 OK\r\nX-Filler: ${'x'.repeat(1_048_576)}\r\nContent-Length: 2\r\n\r\n{}`),
    fails: 'bad-response',
    message: /Systems.*response head larger than/,
  },
  {
    name: 'an endless chunked body on /Systems',
    bmc: at('/redfish/v1/Systems', (socket: Socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `4000\r\n${' '.repeat(0x4000)}\r\n`;
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    }),
    fails: 'bad-response',
    message: /Systems.*larger than/,
  },
  {
    name: 'a redirect of /Systems to another host',
    bmc: at('/redfish/v1/Systems', answer(302, undefined, { Location: 'http://evil.example/redfish/v1/Systems' })),
    fails: 'refused-link',
    message: /Systems.*redirect refused/,
  },
  {
    name: 'a 500 on every path but the service root and login',
    bmc: { answer: (request) => (request.path.split('?')[0] !== '/redfish/v1/' && request.method === 'GET' ? answer(500, { error: { message: 'internal error' } }) : undefined) },
    fails: 'server',
    message: /Systems.*HTTP 500/,
  },
  {
    name: 'a 500 on every path, the service root too',
    bmc: { answer: () => answer(500, { error: { message: 'internal error' } }) },
    fails: 'server',
    message: /HTTP 500/,
  },
];

describe('a hostile BMC', () => {
  for (const hostile of CASES) {
    it(`holds against: ${hostile.name}`, async () => {
      try {
        const bmc = await startHostileBmc(hostile.bmc);
        const { store, admin, dispose } = temporaryStore();
        cleanups.push(() => bmc.close(), dispose);
        const config: BmcConfig = { name: 'hostile', address: bmc.url, username: bmc.username, password: bmc.password, credentials: 'x', tls: { mode: 'verify' }, tags: [], client: {}, discovered: false };
        const report = await runSweep([config], new EmbeddedTarget(store), store, settings);
        const result = report.results[0]!;
        if (hostile.fails) {
          expect(result).toMatchObject({ outcome: 'failed', errorKind: hostile.fails });
          expect(result.message).toMatch(hostile.message!);
          // The registry and its BMCs page say the same.
          expect(bmcState(store, bmc.url)?.last).toMatchObject({ errorKind: hostile.fails });
          expect(pageText(store, admin)).toContain(hostile.fails);
          // So does `inventory`.
          const inventory = await runCli(['inventory', bmc.url, '-u', bmc.username], { env: { REDFISH_PASSWORD: bmc.password } });
          expect(inventory.code).toBe(1);
          expect(inventory.stderr).toMatch(new RegExp(`^redfish-enlist: ${hostile.fails}: `));
          expect(inventory.stderr).toMatch(hostile.message!);
        } else {
          expect(result.outcome).toBe('created');
        }
        hostile.check?.(bmc, result);
        expect([...bmc.live.keys()]).toEqual([]); // every session the collector made was deleted
        verdicts.push({ fault: hostile.name, held: true, detail: result.errorKind ?? result.outcome });
      } catch (error) {
        verdicts.push({ fault: hostile.name, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
        throw error;
      }
    }, 30_000);
  }
});

function pageText(store: Store, admin: { id: number; username: string; isAdmin: boolean }): string {
  return bmcsPage(store, { user: admin, csrfToken: 'x', expiresAt: '9999-01-01T00:00:00Z' }, parseBmcQuery(new URLSearchParams())).text;
}

