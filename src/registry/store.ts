// The registry's database: one SQLite file (node:sqlite), mode 0600, WAL, numbered migrations, and
// every change in one transaction, so a crash at any instant leaves the last committed state.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { migrate } from './schema.ts';

/** A refusal the HTTP API turns into a status code; `field` names the form field for 400s. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  readonly field: string | undefined;
  /** Every problem, when there are several (a document that fails validation). */
  readonly details: readonly string[];

  constructor(status: number, message: string, options: { field?: string; details?: readonly string[] } = {}) {
    super(message);
    this.status = status;
    this.field = options.field;
    this.details = options.details ?? [];
  }
}

/** Where the registry lives when nothing says otherwise: the user's state directory. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'redfish-enlist', 'registry.db');
}

/** Options for opening a store. */
export interface StoreOptions {
  /** Time source, for tests. @default () => new Date() */
  readonly now?: () => Date;
}

type Row = Record<string, unknown>;

/** An open registry database. Synchronous: node:sqlite runs each statement to completion. */
export class Store {
  readonly path: string;
  readonly now: () => Date;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    this.now = options.now ?? (() => new Date());
    if (path !== ':memory:') createPrivately(path);
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode loses no committed transaction when the process dies (kill -9); only a
    // power failure can lose the last ones, never consistency.
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    this.#db.exec('PRAGMA busy_timeout = 5000');
    migrate(this.#db);
  }

  /** Runs `work` in one transaction: all of it is committed, or none of it. Nested calls join the outer one. */
  transaction<T>(work: () => T): T {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return work();
      } finally {
        this.#depth--;
      }
    }
    this.#db.exec('BEGIN IMMEDIATE');
    this.#depth = 1;
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#depth = 0;
    }
  }

  /** All rows of a query (statements are prepared once and reused). */
  all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  /** The first row of a query, if any. */
  get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  /** Runs a statement; returns the rows changed and the last inserted id. */
  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    const result = this.#statement(sql).run(...params);
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  /** The current time as ISO text, the form timestamps are stored in. */
  timestamp(): string {
    return this.now().toISOString();
  }

  /** Closes the database; closing twice is harmless. */
  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

// The database holds API secrets and BMC passwords: it is created readable by its owner only, and
// SQLite gives its -wal and -shm files the same mode.
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}
