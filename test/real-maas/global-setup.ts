// Vitest globalSetup for `npm run test:maas`: sets the real MAAS region up from ../shared/real-maas
// (setup.sh: Debian packages, MAAS 3.4 from source, PostgreSQL; reused when already built) and stops
// every process it started when the suite ends. Setting up needs root on Debian 12, as CI runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KIT, PG_PORT, PORT, regionAnswers, regionReady, RM } from './region.ts';
import { runScript, runStartingScript } from './script.ts';

export async function setup(): Promise<void> {
  if (!existsSync(join(KIT, 'setup.sh'))) {
    throw new Error(`test:maas needs the real MAAS kit at ${KIT} (../shared/real-maas beside the checkout, or REAL_MAAS_KIT)`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('test:maas sets up a MAAS region with apt-get and PostgreSQL, so it runs as root (as CI does)');
  }
  const started = Date.now();
  try {
    await runStartingScript(join(KIT, 'setup.sh'), [], { RM, MAAS_PORT: String(PORT), MAAS_PG_PORT: String(PG_PORT) }, 20 * 60_000, async () => regionReady() && (await regionAnswers()));
  } catch (error) {
    throw new Error(`setting up the real MAAS region failed: ${(error as Error).message}`);
  }
  process.stdout.write(`real MAAS region on 127.0.0.1:${PORT} (${RM}) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

export async function teardown(): Promise<void> {
  if (process.env.REAL_MAAS_KEEP === '1') return; // a developer's loop: keep the region for the next run
  await runScript(join(RM, 'bin', 'region'), ['stop'], {}, 120_000).catch((error: unknown) => {
    process.stderr.write(`stopping the real MAAS region: ${String(error)}\n`);
  });
}
