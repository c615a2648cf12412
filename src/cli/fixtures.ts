// The project's own mockup trees, shipped with the package.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute paths of the fixture trees (folders holding redfish/v1/index.json). */
export function fixtureTrees(): string[] {
  const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, 'redfish', 'v1', 'index.json')))
    .sort();
}
