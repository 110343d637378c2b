import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFactors, retier, whatIf } from '../../../db/tiering';
import { DEFAULT_TIER_MODEL, TIER_ORDER, tierModelSchema, type TierModel } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { referenceSummaries, storedSummaries } from '../imports/helpers';

const TODAY = '2026-10-31';
let store: DemoStore;

interface F {
  customer_id: number;
  deposits: number;
  term_deposits: number;
  wealth: number;
  deposit_growth: number;
  loans: number;
  loan_interest: number;
  ebanking: number;
  tenure_years: number;
  overdue_loan: number;
  bad_loan: number;
  dormant: number;
}

/** The model applied in plain TypeScript, the slow obvious way, to check the SQL. */
function referenceTier(model: TierModel, f: F): string {
  const value: Record<string, number> = {
    deposits: f.deposits / 100,
    termDeposits: f.term_deposits / 100,
    wealth: f.wealth / 100,
    depositGrowth: f.deposit_growth / 100,
    loans: f.loans / 100,
    loanInterest: f.loan_interest / 100,
    ebanking: f.ebanking,
    tenureYears: f.tenure_years,
  };
  const flags: Record<string, number> = { overdueLoan: f.overdue_loan, badLoan: f.bad_loan, dormant: f.dormant };
  const total = model.factors.reduce((s, x) => s + x.weight, 0);
  let score =
    (model.factors.reduce(
      (s, x) => s + Math.min(1, Math.max(0, (value[x.factor]! - x.zero) / (x.full - x.zero))) * x.weight,
      0,
    ) *
      100) /
    total;
  for (const p of model.penalties) score -= flags[p.penalty]! * p.points;
  const t = model.thresholds;
  let rank =
    score >= t.gold
      ? 0
      : score >= t.quality
        ? 1
        : score >= t.key
          ? 2
          : score >= t.ordinary
            ? 3
            : score >= t.restricted
              ? 4
              : 5;
  for (const p of model.penalties) if (p.capAt && flags[p.penalty]) rank = Math.max(rank, TIER_ORDER.indexOf(p.capAt));
  return TIER_ORDER[rank]!;
}

beforeAll(async () => {
  store = await makeDemoStore({ customers: 800, seed: 41 });
  refreshFactors(store.db, TODAY);
}, 60_000);
afterAll(() => {
  store.close();
  removeTempDirs();
});

describe('tier model (客户细分)', () => {
  it('measures factors from the raw tables', () => {
    const db = store.db;
    const factors = db.prepare('SELECT * FROM customer_factors').all() as F[];
    expect(factors).toHaveLength(800);
    const c = db
      .prepare(
        `SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status = 'active') LIMIT 1`,
      )
      .get() as { id: number };
    const f = factors.find((x) => x.customer_id === c.id)!;
    const one = <T>(sql: string, ...p: unknown[]) => (db.prepare(sql).get(...p) as { v: T }).v;
    expect(f.deposits).toBe(one<number>('SELECT deposit_fen AS v FROM customers WHERE id = ?', c.id));
    expect(f.term_deposits).toBe(
      one<number>(
        `SELECT COALESCE(SUM(balance_fen), 0) AS v FROM accounts WHERE customer_id = ? AND kind = 'term' AND status <> 'closed'`,
        c.id,
      ),
    );
    expect(f.loans).toBe(one<number>('SELECT loan_fen AS v FROM customers WHERE id = ?', c.id));
    expect(f.loan_interest).toBe(
      one<number>(
        `SELECT COALESCE(SUM(balance_fen * rate_ppm / 1000000), 0) AS v FROM loans WHERE customer_id = ? AND status = 'active'`,
        c.id,
      ),
    );
    expect(f.ebanking).toBe(
      one<number>(
        `SELECT COUNT(*) AS v FROM transactions WHERE customer_id = ? AND channel IN ('online','phone') AND txn_at >= '2026-08-02 00:00:00'`,
        c.id,
      ),
    );
    expect(factors.some((x) => x.ebanking > 0)).toBe(true);
    expect(factors.some((x) => x.deposit_growth !== 0)).toBe(true);
  });

  it('what-if: the from/to matrix equals the model applied customer by customer', () => {
    const factors = store.db.prepare('SELECT * FROM customer_factors').all() as F[];
    const current = new Map(
      (
        store.db.prepare(`SELECT id, COALESCE(tier, 'none') AS t, aum_fen AS a FROM customers`).all() as {
          id: number;
          t: string;
          a: number;
        }[]
      ).map((r) => [r.id, r]),
    );
    const want = new Map<string, { n: number; aum: number }>();
    for (const f of factors) {
      const key = `${current.get(f.customer_id)!.t}>${referenceTier(DEFAULT_TIER_MODEL, f)}`;
      const cell = want.get(key) ?? { n: 0, aum: 0 };
      cell.n++;
      cell.aum += current.get(f.customer_id)!.a;
      want.set(key, cell);
    }
    const got = whatIf(store.db, DEFAULT_TIER_MODEL);
    expect(new Map(got.map((c) => [`${c.from}>${c.to}`, { n: c.customers, aum: Number(c.aumFen) }]))).toEqual(want);
    expect(new Set(got.map((c) => c.to)).size).toBeGreaterThanOrEqual(4); // the default model spreads the book
  });

  it('re-tiering records every change, keeps versions, and leaves the summaries exact; again changes nothing', () => {
    const before = new Map(
      (store.db.prepare('SELECT id, tier FROM customers').all() as { id: number; tier: string | null }[]).map((r) => [
        r.id,
        r.tier,
      ]),
    );
    const r = retier(store.db, DEFAULT_TIER_MODEL, { userId: null, now: new Date('2026-10-31T10:00:00Z') });
    const after = store.db.prepare('SELECT id, tier FROM customers').all() as { id: number; tier: string }[];
    const moved = after.filter((a) => before.get(a.id) !== a.tier);
    expect(r.changed).toBe(moved.length);
    expect(
      store.db.prepare('SELECT COUNT(*) AS n FROM customer_tier_changes WHERE model_version = ?').get(r.version),
    ).toEqual({ n: moved.length });
    const f = store.db.prepare('SELECT * FROM customer_factors').all() as F[];
    for (const x of f.slice(0, 200))
      expect(after.find((a) => a.id === x.customer_id)!.tier).toBe(referenceTier(DEFAULT_TIER_MODEL, x));
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
    const again = retier(store.db, DEFAULT_TIER_MODEL, { userId: null, now: new Date('2026-10-31T11:00:00Z') });
    expect(again.changed).toBe(0);
    expect(store.db.prepare('SELECT version, active FROM tier_models ORDER BY version').all()).toEqual([
      { version: r.version, active: 0 },
      { version: again.version, active: 1 },
    ]);
  });

  it('a large re-tier rebuilds the tier indexes rather than updating them: same indexes, same answers', () => {
    const indexes = () =>
      store.db
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' ORDER BY name`)
        .all();
    const before = indexes();
    expect(before.filter((i) => String((i as { sql: string | null }).sql).includes('tier')).length).toBeGreaterThan(0);
    const model = {
      ...DEFAULT_TIER_MODEL,
      thresholds: { ...DEFAULT_TIER_MODEL.thresholds, key: DEFAULT_TIER_MODEL.thresholds.key + 5 },
    };
    const r = retier(store.db, model, { userId: null, now: new Date('2026-10-31T12:00:00Z'), bulkFrom: 1 });
    expect(r.changed).toBeGreaterThan(0);
    expect(indexes()).toEqual(before);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Reading through the rebuilt index (tier, aum) gives what a scan of the table gives.
    const viaIndex = store.db
      .prepare(
        `SELECT tier, COUNT(*) AS n FROM customers INDEXED BY customers_tier WHERE tier IS NOT NULL GROUP BY tier ORDER BY tier`,
      )
      .all();
    const viaTable = store.db
      .prepare(
        `SELECT tier, COUNT(*) AS n FROM customers NOT INDEXED WHERE tier IS NOT NULL GROUP BY tier ORDER BY tier`,
      )
      .all();
    expect(viaIndex).toEqual(viaTable);
    const f = store.db.prepare('SELECT * FROM customer_factors').all() as F[];
    const tiers = new Map(
      (store.db.prepare('SELECT id, tier FROM customers').all() as { id: number; tier: string }[]).map((c) => [
        c.id,
        c.tier,
      ]),
    );
    for (const x of f) expect(tiers.get(x.customer_id)).toBe(referenceTier(model, x));
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
  });

  it('refuses an impossible model before anything runs', () => {
    const bad = { ...DEFAULT_TIER_MODEL, thresholds: { gold: 10, quality: 40, key: 22, ordinary: 8, restricted: 3 } };
    expect(tierModelSchema.safeParse(bad).success).toBe(false);
    expect(() => whatIf(store.db, bad)).toThrow();
    const zero = { ...DEFAULT_TIER_MODEL, factors: [{ factor: 'deposits' as const, weight: 1, zero: 5, full: 5 }] };
    expect(tierModelSchema.safeParse(zero).success).toBe(false);
  });
});
