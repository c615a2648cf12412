// Where the browser tests find Chromium: $CHROMIUM if set, else Debian's or Ubuntu's package, a
// Google Chrome, or one installed by `npx playwright-core install chromium`. `npm test` checks
// this first (test/prerequisites.ts), so a machine without one gets a line saying what to install.
import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where distributions and Google install it. */
export const CHROMIUM_PATHS: readonly string[] = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

/** What to do when no Chromium is found, in one line. */
export const CHROMIUM_MISSING =
  'the browser tests (test/web/browser*.test.ts) need Chromium: `sudo apt-get install chromium` (Debian, Ubuntu), ' +
  '`npx playwright-core install chromium` (elsewhere), or CHROMIUM=/path/to/chrome';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Where `npx playwright-core install chromium` puts its build (in the user's cache).
function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined; // playwright-core knows no download location for this platform
  }
}

/** The Chromium executable to drive, or an explanation of why there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly (string | undefined)[] = [...CHROMIUM_PATHS, playwrightChromium()]): { path: string } | { problem: string } {
  if (env.CHROMIUM) return executable(env.CHROMIUM) ? { path: env.CHROMIUM } : { problem: `CHROMIUM=${env.CHROMIUM} is not an executable file` };
  const found = candidates.find((path) => path !== undefined && executable(path));
  return found ? { path: found } : { problem: CHROMIUM_MISSING };
}
