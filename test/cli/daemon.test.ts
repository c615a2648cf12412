// The daemon as an operator runs it: a real process, scheduled sweeps, SIGTERM in the middle of one.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listMachines } from '../../src/registry/machines.ts';
import { Store } from '../../src/registry/store.ts';
import { writeSimulatedSetup } from '../../src/sweep/simulated-setup.ts';
import type { SimulatedFleet } from '../../src/redfish/simulator/index.ts';
import { isDue } from '../../src/sweep/daemon.ts';
import { fixtureFleet } from '../sweep/fleet.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
let fleet: SimulatedFleet | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fleet = dir = undefined;
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); ) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the daemon', () => {
  it('sweeps on schedule, and on SIGTERM mid-sweep finishes, logs out of every BMC and exits 0', async () => {
    fleet = await fixtureFleet(16);
    for (const bmc of fleet.bmcs) bmc.setFaults([]);
    dir = mkdtempSync(join(tmpdir(), 'daemon-'));
    const setup = await writeSimulatedSetup(fleet, dir);
    writeFileSync(
      setup.config,
      `target: { kind: embedded, database: ${setup.database} }
credentials: { simulator: { username: admin, passwordFile: simulator.password } }
include: [bmcs.yaml]
schedule: { interval: 1s, jitter: 0s }
concurrency: { bmcs: 4 }
daemon: { listen: "127.0.0.1:0" }
log: { level: info }
`,
    );
    const child = spawn(process.execPath, [MAIN, 'daemon', '--config', setup.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let sweeps = 0;
    let second: () => void = () => {};
    const secondStarted = new Promise<void>((resolve) => (second = resolve));
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        if (line.msg === 'sweep finished' && ++sweeps === 2) second();
      }
    });
    await secondStarted;
    // Its health and metrics are served while it runs.
    const url = lines.find((line) => line.msg === 'serving /metrics and /healthz')?.url as string;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await fetch(`${url}/metrics`).then((response) => response.text())).toMatch(/redfish_enlist_\w+/);
    // SIGHUP reloads the configuration between sweeps.
    child.kill('SIGHUP');
    await waitFor(() => lines.some((line) => line.msg === 'configuration reloaded'));
    // Slow every BMC down so the third sweep is certainly in flight when SIGTERM arrives.
    for (const bmc of fleet.bmcs) bmc.setFaults([{ path: /Systems|Chassis/, afterAuth: true, action: { type: 'drip', bytesPerSecond: 50_000 } }]);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    const stopping = lines.findIndex((line) => line.msg === 'stopping: no new BMCs; waiting for the ones in flight');
    const lastSweep = lines.findLastIndex((line) => line.msg === 'sweep finished');
    // The stop came while a sweep was in flight, and that sweep still finished.
    expect(stopping).toBeGreaterThan(0);
    expect(lastSweep).toBeGreaterThan(stopping);
    // Finished, not cancelled: one SIGTERM lets the BMCs in flight complete.
    expect(lines[stopping]).toMatchObject({ why: 'SIGTERM' });
    expect(lines[lastSweep]).toMatchObject({ failed: 0 });
    expect(lines.filter((line) => line.msg === 'BMC sweep cancelled')).toEqual([]);
    expect(lines.at(-1)?.msg).toBe('stopped');
    const totals = fleet.totals();
    expect(totals.openSessions).toBe(0);
    expect(totals.sessionsCreated).toBe(totals.sessionsDeleted);
    expect(sweeps).toBeGreaterThanOrEqual(2);
    const store = new Store(setup.database);
    expect(listMachines(store)).toHaveLength(16);
    store.close();
  }, 60_000);

  it('waits longer and longer before trying a BMC that keeps failing', () => {
    const hour = 3_600_000;
    const at = Date.parse('2026-11-25T10:00:00Z');
    const state = (failures: number) => ({ address: 'x', systems: {}, consecutiveFailures: failures, lastSweep: '2026-11-25T10:00:00Z' });
    expect(isDue(undefined, hour, at)).toBe(true);
    expect(isDue(state(0), hour, at)).toBe(true);
    expect(isDue(state(1), hour, at + hour)).toBe(true);
    expect(isDue(state(3), hour, at + hour)).toBe(false);
    expect(isDue(state(3), hour, at + 4 * hour)).toBe(true);
    expect(isDue(state(30), hour, at + 23 * hour)).toBe(false);
    expect(isDue(state(30), hour, at + 24 * hour)).toBe(true);
  });
});
