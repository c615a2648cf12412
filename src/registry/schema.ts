// The registry's schema as numbered migrations. Each runs in its own transaction and bumps
// `PRAGMA user_version`, so a database opens at any earlier version and never half-migrates.
import type { DatabaseSync } from 'node:sqlite';
import { networkOf } from './network-json.ts';

/** A migration: SQL, or a function for what SQL cannot compute. */
export type Migration = string | ((db: DatabaseSync) => void);

/** Migrations in order; index + 1 is the schema version they produce. */
export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    is_admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    created_at TEXT NOT NULL
  );
  -- OAuth credentials: a user's API keys, and per-machine tokens (machine_id set).
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    token_key TEXT NOT NULL UNIQUE,
    token_secret TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    machine_id INTEGER REFERENCES machines(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
  );
  CREATE INDEX tokens_machine ON tokens(machine_id);
  CREATE TABLE nonces (
    token_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (token_key, nonce)
  ) WITHOUT ROWID;
  CREATE INDEX nonces_time ON nonces(timestamp);
  CREATE TABLE machines (
    id INTEGER PRIMARY KEY,
    system_id TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    architecture TEXT,
    status INTEGER NOT NULL,
    previous_status TEXT,
    owner TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    has_passed_commissioning INTEGER NOT NULL DEFAULT 0,
    power_type TEXT NOT NULL DEFAULT 'unknown',
    power_parameters TEXT NOT NULL DEFAULT '{}',
    hardware_uuid TEXT UNIQUE,
    cpu_count INTEGER NOT NULL DEFAULT 0,
    cpu_speed INTEGER NOT NULL DEFAULT 0,
    memory INTEGER NOT NULL DEFAULT 0,
    hardware_info TEXT NOT NULL DEFAULT '{}',
    workload_annotations TEXT NOT NULL DEFAULT '{}',
    controller TEXT,
    fingerprint TEXT,
    last_sync TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX machines_status ON machines(status);
  CREATE TABLE interfaces (
    id INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mac_address TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'physical',
    vendor TEXT NOT NULL DEFAULT '',
    product TEXT NOT NULL DEFAULT '',
    firmware_version TEXT NOT NULL DEFAULT '',
    link_connected INTEGER NOT NULL DEFAULT 0,
    link_speed INTEGER NOT NULL DEFAULT 0,
    interface_speed INTEGER NOT NULL DEFAULT 0,
    numa_node INTEGER NOT NULL DEFAULT 0,
    ips TEXT NOT NULL DEFAULT '[]'
  );
  CREATE UNIQUE INDEX interfaces_physical_mac ON interfaces(mac_address) WHERE type = 'physical';
  CREATE INDEX interfaces_machine ON interfaces(machine_id);
  CREATE TABLE block_devices (
    id INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    id_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    block_size INTEGER NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    firmware_version TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    numa_node INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX block_devices_machine ON block_devices(machine_id);
  CREATE TABLE numa_nodes (
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    memory INTEGER NOT NULL,
    cores TEXT NOT NULL,
    PRIMARY KEY (machine_id, idx)
  ) WITHOUT ROWID;
  CREATE TABLE node_devices (
    id INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    bus TEXT NOT NULL,
    hardware_type TEXT NOT NULL,
    address TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    vendor_name TEXT NOT NULL DEFAULT '',
    product_name TEXT NOT NULL DEFAULT '',
    numa_node INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX node_devices_machine ON node_devices(machine_id);
  CREATE TABLE commissioning_results (
    id INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    received_at TEXT NOT NULL,
    document TEXT NOT NULL,
    fingerprint TEXT NOT NULL
  );
  CREATE INDEX commissioning_results_machine ON commissioning_results(machine_id, id);
  CREATE TABLE hardware_history (
    id INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    changes TEXT NOT NULL
  );
  CREATE INDEX hardware_history_machine ON hardware_history(machine_id, id);
  CREATE TABLE controllers (
    name TEXT PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );
  -- What the collector remembers per BMC between sweeps.
  CREATE TABLE bmc_state (
    address TEXT PRIMARY KEY,
    last_sweep TEXT,
    last_success TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    pinned_fingerprint TEXT,
    outcome TEXT,
    systems TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE etags (
    address TEXT NOT NULL,
    path TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (address, path)
  ) WITHOUT ROWID;
  `,
  // The last inventory the collector read per BMC system: what an unknown section is carried over
  // from, and what the next sweep's DIMM-by-DIMM history is computed against.
  `
  CREATE TABLE inventories (
    address TEXT NOT NULL,
    system TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    inventory TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (address, system)
  ) WITHOUT ROWID;
  `,
  // Web interface sessions: only a hash of the session id is stored, so reading the database does
  // not let anyone log in; each session has its own CSRF token. An index for the listing's sort by
  // last hardware update.
  `
  CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
  CREATE INDEX machines_last_sync ON machines(last_sync);
  `,
  // What the last sweep read from each BMC, in one row (a JSON map of path → {etag?, body}): a
  // sweep reads and writes each BMC's cache once, instead of one row per resource. full_read_at
  // is when every resource was last read (between full reads, unchanged listings vouch for parts).
  `
  DROP TABLE etags;
  CREATE TABLE read_cache (
    address TEXT PRIMARY KEY,
    entries TEXT NOT NULL,
    full_read_at TEXT
  ) WITHOUT ROWID;
  `,
  // Machines are matched by their BMC address on every sweep; without this, each lookup reads
  // every machine's power parameters.
  `
  CREATE INDEX machines_power_address ON machines (json_extract(power_parameters, '$.power_address'));
  `,
  // The read cache (~50 KB a row) and the inventories (~10 KB) as rowid tables: a WITHOUT ROWID
  // table keeps rows in its key's B-tree, which SQLite advises only for rows under ~1/20 of a page;
  // rows this big split and rewrite key pages on every insert (strace at 200 BMCs: the read cache
  // alone was 43 page writes per BMC for 12 pages of data).
  `
  CREATE TABLE read_cache_rows (
    address TEXT NOT NULL UNIQUE,
    entries TEXT NOT NULL,
    full_read_at TEXT
  );
  INSERT INTO read_cache_rows (address, entries, full_read_at) SELECT address, entries, full_read_at FROM read_cache;
  DROP TABLE read_cache;
  ALTER TABLE read_cache_rows RENAME TO read_cache;
  CREATE TABLE inventory_rows (
    address TEXT NOT NULL,
    system TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    inventory TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (address, system)
  );
  INSERT INTO inventory_rows (address, system, fingerprint, inventory, at) SELECT address, system, fingerprint, inventory, at FROM inventories;
  DROP TABLE inventories;
  ALTER TABLE inventory_rows RENAME TO inventories;
  `,
  // What MAAS clients read besides machines: the subnets machines' addresses are on (one row per
  // network, so a subnet's id never changes), tags and the machines carrying them, and the outputs
  // of MAAS's lshw and LLDP scripts that `op=details` serves. Subnets are filled from the
  // interfaces already stored.
  (db) => {
    db.exec(`
      CREATE TABLE subnets (
        id INTEGER PRIMARY KEY,
        cidr TEXT NOT NULL UNIQUE
      );
      CREATE TABLE tags (
        name TEXT PRIMARY KEY,
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE machine_tags (
        machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
        tag TEXT NOT NULL REFERENCES tags(name) ON DELETE CASCADE,
        PRIMARY KEY (machine_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX machine_tags_tag ON machine_tags(tag);
      CREATE TABLE script_outputs (
        machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (machine_id, name)
      ) WITHOUT ROWID;
    `);
    const insert = db.prepare('INSERT OR IGNORE INTO subnets (cidr) VALUES (?)');
    for (const row of db.prepare("SELECT ips FROM interfaces WHERE ips != '[]' ORDER BY id").all() as { ips: string }[]) {
      for (const address of JSON.parse(row.ips) as string[]) {
        const cidr = networkOf(address);
        if (cidr) insert.run(cidr);
      }
    }
  },
  // The description of the machine's latest status event as MAAS would show it (its
  // `status_message`; null before any): src/registry/status-event.ts.
  `ALTER TABLE machines ADD COLUMN status_event TEXT;`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a database up to SCHEMA_VERSION; refuses one written by a newer version. */
export function migrate(db: DatabaseSync, options: { readonly inOpenTransaction?: boolean } = {}): void {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (current > SCHEMA_VERSION) {
    throw new Error(`registry database has schema version ${current}; this redfish-enlist understands up to ${SCHEMA_VERSION}`);
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    // Inside a transaction the caller will roll back (a dry run's store), the migrations join it.
    const migration = MIGRATIONS[version]!;
    const apply = () => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    };
    if (options.inOpenTransaction) {
      apply();
      continue;
    }
    db.exec('BEGIN IMMEDIATE');
    try {
      apply();
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
