// Driving the command line in-process, as tests of the CLI do: main() with captured output.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** A writable stream that keeps what was written; with `columns`, it passes for a terminal that wide. */
export function capture(columns?: number): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const stream: Writable & { isTTY?: boolean; columns?: number } = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  if (columns !== undefined) Object.assign(stream, { isTTY: true, columns });
  return { stream, text: () => text };
}

/** Runs one command to its end: exit status and everything it printed. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; terminal?: { stdout?: number; stderr?: number } } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture(options.terminal?.stdout);
  const stderr = capture(options.terminal?.stderr);
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: options.env ?? {}, ...(options.signal ? { signal: options.signal } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
