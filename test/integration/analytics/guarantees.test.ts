import { describe, expect, it } from 'vitest';
import type { RiskSignal } from '../../../shared/analytics';
import { guaranteesOf } from '../../../db/analytics/guarantees';
import { findSignals, runRisk } from '../../../db/analytics/risk';
import { scopeFor } from '../../../db/scope';
import { capturePlans } from '../support/plans';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import { call, ok, signIn, type World } from '../support/store';
import { type Factory, freshBookEachTest, insertLoan, type LoanFixture } from './risk-book';
import { RISK_SETTINGS as S, RISK_TODAY as TODAY, signalsOf, sorted } from './risk-book';

/**
 * 担保关系 (issue 20.5): the two guarantee signals on a hand-made book (hits and near misses), what they add
 * to the rating, their reminders, the 360's guarantees both ways in the caller's scope (masked outside it),
 * and the utilisation signal's history from the balance extract's loan accounts on a fresh store.
 */
let w: World;
let f: Factory;
freshBookEachTest((book) => {
  ({ w, f } = book);
});

const loan = (cid: number, o: LoanFixture) => insertLoan(w, f, cid, o);
const of = signalsOf;
const factsOf = (found: ReturnType<typeof findSignals>, signal: string, id: number) =>
  found.find((x) => x.signal === signal && x.customerId === id)?.facts;

describe('guarantee signals', () => {
  it('担保代偿风险: the guarantor of an overdue or downgraded active loan, exactly', () => {
    const g1 = f.customer(); // guarantees two bad loans and a good one
    const g2 = f.customer(); // guarantees a good loan only
    const g3 = f.customer(); // guarantees a loan overdue below the threshold
    const g4 = f.customer(); // guarantees a paid-off loan that was overdue
    const g5 = f.customer({ status: 'closed' }); // closed guarantor
    const gc = f.customer(); // guarantees a loan only classified below normal
    const [b1, b2, b3, b4, b5, b6, b7, b8] = Array.from({ length: 8 }, () => f.customer());
    loan(b1!, { principal: 500_000, balance: 400_000, overdue: 35, guarantor: g1 });
    loan(b2!, { principal: 1_000_000, balance: 800_000, overdue: 10, cls: 'substandard', guarantor: g1 });
    loan(b3!, { principal: 100_000, balance: 50_000, guarantor: g1 });
    loan(b4!, { principal: 100_000, balance: 50_000, guarantor: g2 });
    loan(b5!, { principal: 100_000, balance: 50_000, overdue: 4, guarantor: g3 });
    loan(b6!, { principal: 100_000, balance: 0, overdue: 60, status: 'paid_off', guarantor: g4 });
    loan(b7!, { principal: 100_000, balance: 90_000, overdue: 30, guarantor: g5 });
    loan(b8!, { principal: 200_000, balance: 150_000, cls: 'special_mention', guarantor: gc });
    const found = findSignals(w.db, { ...S, riskOverdueDays: 5 }, TODAY);
    expect(of(found, 'guaranteeCall')).toEqual(sorted(g1, gc));
    expect(factsOf(found, 'guaranteeCall', g1)).toMatchObject({
      loans: 2,
      borrowers: 2,
      balanceFen: 120_000_000,
      days: 35,
      worst: 2,
    });
    expect(factsOf(found, 'guaranteeCall', gc)).toMatchObject({ loans: 1, days: 0, worst: 1 });
    // the borrowers carry their own overdue signal, not the guarantee one
    expect(of(found, 'overdue')).toEqual(sorted(b1!, b2!, b7!, b8!));
    // a lower threshold reaches g3
    expect(of(findSignals(w.db, { ...S, riskOverdueDays: 4 }, TODAY), 'guaranteeCall')).toEqual(sorted(g1, g3, gc));
  });

  it('保证人风险: a borrower whose guarantor is overdue or rated on their own signals; no chains, no echo', () => {
    const overdueG = f.customer(); // overdue on their own loan
    const drainedG = f.customer(); // a large outflow: 30 points ≥ the watch line (20)
    const quietG = f.customer(); // fine
    const callG = f.customer(); // guarantees a bad loan: rated on that alone, not "weak" for it
    const [b1, b2, b3, b4, b5, b6] = Array.from({ length: 6 }, () => f.customer());
    loan(overdueG, { principal: 100_000, balance: 90_000, overdue: 20 });
    loan(b1!, { principal: 300_000, balance: 200_000, guarantor: overdueG });
    loan(b1!, { principal: 100_000, balance: 80_000, guarantor: overdueG });
    w.db.prepare('UPDATE customers SET aum_fen = 100000 WHERE id = ?').run(drainedG);
    f.txn(drainedG, f.account(drainedG), '2026-10-25', 300_000, 'transfer_out', 'D');
    loan(b2!, { principal: 300_000, balance: 200_000, guarantor: drainedG });
    loan(b3!, { principal: 300_000, balance: 200_000, guarantor: quietG });
    // b4 is overdue and callG guarantees it: callG has guaranteeCall, b4 must not get weakGuarantor for it
    loan(b4!, { principal: 300_000, balance: 200_000, overdue: 40, guarantor: callG });
    // b5's guarantor is b6, whose only signal is weakGuarantor (guaranteed by overdueG): no chain to b5
    loan(b6!, { principal: 100_000, balance: 50_000, guarantor: overdueG });
    loan(b5!, { principal: 100_000, balance: 50_000, guarantor: b6 });
    const found = findSignals(w.db, S, TODAY);
    expect(of(found, 'guaranteeCall')).toEqual([callG]);
    expect(of(found, 'weakGuarantor')).toEqual(sorted(b1!, b2!, b6!));
    expect(factsOf(found, 'weakGuarantor', b1!)).toMatchObject({
      loans: 2,
      balanceFen: 28_000_000,
      guarantors: 1,
      overdueGuarantors: 1,
      level: 'warning', // overdue 50 points
    });
    expect(factsOf(found, 'weakGuarantor', b2!)).toMatchObject({ overdueGuarantors: 0, level: 'watch' });
    // the watch line raised above the outflow's points: drainedG is no longer "on the list"
    expect(of(findSignals(w.db, { ...S, riskLevelWatch: 31 }, TODAY), 'weakGuarantor')).toEqual(sorted(b1!, b6!));
  });

  it('both feed the bank-set rating, filter the watch-list and become reminders like the other signals', async () => {
    const m1 = w.ids.staff.manager1;
    const g = f.customer({ manager: m1 });
    const b = f.customer({ manager: m1 });
    const gOverdue = f.customer({ manager: m1 });
    const b2 = f.customer({ manager: m1 });
    loan(b, { principal: 100_000, balance: 90_000, overdue: 30, guarantor: g });
    loan(gOverdue, { principal: 100_000, balance: 90_000, overdue: 30 });
    loan(b2, { principal: 100_000, balance: 90_000, guarantor: gOverdue });
    w.db.prepare('UPDATE customers SET last_txn_on = ? WHERE id = ?').run('2026-11-01', b);
    runRisk(w.db, { today: TODAY, settings: S });
    const rated = (id: number) =>
      w.db.prepare('SELECT score, level FROM customer_risk WHERE customer_id = ?').get(id) as
        | { score: number; level: string }
        | undefined;
    expect(rated(g)).toEqual({ score: 30, level: 'watch' });
    expect(rated(b2)).toEqual({ score: 20, level: 'watch' });
    expect(rated(b)).toEqual({ score: 50, level: 'warning' }); // its own overdue only
    runRisk(w.db, {
      today: TODAY,
      settings: { ...S, riskWeightGuaranteeCall: 60, riskWeightWeakGuarantor: 0 },
    });
    expect(rated(g)).toEqual({ score: 60, level: 'warning' });
    expect(rated(b2)).toEqual({ score: 0, level: 'normal' }); // a weight of 0 rates nothing: off the list
    runRisk(w.db, { today: TODAY, settings: S });
    // the watch-list by signal: only those with it standing, in the caller's scope
    const pres = await signIn(w, 'president');
    const bySignal = async (signal: RiskSignal) =>
      (await ok(w, 'risk.watchList', { signal }, pres)).rows.map((r) => r.customerId);
    expect(await bySignal('guaranteeCall')).toEqual([g]);
    expect(await bySignal('weakGuarantor')).toEqual([b2]);
    expect((await bySignal('overdue')).sort((x, y) => x - y)).toEqual(sorted(b, gOverdue));
    const bad = await call(w, 'risk.watchList', { signal: 'guarantor' } as unknown as { signal: RiskSignal }, pres);
    expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
    const made = generateReminders(w.db, { today: TODAY, reason: 'test' });
    expect(made.byKind.risk_signal).toBe(4); // b overdue, gOverdue overdue, g guaranteeCall, b2 weakGuarantor
    const rem = w.db
      .prepare(
        `SELECT customer_id AS c, due_on AS d, json_extract(params, '$.signal') AS s FROM reminders WHERE kind = 'risk_signal' ORDER BY c, s`,
      )
      .all() as { c: number; d: string; s: string }[];
    expect(rem.filter((r) => r.c === g)).toEqual([{ c: g, d: '2026-10-02', s: 'guaranteeCall' }]);
    expect(rem.filter((r) => r.c === b2)).toEqual([{ c: b2, d: '2026-11-01', s: 'weakGuarantor' }]);
  });
});

describe('担保关系 in the 360', () => {
  it('lists guarantees both ways; a party outside the caller’s scope is masked and carries no id', async () => {
    const m1 = w.ids.staff.manager1;
    const m2 = w.ids.staff.manager2;
    const mine = f.customer({ manager: m1, name: '王小明' });
    const myBorrower = f.customer({ manager: m1, name: '李四' });
    const theirBorrower = f.customer({ manager: m2, branch: w.ids.outlet, name: '赵大海' });
    const theirGuarantor = f.customer({ manager: m2, branch: w.ids.outlet, name: '钱多多' });
    loan(myBorrower, { principal: 100_000, balance: 60_000, guarantor: mine });
    loan(theirBorrower, { principal: 300_000, balance: 250_000, overdue: 12, guarantor: mine });
    const own = loan(mine, { principal: 200_000, balance: 150_000, guarantor: theirGuarantor });
    loan(mine, { principal: 50_000, balance: 40_000 }); // no guarantor: not listed
    runRisk(w.db, { today: TODAY, settings: S });
    const s1 = await signIn(w, 'manager1');
    const g = await ok(w, 'risk.guarantees', { customerId: mine }, s1);
    expect(g.given).toHaveLength(2);
    // worst first: the overdue loan of manager2's customer, masked
    expect(g.given[0]).toMatchObject({
      balance: '250000.00',
      overdueDays: 12,
      party: { customerId: null, customerNo: null, name: '赵**', inScope: false, level: null },
    });
    expect(g.given[0]!.loanNo).toMatch(/^\*+\d{4}$/);
    expect(g.given[1]).toMatchObject({
      balance: '60000.00',
      party: { customerId: myBorrower, name: '李四', inScope: true },
    });
    expect(g.received).toHaveLength(1);
    expect(g.received[0]).toMatchObject({
      principal: '200000.00',
      party: { customerId: null, customerNo: null, name: '钱**', inScope: false },
    });
    expect(g.received[0]!.loanNo).toBe(
      (w.db.prepare('SELECT loan_no AS n FROM loans WHERE id = ?').get(own) as { n: string }).n,
    );
    // nothing identifying the out-of-scope parties crosses the boundary
    const text = JSON.stringify(g);
    const noOf = (id: number) =>
      (w.db.prepare('SELECT customer_no AS n FROM customers WHERE id = ?').get(id) as { n: string }).n;
    for (const hidden of ['赵大海', '钱多多', noOf(theirBorrower), noOf(theirGuarantor)])
      expect(text).not.toContain(hidden);
    // the president sees all four: names, ids, and the rated borrower's level
    const pres = await signIn(w, 'president');
    const gp = await ok(w, 'risk.guarantees', { customerId: mine }, pres);
    expect(gp.given.map((x) => x.party.customerId)).toEqual([theirBorrower, myBorrower]);
    expect(gp.given[0]!.party).toMatchObject({ name: '赵大海', inScope: true, level: 'warning' });
    expect(gp.received[0]!.party).toMatchObject({ customerId: theirGuarantor, name: '钱多多' });
    // manager2 cannot open manager1's customer's guarantees at all
    const s2 = await signIn(w, 'manager2');
    const refused = await call(w, 'risk.guarantees', { customerId: mine }, s2);
    expect(refused.ok ? null : refused.error.code).toBe('NOT_FOUND');
    // from manager2's side, manager1's customer is the masked guarantor
    const theirs = await ok(w, 'risk.guarantees', { customerId: theirBorrower }, s2);
    expect(theirs.given).toEqual([]);
    expect(theirs.received[0]!.party).toMatchObject({ customerId: null, name: '王**', inScope: false });
    // each side is one index range of the customer's own loans (given: the guarantor index of migration 0032)
    const scope = scopeFor(w.db, { role: 'manager', staffId: m1, branchId: w.ids.branch }, TODAY);
    const plans = capturePlans(w.db, /FROM loans l JOIN products p/, () => guaranteesOf(w.db, scope, mine));
    expect(plans.map((p) => p.top.split('\n')[0])).toEqual([
      expect.stringMatching(/^SEARCH l USING INDEX loans_guarantor \(guarantor_customer_id=\?/),
      expect.stringMatching(/^SEARCH l USING INDEX loans_customer \(customer_id=\?/),
    ]);
  });
});

describe('rising utilisation from the first import', () => {
  it('compares with the balance extract’s loan accounts when the store has no record of its own', () => {
    const rising = f.customer();
    const flat = f.customer();
    const noAccounts = f.customer();
    const newLoan = f.customer();
    for (const c of [rising, flat, noAccounts]) loan(c, { principal: 1_000_000, balance: 950_000 });
    // loan accounts as the balance extract carries them (the core writes the amount owed as negative)
    const ra = f.account(rising, 'loan');
    f.balance(ra, '2026-07-31', -700_000); // 70% then
    f.balance(ra, '2026-08-31', -720_000); // 72%: the latest on or before 60 days back (2026-09-03)
    f.balance(ra, '2026-09-30', -900_000); // too recent
    const fa = f.account(flat, 'loan');
    f.balance(fa, '2026-08-31', -930_000); // 93% → 95%: +2 only
    // a loan disbursed after the month end compared: its principal is not in the figure of then
    loan(newLoan, { principal: 400_000, balance: 380_000, disbursed: '2026-10-01' });
    loan(newLoan, { principal: 600_000, balance: 570_000, disbursed: '2023-01-01' });
    const na = f.account(newLoan, 'loan');
    f.balance(na, '2026-08-31', -300_000); // 300,000 of 600,000 = 50% then; 950,000 of 1,000,000 = 95% now
    const found = findSignals(w.db, S, TODAY);
    expect(of(found, 'utilisation')).toEqual(sorted(rising, newLoan));
    expect(factsOf(found, 'utilisation', rising)).toMatchObject({ pct: 95, beforePct: 72, since: '2026-08-31' });
    expect(factsOf(found, 'utilisation', newLoan)).toMatchObject({ pct: 95, beforePct: 50, since: '2026-08-31' });
    // the store's own record, when later than the extract's, is what it compares with
    w.db
      .prepare(
        'INSERT INTO loan_utilisation_history (customer_id, on_date, balance_fen, principal_fen) VALUES (?, ?, ?, ?)',
      )
      .run(rising, '2026-09-02', 90_000_000, 100_000_000);
    const again = findSignals(w.db, S, TODAY);
    expect(of(again, 'utilisation')).toEqual([newLoan]);
    // ... and an older record of its own gives way to the extract's later month end
    w.db.prepare('UPDATE loan_utilisation_history SET on_date = ? WHERE customer_id = ?').run('2026-06-30', rising);
    expect(factsOf(findSignals(w.db, S, TODAY), 'utilisation', rising)).toMatchObject({ since: '2026-08-31' });
    // a run leaves no temp tables behind
    runRisk(w.db, { today: TODAY, settings: S });
    expect(w.db.prepare(`SELECT name FROM temp.sqlite_master WHERE name LIKE 'risk_%'`).all()).toEqual([]);
  });
});
