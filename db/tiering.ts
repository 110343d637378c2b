/**
 * The tier model applied to the store: per-customer factors measured from the raw tables, the
 * composite score and tier as ONE parameterised SQL expression (so a what-if over a million
 * customers is a single grouped query), and re-tiering in one transaction that records each change
 * and brings the summaries up to date.
 */
import { addDays } from '../shared/dates';
import { AppError } from '../shared/errors';
import { noteCustomersChanged } from './customer-columns';
import { recordColumnChanges } from './customer-columns-delta';
import type { Database } from 'better-sqlite3';
import { TIER_ORDER, tierModelSchema, type Factor, type Penalty, type TierModel, type TierName } from '../shared/tiers';
import { reportingRetier } from './reporting/maintain';
import { buildIndexes, dropIndexes } from './indexes';
import { first, query, type SqlParam } from './sql';

const FACTOR_COLUMN: Record<Factor, { sql: string; fen: boolean }> = {
  deposits: { sql: 'f.deposits', fen: true },
  termDeposits: { sql: 'f.term_deposits', fen: true },
  wealth: { sql: 'f.wealth', fen: true },
  depositGrowth: { sql: 'f.deposit_growth', fen: true },
  loans: { sql: 'f.loans', fen: true },
  loanInterest: { sql: 'f.loan_interest', fen: true },
  ebanking: { sql: 'f.ebanking', fen: false },
  tenureYears: { sql: 'f.tenure_years', fen: false },
  // The customer scores as last computed (db/scores/compute.ts), read from the customer by its key:
  // customer_factors keeps what refreshFactors measures, the scores keep themselves current.
  contribution: { sql: '(SELECT x.contribution_fen FROM customers x WHERE x.id = f.customer_id)', fen: true },
  loyalty: { sql: '(SELECT x.loyalty FROM customers x WHERE x.id = f.customer_id)', fen: false },
};
const PENALTY_COLUMN: Record<Penalty, string> = {
  overdueLoan: 'f.overdue_loan',
  badLoan: 'f.bad_loan',
  dormant: 'f.dormant',
};

/** Measures every customer's factors as of `today` (set-based; tens of seconds for a million customers). */
export function refreshFactors(db: Database, today: string): number {
  const since90 = `${addDays(today, -90)} 00:00:00`;
  const monthAgo3 = addDays(today, -92).slice(0, 7);
  return db.transaction(() => {
    db.exec('DELETE FROM customer_factors');
    return db
      .prepare(
        `INSERT INTO customer_factors (customer_id, deposits, term_deposits, wealth, deposit_growth, loans, loan_interest, ebanking,
           tenure_years, overdue_loan, bad_loan, dormant, tier, aum_fen, as_of)
         SELECT c.id, c.deposit_fen, COALESCE(td.s, 0), c.wealth_fen, c.deposit_fen - COALESCE(old.s, c.deposit_fen), c.loan_fen,
                COALESCE(li.s, 0), COALESCE(eb.n, 0),
                MAX(0, julianday(?) - julianday(c.opened_on)) / 365.25,
                COALESCE(lf.overdue, 0), COALESCE(lf.bad, 0), c.status = 'dormant', c.tier, c.aum_fen, ?
         FROM customers c
         LEFT JOIN (SELECT customer_id, SUM(balance_fen) AS s FROM accounts WHERE kind = 'term' AND status <> 'closed' GROUP BY 1) td ON td.customer_id = c.id
         LEFT JOIN (SELECT customer_id, SUM(balance_fen * rate_ppm / 1000000) AS s FROM loans WHERE status = 'active' GROUP BY 1) li ON li.customer_id = c.id
         LEFT JOIN (SELECT customer_id, MAX(overdue_days > 0) AS overdue, MAX(classification IN ('substandard','doubtful','loss')) AS bad
                    FROM loans WHERE status = 'active' GROUP BY 1) lf ON lf.customer_id = c.id
         LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM transactions WHERE txn_at >= ? AND channel IN ('online', 'phone') GROUP BY 1) eb ON eb.customer_id = c.id
         LEFT JOIN (SELECT a.customer_id, SUM(d.balance_fen) AS s FROM daily_balances d JOIN accounts a ON a.id = d.account_id
                    WHERE a.kind IN ('demand', 'term')
                      AND d.on_date = (SELECT MAX(d2.on_date) FROM daily_balances d2 WHERE d2.account_id = d.account_id AND substr(d2.on_date, 1, 7) = ?)
                    GROUP BY 1) old ON old.customer_id = c.id`,
      )
      .run(today, today, since90, monthAgo3).changes;
  })();
}

/** Composite score (0..100 before penalties) and tier, as SQL over `customer_factors f`, with its parameters. */
export function modelSql(
  model: TierModel,
  /** The column the tier expression reads the score from. */
  scoreAlias = 's',
): { score: string; tier: string; params: number[]; tierParams: number[] } {
  const m = tierModelSchema.parse(model);
  const params: number[] = [];
  const totalWeight = m.factors.reduce((s, f) => s + f.weight, 0);
  const terms = m.factors.map((f) => {
    const col = FACTOR_COLUMN[f.factor];
    const scale = col.fen ? 100 : 1;
    // clamp((v - zero) / (full - zero), 0, 1) * weight
    params.push(f.zero * scale, f.full * scale - f.zero * scale, f.weight);
    return `MIN(1.0, MAX(0.0, (COALESCE(${col.sql}, 0) - ?) * 1.0 / ?)) * ?`;
  });
  params.push(totalWeight);
  const penalties = m.penalties.map((p) => {
    params.push(p.points);
    return ` - (COALESCE(${PENALTY_COLUMN[p.penalty]}, 0) * ?)`;
  });
  const score = `((${terms.join(' + ')}) * 100.0 / ?${penalties.join('')})`;
  // Tier from thresholds, then the caps of any penalty the customer carries (worst cap wins).
  const t = m.thresholds;
  const tierParams: number[] = [];
  const rank = (tier: TierName) => TIER_ORDER.indexOf(tier);
  const s = scoreAlias;
  const base = `CASE WHEN ${s} >= ? THEN 0 WHEN ${s} >= ? THEN 1 WHEN ${s} >= ? THEN 2 WHEN ${s} >= ? THEN 3 WHEN ${s} >= ? THEN 4 ELSE 5 END`;
  tierParams.push(t.gold, t.quality, t.key, t.ordinary, t.restricted);
  const caps = m.penalties
    .filter((p) => p.capAt)
    .map((p) => {
      tierParams.push(rank(p.capAt!));
      return `CASE WHEN COALESCE(${PENALTY_COLUMN[p.penalty]}, 0) THEN ? ELSE 0 END`;
    });
  const r = caps.length ? `MAX(${base}, ${caps.join(', ')})` : base;
  const tier = `CASE ${r} ${TIER_ORDER.map((name, i) => `WHEN ${i} THEN '${name}'`).join(' ')} END`;
  return { score, tier, params, tierParams };
}

/** The tier each customer would get under `model`, as a sub-select of (customer_id, tier). */
function tierSelect(model: TierModel): { sql: string; params: number[] } {
  const m = modelSql(model);
  return {
    // LIMIT -1 keeps SQLite from flattening the inner select, which would paste the score expression
    // into each of the tier thresholds and compute it up to five times a row (what-if 3.0 s -> 1.4 s
    // on a million customers).
    sql: `SELECT f.customer_id, f.tier AS cur, f.aum_fen AS aum, ${m.tier} AS tier FROM (SELECT f.*, ${m.score} AS s FROM customer_factors f LIMIT -1) f`,
    params: [...m.tierParams, ...m.params], // positional: the tier expression comes first in the SQL text
  };
}

export interface WhatIfCell {
  from: string;
  to: string;
  customers: number;
  aumFen: bigint;
}

/** What-if: how many customers (and how much AUM) would move from each tier to each tier. */
export function whatIf(db: Database, model: TierModel): WhatIfCell[] {
  const t = tierSelect(model);
  const rows = db
    .prepare<SqlParam[], { from: string; to: string; customers: bigint; aum: bigint }>(
      `SELECT COALESCE(n.cur, 'none') AS "from", n.tier AS "to", COUNT(*) AS customers, SUM(n.aum) AS aum
       FROM (${t.sql}) n GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .safeIntegers(true)
    .all(...t.params);
  return rows.map((r) => ({ from: r.from, to: r.to, customers: Number(r.customers), aumFen: r.aum }));
}

export interface WhatIfSplit {
  /** Stored tier -> tier under the new model: everything a save would move. */
  total: WhatIfCell[];
  /** Tier under the baseline (the active model) -> tier under the new model: what this change moves. */
  changed: WhatIfCell[];
  /**
   * Stored tier -> tier under the baseline on today's factors: customers already out of date (their
   * figures moved since the last re-tier); any save moves them, whatever the new model says.
   */
  drift: WhatIfCell[];
}

/**
 * The what-if split in one pass over the factors: each customer's stored tier, tier under `baseline`
 * and tier under `model`, counted per triple (at most 7 x 6 x 6 groups) and summed three ways.
 */
export function whatIfSplit(db: Database, model: TierModel, baseline: TierModel): WhatIfSplit {
  const a = modelSql(baseline, 'sa');
  const b = modelSql(model, 'sb');
  const rows = db
    .prepare<SqlParam[], { cur: string; act: string; nxt: string; customers: bigint; aum: bigint }>(
      `SELECT COALESCE(n.cur, 'none') AS cur, n.act, n.nxt, COUNT(*) AS customers, SUM(n.aum) AS aum
       FROM (SELECT f.tier AS cur, f.aum_fen AS aum, ${a.tier} AS act, ${b.tier} AS nxt
             FROM (SELECT f.*, ${a.score} AS sa, ${b.score} AS sb FROM customer_factors f LIMIT -1) f) n
       GROUP BY 1, 2, 3`,
    )
    .safeIntegers(true)
    .all(...a.tierParams, ...b.tierParams, ...a.params, ...b.params);
  const sum = (key: (r: (typeof rows)[number]) => [string, string]): WhatIfCell[] => {
    const cells = new Map<string, WhatIfCell>();
    for (const r of rows) {
      const [from, to] = key(r);
      const c = cells.get(`${from}>${to}`) ?? { from, to, customers: 0, aumFen: 0n };
      c.customers += Number(r.customers);
      c.aumFen += r.aum ?? 0n;
      cells.set(`${from}>${to}`, c);
    }
    return [...cells.values()].sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
  };
  return {
    total: sum((r) => [r.cur, r.nxt]),
    changed: sum((r) => [r.act, r.nxt]),
    drift: sum((r) => [r.cur, r.act]),
  };
}

/** Changes from which re-tiering rebuilds the customers' tier indexes rather than updating them row by row. */
const BULK_RETIER = 50_000;

/**
 * Activates `model` as a new version and re-tiers every customer, in one transaction: each change is
 * recorded (customer_tier_changes, an event reminders use) and the summaries follow in the same transaction.
 */
export function retier(
  db: Database,
  model: TierModel,
  opts: {
    userId: number | null;
    now: Date /** tests: changes from which the tier indexes are rebuilt */;
    bulkFrom?: number;
  },
): { version: number; changed: number } {
  const m = tierModelSchema.parse(model);
  const t = tierSelect(m);
  const at = opts.now.toISOString();
  const apply = db.transaction(() => {
    // What this changes for the grid's columns, so they are updated from it instead of built again.
    const columns = recordColumnChanges(db);
    // Tiers are point in time, read from the change log in date order: a re-tier dated before the
    // last one (a clock set back) would rewrite history it cannot see. Refused; nothing changes.
    const last = first<{ at: string | null }>(db, 'SELECT MAX(changed_at) AS at FROM customer_tier_changes')?.at;
    if (last && last > at) throw new AppError('TIER_CLOCK_BEHIND', { last });
    db.prepare('UPDATE tier_models SET active = 0 WHERE active = 1').run();
    const version = Number(
      db
        .prepare('INSERT INTO tier_models (definition, active, created_by) VALUES (?, 1, ?)')
        .run(JSON.stringify(m), opts.userId).lastInsertRowid,
    );
    // Only the customers whose tier changes, found from the factors' copy of the tier (kept by
    // refreshFactors and by this function; the handler refreshes the factors after any import), so
    // the wide customers table is read only for the rows that change.
    db.exec('DROP TABLE IF EXISTS temp.retier');
    db.exec('CREATE TEMP TABLE retier (customer_id INTEGER PRIMARY KEY, from_tier TEXT, tier TEXT)');
    db.prepare(
      `INSERT INTO temp.retier (customer_id, from_tier, tier) SELECT customer_id, cur, tier FROM (${t.sql}) WHERE cur IS NOT tier`,
    ).run(...t.params);
    db.prepare(
      `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, model_version, changed_at) SELECT customer_id, from_tier, tier, ?, ? FROM temp.retier`,
    ).run(version, at);
    const logged = first<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM temp.retier')?.n ?? 0;
    // Many changes: the customers' indexes over the tier are dropped and built again after the update
    // (one sorted build instead of a random index update per changed customer: 6.4 s -> 3.5 s for
    // 723k changes). Inside this transaction, so a failure leaves them as they were.
    const tierIndexes = logged >= (opts.bulkFrom ?? BULK_RETIER) ? dropIndexes(db, 'customers', '%tier%') : [];
    const changed = db
      .prepare(
        `UPDATE customers SET tier = r.tier, updated_at = ? FROM temp.retier r WHERE r.customer_id = customers.id AND customers.tier IS r.from_tier`,
      )
      .run(at).changes;
    buildIndexes(db, tierIndexes);
    // A copy out of step with the customers (cannot happen through the app) would log wrong changes: roll back.
    if (changed !== logged)
      throw new Error(
        `re-tier: ${logged} changes found from the factors but ${changed} customers changed; refresh the factors and retry`,
      );
    noteCustomersChanged(db);
    db.exec(
      'UPDATE customer_factors SET tier = r.tier FROM temp.retier r WHERE r.customer_id = customer_factors.customer_id',
    );
    // summary_customers: the changed customers' totals leave their old tier and join the new one
    // (one grouped pass over them, not a regrouping of the whole book).
    db.exec('DROP TABLE IF EXISTS temp.retier_cells');
    db.exec(`CREATE TEMP TABLE retier_cells AS
      SELECT c.branch_id AS b, COALESCE(c.manager_staff_id, 0) AS m, COALESCE(r.from_tier, '') AS ot, COALESCE(r.tier, '') AS nt, COUNT(*) AS n,
             SUM(c.deposit_fen) AS dep, SUM(c.wealth_fen) AS wlt, SUM(c.loan_fen) AS lon, SUM(c.aum_fen) AS aum
      FROM temp.retier r CROSS JOIN customers c ON c.id = r.customer_id GROUP BY 1, 2, 3, 4`);
    for (const [sign, tier] of [
      [-1, 'ot'],
      [1, 'nt'],
    ] as const) {
      db.exec(`INSERT INTO summary_customers (branch_id, manager_staff_id, tier, customers, deposit_fen, wealth_fen, loan_fen, aum_fen)
        SELECT b, m, ${tier}, ${sign} * SUM(n), ${sign} * SUM(dep), ${sign} * SUM(wlt), ${sign} * SUM(lon), ${sign} * SUM(aum) FROM temp.retier_cells GROUP BY 1, 2, 3
        ON CONFLICT (branch_id, manager_staff_id, tier) DO UPDATE SET customers = customers + excluded.customers, deposit_fen = deposit_fen + excluded.deposit_fen,
          wealth_fen = wealth_fen + excluded.wealth_fen, loan_fen = loan_fen + excluded.loan_fen, aum_fen = aum_fen + excluded.aum_fen`);
    }
    db.exec('DELETE FROM summary_customers WHERE customers = 0');
    db.exec('DROP TABLE IF EXISTS temp.retier_cells');
    // Reporting summaries: what is dated from today on moves to the new tiers (point-in-time tiers).
    reportingRetier(db, version, at.slice(0, 10));
    db.prepare('UPDATE tier_models SET changed = ? WHERE version = ?').run(changed, version);
    db.exec('DROP TABLE IF EXISTS temp.retier');
    columns?.beforeCommit(null);
    return { version, changed };
  });
  // A large re-tier rewrites most customer rows and their reporting rows: a bigger page cache for its
  // duration saves re-reading pages it just wrote (723k changes: ~1.5 s); back to normal after.
  const cache = Number(db.pragma('cache_size', { simple: true }));
  db.pragma('cache_size = -262144');
  try {
    return apply();
  } finally {
    db.pragma(`cache_size = ${Number(cache)}`);
  }
}

// ---- freshness of the factors and the active model (read by main/handlers/tiers.ts) --------------

const FACTORS_REFRESHED_AT = 'tier_factors_refreshed_at';
const FACTORS_AS_OF = query<[], { d: string | null }>('SELECT MAX(as_of) AS d FROM customer_factors');
const SETTING = query<[key: string], { value: string }>('SELECT value FROM settings WHERE key = ?');
const SET_SETTING = query<[key: string, value: string]>(
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
const LAST_IMPORT_CHANGE = query<[], { t: string | null }>(
  `SELECT MAX(MAX(COALESCE(finished_at, '')), MAX(COALESCE(reverted_at, ''))) AS t FROM import_jobs WHERE status IN ('committed', 'reverted')`,
);
const ACTIVE_MODEL = query<[], { version: number; definition: string; created_at: string; changed: number }>(
  'SELECT version, definition, created_at, changed FROM tier_models WHERE active = 1',
);

/** The day the stored factors were measured as of (null before the first measurement). */
export const factorsAsOf = (db: Database): string | null => FACTORS_AS_OF.get(db)?.d ?? null;

/** When the factors were last re-measured (ISO time), or null. */
export const factorsRefreshedAt = (db: Database): string | null => SETTING.get(db, FACTORS_REFRESHED_AT)?.value ?? null;

export function setFactorsRefreshedAt(db: Database, at: string): void {
  SET_SETTING.run(db, FACTORS_REFRESHED_AT, at);
}

/** The last time an import was committed or reverted (ISO time; '' or null when none was). */
export const lastImportChange = (db: Database): string | null => LAST_IMPORT_CHANGE.get(db)?.t ?? null;

/** The active tier model's row (definition as stored JSON), or undefined before the first one is saved. */
export const activeTierModel = (db: Database) => ACTIVE_MODEL.get(db);
