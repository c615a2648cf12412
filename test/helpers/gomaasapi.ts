// Juju's Go client for MAAS, from Debian's packages: the Go toolchain (golang-go) and gomaasapi's
// source in Debian's Go tree (golang-github-juju-gomaasapi-dev). `npm test` checks for both first
// (test/prerequisites.ts), so a machine without them gets a line saying what to install.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** Where Debian installs Go packages' sources (a GOPATH). */
export const DEBIAN_GOPATH = '/usr/share/gocode';

/** What to do when Go or gomaasapi is missing, in one line. */
export const GOMAASAPI_MISSING =
  'the gomaasapi test (test/registry/gomaasapi.test.ts) needs Go and Juju’s gomaasapi: `sudo apt-get install golang-go golang-github-juju-gomaasapi-dev` (Debian, Ubuntu)';

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(folder, name), constants.X_OK);
      return join(folder, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `go` executable, when it and gomaasapi's source are installed; else what is missing. */
export function findGomaasapi(env: NodeJS.ProcessEnv = process.env, gopath = DEBIAN_GOPATH): { go: string } | { problem: string } {
  const go = onPath('go', env) ?? ['/usr/bin/go', '/usr/lib/go/bin/go'].find((path) => existsSync(path));
  if (!go || !existsSync(join(gopath, 'src', 'github.com', 'juju', 'gomaasapi'))) return { problem: GOMAASAPI_MISSING };
  return { go };
}

/**
 * Builds a Go program on gomaasapi, offline, as Debian's layout needs: GOPATH mode over Debian's
 * tree (GO111MODULE=off, no proxy), the build cache kept in the system's temporary folder.
 */
export async function buildGoProgram(go: string, source: string, output: string): Promise<void> {
  const cache = join(tmpdir(), 'redfish-enlist-go-build');
  mkdirSync(cache, { recursive: true });
  const env = { ...process.env, GOPATH: DEBIAN_GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOPROXY: 'off', GOCACHE: cache, CGO_ENABLED: '0' };
  await promisify(execFile)(go, ['build', '-o', output, source], { env, timeout: 240_000 });
}
