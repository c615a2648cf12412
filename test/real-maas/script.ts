// Runs one of the kit's shell scripts (setup.sh, region.sh). They start daemons that keep a copy of
// the script's stdout, so a pipe would never reach end-of-file: output goes to a log file, and the
// run ends when the script exits, not when its output closes.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function runScript(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'real-maas-run-'));
  const logFile = join(folder, 'out.log');
  const fd = openSync(logFile, 'w');
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        resolve(`timed out after ${timeoutMs / 1000} s`);
      }, timeoutMs);
      child.once('error', reject);
      child.once('exit', (status, signal) => {
        clearTimeout(timer);
        resolve(status ?? `killed by ${signal}`);
      });
    });
    const output = readFileSync(logFile, 'utf8');
    if (code !== 0) throw new Error(`${file} ${args.join(' ')}: ${typeof code === 'number' ? `exit ${code}` : code}\n${output}`);
    return output;
  } finally {
    closeSync(fd);
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * runScript for a kit script that (re)starts regiond (setup.sh, region.sh reset or restart). The
 * kit's wait for the region can report "regiond exited" when it first looks for regiond's pid file
 * before the new regiond has written it (region.sh writes it from a background shell, and a stop
 * removes the old one); the regiond it started is then still coming up. On that message the region
 * is given two more minutes to answer (UP, which also says whether the script's work was done: the
 * kit's wait is the last step of a reuse, reset or restart, but not of a first setup) before the
 * failure stands.
 */
export async function runStartingScript(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, up: () => Promise<boolean>): Promise<string> {
  try {
    return await runScript(file, args, env, timeoutMs);
  } catch (error) {
    if (!/regiond exited/.test((error as Error).message)) throw error;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (await up()) return (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw error;
  }
}
