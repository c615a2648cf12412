// Setting up as a new user would: the README's commands on a fresh checkout. `npm test` first checks
// what it needs from the machine (test/prerequisites.ts); the README's examples run after
// `npm install`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, findChromium } from '../helpers/chromium.ts';
import { findGomaasapi, GOMAASAPI_MISSING } from '../helpers/gomaasapi.ts';
import { runCli } from '../helpers/cli.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

// Every line of the README's ```sh blocks and its `$ ` transcripts that calls the command.
function readmeCommands(): string[] {
  const lines: string[] = [];
  let block: string | undefined;
  for (const line of readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      block = block === undefined ? fence[1]! : undefined;
      continue;
    }
    if (block === 'sh' || block === '') {
      const text = line.trim().replace(/^\$ /, '');
      if (/\bredfish-enlist (\w)/.test(text) && !text.startsWith('#') && (block === 'sh' || line.trim().startsWith('$ '))) lines.push(text);
    }
  }
  return lines;
}

describe('setting up', () => {
  it('stops npm test with one line saying how to get Chromium when there is none', async () => {
    expect(findChromium({}, [])).toEqual({ problem: CHROMIUM_MISSING });
    expect(findChromium({}, ['/nonexistent/chromium', process.execPath])).toEqual({ path: process.execPath });
    const failure = await run(process.execPath, [join(ROOT, 'test', 'prerequisites.ts')], { env: { ...process.env, CHROMIUM: '/nonexistent/chromium' } }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    const lines = (failure as { stderr: string }).stderr.trimEnd().split('\n');
    expect(lines).toEqual(['npm test: CHROMIUM=/nonexistent/chromium is not an executable file']);
    expect(CHROMIUM_MISSING).toMatch(/apt-get install chromium.*playwright-core install chromium.*CHROMIUM=/);
  });

  it('names Debian’s packages for Go and gomaasapi when either is missing', () => {
    expect(findGomaasapi({ PATH: '' }, '/nonexistent/gocode')).toEqual({ problem: GOMAASAPI_MISSING });
    expect(GOMAASAPI_MISSING).toMatch(/apt-get install golang-go golang-github-juju-gomaasapi-dev/);
  });

  it("runs the README's examples from a checkout after npm install, through npx", async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const command of commands) expect(command, command).toMatch(/^npx redfish-enlist /);
    // Every subcommand the examples use exists (its --help answers 0) ...
    const subcommands = new Set(commands.map((command) => command.split(/\s+/).slice(2).filter((word) => !word.startsWith('-')).slice(0, 2).join(' ')));
    for (const subcommand of subcommands) {
      const words = subcommand.split(' ');
      const known = await runCli([...words.slice(0, words[0] === 'users' ? 2 : 1), '--help']);
      expect(known.code, subcommand).toBe(0);
    }
    // ... and npx finds the checkout's own command (package.json "bin"), with nothing installed globally.
    const { stdout } = await run('npx', ['--no-install', 'redfish-enlist', '--version'], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
