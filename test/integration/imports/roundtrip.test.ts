import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/open';
import { runAfterImport } from '../../../main/jobs/after-import';
import { runImport, type JobOutcome } from '../../../main/jobs/engine/run';
import { LOAD_ORDER } from '../../../main/jobs/engine/kinds';
import { BUILTIN } from '../../../main/jobs/profiles/builtin';
import { writeExtracts, type ExtractResult } from '../../../main/jobs/profiles/extracts';
import { profileSchema } from '../../../shared/imports';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { figureMismatches, referenceSummaries, storedSummaries, tempDir } from './helpers';

let demo: DemoStore;
let dir: string;
let extracts: ExtractResult[];
let target: Awaited<ReturnType<typeof openStore>>['db'];
const outcomes: JobOutcome[] = [];

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 400, seed: 3 });
  dir = tempDir();
  extracts = await writeExtracts(demo.db, path.join(dir, 'extracts'));
  target = (await openStore(path.join(dir, 'fresh.db'))).db;
  for (const kind of LOAD_ORDER) {
    const x = extracts.find((e) => e.kind === kind)!;
    const b = BUILTIN.find((bb) => bb.profile.kind === kind)!;
    outcomes.push(
      await runImport(target, {
        file: x.file,
        profile: b.profile,
        tolerance: 0,
        rejectsDir: path.join(dir, 'rejects'),
      }),
    );
  }
}, 120_000);
afterAll(() => {
  target?.close();
  demo.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

/** A new store holding only the demo's branches and staff (imported), ready for a first customer load. */
async function storeWithOrganisation(name: string) {
  const fresh = (await openStore(path.join(dir, name))).db;
  for (const kind of ['branches', 'staff'] as const) {
    const b = BUILTIN.find((bb) => bb.profile.kind === kind)!;
    await runImport(fresh, {
      file: extracts.find((e) => e.kind === kind)!.file,
      profile: b.profile,
      tolerance: 0,
      rejectsDir: path.join(dir, 'rejects'),
    });
  }
  return fresh;
}

describe('built-in profiles and demo extracts', () => {
  it('every built-in profile is valid and names a file the demo writes', () => {
    for (const b of BUILTIN) {
      expect(profileSchema.safeParse(b.profile).success).toBe(true);
      expect(existsSync(path.join(dir, 'extracts', b.file))).toBe(true);
    }
    expect(new Set(BUILTIN.map((b) => b.profile.kind)).size).toBe(LOAD_ORDER.length);
  });

  it('writes CSV in GB18030 with Chinese headers, the journal fixed-width, and holdings as xlsx', () => {
    const cif = iconv.decode(readFileSync(path.join(dir, 'extracts', 'customers.csv')), 'gb18030');
    expect(cif.split('\r\n')[0]!.startsWith('客户号,客户类型,客户名称,证件类型,证件号码')).toBe(true);
    const journal = iconv.decode(readFileSync(path.join(dir, 'extracts', 'transactions.dat')), 'gb18030').split('\r\n');
    const widths = new Set(
      journal
        .filter(Boolean)
        .slice(0, 200)
        .map((l) => iconv.encode(l, 'gb18030').length),
    );
    expect(widths.size).toBe(1); // every record the same width in bytes
    expect(
      readFileSync(path.join(dir, 'extracts', 'wealth_holdings.xlsx'))
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('loads every extract into an empty store with no rejects', () => {
    for (const o of outcomes) {
      expect(o.error).toBeUndefined();
      expect(o).toMatchObject({ status: 'committed', rowsRejected: 0, rowsUpdated: 0 });
    }
    const byKind = Object.fromEntries(extracts.map((e) => [e.kind, e.rows]));
    expect(outcomes.map((o) => o.rowsInserted)).toEqual(LOAD_ORDER.map((k) => byKind[k]));
    expect(byKind.transactions).toBe(demo.summary.transactions);
    expect(byKind.transactions).toBeGreaterThan(5000);
    expect(byKind.customers).toBe(demo.summary.customers);
  });

  it('round-trips every table exactly: export then import gives the same rows', () => {
    const compare = (sql: string) => expect(target.prepare(sql).raw().all()).toEqual(demo.db.prepare(sql).raw().all());
    compare(`SELECT code, name, parent_id, address, phone, opened_on FROM branches ORDER BY id`);
    compare(`SELECT employee_no, name, branch_id, position, mobile, hired_on, active FROM staff ORDER BY id`);
    compare(
      `SELECT code, name, category, risk_level, rate_ppm, term_months, min_amount_fen, launched_on, withdrawn_on, status FROM products ORDER BY id`,
    );
    compare(`SELECT customer_no, kind, name, name_initials, id_type, id_no, gender, birth_date, mobile, phone, email, address, postcode, occupation,
      employer, legal_rep, registered_capital_fen, branch_id, opened_on, status, credit_rating, risk_tolerance, manager_staff_id FROM customers ORDER BY id`);
    compare(
      `SELECT account_no, customer_id, product_id, branch_id, kind, currency, opened_on, closed_on, status, frozen_fen, balance_fen, balance_on FROM accounts ORDER BY id`,
    );
    compare(`SELECT account_id, on_date, balance_fen FROM daily_balances ORDER BY account_id, on_date`);
    compare(`SELECT serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type, balance_after_fen, counterparty_name,
      counterparty_account, memo, teller_staff_id FROM transactions ORDER BY id`);
    compare(`SELECT * FROM (SELECT loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on,
      repayment_method, next_due_on, next_due_fen, overdue_days, classification, guarantee_type, status, paid_off_on FROM loans ORDER BY id)`);
    compare(
      `SELECT deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on, auto_rollover, status FROM term_deposits ORDER BY id`,
    );
    compare(
      `SELECT holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, maturity_on, status FROM wealth_holdings ORDER BY id`,
    );
  });

  it('brings customer figures and summaries up to date inside the jobs (same as the generator computed them)', () => {
    const sql =
      'SELECT customer_no, deposit_fen, wealth_fen, loan_fen, aum_fen, last_txn_on FROM customers ORDER BY id';
    expect(target.prepare(sql).raw().all()).toEqual(demo.db.prepare(sql).raw().all());
    expect(figureMismatches(target)).toEqual([]);
    expect(storedSummaries(target)).toEqual(referenceSummaries(target));
  });

  it('the after-import steps give a store loaded by imports its planner statistics, once', () => {
    const stats = () =>
      target.prepare('SELECT tbl, idx, stat FROM main.sqlite_stat1 ORDER BY tbl, idx').all() as {
        tbl: string;
        idx: string;
        stat: string;
      }[];
    expect(stats()).toEqual([]); // jobs load rows; nothing has analysed them
    expect(target.prepare('PRAGMA main.optimize = 0x10003').pluck().all()).toContain('ANALYZE "main"."customers"');
    const results = runAfterImport(target, { today: '2026-10-31', reason: 'import', jobId: outcomes.at(-1)!.jobId });
    expect(results.find((r) => r.name === 'statistics')).toMatchObject({ ok: true });
    const first = stats();
    const customers = first.filter((r) => r.tbl === 'customers');
    expect(customers.length).toBeGreaterThan(10); // its indexes
    expect(Number(customers[0]!.stat.split(' ')[0])).toBe(demo.summary.customers);
    expect(first.some((r) => r.tbl === 'transactions')).toBe(true);
    // Only main's statistics (temp ones would block checkpoints).
    expect(target.prepare(`SELECT COUNT(*) AS n FROM temp.sqlite_master WHERE name LIKE 'sqlite_stat%'`).get()).toEqual(
      { n: 0 },
    );
    // What a run would analyse (PRAGMA optimize's dry run): after a second run (the first run's rules
    // and reminders filled tables that were empty then), only empty tables (they never get a statistics
    // row, and cost nothing); the big tables keep their statistics.
    const pending = () =>
      (target.prepare('PRAGMA main.optimize = 0x10003').pluck().all() as string[]).map(
        (sql) => /"main"\."(\w+)"/.exec(sql)![1]!,
      );
    runAfterImport(target, { today: '2026-10-31', reason: 'import', jobId: null });
    const left = pending();
    expect(left.map((t) => [t, (target.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n])).toEqual(
      left.map((t) => [t, 0]),
    );
    const big = (rows: typeof first) => rows.filter((r) => ['customers', 'accounts', 'transactions'].includes(r.tbl));
    expect(big(stats())).toEqual(big(first));
  });

  it('importing the same extracts again changes nothing (every row unchanged)', async () => {
    const x = extracts.find((e) => e.kind === 'customers')!;
    const b = BUILTIN.find((bb) => bb.profile.kind === 'customers')!;
    const again = await runImport(target, {
      file: x.file,
      profile: b.profile,
      tolerance: 0,
      rejectsDir: path.join(dir, 'rejects'),
      allowDuplicate: true,
    });
    expect(again).toMatchObject({ status: 'committed', rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: x.rows });
  });

  it('a fresh load (empty table) still rejects a repeated key, and a failed one leaves its indexes in place', async () => {
    const fresh = await storeWithOrganisation('fresh2.db');
    try {
      // A first load drops and rebuilds the indexes of customers and of manager_assignments.
      const indexes = () =>
        fresh
          .prepare(
            `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('customers', 'manager_assignments') ORDER BY name`,
          )
          .all();
      const before = indexes();
      expect(before.length).toBeGreaterThan(5);
      const cif = BUILTIN.find((bb) => bb.profile.kind === 'customers')!;
      const lines = iconv
        .decode(readFileSync(extracts.find((e) => e.kind === 'customers')!.file), 'gb18030')
        .split('\r\n')
        .filter(Boolean);
      const dupFile = path.join(dir, 'dup.csv');
      // Line 7 is short of fields, line 8 repeats line 4's customer number: on a fresh load (bulk
      // mode, secondary indexes dropped) both are still rejected with their lines, in file order,
      // in the ledger and in the rejects file alike, and the first of the two rows is kept.
      const short = lines[2]!.split(',').slice(0, 5).join(',');
      writeFileSync(dupFile, iconv.encode([...lines.slice(0, 6), short, lines[3]].join('\r\n'), 'gb18030'));

      const failed = await runImport(fresh, {
        file: dupFile,
        profile: cif.profile,
        tolerance: 0,
        rejectsDir: path.join(dir, 'rejects'),
      });
      expect(failed.status).toBe('failed');
      expect(indexes()).toEqual(before);
      expect(fresh.prepare('SELECT COUNT(*) AS n FROM customers').get()).toEqual({ n: 0 });

      const ok = await runImport(fresh, {
        file: dupFile,
        profile: cif.profile,
        tolerance: 2,
        rejectsDir: path.join(dir, 'rejects'),
        allowDuplicate: true,
      });
      expect(ok).toMatchObject({ status: 'committed', rowsRead: 7, rowsInserted: 5, rowsRejected: 2 });
      // where the job's time went, phase by phase (the bench prints these)
      expect(Object.keys(ok.timings ?? {})).toEqual(['checksum', 'rows', 'indexes', 'summaries', 'commit']);
      expect(
        fresh.prepare('SELECT seq, line, reason FROM import_rejects WHERE job_id = ? ORDER BY seq').all(ok.jobId),
      ).toEqual([
        { seq: 1, line: 7, reason: 'field_count' },
        { seq: 2, line: 8, reason: 'duplicate_key' },
      ]);
      const rejected = iconv.decode(readFileSync(ok.rejects!.file), 'gb18030').split('\r\n').filter(Boolean);
      expect(rejected.slice(1).map((l) => l.split(',')[0])).toEqual([short.split(',')[0], lines[3]!.split(',')[0]]);
      expect(
        fresh.prepare('SELECT COUNT(*) AS n FROM customers WHERE customer_no = ?').get(lines[3]!.split(',')[0]),
      ).toEqual({ n: 1 });
      expect(indexes()).toEqual(before);

      expect(indexes()).toEqual(before);
      expect(
        fresh.prepare('SELECT COUNT(*) AS n FROM manager_assignments WHERE created_job_id = ?').get(ok.jobId),
      ).toEqual(fresh.prepare('SELECT COUNT(*) AS n FROM customers WHERE manager_staff_id IS NOT NULL').get());
    } finally {
      fresh.close();
    }
  });

  it('a fresh load of a longer file: a repeated key and a short row are rejected with their lines, in line order, every other row kept, summaries exact', async () => {
    const fresh = await storeWithOrganisation('fresh3.db');
    try {
      const cif = BUILTIN.find((bb) => bb.profile.kind === 'customers')!;
      const lines = iconv
        .decode(readFileSync(extracts.find((e) => e.kind === 'customers')!.file), 'gb18030')
        .split('\r\n')
        .filter(Boolean);
      // Line 30 repeats line 5; line 40 is short of fields.
      const many = lines.slice(0, 130);
      many[29] = lines[4]!;
      many[39] = many[39]!.split(',').slice(0, 4).join(',');
      const file = path.join(dir, 'dup50.csv');
      writeFileSync(file, iconv.encode(many.join('\r\n'), 'gb18030'));
      const big = await runImport(fresh, {
        file,
        profile: cif.profile,
        tolerance: 2,
        rejectsDir: path.join(dir, 'rejects'),
      });
      expect(big).toMatchObject({ status: 'committed', rowsRead: 129, rowsInserted: 127, rowsRejected: 2 });
      expect(
        fresh.prepare('SELECT seq, line, reason FROM import_rejects WHERE job_id = ? ORDER BY seq').all(big.jobId),
      ).toEqual([
        { seq: 1, line: 30, reason: 'duplicate_key' },
        { seq: 2, line: 40, reason: 'field_count' },
      ]);
      const rejected = iconv.decode(readFileSync(big.rejects!.file), 'gb18030').split('\r\n').filter(Boolean);
      expect(rejected.slice(1).map((l) => l.split(',')[0])).toEqual([lines[4]!.split(',')[0], many[39]!.split(',')[0]]);
      const kept = new Set(fresh.prepare('SELECT customer_no FROM customers').pluck().all());
      expect(kept).toEqual(
        new Set(
          many
            .slice(1)
            .filter((_, i) => i !== 28 && i !== 38)
            .map((l) => l.split(',')[0]),
        ),
      );
      expect(kept.size).toBe(127);
      expect(storedSummaries(fresh)).toEqual(referenceSummaries(fresh));
      expect(figureMismatches(fresh)).toEqual([]);
    } finally {
      fresh.close();
    }
  });
});
