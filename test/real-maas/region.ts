// The real MAAS 3.4 region from ../shared/real-maas, as the integration suites use it: where it is,
// its admin key, MAAS's own clients (maascli, python-libmaas, MAAS's ORM) and a database reset.
// globalSetup (global-setup.ts) sets it up and stops it; tests only call what is here.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runScript } from './script.ts';

const run = promisify(execFile);

/** The kit beside the checkout, or REAL_MAAS_KIT. */
export const KIT = resolve(process.env.REAL_MAAS_KIT ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'real-maas'));
/** Where setup.sh lays the region out: REAL_MAAS_RM, or a folder of this project's own. */
export const RM = resolve(process.env.REAL_MAAS_RM ?? join(process.env.TMPDIR ?? '/tmp', 'redfish-enlist-real-maas'));
export const PORT = Number(process.env.MAAS_PORT ?? 5240);
export const PG_PORT = Number(process.env.MAAS_PG_PORT ?? 5433);
/** The MAAS URL as a user would write it (MAAS's CLI and python-libmaas want the trailing slash). */
export const MAAS_URL = `http://127.0.0.1:${PORT}/MAAS/`;

/** The admin user's API key (`consumer:token:secret`), written by setup.sh. */
export function adminKey(): string {
  return readFileSync(join(RM, 'admin.key'), 'utf8').trim();
}

export function regionReady(): boolean {
  return existsSync(join(RM, '.ready'));
}

/** One of the kit's client programs in $RM/bin (not region: see runScript). */
async function bin(name: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  // MAAS's CLI keeps its profiles in $HOME/.maascli.db: one of the region's own, not the user's.
  const home = join(RM, 'client-home');
  mkdirSync(home, { recursive: true });
  const { stdout } = await run(join(RM, 'bin', name), args, {
    env: { ...process.env, HOME: home, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `region.sh reset`: MAAS's database back to right after setup (admin, key, boot images; no machines). */
export async function resetRegion(): Promise<void> {
  await runScript(join(RM, 'bin', 'region'), ['reset'], {}, 180_000);
}

/**
 * Puts MAAS's web server behind `nginx` (MAAS 3.2+, the default) or `tcp`: a byte-for-byte front,
 * as MAAS 3.0/3.1 served port 5240 from Twisted itself (no request buffering).
 */
export async function setFront(front: 'nginx' | 'tcp'): Promise<void> {
  await runScript(join(RM, 'bin', 'region'), ['restart'], { FRONT: front }, 180_000);
}

/** MAAS's own CLI (maascli). `maas(['admin', 'machines', 'read'])` after `maasLogin('admin')`. */
export async function maas(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return bin('maas', args, options);
}

/** Logs MAAS's CLI in as PROFILE with KEY (the admin key by default) against URL (the region by default). */
export async function maasLogin(profile: string, url = MAAS_URL, key = adminKey()): Promise<string> {
  return bin('maas', ['login', profile, url, key]);
}

/** MAAS's CLI answer, parsed: the CLI prints the JSON MAAS sent. */
export async function maasJson<T = unknown>(args: string[]): Promise<T> {
  return JSON.parse(await maas(args)) as T;
}

/** python3 with python-libmaas importable; SCRIPT is run with ARGS as sys.argv[1:]. */
export async function libmaasPython(script: string, args: string[] = []): Promise<string> {
  return bin('libmaas-python', ['-c', script, ...args]);
}

/** python3 with MAAS's region code and Django settings (call django.setup() in SCRIPT first). */
export async function maasPython(script: string, args: string[] = []): Promise<string> {
  return bin('maas-python', ['-c', script, ...args]);
}

/**
 * Sets a machine's power state as MAAS's power-off would leave it: the region has no rack controller,
 * so a release of a machine whose power is not off answers 503 (README of the kit).
 */
export async function setPowerOff(systemId: string): Promise<void> {
  await maasPython(
    'import sys, django; django.setup()\n' +
      'from maasserver.models import Machine\n' +
      "n = Machine.objects.filter(system_id=sys.argv[1]).update(power_state='off')\n" +
      "assert n == 1, 'no machine ' + sys.argv[1]",
    [systemId],
  );
}
