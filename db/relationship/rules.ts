/**
 * Opportunity-event rules (商机事件): each rule is one set-based query producing at most one candidate
 * per customer (customer, event key, amount, due date, facts), turned into opportunities by one
 * INSERT ... SELECT. The event key (rule + customer + event: the transaction, the deposit, the month
 * end, the birthday) is stored as the opportunity's dedupe key, so re-running never creates the same
 * opportunity twice; while a customer still has an open opportunity from the same rule no second one
 * is made either. Owner: the manager of record, or the branch queue (NULL) when there is none.
 *
 * The administrator may switch rules off and change their parameters (opportunity_rules); the preview
 * runs the same candidate query with unsaved parameters and only counts.
 */
import type { Database } from 'better-sqlite3';
import {
  RULE_CODES,
  type OpportunityProduct,
  type RuleCode,
  type RuleParamDef,
  type RulePreview,
  type RuleView,
} from '../../shared/api/opportunities';
import { addDays } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { first, query, run } from '../sql';

type Params = Record<string, number>;

interface Candidates {
  /** SELECT customerId, eventKey, amountFen, dueOn, detail — at most one row per customer. */
  sql: string;
  params: (string | number)[];
}

interface RuleDef {
  code: RuleCode;
  product: OpportunityProduct;
  params: (RuleParamDef & { default: number })[];
  candidates(p: Params, today: string, db: Database): Candidates;
  /** For rules over whole months: what the candidates depend on besides the parameters (their window). */
  window?(today: string, db: Database): string;
}

/** Credits below this never count as a large inflow; the partial index transactions_large_credit starts here. */
export const LARGE_INFLOW_FLOOR_FEN = 5_000_000;

const dueDays: RuleParamDef & { default: number } = { key: 'dueDays', kind: 'days', min: 1, max: 90, default: 14 };

/** The last day of the month of `iso`. */
function monthEnd(iso: string): string {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The latest month end on or before today, and the one before it. */
export function lastTwoMonthEnds(today: string): [string, string] {
  const latest = monthEnd(today) === today ? today : addDays(`${today.slice(0, 8)}01`, -1);
  const before = addDays(`${latest.slice(0, 8)}01`, -1);
  return [before, latest];
}

const BALANCES_ON = query<[day: string], unknown>(
  `SELECT 1 FROM (SELECT id FROM accounts WHERE status != 'closed' AND kind != 'loan' ORDER BY id DESC LIMIT 200) a
   JOIN daily_balances b ON b.account_id = a.id AND b.on_date = ? LIMIT 1`,
);
const LAST_TXN_DAY = query<[], { m: string | null }>('SELECT MAX(last_txn_on) AS m FROM customers');

/**
 * The last two month ends whose balances are loaded: from lastTwoMonthEnds(today), stepping back while
 * the later one has no balances yet (the month-end extract not delivered). Probed on a few accounts
 * by primary key, never by scanning daily_balances.
 */
export function loadedMonthEnds(db: Database, today: string): [string, string] {
  let pair = lastTwoMonthEnds(today);
  const loaded = (day: string) => BALANCES_ON.get(db, day) !== undefined;
  for (let i = 0; i < 3 && !loaded(pair[1]); i++) pair = lastTwoMonthEnds(pair[0]);
  return loaded(pair[1]) ? pair : lastTwoMonthEnds(today);
}

/**
 * The first day after the full months the salary rule reads: the month of today, or of the journal's
 * last day when the store is behind (that day being a month end, its month counts as complete).
 * customers_last_txn answers the MAX at once.
 */
function salaryMonthStart(today: string, db: Database): string {
  const last = LAST_TXN_DAY.get(db)?.m?.slice(0, 10) ?? today;
  const anchor = last < today ? last : today;
  return monthEnd(anchor) === anchor ? addDays(anchor, 1) : `${anchor.slice(0, 8)}01`;
}

/** Birthdays between today and today + days: 'MM-DD' -> the date it falls on (29 Feb kept on 28 Feb in common years). */
export function birthdayWindow(today: string, days: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i <= days; i++) {
    const d = addDays(today, i);
    out[d.slice(5)] = d;
    const y = Number(d.slice(0, 4));
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (d.slice(5) === '02-28' && !leap) out['02-29'] = d;
  }
  return out;
}

export const RULES: readonly RuleDef[] = [
  {
    // 大额资金流入且未持有理财: one credit at or above the threshold in the last N days, no active wealth holding.
    code: 'large_inflow',
    product: 'wealth',
    params: [
      { key: 'minYuan', kind: 'yuan', min: LARGE_INFLOW_FLOOR_FEN / 100, max: 100_000_000, default: 500_000 },
      { key: 'days', kind: 'days', min: 1, max: 90, default: 30 },
      dueDays,
    ],
    candidates: (p, today) => ({
      // The earliest qualifying credit in the window is the event (SQLite takes the bare columns from the MIN row).
      sql: `SELECT t.customer_id AS customerId, 'large_inflow:' || t.customer_id || ':' || t.serial_no AS eventKey, t.amount_fen AS amountFen,
              NULL AS dueOn, json_object('amountFen', t.amount_fen, 'on', substr(t.txn_at, 1, 10)) AS detail, MIN(t.txn_at) AS firstAt
            FROM transactions t
            WHERE t.direction = 'C' AND t.amount_fen >= ${LARGE_INFLOW_FLOOR_FEN} AND t.amount_fen >= ? AND t.txn_at >= ? AND t.txn_at < ?
              AND NOT EXISTS (SELECT 1 FROM wealth_holdings w WHERE w.customer_id = t.customer_id AND w.status = 'active')
            GROUP BY t.customer_id`,
      params: [Math.round(p.minYuan! * 100), addDays(today, -p.days!), addDays(today, 1)],
    }),
  },
  {
    // 定期存款即将到期: an active term deposit maturing within N days (the earliest one is the event).
    code: 'term_maturing',
    product: 'deposit',
    params: [{ key: 'days', kind: 'days', min: 1, max: 180, default: 30 }],
    candidates: (p, today) => ({
      sql: `SELECT td.customer_id AS customerId, 'term_maturing:' || td.id AS eventKey, td.principal_fen AS amountFen, MIN(td.maturity_on) AS dueOn,
              json_object('depositNo', td.deposit_no, 'amountFen', td.principal_fen, 'on', td.maturity_on) AS detail
            FROM term_deposits td WHERE td.status = 'active' AND td.maturity_on >= ? AND td.maturity_on <= ?
            GROUP BY td.customer_id`,
      params: [today, addDays(today, p.days!)],
    }),
  },
  {
    // 贷款刚结清: a loan paid off within the last N days, and no other loan still running.
    code: 'loan_paid_off',
    product: 'loan',
    params: [{ key: 'days', kind: 'days', min: 1, max: 180, default: 30 }, dueDays],
    candidates: (p, today) => ({
      sql: `SELECT l.customer_id AS customerId, 'loan_paid_off:' || l.id AS eventKey, l.principal_fen AS amountFen, NULL AS dueOn,
              json_object('loanNo', l.loan_no, 'amountFen', l.principal_fen, 'on', l.paid_off_on) AS detail, MAX(l.paid_off_on) AS lastOn
            FROM loans l WHERE l.status = 'paid_off' AND l.paid_off_on >= ? AND l.paid_off_on <= ?
              AND NOT EXISTS (SELECT 1 FROM loans a WHERE a.customer_id = l.customer_id AND a.status = 'active')
            GROUP BY l.customer_id`,
      params: [addDays(today, -p.days!), today],
    }),
  },
  {
    // 代发工资未办卡: salary credits in at least K of the last M full months, and no card account.
    code: 'salary_no_card',
    product: 'card',
    params: [
      { key: 'months', kind: 'count', min: 1, max: 12, default: 3 },
      { key: 'minMonths', kind: 'count', min: 1, max: 12, default: 3 },
      dueDays,
    ],
    window: (today, db) => salaryMonthStart(today, db),
    candidates: (p, today, db) => {
      const thisMonth = salaryMonthStart(today, db);
      let start = thisMonth;
      for (let i = 0; i < p.months!; i++) start = `${addDays(start, -1).slice(0, 8)}01`;
      return {
        // One per customer per year: a declined card offer is not repeated every month.
        sql: `SELECT t.customer_id AS customerId, 'salary_no_card:' || t.customer_id || ':' || ? AS eventKey, CAST(AVG(t.amount_fen) AS INTEGER) AS amountFen,
                NULL AS dueOn, json_object('months', COUNT(DISTINCT substr(t.txn_at, 1, 7)), 'avgFen', CAST(AVG(t.amount_fen) AS INTEGER)) AS detail
              FROM transactions t
              WHERE t.txn_type = 'salary' AND t.txn_at >= ? AND t.txn_at < ? AND t.direction = 'C'
                AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = t.customer_id AND a.kind = 'card' AND a.status != 'closed')
              GROUP BY t.customer_id HAVING COUNT(DISTINCT substr(t.txn_at, 1, 7)) >= ?`,
        params: [today.slice(0, 4), start, thisMonth, Math.min(p.minMonths!, p.months!)],
      };
    },
  },
  {
    // 资产大幅下降 (流失预警): balances at the latest month end fell by more than X% from the month end before.
    code: 'aum_drop',
    product: 'deposit',
    params: [
      { key: 'dropPercent', kind: 'percent', min: 5, max: 100, default: 30 },
      { key: 'minYuan', kind: 'yuan', min: 0, max: 100_000_000, default: 50_000 },
      dueDays,
    ],
    window: (today, db) => loadedMonthEnds(db, today).join('..'),
    candidates: (p, today, db) => {
      const [before, after] = loadedMonthEnds(db, today);
      return {
        // Two primary-key seeks per account (daily_balances is keyed by account, date). Money moved into
        // a wealth product bought here in the same month is not a loss: those customers are left out.
        sql: `SELECT x.customerId, 'aum_drop:' || x.customerId || ':' || ? AS eventKey, x.beforeFen - x.afterFen AS amountFen, NULL AS dueOn,
                json_object('beforeFen', x.beforeFen, 'afterFen', x.afterFen, 'from', ?, 'to', ?) AS detail
              FROM (SELECT a.customer_id AS customerId, COALESCE(SUM(b0.balance_fen), 0) AS beforeFen,
                      -- no row at the later month end: closed by then counts as 0, otherwise unchanged (not reported)
                      COALESCE(SUM(COALESCE(b1.balance_fen, CASE WHEN a.closed_on IS NOT NULL AND a.closed_on <= ? THEN 0 ELSE b0.balance_fen END)), 0) AS afterFen
                    FROM accounts a
                    LEFT JOIN daily_balances b0 ON b0.account_id = a.id AND b0.on_date = ?
                    LEFT JOIN daily_balances b1 ON b1.account_id = a.id AND b1.on_date = ?
                    WHERE a.kind != 'loan' AND (b0.balance_fen IS NOT NULL OR b1.balance_fen IS NOT NULL)
                    GROUP BY a.customer_id) x
              WHERE x.beforeFen > 0 AND x.beforeFen >= ? AND x.afterFen * 100 < x.beforeFen * (100 - ?)
                AND NOT EXISTS (SELECT 1 FROM wealth_holdings w WHERE w.customer_id = x.customerId AND w.purchased_on > ? AND w.purchased_on <= ?)`,
        params: [
          after,
          before,
          after,
          after,
          before,
          after,
          Math.round(p.minYuan! * 100),
          p.dropPercent!,
          before,
          after,
        ],
      };
    },
  },
  {
    // 金卡客户生日: a gold-tier individual whose birthday falls within the next N days.
    code: 'gold_birthday',
    product: 'other',
    params: [{ key: 'days', kind: 'days', min: 0, max: 60, default: 7 }],
    candidates: (p, today) => {
      const win = JSON.stringify(birthdayWindow(today, p.days!));
      return {
        sql: `SELECT c.id AS customerId, 'gold_birthday:' || c.id || ':' || j.value AS eventKey, NULL AS amountFen, j.value AS dueOn,
                json_object('on', j.value) AS detail
              FROM customers c JOIN json_each(?) j ON j.key = substr(c.birth_date, 6, 5)
              WHERE c.tier = 'gold' AND c.kind = 'individual' AND substr(c.birth_date, 6, 5) IN (SELECT key FROM json_each(?))`,
        params: [win, win],
      };
    },
  },
];

function ruleDef(code: RuleCode): RuleDef {
  const r = RULES.find((x) => x.code === code);
  if (!r) throw new AppError('NOT_FOUND', { entity: 'rule', code });
  return r;
}

export function defaultsOf(r: RuleDef): Params {
  return Object.fromEntries(r.params.map((p) => [p.key, p.default]));
}

/** Checks parameters against the rule's definitions (known keys, whole numbers in range), defaults filled in. */
export function validateParams(code: RuleCode, given: Params): Params {
  const r = ruleDef(code);
  const out = defaultsOf(r);
  for (const [k, v] of Object.entries(given)) {
    const def = r.params.find((p) => p.key === k);
    if (!def) throw new AppError('VALIDATION', { field: k, reason: 'unknown' });
    if (!Number.isInteger(v) || v < def.min || v > def.max)
      throw new AppError('RULE_PARAM', { field: k, min: def.min, max: def.max });
    out[k] = v;
  }
  return out;
}

interface SettingRow {
  code: string;
  enabled: number;
  params: string;
  last_run_on: string | null;
  last_created: number | null;
  last_window: string | null;
}

const SETTINGS = query<[], SettingRow>(
  'SELECT code, enabled, params, last_run_on, last_created, last_window FROM opportunity_rules',
);
const SAVE_RULE = query<[code: string, enabled: number, params: string, userId: number]>(
  `INSERT INTO opportunity_rules (code, enabled, params, updated_by, updated_at) VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
   ON CONFLICT(code) DO UPDATE SET enabled = excluded.enabled, params = excluded.params, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);
const MAX_OPPORTUNITY_ID = query<[], { m: number }>('SELECT COALESCE(MAX(id), 0) AS m FROM opportunities');
const HISTORY_SINCE = query<[onDate: string, afterId: number]>(
  `INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date) SELECT id, NULL, 'identified', ? FROM opportunities WHERE id > ?`,
);
const RECORD_RUN = query<[code: string, lastRunOn: string, created: number, window: string | null]>(
  `INSERT INTO opportunity_rules (code, params, last_run_on, last_created, last_window) VALUES (?, '{}', ?, ?, ?)
   ON CONFLICT(code) DO UPDATE SET last_run_on = excluded.last_run_on, last_created = excluded.last_created, last_window = excluded.last_window`,
);

function settings(db: Database): Map<string, SettingRow> {
  return new Map(SETTINGS.all(db).map((r) => [r.code, r]));
}

function effective(r: RuleDef, s: SettingRow | undefined): { enabled: boolean; params: Params } {
  const params = { ...defaultsOf(r), ...(s ? (JSON.parse(s.params) as Params) : {}) };
  return { enabled: s ? s.enabled === 1 : true, params };
}

export function listRules(db: Database): RuleView[] {
  const s = settings(db);
  return RULES.map((r) => {
    const e = effective(r, s.get(r.code));
    return {
      code: r.code,
      enabled: e.enabled,
      params: e.params,
      defaults: defaultsOf(r),
      paramDefs: r.params.map(({ key, kind, min, max }) => ({ key, kind, min, max })),
      lastRunOn: s.get(r.code)?.last_run_on ?? null,
      lastCreated: s.get(r.code)?.last_created ?? null,
    };
  });
}

export function saveRule(db: Database, code: RuleCode, enabled: boolean, params: Params, userId: number): RuleView {
  const p = validateParams(code, params);
  SAVE_RULE.run(db, code, enabled ? 1 : 0, JSON.stringify(p), userId);
  return listRules(db).find((r) => r.code === code)!;
}

/** A candidate becomes an opportunity unless its event already has one or the customer has an open one from this rule. */
const FRESH = `NOT EXISTS (SELECT 1 FROM opportunities d WHERE d.dedupe_key = x.eventKey)
  AND NOT EXISTS (SELECT 1 FROM opportunities d WHERE d.customer_id = c.id AND d.rule_code = ? AND d.stage NOT IN ('won','lost'))`;

export function previewRule(db: Database, code: RuleCode, params: Params, today: string): RulePreview {
  const r = ruleDef(code);
  const q = r.candidates(validateParams(code, params), today, db);
  const row = first<{ customers: number; wouldCreate: number }>(
    db,
    `SELECT COUNT(*) AS customers, COALESCE(SUM(CASE WHEN ${FRESH} THEN 1 ELSE 0 END), 0) AS wouldCreate
     FROM (${q.sql}) x JOIN customers c ON c.id = x.customerId WHERE c.status != 'closed'`,
    code,
    ...q.params,
  );
  return { code, customers: row?.customers ?? 0, wouldCreate: row?.wouldCreate ?? 0 };
}

/**
 * A rule's candidates, computed into a temp table: reading the journal or the balances for a million
 * customers takes seconds, and doing it here (the temp database only) keeps the store's write lock
 * for the short insert that follows, not for the whole search.
 */
function collect(db: Database, r: RuleDef, params: Params, today: string, slot: number): void {
  const q = r.candidates(params, today, db);
  db.exec(`DROP TABLE IF EXISTS temp.rule_cand_${slot}`);
  run(
    db,
    `CREATE TEMP TABLE rule_cand_${slot} AS SELECT customerId, eventKey, amountFen, dueOn, detail FROM (${q.sql})`,
    ...q.params,
  );
}

/** Turns one rule's collected candidates into opportunities and their first history entries, in the caller's transaction. */
function createFrom(db: Database, r: RuleDef, params: Params, today: string, slot: number): number {
  const maxBefore = MAX_OPPORTUNITY_ID.get(db)?.m ?? 0;
  const created = run(
    db,
    `INSERT INTO opportunities (customer_id, branch_id, owner_staff_id, stage, reached_rank, source, source_ref, rule_code, dedupe_key,
       product, amount_fen, due_on, detail, created_on)
     SELECT c.id, c.branch_id, c.manager_staff_id, 'identified', 0, 'rule', ?, ?, x.eventKey, ?, x.amountFen, COALESCE(x.dueOn, ?), x.detail, ?
     FROM temp.rule_cand_${slot} x JOIN customers c ON c.id = x.customerId
     WHERE c.status != 'closed' AND ${FRESH}`,
    r.code,
    r.code,
    r.product,
    addDays(today, params.dueDays ?? 14),
    today,
    r.code,
  ).changes;
  if (created) HISTORY_SINCE.run(db, today, maxBefore);
  return created;
}

/**
 * Runs the enabled rules (or the named ones); returns what each created. Unless forced (the
 * administrator's "run now"), a month-based rule whose window and parameters are those of its last
 * run is skipped: its answer cannot have changed, and it is the costly part after an import.
 * Candidates are collected first (reads), then everything is written in one transaction; a rule's
 * settings are re-read there, so a rule switched off meanwhile creates nothing.
 */
export function runRules(
  db: Database,
  today: string,
  only?: readonly RuleCode[],
  opts: { force?: boolean } = {},
): { code: RuleCode; created: number; skipped?: true }[] {
  const plan: { r: RuleDef; params: Params; win: string | null; slot: number }[] = [];
  const out: { code: RuleCode; created: number; skipped?: true }[] = [];
  const s = settings(db);
  for (const r of RULES) {
    if (only && !only.includes(r.code)) continue;
    const e = effective(r, s.get(r.code));
    if (!e.enabled) continue;
    const win = r.window ? `${r.window(today, db)} ${JSON.stringify(e.params)}` : null;
    if (win !== null && !opts.force && s.get(r.code)?.last_window === win) {
      out.push({ code: r.code, created: 0, skipped: true });
      continue;
    }
    plan.push({ r, params: e.params, win, slot: plan.length });
  }
  try {
    for (const p of plan) collect(db, p.r, p.params, today, p.slot);
    db.transaction(() => {
      const now = settings(db);
      for (const p of plan) {
        const e = effective(p.r, now.get(p.r.code));
        if (!e.enabled || JSON.stringify(e.params) !== JSON.stringify(p.params)) continue;
        const created = createFrom(db, p.r, p.params, today, p.slot);
        RECORD_RUN.run(db, p.r.code, today, created, p.win);
        out.push({ code: p.r.code, created });
      }
    })();
  } finally {
    for (const p of plan) db.exec(`DROP TABLE IF EXISTS temp.rule_cand_${p.slot}`);
  }
  const order = new Map(RULES.map((r, i) => [r.code, i]));
  return out.sort((a, b) => order.get(a.code)! - order.get(b.code)!);
}

export { RULE_CODES };
