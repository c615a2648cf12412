// kill -9 the registry in the middle of a stream of pushes: the database must open afterwards with
// every acknowledged push in it and no push half-applied.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentFingerprint } from '../../src/registry/hardware.ts';
import { createMachine, findMachine } from '../../src/registry/machines.ts';
import { Store } from '../../src/registry/store.ts';
import { issueMachineToken, machineToken } from '../../src/registry/users.ts';
import { signerFor } from '../helpers/oauth.ts';
import { fixtureDocument, macsOf, temporaryStore } from './fixtures.ts';

describe('a registry killed with SIGKILL during pushes', () => {
  it('reopens with every acknowledged push applied and nothing half-applied', async () => {
    const { store, admin, folder, dispose } = temporaryStore();
    const dell = await fixtureDocument('dell-r750-idrac9');
    const machines: { systemId: string; token: string; document: unknown }[] = [];
    for (let i = 0; i < 120; i++) {
      const document = structuredClone(dell) as any;
      // Each machine gets its own MACs and disk serials so every push is distinct.
      const hex = i.toString(16).padStart(2, '0');
      const macs = macsOf(dell).map((mac) => `02:ab:${hex}:${mac.slice(9)}`);
      // Ports in document order are the MACs in document order, however the cards group them.
      document.resources.network.cards.flatMap((card: any) => card.ports).forEach((port: any, index: number) => (port.address = macs[index]));
      const names = Object.keys(document.networks);
      for (const [index, name] of names.entries()) {
        const entry = document.networks[name];
        delete document.networks[name];
        const card = document.resources.network.cards.flatMap((c: any) => c.ports).find((port: any) => port.id === name);
        card.id = `enx${macs[index]!.replaceAll(':', '')}`;
        document.networks[card.id] = { ...entry, hwaddr: card.address };
      }
      for (const disk of document.resources.storage.disks) disk.serial = `${disk.serial}-${i}`;
      const row = createMachine(store, { hostname: `node-${i}`, architecture: 'amd64', macAddresses: macs, powerType: 'manual', deployed: true }, admin);
      const token = machineToken(store, row.id) ?? issueMachineToken(store, row.id);
      machines.push({ systemId: row.system_id, token: `${token.consumerKey}:${token.tokenKey}:${token.tokenSecret}`, document });
    }
    store.close();

    const dbPath = join(folder, 'registry.db');
    const child = spawn(process.execPath, [join(import.meta.dirname, 'crash-server.ts'), dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const url = line.toString().trim();
    const acknowledged: number[] = [];
    const push = async (index: number) => {
      const { token, document } = machines[index]!;
      const target = `${url}/metadata/2012-03-01/`;
      const body = new FormData();
      for (const [name, value] of Object.entries({ op: 'signal', status: 'WORKING', exit_status: '0', name: '50-maas-01-commissioning' })) body.append(name, value);
      body.append('50-maas-01-commissioning.out', new Blob([JSON.stringify(document)]), '50-maas-01-commissioning.out');
      try {
        const response = await fetch(target, { method: 'POST', headers: { authorization: signerFor(token)('POST', target) }, body });
        if (response.status === 200) acknowledged.push(index);
      } catch {
        // the server died mid-request: not acknowledged
      }
    };
    // Four pushes in flight at a time; the kill lands in the middle of the stream.
    let next = 0;
    const workers = Array.from({ length: 4 }, async () => {
      while (next < machines.length) await push(next++);
    });
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await Promise.all([...workers, exited]);

    const reopened = new Store(dbPath);
    try {
      expect(reopened.get<{ integrity_check: string }>('PRAGMA integrity_check')?.integrity_check).toBe('ok');
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
      expect(acknowledged.length).toBeLessThan(machines.length);
      for (const [index, machine] of machines.entries()) {
        const row = findMachine(reopened, machine.systemId)!;
        const disks = reopened.all<{ serial: string }>('SELECT serial FROM block_devices WHERE machine_id = ?', row.id);
        if (acknowledged.includes(index)) expect(row.fingerprint, `acknowledged push ${index}`).toBe(documentFingerprint(machine.document));
        // Applied entirely or not at all.
        if (row.fingerprint === null) expect(disks).toEqual([]);
        else expect(disks.map((disk) => disk.serial).sort()).toEqual((machine.document as any).resources.storage.disks.map((disk: any) => disk.serial).sort());
      }
    } finally {
      reopened.close();
      dispose();
    }
  });
});
