// A fleet served by DMTF's Redfish-Mockup-Server (../shared/tools/redfish-mockup-server): a server
// this project did not write. One Python process per BMC, each serving one of the project's
// fixtures written out as a distinct machine (its own serials, UUIDs and MACs, as the simulator
// derives them). DMTF's server answers one request at a time over HTTP/1.0, closes every
// connection, sends no ETags, and 404s what the simulator would refuse (error.json resources).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fixtureTrees } from '../src/cli/fixtures.ts';
import { identityTables, loadTrees } from '../src/redfish/simulator/index.ts';
import { renderResource } from '../src/redfish/simulator/render.ts';
import { prepareTree } from '../src/redfish/simulator/tree.ts';

/** Where DMTF's server is: REDFISH_MOCKUP_SERVER, else beside the checkout. */
export const MOCKUP_SERVER = process.env.REDFISH_MOCKUP_SERVER ?? resolve(import.meta.dirname, '..', '..', 'shared', 'tools', 'redfish-mockup-server');

/** A running fleet of DMTF servers. */
export interface MockupFleet {
  readonly trees: readonly string[];
  readonly bmcs: readonly { readonly name: string; readonly url: string; readonly username: string; readonly password: string }[];
  close(): Promise<void>;
}

/** Why the fleet cannot run here, or undefined when it can. */
export function mockupServerMissing(): string | undefined {
  if (!existsSync(join(MOCKUP_SERVER, 'redfishMockupServer.py'))) return `${MOCKUP_SERVER}/redfishMockupServer.py not found (set REDFISH_MOCKUP_SERVER)`;
  return undefined;
}

/** Writes `size` machines into `dir` and serves each with its own DMTF server, `latencyMs` per answer. */
export async function startMockupFleet(size: number, latencyMs: number, dir: string): Promise<MockupFleet> {
  const trees = await loadTrees(fixtureTrees());
  const width = Math.max(4, String(size).length);
  const processes: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(processes.map(stop));
  };
  try {
    const bmcs = [];
    for (let index = 0; index < size; index++) {
      const tree = trees[index % trees.length]!;
      const root = join(dir, `bmc-${index}`);
      await writeMachine(tree.mockup, index, root);
      const port = await freePort();
      const child = spawn('python3', [join(MOCKUP_SERVER, 'redfishMockupServer.py'), '-H', '127.0.0.1', '-p', String(port), '-D', root, '-t', String(latencyMs / 1000)], {
        cwd: MOCKUP_SERVER,
        env: { ...process.env, PYTHONPATH: MOCKUP_SERVER },
        stdio: 'ignore',
      });
      processes.push(child);
      bmcs.push({ name: `dmtf-${String(index + 1).padStart(width, '0')}-${tree.name}`, url: `http://127.0.0.1:${port}`, username: 'admin', password: 'dmtf-mockup' });
    }
    await Promise.all(bmcs.map((bmc) => ready(bmc.url)));
    return { trees: trees.map((tree) => tree.name), bmcs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

// Every resource as the simulator would serve it to machine `index`, in DMTF's folder layout.
async function writeMachine(mockup: Parameters<typeof prepareTree>[0], index: number, root: string): Promise<void> {
  const tree = prepareTree(mockup);
  const settings = { expand: 'ok' as const, pageSize: 0, identity: index, identityTables: identityTables(mockup) };
  for (const key of mockup.keys()) {
    const rendered = renderResource(tree, undefined, key, new URLSearchParams(), settings);
    if (rendered === undefined || rendered.status !== 200) continue;
    const folder = join(root, ...key.split('/').filter(Boolean));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'index.json'), rendered.text);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function ready(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(`${url}/redfish/v1/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`DMTF's mockup server at ${url} did not answer within 10 s`);
}
