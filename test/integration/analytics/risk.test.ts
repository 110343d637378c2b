import { describe, expect, it } from 'vitest';
import { riskLevel, riskSettingsSchema } from '../../../shared/analytics';
import { findSignals, runRisk } from '../../../db/analytics/risk';
import { riskSettings } from '../../../db/analytics/settings';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import { reminderKey } from '../../../db/sync/reminders';
import { addDays } from '../../../shared/dates';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { factory } from '../relationship/fixtures';
import { type Factory, freshBookEachTest, insertLoan, type LoanFixture } from './risk-book';
import { RISK_SETTINGS as S, RISK_TODAY as TODAY, signalsOf, sorted } from './risk-book';

/** 风险预警: each signal on hand-made data (hit and near misses), the rating's thresholds, scope, follow-ups. */
let w: World;
let f: Factory;
freshBookEachTest((book) => {
  ({ w, f } = book);
});

const setAum = (id: number, yuan: number) =>
  w.db.prepare('UPDATE customers SET aum_fen = ?, deposit_fen = ? WHERE id = ?').run(yuan * 100, yuan * 100, id);
const loan = (cid: number, o: LoanFixture) => insertLoan(w, f, cid, o);

describe('early-warning signals', () => {
  it('overdue: days overdue at the threshold or a classification below normal; active loans only', () => {
    const late = f.customer();
    const classified = f.customer();
    const current = f.customer();
    const paid = f.customer();
    const barely = f.customer();
    loan(late, { principal: 100_000, balance: 80_000, overdue: 15 });
    loan(classified, { principal: 100_000, balance: 80_000, cls: 'substandard' });
    loan(current, { principal: 100_000, balance: 80_000 });
    loan(paid, { principal: 100_000, balance: 0, overdue: 40, status: 'paid_off' });
    loan(barely, { principal: 100_000, balance: 80_000, overdue: 4 });
    const found = findSignals(w.db, { ...S, riskOverdueDays: 5 }, TODAY);
    expect(signalsOf(found, 'overdue')).toEqual(sorted(late, classified));
    expect(found.find((x) => x.customerId === late)?.facts).toMatchObject({ days: 15, balanceFen: 8_000_000 });
    expect(found.find((x) => x.customerId === classified)?.facts).toMatchObject({ worst: 2 });
    expect(signalsOf(findSignals(w.db, { ...S, riskOverdueDays: 4 }, TODAY), 'overdue')).toEqual(
      sorted(late, classified, barely),
    );
  });

  it('utilisation: high and up enough against the figure recorded long enough ago', () => {
    const rising = f.customer();
    const flat = f.customer();
    const recent = f.customer();
    const fresh = f.customer();
    for (const c of [rising, flat, recent, fresh]) loan(c, { principal: 1_000_000, balance: 950_000 });
    const hist = w.db.prepare(
      'INSERT INTO loan_utilisation_history (customer_id, on_date, balance_fen, principal_fen) VALUES (?, ?, ?, 100000000)',
    );
    hist.run(rising, '2026-08-20', 70_000_000); // 70% 74 days ago → 95% now: +25
    hist.run(flat, '2026-08-20', 94_000_000); // +1 point only
    hist.run(recent, '2026-10-25', 50_000_000); // a low figure, but only 8 days ago
    const found = findSignals(w.db, S, TODAY);
    expect(signalsOf(found, 'utilisation')).toEqual([rising]);
    expect(found.find((x) => x.customerId === rising)?.facts).toMatchObject({
      pct: 95,
      beforePct: 70,
      since: '2026-08-20',
    });
    // a run records today's figures where they changed, so "rising" has a history from now on
    runRisk(w.db, { today: TODAY, settings: S });
    const rows = w.db
      .prepare('SELECT customer_id AS c, on_date AS d FROM loan_utilisation_history WHERE on_date = ? ORDER BY c')
      .all(TODAY) as { c: number; d: string }[];
    expect(rows.map((r) => r.c)).toEqual(sorted(rising, flat, recent, fresh));
    runRisk(w.db, { today: '2026-11-03', settings: S });
    expect(
      (
        w.db.prepare('SELECT COUNT(*) AS n FROM loan_utilisation_history WHERE on_date = ?').get('2026-11-03') as {
          n: number;
        }
      ).n,
    ).toBe(0);
  });

  it('outflow: large debits in the window adding up to the amount and to the share of former assets', () => {
    const drained = f.customer();
    const rich = f.customer();
    const old = f.customer();
    const trickle = f.customer();
    setAum(drained, 100_000);
    setAum(rich, 5_000_000);
    setAum(old, 10_000);
    setAum(trickle, 0);
    const acct = (c: number) => f.account(c);
    const a1 = acct(drained);
    f.txn(drained, a1, '2026-10-20', 150_000, 'transfer_out', 'D');
    f.txn(drained, a1, '2026-10-28', 150_000, 'transfer_out', 'D');
    f.txn(drained, a1, '2026-10-29', 900_000, 'transfer_in', 'C'); // credits do not offset
    const a2 = acct(rich);
    f.txn(rich, a2, '2026-10-20', 300_000, 'transfer_out', 'D');
    const a3 = acct(old);
    f.txn(old, a3, '2026-09-20', 300_000, 'transfer_out', 'D'); // 43 days ago
    const a4 = acct(trickle);
    for (let i = 0; i < 40; i++) f.txn(trickle, a4, '2026-10-15', 9_000, 'transfer_out', 'D'); // each below 10,000
    const found = findSignals(w.db, S, TODAY);
    expect(signalsOf(found, 'outflow')).toEqual([drained]);
    expect(found.find((x) => x.customerId === drained)?.facts).toMatchObject({ outFen: 30_000_000, count: 2 });
  });

  it('balance collapse: AUM now against the month end N months back, from a floor', () => {
    for (const m of ['2026-07', '2026-08', '2026-09', '2026-10'])
      w.db.prepare('INSERT INTO report_months (month) VALUES (?)').run(m);
    const month = w.db.prepare(
      `INSERT INTO report_customer_months (customer_id, month, deposit_fen, wealth_fen, loan_fen, tier) VALUES (?, ?, ?, ?, 0, 'ordinary')`,
    );
    const fell = f.customer();
    const dipped = f.customer();
    const small = f.customer();
    const lateFall = f.customer();
    month.run(fell, '2026-07', 60_000_000, 40_000_000);
    setAum(fell, 200_000); // 1,000,000 → 200,000: −80%
    month.run(dipped, '2026-07', 30_000_000, 0);
    setAum(dipped, 250_000);
    month.run(small, '2026-07', 3_000_000, 0); // 30,000 yuan: under the floor
    setAum(small, 0);
    month.run(lateFall, '2026-09', 100_000_000, 0); // not the month compared
    setAum(lateFall, 0);
    const found = findSignals(w.db, S, TODAY);
    expect(signalsOf(found, 'collapse')).toEqual([fell]);
    expect(found.find((x) => x.customerId === fell)?.facts).toMatchObject({ beforeFen: 100_000_000, month: '2026-07' });
    expect(signalsOf(findSignals(w.db, { ...S, riskCollapseMonths: 1 }, TODAY), 'collapse')).toEqual([lateFall]);
  });

  it('dormancy after activity: quiet long enough after enough transactions, not long-dormant nor recent', () => {
    const gone = f.customer();
    const never = f.customer();
    const recent = f.customer();
    const ancient = f.customer();
    const last = (c: number, d: string) => w.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id = ?').run(d, c);
    const a = f.account(gone);
    for (let i = 0; i < 20; i++) f.txn(gone, a, `2026-0${1 + (i % 3)}-1${i % 9}`, 500);
    f.txn(gone, a, '2026-04-01', 500);
    last(gone, '2026-04-01');
    const b = f.account(never);
    for (let i = 0; i < 3; i++) f.txn(never, b, `2026-03-1${i}`, 500);
    last(never, '2026-04-01');
    const c = f.account(recent);
    for (let i = 0; i < 20; i++) f.txn(recent, c, `2026-09-1${i % 9}`, 500);
    last(recent, '2026-10-01');
    const d = f.account(ancient);
    for (let i = 0; i < 20; i++) f.txn(ancient, d, `2024-01-1${i % 9}`, 500);
    last(ancient, '2024-01-19');
    const found = findSignals(w.db, S, TODAY);
    expect(signalsOf(found, 'dormancy')).toEqual([gone]);
    expect(found.find((x) => x.customerId === gone)?.facts).toMatchObject({ lastTxnOn: '2026-04-01', txns: 21 });
  });
});

describe('the rating', () => {
  it('adds the standing signals’ weights and rates by the bank’s thresholds', () => {
    expect(riskLevel(19, S)).toBe('normal');
    expect(riskLevel(20, S)).toBe('watch');
    expect(riskLevel(50, S)).toBe('warning');
    expect(riskLevel(80, S)).toBe('high');
    const both = f.customer();
    const one = f.customer();
    loan(both, { principal: 100_000, balance: 90_000, overdue: 30 });
    loan(one, { principal: 100_000, balance: 90_000, overdue: 30 });
    setAum(both, 10_000);
    f.txn(both, f.account(both), '2026-10-30', 250_000, 'transfer_out', 'D');
    const r = runRisk(w.db, { today: TODAY, settings: S });
    const rated = (id: number) =>
      w.db.prepare('SELECT score, level FROM customer_risk WHERE customer_id = ?').get(id) as {
        score: number;
        level: string;
      };
    expect(rated(both)).toEqual({ score: 80, level: 'high' }); // overdue 50 + outflow 30
    expect(rated(one)).toEqual({ score: 50, level: 'warning' });
    expect(r.byLevel).toMatchObject({ high: 1, warning: 1 });
    // the bank moves the lines: the same signals rate differently
    runRisk(w.db, { today: TODAY, settings: { ...S, riskLevelWarning: 60, riskLevelHigh: 90 } });
    expect(rated(both).level).toBe('warning');
    expect(rated(one).level).toBe('watch');
  });

  it('keeps the date a signal was first seen while it stands, and drops it when it is gone', () => {
    const c = f.customer();
    loan(c, { principal: 100_000, balance: 90_000, overdue: 30 });
    runRisk(w.db, { today: TODAY, settings: S });
    runRisk(w.db, { today: '2026-11-05', settings: S });
    const seen = () => w.db.prepare('SELECT first_seen AS d FROM customer_risk_signals WHERE customer_id = ?').all(c);
    expect(seen()).toEqual([{ d: TODAY }]);
    w.db.prepare('UPDATE loans SET overdue_days = 0 WHERE customer_id = ?').run(c);
    runRisk(w.db, { today: '2026-11-06', settings: S });
    expect(seen()).toEqual([]);
    expect(w.db.prepare('SELECT * FROM customer_risk WHERE customer_id = ?').get(c)).toBeUndefined();
  });

  it('refuses thresholds that do not rise, naming the field; nothing is stored', async () => {
    const bad = { ...S, riskLevelWarning: 20 };
    const parsed = riskSettingsSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['riskLevelWarning']);
    const admin = await signIn(w, 'admin');
    const r = await call(w, 'analytics.saveRisk', bad, admin);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(JSON.stringify(r.error.details)).toContain('riskLevelWarning');
    }
    expect(riskSettings(w.db).updatedAt).toBeNull();
    const weightTooBig = await call(w, 'analytics.saveRisk', { ...S, riskWeightOverdue: 101 }, admin);
    expect(weightTooBig.ok).toBe(false);
    // a good save is stored, audited and re-rates (a small book: inline, before the save returns)
    const c = f.customer();
    loan(c, { principal: 100_000, balance: 90_000, overdue: 30 });
    const saved = await ok(w, 'analytics.saveRisk', { ...S, riskWeightOverdue: 90 }, admin);
    expect(saved.recalculating.risk).toBe(false);
    expect(saved.riskByLevel.high).toBe(1);
    expect(riskSettings(w.db).value.riskWeightOverdue).toBe(90);
    expect(
      w.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'analytics.saveRisk' AND outcome = 'ok'`).get(),
    ).toEqual({ n: 1 });
  });
});

describe('the watch-list', () => {
  it('lists only the caller’s scope, in SQL; follow-ups are scoped, checked and audited', async () => {
    const m1 = w.ids.staff.manager1;
    const m2 = w.ids.staff.manager2;
    const mine = f.customer({ manager: m1 });
    const theirs = f.customer({ manager: m2, branch: w.ids.outlet });
    const other = f.customer({ manager: null, branch: w.ids.otherBranch });
    for (const c of [mine, theirs, other]) loan(c, { principal: 100_000, balance: 90_000, overdue: 30 });
    runRisk(w.db, { today: TODAY, settings: S });
    const s1 = await signIn(w, 'manager1');
    const s2 = await signIn(w, 'manager2');
    const pres = await signIn(w, 'president');
    const teller = await signIn(w, 'teller');
    const ids = async (s: string) => (await ok(w, 'risk.watchList', {}, s)).rows.map((r) => r.customerId);
    expect(await ids(s1)).toEqual([mine]);
    expect(await ids(s2)).toEqual([theirs]);
    expect((await ids(pres)).sort()).toEqual(sorted(mine, theirs));
    const refused = await call(w, 'risk.watchList', {}, teller);
    expect(refused.ok).toBe(false);

    // manager1 cannot follow up manager2's customer (not found), nor name someone else owner
    const other1 = await call(
      w,
      'risk.followUp',
      { customerId: theirs, status: 'following', ownerStaffId: m1, note: null, dueOn: null },
      s1,
    );
    expect(other1.ok ? null : other1.error.code).toBe('NOT_FOUND');
    const notSelf = await call(
      w,
      'risk.followUp',
      { customerId: mine, status: 'following', ownerStaffId: m2, note: null, dueOn: null },
      s1,
    );
    expect(notSelf.ok ? null : notSelf.error.code).toBe('FORBIDDEN');
    const badDate = await call(
      w,
      'risk.followUp',
      { customerId: mine, status: 'following', ownerStaffId: m1, note: null, dueOn: '2026-13-45x' },
      s1,
    );
    expect(badDate.ok ? null : badDate.error.code).toBe('VALIDATION');
    expect(w.db.prepare('SELECT COUNT(*) AS n FROM risk_watch').get()).toEqual({ n: 0 });

    const fu = await ok(
      w,
      'risk.followUp',
      {
        customerId: mine,
        status: 'following',
        ownerStaffId: m1,
        note: '已电话联系，客户称资金周转',
        dueOn: '2026-11-10',
      },
      s1,
    );
    expect(fu).toMatchObject({ status: 'following', ownerStaffId: m1, dueOn: '2026-11-10' });
    const audit = w.db
      .prepare(`SELECT target_id AS t, details FROM audit_log WHERE action = 'risk.followUp' AND outcome = 'ok'`)
      .all() as { t: string; details: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.t).toBe(String(mine));
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ state: 'following', toStaffId: m1 });
    const listed = (await ok(w, 'risk.watchList', { status: 'following' }, pres)).rows;
    expect(listed.map((r) => r.customerId)).toEqual([mine]);
    expect(listed[0]!.followUp?.note).toBe('已电话联系，客户称资金周转');
    // the president may name a manager of the branch as owner
    await ok(
      w,
      'risk.followUp',
      { customerId: theirs, status: 'open', ownerStaffId: m2, note: null, dueOn: null },
      pres,
    );
    expect((await ok(w, 'risk.owners', {}, pres)).map((o) => o.id).sort()).toEqual(sorted(m1, m2));
  });

  it('a new signal reminds the manager of record once, with a key every PC makes alike', () => {
    const m1 = w.ids.staff.manager1;
    const c = f.customer({ manager: m1 });
    loan(c, { principal: 100_000, balance: 90_000, overdue: 30 });
    // the journal's last day, as the import's summaries keep it: the book's date
    w.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id = ?').run('2026-11-01', c);
    runRisk(w.db, { today: TODAY, settings: S });
    const first = generateReminders(w.db, { today: TODAY, reason: 'test' });
    expect(first.byKind.risk_signal).toBe(1);
    const rem = w.db
      .prepare(
        `SELECT r.customer_id AS c, r.due_on AS d, r.params AS p, u.username AS u FROM reminders r JOIN users u ON u.id = r.user_id WHERE r.kind = 'risk_signal'`,
      )
      .all() as { c: number; d: string; p: string; u: string }[];
    // dated by the data: the day the overdue began (the book's date less 30 days)
    expect(rem).toEqual([{ c, d: '2026-10-02', p: JSON.stringify({ signal: 'overdue' }), u: 'manager1' }]);
    // a start-up run the next day, no new extract: the same key, nothing new
    runRisk(w.db, { today: '2026-11-03', settings: S });
    expect(generateReminders(w.db, { today: '2026-11-03', reason: 'test' }).byKind.risk_signal).toBeUndefined();
  });
});

/**
 * One branch's extracts, as an import leaves them: loans with their days overdue as of the extract's date,
 * the journal (customers.last_txn_on is what the import's summaries keep), month ends. `shift` days later
 * the extract says the overdue is `shift` days older and the journal `shift` days longer.
 */
function branchExtracts(world: World, g: ReturnType<typeof factory>, shift = 0) {
  const m1 = world.ids.staff.manager1;
  const journalEnd = addDays('2026-11-01', shift);
  const late = g.customer({ manager: m1 });
  world.db
    .prepare(
      `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on,
         repayment_method, overdue_days, classification, status) VALUES ('LN-1', 'CT-1', ?, ?, ?, 10000000, 9000000, 40000, '2024-01-01', '2029-01-01', 'interest_only', ?, 'normal', 'active')`,
    )
    .run(late, g.p.loan, world.ids.branch, 30 + shift);
  const drained = g.customer({ manager: m1 });
  world.db.prepare('UPDATE customers SET aum_fen = 5000000 WHERE id = ?').run(drained);
  const a = g.account(drained);
  g.txn(drained, a, '2026-10-20', 150_000, 'transfer_out', 'D');
  g.txn(drained, a, '2026-10-28', 150_000, 'transfer_out', 'D');
  const quiet = g.customer({ manager: m1 });
  const q = g.account(quiet);
  for (let i = 0; i < 20; i++) g.txn(quiet, q, `2026-0${1 + (i % 3)}-1${i % 9}`, 500);
  world.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id = ?').run('2026-04-01', quiet);
  world.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id IN (?, ?)').run(journalEnd, late, drained);
  return { late, drained, quiet };
}

/** Each reminder's natural key as the hub sync makes it (db/sync/reminders.ts). */
function naturalKeys(db: World['db']): string[] {
  const rows = db
    .prepare(
      `SELECT r.id, u.username, r.kind, c.customer_no AS customerNo, r.due_on AS dueOn, r.params, r.source_type AS sourceType,
              r.source_id AS sourceId, r.status, r.snoozed_until AS snoozedUntil, r.closed_at AS closedAt
       FROM reminders r JOIN users u ON u.id = r.user_id LEFT JOIN customers c ON c.id = r.customer_id
       WHERE r.kind = 'risk_signal'`,
    )
    .all() as Parameters<typeof reminderKey>[1][];
  return rows.map((f) => reminderKey(db, f) ?? 'none').sort();
}

describe('risk reminders are named by the data, not by the day a PC imported', () => {
  it('two stores importing the same extracts on different days make the same reminder keys', async () => {
    const other = await makeWorld();
    try {
      const here = branchExtracts(w, f);
      branchExtracts(other, factory(other.db, other.ids.branch));
      // this PC imports the extracts the day they come; the other one three days later
      runRisk(w.db, { today: TODAY, settings: S });
      generateReminders(w.db, { today: TODAY, reason: 'import' });
      runRisk(other.db, { today: '2026-11-05', settings: S });
      generateReminders(other.db, { today: '2026-11-05', reason: 'import' });
      const keys = naturalKeys(w.db);
      expect(keys).toHaveLength(3);
      expect(keys).not.toContain('none');
      expect(naturalKeys(other.db)).toEqual(keys);
      // the first-seen dates differ (each store's own), the reminders' dates are the data's
      const seen = (db: World['db']) =>
        (db.prepare('SELECT DISTINCT first_seen AS d FROM customer_risk_signals').all() as { d: string }[]).map(
          (r) => r.d,
        );
      expect(seen(w.db)).toEqual([TODAY]);
      expect(seen(other.db)).toEqual(['2026-11-05']);
      const due = (id: number) =>
        (
          w.db.prepare(`SELECT due_on AS d FROM reminders WHERE kind = 'risk_signal' AND customer_id = ?`).get(id) as {
            d: string;
          }
        ).d;
      expect(due(here.late)).toBe('2026-10-02'); // journal end 11-01 less 30 days overdue
      expect(due(here.drained)).toBe('2026-10-28'); // the last large debit
      expect(due(here.quiet)).toBe('2026-04-01'); // the last transaction before the quiet
    } finally {
      await other.close();
    }
  });

  it('the next day’s extract (one day more overdue, the journal a day on) reminds nobody again', () => {
    const here = branchExtracts(w, f);
    runRisk(w.db, { today: TODAY, settings: S });
    generateReminders(w.db, { today: TODAY, reason: 'import' });
    const keys = naturalKeys(w.db);
    w.db.prepare('UPDATE loans SET overdue_days = overdue_days + 1 WHERE customer_id = ?').run(here.late);
    w.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id IN (?, ?)').run('2026-11-02', here.late, here.drained);
    runRisk(w.db, { today: '2026-11-03', settings: S });
    expect(generateReminders(w.db, { today: '2026-11-03', reason: 'import' }).byKind.risk_signal).toBeUndefined();
    expect(naturalKeys(w.db)).toEqual(keys);
  });

  it('a handled reminder dated half a year back stays while its signal stands (a prune would bring it back)', () => {
    const here = branchExtracts(w, f);
    runRisk(w.db, { today: TODAY, settings: S });
    generateReminders(w.db, { today: TODAY, reason: 'import' });
    w.db
      .prepare(
        `UPDATE reminders SET status = 'dismissed', closed_at = ? WHERE kind = 'risk_signal' AND customer_id = ?`,
      )
      .run('2026-11-02T03:00:00Z', here.quiet);
    // start-up the next day: prune, then generate again (the signal is still new to this store)
    generateReminders(w.db, { today: '2026-11-03', reason: 'startup' });
    const quietRows = w.db
      .prepare(`SELECT status FROM reminders WHERE kind = 'risk_signal' AND customer_id = ?`)
      .all(here.quiet);
    expect(quietRows).toEqual([{ status: 'dismissed' }]);
    // the signal gone (a transaction), the handled reminder older than the keep period goes at the next prune
    w.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id = ?').run('2026-11-02', here.quiet);
    runRisk(w.db, { today: '2026-11-03', settings: S });
    generateReminders(w.db, { today: '2026-11-03', reason: 'startup' });
    expect(
      w.db.prepare(`SELECT status FROM reminders WHERE kind = 'risk_signal' AND customer_id = ?`).all(here.quiet),
    ).toEqual([]);
  });
});
