import { rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReadCache, lastInventory, saveInventory } from '../../src/registry/bmc-state.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/registry/schema.ts';
import { Store } from '../../src/registry/store.ts';
import { temporaryStore } from './fixtures.ts';

// A database as a version COUNT of this project left it.
function applyMigrations(db: DatabaseSync, count: number): void {
  MIGRATIONS.slice(0, count).forEach((migration, index) => {
    if (typeof migration === 'string') db.exec(migration);
    else migration(db);
    db.exec(`PRAGMA user_version = ${index + 1}`);
  });
}

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

  it('keeps what the collector remembered when it upgrades a database from the version before', () => {
    const { folder, dispose } = temporaryStore();
    cleanup = dispose;
    const path = join(folder, 'older.db');
    const raw = new DatabaseSync(path);
    applyMigrations(raw, SCHEMA_VERSION - 1);
    raw.exec(`INSERT INTO read_cache VALUES ('https://bmc-1', '[["/redfish/v1",{"etag":"\\"1\\"","body":{}}]]', '2026-12-01T00:00:00.000Z')`);
    raw.exec(`INSERT INTO inventories VALUES ('https://bmc-1', '/redfish/v1/Systems/1', 'f1', '{"vendor":"dell"}', '2026-12-01T00:00:00.000Z')`);
    raw.close();
    const store = new Store(path);
    try {
      expect(loadReadCache(store, 'https://bmc-1')).toEqual({ entries: new Map([['/redfish/v1', { etag: '"1"', body: {} }]]), fullReadAt: '2026-12-01T00:00:00.000Z' });
      expect(lastInventory(store, 'https://bmc-1', '/redfish/v1/Systems/1')).toEqual({ fingerprint: 'f1', inventory: { vendor: 'dell' }, at: '2026-12-01T00:00:00.000Z' });
      // Still one row per BMC (and per system): saving again replaces it.
      saveInventory(store, 'https://bmc-1', '/redfish/v1/Systems/1', 'f2', { vendor: 'hpe' });
      expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM inventories')?.n).toBe(1);
      expect(lastInventory(store, 'https://bmc-1', '/redfish/v1/Systems/1')?.fingerprint).toBe('f2');
    } finally {
      store.close();
    }
  });

  it('puts the addresses machines already had on subnets when it upgrades to the version with subnets', () => {
    const { folder, dispose } = temporaryStore();
    cleanup = dispose;
    const path = join(folder, 'before-subnets.db');
    const raw = new DatabaseSync(path);
    applyMigrations(raw, 6);
    raw.exec(`INSERT INTO machines (system_id, hostname, status, created_at, updated_at) VALUES ('abc123', 'old', 6, 'now', 'now')`);
    raw.exec(`INSERT INTO interfaces (machine_id, name, mac_address, ips) VALUES (1, 'eth0', '02:00:00:00:00:01', '["10.1.2.3/24","2001:db8:0:1::5/64"]'), (1, 'eth1', '02:00:00:00:00:03', '["10.1.2.4/24"]')`);
    raw.close();
    const store = new Store(path);
    try {
      expect(store.all('SELECT id, cidr FROM subnets ORDER BY id')).toEqual([
        { id: 1, cidr: '10.1.2.0/24' },
        { id: 2, cidr: '2001:db8:0:1::/64' },
      ]);
    } finally {
      store.close();
    }
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

describe('grouped commits (a sweep\'s transactions)', () => {
  const users = (path: string) => {
    const reader = new DatabaseSync(path, { readOnly: true });
    try {
      return (reader.prepare("SELECT username FROM users WHERE username <> 'admin' ORDER BY username").all() as { username: string }[]).map((row) => row.username);
    } finally {
      reader.close();
    }
  };
  const addUser = (store: Store, name: string) => store.transaction(() => store.run('INSERT INTO users (username, created_at) VALUES (?, ?)', name, 'now'));
  // A sweep that has written 'swept' and waits, in its own async context, until released.
  const sweepInFlight = async (store: Store) => {
    let release!: () => void;
    const sweep = store.groupCommits(async () => {
      addUser(store, 'swept');
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setImmediate(resolve));
    return { release, sweep };
  };

  it('makes a sweep\'s writes durable together within the window, and all of them by the time it ends', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    const path = join(folder, 'registry.db');
    let seenDuring: string[] = [];
    let seenAfterWindow: string[] = [];
    await store.groupCommits(
      async () => {
        addUser(store, 'bmc-1');
        addUser(store, 'bmc-2');
        seenDuring = users(path);
        await new Promise((resolve) => setTimeout(resolve, 120));
        seenAfterWindow = users(path);
        addUser(store, 'bmc-3');
      },
      { windowMs: 40 },
    );
    expect(seenDuring).toEqual([]);
    expect(seenAfterWindow).toEqual(['bmc-1', 'bmc-2']);
    expect(users(path)).toEqual(['bmc-1', 'bmc-2', 'bmc-3']);
  });

  it('rolls back only the unit that failed, keeping the units grouped with it', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    await store.groupCommits(async () => {
      addUser(store, 'before');
      expect(() =>
        store.transaction(() => {
          store.run("INSERT INTO users (username, created_at) VALUES ('half', 'now')");
          throw new Error('crash in the middle');
        }),
      ).toThrow('crash in the middle');
      addUser(store, 'after');
    });
    expect(users(join(folder, 'registry.db'))).toEqual(['after', 'before']);
  });

  it('commits a transaction from outside the sweep at once, with the sweep\'s writes before it', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    const path = join(folder, 'registry.db');
    const { release, sweep } = await sweepInFlight(store);
    addUser(store, 'api-request'); // not inside the sweep's async context
    expect(users(path)).toEqual(['api-request', 'swept']);
    release();
    await sweep;
  });

  it('rejects a sweep whose shared commit fails, with the database\'s reason, and keeps none of the group', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    const sweep = store.groupCommits(async () => {
      addUser(store, 'swept');
      // Deferred foreign keys are checked at COMMIT: the shared commit itself fails.
      store.run('PRAGMA defer_foreign_keys = ON');
      store.transaction(() => store.run("INSERT INTO tokens (consumer_key, token_key, token_secret, user_id, created_at) VALUES ('c', 't', 's', 999999, 'now')"));
    });
    await expect(sweep).rejects.toThrow(/registry database could not commit: .*FOREIGN KEY/);
    expect(users(join(folder, 'registry.db'))).toEqual([]);
    addUser(store, 'next'); // the store is usable again, and the failure is not reported twice
    expect(users(join(folder, 'registry.db'))).toEqual(['next']);
  });

  it('tells each tracked piece of work whether its writes were stored, and refuses its writes after a loss', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    const outcomes = await store.groupCommits(async () => {
      const kept = await store.trackWrites(async () => addUser(store, 'kept'));
      store.flush();
      // A commit that fails at COMMIT (deferred foreign keys are checked there) loses its group.
      const lost = await store.trackWrites(async () => {
        addUser(store, 'lost');
        store.run('PRAGMA defer_foreign_keys = ON');
        store.transaction(() => store.run("INSERT INTO tokens (consumer_key, token_key, token_secret, user_id, created_at) VALUES ('c', 't', 's', 999999, 'now')"));
      });
      expect(() => store.flush()).toThrow(/registry database could not commit: .*FOREIGN KEY/);
      store.run('PRAGMA defer_foreign_keys = OFF');
      return Promise.allSettled([kept.durable, lost.durable]);
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect(users(join(folder, 'registry.db'))).toEqual(['kept']);
  });

  it('loses a whole group when SQLite rolls it back (a full disk), and says so to every unit in it', async () => {
    const { store, dispose, folder } = temporaryStore();
    cleanup = dispose;
    const { page_count: used } = store.get<{ page_count: number }>('PRAGMA page_count')!;
    store.get(`PRAGMA max_page_count = ${used + 4}`);
    const outcomes = await store.groupCommits(async () => {
      const small = await store.trackWrites(async () => addUser(store, 'small'));
      const big = await store.trackWrites(async () => {
        addUser(store, 'big');
        expect(() => store.transaction(() => store.run('INSERT INTO users (username, created_at) VALUES (?, ?)', 'x'.repeat(100_000), 'now'))).toThrow(/database or disk is full/);
        // This work's next write would stand without what the lost group held: refused.
        expect(() => addUser(store, 'after')).toThrow(/could not commit: database or disk is full/);
      });
      const unrelated = await store.trackWrites(async () => addUser(store, 'unrelated'));
      return Promise.allSettled([small.durable, big.durable, unrelated.durable]);
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ reason: expect.objectContaining({ message: expect.stringMatching(/database or disk is full/) }) });
    expect(users(join(folder, 'registry.db'))).toEqual(['unrelated']);
  });

  it('commits what is grouped when the store is closed', async () => {
    const { store, folder } = temporaryStore();
    const path = join(folder, 'registry.db');
    const { release, sweep } = await sweepInFlight(store);
    store.close();
    expect(users(path)).toEqual(['swept']);
    release();
    await sweep;
    rmSync(folder, { recursive: true, force: true });
  });
});
