// The `redfish-enlist` command's entry: which code it runs, and that it keeps Node's compile cache.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'redfish-enlist.js');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

// A package laid out like this one, whose entry modules say which of them ran.
function layout(withSources: boolean): string {
  dir = mkdtempSync(join(tmpdir(), 'bin-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(BIN, join(dir, 'bin', 'redfish-enlist.js'));
  copyFileSync(join(BIN, '..', 'node-version.js'), join(dir, 'bin', 'node-version.js'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'cli', 'main.js'), 'export async function main(argv) { console.log(`dist ${argv.join(" ")}`); return 0; }\n');
  if (withSources) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), 'export async function main(argv: string[]): Promise<number> { console.log(`source ${argv.join(" ")}`); return 0; }\n');
  }
  return dir;
}

// Run with its temporary folder inside the layout, where Node keeps its compile cache by default.
function run(root: string): string {
  const { NODE_COMPILE_CACHE: _cache, NODE_DISABLE_COMPILE_CACHE: _disabled, ...env } = process.env;
  mkdirSync(join(root, 'tmp'), { recursive: true });
  return execFileSync(process.execPath, [join(root, 'bin', 'redfish-enlist.js'), 'sweep', '--check'], { env: { ...env, TMPDIR: join(root, 'tmp') }, encoding: 'utf8' });
}

describe('the redfish-enlist command', () => {
  it('refuses a Node.js older than 22.20 in one line, not a stack trace', () => {
    // This Node, made to say it is 20.11: what the entry reads before it loads any TypeScript.
    const older = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.0"});Object.defineProperty(process,"version",{value:"v20.11.0"})';
    let failure: { status: number; stderr: string; stdout: string } | undefined;
    try {
      execFileSync(process.execPath, ['--import', older, BIN, '--help'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toBe('redfish-enlist needs Node.js 22.20 or later (24 LTS recommended); this is v20.11.0. See the README, "Install".\n');
  });

  it('runs the checked-out sources in a checkout, even when an older build is beside them', () => {
    const root = layout(true);
    expect(run(root)).toBe('source sweep --check\n');
  });

  it('runs the compiled code of an installed package, which has no sources', () => {
    const root = layout(false);
    expect(run(root)).toBe('dist sweep --check\n');
  });

  it("keeps what Node compiled, type-stripped TypeScript included, in Node's compile cache for the next start", () => {
    const root = layout(true);
    run(root);
    const entries = readdirSync(join(root, 'tmp', 'node-compile-cache'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(entries.length).toBeGreaterThanOrEqual(2);
  });
});
