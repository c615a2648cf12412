// The registry's web pages as an administrator sees them, for suites that check what a page shows.
import { findMachine, listMachines, serveRegistry, Store } from '../../src/registry/index.ts';
import { createUser } from '../../src/registry/users.ts';
import { createSession, webInterface } from '../../src/web/index.ts';

/** The BMCs page and every machine page of the registry, as an administrator sees them. */
export async function webPages(database: string): Promise<string> {
  const store = new Store(database);
  const server = await serveRegistry(store, { port: 0, version: 'test', fallback: webInterface(store) });
  try {
    const viewer = createUser(store, 'page-reader', { admin: true });
    const cookie = `rfe-session=${createSession(store, viewer).id}`;
    const base = server.url.replace(/\/MAAS$/, '');
    const paths = ['/', '/bmcs', ...listMachines(store).map((row) => `/machines/${findMachine(store, row.system_id)!.system_id}`)];
    const texts = await Promise.all(paths.map(async (path) => (await fetch(`${base}${path}`, { headers: { cookie } })).text()));
    return texts.join('\n');
  } finally {
    await server.close();
    store.close();
  }
}
