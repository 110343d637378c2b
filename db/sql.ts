import type { Database, RunResult, Statement } from 'better-sqlite3';

/**
 * Typed access to SQLite for the store layer. Each statement's row type is written once, where the
 * statement is declared, instead of an `as { ... }` cast at every call site (Signal's typed SQL
 * interface and actual's `db.first<T>` are the models).
 *
 * - `query<Params, Row>(sql)` declares a fixed statement at module level. It is prepared the first
 *   time it runs on a database and that prepared statement is reused on every later call (better-sqlite3
 *   does not cache by itself, and hot paths run such statements once per customer).
 * - `first`, `all`, `run`, `exists` are for SQL assembled at run time (a scope's condition, a filter,
 *   an IN list): they prepare on each call, as such text may differ on every call. `allCached` is
 *   `all` for run-time text of a few shapes that recur on a hot path: it keeps the last few prepared.
 * - `Clauses` assembles conditions (or SET items) with their parameters in step, so a fragment can
 *   never be added without its values.
 */

/** What better-sqlite3 can bind: a boolean or undefined would throw at run time, so the compiler refuses them. */
export type SqlParam = string | number | bigint | Buffer | null;

export interface Query<P extends readonly SqlParam[], R> {
  readonly sql: string;
  get(db: Database, ...params: P): R | undefined;
  all(db: Database, ...params: P): R[];
  run(db: Database, ...params: P): RunResult;
  /**
   * Rows one at a time. The statement stays busy until the iteration ends, so the loop body must not
   * run this same query again (better-sqlite3 refuses that): use `all` there.
   */
  iterate(db: Database, ...params: P): IterableIterator<R>;
  /** The prepared statement on this database, for callers that need `pluck`, `raw` or `columns`. */
  prepared(db: Database): Statement<SqlParam[], R>;
}

/** Declares a fixed statement once with its parameter and row types (see the file comment). */
export function query<P extends readonly SqlParam[] = [], R = never>(sql: string): Query<P, R> {
  type S = Statement<SqlParam[], R>;
  const cache = new WeakMap<Database, S>();
  const stmt = (db: Database): S => {
    let s = cache.get(db);
    if (!s) {
      s = db.prepare<SqlParam[], R>(sql);
      cache.set(db, s);
    }
    return s;
  };
  return {
    sql,
    get: (db, ...params) => stmt(db).get(...params),
    all: (db, ...params) => stmt(db).all(...params),
    run: (db, ...params) => stmt(db).run(...params),
    iterate: (db, ...params) => stmt(db).iterate(...params),
    prepared: stmt,
  };
}

/** The first row of SQL built at run time, typed once here, or undefined. */
export function first<R>(db: Database, sql: string, ...params: readonly SqlParam[]): R | undefined {
  return db.prepare<SqlParam[], R>(sql).get(...params);
}

/** Every row of SQL built at run time. */
export function all<R>(db: Database, sql: string, ...params: readonly SqlParam[]): R[] {
  return db.prepare<SqlParam[], R>(sql).all(...params);
}

/** Prepared run-time statements kept per database, least recently used first out (see `allCached`). */
const recent = new WeakMap<Database, Map<string, Statement<SqlParam[], unknown>>>();
const RECENT_MAX = 16;

/**
 * Every row of SQL built at run time from a few shapes that recur on a hot path (the grid's page of
 * rows by id: one text per page length): the statement is prepared once per text and database and
 * kept among the last RECENT_MAX, where `all` prepares on every call (a wide SELECT takes ~1-2 ms).
 */
export function allCached<R>(db: Database, sql: string, ...params: readonly SqlParam[]): R[] {
  let m = recent.get(db);
  if (!m) {
    m = new Map();
    recent.set(db, m);
  }
  let s = m.get(sql) as Statement<SqlParam[], R> | undefined;
  if (s) m.delete(sql);
  else s = db.prepare<SqlParam[], R>(sql);
  m.set(sql, s as Statement<SqlParam[], unknown>);
  if (m.size > RECENT_MAX) m.delete(m.keys().next().value!);
  return s.all(...params);
}

/** Runs a write built at run time. */
export function run(db: Database, sql: string, ...params: readonly SqlParam[]): RunResult {
  return db.prepare<SqlParam[]>(sql).run(...params);
}

/** Whether SQL built at run time returns a row (a scope or existence check). */
export function exists(db: Database, sql: string, ...params: readonly SqlParam[]): boolean {
  return db.prepare<SqlParam[]>(sql).get(...params) !== undefined;
}

/** `?,?,?` for an IN list of these values (callers make sure the list is not empty). */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(',');
}

/**
 * SQL fragments and their parameters, kept in step: `add` takes a fragment and exactly the values its
 * `?` stand for. Used for WHERE conditions (`and()`) and for the SET list of a partial update (`join(', ')`).
 */
export class Clauses {
  readonly parts: string[] = [];
  readonly params: SqlParam[] = [];

  constructor(...initial: readonly { sql: string; params: readonly SqlParam[] }[]) {
    for (const c of initial) this.add(c.sql, ...c.params);
  }

  add(fragment: string, ...params: readonly SqlParam[]): this {
    this.parts.push(fragment);
    this.params.push(...params);
    return this;
  }

  get length(): number {
    return this.parts.length;
  }

  /** The conditions joined with AND; `1` (always true) when there are none. */
  and(): string {
    return this.parts.length ? this.parts.join(' AND ') : '1';
  }

  join(separator: string): string {
    return this.parts.join(separator);
  }
}
