// gomaasapi (Juju's Go client for MAAS, Debian's golang-github-juju-gomaasapi-dev), unchanged,
// against the registry: a small Go program (test/gomaasapi/main.go), built here, lists the zones
// and the machines with their zones, interfaces and block devices, and releases one.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryServer } from '../../src/registry/serve.ts';
import { buildGoProgram, findGomaasapi } from '../helpers/gomaasapi.ts';
import { signerFor } from '../helpers/oauth.ts';
import { fixtureDocument, macsOf, registryUnderTest } from './fixtures.ts';

const run = promisify(execFile);
let folder: string;
let program: string;
let server: RegistryServer;
let adminKey: string;
let dispose: () => Promise<void>;

async function call(key: string, method: string, path: string, fields?: Record<string, string | string[]>, files?: Record<string, string>) {
  const url = `${server.url}${path}`;
  const body = new FormData();
  for (const [name, value] of Object.entries(fields ?? {})) for (const one of ([] as string[]).concat(value)) body.append(name, one);
  for (const [name, content] of Object.entries(files ?? {})) body.append(name, new Blob([content]), name);
  const response = await fetch(url, { method, headers: { authorization: signerFor(key)(method, url) }, ...(fields || files ? { body } : {}) });
  const text = await response.text();
  return (response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text) as any;
}

beforeAll(async () => {
  const found = findGomaasapi();
  if ('problem' in found) throw new Error(found.problem);
  folder = mkdtempSync(join(tmpdir(), 'gomaasapi-'));
  program = join(folder, 'gomaasapi-probe');
  await buildGoProgram(found.go, join(import.meta.dirname, '..', 'gomaasapi', 'main.go'), program);
  ({ server, adminKey, dispose } = await registryUnderTest());
}, 300_000);
afterAll(async () => {
  await dispose?.();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('gomaasapi against the registry', () => {
  it('lists machines with their zones, interfaces and block devices, and releases one', async () => {
    const document = await fixtureDocument('dell-r750-idrac9');
    const swept = await call(adminKey, 'POST', '/api/2.0/machines/', { hostname: 'r750-juju', architecture: 'amd64', power_type: 'manual', mac_addresses: macsOf(document), deployed: 'true' });
    const token = await call(adminKey, 'GET', `/api/2.0/machines/${swept.system_id}/?op=get_token`);
    await call(`${token.consumer_key}:${token.token_key}:${token.token_secret}`, 'POST', '/metadata/2012-03-01/', { op: 'signal', status: 'WORKING', exit_status: '0' }, { '50-maas-01-commissioning.out': JSON.stringify(document) });
    const bare = await call(adminKey, 'POST', '/api/2.0/machines/', { hostname: 'bare-juju', power_type: 'ipmi', power_parameters_power_address: '10.20.0.1', deployed: 'true' });

    const { stdout } = await run(program, [`${server.url}/`, adminKey, bare.system_id], { timeout: 60_000 });
    const seen = JSON.parse(stdout);
    expect(seen.zones).toEqual(['default']);
    const machine = seen.machines.find((one: { hostname: string }) => one.hostname === 'r750-juju');
    expect(machine).toMatchObject({ status: 'Deployed', zone: 'default', pool: 'default', cpus: 112, memory: 524288, architecture: 'amd64/generic', ip_addresses: ['10.20.30.41'], physical_disks: 6 });
    expect(machine.interfaces.map((iface: { mac: string }) => iface.mac).sort()).toEqual(macsOf(document).sort());
    expect(machine.interfaces.find((iface: { links: unknown[] }) => iface.links.length > 0)).toMatchObject({ vlan: 'untagged', links: [{ mode: 'static', ip: '10.20.30.41', subnet: '10.20.30.0/24' }] });
    expect(machine.block_devices.map((disk: { name: string }) => disk.name)).toEqual(['sda', 'sdb', 'sdc', 'sdd', 'sde', 'sdf']);
    expect(machine.block_devices[0]).toMatchObject({ size: 480103981056, model: 'MTFDDAK480TDS', path: '/dev/disk/by-dname/sda' });
    expect(seen.machines.find((one: { hostname: string }) => one.hostname === 'bare-juju')).toMatchObject({ status: 'Deployed', interfaces: [], block_devices: [] });
    expect(seen.after).toEqual([expect.objectContaining({ system_id: bare.system_id, status: 'New' })]);
  });

  it('gets MAAS 3.4’s answer where MAAS has nothing: its release of an unknown machine is a bad request', async () => {
    const failure = await run(program, [`${server.url}/`, adminKey, 'nosuch']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/^ReleaseMachines: .*Unknown machine\(s\): nosuch\./);
  });
});
