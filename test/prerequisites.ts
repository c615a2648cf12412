// `npm test` runs this first: what the suites need from the machine beyond `npm install`, each
// missing piece reported in one line (no stack trace) with how to get it; exit status 1 if any.
import { findChromium } from './helpers/chromium.ts';
import { findGomaasapi } from './helpers/gomaasapi.ts';

const problems: string[] = [];
const browser = findChromium();
if ('problem' in browser) problems.push(browser.problem);
const gomaasapi = findGomaasapi();
if ('problem' in gomaasapi) problems.push(gomaasapi.problem);
for (const problem of problems) process.stderr.write(`npm test: ${problem}\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
