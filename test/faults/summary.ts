// The fault suites' summary: one line per fault, held or not, printed after the suite.

/** One fault's outcome. */
export type Verdicts = { fault: string; held: boolean; detail: string }[];

/** Prints the summary lines of a suite. */
export function summarise(suite: string, verdicts: Verdicts): void {
  const width = Math.max(...verdicts.map((verdict) => verdict.fault.length), 10);
  const lines = verdicts.map((verdict) => `  ${verdict.held ? 'held    ' : 'NOT HELD'}  ${verdict.fault.padEnd(width)}  ${verdict.detail}`);
  const held = verdicts.filter((verdict) => verdict.held).length;
  process.stdout.write(`\n${suite}: ${held}/${verdicts.length} held\n${lines.join('\n')}\n`);
}

/** Runs one case, recording in VERDICTS whether it held (with RUN's detail) and rethrowing a failure. */
export async function recordVerdict(verdicts: Verdicts, fault: string, run: () => Promise<string | void>): Promise<void> {
  try {
    verdicts.push({ fault, held: true, detail: (await run()) ?? '' });
  } catch (error) {
    verdicts.push({ fault, held: false, detail: (error as Error).message.split('\n')[0] ?? '' });
    throw error;
  }
}
