import { defineConfig } from 'vitest/config';

// `npm run test:maas`: suites against a real MAAS 3.4 region (test/real-maas/). One region serves
// them all, so files run one at a time; each scenario resets MAAS's database or uses fresh names.
export default defineConfig({
  test: {
    include: ['test/real-maas/**/*.test.ts'],
    globalSetup: ['test/checkout-unchanged.ts', 'test/real-maas/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
