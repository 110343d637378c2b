import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import {
  DEFAULT_PREFS,
  PAST_KINDS,
  type ReminderAudience,
  type ReminderKind,
  type ReminderPref,
} from '../../shared/api/reminders';
import { TIER_ORDER } from '../../shared/tiers';
import { holidayName, holidayPeriods, subtractWorkdays, workdayOnOrBefore } from './holidays';
import {
  allRecipients,
  getAudience,
  getPrefs,
  recipientById,
  recipientScope,
  windowEnd,
  type Recipient,
} from './reminders';

/**
 * Reminder generation: for every user (or one), for every kind they keep on, one set-based
 * INSERT OR IGNORE ... SELECT over the indexed table that holds the event, limited in SQL to the
 * customers the user chose (mine / my lists / the branch) AND the user's data scope (db/scope.ts).
 * The dedupe key names the event (the deposit and its maturity date, the loan and its due date, the
 * customer and the birthday's date), so running again creates nothing twice.
 */

export interface GenerateResult {
  created: number;
  byKind: Partial<Record<ReminderKind, number>>;
  ms: number;
}

interface Window {
  from: string;
  to: string;
  /**
   * The audience is a whole branch: drive from the event's date index rather than from the customers
   * (a manager's book is small enough to drive from; a branch of a million is not).
   */
  branchWide?: boolean;
}

function windowFor(today: string, pref: ReminderPref): Window {
  if (PAST_KINDS.includes(pref.kind)) {
    return {
      from: pref.workingDays ? subtractWorkdays(today, pref.leadDays) : addDays(today, -pref.leadDays),
      to: today,
    };
  }
  return { from: today, to: windowEnd(today, pref) };
}

/** SQL functions the statements use for the mainland-China calendar (registered per connection, memoised per run). */
function registerFunctions(db: Database): void {
  const memo = <T>(fn: (iso: string) => T) => {
    const m = new Map<string, T>();
    return (iso: unknown): T | null => {
      if (typeof iso !== 'string') return null;
      if (m.has(iso)) return m.get(iso) as T;
      const v = fn(iso);
      m.set(iso, v);
      return v;
    };
  };
  const actBy = memo((iso) => {
    const d = workdayOnOrBefore(iso);
    return d === iso ? null : d;
  });
  const zh = memo((iso) => holidayName(iso)?.zh ?? null);
  const en = memo((iso) => holidayName(iso)?.en ?? null);
  db.function('crm_act_by', { deterministic: true }, actBy);
  db.function('crm_holiday_zh', { deterministic: true }, zh);
  db.function('crm_holiday_en', { deterministic: true }, en);
}

const INSERT = `INSERT OR IGNORE INTO reminders (user_id, kind, customer_id, due_on, act_by, notify_on, params, source_type, source_id, dedupe_key)`;

interface Audience {
  sql: string;
  params: (string | number)[];
  branchWide: boolean;
}

/**
 * Which customers a user gets reminders about, ANDed with their scope; null: none. `skipMine` leaves
 * out the manager's own book when the batched statement covers it.
 */
function audienceSql(
  db: Database,
  r: Recipient,
  a: ReminderAudience,
  today: string,
  skipMine: boolean,
): Audience | null {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (a.mine && r.staffId != null && !skipMine) {
    parts.push('c.manager_staff_id = ?');
    params.push(r.staffId);
  }
  if (a.lists) {
    parts.push(
      'c.id IN (SELECT lm.customer_id FROM customer_list_members lm JOIN customer_lists l ON l.id = lm.list_id WHERE l.owner_id = ?)',
    );
    params.push(r.id);
  }
  if (a.branch && r.role === 'president') parts.push('1');
  if (parts.length === 0) return null;
  const scope = recipientScope(db, r, today);
  if (scope.kind === 'none') return null;
  return {
    sql: `(${scope.sql}) AND (${parts.join(' OR ')})`,
    params: [...scope.params, ...params],
    branchWide: a.branch && r.role === 'president',
  };
}

/**
 * Month-days in the window with the date each falls on, in a temp table indexed by month-day (a JSON
 * parameter would be parsed again for every customer row); 29 Feb birthdays fall on 28 Feb in common years.
 * The columns have no declared type on purpose: a TEXT column would give the comparison TEXT affinity and
 * keep SQLite from searching the expression indexes on substr(birth_date|opened_on, 6, 5).
 */
function fillMonthDays(db: Database, w: Window): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS reminder_days (md NOT NULL, due NOT NULL);
           CREATE INDEX IF NOT EXISTS temp.reminder_days_md ON reminder_days(md);
           DELETE FROM temp.reminder_days;`);
  const ins = db.prepare('INSERT INTO temp.reminder_days (md, due) VALUES (?, ?)');
  for (let d = w.from; d <= w.to; d = addDays(d, 1)) {
    ins.run(d.slice(5), d);
    if (d.slice(5) === '02-28' && addDays(d, 1).slice(5) === '03-01') ins.run('02-29', d);
  }
}

type CustomerRule = (
  w: Window,
  pref: ReminderPref,
) => { sql: string; params: (string | number)[]; setup?: (db: Database) => void };

/**
 * One statement per kind. Each selects (customer c, due_on, params, source_type, source_id, dedupe_key)
 * with `${AUD}` where the audience-and-scope condition goes; the window and threshold are parameters.
 */
const CUSTOMER_RULES: Partial<Record<ReminderKind, CustomerRule>> = {
  birthday: (w) => ({
    sql: `SELECT c.id, w.due, '{}', 'customer', c.id, 'birthday:' || c.id || ':' || w.due
          FROM temp.reminder_days w JOIN customers c ON substr(c.birth_date, 6, 5) = w.md AND c.birth_date IS NOT NULL
          WHERE c.kind = 'individual' AND c.status <> 'closed' AND AUD`,
    params: [],
    setup: (db) => fillMonthDays(db, w),
  }),
  anniversary: (w) => ({
    sql: `SELECT c.id, w.due, json_object('years', CAST(substr(w.due, 1, 4) AS INTEGER) - CAST(substr(c.opened_on, 1, 4) AS INTEGER)),
                 'customer', c.id, 'anniversary:' || c.id || ':' || w.due
          FROM temp.reminder_days w JOIN customers c ON substr(c.opened_on, 6, 5) = w.md
          WHERE c.status <> 'closed' AND substr(c.opened_on, 1, 4) < substr(w.due, 1, 4) AND AUD`,
    params: [],
    setup: (db) => fillMonthDays(db, w),
  }),
  large_deposit: (w, p) => ({
    sql: `SELECT c.id, substr(t.txn_at, 1, 10), json_object('amountFen', t.amount_fen, 'channel', t.channel), 'transaction', t.id, 'large_deposit:' || t.id
          FROM transactions t JOIN customers c ON c.id = t.customer_id
          WHERE t.amount_fen >= 1000000 AND t.amount_fen >= ? AND t.direction = 'C' AND t.txn_at >= ? AND t.txn_at < ? AND AUD`,
    params: [p.thresholdFen ?? 0, w.from, addDays(w.to, 1)],
  }),
  large_withdrawal: (w, p) => ({
    sql: `SELECT c.id, substr(t.txn_at, 1, 10), json_object('amountFen', t.amount_fen, 'channel', t.channel), 'transaction', t.id, 'large_withdrawal:' || t.id
          FROM transactions t JOIN customers c ON c.id = t.customer_id
          WHERE t.amount_fen >= 1000000 AND t.amount_fen >= ? AND t.direction = 'D' AND t.txn_at >= ? AND t.txn_at < ? AND AUD`,
    params: [p.thresholdFen ?? 0, w.from, addDays(w.to, 1)],
  }),
  loan_disbursement: (w) => ({
    sql: `SELECT c.id, l.disbursed_on, json_object('amountFen', l.principal_fen, 'product', p.name), 'loan', l.id, 'loan_disbursement:' || l.id
          FROM loans l JOIN customers c ON c.id = l.customer_id JOIN products p ON p.id = l.product_id
          WHERE l.disbursed_on BETWEEN ? AND ? AND AUD`,
    params: [w.from, w.to],
  }),
  loan_repayment: (w) => ({
    sql: `SELECT c.id, l.next_due_on, json_object('amountFen', l.next_due_fen, 'product', p.name, 'holidayZh', crm_holiday_zh(l.next_due_on), 'holidayEn', crm_holiday_en(l.next_due_on)),
                 'loan', l.id, 'loan_repayment:' || l.id || ':' || l.next_due_on
          FROM loans l JOIN customers c ON c.id = l.customer_id JOIN products p ON p.id = l.product_id
          WHERE l.status = 'active' AND l.next_due_on BETWEEN ? AND ? AND AUD`,
    params: [w.from, w.to],
  }),
  term_maturity: (w) => ({
    sql: `SELECT c.id, td.maturity_on, json_object('amountFen', td.principal_fen, 'product', p.name, 'autoRollover', td.auto_rollover,
                 'holidayZh', crm_holiday_zh(td.maturity_on), 'holidayEn', crm_holiday_en(td.maturity_on)),
                 'term_deposit', td.id, 'term_maturity:' || td.id || ':' || td.maturity_on
          FROM term_deposits td JOIN customers c ON c.id = td.customer_id JOIN products p ON p.id = td.product_id
          WHERE td.status = 'active' AND td.maturity_on BETWEEN ? AND ? AND AUD`,
    params: [w.from, w.to],
  }),
  wealth_maturity: (w) => ({
    sql: `SELECT c.id, h.maturity_on, json_object('amountFen', h.market_value_fen, 'product', p.name,
                 'holidayZh', crm_holiday_zh(h.maturity_on), 'holidayEn', crm_holiday_en(h.maturity_on)),
                 'wealth_holding', h.id, 'wealth_maturity:' || h.id || ':' || h.maturity_on
          FROM wealth_holdings h JOIN customers c ON c.id = h.customer_id JOIN products p ON p.id = h.product_id
          WHERE h.status = 'active' AND h.maturity_on BETWEEN ? AND ? AND AUD`,
    params: [w.from, w.to],
  }),
  // a change with no model version (not from a re-tier): one reminder each; a re-tier's are a digest (runTierDigest)
  tier_change: (w) => ({
    sql: `SELECT c.id, date(x.changed_at, '+8 hours'), json_object('fromTier', x.from_tier, 'toTier', x.to_tier), 'tier_change', x.id, 'tier_change:' || x.id
          FROM customer_tier_changes x JOIN customers c ON c.id = x.customer_id
          WHERE x.model_version IS NULL AND x.changed_at >= ? AND x.changed_at < ? AND date(x.changed_at, '+8 hours') BETWEEN ? AND ? AND AUD`,
    params: [addDays(w.from, -1), addDays(w.to, 1), w.from, w.to],
  }),
  account_closure: (w) => ({
    sql: `SELECT c.id, a.closed_on, json_object('accountTail', substr(a.account_no, -4), 'accountKind', a.kind), 'account', a.id, 'account_closure:' || a.id || ':' || a.closed_on
          FROM accounts a JOIN customers c ON c.id = a.customer_id
          WHERE a.closed_on IS NOT NULL AND a.closed_on BETWEEN ? AND ? AND AUD`,
    params: [w.from, w.to],
  }),
  // 风险预警: a signal this store first found in the window (db/analytics/risk.ts) on a customer rated 关注 or
  // worse. The reminder is dated by the signal's own date from the data ('on' in its facts: the day an overdue
  // began, the last large debit, the last transaction before dormancy, the book's month), never by the day
  // this PC happened to find it, and the parameters name only the signal: every PC importing the same
  // extracts, on whatever day, makes the same natural key (db/sync/reminders.ts: user, kind, customer
  // number, due date, parameters). Rows from before 'on' existed fall back to first_seen until the next run.
  risk_signal: (w) => ({
    sql: `SELECT c.id, COALESCE(json_extract(s.facts, '$.on'), s.first_seen), json_object('signal', s.signal), 'risk_signal',
                 c.id || ':' || s.signal,
                 'risk_signal:' || c.id || ':' || s.signal || ':' || COALESCE(json_extract(s.facts, '$.on'), s.first_seen)
          FROM customer_risk_signals s JOIN customers c ON c.id = s.customer_id
          WHERE s.first_seen BETWEEN ? AND ? AND AUD
            AND EXISTS (SELECT 1 FROM customer_risk r WHERE r.customer_id = c.id AND r.level <> 'normal')`,
    params: [w.from, w.to],
  }),
};

/**
 * Over a whole branch, drive from the event's own index (a date window, the large-amount index, the
 * month-day index): CROSS JOIN fixes the order so the planner cannot walk every customer of the branch.
 */
function eventFirst(sql: string, branchWide: boolean | undefined): string {
  return branchWide ? sql.replace(/ JOIN customers c ON /, ' CROSS JOIN customers c ON ') : sql;
}

function runCustomerRule(
  db: Database,
  r: Recipient,
  kind: ReminderKind,
  rule: CustomerRule,
  w: Window,
  pref: ReminderPref,
  aud: Audience,
): number {
  const { sql, params, setup } = rule({ ...w, branchWide: aud.branchWide }, pref);
  setup?.(db);
  const select = eventFirst(sql, aud.branchWide).replace('AUD', `(${aud.sql})`);
  return db
    .prepare(
      `WITH e(cid, due, params, stype, sid, dkey) AS (${select})
       ${INSERT} SELECT ?, '${kind}', e.cid, e.due, crm_act_by(e.due), NULL, e.params, e.stype, e.sid, e.dkey FROM e`,
    )
    .run(...params, ...aud.params, r.id).changes;
}

/**
 * The date a batched kind's window applies to, when it is not the reminder's own date: a risk signal's
 * reminder is dated by the data (possibly months back) and made while the signal is new to this store.
 */
const WINDOW_DATE: Partial<Record<ReminderKind, string>> = {
  risk_signal: `(SELECT s.first_seen FROM customer_risk_signals s WHERE s.customer_id = e.cid AND s.signal = json_extract(e.params, '$.signal'))`,
};

/** One manager's share of a batched kind: their window and threshold. */
interface BatchEntry {
  u: number;
  s: number;
  f: string;
  t: string;
  thr: number | null;
}

/**
 * "Mine" for every manager at once: one pass over the kind's events in the widest window, each event
 * handed to the manager of record whose own window (and threshold) it falls in. A manager's own customers
 * are within their scope by definition (db/scope.ts: own book plus grants), so no further scope test is
 * needed here; the lists and the grants go through the per-user statements.
 */
function runBatch(db: Database, kind: ReminderKind, rule: CustomerRule, entries: BatchEntry[]): number {
  // ISO dates: string order is date order.
  const from = entries.map((e) => e.f).sort()[0]!;
  const to = entries
    .map((e) => e.t)
    .sort()
    .at(-1)!;
  const thresholds = entries.map((e) => e.thr).filter((x): x is number => x != null);
  const pref = { ...DEFAULT_PREFS[kind], kind, thresholdFen: thresholds.length ? Math.min(...thresholds) : null };
  const { sql, params, setup } = rule({ from, to, branchWide: true }, pref);
  setup?.(db);
  const staff = JSON.stringify([...new Set(entries.map((e) => e.s))]);
  const select = eventFirst(sql, true).replace('AUD', `c.manager_staff_id IN (SELECT value FROM json_each(?))`);
  return db
    .prepare(
      `WITH e(cid, due, params, stype, sid, dkey) AS MATERIALIZED (${select}),
            p(u, s, f, t, thr) AS MATERIALIZED (SELECT json_extract(value, '$.u'), json_extract(value, '$.s'), json_extract(value, '$.f'),
                                                     json_extract(value, '$.t'), json_extract(value, '$.thr') FROM json_each(?))
       ${INSERT} SELECT p.u, '${kind}', e.cid, e.due, crm_act_by(e.due), NULL, e.params, e.stype, e.sid, e.dkey
       FROM e CROSS JOIN customers c2 ON c2.id = e.cid JOIN p ON p.s = c2.manager_staff_id
       WHERE ${WINDOW_DATE[kind] ?? 'e.due'} BETWEEN p.f AND p.t AND (p.thr IS NULL OR json_extract(e.params, '$.amountFen') >= p.thr)`,
    )
    .run(...params, staff, JSON.stringify(entries)).changes;
}

/** Best tier first (0) to exit (5); a customer not scored before has no rank. */
const rank = (col: string) =>
  `CASE ${col} ${TIER_ORDER.map((t, i) => `WHEN '${t}' THEN ${i}`).join(' ')} ELSE NULL END`;

/**
 * Tier changes from a re-tier (a model saved: one change per moved customer, hundreds at once) reach a
 * user as ONE digest per model version: how many customers in the user's data scope moved, up and down,
 * and when. Counted over the scope (not only the chosen audience) because the digest opens exactly those
 * customers in the grid (drill `tierRun`, which the grid limits to the same scope), and the migration report.
 */
function runTierDigest(db: Database, r: Recipient, w: Window, today: string): number {
  const scope = recipientScope(db, r, today);
  if (scope.kind === 'none') return 0;
  const aud = { sql: scope.sql, params: scope.params, branchWide: r.role === 'president' };
  const select = eventFirst(
    `SELECT x.model_version AS v, MIN(x.changed_at) AS at, COUNT(*) AS n,
            SUM(${rank('x.to_tier')} < ${rank('x.from_tier')}) AS up, SUM(${rank('x.to_tier')} > ${rank('x.from_tier')}) AS down
     FROM customer_tier_changes x JOIN customers c ON c.id = x.customer_id
     WHERE x.model_version IS NOT NULL AND x.changed_at >= ? AND x.changed_at < ? AND date(x.changed_at, '+8 hours') BETWEEN ? AND ?
       AND (${aud.sql})
     GROUP BY x.model_version`,
    aud.branchWide,
  );
  return db
    .prepare(
      `${INSERT} SELECT ?, 'tier_change', NULL, date(d.at, '+8 hours'), NULL, NULL,
              json_object('digest', 1, 'version', d.v, 'at', d.at, 'count', d.n, 'up', COALESCE(d.up, 0), 'down', COALESCE(d.down, 0)),
              'tier_model', CAST(d.v AS TEXT), 'tier_digest:' || d.v
       FROM (${select}) d`,
    )
    .run(r.id, addDays(w.from, -1), addDays(w.to, 1), w.from, w.to, ...aud.params).changes;
}

/**
 * Inboxes flooded before digests existed: each user's OPEN per-customer reminders of a re-tier become
 * that run's digest (counted over those reminders), and the per-customer rows go. Handled ones stay
 * (the user's history). Cheap when there is nothing to fold: one look-up on the inbox index per user.
 */
export function foldTierFloods(db: Database): number {
  const folded = db
    .prepare(
      `${INSERT}
       SELECT r.user_id, 'tier_change', NULL, MIN(r.due_on), NULL, NULL,
              json_object('digest', 1, 'version', x.model_version, 'at', MIN(x.changed_at), 'count', COUNT(*),
                          'up', COALESCE(SUM(${rank('x.to_tier')} < ${rank('x.from_tier')}), 0),
                          'down', COALESCE(SUM(${rank('x.to_tier')} > ${rank('x.from_tier')}), 0)),
              'tier_model', CAST(x.model_version AS TEXT), 'tier_digest:' || x.model_version
       FROM reminders r JOIN customer_tier_changes x ON x.id = CAST(r.source_id AS INTEGER)
       WHERE r.kind = 'tier_change' AND r.source_type = 'tier_change' AND r.status = 'open' AND x.model_version IS NOT NULL
       GROUP BY r.user_id, x.model_version`,
    )
    .run().changes;
  db.prepare(
    `DELETE FROM reminders WHERE kind = 'tier_change' AND source_type = 'tier_change' AND status = 'open'
       AND EXISTS (SELECT 1 FROM customer_tier_changes x WHERE x.id = CAST(reminders.source_id AS INTEGER) AND x.model_version IS NOT NULL)`,
  ).run();
  return folded;
}

function runHolidays(db: Database, r: Recipient, w: Window): number {
  const ins = db.prepare(`${INSERT} VALUES (?, 'holiday', NULL, ?, NULL, NULL, ?, 'holiday', ?, ?)`);
  let n = 0;
  for (const p of holidayPeriods(w.from, w.to)) {
    const params = {
      holidayZh: p.name.zh,
      holidayEn: p.name.en,
      start: p.start,
      end: p.end,
      days: p.days,
      makeup: p.makeupWorkdays.join(','),
    };
    n += ins.run(r.id, p.start, JSON.stringify(params), p.start, `holiday:${p.start}`).changes;
  }
  return n;
}

function runProductLaunch(db: Database, r: Recipient, today: string, pref: ReminderPref): number {
  // upcoming launches within the lead, and launches of the last few days an import has just brought in
  return db
    .prepare(
      `${INSERT} SELECT ?, 'product_launch', NULL, p.launched_on, crm_act_by(p.launched_on), NULL,
              json_object('product', p.name, 'category', p.category, 'code', p.code), 'product', p.id, 'product_launch:' || p.id || ':' || p.launched_on
       FROM products p WHERE p.launched_on BETWEEN ? AND ? AND p.status = 'on_sale'`,
    )
    .run(r.id, addDays(today, -Math.min(pref.leadDays, 7)), windowEnd(today, pref)).changes;
}

/** Where each generated kind's event lives (source_type -> table); the id is the table's primary key. */
const SOURCE_TABLES: Record<string, string> = {
  term_deposit: 'term_deposits',
  wealth_holding: 'wealth_holdings',
  loan: 'loans',
  transaction: 'transactions',
  account: 'accounts',
  tier_change: 'customer_tier_changes',
  product: 'products',
};

/**
 * After a revert: open reminders whose event row is gone (the reverted import brought it) are withdrawn,
 * so re-importing the same file, which gives the rows new ids, does not leave a stale twin in the inbox.
 * Reminders already done, dismissed or snoozed are the user's history and stay.
 */
export function withdrawVanished(db: Database): number {
  let n = 0;
  for (const [type, table] of Object.entries(SOURCE_TABLES)) {
    n += db
      .prepare(
        `DELETE FROM reminders WHERE source_type = ? AND status = 'open' AND snoozed_until IS NULL
           AND NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.id = CAST(reminders.source_id AS INTEGER))`,
      )
      .run(type).changes;
  }
  return n;
}

/**
 * Reminders handled (done or dismissed) whose date is this many days past are deleted at start-up. Safe
 * for "never twice": no generation window reaches back further than 90 days, so such an event cannot be
 * generated again.
 */
export const KEEP_HANDLED_DAYS = 180;

export function pruneHandled(db: Database, today: string): number {
  // A risk signal's reminder is dated by the data (a dormancy by the last transaction, half a year back or
  // more) and generated while the signal is new to this store: it stays while its signal stands, or a
  // prune followed by the next run would bring a handled one back.
  return db
    .prepare(
      `DELETE FROM reminders WHERE status <> 'open' AND due_on < ?
         AND NOT (kind = 'risk_signal' AND EXISTS (SELECT 1 FROM customer_risk_signals s
                    WHERE s.customer_id = reminders.customer_id AND s.signal = json_extract(reminders.params, '$.signal')))`,
    )
    .run(addDays(today, -KEEP_HANDLED_DAYS)).changes;
}

/** Generate for everyone (userId omitted) or one user, in one transaction; records the run. */
export function generateReminders(
  db: Database,
  opts: { today: string; reason: string; userId?: number },
): GenerateResult {
  const t0 = performance.now();
  registerFunctions(db);
  const byKind: Partial<Record<ReminderKind, number>> = {};
  const add = (k: ReminderKind, n: number) => {
    if (n > 0) byKind[k] = (byKind[k] ?? 0) + n;
  };
  const recipients =
    opts.userId != null ? [recipientById(db, opts.userId)].filter((x): x is Recipient => !!x) : allRecipients(db);
  db.transaction(() => {
    if (opts.reason === 'revert') withdrawVanished(db);
    if (opts.reason === 'startup') pruneHandled(db, opts.today);
    foldTierFloods(db);
    const batches = new Map<ReminderKind, BatchEntry[]>();
    for (const r of recipients) {
      const prefs = getPrefs(db, r.id);
      const a = getAudience(db, r.id);
      const batchMine = r.role === 'manager' && a.mine && r.staffId != null;
      const aud = audienceSql(db, r, a, opts.today, batchMine);
      for (const pref of prefs) {
        if (!pref.enabled) continue;
        const w = windowFor(opts.today, pref);
        // tellers manage no book; the administrator sees no customers; no audience chosen: nothing
        if (pref.kind === 'tier_change' && r.role !== 'teller' && r.role !== 'admin' && (a.mine || a.lists || a.branch))
          add('tier_change', runTierDigest(db, r, w, opts.today));
        if (pref.kind === 'holiday') add('holiday', runHolidays(db, r, w));
        else if (pref.kind === 'product_launch') {
          if (r.role !== 'admin') add('product_launch', runProductLaunch(db, r, opts.today, pref));
        } else {
          const rule = CUSTOMER_RULES[pref.kind];
          // tellers manage no book and keep no lists; the administrator sees no customers
          if (!rule || r.role === 'teller' || r.role === 'admin') continue;
          if (batchMine) {
            const list = batches.get(pref.kind) ?? [];
            list.push({ u: r.id, s: r.staffId!, f: w.from, t: w.to, thr: pref.thresholdFen });
            batches.set(pref.kind, list);
          }
          if (aud) add(pref.kind, runCustomerRule(db, r, pref.kind, rule, w, pref, aud));
        }
      }
    }
    for (const [kind, entries] of batches) add(kind, runBatch(db, kind, CUSTOMER_RULES[kind]!, entries));
  })();
  const created = Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0);
  const ms = Math.round(performance.now() - t0);
  db.prepare('INSERT INTO reminder_runs (today, reason, created, ms) VALUES (?, ?, ?, ?)').run(
    opts.today,
    opts.reason,
    created,
    ms,
  );
  return { created, byKind, ms };
}
