import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedPaths, snapshot } from './checkout-unchanged.ts';

// The guard both test commands run (globalSetup): what it would name after a run that wrote files.
describe('a test run that changes the checkout is named', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function repo(): string {
    dir = mkdtempSync(join(tmpdir(), 'checkout-guard-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(join(dir, 'README.md'), 'manual\n');
    writeFileSync(join(dir, 'shot.png'), 'png');
    writeFileSync(join(dir, '.gitignore'), '*.db\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'init');
    return dir;
  }

  it('names a rewritten tracked file and a new untracked one, not an ignored database', () => {
    const root = repo();
    const before = snapshot(root);
    writeFileSync(join(root, 'shot.png'), 'png2');
    writeFileSync(join(root, 'new.txt'), 'x');
    writeFileSync(join(root, 'registry.db'), 'x');
    expect(changedPaths(before, snapshot(root))).toEqual(['new.txt', 'shot.png']);
  });

  it('names a file a developer had already changed when the run changes it again', () => {
    const root = repo();
    writeFileSync(join(root, 'README.md'), 'edited before the run\n');
    const before = snapshot(root);
    expect(changedPaths(before, snapshot(root))).toEqual([]);
    writeFileSync(join(root, 'README.md'), 'edited by a test\n');
    expect(changedPaths(before, snapshot(root))).toEqual(['README.md']);
  });
});
