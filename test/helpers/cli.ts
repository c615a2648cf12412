// Driving the command line in-process, as tests of the CLI do: main() with captured output.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** A writable stream that keeps what was written. */
export function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs one command to its end: exit status and everything it printed. */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: options.env ?? {}, ...(options.signal ? { signal: options.signal } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
