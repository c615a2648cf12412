import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/real-maas/ needs a real MAAS region: `npm run test:maas` (vitest.maas.config.ts).
    exclude: ['test/real-maas/**', 'node_modules/**'],
    // Suites start real sockets (simulated BMCs, the registry server); keep them isolated per file.
    // A test run changes no file of the checkout; the run fails naming any file it did change.
    globalSetup: ['test/checkout-unchanged.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
