import type { Database } from 'better-sqlite3';
import {
  RISK_SIGNALS,
  SIGNAL_WEIGHT,
  riskLevel,
  type RiskLevel,
  type RiskSettings,
  type RiskSignal,
} from '../../shared/analytics';
import { addDays } from '../../shared/dates';
import { riskSettings } from './settings';

/**
 * 风险预警: early-warning signals found on the book after each import, and the rating they add up to.
 * Each signal is one set-based statement over indexed data, with the bank's thresholds as parameters:
 *
 * - overdue: an active loan overdue riskOverdueDays or more, or classified below 正常 (五级分类);
 * - utilisation: loan balance over principal at least riskUtilisationPct, up riskUtilisationRisePts points
 *   against the figure of riskUtilisationDays or more ago: the latest of what this store recorded (every run
 *   records the figures that changed in loan_utilisation_history) and what the balance extract says of the
 *   customer's loan accounts (accounts.kind 'loan', their daily_balances) over the principal of the loans
 *   then outstanding, so a balance extract that carries loan accounts gives a history from the first import
 *   (the reporting tables' month-end loan figures are today's balances of the loans then disbursed: no history);
 * - outflow: debits of 10,000 yuan and more (the transactions_large index) in the last riskOutflowDays adding up
 *   to riskOutflowMinFen and to riskOutflowPct of what the customer had before them (AUM now + the outflow);
 * - collapse: AUM now at most (100 − riskCollapsePct)% of the month end riskCollapseMonths back
 *   (report_customer_months), from at least riskCollapseMinFen;
 * - dormancy: no transaction for riskDormantDays (up to a year more: older quiet is plain dormancy, not a
 *   change) after at least riskActiveTxns transactions in the 180 days before the last one.
 *
 * - guaranteeCall (担保代偿风险): the customer guarantees (loans.guarantor_customer_id) another customer's active
 *   loan that is overdue riskOverdueDays or more or classified below 正常: the bank may call on the guarantee;
 * - weakGuarantor (担保人风险): a borrower whose guarantor is overdue on their own loans, or rated 关注 or worse on
 *   their own signals (not on guaranteeCall: that would count the borrower's own overdue back to them, nor on
 *   weakGuarantor: no chains), found after the other signals of the same run.
 * The score is the sum of the standing signals' weights; the level follows the bank's thresholds.
 */

/**
 * The book's own date: the last day of the journal as the extracts carry it (customers.last_txn_on, one
 * seek on its index), or today when the store has no journal or the journal runs ahead of the clock.
 * It dates a signal ('on' in its facts) so that every PC importing the same extracts, on whatever day,
 * names it alike (the reminder's natural key, db/relationship/reminder-rules.ts).
 */
export function bookDate(db: Database, today: string): string {
  const last = (db.prepare('SELECT MAX(last_txn_on) AS d FROM customers').get() as { d: string | null }).d;
  return last && last.slice(0, 10) < today ? last.slice(0, 10) : today;
}

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

export interface Found {
  customerId: number;
  signal: RiskSignal;
  facts: Record<string, number | string | null>;
}

const SIGNAL_SQL: Record<
  RiskSignal,
  (s: RiskSettings, today: string, asOf: string) => { sql: string; params: (string | number)[] }
> = {
  overdue: (s, _today, asOf) => ({
    // on: the day the longest overdue began (the book's date less its days overdue: the same every day of
    // the spell), or the book's month for a classification alone
    sql: `SELECT l.customer_id AS customerId, json_object('days', MAX(l.overdue_days), 'balanceFen', SUM(l.balance_fen),
            'worst', MAX(CASE l.classification WHEN 'loss' THEN 4 WHEN 'doubtful' THEN 3 WHEN 'substandard' THEN 2
                                             WHEN 'special_mention' THEN 1 ELSE 0 END),
            'on', CASE WHEN MAX(l.overdue_days) >= ? THEN date(?, '-' || MAX(l.overdue_days) || ' days') ELSE ? END) AS facts
          FROM loans l JOIN customers c ON c.id = l.customer_id
          WHERE l.status = 'active' AND (l.overdue_days >= ? OR l.classification <> 'normal') AND c.status <> 'closed'
          GROUP BY l.customer_id`,
    params: [s.riskOverdueDays, asOf, monthOf(asOf), s.riskOverdueDays],
  }),
  utilisation: (s, _today, asOf) => ({
    sql: `SELECT n.customer_id AS customerId,
            json_object('pct', CAST(ROUND(100.0 * n.balance_fen / n.principal_fen) AS INTEGER),
                        'beforePct', CAST(ROUND(100.0 * h.balance_fen / h.principal_fen) AS INTEGER), 'since', h.on_date,
                        'on', ?) AS facts
          FROM temp.risk_loans n JOIN temp.risk_before h ON h.customer_id = n.customer_id
          WHERE n.principal_fen > 0 AND h.principal_fen > 0
            AND 100.0 * n.balance_fen / n.principal_fen >= ?
            AND 100.0 * n.balance_fen / n.principal_fen - 100.0 * h.balance_fen / h.principal_fen >= ?`,
    // on: the book's month (the figure compared with may be this store's own record, not the extract's)
    params: [monthOf(asOf), s.riskUtilisationPct, s.riskUtilisationRisePts],
  }),
  outflow: (s, today) => ({
    sql: `SELECT o.customer_id AS customerId,
            json_object('outFen', o.out_fen, 'count', o.n, 'aumFen', c.aum_fen, 'days', ?, 'on', o.last_on) AS facts
          FROM (SELECT t.customer_id, SUM(t.amount_fen) AS out_fen, COUNT(*) AS n, MAX(substr(t.txn_at, 1, 10)) AS last_on
                FROM transactions t
                WHERE t.amount_fen >= 1000000 AND t.txn_at >= ? AND t.txn_at < ? AND t.direction = 'D'
                GROUP BY t.customer_id HAVING SUM(t.amount_fen) >= ?) o
          JOIN customers c ON c.id = o.customer_id
          WHERE c.status <> 'closed' AND 100.0 * o.out_fen / (MAX(c.aum_fen, 0) + o.out_fen) >= ?`,
    params: [
      s.riskOutflowDays,
      addDays(today, -s.riskOutflowDays + 1),
      addDays(today, 1),
      s.riskOutflowMinFen,
      s.riskOutflowPct,
    ],
  }),
  collapse: (s) => ({
    // the month end riskCollapseMonths before the latest reporting month (when it is a reporting month too)
    sql: `WITH base(month) AS (
            SELECT m.month FROM report_months m
            WHERE m.month = strftime('%Y-%m', (SELECT MAX(month) FROM report_months) || '-01', '-' || ? || ' months'))
          SELECT r.customer_id AS customerId,
            json_object('beforeFen', r.deposit_fen + r.wealth_fen, 'nowFen', c.aum_fen, 'month', r.month,
                        'on', (SELECT MAX(month) FROM report_months) || '-01') AS facts
          FROM base JOIN report_customer_months r ON r.month = base.month
          JOIN customers c ON c.id = r.customer_id
          WHERE c.status <> 'closed' AND r.deposit_fen + r.wealth_fen >= MAX(?, 1)
            AND c.aum_fen <= (r.deposit_fen + r.wealth_fen) * (100 - ?) / 100.0`,
    params: [s.riskCollapseMonths, s.riskCollapseMinFen, s.riskCollapsePct],
  }),
  dormancy: (s, today) => ({
    sql: `SELECT c.id AS customerId,
            json_object('lastTxnOn', c.last_txn_on, 'on', c.last_txn_on, 'txns',
              (SELECT COUNT(*) FROM transactions t WHERE t.customer_id = c.id
                 AND t.txn_at >= date(c.last_txn_on, '-180 days') AND t.txn_at < date(c.last_txn_on, '+1 day'))) AS facts
          FROM customers c
          WHERE c.last_txn_on <= ? AND c.last_txn_on > ? AND c.status <> 'closed'
            AND (SELECT COUNT(*) FROM transactions t WHERE t.customer_id = c.id
                   AND t.txn_at >= date(c.last_txn_on, '-180 days') AND t.txn_at < date(c.last_txn_on, '+1 day')) >= ?`,
    params: [addDays(today, -s.riskDormantDays), addDays(today, -s.riskDormantDays - 365), s.riskActiveTxns],
  }),
  guaranteeCall: (s, _today, asOf) => ({
    // the guarantor's customer row must be open; the borrower's may be anything (a closed borrower's
    // active overdue loan is still the guarantor's exposure). 'on' as the overdue signal's.
    sql: `SELECT l.guarantor_customer_id AS customerId,
            json_object('loans', COUNT(*), 'borrowers', COUNT(DISTINCT l.customer_id), 'balanceFen', SUM(l.balance_fen),
              'days', MAX(l.overdue_days),
              'worst', MAX(CASE l.classification WHEN 'loss' THEN 4 WHEN 'doubtful' THEN 3 WHEN 'substandard' THEN 2
                                               WHEN 'special_mention' THEN 1 ELSE 0 END),
              'on', CASE WHEN MAX(l.overdue_days) >= ? THEN date(?, '-' || MAX(l.overdue_days) || ' days') ELSE ? END) AS facts
          FROM loans l JOIN customers g ON g.id = l.guarantor_customer_id
          WHERE l.guarantor_customer_id IS NOT NULL AND l.status = 'active' AND l.guarantor_customer_id <> l.customer_id
            AND (l.overdue_days >= ? OR l.classification <> 'normal') AND g.status <> 'closed'
          GROUP BY l.guarantor_customer_id`,
    params: [s.riskOverdueDays, asOf, monthOf(asOf), s.riskOverdueDays],
  }),
  weakGuarantor: (s, _today, asOf) => ({
    // temp.risk_guarantors: customers overdue or rated 关注 or worse on their own signals (findSignals)
    sql: `SELECT l.customer_id AS customerId,
            json_object('loans', COUNT(*), 'balanceFen', SUM(l.balance_fen), 'guarantors', COUNT(DISTINCT l.guarantor_customer_id),
              'overdueGuarantors', COUNT(DISTINCT CASE WHEN w.overdue THEN l.guarantor_customer_id END),
              'level', CASE WHEN MAX(w.score) >= ? THEN 'high' WHEN MAX(w.score) >= ? THEN 'warning'
                            WHEN MAX(w.score) >= ? THEN 'watch' END,
              'on', ?) AS facts
          FROM loans l JOIN temp.risk_guarantors w ON w.customer_id = l.guarantor_customer_id
          JOIN customers c ON c.id = l.customer_id
          WHERE l.status = 'active' AND l.guarantor_customer_id <> l.customer_id AND c.status <> 'closed'
          GROUP BY l.customer_id`,
    params: [s.riskLevelHigh, s.riskLevelWarning, s.riskLevelWatch, monthOf(asOf)],
  }),
};

/** Every signal standing today, in signal order (pure read apart from temp tables). */
export function findSignals(db: Database, s: RiskSettings, today: string): Found[] {
  prepareLoans(db, s, today);
  const asOf = bookDate(db, today);
  const out: Found[] = [];
  for (const signal of RISK_SIGNALS) {
    if (signal === 'weakGuarantor') prepareGuarantors(db, s, out);
    const { sql, params } = SIGNAL_SQL[signal](s, today, asOf);
    for (const r of db.prepare<(string | number)[], { customerId: number; facts: string }>(sql).all(...params))
      out.push({ customerId: r.customerId, signal, facts: JSON.parse(r.facts) as Found['facts'] });
  }
  return out;
}

/** Signals a guarantor's own standing is rated on (weakGuarantor): not the guarantees they gave, no chains. */
const OWN_SIGNALS: ReadonlySet<RiskSignal> = new Set(
  RISK_SIGNALS.filter((x) => x !== 'guaranteeCall' && x !== 'weakGuarantor'),
);

/** Customers overdue or rated 关注 or worse on their own signals found so far, as a guarantor is judged. */
function prepareGuarantors(db: Database, s: RiskSettings, found: readonly Found[]): void {
  const own = new Map<number, { score: number; overdue: boolean }>();
  for (const f of found) {
    if (!OWN_SIGNALS.has(f.signal)) continue;
    const o = own.get(f.customerId) ?? { score: 0, overdue: false };
    o.score += s[SIGNAL_WEIGHT[f.signal]] as number;
    if (f.signal === 'overdue') o.overdue = true;
    own.set(f.customerId, o);
  }
  db.exec(`DROP TABLE IF EXISTS temp.risk_guarantors;
    CREATE TEMP TABLE risk_guarantors (customer_id INTEGER PRIMARY KEY, score INTEGER NOT NULL, overdue INTEGER NOT NULL)`);
  const ins = db.prepare('INSERT INTO temp.risk_guarantors VALUES (?, ?, ?)');
  for (const [id, o] of own) if (o.overdue || o.score >= s.riskLevelWatch) ins.run(id, o.score, o.overdue ? 1 : 0);
}

/**
 * Today's loan figures per customer (active loans), for the utilisation signal and its history, and the
 * figure each is compared with (temp.risk_before): the latest from on or before today − riskUtilisationDays
 * of this store's own record and of the balance extract's loan accounts (their balance on their latest
 * reported day by then, over the principal of the customer's loans outstanding that day); the store's own
 * on a tie.
 */
function prepareLoans(db: Database, s: RiskSettings, today: string): void {
  const before = addDays(today, -s.riskUtilisationDays);
  db.exec(`DROP TABLE IF EXISTS temp.risk_loans;
    CREATE TEMP TABLE risk_loans (customer_id INTEGER PRIMARY KEY, balance_fen INTEGER NOT NULL, principal_fen INTEGER NOT NULL);
    INSERT INTO temp.risk_loans SELECT l.customer_id, SUM(l.balance_fen), SUM(l.principal_fen)
      FROM loans l JOIN customers c ON c.id = l.customer_id WHERE l.status = 'active' AND c.status <> 'closed' GROUP BY l.customer_id;
    DROP TABLE IF EXISTS temp.risk_before;
    CREATE TEMP TABLE risk_before (customer_id INTEGER PRIMARY KEY, on_date TEXT NOT NULL, balance_fen INTEGER NOT NULL, principal_fen INTEGER NOT NULL);`);
  db.prepare(
    `INSERT INTO temp.risk_before SELECT n.customer_id, h.on_date, h.balance_fen, h.principal_fen
     FROM temp.risk_loans n JOIN loan_utilisation_history h ON h.customer_id = n.customer_id
       AND h.on_date = (SELECT MAX(on_date) FROM loan_utilisation_history x WHERE x.customer_id = n.customer_id AND x.on_date <= ?)`,
  ).run(before);
  // each loan account's balance on its last reported day by then (one seek on daily_balances' key), the
  // accounts' sum as the amount owed (sign as the core writes it: owed is owed)
  db.prepare(
    `INSERT INTO temp.risk_before (customer_id, on_date, balance_fen, principal_fen)
     SELECT x.customer_id, x.on_date, x.balance_fen,
            (SELECT COALESCE(SUM(l.principal_fen), 0) FROM loans l WHERE l.customer_id = x.customer_id
               AND l.disbursed_on <= x.on_date AND (l.paid_off_on IS NULL OR l.paid_off_on > x.on_date))
     FROM (SELECT a.customer_id, MAX(d.on_date) AS on_date, SUM(ABS(d.balance_fen)) AS balance_fen
           FROM temp.risk_loans n JOIN accounts a ON a.customer_id = n.customer_id AND a.kind = 'loan'
           JOIN daily_balances d ON d.account_id = a.id
             AND d.on_date = (SELECT MAX(y.on_date) FROM daily_balances y WHERE y.account_id = a.id AND y.on_date <= ?)
           GROUP BY a.customer_id) x
     WHERE true
     ON CONFLICT(customer_id) DO UPDATE SET on_date = excluded.on_date, balance_fen = excluded.balance_fen,
       principal_fen = excluded.principal_fen WHERE excluded.on_date > risk_before.on_date`,
  ).run(before);
}

export interface RiskRunResult {
  signals: number;
  rated: number;
  byLevel: Record<RiskLevel, number>;
  ms: number;
}

/**
 * Finds the signals, keeps each standing signal's first_seen date, rates every customer with a signal and
 * records today's loan figures, in one transaction. Idempotent for a given day and book.
 */
export function runRisk(db: Database, opts: { today: string; settings?: RiskSettings }): RiskRunResult {
  const t0 = performance.now();
  const s = opts.settings ?? riskSettings(db).value;
  const today = opts.today;
  const result = db.transaction(() => {
    const found = findSignals(db, s, today);
    db.exec(`DROP TABLE IF EXISTS temp.risk_found;
      CREATE TEMP TABLE risk_found (customer_id INTEGER NOT NULL, signal TEXT NOT NULL, facts TEXT NOT NULL, PRIMARY KEY (customer_id, signal))`);
    const ins = db.prepare('INSERT INTO temp.risk_found VALUES (?, ?, ?)');
    for (const f of found) ins.run(f.customerId, f.signal, JSON.stringify(f.facts));
    db.exec(`DELETE FROM customer_risk_signals WHERE NOT EXISTS (
        SELECT 1 FROM temp.risk_found f WHERE f.customer_id = customer_risk_signals.customer_id AND f.signal = customer_risk_signals.signal)`);
    db.prepare(
      `INSERT INTO customer_risk_signals (customer_id, signal, first_seen, facts) SELECT customer_id, signal, ?, facts FROM temp.risk_found WHERE true
       ON CONFLICT(customer_id, signal) DO UPDATE SET facts = excluded.facts`,
    ).run(today);
    // the rating: the weights as a small table joined to the standing signals
    const weights = JSON.stringify(RISK_SIGNALS.map((sig) => ({ sig, w: s[SIGNAL_WEIGHT[sig]] })));
    db.exec('DELETE FROM customer_risk');
    db.prepare(
      `INSERT INTO customer_risk (customer_id, score, level, rated_on)
       SELECT x.customer_id, x.score,
              CASE WHEN x.score >= ? THEN 'high' WHEN x.score >= ? THEN 'warning' WHEN x.score >= ? THEN 'watch' ELSE 'normal' END, ?
       FROM (SELECT r.customer_id, SUM(json_extract(w.value, '$.w')) AS score
             FROM customer_risk_signals r JOIN json_each(?) w ON json_extract(w.value, '$.sig') = r.signal
             GROUP BY r.customer_id) x`,
    ).run(s.riskLevelHigh, s.riskLevelWarning, s.riskLevelWatch, today, weights);
    // today's loan figures, a row only where they changed since the last one recorded before today
    db.prepare(
      `INSERT INTO loan_utilisation_history (customer_id, on_date, balance_fen, principal_fen)
       SELECT n.customer_id, ?, n.balance_fen, n.principal_fen FROM temp.risk_loans n
       WHERE NOT EXISTS (SELECT 1 FROM loan_utilisation_history h WHERE h.customer_id = n.customer_id
                           AND h.on_date = (SELECT MAX(on_date) FROM loan_utilisation_history y WHERE y.customer_id = n.customer_id AND y.on_date < ?)
                           AND h.balance_fen = n.balance_fen AND h.principal_fen = n.principal_fen)
       ON CONFLICT(customer_id, on_date) DO UPDATE SET balance_fen = excluded.balance_fen, principal_fen = excluded.principal_fen`,
    ).run(today, today);
    db.exec(
      'DROP TABLE temp.risk_found; DROP TABLE temp.risk_loans; DROP TABLE temp.risk_before; DROP TABLE IF EXISTS temp.risk_guarantors;',
    );
    const byLevel: Record<RiskLevel, number> = { normal: 0, watch: 0, warning: 0, high: 0 };
    for (const r of db.prepare('SELECT level, COUNT(*) AS n FROM customer_risk GROUP BY level').all() as {
      level: RiskLevel;
      n: number;
    }[])
      byLevel[r.level] = r.n;
    return { signals: found.length, rated: Object.values(byLevel).reduce((a, b) => a + b, 0), byLevel };
  })();
  return { ...result, ms: Math.round(performance.now() - t0) };
}

/** The level of a score (re-exported for callers that rate a preview). */
export { riskLevel };
