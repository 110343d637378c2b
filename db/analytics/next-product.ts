import type { Database } from 'better-sqlite3';
import {
  NEXT_PRODUCT_ITEMS,
  NOT_OFFERED,
  type NextProductItem,
  type NextProductSettings,
} from '../../shared/analytics';
import { addDays } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { all, first, query } from '../sql';
import { nextProductSettings } from './settings';

/**
 * 客户产品匹配 (next product) by association rules over the branch's holdings.
 *
 * Each customer's holdings are a set of NEXT_PRODUCT_ITEMS (a bit mask). With nine items there are at most
 * 512 distinct sets, so the book is reduced in SQL to "how many customers hold exactly this set" per
 * customer kind, and every rule's counts are exact sums over those few sets (no sampling, no candidate
 * pruning that could miss a rule). A rule A → b is kept when support = n(A∪b)/N, confidence = n(A∪b)/n(A)
 * and lift = confidence / (n(b)/N) reach the bank's minimums. Every customer with the same set gets the same
 * ranked offer (the best rule for each item not held, by confidence), so rankings are made per set and
 * copied to the customers whose set or whose set's ranking changed since the last run.
 */

export interface MinedRule {
  kind: string;
  antecedent: NextProductItem[];
  consequent: NextProductItem;
  customers: number;
  antecedentN: number;
  bothN: number;
  consequentN: number;
}

export interface RuleFigures {
  support: number;
  confidence: number;
  lift: number;
}

export function figures(r: {
  customers: number;
  antecedentN: number;
  bothN: number;
  consequentN: number;
}): RuleFigures {
  const confidence = r.antecedentN > 0 ? r.bothN / r.antecedentN : 0;
  const base = r.customers > 0 ? r.consequentN / r.customers : 0;
  return {
    support: r.customers > 0 ? r.bothN / r.customers : 0,
    confidence,
    lift: base > 0 ? confidence / base : 0,
  };
}

const bit = (item: NextProductItem) => 1 << NEXT_PRODUCT_ITEMS.indexOf(item);
export const itemsOf = (mask: number): NextProductItem[] => NEXT_PRODUCT_ITEMS.filter((_, i) => (mask >> i) & 1);
export const maskOf = (items: readonly NextProductItem[]): number => items.reduce((m, i) => m | bit(i), 0);

const popcount = (m: number) => {
  let n = 0;
  for (let x = m; x; x &= x - 1) n++;
  return n;
};

/**
 * Mines the rules of one kind from the count of customers per holding set. `offered`: the items that may
 * be a consequent (on sale, not NOT_OFFERED).
 */
export function mineRules(
  kind: string,
  setCounts: ReadonlyMap<number, number>,
  s: Pick<NextProductSettings, 'npMinSupport' | 'npMinConfidence' | 'npMinLift' | 'npMaxAntecedent'>,
  offered: ReadonlySet<NextProductItem>,
): MinedRule[] {
  let total = 0;
  for (const n of setCounts.values()) total += n;
  if (total === 0) return [];
  const held = (sub: number) => {
    let n = 0;
    for (const [m, c] of setCounts) if ((m & sub) === sub) n += c;
    return n;
  };
  const memo = new Map<number, number>();
  const count = (sub: number) => {
    let v = memo.get(sub);
    if (v === undefined) {
      v = held(sub);
      memo.set(sub, v);
    }
    return v;
  };
  const out: MinedRule[] = [];
  const full = (1 << NEXT_PRODUCT_ITEMS.length) - 1;
  for (let a = 1; a <= full; a++) {
    if (popcount(a) > s.npMaxAntecedent) continue;
    const nA = count(a);
    if (nA === 0 || nA / total < s.npMinSupport) continue;
    for (const b of offered) {
      const bb = bit(b);
      if (a & bb) continue;
      const nAB = count(a | bb);
      const nB = count(bb);
      const f = figures({ customers: total, antecedentN: nA, bothN: nAB, consequentN: nB });
      if (f.support >= s.npMinSupport && f.confidence >= s.npMinConfidence && f.lift >= s.npMinLift)
        out.push({
          kind,
          antecedent: itemsOf(a),
          consequent: b,
          customers: total,
          antecedentN: nA,
          bothN: nAB,
          consequentN: nB,
        });
    }
  }
  return out;
}

export interface SetRank {
  item: NextProductItem;
  rule: MinedRule;
}

/**
 * The offer for a customer holding `mask`: for each item not held, the best rule whose antecedent the
 * customer holds (highest confidence, then lift, then the larger antecedent), items best first.
 */
export function rankForSet(mask: number, rules: readonly MinedRule[], topN: number): SetRank[] {
  const best = new Map<NextProductItem, { r: MinedRule; f: RuleFigures }>();
  for (const r of rules) {
    const a = maskOf(r.antecedent);
    if ((a & mask) !== a || (bit(r.consequent) & mask) !== 0) continue;
    const f = figures(r);
    const cur = best.get(r.consequent);
    if (
      !cur ||
      f.confidence > cur.f.confidence ||
      (f.confidence === cur.f.confidence &&
        (f.lift > cur.f.lift || (f.lift === cur.f.lift && r.antecedent.length > cur.r.antecedent.length)))
    )
      best.set(r.consequent, { r, f });
  }
  return [...best.entries()]
    .sort(
      (x, y) =>
        y[1].f.confidence - x[1].f.confidence ||
        y[1].f.lift - x[1].f.lift ||
        NEXT_PRODUCT_ITEMS.indexOf(x[0]) - NEXT_PRODUCT_ITEMS.indexOf(y[0]),
    )
    .slice(0, topN)
    .map(([item, v]) => ({ item, rule: v.r }));
}

/**
 * The seam for the model lab's propensity models: a ranker scores customers for items (a probability of
 * taking the item up). Its scores are merged with the rules' confidences (both estimate the chance the
 * customer takes the item next), items the customer already holds are dropped, and the best topN kept.
 */
export interface NextProductRanker {
  name: string;
  scores(db: Database): Iterable<{ customerId: number; item: NextProductItem; score: number; modelVersion: number }>;
}

/**
 * Builds temp.np_sets: every customer not closed, with the bit set of what they hold now. Holdings come from
 * each product's own table (demand and card accounts, term deposits and certificates, wealth, fund and
 * insurance holdings, loans), 代发工资 from salary credits within the look-back: read from the partial
 * index of salary credits alone (migration 0030; pinned, as 0016's index of every salary row also qualifies
 * but needs a row look-up each for the direction): 35-42 ms against 450-650 ms on 3M transactions.
 */
export function buildHoldingSets(db: Database, today: string, payrollDays: number): void {
  db.exec(`DROP TABLE IF EXISTS temp.np_sets;
    CREATE TEMP TABLE np_sets (customer_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, mask INTEGER NOT NULL)`);
  db.exec(`INSERT INTO temp.np_sets SELECT id, kind, 0 FROM customers WHERE status <> 'closed'`);
  const items = JSON.stringify(NEXT_PRODUCT_ITEMS);
  // SUM(DISTINCT 2^i) over one customer's items is their bitwise OR.
  db.prepare(
    `UPDATE temp.np_sets SET mask = x.m FROM (
       SELECT h.customer_id, SUM(DISTINCT 1 << j.key) AS m FROM (
         SELECT a.customer_id, p.category AS item FROM accounts a JOIN products p ON p.id = a.product_id
           WHERE a.kind IN ('demand', 'card') AND a.status <> 'closed'
         UNION ALL SELECT t.customer_id, p.category FROM term_deposits t JOIN products p ON p.id = t.product_id WHERE t.status = 'active'
         UNION ALL SELECT w.customer_id, p.category FROM wealth_holdings w JOIN products p ON p.id = w.product_id WHERE w.status = 'active'
         UNION ALL SELECT l.customer_id, p.category FROM loans l JOIN products p ON p.id = l.product_id WHERE l.status = 'active'
         UNION ALL SELECT DISTINCT customer_id, 'payroll' FROM transactions INDEXED BY transactions_salary_credit
           WHERE txn_type = 'salary' AND direction = 'C' AND txn_at >= ?
       ) h JOIN json_each(?) j ON j.value = h.item
       GROUP BY h.customer_id) x
     WHERE x.customer_id = np_sets.customer_id`,
  ).run(addDays(today, -payrollDays), items);
}

const SET_COUNTS = query<[], { kind: string; mask: number; n: number }>(
  'SELECT kind, mask, COUNT(*) AS n FROM temp.np_sets GROUP BY kind, mask',
);
const OFFERED = query<[], { category: string }>(`SELECT DISTINCT category FROM products WHERE status = 'on_sale'`);

export interface RunResult {
  customers: number;
  rules: number;
  rewritten: number;
  ms: number;
}

/**
 * Mines the rules and refreshes every customer's offer, in one transaction (idempotent: a second run with
 * nothing changed rewrites no customer). Rankers (the lab's models) add their scored candidates.
 */
export function runNextProduct(
  db: Database,
  opts: { today: string; settings?: NextProductSettings; rankers?: readonly NextProductRanker[] },
): RunResult {
  const t0 = performance.now();
  const s = opts.settings ?? nextProductSettings(db).value;
  const stamp = new Date().toISOString();
  const result = db.transaction(() => {
    buildHoldingSets(db, opts.today, s.npPayrollDays);
    const byKind = new Map<string, Map<number, number>>();
    let customers = 0;
    for (const r of SET_COUNTS.all(db)) {
      const m = byKind.get(r.kind) ?? new Map<number, number>();
      m.set(r.mask, r.n);
      byKind.set(r.kind, m);
      customers += r.n;
    }
    const onSale = new Set(OFFERED.all(db).map((r) => r.category));
    const offered = new Set(NEXT_PRODUCT_ITEMS.filter((i) => !NOT_OFFERED.includes(i) && onSale.has(i)));

    // rules: keep ids of rules that still qualify, update their counts, drop the rest
    const upsert = db.prepare<[string, string, string, number, number, number, number, string], { id: number }>(
      `INSERT INTO next_product_rules (kind, antecedent, consequent, customers, antecedent_n, both_n, consequent_n, mined_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(kind, antecedent, consequent) DO UPDATE SET customers = excluded.customers, antecedent_n = excluded.antecedent_n,
         both_n = excluded.both_n, consequent_n = excluded.consequent_n, mined_at = excluded.mined_at
       RETURNING id`,
    );
    db.exec(`DROP TABLE IF EXISTS temp.np_ranks;
      CREATE TEMP TABLE np_ranks (kind TEXT NOT NULL, mask INTEGER NOT NULL, rank INTEGER NOT NULL, item TEXT NOT NULL,
        rule_id INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY (kind, mask, rank))`);
    const insRank = db.prepare('INSERT INTO temp.np_ranks VALUES (?, ?, ?, ?, ?, ?)');
    let ruleCount = 0;
    for (const [kind, counts] of byKind) {
      const rules = mineRules(kind, counts, s, offered);
      const ids = new Map<MinedRule, number>();
      for (const r of rules) {
        const row = upsert.get(
          r.kind,
          r.antecedent.join(','),
          r.consequent,
          r.customers,
          r.antecedentN,
          r.bothN,
          r.consequentN,
          stamp,
        );
        ids.set(r, row!.id);
      }
      ruleCount += rules.length;
      for (const mask of counts.keys())
        for (const [i, x] of rankForSet(mask, rules, s.npTopN).entries())
          insRank.run(kind, mask, i + 1, x.item, ids.get(x.rule)!, figures(x.rule).confidence);
    }
    db.prepare('DELETE FROM next_product_rules WHERE mined_at <> ?').run(stamp);

    // sets whose ranking changed (either way), then the customers to rewrite
    db.exec(`DROP TABLE IF EXISTS temp.np_changed;
      CREATE TEMP TABLE np_changed (kind TEXT NOT NULL, mask INTEGER NOT NULL, PRIMARY KEY (kind, mask));
      INSERT OR IGNORE INTO temp.np_changed SELECT kind, mask FROM (
        SELECT kind, mask, rank, item, rule_id FROM temp.np_ranks EXCEPT SELECT kind, mask, rank, item, rule_id FROM next_product_set_ranks);
      INSERT OR IGNORE INTO temp.np_changed SELECT kind, mask FROM (
        SELECT kind, mask, rank, item, rule_id FROM next_product_set_ranks EXCEPT SELECT kind, mask, rank, item, rule_id FROM temp.np_ranks);
      DROP TABLE IF EXISTS temp.np_rewrite;
      CREATE TEMP TABLE np_rewrite (customer_id INTEGER PRIMARY KEY);
      INSERT INTO temp.np_rewrite SELECT s.customer_id FROM temp.np_sets s
        LEFT JOIN customer_holding_sets h ON h.customer_id = s.customer_id
        WHERE h.customer_id IS NULL OR h.mask <> s.mask OR h.kind <> s.kind
           OR EXISTS (SELECT 1 FROM temp.np_changed x WHERE x.kind = s.kind AND x.mask = s.mask);
      INSERT OR IGNORE INTO temp.np_rewrite SELECT h.customer_id FROM customer_holding_sets h
        WHERE NOT EXISTS (SELECT 1 FROM temp.np_sets s WHERE s.customer_id = h.customer_id);`);

    // the lab's models: their candidates' customers are rewritten too, merged below
    const model = new Map<number, { item: NextProductItem; score: number; modelVersion: number }[]>();
    for (const ranker of opts.rankers ?? [])
      for (const c of ranker.scores(db)) {
        if (!offered.has(c.item) || !Number.isFinite(c.score)) continue;
        const list = model.get(c.customerId) ?? [];
        list.push({ item: c.item, score: c.score, modelVersion: c.modelVersion });
        model.set(c.customerId, list);
      }
    const addRewrite = db.prepare('INSERT OR IGNORE INTO temp.np_rewrite VALUES (?)');
    for (const id of model.keys()) addRewrite.run(id);
    // and those a model ranked last time: a model switched off or rescored must not leave its offer behind
    db.exec(
      `INSERT OR IGNORE INTO temp.np_rewrite SELECT DISTINCT customer_id FROM customer_next_products WHERE source = 'model'`,
    );

    db.exec(`DELETE FROM customer_next_products WHERE customer_id IN (SELECT customer_id FROM temp.np_rewrite);
      INSERT INTO customer_next_products (customer_id, rank, item, score, source, rule_id, model_version)
        SELECT s.customer_id, k.rank, k.item, k.score, 'rules', k.rule_id, NULL
        FROM temp.np_rewrite w JOIN temp.np_sets s ON s.customer_id = w.customer_id
        JOIN temp.np_ranks k ON k.kind = s.kind AND k.mask = s.mask;`);
    if (model.size) mergeModelScores(db, model, s.npTopN);
    const rewritten = (db.prepare('SELECT COUNT(*) AS n FROM temp.np_rewrite').get() as { n: number }).n;

    db.exec(`DELETE FROM customer_holding_sets WHERE customer_id IN (SELECT customer_id FROM temp.np_rewrite)
        AND customer_id NOT IN (SELECT customer_id FROM temp.np_sets);
      INSERT INTO customer_holding_sets (customer_id, kind, mask)
        SELECT s.customer_id, s.kind, s.mask FROM temp.np_rewrite w JOIN temp.np_sets s ON s.customer_id = w.customer_id
        ON CONFLICT(customer_id) DO UPDATE SET kind = excluded.kind, mask = excluded.mask;
      DELETE FROM next_product_set_ranks;
      INSERT INTO next_product_set_ranks (kind, mask, rank, item, rule_id) SELECT kind, mask, rank, item, rule_id FROM temp.np_ranks;
      DROP TABLE temp.np_ranks; DROP TABLE temp.np_changed; DROP TABLE temp.np_rewrite; DROP TABLE temp.np_sets;`);
    return { customers, rules: ruleCount, rewritten };
  })();
  const ms = Math.round(performance.now() - t0);
  db.prepare('INSERT INTO next_product_runs (customers, rules, rewritten, ms) VALUES (?, ?, ?, ?)').run(
    result.customers,
    result.rules,
    result.rewritten,
    ms,
  );
  return { ...result, ms };
}

/** Customers a model scored: their rule rows and the model's candidates (items not held), best topN by score. */
function mergeModelScores(
  db: Database,
  model: ReadonlyMap<number, { item: NextProductItem; score: number; modelVersion: number }[]>,
  topN: number,
): void {
  const rulesOf = db.prepare<[number], { item: NextProductItem; score: number; ruleId: number }>(
    `SELECT item, score, rule_id AS ruleId FROM customer_next_products WHERE customer_id = ? ORDER BY rank`,
  );
  const maskOfCustomer = db.prepare<[number], { mask: number }>('SELECT mask FROM temp.np_sets WHERE customer_id = ?');
  const del = db.prepare('DELETE FROM customer_next_products WHERE customer_id = ?');
  const ins = db.prepare(
    'INSERT INTO customer_next_products (customer_id, rank, item, score, source, rule_id, model_version) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const [customerId, scored] of model) {
    const set = maskOfCustomer.get(customerId);
    if (!set) continue; // closed or unknown
    type Cand = { item: NextProductItem; score: number; ruleId: number | null; modelVersion: number | null };
    const best = new Map<NextProductItem, Cand>();
    for (const r of rulesOf.all(customerId)) best.set(r.item, { ...r, modelVersion: null });
    for (const m of scored) {
      if (set.mask & bit(m.item)) continue;
      const cur = best.get(m.item);
      if (!cur || m.score > cur.score)
        best.set(m.item, { item: m.item, score: m.score, ruleId: null, modelVersion: m.modelVersion });
    }
    del.run(customerId);
    const ranked = [...best.values()]
      .sort((a, b) => b.score - a.score || NEXT_PRODUCT_ITEMS.indexOf(a.item) - NEXT_PRODUCT_ITEMS.indexOf(b.item))
      .slice(0, topN);
    for (const [i, c] of ranked.entries())
      ins.run(customerId, i + 1, c.item, c.score, c.ruleId != null ? 'rules' : 'model', c.ruleId, c.modelVersion);
  }
}

export interface NextProductRow {
  rank: number;
  item: NextProductItem;
  score: number;
  source: 'rules' | 'model';
  modelVersion: number | null;
  rule: ({ antecedent: NextProductItem[]; kind: string } & RuleFigures & { customers: number; bothN: number }) | null;
}

/**
 * One customer's offer, limited in SQL to the caller's scope (`scopeSql` over alias c). A customer outside
 * the scope (or unknown) is NOT_FOUND, as every other customer read answers (never "exists but forbidden",
 * never an empty offer that reads as "nothing to suggest").
 */
export function nextProductsFor(
  db: Database,
  customerId: number,
  scopeSql: string,
  scopeParams: readonly (string | number)[],
): NextProductRow[] {
  const rows = all<{
    rank: number;
    item: NextProductItem;
    score: number;
    source: 'rules' | 'model';
    modelVersion: number | null;
    antecedent: string | null;
    kind: string | null;
    customers: number | null;
    antecedentN: number | null;
    bothN: number | null;
    consequentN: number | null;
  }>(
    db,
    `SELECT n.rank, n.item, n.score, n.source, n.model_version AS modelVersion, r.antecedent, r.kind, r.customers,
            r.antecedent_n AS antecedentN, r.both_n AS bothN, r.consequent_n AS consequentN
     FROM customers c JOIN customer_next_products n ON n.customer_id = c.id
     LEFT JOIN next_product_rules r ON r.id = n.rule_id
     WHERE c.id = ? AND (${scopeSql}) ORDER BY n.rank`,
    customerId,
    ...scopeParams,
  );
  if (
    rows.length === 0 &&
    !first(db, `SELECT 1 AS x FROM customers c WHERE c.id = ? AND (${scopeSql})`, customerId, ...scopeParams)
  )
    throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
  return rows.map((r) => ({
    rank: r.rank,
    item: r.item,
    score: r.score,
    source: r.source,
    modelVersion: r.modelVersion,
    rule:
      r.antecedent != null && r.customers != null
        ? {
            kind: r.kind ?? '',
            antecedent: r.antecedent.split(',') as NextProductItem[],
            customers: r.customers,
            bothN: r.bothN ?? 0,
            ...figures({
              customers: r.customers,
              antecedentN: r.antecedentN ?? 0,
              bothN: r.bothN ?? 0,
              consequentN: r.consequentN ?? 0,
            }),
          }
        : null,
  }));
}

export interface RuleListRow extends RuleFigures {
  kind: string;
  antecedent: NextProductItem[];
  consequent: NextProductItem;
  customers: number;
  bothN: number;
}

/** The mined rules, strongest first (by lift, then confidence), for the settings page. */
export function listRules(
  db: Database,
  limit: number,
): { rules: RuleListRow[]; total: number; minedAt: string | null } {
  const rows = all<{
    kind: string;
    antecedent: string;
    consequent: NextProductItem;
    customers: number;
    antecedentN: number;
    bothN: number;
    consequentN: number;
    minedAt: string;
  }>(
    db,
    `SELECT kind, antecedent, consequent, customers, antecedent_n AS antecedentN, both_n AS bothN, consequent_n AS consequentN,
            mined_at AS minedAt FROM next_product_rules`,
  );
  const rules = rows
    .map((r) => ({
      kind: r.kind,
      antecedent: r.antecedent.split(',') as NextProductItem[],
      consequent: r.consequent,
      customers: r.customers,
      bothN: r.bothN,
      ...figures(r),
    }))
    .sort((a, b) => b.lift - a.lift || b.confidence - a.confidence);
  return { rules: rules.slice(0, limit), total: rules.length, minedAt: rows[0]?.minedAt ?? null };
}
