/**
 * The write side of an import job: each converted row upserted by natural key, with the before-image
 * a revert needs, customer history and managers of record, and the deltas that keep the customer
 * figures and summaries current, all inside the job's transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import { buildIndexes, dropIndexes, type SavedIndex } from '../../../db/indexes';
import { initialsOf } from '../../../db/names';
import { type JobMark, reportingJobBegin, reportingJobFinish } from '../../../db/reporting/maintain';
import { beginAffected, markAffectedStatement, refreshAffected, SummaryDelta } from '../../../db/summaries';
import { IdSet } from './id-set';
import { JobError, type JobTimings, type RejectInfo, type Value } from './job';
import { CUSTOMER_HISTORY_COLUMNS, type KindSpec } from './kinds';
import type { RefResolver } from './ref-resolver';

/** Upserts rows of one kind, keeping before-images, history and summary deltas. */
export class Writer {
  inserted = 0;
  updated = 0;
  unchanged = 0;
  private readonly select: Statement;
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly change: Statement;
  private readonly markUnchanged: Statement;
  private readonly isUnchanged: Statement;
  private readonly markAffected: Statement | null;
  private readonly history: Statement | null;
  private readonly balanceChange: Statement | null;
  private readonly delta = new SummaryDelta();
  private readonly keyIdx: number[];
  private readonly groupCols = [
    'branch_id',
    'manager_staff_id',
    'tier',
    'deposit_fen',
    'wealth_fen',
    'loan_fen',
    'aum_fen',
  ];
  private readonly customers: boolean;
  private readonly closeAssignment: Statement | null = null;
  private readonly openAssignment: Statement | null = null;
  private readonly currentAssignment: Statement | null = null;

  constructor(
    private readonly db: Database,
    private readonly spec: KindSpec,
    private readonly jobId: number,
    /** Store columns the profile fills, in profile order (the key among them). */
    private readonly cols: string[],
    private readonly at: string,
    private readonly withInitials: boolean,
  ) {
    this.customers = spec.kind === 'customers';
    const t = spec.table;
    const writeCols = [...cols];
    if (this.withInitials) writeCols.push('name_initials');
    if (spec.kind === 'transactions') writeCols.push('customer_id');
    this.keyIdx = spec.keyColumns.map((k) => writeCols.indexOf(k));
    if (this.keyIdx.some((i) => i < 0))
      throw new JobError('IMPORT_BAD_PROFILE', { reason: 'key_not_mapped', key: spec.keyColumns });
    this.writeCols = writeCols;
    this.params = new Array<Value>(writeCols.length).fill(null);
    this.nameIdx = cols.indexOf('name');
    this.txnCustomerIdx = spec.kind === 'transactions' ? writeCols.length - 1 : -1;
    this.customerIdx = writeCols.indexOf('customer_id');
    this.accountIdx = writeCols.indexOf('account_id');
    this.managerIdx = writeCols.indexOf('manager_staff_id');
    this.branchIdx = writeCols.indexOf('branch_id');
    this.ownerOf = db.prepare('SELECT customer_id AS c FROM accounts WHERE id = ?');
    const where = spec.keyColumns.map((k) => `${k} = ?`).join(' AND ');
    const extra = spec.tracked ? ['id', 'created_job_id', 'last_job_id'] : [];
    const readCols = [...new Set([...extra, ...writeCols, ...(this.customers ? this.groupCols : [])])];
    // Rows come back as arrays (no object per row on a million-row upsert); an object is made only
    // for a row that changed.
    this.select = db.prepare(`SELECT ${readCols.join(', ')} FROM ${t} WHERE ${where}`).raw();
    // Nightly extracts are mostly rows already stored as they are: one look-up that compares every
    // written column in SQL and returns two integers beats fetching the whole row (a dozen strings
    // made per row) to compare in JS. A miss (new or changed row) falls through to the full select.
    if (spec.tracked) {
      const valueCols = writeCols.filter((c) => !spec.keyColumns.includes(c));
      this.sameAt = [...this.keyIdx, ...valueCols.map((c) => writeCols.indexOf(c))];
      this.sameArgs = new Array<Value>(this.sameAt.length).fill(null);
      this.same = db
        .prepare(`SELECT id, last_job_id FROM ${t} WHERE ${where}${valueCols.map((c) => ` AND ${c} IS ?`).join('')}`)
        .raw();
    }
    this.readCols = readCols;
    this.writeAt = writeCols.map((c) => readCols.indexOf(c));
    this.idAt = readCols.indexOf('id');
    this.lastJobAt = readCols.indexOf('last_job_id');
    const insCols = spec.tracked ? [...writeCols, 'created_job_id', 'last_job_id'] : writeCols;
    // Rows the job writes carry its timestamp, bound once: the columns' DEFAULT (strftime of 'now')
    // is evaluated for every row, ~1 s per million inserts measured here.
    const stamped = spec.hasUpdatedAt ? ['created_at', 'updated_at'] : [];
    this.insertTail = [...(spec.tracked ? [jobId, jobId] : []), ...stamped.map(() => at)];
    const allCols = [...insCols, ...stamped];
    this.insert = db.prepare(`INSERT INTO ${t} (${allCols.join(', ')}) VALUES (${allCols.map(() => '?').join(', ')})`);
    this.bulkArgs = [...new Array<Value>(writeCols.length).fill(null), ...this.insertTail];
    const sets = writeCols.filter((c) => !spec.keyColumns.includes(c)).map((c) => `${c} = ?`);
    if (spec.tracked) sets.push('last_job_id = ?');
    if (spec.hasUpdatedAt) sets.push('updated_at = ?');
    this.updateTail = [...(spec.tracked ? [jobId] : []), ...(spec.hasUpdatedAt ? [at] : [])];
    this.update = spec.tracked
      ? db.prepare(`UPDATE ${t} SET ${sets.join(', ')} WHERE id = ?`)
      : db.prepare(`UPDATE ${t} SET ${sets.join(', ')} WHERE ${where}`);
    this.change = db.prepare('INSERT INTO import_changes (job_id, tbl, row_id, before) VALUES (?, ?, ?, ?)');
    db.exec(
      'CREATE TEMP TABLE IF NOT EXISTS import_seen_balances (account_id INTEGER, on_date TEXT, PRIMARY KEY (account_id, on_date)) WITHOUT ROWID',
    );
    db.exec('DELETE FROM temp.import_seen_balances');
    // Rows of tracked tables seen unchanged are remembered by id in memory (a million-row upsert made
    // a temp-table insert and look-up per row); balances (composite key) in a temp table.
    this.markUnchanged = db.prepare('INSERT INTO temp.import_seen_balances VALUES (?, ?)');
    this.isUnchanged = db.prepare('SELECT 1 FROM temp.import_seen_balances WHERE account_id = ? AND on_date = ?');
    if (spec.figuresOf) beginAffected(db);
    this.markAffected = spec.figuresOf ? markAffectedStatement(db) : null;
    this.history = this.customers
      ? db.prepare(
          'INSERT INTO customer_changes (customer_id, field, old_value, new_value, changed_at, source) VALUES (?, ?, ?, ?, ?, ?)',
        )
      : null;
    this.balanceChange = spec.tracked
      ? null
      : db.prepare('INSERT INTO import_balance_changes (job_id, account_id, on_date, before_fen) VALUES (?, ?, ?, ?)');
    if (this.customers && cols.includes('manager_staff_id')) {
      this.currentAssignment = db.prepare(
        'SELECT id, staff_id, from_date, to_date FROM manager_assignments WHERE customer_id = ? AND to_date IS NULL',
      );
      this.closeAssignment = db.prepare('UPDATE manager_assignments SET to_date = ? WHERE id = ?');
      this.openAssignment = db.prepare(
        `INSERT INTO manager_assignments (customer_id, staff_id, from_date, reason, created_job_id) VALUES (?, ?, ?, ?, ?)`,
      );
    }
  }

  private readonly writeCols: string[];
  private readonly readCols: string[];
  /** A fresh load's insert arguments: the written columns, then insertTail. */
  private readonly bulkArgs: Value[];
  /** Bound after a row's values on insert: the job id twice (tracked kinds), the job's timestamp. */
  private readonly insertTail: Value[];
  /** Bound after the key or id on update (tracked: last_job_id; the timestamp where kept). */
  private readonly updateTail: Value[];
  /** Position in a selected row of each write column, of id, of last_job_id (-1 when not read). */
  private readonly writeAt: number[];
  private readonly idAt: number;
  private readonly lastJobAt: number;
  private readonly params: Value[];
  private readonly nameIdx: number;
  private readonly txnCustomerIdx: number;
  private readonly customerIdx: number;
  private readonly accountIdx: number;
  private readonly managerIdx: number;
  private readonly branchIdx: number;
  private readonly ownerOf: Statement;
  /** Tracked tables: the row by key, only if every written column already holds the value (see constructor). */
  private readonly same: Statement | null = null;
  private readonly sameAt: number[] = [];
  private readonly sameArgs: Value[] = [];

  /** Fresh load into an empty table: no per-row key look-up, secondary indexes rebuilt once at the end. */
  bulk = false;
  private droppedIndexes: SavedIndex[] = [];
  /** The grid columns' insert trigger, suspended during a fresh load (see begin). */
  private suspendedTrigger: string | null = null;

  private reporting: JobMark | null = null;

  /** Inside the transaction, before the first row. */
  begin(): void {
    this.reporting = reportingJobBegin(this.db, this.spec.kind, this.jobId);
    if (!this.spec.tracked) return;
    const t = this.spec.table;
    if (this.db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined) return;
    this.bulk = true;
    // Building an index from sorted data once beats millions of random b-tree inserts. DDL is
    // transactional in SQLite: a rollback brings the indexes back untouched.
    this.droppedIndexes = dropIndexes(this.db, t);
    // The grid columns' "book changed" trigger (migration 0025) evaluates its WHEN subquery on every
    // inserted row: ~25% of a customer insert's CPU, measured. A fresh load suspends it and sets the
    // flag itself, once, in the same transaction, when it inserted a row (finish); a rollback brings
    // the trigger back untouched, as it does the indexes.
    const trigger = this.db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name = ?")
      .pluck()
      .get(t, `grid_columns_${t}_insert`) as string | undefined;
    if (trigger) {
      this.db.exec(`DROP TRIGGER "grid_columns_${t}_insert"`);
      this.suspendedTrigger = trigger;
    }
  }

  /**
   * Writes one converted row (`vals` aligned with the profile's columns); returns a reject when the
   * row cannot be stored. `initials`: the name's initials when already computed.
   */
  write(line: number, vals: readonly Value[], resolver: RefResolver, initials?: string): RejectInfo | null {
    if (this.bulk && this.spec.kind !== 'term_deposits') return this.bulkInsert(line, vals, resolver, initials);
    const n = this.cols.length;
    const params: Value[] = this.params;
    for (let i = 0; i < n; i++) params[i] = vals[i]!;
    // The name's initials: given when the parse thread computed them (engine/parse-thread.ts).
    if (this.withInitials) params[n] = initials ?? initialsOf(String(vals[this.nameIdx] ?? ''));
    // Transactions carry their account's owner (denormalised for per-customer history).
    if (this.txnCustomerIdx >= 0) params[this.txnCustomerIdx] = resolver.lastAccountCustomer;
    if (this.spec.kind === 'term_deposits' && params[this.accountIdx] != null && params[this.customerIdx] != null) {
      const owner = this.ownerOf.get(params[this.accountIdx]) as { c: number } | undefined;
      if (owner && owner.c !== params[this.customerIdx])
        return { line, column: null, field: 'account_no', value: null, reason: 'inconsistent' };
    }
    const key = this.keyIdx.length === 1 ? [params[this.keyIdx[0]!]!] : this.keyIdx.map((i) => params[i]!);
    if (this.bulk) return this.bulkInsertRow(line, params, key);
    if (this.same) {
      const args = this.sameArgs;
      for (let i = 0; i < args.length; i++) args[i] = params[this.sameAt[i]!]!;
      const hit = this.same.get(...args) as [number, number | null] | undefined;
      if (hit) {
        // The same natural key twice in one file: the second row is a reject, whatever it says.
        if (hit[1] === this.jobId || this.seenIds.has(hit[0])) return this.duplicateKey(line, key);
        this.unchanged++;
        this.seenIds.add(hit[0]);
        return null;
      }
    }
    const row = (key.length === 1 ? this.select.get(key[0]) : this.select.get(...key)) as Value[] | undefined;
    try {
      if (!row) {
        if (this.spec.tracked) {
          const info = this.insert.run(...params, ...this.insertTail);
          const id = Number(info.lastInsertRowid);
          if (this.customers) {
            const after = this.groupOf(params, null);
            this.delta.move(null, after);
            const staff = this.managerIdx >= 0 ? params[this.managerIdx] : null;
            if (this.openAssignment && staff != null)
              this.openAssignment.run(id, staff, this.at.slice(0, 10), `import:${this.jobId}`, this.jobId);
          }
          if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
        } else {
          this.insert.run(...params, ...this.insertTail);
          this.balanceChange!.run(this.jobId, key[0], key[1], null);
          this.markUnchanged.run(key[0], key[1]);
        }
        this.inserted++;
        return null;
      }
      // The same natural key twice in one file: the second row is a reject, whatever it says.
      if (
        this.spec.tracked
          ? row[this.lastJobAt] === this.jobId || this.seenIds.has(row[this.idAt] as number)
          : this.isUnchanged.get(key[0], key[1])
      ) {
        return this.duplicateKey(line, key);
      }
      let differs = false;
      for (let i = 0; i < this.writeAt.length && !differs; i++)
        differs = !sameValue(row[this.writeAt[i]!] ?? null, params[i]!);
      if (!differs) {
        this.unchanged++;
        if (this.spec.tracked) this.seenIds.add(row[this.idAt] as number);
        else this.markUnchanged.run(key[0], key[1]);
        return null;
      }
      const existing: Record<string, Value> = {};
      for (let i = 0; i < this.readCols.length; i++) existing[this.readCols[i]!] = row[i]!;
      const changed = this.writeCols.filter((c, i) => !sameValue(existing[c] ?? null, params[i]!));
      const setParams = this.writeCols
        .map((c, i) => [c, params[i]!] as const)
        .filter(([c]) => !this.spec.keyColumns.includes(c))
        .map(([, p]) => p);
      if (this.spec.tracked) {
        const before: Record<string, Value> = { last_job_id: existing.last_job_id ?? null };
        for (const c of this.writeCols) before[c] = existing[c] ?? null;
        this.change.run(this.jobId, this.spec.table, existing.id, JSON.stringify(before));
        this.update.run(...setParams, ...this.updateTail, existing.id);
        if (this.customers) this.customerChanged(existing, params, changed);
        this.mark(existing.customer_id);
        if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
      } else {
        this.balanceChange!.run(this.jobId, key[0], key[1], existing.balance_fen ?? null);
        this.update.run(...setParams, ...this.updateTail, ...key);
        this.markUnchanged.run(key[0], key[1]);
      }
      this.updated++;
      return null;
    } catch (e) {
      const code = (e as { code?: string })?.code ?? '';
      if (code.startsWith('SQLITE_CONSTRAINT'))
        return { line, column: null, field: null, value: null, reason: 'inconsistent' };
      throw e;
    }
  }

  private duplicateKey(line: number, key: Value[]): RejectInfo {
    return { line, column: null, field: this.spec.keyColumns.join('+'), value: key.join(' '), reason: 'duplicate_key' };
  }

  /**
   * A fresh load's row (every kind but term deposits, whose owner check needs the general path): the
   * values go straight into one array with the job's columns after them, bound with one spread; the
   * key is made only for a reject, and a new customer is counted per branch and manager (summaries)
   * instead of an object per row. Empty table at start: a second row with the same key can only come
   * from this file.
   */
  private bulkInsert(
    line: number,
    vals: readonly Value[],
    resolver: RefResolver,
    initials?: string,
  ): RejectInfo | null {
    const args = this.bulkArgs;
    const n = this.cols.length;
    for (let i = 0; i < n; i++) args[i] = vals[i]!;
    if (this.withInitials) args[n] = initials ?? initialsOf(String(vals[this.nameIdx] ?? ''));
    if (this.txnCustomerIdx >= 0) args[this.txnCustomerIdx] = resolver.lastAccountCustomer;
    try {
      this.insert.run(...args);
    } catch (e) {
      return this.insertRejected(
        e,
        line,
        this.keyIdx.map((i) => args[i]!),
      );
    }
    if (this.customers) {
      // As groupOf(args, null) would file it: a missing branch or manager counts as 0 / none.
      const branch = Number((this.branchIdx >= 0 ? args[this.branchIdx] : null) ?? null);
      const manager = (this.managerIdx >= 0 ? (args[this.managerIdx] as number | null) : null) ?? null;
      const m = manager ?? 0;
      const k =
        Number.isInteger(branch) && branch >= 0 && branch < 2 ** 26 && Number.isInteger(m) && m >= 0 && m < 2 ** 26
          ? branch * 2 ** 26 + m
          : `${branch}|${m}`;
      const g = this.newCustomers.get(k);
      if (g) g.n++;
      else this.newCustomers.set(k, { branch, manager, n: 1 });
    } else if (this.customerIdx >= 0) this.mark(args[this.customerIdx]);
    this.inserted++;
    return null;
  }

  /** New customers of a fresh load per branch and manager, in first-seen order (summaries, at finish). */
  private readonly newCustomers = new Map<number | string, { branch: number; manager: number | null; n: number }>();

  /**
   * A fresh load's insert that failed (either bulk path): a unique or primary key clash is the file's
   * duplicate key, another constraint an inconsistent row; anything else is thrown on.
   */
  private insertRejected(e: unknown, line: number, key: Value[]): RejectInfo {
    const code = (e as { code?: string })?.code ?? '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      return this.duplicateKey(line, key);
    if (code.startsWith('SQLITE_CONSTRAINT'))
      return { line, column: null, field: null, value: null, reason: 'inconsistent' };
    throw e;
  }

  /** Empty table at start: a second row with the same key can only come from this file. */
  private bulkInsertRow(line: number, params: Value[], key: Value[]): RejectInfo | null {
    try {
      this.insert.run(...params, ...this.insertTail);
    } catch (e) {
      return this.insertRejected(e, line, key);
    }
    if (this.customers) this.delta.move(null, this.groupOf(params, null));
    else if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
    this.inserted++;
    return null;
  }

  /** Ids of tracked rows this job found unchanged. */
  private readonly seenIds = new IdSet();

  /** Customers already marked affected: a journal names the same customer on many rows (one insert each, 2M rows 1.2 s, before). */
  private readonly marked = new IdSet();

  private mark(customerId: Value | undefined): void {
    if (this.markAffected && typeof customerId === 'number' && this.marked.add(customerId))
      this.markAffected.run(customerId);
  }

  private groupOf(params: Value[], existing: Record<string, Value> | null) {
    // Once per written customer row: positions computed in the constructor, no closure made per call.
    const branch = this.branchIdx >= 0 ? params[this.branchIdx] : existing?.branch_id;
    const manager = this.managerIdx >= 0 ? params[this.managerIdx] : existing?.manager_staff_id;
    return {
      branch_id: Number(branch ?? null),
      manager_staff_id: (manager as number | null | undefined) ?? null,
      tier: (existing?.tier as string | null) ?? null,
      deposit_fen: Number(existing?.deposit_fen ?? 0),
      wealth_fen: Number(existing?.wealth_fen ?? 0),
      loan_fen: Number(existing?.loan_fen ?? 0),
      aum_fen: Number(existing?.aum_fen ?? 0),
    };
  }

  private customerChanged(existing: Record<string, Value>, params: Value[], changed: string[]): void {
    const id = existing.id as number;
    const before = {
      ...this.groupOf([], existing),
      branch_id: Number(existing.branch_id),
      manager_staff_id: (existing.manager_staff_id as number | null) ?? null,
    };
    this.delta.move(before, this.groupOf(params, existing));
    for (const c of changed) {
      if (!CUSTOMER_HISTORY_COLUMNS.has(c)) continue;
      this.history!.run(
        id,
        c,
        existing[c] ?? null,
        params[this.writeCols.indexOf(c)] ?? null,
        this.at,
        `import:${this.jobId}`,
      );
    }
    if (this.openAssignment && changed.includes('manager_staff_id')) {
      const cur = this.currentAssignment!.get(id) as
        | { id: number; staff_id: number; from_date: string; to_date: string | null }
        | undefined;
      if (cur) {
        this.change.run(this.jobId, 'manager_assignments', cur.id, JSON.stringify({ to_date: cur.to_date }));
        this.closeAssignment!.run(this.at.slice(0, 10), cur.id);
      }
      const staff = params[this.writeCols.indexOf('manager_staff_id')];
      if (staff != null) this.openAssignment.run(id, staff, this.at.slice(0, 10), `import:${this.jobId}`, this.jobId);
    }
  }

  /** Inside the transaction, before commit: customer figures and summaries current. */
  finish(timings: JobTimings = {}): void {
    let t = performance.now();
    const lap = (phase: keyof JobTimings) => {
      const n = performance.now();
      timings[phase] = Math.round(n - t);
      t = n;
    };
    if (this.suspendedTrigger !== null) {
      if (this.inserted > 0) this.db.exec('UPDATE grid_columns_state SET dirty = 1 WHERE id = 1 AND dirty = 0');
      this.db.exec(this.suspendedTrigger);
      this.suspendedTrigger = null;
    }
    buildIndexes(this.db, this.droppedIndexes);
    lap('indexes');
    this.droppedIndexes = [];
    if (this.bulk && this.openAssignment) {
      // Managers of record for the customers this job created, in one statement (on a first load, into
      // the bare table, its indexes built after as the customers' were).
      const first = this.db.prepare('SELECT 1 FROM manager_assignments LIMIT 1').get() === undefined;
      const saved = first ? dropIndexes(this.db, 'manager_assignments') : [];
      this.db
        .prepare(
          `INSERT INTO manager_assignments (customer_id, staff_id, from_date, reason, created_job_id)
           SELECT id, manager_staff_id, ?, ?, ? FROM customers WHERE created_job_id = ? AND manager_staff_id IS NOT NULL`,
        )
        .run(this.at.slice(0, 10), `import:${this.jobId}`, this.jobId, this.jobId);
      buildIndexes(this.db, saved);
    }
    if (this.customers) {
      for (const g of this.newCustomers.values())
        this.delta.insertMany(
          {
            branch_id: g.branch,
            manager_staff_id: g.manager,
            tier: null,
            deposit_fen: 0,
            wealth_fen: 0,
            loan_fen: 0,
            aum_fen: 0,
          },
          g.n,
        );
      this.newCustomers.clear();
      this.delta.apply(this.db);
    }
    if (this.markAffected) refreshAffected(this.db);
    // Reporting summaries (db/reporting) in the same transaction, from the figures just refreshed.
    if (this.reporting) reportingJobFinish(this.db, this.reporting);
    lap('summaries');
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return String(a) === String(b);
}
