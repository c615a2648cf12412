// Vitest globalSetup for both test commands: a test run changes no file of the checkout (README,
// Quick start). It records what git says of the work tree (every changed or untracked file, with a
// hash of its content) before the run and fails the run, naming the files, if that differs after.
// Files .gitignore covers (databases, coverage) are not the checkout's; a copy without git (an
// unpacked tarball) has nothing to compare against and is not checked.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Snapshot = Map<string, string>;

function workTree(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Every path git lists as changed or untracked, with its status and a hash of what it holds. */
export function snapshot(root: string): Snapshot {
  const out = execFileSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const files: Snapshot = new Map();
  for (const entry of out.split('\0')) {
    if (entry.length < 4) continue;
    const path = entry.slice(3);
    let content = 'absent';
    try {
      content = createHash('sha256').update(readFileSync(join(root, path))).digest('hex');
    } catch {
      // deleted from the work tree, or not a regular file
    }
    files.set(path, `${entry.slice(0, 2)} ${content}`);
  }
  return files;
}

/** The paths whose status or content differ between two snapshots. */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}

let root: string | undefined;
let before: Snapshot | undefined;

export function setup(): void {
  root = workTree();
  if (root !== undefined) before = snapshot(root);
}

export function teardown(): void {
  if (root === undefined || before === undefined) return;
  const changed = changedPaths(before, snapshot(root));
  if (changed.length === 0) return;
  const shown = changed.slice(0, 20).join(', ') + (changed.length > 20 ? ` and ${changed.length - 20} more` : '');
  throw new Error(`the test run changed ${changed.length} file(s) of the checkout: ${shown} (a test must write to a temporary folder; screenshots and goldens are refreshed only on request)`);
}
