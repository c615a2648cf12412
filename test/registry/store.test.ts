import { rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/registry/schema.ts';
import { Store } from '../../src/registry/store.ts';
import { temporaryStore } from './fixtures.ts';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('registry database', () => {
  it('is created readable by its owner only, in WAL mode, at the current schema version', () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    expect(statSync(join(folder, 'registry.db')).mode & 0o777).toBe(0o600);
    expect(store.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
    expect(store.get<{ user_version: number }>('PRAGMA user_version')?.user_version).toBe(SCHEMA_VERSION);
  });

  it('rolls a failed transaction back completely', () => {
    const { store, dispose } = temporaryStore();
    cleanup = dispose;
    expect(() =>
      store.transaction(() => {
        store.run("INSERT INTO users (username, created_at) VALUES ('half', 'now')");
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(store.get("SELECT * FROM users WHERE username = 'half'")).toBeUndefined();
  });

  it('refuses a database written by a newer version instead of guessing', () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    store.close();
    const raw = new DatabaseSync(join(folder, 'registry.db'));
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => new Store(join(folder, 'registry.db'))).toThrow(/schema version .* understands up to/);
    cleanup = () => rmSync(folder, { recursive: true, force: true });
  });
});
