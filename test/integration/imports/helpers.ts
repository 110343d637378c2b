import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import iconv from 'iconv-lite';
import type { ImportProfile } from '../../../shared/imports';
import { dataTables, tableDigest } from '../demo/helpers';

export function tempDir(prefix = 'crm-import-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes text in an encoding, as the core system would deliver it. */
export function writeText(
  dir: string,
  name: string,
  text: string,
  encoding: 'utf-8' | 'gbk' | 'gb18030' = 'gb18030',
): string {
  const file = path.join(dir, name);
  writeFileSync(file, encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding));
  return file;
}

/** Every data table but the import ledger and the audit trail (which a job or revert rightly grows). */
export function storeDigest(db: Database): Record<string, { rows: number; sha: string }> {
  const out: Record<string, { rows: number; sha: string }> = {};
  for (const t of dataTables(db)) {
    // audit_chain grows with the audit trail, one link per entry (db/audit-chain.ts).
    if (t.startsWith('import_') || t === 'audit_log' || t === 'audit_chain') continue;
    // Work the after-import step makes from the data (opportunities and the rules' bookkeeping) is not
    // undone by a revert: an opportunity may already be in a manager's hands.
    if (t.startsWith('opportunit')) continue;
    // The reminder engine's run ledger records each generation (after the import, after the revert);
    // the reminders themselves are compared: the revert withdraws those the reverted rows raised.
    if (t === 'reminder_runs') continue;
    // The scores' run state records each computation (when, how many, the watermarks); the scores, the
    // points ledger and the customers' copies are compared: a revert recomputes them as they were.
    if (t === 'score_state') continue;
    // Next product: the run log records each mining; the rules are compared by content (a revert mines
    // them again from the same holdings, with a new time and row ids).
    if (t === 'next_product_runs') continue;
    if (t === 'next_product_rules') {
      out[t] = tableDigest(db, t, ['updated_at', 'mined_at', 'id']);
      continue;
    }
    out[t] = tableDigest(db, t, ['updated_at']);
  }
  return out;
}

/** summary_customers recomputed the slow way from the customers table, in the same shape. */
export function referenceSummaries(db: Database): unknown[] {
  return db
    .prepare(
      `SELECT branch_id, COALESCE(manager_staff_id, 0) AS m, COALESCE(tier, '') AS t, COUNT(*) AS n,
              SUM(deposit_fen) AS d, SUM(wealth_fen) AS w, SUM(loan_fen) AS l, SUM(aum_fen) AS a
       FROM customers GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all();
}

export function storedSummaries(db: Database): unknown[] {
  return db
    .prepare(
      `SELECT branch_id, manager_staff_id AS m, tier AS t, customers AS n, deposit_fen AS d, wealth_fen AS w, loan_fen AS l, aum_fen AS a
       FROM summary_customers ORDER BY 1, 2, 3`,
    )
    .all();
}

/** Customer figures recomputed from the raw tables (the definitions in db/summaries.ts). */
export function figureMismatches(db: Database): unknown[] {
  return db
    .prepare(
      `SELECT c.id, c.deposit_fen, d.s AS dep, c.wealth_fen, w.s AS wlt, c.loan_fen, l.s AS lon FROM customers c
       LEFT JOIN (SELECT customer_id, SUM(balance_fen) s FROM accounts WHERE kind IN ('demand','term') AND status <> 'closed' GROUP BY 1) d ON d.customer_id = c.id
       LEFT JOIN (SELECT customer_id, SUM(market_value_fen) s FROM wealth_holdings WHERE status = 'active' GROUP BY 1) w ON w.customer_id = c.id
       LEFT JOIN (SELECT customer_id, SUM(balance_fen) s FROM loans WHERE status = 'active' GROUP BY 1) l ON l.customer_id = c.id
       WHERE c.deposit_fen <> COALESCE(d.s, 0) OR c.wealth_fen <> COALESCE(w.s, 0) OR c.loan_fen <> COALESCE(l.s, 0)
          OR c.aum_fen <> c.deposit_fen + c.wealth_fen LIMIT 5`,
    )
    .all();
}

export const CIF_PROFILE: ImportProfile = {
  name: 'cif-test',
  kind: 'customers',
  format: 'delimited',
  encoding: 'auto',
  delimiter: ',',
  header: true,
  columns: [
    { field: 'customer_no', source: '客户号' },
    { field: 'kind', source: '客户类型', values: { 个人: 'individual', 对公: 'corporate' } },
    { field: 'name', source: '客户名称' },
    { field: 'id_type', source: '证件类型', values: { 身份证: 'resident_id' } },
    { field: 'id_no', source: '证件号码' },
    { field: 'mobile', source: '手机号' },
    { field: 'address', source: '地址' },
    { field: 'branch_code', source: '网点号' },
    { field: 'opened_on', source: '开户日期', format: 'auto' },
    { field: 'manager_employee_no', source: '客户经理' },
  ],
};

export const CIF_HEADER = '客户号,客户类型,客户名称,证件类型,证件号码,手机号,地址,网点号,开户日期,客户经理';

export const ACCOUNTS_PROFILE: ImportProfile = {
  name: 'accounts-test',
  kind: 'accounts',
  format: 'delimited',
  encoding: 'auto',
  delimiter: '|',
  header: true,
  columns: [
    { field: 'account_no', source: '账号' },
    { field: 'customer_no', source: '客户号' },
    { field: 'product_code', source: '产品号' },
    { field: 'branch_code', source: '网点号' },
    { field: 'kind', source: '账户类型' },
    { field: 'opened_on', source: '开户日期' },
    { field: 'balance', source: '余额' },
  ],
};
export const ACCOUNTS_HEADER = '账号|客户号|产品号|网点号|账户类型|开户日期|余额';
