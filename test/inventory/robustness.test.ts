// Property-style: no Redfish input, however malformed, makes normalisation throw or produce a
// document MAAS would refuse. Mutations are drawn from a seeded generator so failures replay.
import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import type { HardwareInventory } from '../../src/inventory/model.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import type { Outcome } from '../../src/redfish/crawl.ts';
import { loadSource, sourceOf, FIXTURES, treesIn } from '../helpers/mockup.ts';
import { tree } from '../helpers/redfish-tree.ts';
import { join } from 'node:path';

function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const HOSTILE: readonly unknown[] = [
  null,
  '',
  'not a number',
  -1,
  1e308,
  2 ** 40,
  2.5,
  Number.NaN,
  true,
  [],
  [null, 42, 'x'],
  {},
  { '@odata.id': 'https://evil.example/redfish/v1/Systems/1' },
  { '@odata.id': '/etc/passwd' },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
  'UnknownEnumValue',
  '0x',
  'ff:ff:ff:ff:ff:ff',
];

function mutate(value: unknown, random: ReturnType<typeof generator>, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = value.map((item) => mutate(item, random, depth + 1));
    if (random.next() < 0.2) copy.splice(Math.floor(random.next() * copy.length), 1);
    if (random.next() < 0.1) copy.push(random.pick(HOSTILE));
    return copy;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const roll = random.next();
    if (roll < 0.08) continue; // drop the key
    if (roll < 0.2) out[key] = random.pick(HOSTILE);
    else out[key] = mutate(field, random, depth + 1);
  }
  return out;
}

function mutated(resources: ReadonlyMap<string, Outcome>, seed: number): Map<string, Outcome> {
  const random = generator(seed);
  const out = new Map<string, Outcome>();
  for (const [path, outcome] of resources) {
    const roll = random.next();
    if (roll < 0.05) continue; // a dangling link
    if (roll < 0.1) out.set(path, { ok: false, error: { kind: random.pick(['timeout', 'licence', 'server', 'bad-response'] as const), message: 'injected' } });
    else if (roll < 0.13) out.set(path, { ok: true, body: random.pick(HOSTILE) });
    else out.set(path, outcome.ok ? { ok: true, body: mutate(outcome.body, random) } : outcome);
  }
  return out;
}

describe('normalisation of malformed input', () => {
  it('never throws and always yields a valid document, over 600 mutated trees', async () => {
    const sources = [sourceOf(tree({
      processors: [{ ProcessorType: 'CPU', InstructionSet: 'x86-64', TotalCores: 8, TotalThreads: 16, Socket: 'CPU1' }],
      memory: [{ DeviceLocator: 'A1', CapacityMiB: 8192, MemoryLocation: { Socket: 1 } }],
      storage: [{ drives: [{ CapacityBytes: 1e12, MediaType: 'HDD', Protocol: 'SAS', SerialNumber: 'X', Identifiers: [{ DurableNameFormat: 'NAA', DurableName: '5000c500a1b2c3d4' }] }] }],
      interfaces: [{ MACAddress: 'b4:96:91:00:00:01', SpeedMbps: 1000, LinkStatus: 'LinkUp', IPv4Addresses: [{ Address: '10.1.1.1', SubnetMask: '255.255.0.0' }] }],
      adapters: [{ ports: [{ Id: '1', Ethernet: { AssociatedMACAddresses: ['b4:96:91:00:00:02'] }, CurrentSpeedGbps: 10 }], functions: [{ Ethernet: { MACAddress: 'b4:96:91:00:00:03' } }] }],
      pcie: [{ functions: [{ VendorId: '0x8086', DeviceId: '0x1572', ClassCode: '0x030000' }] }],
      firmware: [{ Name: 'BIOS', Version: '1.0', ReleaseDate: '00:00:00Z' }],
    }))];
    for (const name of treesIn(FIXTURES).slice(0, 3)) sources.push(await loadSource(join(FIXTURES, name)));
    let documents = 0;
    for (const [index, source] of sources.entries()) {
      for (let seed = 1; seed <= 600 / sources.length; seed++) {
        const broken = { resources: mutated(source.resources, seed * 7919 + index) };
        let inventories;
        try {
          inventories = toInventories(broken);
        } catch (error) {
          throw new Error(`normalisation threw for source ${index}, seed ${seed}: ${(error as Error).stack}`);
        }
        for (const inventory of inventories) {
          const violations = validateCommissioningData(toCommissioningData(inventory));
          expect(violations, `source ${index}, seed ${seed}`).toEqual([]);
          documents++;
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(documents).toBeGreaterThan(100);
  });

  it('marks a section unknown whenever a resource it read fails, never shows it silently smaller', async () => {
    let checked = 0;
    for (const name of treesIn(FIXTURES)) {
      const source = await loadSource(join(FIXTURES, name));
      const [pristine] = toInventories(source);
      for (let seed = 1; seed <= 25; seed++) {
        // Only reads fail here; links stay as they were, so every section still needs what it read.
        const random = generator(seed * 104729);
        const resources = new Map(source.resources);
        const failed = new Set<string>();
        for (const path of resources.keys()) {
          // (The root, the Systems collection and the system itself failing fail the whole BMC instead.)
          if (['/redfish/v1', '/redfish/v1/Systems', pristine!.system].includes(path) || random.next() >= 0.08) continue;
          resources.set(path, { ok: false, error: { kind: random.pick(['timeout', 'licence', 'server'] as const), message: 'injected' } });
          failed.add(path);
        }
        const [inventory] = toInventories({ ...source, resources });
        for (const [section, provenance] of Object.entries(pristine!.sections)) {
          if (!provenance.sources.some((path) => failed.has(path))) continue;
          expect(inventory!.sections[section as keyof HardwareInventory['sections']].unknown, `${name} seed ${seed}: ${section} lost a read`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
