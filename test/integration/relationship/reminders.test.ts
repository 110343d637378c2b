import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import {
  addReminder,
  countOpen,
  recipientById,
  recipientScope,
  resolveReminders,
} from '../../../db/relationship/reminders';
import { runAfterImport } from '../../../main/jobs/after-import';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/**
 * Reminder kinds on hand-built data around public holidays and month ends, idempotent generation,
 * scope, and the inbox (done, dismiss, snooze returning after its time on the test clock).
 */

let w: World;
let seq = 0;

function userId(username: string): number {
  return (w.db.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;
}

function product(category: string, name: string, launchedOn: string | null = null): number {
  return Number(
    w.db
      .prepare(`INSERT INTO products (code, name, category, launched_on) VALUES (?, ?, ?, ?)`)
      .run(`P${++seq}`, name, category, launchedOn).lastInsertRowid,
  );
}

function account(customerId: number, productId: number, kind: string, closedOn: string | null = null): number {
  return Number(
    w.db
      .prepare(
        `INSERT INTO accounts (account_no, customer_id, product_id, branch_id, kind, opened_on, closed_on, status) VALUES (?, ?, ?, ?, ?, '2020-01-01', ?, ?)`,
      )
      .run(
        `62220000${String(++seq).padStart(6, '0')}`,
        customerId,
        productId,
        w.ids.branch,
        kind,
        closedOn,
        closedOn ? 'closed' : 'active',
      ).lastInsertRowid,
  );
}

function termDeposit(customerId: number, maturityOn: string, principalFen = 10_000_000): number {
  const p = product('term', '整存整取一年');
  const a = account(customerId, p, 'term');
  return Number(
    w.db
      .prepare(
        `INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on) VALUES (?, ?, ?, ?, ?, 15000, 12, '2025-01-01', ?)`,
      )
      .run(`TD${++seq}`, a, customerId, p, principalFen, maturityOn).lastInsertRowid,
  );
}

function txn(customerId: number, at: string, amountFen: number, direction: 'C' | 'D'): number {
  const p = product('demand', '活期储蓄');
  const a = account(customerId, p, 'demand');
  return Number(
    w.db
      .prepare(
        `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type) VALUES (?, ?, ?, ?, ?, ?, 'counter', 'transfer')`,
      )
      .run(`S${++seq}`, a, customerId, at, amountFen, direction).lastInsertRowid,
  );
}

function loan(customerId: number, disbursedOn: string, nextDueOn: string | null): number {
  const p = product('loan', '个人住房贷款');
  return Number(
    w.db
      .prepare(
        `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on, repayment_method, next_due_on, next_due_fen)
         VALUES (?, ?, ?, ?, ?, 100000000, 90000000, 39000, ?, '2046-01-01', 'equal_installment', ?, 500000)`,
      )
      .run(`L${++seq}`, `C${seq}`, customerId, p, w.ids.branch, disbursedOn, nextDueOn).lastInsertRowid,
  );
}

/** Only the given kinds on for a user (others off), with the given lead. */
function only(
  username: string,
  kinds: Record<string, { leadDays?: number; workingDays?: boolean; thresholdFen?: number | null }>,
): void {
  const uid = userId(username);
  w.db.prepare('DELETE FROM reminder_prefs WHERE user_id = ?').run(uid);
  const all = [
    'holiday',
    'birthday',
    'anniversary',
    'large_deposit',
    'large_withdrawal',
    'loan_disbursement',
    'loan_repayment',
    'term_maturity',
    'wealth_maturity',
    'product_launch',
    'tier_change',
    'account_closure',
    'work_item',
    'referral_sla',
  ];
  for (const k of all) {
    const o = kinds[k];
    w.db
      .prepare(
        'INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(uid, k, o ? 1 : 0, o?.leadDays ?? 7, o?.workingDays ? 1 : 0, o?.thresholdFen ?? null);
  }
}

function rows(username: string, kind?: string) {
  return w.db
    .prepare(
      `SELECT kind, customer_id AS customerId, due_on AS dueOn, act_by AS actBy, params, source_type AS sourceType, source_id AS sourceId, dedupe_key AS dedupeKey
       FROM reminders WHERE user_id = ? AND (? IS NULL OR kind = ?) ORDER BY id`,
    )
    .all(userId(username), kind ?? null, kind ?? null) as {
    kind: string;
    customerId: number | null;
    dueOn: string;
    actBy: string | null;
    params: string;
    sourceType: string;
    sourceId: string;
    dedupeKey: string;
  }[];
}

function gen(today: string) {
  return generateReminders(w.db, { today, reason: 'test' });
}

function setToday(isoDate: string, time = '10:00:00'): void {
  w.clock.set(new Date(`${isoDate}T${time}+08:00`));
}

beforeEach(async () => {
  w = await makeWorld();
  // the world starts with nobody opted in to anything but defaults; tests choose
  for (const u of ['president', 'manager1', 'manager2', 'teller', 'admin']) only(u, {});
});
afterEach(async () => {
  await w.close();
});

describe('generation per kind', () => {
  it('term-deposit maturity on National Day 2026: calendar lead misses it, a working-day lead reaches it, act-by is the last working day before', () => {
    const c = w.ids.customers.m1a;
    const td = termDeposit(c, '2026-10-03');
    // 3 calendar days from Monday 28 Sep reach 1 Oct only
    only('manager1', { term_maturity: { leadDays: 3 } });
    expect(gen('2026-09-28').created).toBe(0);
    // 3 working days from 28 Sep: 29, 30 Sep and 8 Oct (1-7 Oct is the holiday)
    only('manager1', { term_maturity: { leadDays: 3, workingDays: true } });
    expect(gen('2026-09-28').byKind.term_maturity).toBe(1);
    const [r] = rows('manager1', 'term_maturity');
    expect(r).toMatchObject({
      customerId: c,
      dueOn: '2026-10-03',
      actBy: '2026-09-30',
      sourceType: 'term_deposit',
      sourceId: String(td),
    });
    expect(JSON.parse(r!.params)).toMatchObject({
      amountFen: 10_000_000,
      holidayZh: '国庆节',
      holidayEn: 'National Day',
    });
    // 2 working days do not reach it (29, 30 Sep)
    only('manager1', { term_maturity: { leadDays: 2, workingDays: true } });
    w.db.prepare('DELETE FROM reminders').run();
    expect(gen('2026-09-28').created).toBe(0);
  });

  it('maturity on the 31st that is a Saturday: due the 31st, act by Friday 30th; windows cross month and year ends', () => {
    const a = termDeposit(w.ids.customers.m1a, '2026-10-31');
    only('manager1', { term_maturity: { leadDays: 7 }, wealth_maturity: { leadDays: 7 } });
    const p = product('wealth', '稳利理财90天');
    const h = Number(
      w.db
        .prepare(
          `INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, maturity_on) VALUES ('W1', ?, ?, 5000000, 5012345, '2026-10-01', '2026-12-31')`,
        )
        .run(w.ids.customers.m1b, p).lastInsertRowid,
    );
    expect(gen('2026-10-24').byKind).toEqual({ term_maturity: 1 });
    expect(rows('manager1', 'term_maturity')[0]).toMatchObject({
      dueOn: '2026-10-31',
      actBy: '2026-10-30',
      sourceId: String(a),
    });
    // 31 Dec 2026 is a Thursday (working day): no act-by; a window from 25 Dec runs into January
    expect(gen('2026-12-25').byKind).toEqual({ wealth_maturity: 1 });
    const wr = rows('manager1', 'wealth_maturity')[0]!;
    expect(wr).toMatchObject({ dueOn: '2026-12-31', actBy: null, sourceId: String(h) });
    expect(JSON.parse(wr.params)).toMatchObject({ amountFen: 5012345, product: '稳利理财90天' });
    // a matured or redeemed holding reminds no one
    w.db.prepare("UPDATE wealth_holdings SET status = 'redeemed', maturity_on = '2026-12-30'").run();
    expect(gen('2026-12-25').created).toBe(0);
  });

  it('birthday on 29 February: on 28 Feb in a common year, on 29 Feb in a leap year, never both', () => {
    const c = w.ids.customers.m1a;
    w.db.prepare(`UPDATE customers SET birth_date = '1992-02-29' WHERE id = ?`).run(c);
    w.db.prepare(`UPDATE customers SET birth_date = '1990-03-01' WHERE id = ?`).run(w.ids.customers.m1b);
    only('manager1', { birthday: { leadDays: 3 } });
    expect(gen('2027-02-25').byKind.birthday).toBe(1);
    expect(rows('manager1', 'birthday').map((r) => [r.customerId, r.dueOn])).toEqual([[c, '2027-02-28']]);
    expect(gen('2027-02-26').byKind.birthday).toBe(1); // now 1 March is within 3 days: the other customer
    expect(rows('manager1', 'birthday').map((r) => [r.customerId, r.dueOn])).toEqual([
      [c, '2027-02-28'],
      [w.ids.customers.m1b, '2027-03-01'],
    ]);
    // 2028 is a leap year: the 29th itself, and a window over 28 Feb to 1 Mar makes exactly one reminder for c
    w.db.prepare('DELETE FROM reminders').run();
    gen('2028-02-27');
    expect(
      rows('manager1', 'birthday')
        .filter((r) => r.customerId === c)
        .map((r) => r.dueOn),
    ).toEqual(['2028-02-29']);
  });

  it('account-opening anniversary: whole years only, with the number of years', () => {
    w.db.prepare(`UPDATE customers SET opened_on = '2016-11-05' WHERE id = ?`).run(w.ids.customers.m1a);
    w.db.prepare(`UPDATE customers SET opened_on = '2026-11-04' WHERE id = ?`).run(w.ids.customers.m1b); // opened this year
    only('manager1', { anniversary: { leadDays: 5 } });
    gen('2026-11-02');
    const r = rows('manager1', 'anniversary');
    expect(r.map((x) => [x.customerId, x.dueOn])).toEqual([[w.ids.customers.m1a, '2026-11-05']]);
    expect(JSON.parse(r[0]!.params)).toEqual({ years: 10 });
  });

  it('large deposits and withdrawals: by threshold, direction and look-back', () => {
    const c = w.ids.customers.m1a;
    const big = txn(c, '2026-11-01 09:30:00', 60_000_000, 'C'); // 600,000 yuan in
    txn(c, '2026-11-01 10:00:00', 40_000_000, 'C'); // 400,000: under the default 500,000
    const out = txn(c, '2026-10-31 15:00:00', 80_000_000, 'D'); // 800,000 out
    txn(c, '2026-10-20 15:00:00', 90_000_000, 'C'); // too long ago
    only('manager1', {
      large_deposit: { leadDays: 3, thresholdFen: 50_000_000 },
      large_withdrawal: { leadDays: 3, thresholdFen: 50_000_000 },
    });
    expect(gen('2026-11-02').byKind).toEqual({ large_deposit: 1, large_withdrawal: 1 });
    expect(rows('manager1', 'large_deposit')[0]).toMatchObject({ dueOn: '2026-11-01', sourceId: String(big) });
    expect(rows('manager1', 'large_withdrawal')[0]).toMatchObject({ dueOn: '2026-10-31', sourceId: String(out) });
    // a lower threshold picks up the 400,000 one, and only it
    only('manager1', { large_deposit: { leadDays: 3, thresholdFen: 30_000_000 } });
    expect(gen('2026-11-02').byKind).toEqual({ large_deposit: 1 });
    expect(rows('manager1', 'large_deposit').map((r) => JSON.parse(r.params).amountFen)).toEqual([
      60_000_000, 40_000_000,
    ]);
  });

  it('loan disbursement (recent) and repayment due (ahead), with a due date in the Spring Festival', () => {
    const c = w.ids.customers.m1b;
    const l1 = loan(c, '2026-02-10', '2026-02-18'); // 18 Feb 2026 is in the Spring Festival holiday
    loan(c, '2025-12-01', '2026-03-20');
    only('manager1', { loan_disbursement: { leadDays: 7 }, loan_repayment: { leadDays: 7 } });
    expect(gen('2026-02-12').byKind).toEqual({ loan_disbursement: 1, loan_repayment: 1 });
    const rep = rows('manager1', 'loan_repayment')[0]!;
    expect(rep).toMatchObject({ dueOn: '2026-02-18', actBy: '2026-02-14', sourceId: String(l1) }); // 14 Feb (Sat) is a make-up working day
    expect(JSON.parse(rep.params)).toMatchObject({ amountFen: 500000, holidayZh: '春节' });
    // the next instalment date is a new event
    w.db.prepare(`UPDATE loans SET next_due_on = '2026-03-18' WHERE id = ?`).run(l1);
    expect(gen('2026-03-12').byKind).toEqual({ loan_repayment: 1 });
  });

  it('tier changes and account closures of the last days; product launches ahead, to everyone but the administrator', () => {
    const c = w.ids.customers.m1a;
    w.db
      .prepare(
        `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, changed_at) VALUES (?, 'ordinary', 'gold', '2026-10-31T17:30:00.000Z')`,
      )
      .run(c); // 1 Nov in Beijing
    w.db
      .prepare(
        `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, changed_at) VALUES (?, 'gold', 'key', '2026-09-01T01:00:00.000Z')`,
      )
      .run(c);
    const acc = account(c, product('demand', '活期'), 'demand', '2026-10-30');
    const p = product('wealth', '新客专享理财', '2026-11-06');
    only('manager1', {
      tier_change: { leadDays: 7 },
      account_closure: { leadDays: 7 },
      product_launch: { leadDays: 7 },
    });
    only('teller', { product_launch: { leadDays: 7 }, tier_change: { leadDays: 7 } });
    only('admin', { product_launch: { leadDays: 7 } });
    expect(gen('2026-11-02').byKind).toEqual({ tier_change: 1, account_closure: 1, product_launch: 2 });
    expect(rows('manager1', 'tier_change')[0]).toMatchObject({ dueOn: '2026-11-01' });
    expect(JSON.parse(rows('manager1', 'tier_change')[0]!.params)).toEqual({ fromTier: 'ordinary', toTier: 'gold' });
    expect(rows('manager1', 'account_closure')[0]).toMatchObject({ dueOn: '2026-10-30', sourceId: String(acc) });
    expect(rows('manager1', 'product_launch')[0]).toMatchObject({
      customerId: null,
      dueOn: '2026-11-06',
      sourceId: String(p),
    });
    expect(rows('teller').map((r) => r.kind)).toEqual(['product_launch']); // a teller manages no customers
    expect(rows('admin')).toEqual([]);
  });

  it('public holidays from the official calendar, with the make-up working days', () => {
    only('teller', { holiday: { leadDays: 11 } }); // 20 Sep + 11 days = 1 Oct
    gen('2026-09-20');
    const r = rows('teller', 'holiday');
    expect(r.map((x) => x.dueOn)).toEqual(['2026-09-25', '2026-10-01']);
    expect(JSON.parse(r[1]!.params)).toEqual({
      holidayZh: '国庆节',
      holidayEn: 'National Day',
      start: '2026-10-01',
      end: '2026-10-07',
      days: 7,
      makeup: '2026-09-20,2026-10-10',
    });
    // a holiday already under way is not announced again as a new one
    w.db.prepare('DELETE FROM reminders').run();
    gen('2026-10-03');
    expect(rows('teller', 'holiday').map((x) => x.dueOn)).toEqual([]);
  });
});

describe('idempotence and scope', () => {
  it('re-running generation creates nothing twice; done and dismissed reminders never come back', () => {
    const c = w.ids.customers.m1a;
    termDeposit(c, '2026-11-05');
    txn(c, '2026-11-01 09:00:00', 90_000_000, 'C');
    w.db.prepare(`UPDATE customers SET birth_date = '1990-11-04' WHERE id = ?`).run(c);
    only('manager1', {
      term_maturity: { leadDays: 7 },
      large_deposit: { leadDays: 3, thresholdFen: 50_000_000 },
      birthday: { leadDays: 3 },
      holiday: { leadDays: 7 },
    });
    const first = gen('2026-11-02');
    expect(first.created).toBe(3);
    const count = () => (w.db.prepare('SELECT COUNT(*) AS n FROM reminders').get() as { n: number }).n;
    expect(gen('2026-11-02').created).toBe(0);
    expect(gen('2026-11-03').created).toBe(0); // next day: the same events
    expect(count()).toBe(3);
    w.db.prepare(`UPDATE reminders SET status = 'dismissed'`).run();
    expect(gen('2026-11-04').created).toBe(0);
    expect(count()).toBe(3);
    // the after-import hook runs the same step: still nothing new
    expect((w.db.prepare('SELECT SUM(created) AS s FROM reminder_runs').get() as { s: number }).s).toBe(3);
  });

  it('after a revert, open reminders whose event is gone are withdrawn; handled ones stay', () => {
    const c = w.ids.customers.m1a;
    const a = termDeposit(c, '2026-11-05');
    const b = termDeposit(c, '2026-11-06');
    const kept = termDeposit(c, '2026-11-07');
    only('manager1', { term_maturity: { leadDays: 7 } });
    expect(gen('2026-11-02').created).toBe(3);
    w.db.prepare(`UPDATE reminders SET status = 'done' WHERE source_id = ?`).run(String(b));
    w.db.prepare('DELETE FROM term_deposits WHERE id IN (?, ?)').run(a, b); // what a revert of their import does
    const r = generateReminders(w.db, { today: '2026-11-02', reason: 'revert' });
    expect(r.created).toBe(0);
    expect(rows('manager1').map((x) => [x.sourceId])).toEqual([[String(b)], [String(kept)]]);
    // a plain run never withdraws anything
    w.db.prepare('DELETE FROM term_deposits WHERE id = ?').run(kept);
    gen('2026-11-02');
    expect(rows('manager1')).toHaveLength(2);
  });

  it('at start-up, handled reminders more than 180 days past are deleted; open ones and recent ones stay', () => {
    const uid = userId('manager1');
    const ins = w.db.prepare(
      `INSERT INTO reminders (user_id, kind, due_on, dedupe_key, status) VALUES (?, 'work_item', ?, ?, ?)`,
    );
    ins.run(uid, '2026-05-05', 'old-done', 'done');
    ins.run(uid, '2026-05-05', 'old-dismissed', 'dismissed');
    ins.run(uid, '2026-05-05', 'old-open', 'open');
    ins.run(uid, '2026-05-06', 'recent-done', 'done'); // exactly 180 days before 2 Nov
    generateReminders(w.db, { today: '2026-11-02', reason: 'import' });
    expect(rows('manager1')).toHaveLength(4);
    generateReminders(w.db, { today: '2026-11-02', reason: 'startup' });
    expect(rows('manager1').map((r) => r.dedupeKey)).toEqual(['old-open', 'recent-done']);
  });

  it('runs as a step of the after-import hook (imports, reverts, start-up)', () => {
    termDeposit(w.ids.customers.m1a, '2026-11-05');
    only('manager1', { term_maturity: { leadDays: 7 } });
    const results = runAfterImport(w.db, { today: '2026-11-02', reason: 'import', jobId: null });
    expect(results.find((x) => x.name === 'reminders')).toMatchObject({ ok: true });
    expect(rows('manager1', 'term_maturity')).toHaveLength(1);
    runAfterImport(w.db, { today: '2026-11-02', reason: 'startup', jobId: null });
    expect(rows('manager1', 'term_maturity')).toHaveLength(1);
  });

  it('a manager never gets reminders about customers outside their scope, even through a list', () => {
    const m1 = userId('manager1');
    for (const c of Object.values(w.ids.customers)) termDeposit(c, '2026-11-05');
    // manager1 puts another manager's customer, an out-of-branch customer and a granted customer in a list
    const list = Number(
      w.db.prepare(`INSERT INTO customer_lists (name, owner_id) VALUES ('重点', ?)`).run(m1).lastInsertRowid,
    );
    for (const c of [w.ids.customers.m2a, w.ids.customers.otherBranchCust, w.ids.customers.grantedToM1]) {
      w.db.prepare('INSERT INTO customer_list_members (list_id, customer_id) VALUES (?, ?)').run(list, c);
    }
    w.db.prepare(`INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 1, 1)`).run(m1); // branch ignored for a manager
    w.db
      .prepare(`INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 0, 1)`)
      .run(userId('president'));
    for (const u of ['manager1', 'manager2', 'president']) only(u, { term_maturity: { leadDays: 7 } });
    gen('2026-11-02');
    const custs = (u: string) =>
      rows(u)
        .map((r) => r.customerId)
        .sort((a, b) => a! - b!);
    const { m1a, m1b, m2a, unassigned, outletCust, grantedToM1 } = w.ids.customers;
    expect(custs('manager1')).toEqual([m1a, m1b, grantedToM1].sort((a, b) => a - b));
    expect(custs('manager2')).toEqual([m2a, grantedToM1].sort((a, b) => a - b));
    expect(custs('president')).toEqual([m1a, m1b, m2a, unassigned, outletCust, grantedToM1].sort((a, b) => a - b));
    // addReminder refuses a customer outside the recipient's scope
    expect(
      addReminder(w.db, {
        kind: 'work_item',
        userId: m1,
        customerId: m2a,
        dueOn: '2026-11-03',
        sourceType: 'contact',
        sourceId: 1,
        dedupeKey: 'contact:1',
      }),
    ).toBeNull();
  });
});

describe('addReminder (used by contacts and referrals)', () => {
  it('is idempotent on its dedupe key, resolves staff to their user, honours the kind switch and the lead', () => {
    only('manager1', { work_item: { leadDays: 1 }, referral_sla: { leadDays: 1, workingDays: true } });
    const base = {
      kind: 'work_item' as const,
      staffId: w.ids.staff.manager1,
      customerId: w.ids.customers.m1a,
      dueOn: '2026-11-10',
      params: { text: '回访' },
      sourceType: 'contact',
      sourceId: 7,
      dedupeKey: 'contact:7',
    };
    const a = addReminder(w.db, base)!;
    expect(a.created).toBe(true);
    expect(addReminder(w.db, base)).toEqual({ id: a.id, created: false });
    expect(w.db.prepare('SELECT notify_on AS n, user_id AS u FROM reminders WHERE id = ?').get(a.id)).toEqual({
      n: '2026-11-09',
      u: userId('manager1'),
    });
    // SLA due on 8 Oct 2026 shows one working day before: 30 Sep
    const s = addReminder(w.db, {
      ...base,
      kind: 'referral_sla',
      dueOn: '2026-10-08',
      sourceType: 'referral',
      sourceId: 3,
      dedupeKey: 'referral_sla:3',
    })!;
    expect(w.db.prepare('SELECT notify_on AS n FROM reminders WHERE id = ?').get(s.id)).toEqual({ n: '2026-09-30' });
    expect(resolveReminders(w.db, 'referral', 3)).toBe(1);
    expect(resolveReminders(w.db, 'referral', 3)).toBe(0);
    // switched off: nothing
    only('manager1', {});
    expect(addReminder(w.db, { ...base, dedupeKey: 'contact:8', sourceId: 8 })).toBeNull();
    // no user for that staff member: nothing
    expect(addReminder(w.db, { ...base, staffId: 999_999, dedupeKey: 'contact:9' })).toBeNull();
  });
});

describe('inbox API', () => {
  it('lists, counts, marks done, dismisses, and a snoozed reminder returns after its time', async () => {
    setToday('2026-11-02');
    const c = w.ids.customers.m1a;
    termDeposit(c, '2026-11-05');
    termDeposit(c, '2026-11-06');
    termDeposit(w.ids.customers.m1b, '2026-11-07');
    only('manager1', { term_maturity: { leadDays: 7 } });
    const s = await signIn(w, 'manager1');
    expect((await ok(w, 'reminders.generate', {}, s)).created).toBe(3);
    const list = await ok(w, 'reminders.list', {}, s);
    expect(list.total).toBe(3);
    expect(list.rows.map((r) => r.dueOn)).toEqual(['2026-11-05', '2026-11-06', '2026-11-07']);
    expect(list.rows[0]!.customer).toMatchObject({ id: c, name: '张伟' });
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(3);
    // the badge count equals a slow reference over the raw table, and stops at its cap
    const ref = (
      w.db
        .prepare(
          `SELECT COUNT(*) AS n FROM reminders WHERE user_id = ? AND status = 'open' AND (snoozed_until IS NULL OR snoozed_until <= ?)`,
        )
        .get(userId('manager1'), w.clock.now().toISOString()) as { n: number }
    ).n;
    expect(ref).toBe(3);
    expect(
      countOpen(
        w.db,
        userId('manager1'),
        recipientScope(w.db, recipientById(w.db, userId('manager1'))!, '2026-11-02'),
        { today: '2026-11-02', now: w.clock.now().toISOString() },
        2,
      ),
    ).toBe(2);
    // filters
    expect((await ok(w, 'reminders.list', { customerId: w.ids.customers.m1b }, s)).total).toBe(1);
    expect((await ok(w, 'reminders.list', { kinds: ['birthday'] }, s)).total).toBe(0);
    expect((await ok(w, 'reminders.list', { dueFrom: '2026-11-06', dueTo: '2026-11-06' }, s)).total).toBe(1);
    const [a, b, d] = list.rows.map((r) => r.id) as [number, number, number];
    expect((await ok(w, 'reminders.done', { ids: [a] }, s)).updated).toBe(1);
    expect((await ok(w, 'reminders.dismiss', { ids: [b] }, s)).updated).toBe(1);
    // snooze until 10:05 today (the clock says 10:00 in Beijing)
    expect((await ok(w, 'reminders.snooze', { ids: [d], until: '2026-11-02T10:05:00+08:00' }, s)).updated).toBe(1);
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(0);
    expect((await ok(w, 'reminders.list', { view: 'snoozed' }, s)).rows.map((r) => r.id)).toEqual([d]);
    expect((await ok(w, 'reminders.list', { view: 'done' }, s)).rows.map((r) => r.id)).toEqual([a]);
    expect((await ok(w, 'reminders.list', { view: 'dismissed' }, s)).rows.map((r) => r.id)).toEqual([b]);
    w.clock.set(new Date('2026-11-02T10:04:59+08:00'));
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(0);
    w.clock.set(new Date('2026-11-02T10:05:00+08:00'));
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(1);
    expect((await ok(w, 'reminders.list', {}, s)).rows.map((r) => r.id)).toEqual([d]);
    // a snooze into the past is refused with a clear code
    const bad = await call(w, 'reminders.snooze', { ids: [d], until: '2026-11-01T10:00:00+08:00' }, s);
    expect(bad.ok ? null : bad.error.code).toBe('REMINDER_SNOOZE_PAST');
    // generation again does not bring done/dismissed back
    expect((await ok(w, 'reminders.generate', {}, s)).created).toBe(0);
    // another user cannot touch manager1's reminders
    const s2 = await signIn(w, 'manager2');
    expect((await ok(w, 'reminders.done', { ids: [d] }, s2)).updated).toBe(0);
    expect((await ok(w, 'reminders.list', { view: 'all' }, s2)).total).toBe(0);
  });

  it("a reminder about a customer leaves the inbox when the customer leaves the manager's book", async () => {
    setToday('2026-11-02');
    termDeposit(w.ids.customers.m1a, '2026-11-05');
    only('manager1', { term_maturity: { leadDays: 7 } });
    const s = await signIn(w, 'manager1');
    await ok(w, 'reminders.generate', {}, s);
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(1);
    w.db
      .prepare('UPDATE customers SET manager_staff_id = ? WHERE id = ?')
      .run(w.ids.staff.manager2, w.ids.customers.m1a);
    expect((await ok(w, 'reminders.count', {}, s)).open).toBe(0);
    expect((await ok(w, 'reminders.list', { view: 'all' }, s)).total).toBe(0);
  });

  it('the desktop widget shows the open count and the soonest reminders, snoozes respected', async () => {
    setToday('2026-11-02');
    for (const d of ['2026-11-06', '2026-11-04', '2026-11-05']) termDeposit(w.ids.customers.m1a, d);
    only('manager1', { term_maturity: { leadDays: 7 } });
    const s = await signIn(w, 'manager1');
    await ok(w, 'reminders.generate', {}, s);
    await ok(
      w,
      'desktop.save',
      { layout: { widgets: [{ id: 'rem-1', kind: 'reminders', config: { limit: 2 }, x: 0, y: 0, w: 4, h: 8 }] } },
      s,
    );
    const first = (await ok(w, 'desktop.data', {}, s)).widgets['rem-1']!;
    expect(
      first.ok && first.data.kind === 'reminders' ? [first.data.open, first.data.top.map((r) => r.dueOn)] : first,
    ).toEqual([3, ['2026-11-04', '2026-11-05']]);
    const soonest = (await ok(w, 'reminders.list', {}, s)).rows[0]!.id;
    await ok(w, 'reminders.snooze', { ids: [soonest], until: '2026-11-02T10:30:00+08:00' }, s);
    const later = (await ok(w, 'desktop.data', {}, s)).widgets['rem-1']!;
    expect(
      later.ok && later.data.kind === 'reminders' ? [later.data.open, later.data.top.map((r) => r.dueOn)] : later,
    ).toEqual([2, ['2026-11-05', '2026-11-06']]);
    expect((await ok(w, 'reminders.widget', { limit: 5 }, s)).open).toBe(2);
  });

  it('preferences: defaults, save, and only the president may choose the whole branch', async () => {
    const s = await signIn(w, 'manager1');
    w.db.prepare('DELETE FROM reminder_prefs').run();
    const p = await ok(w, 'reminders.prefs', {}, s);
    expect(p.canBranch).toBe(false);
    expect(p.audience).toEqual({ mine: true, lists: false, branch: false });
    expect(p.prefs.find((x) => x.kind === 'large_deposit')).toMatchObject({ enabled: true, thresholdFen: 50_000_000 });
    const prefs = p.prefs.map((x) =>
      x.kind === 'birthday'
        ? { ...x, enabled: false }
        : x.kind === 'term_maturity'
          ? { ...x, leadDays: 10, workingDays: true }
          : x,
    );
    const saved = await ok(
      w,
      'reminders.savePrefs',
      { prefs, audience: { mine: true, lists: true, branch: false } },
      s,
    );
    expect(saved.prefs.find((x) => x.kind === 'birthday')!.enabled).toBe(false);
    expect(saved.prefs.find((x) => x.kind === 'term_maturity')).toMatchObject({ leadDays: 10, workingDays: true });
    expect(saved.audience.lists).toBe(true);
    const denied = await call(
      w,
      'reminders.savePrefs',
      { prefs: [], audience: { mine: true, lists: false, branch: true } },
      s,
    );
    expect(denied.ok ? null : denied.error.code).toBe('FORBIDDEN');
    const low = await call(
      w,
      'reminders.savePrefs',
      {
        prefs: [{ kind: 'large_deposit', enabled: true, leadDays: 3, workingDays: false, thresholdFen: 100 }],
        audience: { mine: true, lists: false, branch: false },
      },
      s,
    );
    expect(low.ok ? null : low.error.code).toBe('VALIDATION');
    const sp = await signIn(w, 'president');
    expect(
      (await ok(w, 'reminders.savePrefs', { prefs: [], audience: { mine: false, lists: false, branch: true } }, sp))
        .audience.branch,
    ).toBe(true);
  });
});
