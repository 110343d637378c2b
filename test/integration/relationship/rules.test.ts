import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  birthdayWindow,
  lastTwoMonthEnds,
  loadedMonthEnds,
  previewRule,
  runRules,
} from '../../../db/relationship/rules';
import { runAfterImport } from '../../../main/jobs/after-import';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { factory, oppsOf } from './fixtures';

/** The opportunity-event rules (商机事件) on hand-built data: who is hit, who is not, and never twice. */
let w: World;
let f: ReturnType<typeof factory>;
const TODAY = '2026-11-02';
/** Force: evaluate even when a month-based rule's window is unchanged (these tests are about the dedupe keys). */
const F = { force: true };

beforeEach(async () => {
  w = await makeWorld();
  f = factory(w.db, w.ids.branch);
});
afterEach(async () => {
  await w.close();
});

const count = (sql: string, ...p: unknown[]) => (w.db.prepare(sql).get(...p) as { n: number }).n;

describe('month ends and birthday windows', () => {
  it('takes the latest month end on or before today and the one before it', () => {
    expect(lastTwoMonthEnds('2026-11-02')).toEqual(['2026-09-30', '2026-10-31']);
    expect(lastTwoMonthEnds('2026-10-31')).toEqual(['2026-09-30', '2026-10-31']);
    expect(lastTwoMonthEnds('2024-03-15')).toEqual(['2024-01-31', '2024-02-29']);
    expect(lastTwoMonthEnds('2026-01-01')).toEqual(['2026-11-30', '2026-12-31'].map((d) => d.replace('2026', '2025')));
  });
  it('covers the year end and keeps 29 February on the 28th in common years', () => {
    const win = birthdayWindow('2026-12-28', 7);
    expect(win['01-02']).toBe('2027-01-02');
    expect(win['12-28']).toBe('2026-12-28');
    expect(win['01-05']).toBeUndefined();
    expect(birthdayWindow('2027-02-25', 5)['02-29']).toBe('2027-02-28');
    expect(birthdayWindow('2028-02-25', 5)['02-29']).toBe('2028-02-29');
  });
});

describe('large inflow with no wealth product (大额资金流入)', () => {
  it('hits one large credit in the window without an active wealth holding; owner is the manager of record or the branch queue', async () => {
    const m1 = w.ids.staff.manager1;
    const hit = f.customer({ manager: m1 });
    const hasWealth = f.customer({ manager: m1 });
    const small = f.customer({ manager: m1 });
    const old = f.customer({ manager: m1 });
    const queue = f.customer({ manager: null });
    const debit = f.customer({ manager: m1 });
    for (const c of [hit, hasWealth, small, old, queue, debit]) f.account(c);
    const a = (c: number) =>
      (w.db.prepare('SELECT id FROM accounts WHERE customer_id = ?').get(c) as { id: number }).id;
    f.txn(hit, a(hit), '2026-10-28', 600_000);
    f.txn(hasWealth, a(hasWealth), '2026-10-28', 900_000);
    f.wealth(hasWealth, '2025-05-01');
    f.txn(small, a(small), '2026-10-28', 499_999.99);
    f.txn(old, a(old), '2026-10-02 09:59:59', 800_000); // 31 days before today: outside the 30-day window
    f.txn(queue, a(queue), '2026-10-03', 700_000); // exactly 30 days back: inside
    f.txn(debit, a(debit), '2026-10-28', 900_000, 'transfer_out', 'D');

    expect(previewRule(w.db, 'large_inflow', {}, TODAY)).toEqual({
      code: 'large_inflow',
      customers: 2,
      wouldCreate: 2,
    });
    expect(previewRule(w.db, 'large_inflow', { minYuan: 650_000 }, TODAY).customers).toBe(1);
    runRules(w.db, TODAY, ['large_inflow'], F);
    const opps = oppsOf(w.db, 'large_inflow');
    expect(opps.map((o) => o.customerId)).toEqual([hit, queue]);
    expect(opps[0]).toMatchObject({ owner: m1, amountFen: 60_000_000, dueOn: '2026-11-16' });
    expect(opps[1]!.owner).toBeNull();
    // Re-running creates nothing; a later second credit of the same customer is not a new event while the first is open.
    f.txn(hit, a(hit), '2026-11-01', 700_000);
    expect(runRules(w.db, TODAY, ['large_inflow'], F)).toEqual([{ code: 'large_inflow', created: 0 }]);
    expect(previewRule(w.db, 'large_inflow', {}, TODAY)).toEqual({
      code: 'large_inflow',
      customers: 2,
      wouldCreate: 0,
    });
    // Closed (lost): the same inflow is still the same event and is not raised again.
    w.db.prepare(`UPDATE opportunities SET stage = 'lost' WHERE customer_id = ?`).run(hit);
    expect(runRules(w.db, TODAY, ['large_inflow'], F)[0]!.created).toBe(0);
    // Once the first credit leaves the window, the second one is a new event.
    expect(runRules(w.db, '2026-11-28', ['large_inflow'], F)[0]!.created).toBe(1);
    expect(count('SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ?', hit)).toBe(2);
  });
});

describe('term deposit maturing (定期到期)', () => {
  it('hits active deposits maturing from today to today + N days, due on the maturity date', () => {
    const a = f.customer({ manager: w.ids.staff.manager1 });
    const b = f.customer({ manager: w.ids.staff.manager2 });
    const c = f.customer({ manager: w.ids.staff.manager2 });
    const d = f.customer({ manager: w.ids.staff.manager2 });
    f.term(a, '2026-11-12', 100_000);
    f.term(a, '2026-11-20', 50_000); // the earlier one is the event
    f.term(b, '2026-12-02', 80_000); // today + 30: inside
    f.term(c, '2026-12-03', 80_000); // today + 31: outside
    f.term(d, '2026-11-10', 80_000, 'withdrawn');
    runRules(w.db, TODAY, ['term_maturing'], F);
    const opps = oppsOf(w.db, 'term_maturing');
    expect(opps.map((o) => [o.customerId, o.dueOn, o.amountFen])).toEqual([
      [a, '2026-11-12', 10_000_000],
      [b, '2026-12-02', 8_000_000],
    ]);
    expect(runRules(w.db, TODAY, ['term_maturing'], F)[0]!.created).toBe(0);
  });
});

describe('loan just paid off (贷款结清)', () => {
  it('hits loans paid off within N days for customers with no other running loan', () => {
    const a = f.customer({ manager: w.ids.staff.manager1 });
    const b = f.customer({ manager: w.ids.staff.manager1 });
    const c = f.customer({ manager: w.ids.staff.manager1 });
    const d = f.customer({ manager: w.ids.staff.manager1 });
    f.loan(a, 'paid_off', '2026-10-20', 300_000);
    f.loan(b, 'paid_off', '2026-09-30'); // 33 days ago
    f.loan(c, 'paid_off', '2026-10-30');
    f.loan(c, 'active', null); // still borrowing
    f.loan(d, 'paid_off', '2026-10-03'); // exactly 30 days ago: inside
    expect(previewRule(w.db, 'loan_paid_off', {}, TODAY).customers).toBe(2);
    runRules(w.db, TODAY, ['loan_paid_off'], F);
    expect(oppsOf(w.db, 'loan_paid_off').map((o) => o.customerId)).toEqual([a, d]);
    expect(oppsOf(w.db, 'loan_paid_off')[0]!.amountFen).toBe(30_000_000);
    expect(runRules(w.db, TODAY, ['loan_paid_off'], F)[0]!.created).toBe(0);
  });
});

describe('salary-like monthly inflow with no card (代发工资未办卡)', () => {
  it('needs salary credits in each of the last three full months (month ends inclusive) and no card', () => {
    const mk = () => {
      const c = f.customer({ manager: w.ids.staff.manager2 });
      return { c, a: f.account(c) };
    };
    const full = mk(); // Aug, Sep, Oct: hit
    f.txn(full.c, full.a, '2026-08-01 00:00:00', 8000, 'salary');
    f.txn(full.c, full.a, '2026-09-15', 8000, 'salary');
    f.txn(full.c, full.a, '2026-10-31 23:59:59', 8000, 'salary');
    const withCard = mk();
    f.account(withCard.c, 'card');
    for (const m of ['08', '09', '10']) f.txn(withCard.c, withCard.a, `2026-${m}-10`, 9000, 'salary');
    const gap = mk(); // Aug and Oct only
    for (const m of ['08', '10']) f.txn(gap.c, gap.a, `2026-${m}-10`, 9000, 'salary');
    const late = mk(); // Jul 31 is before the window; Nov is the current month, not counted
    f.txn(late.c, late.a, '2026-07-31 23:59:59', 9000, 'salary');
    f.txn(late.c, late.a, '2026-09-10', 9000, 'salary');
    f.txn(late.c, late.a, '2026-10-10', 9000, 'salary');
    f.txn(late.c, late.a, '2026-11-01', 9000, 'salary');
    const notSalary = mk();
    for (const m of ['08', '09', '10']) f.txn(notSalary.c, notSalary.a, `2026-${m}-10`, 9000, 'transfer_in');
    const closedCard = mk(); // a closed card does not count as having one
    f.account(closedCard.c, 'card', 'closed');
    for (const m of ['08', '09', '10']) f.txn(closedCard.c, closedCard.a, `2026-${m}-05`, 7000, 'salary');

    runRules(w.db, TODAY, ['salary_no_card'], F);
    expect(oppsOf(w.db, 'salary_no_card').map((o) => o.customerId)).toEqual([full.c, closedCard.c]);
    expect(oppsOf(w.db, 'salary_no_card')[0]!.key).toBe(`salary_no_card:${full.c}:2026`);
    expect(previewRule(w.db, 'salary_no_card', { minMonths: 2 }, TODAY).customers).toBe(4);
    // A journal loaded only to 31 October, looked at on 2 December, still uses August to October.
    w.db.prepare(`UPDATE customers SET last_txn_on = '2026-10-31'`).run();
    expect(previewRule(w.db, 'salary_no_card', {}, '2026-12-02').customers).toBe(2);
    w.db.prepare(`UPDATE customers SET last_txn_on = NULL`).run();
    // Next month, same year, the declined offer is not repeated.
    w.db.prepare(`UPDATE opportunities SET stage = 'lost'`).run();
    f.txn(full.c, full.a, '2026-11-15', 8000, 'salary');
    runRules(w.db, '2026-12-02', ['salary_no_card'], F);
    expect(count('SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ?', full.c)).toBe(1);
    // Sep, Oct, Nov are the last three full months on 2 December: the late starter now qualifies.
    expect(oppsOf(w.db, 'salary_no_card').map((o) => o.customerId)).toContain(late.c);
  });
});

describe('sharp AUM drop (资产流失预警)', () => {
  it('compares the balances at the last two month ends', () => {
    const mk = (before: number | null, after: number | null, extra?: (c: number) => void) => {
      const c = f.customer({ manager: w.ids.staff.manager1 });
      const a = f.account(c);
      if (before !== null) f.balance(a, '2026-09-30', before);
      if (after !== null) f.balance(a, '2026-10-31', after);
      extra?.(c);
      return c;
    };
    const drop40 = mk(100_000, 60_000);
    mk(100_000, 75_000); // 25%
    mk(100_000, 50_000, (c) => f.wealth(c, '2026-10-15')); // moved into a wealth product here
    mk(10_000, 1_000); // too small to matter
    const closed = mk(200_000, null, (c) =>
      w.db.prepare(`UPDATE accounts SET status = 'closed', closed_on = '2026-10-20' WHERE customer_id = ?`).run(c),
    ); // account closed in October
    mk(200_000, null); // still open, its month-end row just not delivered: not a drop
    mk(100_000, 100_000, (c) => {
      // a mid-month dip is not a month end
      const a = (w.db.prepare('SELECT id FROM accounts WHERE customer_id = ?').get(c) as { id: number }).id;
      f.balance(a, '2026-10-15', 1);
    });
    const twoAccts = mk(80_000, 20_000, (c) => {
      const a2 = f.account(c);
      f.balance(a2, '2026-10-31', 40_000); // opened during October: 80,000 -> 60,000 is 25%
    });
    const exactly30 = mk(100_000, 70_000); // 30% is not more than 30%
    runRules(w.db, TODAY, ['aum_drop'], F);
    const opps = oppsOf(w.db, 'aum_drop');
    expect(opps.map((o) => o.customerId)).toEqual([drop40, closed]);
    expect(opps[0]).toMatchObject({ amountFen: 4_000_000, key: `aum_drop:${drop40}:2026-10-31` });
    expect(opps.map((o) => o.customerId)).not.toContain(twoAccts);
    expect(opps.map((o) => o.customerId)).not.toContain(exactly30);
    expect(previewRule(w.db, 'aum_drop', { dropPercent: 20 }, TODAY).customers).toBe(5); // + 25%, 30% and the two-account customer
    // On the month end itself the same two dates are compared; nothing new.
    expect(runRules(w.db, '2026-10-31', ['aum_drop'], F)[0]!.created).toBe(0);
    // Unforced (after an import), the same window and parameters are not evaluated again; new parameters are.
    expect(runRules(w.db, '2026-10-31', ['aum_drop'])).toEqual([{ code: 'aum_drop', created: 0, skipped: true }]);
    w.db
      .prepare(
        `INSERT INTO opportunity_rules (code, params) VALUES ('aum_drop', '{"dropPercent":20}') ON CONFLICT(code) DO UPDATE SET params = excluded.params`,
      )
      .run();
    expect(runRules(w.db, '2026-10-31', ['aum_drop'])[0]).toEqual({ code: 'aum_drop', created: 3 });
    // In December, before November's balances arrive, the loaded month ends are still compared (no false alarm on missing data).
    expect(loadedMonthEnds(w.db, '2026-12-02')).toEqual(['2026-09-30', '2026-10-31']);
    expect(runRules(w.db, '2026-12-02', ['aum_drop'], F)[0]!.created).toBe(0);
    const acct = (w.db.prepare('SELECT id FROM accounts WHERE customer_id = ?').get(drop40) as { id: number }).id;
    f.balance(acct, '2026-11-30', 10_000);
    expect(loadedMonthEnds(w.db, '2026-12-02')).toEqual(['2026-10-31', '2026-11-30']);
  });
});

describe('birthday of a gold customer (金卡客户生日)', () => {
  it('hits gold individuals with a birthday in the next N days, across the year end', () => {
    const soon = f.customer({ tier: 'gold', birth: '1980-11-05', manager: w.ids.staff.manager1 });
    f.customer({ tier: 'gold', birth: '1980-11-20' });
    f.customer({ tier: 'ordinary', birth: '1980-11-03' });
    const today = f.customer({ tier: 'gold', birth: '1990-11-02' });
    const newYear = f.customer({ tier: 'gold', birth: '1975-01-02' });
    const leap = f.customer({ tier: 'gold', birth: '1996-02-29' });
    runRules(w.db, TODAY, ['gold_birthday'], F);
    expect(oppsOf(w.db, 'gold_birthday').map((o) => [o.customerId, o.dueOn])).toEqual([
      [soon, '2026-11-05'],
      [today, '2026-11-02'],
    ]);
    runRules(w.db, '2026-12-28', ['gold_birthday'], F);
    expect(oppsOf(w.db, 'gold_birthday').find((o) => o.customerId === newYear)?.dueOn).toBe('2027-01-02');
    runRules(w.db, '2027-02-25', ['gold_birthday'], F);
    expect(oppsOf(w.db, 'gold_birthday').find((o) => o.customerId === leap)?.dueOn).toBe('2027-02-28');
    // Next year the birthday is a new event (once last year's is closed).
    w.db.prepare(`UPDATE opportunities SET stage = 'won' WHERE customer_id = ?`).run(soon);
    runRules(w.db, '2027-11-01', ['gold_birthday'], F);
    expect(
      oppsOf(w.db, 'gold_birthday')
        .filter((o) => o.customerId === soon)
        .map((o) => o.dueOn),
    ).toEqual(['2026-11-05', '2027-11-05']);
  });
});

describe('the after-import step and the administrator', () => {
  it('runs all rules after an import, never twice, with one history entry per opportunity; closed customers are left out', async () => {
    const a = f.customer({ manager: w.ids.staff.manager1 });
    f.term(a, '2026-11-10', 10_000);
    const gone = f.customer({ manager: w.ids.staff.manager1, status: 'closed' });
    f.term(gone, '2026-11-10', 10_000);
    const g = f.customer({ tier: 'gold', birth: '1970-11-04' });
    const ctx = { today: TODAY, reason: 'import' as const, jobId: 1 };
    const first = runAfterImport(w.db, ctx);
    expect(first.find((r) => r.name === 'opportunity-rules')?.ok).toBe(true);
    const n = count('SELECT COUNT(*) AS n FROM opportunities');
    expect(n).toBe(2);
    runAfterImport(w.db, ctx);
    runAfterImport(w.db, { ...ctx, reason: 'startup' });
    expect(count('SELECT COUNT(*) AS n FROM opportunities')).toBe(n);
    expect(
      count(`SELECT COUNT(*) AS n FROM opportunity_history WHERE from_stage IS NULL AND to_stage = 'identified'`),
    ).toBe(n);
    expect(count('SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ?', gone)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ? AND source = 'rule'`, g)).toBe(1);
  });

  it('lets the administrator preview, change and switch off rules; bad parameters are refused', async () => {
    const c = f.customer({ manager: w.ids.staff.manager1 });
    f.term(c, '2026-11-25', 10_000);
    const admin = await signIn(w, 'admin');
    const rules = await ok(w, 'rules.list', {}, admin);
    expect(rules.map((r) => r.code)).toEqual([
      'large_inflow',
      'term_maturing',
      'loan_paid_off',
      'salary_no_card',
      'aum_drop',
      'gold_birthday',
    ]);
    expect(rules.find((r) => r.code === 'term_maturing')!.params).toEqual({ days: 30 });
    expect(await ok(w, 'rules.preview', { code: 'term_maturing', params: { days: 10 } }, admin)).toEqual({
      code: 'term_maturing',
      customers: 0,
      wouldCreate: 0,
    });
    expect(await ok(w, 'rules.preview', { code: 'term_maturing', params: { days: 30 } }, admin)).toEqual({
      code: 'term_maturing',
      customers: 1,
      wouldCreate: 1,
    });
    const bad = await call(w, 'rules.save', { code: 'large_inflow', enabled: true, params: { minYuan: 1000 } }, admin);
    expect(bad).toMatchObject({ ok: false, error: { code: 'RULE_PARAM', details: { field: 'minYuan', min: 50_000 } } });
    const unknown = await call(w, 'rules.preview', { code: 'term_maturing', params: { nonsense: 3 } }, admin);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await ok(w, 'rules.save', { code: 'term_maturing', enabled: false, params: { days: 45 } }, admin);
    const run = await ok(w, 'rules.run', {}, admin);
    expect(run.map((r) => r.code)).not.toContain('term_maturing');
    expect(count('SELECT COUNT(*) AS n FROM opportunities')).toBe(0);
    const saved = await ok(w, 'rules.save', { code: 'term_maturing', enabled: true, params: { days: 45 } }, admin);
    expect(saved).toMatchObject({ enabled: true, params: { days: 45 } });
    expect((await ok(w, 'rules.run', {}, admin)).find((r) => r.code === 'term_maturing')!.created).toBe(1);
    expect(count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'rules.save'`)).toBe(2);
    // Managers and the president cannot change rules.
    const m = await signIn(w, 'manager1');
    expect(await call(w, 'rules.save', { code: 'term_maturing', enabled: false, params: {} }, m)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
