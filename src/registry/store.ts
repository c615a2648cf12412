// The registry's database: one SQLite file (node:sqlite), mode 0600, WAL, numbered migrations, and
// every change in one transaction, so a crash at any instant leaves the last committed state.
import { AsyncLocalStorage } from 'node:async_hooks';
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
  /**
   * Nothing is ever written (a dry run): a path with no database opens an empty one in memory and
   * creates no file; an existing one is read inside one transaction that is rolled back at close,
   * so what the caller changes is seen by its own reads and never reaches the file. @default false
   */
  readonly discardChanges?: boolean;
}

type Row = Record<string, unknown>;

/** How long transactions may wait to share a commit, and how many may share one. */
export interface GroupCommitOptions {
  /** @default 200 */
  readonly windowMs?: number;
  /** @default 256 */
  readonly maxUnits?: number;
}

// Which store's grouped commits the running async context takes part in (see `groupCommits`).
const grouping = new AsyncLocalStorage<Store>();

/** An open registry database. Synchronous: node:sqlite runs each statement to completion. */
export class Store {
  readonly path: string;
  readonly now: () => Date;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;
  // The open transaction that grouped units share, when there is one.
  #group: { timer: NodeJS.Timeout; units: number } | undefined;
  #groupWindow: Required<GroupCommitOptions> | undefined;
  #groupFailure: Error | undefined;
  readonly #discard: boolean;

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    this.now = options.now ?? (() => new Date());
    this.#discard = options.discardChanges === true;
    if (this.#discard) {
      this.#db = new DatabaseSync(path !== ':memory:' && existsSync(path) ? path : ':memory:');
      this.#db.exec('PRAGMA foreign_keys = ON');
      this.#db.exec('PRAGMA busy_timeout = 5000');
      this.#db.exec('BEGIN');
      migrate(this.#db, { inOpenTransaction: true });
      return;
    }
    if (path !== ':memory:') createPrivately(path);
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode loses no committed transaction when the process dies (kill -9); only a
    // power failure can lose the last ones, never consistency.
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    this.#db.exec('PRAGMA busy_timeout = 5000');
    // 8 MiB of page cache instead of SQLite's 2: a sweep's lookups by address, MAC and UUID walk
    // index pages that the default cache evicted between BMCs (strace at 200 BMCs: page reads from
    // ~93 to ~24 per BMC with 16 MiB). Bounded, so it costs at most its size in RSS; 16 MiB put the
    // collector's peak at 10,000 BMCs over 400 MB.
    this.#db.exec('PRAGMA cache_size = -8192');
    migrate(this.#db);
  }

  /**
   * Runs `work` in one transaction: all of it is committed, or none of it. Nested calls join the
   * outer one. Inside `groupCommits`, the unit is a savepoint of a transaction shared with the units
   * that follow it for a short window: still all or nothing, but durable only at the shared commit.
   */
  transaction<T>(work: () => T): T {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return work();
      } finally {
        this.#depth--;
      }
    }
    if (this.#discard) return this.#savepoint(work);
    this.#throwGroupFailure();
    const grouped = this.#groupWindow !== undefined && grouping.getStore() === this;
    if (this.#group || grouped) return this.#unit(work, grouped);
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

  /**
   * Runs `work` (a sweep) with its transactions grouped: each stays atomic as a savepoint, and one
   * commit every `windowMs` (or `maxUnits` units) makes them durable together. A sweep writes three
   * small transactions per BMC; their commits and WAL frames were a third of its database time. A
   * crash loses at most the last window, whole units only, which the next sweep writes again.
   * Transactions from outside `work` (an API request in the same process) commit at once, and take
   * the open group with them. Resolves after the last commit.
   */
  async groupCommits<T>(work: () => Promise<T>, options: GroupCommitOptions = {}): Promise<T> {
    if (this.#groupWindow) return grouping.run(this, work);
    this.#groupWindow = { windowMs: options.windowMs ?? 200, maxUnits: options.maxUnits ?? 256 };
    try {
      return await grouping.run(this, work);
    } finally {
      this.#groupWindow = undefined;
      this.flush();
    }
  }

  /** Commits the open group of transactions now; throws when this or an earlier grouped commit failed. */
  flush(): void {
    this.#commitGroup();
    this.#throwGroupFailure();
  }

  // Commits the open group, if any; a failure is kept for the next writer or flush to throw.
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    clearTimeout(group.timer);
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      // A failed COMMIT may leave the transaction open; what it held is lost, and said so.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#groupFailure = new RegistryError(500, `the registry database could not commit: ${(error as Error).message}`);
    }
  }

  // A grouped commit that failed is reported once, to the next caller that writes or flushes.
  #throwGroupFailure(): void {
    const failure = this.#groupFailure;
    this.#groupFailure = undefined;
    if (failure) throw failure;
  }

  // A unit of a store that discards its changes: all or nothing within the transaction never committed.
  #savepoint<T>(work: () => T): T {
    this.#db.exec('SAVEPOINT unit');
    this.#depth = 1;
    try {
      const result = work();
      this.#db.exec('RELEASE unit');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK TO unit');
      this.#db.exec('RELEASE unit');
      throw error;
    } finally {
      this.#depth = 0;
    }
  }

  #unit<T>(work: () => T, grouped: boolean): T {
    if (!this.#group) {
      this.#db.exec('BEGIN IMMEDIATE');
      const timer = setTimeout(() => this.#commitGroup(), this.#groupWindow!.windowMs);
      timer.unref();
      this.#group = { timer, units: 0 };
    }
    this.#db.exec('SAVEPOINT unit');
    this.#depth = 1;
    let done = false;
    try {
      const result = work();
      this.#db.exec('RELEASE unit');
      done = true;
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK TO unit');
      this.#db.exec('RELEASE unit');
      throw error;
    } finally {
      this.#depth = 0;
      // A unit from outside the group is durable before it returns; so is the group's last unit.
      // When the unit itself failed, its own error is the one to see; a commit failure waits.
      if (!grouped || ++this.#group!.units >= this.#groupWindow!.maxUnits) {
        if (done) this.flush();
        else this.#commitGroup();
      }
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

  /** Commits any open group of transactions and closes the database; closing twice is harmless. */
  close(): void {
    try {
      if (this.#db.isOpen && this.#discard && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      else if (this.#db.isOpen) this.flush();
    } finally {
      this.#statements.clear();
      if (this.#db.isOpen) this.#db.close();
    }
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
