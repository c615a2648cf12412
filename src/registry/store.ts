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
  /** Every field's problems, when a form has several fields wrong (MAAS reports them all at once). */
  readonly fields: Readonly<Record<string, readonly string[]>> | undefined;
  /** What the API answers, when it is not the message (MAAS's empty 403 for a locked machine). */
  readonly answer: string | undefined;

  constructor(
    status: number,
    message: string,
    options: { field?: string; details?: readonly string[]; fields?: Readonly<Record<string, readonly string[]>>; answer?: string } = {},
  ) {
    super(message);
    this.status = status;
    this.field = options.field;
    this.details = options.details ?? [];
    this.fields = options.fields;
    this.answer = options.answer;
  }
}

/**
 * The database itself failed: full (SQLITE_FULL), locked by another process past the busy timeout
 * (SQLITE_BUSY), an I/O error. What the failed transaction (or grouped commit) held is not stored.
 */
export class StorageError extends RegistryError {
  constructor(message: string) {
    super(503, message);
  }
}

/** The database's own failure in an error thrown by a write, if it is one (an SQLite error or a StorageError). */
export function storageFailure(error: unknown): string | undefined {
  if (error instanceof StorageError) return error.message;
  const sqlite = error as { code?: unknown; errstr?: unknown; message?: unknown } | undefined;
  return sqlite?.code === 'ERR_SQLITE_ERROR' ? String(sqlite.message ?? sqlite.errstr) : undefined;
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
// The groups the running async context's units landed in (see `trackWrites`).
const tracking = new AsyncLocalStorage<{ readonly store: Store; readonly groups: Set<Group> }>();

/** An open registry database. Synchronous: node:sqlite runs each statement to completion. */
export class Store {
  readonly path: string;
  readonly now: () => Date;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;
  // The open transaction that grouped units share, when there is one.
  #group: Group | undefined;
  #groupWindow: Required<GroupCommitOptions> | undefined;
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
    const grouped = this.#groupWindow !== undefined && grouping.getStore() === this;
    if (this.#group || grouped) return this.#unit(work, grouped);
    this.#db.exec('BEGIN IMMEDIATE');
    this.#depth = 1;
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      // SQLite rolls the whole transaction back itself on some errors (a full disk, an I/O error).
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
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

  /**
   * Runs `work` (one BMC's sweep), remembering the groups its transactions land in: `durable`
   * resolves once all of them are committed and rejects with a StorageError when one is lost. Once
   * one is lost, the work's later transactions are refused with the same error, so what it writes
   * after a loss never stands without what it wrote before.
   */
  async trackWrites<T>(work: () => Promise<T>): Promise<{ value: T; durable: Promise<void> }> {
    const groups = new Set<Group>();
    const value = await tracking.run({ store: this, groups }, work);
    return { value, durable: Promise.all([...groups].map((group) => group.settled)).then(() => undefined) };
  }

  /**
   * Throws when this connection cannot take the database's write lock now: another process holds
   * it past the busy timeout (SQLITE_BUSY, "database is locked"), or the file cannot be written.
   */
  checkWritable(): void {
    if (this.#discard || this.#group || this.#depth > 0) return; // writes nothing, or holds the lock already
    this.#db.exec('BEGIN IMMEDIATE');
    this.#db.exec('ROLLBACK');
  }

  /** Commits the open group of transactions now; throws a StorageError when that commit fails. */
  flush(): void {
    const group = this.#group;
    this.#commitGroup();
    if (group?.failure) throw group.failure;
  }

  // Commits the open group, if any, and settles its `durable()` promise.
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    try {
      this.#db.exec('COMMIT');
      this.#endGroup(group);
    } catch (error) {
      // A failed COMMIT may leave the transaction open, or SQLite may have rolled it back (a full
      // disk): either way what the group held is lost, and said so.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#endGroup(group, error);
    }
  }

  // The group is over: committed, or lost with `error`.
  #endGroup(group: Group, error?: unknown): void {
    if (this.#group === group) this.#group = undefined;
    clearTimeout(group.timer);
    if (group.soon) clearImmediate(group.soon);
    if (error === undefined) return group.settle();
    group.failure = new StorageError(`the registry database could not commit: ${(error as Error)?.message ?? String(error)}`);
    group.settle(group.failure);
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
      this.#group = newGroup(timer);
    }
    const group = this.#group;
    const tracked = tracking.getStore();
    if (tracked?.store === this) {
      for (const earlier of tracked.groups) if (earlier.failure) throw earlier.failure;
      tracked.groups.add(group);
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
      // SQLite may have rolled back the whole shared transaction (SQLITE_FULL, an I/O error): the
      // units before this one are lost with it, and their durable() says so.
      if (this.#db.isTransaction) {
        this.#db.exec('ROLLBACK TO unit');
        this.#db.exec('RELEASE unit');
      } else {
        this.#endGroup(group, error);
      }
      throw error;
    } finally {
      this.#depth = 0;
      // A unit from outside the group is durable before it returns. When the unit itself failed,
      // its own error is the one to see; the group's failure goes to durable(). A full group is
      // committed once the running chain of work yields (setImmediate), never in the middle of
      // one: a BMC's writes through the embedded target run back to back and stay in one group.
      if (!grouped) {
        if (done) this.flush();
        else this.#commitGroup();
      } else if (this.#group === group && ++group.units >= this.#groupWindow!.maxUnits && !group.soon) {
        group.soon = setImmediate(() => this.#commitGroup());
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

/** The open transaction that grouped units share. */
interface Group {
  readonly timer: NodeJS.Timeout;
  units: number;
  /** The commit once the group is full, at the next turn of the event loop. */
  soon?: NodeJS.Immediate;
  readonly settled: Promise<void>;
  readonly settle: (failure?: Error) => void;
  failure?: StorageError;
}

function newGroup(timer: NodeJS.Timeout): Group {
  let settle!: (failure?: Error) => void;
  const settled = new Promise<void>((resolve, reject) => (settle = (failure) => (failure ? reject(failure) : resolve())));
  settled.catch(() => undefined); // seen through durable() or flush(), when anyone asks
  return { timer, units: 0, settled, settle };
}

// The database holds API secrets and BMC passwords: it is created readable by its owner only, and
// SQLite gives its -wal and -shm files the same mode.
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}
