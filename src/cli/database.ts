// Which registry database a command opens. Commands that only read (or change what exists) refuse a
// path with no database, rather than creating an empty one at a mistyped name.
import { existsSync } from 'node:fs';
import { defaultDatabasePath, Store } from '../registry/store.ts';
import { CliError, EXIT } from './io.ts';

/** The --database option, with the default shown. */
export const databaseOption = ['--database <file>', `registry database (default ${defaultDatabasePath()})`] as const;

function pathOf(database: string | undefined): string {
  return database ?? defaultDatabasePath();
}

/** The registry at `database`, which must exist. */
export function existingStore(database: string | undefined): Store {
  const path = pathOf(database);
  if (!existsSync(path)) throw new CliError(`no registry database at ${path} (a sweep to an embedded target, users add or apikey creates one; --database names another)`, EXIT.usage);
  return new Store(path);
}

/** The registry at `database`, created if there is none yet. */
export function newOrExistingStore(database: string | undefined): Store {
  return new Store(pathOf(database));
}
