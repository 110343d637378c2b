import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NextProductItem, NextProductSettings } from '../../../shared/analytics';
import { listRules, nextProductsFor, runNextProduct } from '../../../db/analytics/next-product';
import { labRanker } from '../../../db/analytics/lab-ranker';
import { scopeFor } from '../../../db/scope';
import { runAfterImport } from '../../../main/jobs/after-import';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/**
 * 客户产品匹配 on a small hand-made book: every rule's support, confidence and lift against a count made
 * here in plain JavaScript from the book's own definition, no recommendation of something held, the scope.
 */
let w: World;
const TODAY = '2026-11-02';
const SETTINGS: NextProductSettings = {
  npMinSupport: 0.05,
  npMinConfidence: 0.2,
  npMinLift: 1,
  npMaxAntecedent: 2,
  npTopN: 3,
  npPayrollDays: 92,
};

beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

type Book = { id: number; kind: 'individual' | 'corporate'; items: NextProductItem[] }[];

function builder() {
  const db = w.db;
  const ins = (sql: string, ...p: unknown[]) => Number(db.prepare(sql).run(...p).lastInsertRowid);
  const prod: Record<string, number> = {};
  for (const cat of ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund'])
    prod[cat] = ins(`INSERT INTO products (code, name, category) VALUES (?, ?, ?)`, `P-${cat}`, `产品${cat}`, cat);
  let n = 0;
  let serial = 0;
  const book: Book = [];
  const acct = (cid: number, kind: string, product: number, status = 'active') =>
    ins(
      `INSERT INTO accounts (account_no, customer_id, product_id, branch_id, kind, opened_on, status) VALUES (?, ?, ?, ?, ?, '2020-01-01', ?)`,
      `AC${++serial}`,
      cid,
      product,
      w.ids.branch,
      kind,
      status,
    );
  /** A customer holding exactly `items` (and, with `lapsed`, former holdings that no longer count). */
  function customer(
    items: NextProductItem[],
    o: { kind?: 'individual' | 'corporate'; manager?: number | null; status?: string; lapsed?: boolean } = {},
  ): number {
    const kind = o.kind ?? 'individual';
    const cid = ins(
      `INSERT INTO customers (customer_no, kind, name, id_type, branch_id, opened_on, manager_staff_id, status)
       VALUES (?, ?, ?, 'resident_id', ?, '2020-01-01', ?, ?)`,
      `7700${String(++n).padStart(6, '0')}`,
      kind,
      `测试${n}`,
      w.ids.branch,
      o.manager === undefined ? w.ids.staff.manager1 : o.manager,
      o.status ?? 'active',
    );
    for (const it of items) {
      if (it === 'demand' || it === 'card') acct(cid, it, prod[it]!);
      else if (it === 'term' || it === 'cd') {
        const a = acct(cid, 'term', prod[it]!);
        ins(
          `INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on)
           VALUES (?, ?, ?, ?, 100000, 20000, 12, '2026-01-01', '2027-01-01')`,
          `TD${++serial}`,
          a,
          cid,
          prod[it]!,
        );
      } else if (it === 'wealth' || it === 'insurance' || it === 'fund')
        ins(
          `INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on) VALUES (?, ?, ?, 100000, 100000, '2026-01-01')`,
          `WH${++serial}`,
          cid,
          prod[it]!,
        );
      else if (it === 'loan')
        ins(
          `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on, repayment_method)
           VALUES (?, ?, ?, ?, ?, 1000000, 500000, 40000, '2025-01-01', '2028-01-01', 'equal_installment')`,
          `LN${++serial}`,
          `CT${serial}`,
          cid,
          prod.loan!,
          w.ids.branch,
        );
      else if (it === 'payroll') {
        const a = acct(cid, 'demand', prod.demand!, 'active');
        ins(
          `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type) VALUES (?, ?, ?, '2026-10-10 09:00:00', 800000, 'C', 'online', 'salary')`,
          `SN${++serial}`,
          a,
          cid,
        );
      }
    }
    if (o.lapsed) {
      // a redeemed wealth product, a paid-off loan, a closed card and an old salary: none of them is held
      ins(
        `INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, status) VALUES (?, ?, ?, 1, 1, '2024-01-01', 'redeemed')`,
        `WH${++serial}`,
        cid,
        prod.wealth!,
      );
      ins(
        `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on, repayment_method, status, paid_off_on)
         VALUES (?, ?, ?, ?, ?, 1000000, 0, 40000, '2020-01-01', '2025-01-01', 'equal_installment', 'paid_off', '2025-01-01')`,
        `LN${++serial}`,
        `CT${serial}`,
        cid,
        prod.loan!,
        w.ids.branch,
      );
      const a = acct(cid, 'card', prod.card!, 'closed');
      ins(
        `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type) VALUES (?, ?, ?, '2026-05-10 09:00:00', 800000, 'C', 'online', 'salary')`,
        `SN${++serial}`,
        a,
        cid,
      );
    }
    if ((o.status ?? 'active') !== 'closed') book.push({ id: cid, kind, items: [...new Set(items)] });
    return cid;
  }
  return { customer, book, prod };
}

/** The independent count: support, confidence and lift of A → b straight from the book's definition. */
function reference(book: Book, kind: string, a: NextProductItem[], b: NextProductItem) {
  const base = book.filter((c) => c.kind === kind);
  const holds = (c: Book[number], xs: NextProductItem[]) => xs.every((x) => c.items.includes(x));
  const nA = base.filter((c) => holds(c, a)).length;
  const nAB = base.filter((c) => holds(c, [...a, b])).length;
  const nB = base.filter((c) => holds(c, [b])).length;
  return { support: nAB / base.length, confidence: nAB / nA, lift: nAB / nA / (nB / base.length), nAB };
}

function standardBook() {
  const b = builder();
  // the world's own customers hold nothing: they are in the base too
  for (const id of Object.values(w.ids.customers)) b.book.push({ id, kind: 'individual', items: [] });
  const rep = (k: number, items: NextProductItem[], o?: Parameters<typeof b.customer>[1]) => {
    for (let i = 0; i < k; i++) b.customer(items, o);
  };
  rep(10, ['demand', 'term', 'payroll', 'wealth']);
  rep(5, ['demand', 'term', 'payroll']);
  rep(8, ['demand', 'term']);
  rep(4, ['demand', 'wealth', 'fund']);
  rep(6, ['demand'], { lapsed: true });
  rep(3, ['demand', 'loan', 'card']);
  rep(2, ['card', 'insurance']);
  rep(3, ['demand', 'term', 'wealth'], { status: 'closed' }); // closed customers are not in the base
  rep(4, ['demand', 'loan'], { kind: 'corporate', manager: w.ids.staff.manager2 });
  rep(3, ['demand'], { kind: 'corporate', manager: w.ids.staff.manager2 });
  return b;
}

describe('association rules (客户产品匹配)', () => {
  it("each rule's support, confidence and lift equal an independent count, and every qualifying rule is found", () => {
    const { book } = standardBook();
    const r = runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    expect(r.customers).toBe(book.length);
    const { rules, total } = listRules(w.db, 1000);
    expect(total).toBe(r.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      const ref = reference(book, rule.kind, rule.antecedent, rule.consequent);
      expect(rule.support).toBeCloseTo(ref.support, 12);
      expect(rule.confidence).toBeCloseTo(ref.confidence, 12);
      expect(rule.lift).toBeCloseTo(ref.lift, 12);
      expect(rule.bothN).toBe(ref.nAB);
    }
    // completeness: every pair the count qualifies is a stored rule, nothing else is
    const items: NextProductItem[] = ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund', 'payroll'];
    const offered = items.filter((i) => i !== 'payroll');
    const expected: string[] = [];
    for (const kind of ['individual', 'corporate']) {
      const ants: NextProductItem[][] = [];
      items.forEach((x, i) => {
        ants.push([x]);
        for (const y of items.slice(i + 1)) ants.push([x, y]);
      });
      for (const a of ants)
        for (const b of offered) {
          if (a.includes(b)) continue;
          const ref = reference(book, kind, a, b);
          if (
            ref.nAB > 0 &&
            ref.support >= SETTINGS.npMinSupport &&
            ref.confidence >= SETTINGS.npMinConfidence &&
            ref.lift >= SETTINGS.npMinLift
          )
            expected.push(`${kind}|${a.join(',')}|${b}`);
        }
    }
    expect(rules.map((x) => `${x.kind}|${x.antecedent.join(',')}|${x.consequent}`).sort()).toEqual(expected.sort());
  });

  it('names the reason: customers holding term deposits and payroll mostly also hold wealth', () => {
    standardBook();
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    const rule = listRules(w.db, 1000).rules.find(
      (r) => r.kind === 'individual' && r.antecedent.join(',') === 'term,payroll' && r.consequent === 'wealth',
    );
    // 15 hold term + payroll, 10 of them wealth; 14 of the 45 individuals hold wealth
    expect(rule?.confidence).toBeCloseTo(10 / 15, 12);
    expect(rule?.lift).toBeCloseTo(10 / 15 / (14 / 45), 12);
  });

  it('never recommends something the customer holds, ranks by confidence, keeps at most topN', () => {
    const { book } = standardBook();
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    const branch = scopeFor(w.db, { role: 'president', staffId: w.ids.staff.president, branchId: w.ids.branch }, TODAY);
    let offered = 0;
    // the book's customers this president sees (the world's own include another branch's: NOT_FOUND there)
    const seen = new Set(
      (w.db.prepare(`SELECT c.id FROM customers c WHERE ${branch.sql}`).all(...branch.params) as { id: number }[]).map(
        (r) => r.id,
      ),
    );
    for (const c of book.filter((x) => seen.has(x.id))) {
      const recs = nextProductsFor(w.db, c.id, branch.sql, branch.params);
      expect(recs.length).toBeLessThanOrEqual(SETTINGS.npTopN);
      for (const r of recs) {
        expect(c.items).not.toContain(r.item);
        expect(r.rule).not.toBeNull();
        // the rule's antecedent is held by the customer
        for (const a of r.rule!.antecedent) expect(c.items).toContain(a);
      }
      for (let i = 1; i < recs.length; i++) expect(recs[i]!.score).toBeLessThanOrEqual(recs[i - 1]!.score);
      offered += recs.length;
    }
    expect(offered).toBeGreaterThan(10);
    // a customer with demand + term (no payroll, no wealth) is offered wealth
    const dt = book.find((c) => c.items.join() === 'demand,term')!;
    expect(nextProductsFor(w.db, dt.id, branch.sql, branch.params).map((r) => r.item)).toContain('wealth');
  });

  it('reruns rewrite only customers whose holdings (or their set’s ranking) changed', () => {
    const b = standardBook();
    const first = runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    expect(first.rewritten).toBe(b.book.length);
    expect(runNextProduct(w.db, { today: TODAY, settings: SETTINGS }).rewritten).toBe(0);
    // one demand-only customer buys a term deposit: their offer changes, the ranking of sets may too
    const c = b.book.find((x) => x.items.join() === 'demand')!;
    const a = Number(
      w.db
        .prepare(
          `INSERT INTO accounts (account_no, customer_id, product_id, branch_id, kind, opened_on) VALUES ('NEW1', ?, ?, ?, 'term', '2026-10-01')`,
        )
        .run(c.id, b.prod.term!, w.ids.branch).lastInsertRowid,
    );
    w.db
      .prepare(
        `INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on)
         VALUES ('TDNEW', ?, ?, ?, 100000, 20000, 12, '2026-10-01', '2027-10-01')`,
      )
      .run(a, c.id, b.prod.term!);
    const again = runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    expect(again.rewritten).toBeGreaterThanOrEqual(1);
    expect(again.rewritten).toBeLessThan(b.book.length);
    const held = w.db.prepare('SELECT item FROM customer_next_products WHERE customer_id = ?').all(c.id) as {
      item: string;
    }[];
    expect(held.map((x) => x.item)).not.toContain('term');
  });

  it('offers only categories on sale', () => {
    const b = standardBook();
    w.db.prepare(`UPDATE products SET status = 'withdrawn' WHERE id = ?`).run(b.prod.wealth!);
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    const n = w.db.prepare(`SELECT COUNT(*) AS n FROM customer_next_products WHERE item = 'wealth'`).get() as {
      n: number;
    };
    expect(n.n).toBe(0);
  });

  it("a model's propensity (the lab's seam) ranks alongside the rules, never for an item held", () => {
    const b = standardBook();
    const c = b.book.find((x) => x.items.join() === 'demand,term')!;
    runNextProduct(w.db, {
      today: TODAY,
      settings: SETTINGS,
      rankers: [
        {
          name: 'test-model',
          scores: () => [
            { customerId: c.id, item: 'loan', score: 0.97, modelVersion: 7 },
            { customerId: c.id, item: 'term', score: 0.99, modelVersion: 7 }, // held: dropped
          ],
        },
      ],
    });
    const branch = scopeFor(w.db, { role: 'president', staffId: w.ids.staff.president, branchId: w.ids.branch }, TODAY);
    const recs = nextProductsFor(w.db, c.id, branch.sql, branch.params);
    expect(recs[0]).toMatchObject({ item: 'loan', source: 'model', modelVersion: 7, rule: null });
    expect(recs.map((r) => r.item)).not.toContain('term');
    expect(recs.slice(1).every((r) => r.source === 'rules')).toBe(true);
  });

  it("the lab's active take-up models rank through the seam: top groups only, never an item held", () => {
    const b = standardBook();
    const dt = b.book.filter((x) => x.items.join() === 'demand,term');
    const model = (version: number, key: string) => {
      w.db
        .prepare(
          `INSERT INTO lab_models (version, target_key, target, learner, requested, outcome_months, cutoff, window_end, rows, positives,
             figures, model, seconds, created_at) VALUES (?, ?, '{}', 'logistic', 'logistic', 3, '2026-06-30', '2026-09-30', 100, 10, '{}', '{}', 1, '2026-10-01')`,
        )
        .run(version, key);
      w.db.prepare('INSERT INTO lab_active (target_key, version) VALUES (?, ?)').run(key, version);
    };
    model(41, 'product:insurance');
    model(42, 'churn'); // not a take-up model: never an offer
    const score = w.db.prepare(
      `INSERT INTO lab_scores (version, customer_id, score, decile, factors) VALUES (?, ?, ?, ?, '[]')`,
    );
    score.run(41, dt[0]!.id, 0.95, 1);
    score.run(41, dt[1]!.id, 0.9, 5); // outside the top groups
    score.run(42, dt[2]!.id, 0.99, 1);
    const card = b.book.find((x) => x.items.includes('insurance'))!;
    score.run(41, card.id, 0.99, 1); // holds insurance already
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS, rankers: [labRanker()] });
    const branch = scopeFor(w.db, { role: 'president', staffId: w.ids.staff.president, branchId: w.ids.branch }, TODAY);
    const items = (id: number) => nextProductsFor(w.db, id, branch.sql, branch.params);
    expect(items(dt[0]!.id)[0]).toMatchObject({ item: 'insurance', source: 'model', modelVersion: 41 });
    expect(items(dt[1]!.id).map((r) => r.item)).not.toContain('insurance');
    expect(items(dt[2]!.id).every((r) => r.source === 'rules')).toBe(true);
    expect(items(card.id).map((r) => r.item)).not.toContain('insurance');
    // the model switched off: its offer goes at the next run
    w.db.prepare(`DELETE FROM lab_active WHERE target_key = 'product:insurance'`).run();
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS, rankers: [labRanker()] });
    expect(items(dt[0]!.id).every((r) => r.source === 'rules')).toBe(true);
  });

  it('scope is in the SQL: another manager, another branch get NOT_FOUND (as other customer reads)', () => {
    const b = standardBook();
    runNextProduct(w.db, { today: TODAY, settings: SETTINGS });
    const mine = b.book.find((x) => x.kind === 'individual' && x.items.join() === 'demand,term')!;
    const m1 = scopeFor(w.db, { role: 'manager', staffId: w.ids.staff.manager1, branchId: w.ids.branch }, TODAY);
    const m2 = scopeFor(w.db, { role: 'manager', staffId: w.ids.staff.manager2, branchId: w.ids.outlet }, TODAY);
    const other = scopeFor(w.db, { role: 'president', staffId: null, branchId: w.ids.otherBranch }, TODAY);
    expect(nextProductsFor(w.db, mine.id, m1.sql, m1.params).length).toBeGreaterThan(0);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code(() => nextProductsFor(w.db, mine.id, m2.sql, m2.params))).toBe('NOT_FOUND');
    expect(code(() => nextProductsFor(w.db, mine.id, other.sql, other.params))).toBe('NOT_FOUND');
    expect(code(() => nextProductsFor(w.db, 987_654, m1.sql, m1.params))).toBe('NOT_FOUND');
    // in scope with nothing to offer: an empty list, not NOT_FOUND
    w.db.prepare('DELETE FROM customer_next_products WHERE customer_id = ?').run(mine.id);
    expect(nextProductsFor(w.db, mine.id, m1.sql, m1.params)).toEqual([]);
  });

  it('runs after an import, and the API answers the teller at look-up within scope', async () => {
    const b = standardBook();
    const results = runAfterImport(w.db, { today: TODAY, reason: 'import', jobId: null });
    expect(results.find((r) => r.name === 'next-product')?.ok).toBe(true);
    // the shipped defaults mine the same book: someone holding demand + term is offered something
    const dt = b.book.find((x) => x.items.join() === 'demand,term')!;
    const teller = await signIn(w, 'teller');
    const m2 = await signIn(w, 'manager2');
    const m1 = await signIn(w, 'manager1');
    const asTeller = await ok(w, 'nextProduct.forCustomer', { customerId: dt.id }, teller);
    expect(asTeller.offers.length).toBeGreaterThan(0);
    expect(asTeller.offers.map((o) => o.item)).not.toContain('term');
    expect(await ok(w, 'nextProduct.forCustomer', { customerId: dt.id }, m1)).toEqual(asTeller);
    // another manager's customer: NOT_FOUND, as customer.get and the 360's reads answer it
    const refused = await call(w, 'nextProduct.forCustomer', { customerId: dt.id }, m2);
    expect(refused.ok ? null : refused.error.code).toBe('NOT_FOUND');
    const c360 = await call(w, 'customers.get', { id: dt.id }, m2);
    expect(c360.ok ? null : c360.error.code).toBe('NOT_FOUND');
  });
});
