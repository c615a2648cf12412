// A registry server in its own process, for the crash test: serves the database named on the
// command line and writes its URL to stdout once listening.
import { serveRegistry } from '../../src/registry/serve.ts';
import { Store } from '../../src/registry/store.ts';

const store = new Store(process.argv[2]!);
const server = await serveRegistry(store, { port: 0, version: 'crash-test' });
process.stdout.write(`${server.url}\n`);
