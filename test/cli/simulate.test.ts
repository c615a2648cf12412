// `redfish-enlist simulate` run in-process as a user runs it, then asked over real sockets whether
// the simulated BMCs really behave as the options said.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { RedfishClient } from '../../src/redfish/client.ts';
import { capture } from '../helpers/cli.ts';
import { FIXTURES } from '../helpers/mockup.ts';

const DELL = join(FIXTURES, 'dell-r750-idrac9');
const MEMORY = '/redfish/v1/Systems/System.Embedded.1/Memory';
const BASIC = { authorization: `Basic ${Buffer.from('admin:redfish').toString('base64')}` };

interface Running {
  readonly urls: string[];
  readonly stdout: () => string;
  stop(): Promise<number>;
}

let running: Running | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  running = dir = undefined;
});

// Starts the command and resolves once it serves; or, when it refuses to start, to its exit and output.
async function simulate(args: string[]): Promise<{ running?: Running; code?: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const interrupt = new AbortController();
  const exit = main(['simulate', ...args], { stdout: stdout.stream, stderr: stderr.stream, env: {}, signal: interrupt.signal });
  let exited: number | undefined;
  void exit.then((code) => (exited = code));
  while (exited === undefined && !stdout.text().includes('serving until interrupted')) await new Promise((resolve) => setTimeout(resolve, 10));
  if (exited !== undefined) return { code: exited, stdout: stdout.text(), stderr: stderr.text() };
  const urls = [...stdout.text().matchAll(/^(http:\/\/\S+)\s/gm)].map((match) => match[1]!);
  running = {
    urls,
    stdout: stdout.text,
    stop: () => {
      interrupt.abort(new Error('SIGINT'));
      return exit;
    },
  };
  return { running, stdout: stdout.text(), stderr: stderr.text() };
}

async function get(url: string, headers: Record<string, string> = BASIC) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

function login(url: string) {
  return fetch(`${url}/redfish/v1/SessionService/Sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: 'admin', Password: 'redfish' }),
  });
}

function faultFile(text: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'simulate-'));
  const file = join(dir, 'faults.yaml');
  writeFileSync(file, text);
  return file;
}

describe('redfish-enlist simulate', () => {
  it('answers 500 everywhere but the service root and login with --error-rate 1', async () => {
    const { running } = await simulate([DELL, '--http', '--error-rate', '1']);
    const [url] = running!.urls;
    expect((await get(`${url}/redfish/v1/`, {})).status).toBe(200);
    const session = await login(url!);
    expect(session.status).toBe(201);
    const token = { 'x-auth-token': session.headers.get('x-auth-token')! };
    expect((await get(`${url}/redfish/v1/Systems`, token)).status).toBe(500);
    expect((await get(`${url}${MEMORY}`, token)).status).toBe(500);
  });

  it("refuses logins past --session-limit, and a collector falls back to basic auth", async () => {
    const { running } = await simulate([DELL, '--http', '--session-limit', '1']);
    const [url] = running!.urls;
    expect((await login(url!)).status).toBe(201);
    const refused = await login(url!);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('RAC0218');
    const client = new RedfishClient({ address: url!, username: 'admin', password: 'redfish' });
    await client.connect();
    await client.close();
    expect(client.auth).toBe('basic');
    expect(client.authNote).toMatch(/session limit/);
  });

  it('stops advertising and answering $expand with --no-expand', async () => {
    const { running } = await simulate([DELL, '--http', '--no-expand']);
    const [url] = running!.urls;
    const root = JSON.parse((await get(`${url}/redfish/v1/`, {})).text) as { ProtocolFeaturesSupported: Record<string, unknown> };
    expect(root.ProtocolFeaturesSupported).not.toHaveProperty('ExpandQuery');
    const memory = JSON.parse((await get(`${url}${MEMORY}?$expand=.($levels=1)`)).text) as { Members: object[] };
    expect(memory.Members.length).toBeGreaterThan(0);
    expect(memory.Members.every((member) => Object.keys(member).join() === '@odata.id')).toBe(true);
  });

  it('serves long collections in pages of --page-size linked by Members@odata.nextLink', async () => {
    const { running } = await simulate([DELL, '--http', '--page-size', '5']);
    const [url] = running!.urls;
    const first = JSON.parse((await get(`${url}${MEMORY}`)).text) as Record<string, unknown>;
    expect(first.Members).toHaveLength(5);
    expect(first['Members@odata.nextLink']).toBe(`${MEMORY}?$skip=5`);
  });

  it('applies --faults rules to every BMC, or only to the BMCs a rule lists', async () => {
    const file = faultFile(`
- pattern: /Memory$
  action: { type: status, status: 503, headers: { Retry-After: "7" } }
  bmcs: [1]
- path: /redfish/v1/Chassis
  action: { type: html }
`);
    const { running } = await simulate([DELL, '--http', '--fleet', '2', '--faults', file]);
    const [first, second] = running!.urls;
    expect((await get(`${first}${MEMORY}`)).status).toBe(200);
    const busy = await get(`${second}${MEMORY}`);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    for (const url of [first, second]) expect((await get(`${url}/redfish/v1/Chassis`)).text).toContain('<!DOCTYPE html>');
  });

  it('closes the connection after every answer with --no-keep-alive', async () => {
    const { running } = await simulate([DELL, '--http', '--no-keep-alive']);
    const [url] = running!.urls;
    for (const path of ['/redfish/v1/', MEMORY]) expect((await get(`${url}${path}`)).headers.get('connection')).toBe('close');
    expect((await login(url!)).headers.get('connection')).toBe('close');
  });

  it('works on one request at a time with --concurrent 1: the next waits until the one before is done', async () => {
    const file = faultFile(`
- path: /redfish/v1/Chassis
  action: { type: hang }
`);
    const { running } = await simulate([DELL, '--http', '--concurrent', '1', '--faults', file]);
    const [url] = running!.urls;
    const events: string[] = [];
    const stuck = new AbortController();
    const hung = fetch(`${url}/redfish/v1/Chassis`, { headers: BASIC, signal: stuck.signal }).catch(() => events.push('hung request abandoned'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = get(`${url}/redfish/v1/`, {}).then((answer) => events.push(`next answered ${answer.status}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    events.push('abandoning the hung request');
    stuck.abort();
    await Promise.all([hung, next]);
    expect(events).toEqual(['abandoning the hung request', 'hung request abandoned', 'next answered 200']);
  });

  it.each([
    [['--latency-tail', '-0.5'], '--latency-tail: expected a number from 0 to 10, got "-0.5"'],
    [['--slow-every', '0'], '--slow-every: expected an integer from 1 to 20000, got "0"'],
    [['--concurrent', '0'], '--concurrent: expected an integer from 1 to 1000, got "0"'],
    [['--session-limit', '-1'], '--session-limit: expected an integer from 0 up, got "-1"'],
    [['--page-size', 'ten'], '--page-size: expected an integer from 0 up, got "ten"'],
    [['--error-rate', '1.5'], '--error-rate: expected a number from 0 to 1, got "1.5"'],
    [['--latency', 'slow'], '--latency: expected a number from 0 up'],
    [['--base-port', '70000'], '--base-port: expected an integer from 1 to 65535'],
    [['--fleet', '0'], '--fleet: expected an integer from 1 to 20000'],
    [['--faults', '/nonexistent/faults.yaml'], '--faults: cannot read /nonexistent/faults.yaml (ENOENT)'],
  ])('refuses %j with an error naming the option, before serving anything', async (args, message) => {
    const result = await simulate([DELL, '--http', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('http://');
  });

  it.each([
    ['a map instead of a list', 'action: { type: reset }', '`faults` to be a YAML list of fault rules'],
    ['a pattern that is not a regular expression', '- { pattern: "(", action: { type: reset } }', '`faults[0].pattern` to be a valid regular expression'],
    ['an index past the fleet', '- { bmcs: [2], action: { type: reset } }', '`faults[0].bmcs` to be a list of BMC indexes from 0 to 1'],
    ['a misspelt key', '- { probabilty: 0.5, action: { type: reset } }', 'Unknown key `faults[0].probabilty`'],
    ['an unknown action', '- { action: { type: explode } }', '`faults[0].action.type` to be one of status, hang'],
    ['a probability above 1', '- { probability: 2, action: { type: reset } }', '`faults[0].probability` to be a number from 0 to 1'],
    ['both path and pattern', '- { path: /redfish/v1, pattern: v1, action: { type: reset } }', '`faults[0]` has both path and pattern'],
    ['invalid YAML', '- { action: [', 'not valid YAML'],
  ])('refuses a fault file with %s, naming the bad entry', async (_name, text, message) => {
    const file = faultFile(text);
    const result = await simulate([DELL, '--http', '--fleet', '2', '--faults', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--faults ${file}: `);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('http://');
  });
});
