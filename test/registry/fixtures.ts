// Shared helpers for registry tests: a fresh store in a temporary folder and documents from fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCommissioningResults, type CommissioningResults } from '../../src/inventory/results.ts';
import { toCommissioningData, type CommissioningData } from '../../src/inventory/commissioning.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { Store } from '../../src/registry/store.ts';
import { serveRegistry, type RegistryServer } from '../../src/registry/serve.ts';
import { createApiKey, createUser, formatApiKey, type User } from '../../src/registry/users.ts';
import { FIXTURES, loadSource } from '../helpers/mockup.ts';

/** A store in its own temporary folder; `dispose()` removes both. */
export function temporaryStore(now?: () => Date): { store: Store; admin: User; folder: string; dispose: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'registry-'));
  const store = new Store(join(folder, 'registry.db'), now ? { now } : {});
  const admin = createUser(store, 'admin');
  return {
    store,
    admin,
    folder,
    dispose: () => {
      store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The registry's API on a free loopback port over a fresh store, with an administrator's key. */
export async function registryUnderTest(): Promise<{ store: Store; admin: User; adminKey: string; server: RegistryServer; dispose: () => Promise<void> }> {
  const { store, admin, dispose } = temporaryStore();
  const adminKey = formatApiKey(createApiKey(store, admin));
  const server = await serveRegistry(store, { port: 0, version: 'test' });
  return {
    store,
    admin,
    adminKey,
    server,
    dispose: async () => {
      await server.close();
      dispose();
    },
  };
}

/** The commissioning document of a fixture tree. */
export async function fixtureDocument(tree: string): Promise<CommissioningData> {
  const [inventory] = toInventories(await loadSource(join(FIXTURES, tree)));
  return JSON.parse(JSON.stringify(toCommissioningData(inventory!))) as CommissioningData;
}

/** Every commissioning result of a fixture tree (what a sweep reports). */
export async function fixtureResults(tree: string): Promise<CommissioningResults> {
  const [inventory] = toInventories(await loadSource(join(FIXTURES, tree)));
  return toCommissioningResults(inventory!);
}

/** Host MACs a document reports. */
export function macsOf(document: CommissioningData): string[] {
  return Object.values(document.networks).map((entry) => (entry as { hwaddr: string }).hwaddr);
}
