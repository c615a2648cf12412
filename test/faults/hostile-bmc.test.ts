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
  /** Checks the second sweep of a BMC that was swept. */
  readonly again?: (bmc: HostileBmc, result: BmcResult) => void;
  /**
   * Sessions left open (none when absent): after both sweeps, and after an `inventory` of the BMC
   * too, whose warnings must match `warning`.
   */
  readonly leaves?: { readonly sweeps: number; readonly inventory: number; readonly warning: RegExp };
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
    name: 'a 201 with a token but no Location, @odata.id or Id (one session left to time out; said; basic auth, and no session on the next sweep)',
    bmc: { login: (session) => ({ headers: { 'X-Auth-Token': session.token }, body: {} }) },
    check: (bmc, result) => {
      expect(result.warnings.join('\n')).toMatch(/named no session path to delete.*stays open until the BMC times it out; basic auth is used instead/);
      expect(bmc.requests).toContain('GET /redfish/v1/SessionService/Sessions'); // basic auth asked for once
    },
    again: (bmc, result) => {
      expect(bmc.created).toBe(1);
      expect(result.warnings.join('\n')).toMatch(/basic auth is used, and no session made: on \d{4}-\d\d-\d\d the BMC made a session it named no path to delete; a session is tried again from /);
    },
    leaves: { sweeps: 1, inventory: 2, warning: /^warning: the BMC named no session path to delete .*basic auth is used instead$/m },
  },
  {
    name: 'the same, with basic auth refused too (one session left per sweep, and said each time)',
    bmc: { basic: false, login: (session) => ({ headers: { 'X-Auth-Token': session.token }, body: {} }) },
    check: (_bmc, result) => expect(result.warnings.join('\n')).toMatch(/stays open until the BMC times it out, and its token is used \(basic auth was refused\)/),
    again: (bmc, result) => {
      expect(bmc.created).toBe(2);
      expect(result.warnings.join('\n')).toMatch(/named no session path to delete/);
    },
    leaves: { sweeps: 2, inventory: 3, warning: /^warning: the BMC named no session path to delete .*its token is used/m },
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
    name: 'a 201 with no token, no Location and nothing naming the session (one left to time out; said; no login on the next sweep)',
    bmc: { login: () => ({ headers: {}, body: {} }) },
    check: (_bmc, result) => expect(result.warnings.join('\n')).toMatch(/HTTP 201 but no X-Auth-Token and no session path .*stays open until the BMC times it out; basic auth is used instead/),
    again: (bmc, result) => {
      expect(bmc.requests.filter((request) => request.startsWith('POST'))).toHaveLength(1);
      expect(result.warnings.join('\n')).toMatch(/basic auth is used, and no session made/);
    },
    leaves: { sweeps: 1, inventory: 2, warning: /^warning: the BMC answered the login with HTTP 201 but no X-Auth-Token/m },
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
        // Every session the collector made was deleted, or the BMC's result said why not.
        expect(bmc.live.size).toBe(hostile.leaves ? 1 : 0);
        if (hostile.again) {
          const second = (await runSweep([config], new EmbeddedTarget(store), store, settings)).results[0]!;
          expect(second.outcome).toBe('unchanged');
          hostile.again(bmc, second);
          expect(bmc.live.size).toBe(hostile.leaves?.sweeps ?? 0);
          // The BMCs page says why.
          if (hostile.leaves) expect(pageText(store, admin)).toMatch(/named no (session )?path to delete/);
        }
        if (hostile.leaves) {
          const inventory = await runCli(['inventory', bmc.url, '-u', bmc.username], { env: { REDFISH_PASSWORD: bmc.password } });
          expect(inventory.code).toBe(0);
          expect(inventory.stderr).toMatch(hostile.leaves.warning);
          expect(bmc.live.size).toBe(hostile.leaves.inventory);
        }
        verdicts.push({ fault: hostile.name, held: true, detail: hostile.leaves ? `${hostile.leaves.sweeps} session(s) left over 2 sweeps, said` : (result.errorKind ?? result.outcome) });
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

