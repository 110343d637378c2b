import type { Database, Statement } from 'better-sqlite3';
import { buildIndexes, dropIndexes, type SavedIndex } from '../indexes';

/**
 * Bulk-load plumbing. Rows arrive in customer order, so an index keyed on anything else (journal number,
 * name, mobile...) would take a scattered B-tree insert per row; loading the bare tables in rowid order and
 * building each index once afterwards with a sort is cheaper (for the journal-number index alone, keeping
 * it live cost twice what rebuilding it does at 200k customers).
 */

/** Tables whose secondary indexes are dropped for the load: the ones with millions of rows. */
export const BULK_TABLES = ['transactions', 'daily_balances', 'customers'] as const;

/** Drops the explicit secondary indexes of the big tables and returns their exact DDL for re-creation. */
export function dropBulkIndexes(db: Database): SavedIndex[] {
  return dropIndexes(db, BULK_TABLES);
}

/** Re-creates saved indexes that are missing (safe to call again after a failure part-way). */
export function recreateIndexes(db: Database, saved: readonly SavedIndex[], onEach?: (done: number) => void): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?");
  buildIndexes(
    db,
    saved.filter((ix) => !exists.get(ix.name)),
    onEach,
  );
}

export interface PragmaState {
  foreignKeys: number;
  synchronous: number;
  cacheSize: number;
  journalMode: string;
  threads: number;
}

/**
 * Settings for the load: no FK checks (the generator builds consistent data; tests prove it), no fsync
 * (a half-written demo store is thrown away anyway), a big page cache and two sorter threads for the
 * index builds. The rollback journal replaces WAL while loading: pages appended past the end of the file
 * need no journal, whereas WAL would write every page (gigabytes of index pages) twice, once to the log
 * and once at the checkpoint. The previous settings come back afterwards.
 */
export function enterBulkMode(db: Database): PragmaState {
  const state: PragmaState = {
    foreignKeys: db.pragma('foreign_keys', { simple: true }) as number,
    synchronous: db.pragma('synchronous', { simple: true }) as number,
    cacheSize: db.pragma('cache_size', { simple: true }) as number,
    journalMode: db.pragma('journal_mode', { simple: true }) as string,
    threads: db.pragma('threads', { simple: true }) as number,
  };
  db.pragma('foreign_keys = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('threads = 2');
  if (state.journalMode.toLowerCase() === 'wal') db.pragma('journal_mode = DELETE');
  return state;
}

export function leaveBulkMode(db: Database, state: PragmaState): void {
  if (state.journalMode.toLowerCase() === 'wal') db.pragma('journal_mode = WAL');
  db.pragma(`threads = ${state.threads}`);
  db.pragma(`cache_size = ${state.cacheSize}`);
  db.pragma(`synchronous = ${state.synchronous}`);
  db.pragma(`foreign_keys = ${state.foreignKeys ? 'ON' : 'OFF'}`);
}

/**
 * Multi-row INSERTs for the two tables that get tens of millions of rows. One statement step per 64 rows
 * instead of one per row cuts the per-row cost of better-sqlite3 and SQLite's VDBE by about a third.
 * Values go into one preallocated argument array, so buffering allocates nothing per row.
 * Callers must flush() before every COMMIT.
 */

const TXN_COLUMNS = 14;
const TXN_ROWS = 64;
const TXN_SQL = `INSERT INTO transactions (id, serial_no, account_id, customer_id, txn_at, amount_fen, direction,
  channel, txn_type, balance_after_fen, counterparty_name, counterparty_account, memo, teller_staff_id) VALUES `;

const BAL_COLUMNS = 3;
const BAL_ROWS = 128;
const BAL_SQL = 'INSERT INTO daily_balances (account_id, on_date, balance_fen) VALUES ';

function placeholders(columns: number, rows: number): string {
  const one = `(${new Array<string>(columns).fill('?').join(',')})`;
  return new Array<string>(rows).fill(one).join(',');
}

type Value = string | number | null;

export class TxnSink {
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly args: Value[] = new Array<Value>(TXN_COLUMNS * TXN_ROWS).fill(null);
  private k = 0;

  constructor(db: Database) {
    this.many = db.prepare(TXN_SQL + placeholders(TXN_COLUMNS, TXN_ROWS));
    this.one = db.prepare(TXN_SQL + placeholders(TXN_COLUMNS, 1));
  }

  row(
    id: number,
    serial: string,
    accountId: number,
    customerId: number,
    at: string,
    amount: number,
    direction: string,
    channel: string,
    type: string,
    balanceAfter: number | null,
    cpName: string | null,
    cpAccount: string | null,
    memo: string | null,
    teller: number | null,
  ): void {
    const a = this.args;
    const b = this.k * TXN_COLUMNS;
    a[b] = id;
    a[b + 1] = serial;
    a[b + 2] = accountId;
    a[b + 3] = customerId;
    a[b + 4] = at;
    a[b + 5] = amount;
    a[b + 6] = direction;
    a[b + 7] = channel;
    a[b + 8] = type;
    a[b + 9] = balanceAfter;
    a[b + 10] = cpName;
    a[b + 11] = cpAccount;
    a[b + 12] = memo;
    a[b + 13] = teller;
    if (++this.k === TXN_ROWS) {
      this.many.run(a);
      this.k = 0;
    }
  }

  flush(): void {
    const a = this.args;
    for (let r = 0; r < this.k; r++) this.one.run(a.slice(r * TXN_COLUMNS, (r + 1) * TXN_COLUMNS));
    this.k = 0;
  }
}

export class BalanceSink {
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly args: Value[] = new Array<Value>(BAL_COLUMNS * BAL_ROWS).fill(null);
  private k = 0;

  constructor(db: Database) {
    this.many = db.prepare(BAL_SQL + placeholders(BAL_COLUMNS, BAL_ROWS));
    this.one = db.prepare(BAL_SQL + placeholders(BAL_COLUMNS, 1));
  }

  row(accountId: number, onDate: string, balance: number): void {
    const b = this.k * BAL_COLUMNS;
    this.args[b] = accountId;
    this.args[b + 1] = onDate;
    this.args[b + 2] = balance;
    if (++this.k === BAL_ROWS) {
      this.many.run(this.args);
      this.k = 0;
    }
  }

  flush(): void {
    for (let r = 0; r < this.k; r++) this.one.run(this.args.slice(r * BAL_COLUMNS, (r + 1) * BAL_COLUMNS));
    this.k = 0;
  }
}

/**
 * Generic multi-row sink for the per-customer tables (a million customers, a few million accounts).
 * `rowSql` is one row's VALUES tuple, e.g. "(?,?,'CNY',?)"; its ? count is the number of values per row.
 */
export class RowSink {
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly width: number;
  private readonly args: Value[];
  private k = 0;

  constructor(
    db: Database,
    insertSql: string,
    rowSql: string,
    private readonly rows: number,
  ) {
    this.width = (rowSql.match(/\?/g) ?? []).length;
    this.args = new Array<Value>(this.width * rows).fill(null);
    this.many = db.prepare(`${insertSql} VALUES ${new Array<string>(rows).fill(rowSql).join(',')}`);
    this.one = db.prepare(`${insertSql} VALUES ${rowSql}`);
  }

  row(...values: Value[]): void {
    if (values.length !== this.width) throw new RangeError(`expected ${this.width} values, got ${values.length}`);
    const b = this.k * this.width;
    for (let i = 0; i < this.width; i++) this.args[b + i] = values[i]!;
    if (++this.k === this.rows) {
      this.many.run(this.args);
      this.k = 0;
    }
  }

  flush(): void {
    for (let r = 0; r < this.k; r++) this.one.run(this.args.slice(r * this.width, (r + 1) * this.width));
    this.k = 0;
  }
}

/** Multi-row inserts for everything the customer loop writes; positional values, no row objects. */
export class Inserts {
  readonly customer: RowSink;
  readonly account: RowSink;
  readonly termDeposit: RowSink;
  readonly wealth: RowSink;
  readonly loan: RowSink;
  readonly txn: TxnSink;
  readonly balance: BalanceSink;
  readonly assignment: RowSink;
  readonly customerTag: RowSink;
  readonly change: RowSink;
  readonly grant: Statement;
  private readonly sinks: { flush(): void }[];

  constructor(db: Database) {
    const q = (n: number): string => `(${new Array<string>(n).fill('?').join(',')})`;
    this.customer = new RowSink(
      db,
      `INSERT INTO customers (id, customer_no, kind, name, name_initials, id_type, id_no, gender, birth_date, mobile,
         phone, email, address, postcode, occupation, employer, legal_rep, registered_capital_fen, branch_id, opened_on,
         status, tier, credit_rating, risk_tolerance, manager_staff_id, deposit_fen, wealth_fen, loan_fen, aum_fen,
         last_txn_on, created_at, updated_at)`,
      q(32),
      16,
    );
    this.account = new RowSink(
      db,
      `INSERT INTO accounts (id, account_no, customer_id, product_id, branch_id, kind, currency, opened_on, closed_on,
         status, frozen_fen, balance_fen, balance_on, created_at, updated_at)`,
      "(?,?,?,?,?,?,'CNY',?,?,?,?,?,?,?,?)",
      32,
    );
    this.termDeposit = new RowSink(
      db,
      `INSERT INTO term_deposits (id, deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm,
         term_months, start_on, maturity_on, auto_rollover, status)`,
      q(12),
      32,
    );
    this.wealth = new RowSink(
      db,
      `INSERT INTO wealth_holdings (id, holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on,
         maturity_on, status)`,
      q(9),
      32,
    );
    this.loan = new RowSink(
      db,
      `INSERT INTO loans (id, loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen,
         rate_ppm, disbursed_on, maturity_on, repayment_method, next_due_on, next_due_fen, overdue_days, classification,
         guarantee_type, status, paid_off_on)`,
      q(19),
      16,
    );
    this.txn = new TxnSink(db);
    this.balance = new BalanceSink(db);
    this.assignment = new RowSink(
      db,
      'INSERT INTO manager_assignments (id, customer_id, staff_id, from_date, to_date, assigned_by, reason)',
      q(7),
      32,
    );
    this.customerTag = new RowSink(
      db,
      'INSERT INTO customer_tags (customer_id, tag_id, tagged_by, tagged_at)',
      q(4),
      64,
    );
    this.change = new RowSink(
      db,
      'INSERT INTO customer_changes (id, customer_id, field, old_value, new_value, changed_at, source)',
      q(7),
      16,
    );
    this.grant = db.prepare(
      `INSERT INTO customer_grants (id, staff_id, customer_id, granted_by, granted_at, expires_on)
       VALUES (?,?,?,?,?,?)`,
    );
    this.sinks = [
      this.customer,
      this.account,
      this.termDeposit,
      this.wealth,
      this.loan,
      this.txn,
      this.balance,
      this.assignment,
      this.customerTag,
      this.change,
    ];
  }

  /** Writes rows still buffered in the sinks; due before every COMMIT. */
  flush(): void {
    for (const s of this.sinks) s.flush();
  }
}
