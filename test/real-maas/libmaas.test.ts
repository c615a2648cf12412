// python-libmaas (Canonical's Python client, from the kit), unchanged, against `redfish-enlist
// serve`: it connects with an API key, building its session from the registry's API description,
// and lists machines with their CPU, memory, interfaces and block devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDocument, macsOf } from '../registry/fixtures.ts';
import { createDeployed, pushDocument, registryServe, runClient, type Target } from './targets.ts';

let serve: Target & { close(): Promise<void> };

// What a python-libmaas user writes: connect, list, walk each machine's objects.
const SCRIPT = `
import json, sys
from maas.client import connect
client = connect(sys.argv[1], apikey=sys.argv[2])
machines = []
for m in client.machines.list():
    machines.append({
        "system_id": m.system_id, "hostname": m.hostname, "status": m.status_name,
        "cpus": m.cpus, "memory": m.memory, "architecture": m.architecture,
        "zone": m.zone.name, "pool": m.pool.name, "tags": [t.name for t in m.tags],
        "interfaces": [{"name": i.name, "mac": i.mac_address, "type": i.type.value,
                        "links": [{"mode": l.mode.value, "ip": l.ip_address, "subnet": l.subnet.cidr} for l in i.links]}
                       for i in m.interfaces],
        "block_devices": [{"name": b.name, "size": b.size, "model": b.model, "serial": b.serial, "tags": b.tags}
                          for b in m.block_devices],
        "boot_disk": m.boot_disk.name if m.boot_disk else None,
    })
print(json.dumps({"version": client.version.get().version, "machines": machines}))
`;

beforeAll(async () => {
  serve = await registryServe();
  const document = await fixtureDocument('hpe-dl380-gen10-ilo5');
  const systemId = await createDeployed(serve, { hostname: 'dl380-libmaas', architecture: 'amd64', power_type: 'manual', mac_addresses: macsOf(document) });
  await pushDocument(serve, systemId, document);
  await createDeployed(serve, { hostname: 'bare-libmaas', power_type: 'ipmi', power_parameters_power_address: '10.19.0.1' });
});
afterAll(() => serve?.close());

describe('python-libmaas against the registry', () => {
  it('lists machines with their CPU, memory, interfaces and block devices', async () => {
    const outcome = await runClient('libmaas-python', ['-c', SCRIPT, serve.url, serve.key]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const { version, machines } = JSON.parse(outcome.stdout);
    expect(version).toBe('real-maas-suite');
    const document = await fixtureDocument('hpe-dl380-gen10-ilo5');
    const dl380 = machines.find((machine: { hostname: string }) => machine.hostname === 'dl380-libmaas');
    expect(dl380).toMatchObject({ status: 'Deployed', architecture: 'amd64/generic', zone: 'default', pool: 'default', tags: [] });
    expect(dl380.cpus).toBeGreaterThan(0);
    expect(dl380.memory).toBeGreaterThan(0);
    expect(dl380.interfaces.map((iface: { mac: string }) => iface.mac).sort()).toEqual(macsOf(document).sort());
    expect(dl380.interfaces.every((iface: { type: string }) => iface.type === 'physical')).toBe(true);
    const disks = (document.resources as { storage: { disks: { id: string; size: number; serial: string }[] } }).storage.disks;
    expect(dl380.block_devices.map((disk: { name: string; size: number; serial: string }) => [disk.name, disk.size, disk.serial]).sort()).toEqual(
      disks.map((disk) => [disk.id, disk.size, disk.serial]).sort(),
    );
    expect(dl380.block_devices.map((disk: { name: string }) => disk.name)).toContain(dl380.boot_disk);
    expect(machines.find((machine: { hostname: string }) => machine.hostname === 'bare-libmaas')).toMatchObject({ status: 'Deployed', cpus: 0, memory: 0, interfaces: [], block_devices: [], boot_disk: null });
  });
});
