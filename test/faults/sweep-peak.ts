// Runs `redfish-enlist sweep …` (the arguments) in this process, as the CLI would, and writes its
// exit status and the process's peak resident memory as one JSON line to file descriptor 3: the
// memory suite measures a sweep from outside the process that serves its BMCs.
import { writeSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
writeSync(3, `${JSON.stringify({ code, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
process.exit(0);
