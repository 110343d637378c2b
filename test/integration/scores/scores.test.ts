/**
 * Customer scores (issue 20.1) against references written here from the raw tables in plain SQL and
 * JavaScript (not db/scores/compute.ts's code path): contribution and its parts, the points ledger and
 * balance, CLV from the stored retention; incremental runs equal a full recompute; parameters are
 * validated and a refused set changes nothing.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridCount } from '../../../db/repos/customer-grid';
import { scopeFor } from '../../../db/scope';
import { computeScores } from '../../../db/scores/compute';
import { valueByTier } from '../../../db/scores/report';
import { reportScopeOf } from '../../../db/reporting/read';
import { refreshFactors, whatIf } from '../../../db/tiering';
import { DEFAULT_TIER_MODEL, TIERS, type TierModel } from '../../../shared/tiers';
import { WIDGETS, type WidgetEnv } from '../../../main/desktop/widgets';
import { readScoreParams, saveScoreParams } from '../../../db/scores/params';
import { AppError } from '../../../shared/errors';
import { DEFAULT_SCORE_PARAMS, type ScoreParams } from '../../../shared/scores';
import { projectScoreSettings } from '../../../db/sync/settings';
import { checkWrite } from '../../../shared/sync/rules';
import { makeDemoStore, removeTempDirs, tableDigest, type DemoStore } from '../demo/helpers';

const TODAY = '2026-11-02';
let demo: DemoStore;
let db: Database;

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 400, seed: 11 });
  db = demo.db;
});
afterAll(() => {
  demo.close();
  removeTempDirs();
});

// ---- the reference, from the raw tables ----

const ym = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
const idx = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
function lastDay(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
}
const rnd = (a: bigint, b: bigint) => (a * 2n + b) / (2n * b); // non-negative: half up
const asOf = () => (db.prepare('SELECT MAX(month) AS m FROM report_months').get() as { m: string }).m;

/** Month-end balance per customer, product class and month, for the given months, in plain SQL. */
function monthEndBalances(months: string[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (cid: number, cls: string, m: string, v: number) => {
    const k = `${cid}|${cls}|${m}`;
    out.set(k, (out.get(k) ?? 0n) + BigInt(v));
  };
  for (const m of months) {
    const end = lastDay(m);
    for (const r of db
      .prepare(
        `SELECT a.customer_id AS c, CASE WHEN p.category IN ('demand','card','term','cd') THEN p.category ELSE 'demand' END AS cls, d.balance_fen AS v
         FROM accounts a JOIN products p ON p.id = a.product_id JOIN daily_balances d ON d.account_id = a.id
         WHERE a.kind IN ('demand','card') AND d.on_date = (SELECT MAX(x.on_date) FROM daily_balances x WHERE x.account_id = a.id AND x.on_date BETWEEN ? AND ?)`,
      )
      .all(`${m}-01`, end) as { c: number; cls: string; v: number }[])
      add(r.c, r.cls, m, r.v);
    for (const r of db
      .prepare(
        `SELECT t.customer_id AS c, CASE WHEN p.category = 'cd' THEN 'cd' ELSE 'term' END AS cls, t.principal_fen AS v
         FROM term_deposits t JOIN products p ON p.id = t.product_id
         WHERE t.start_on <= @e AND (t.status = 'active' OR (t.status = 'matured' AND t.maturity_on > @e))`,
      )
      .all({ e: end }) as { c: number; cls: string; v: number }[])
      add(r.c, r.cls, m, r.v);
    for (const r of db
      .prepare(
        `SELECT h.customer_id AS c, CASE WHEN p.category IN ('fund','insurance') THEN p.category ELSE 'wealth' END AS cls, h.market_value_fen AS v
         FROM wealth_holdings h JOIN products p ON p.id = h.product_id
         WHERE h.purchased_on <= @e AND (h.status = 'active' OR (h.status = 'matured' AND h.maturity_on > @e))`,
      )
      .all({ e: end }) as { c: number; cls: string; v: number }[])
      add(r.c, r.cls, m, r.v);
    for (const r of db
      .prepare(`SELECT customer_id AS c, balance_fen AS v FROM loans WHERE status = 'active' AND disbursed_on <= ?`)
      .all(end) as { c: number; v: number }[])
      add(r.c, 'loan', m, r.v);
  }
  return out;
}

interface RefContribution {
  deposit: bigint;
  loan: bigint;
  wealth: bigint;
  fee: bigint;
  total: bigint;
}

function referenceContribution(p: ScoreParams): Map<number, RefContribution> {
  const m = idx(asOf());
  const months = Array.from({ length: 12 }, (_, i) => ym(m - 11 + i));
  const bal = monthEndBalances(months);
  const sums = new Map<string, bigint>();
  for (const [k, v] of bal) {
    const [c, cls] = k.split('|');
    sums.set(`${c}|${cls}`, (sums.get(`${c}|${cls}`) ?? 0n) + v);
  }
  const out = new Map<number, RefContribution>();
  for (const id of db.prepare('SELECT id FROM customers').pluck().all() as number[])
    out.set(id, { deposit: 0n, loan: 0n, wealth: 0n, fee: 0n, total: 0n });
  for (const [k, sum] of sums) {
    const [c, cls] = k.split('|') as [string, keyof ScoreParams['rates']];
    const income = rnd(sum * BigInt(p.rates[cls]), 12_000_000n);
    const r = out.get(Number(c))!;
    if (cls === 'loan') r.loan += income;
    else if (['wealth', 'fund', 'insurance'].includes(cls)) r.wealth += income;
    else r.deposit += income;
  }
  for (const f of db
    .prepare(
      `SELECT customer_id AS c, SUM(amount_fen) AS s FROM transactions
       WHERE txn_type = 'fee' AND direction = 'D' AND txn_at >= ? AND txn_at <= ? GROUP BY customer_id`,
    )
    .all(`${months[0]}-01 00:00:00`, `${lastDay(asOf())} 23:59:59`) as { c: number; s: number }[])
    out.get(f.c)!.fee = rnd(BigInt(f.s) * BigInt(p.feeShare), 1_000_000n);
  for (const r of out.values()) r.total = r.deposit + r.loan + r.wealth + r.fee;
  return out;
}

/** Points earned per customer and month: balance points on reported months, transaction points capped a month. */
function referenceEarned(p: ScoreParams): Map<number, Map<string, { b: number; t: number }>> {
  const m = idx(asOf());
  const p0 = m - p.points.expiryMonths - 11;
  const reported = db
    .prepare('SELECT month FROM report_months WHERE month >= ? AND month <= ?')
    .pluck()
    .all(ym(p0), asOf()) as string[];
  const bal = monthEndBalances(reported);
  const aum = new Map<string, bigint>();
  for (const [k, v] of bal) {
    const [c, cls, mo] = k.split('|');
    if (cls === 'loan') continue;
    aum.set(`${c}|${mo}`, (aum.get(`${c}|${mo}`) ?? 0n) + v);
  }
  const out = new Map<number, Map<string, { b: number; t: number }>>();
  const at = (c: number, mo: string) => {
    const x = out.get(c) ?? new Map<string, { b: number; t: number }>();
    out.set(c, x);
    const e = x.get(mo) ?? { b: 0, t: 0 };
    x.set(mo, e);
    return e;
  };
  for (const [k, v] of aum) {
    if (v <= 0n) continue;
    const [c, mo] = k.split('|');
    const pts = Number((v / BigInt(p.points.balanceUnitYuan * 100)) * BigInt(p.points.balancePoints));
    if (pts > 0) at(Number(c), mo!).b = Math.min(p.points.balanceCap, pts);
  }
  if (p.points.txnTypes.length > 0) {
    const types = p.points.txnTypes;
    for (const r of db
      .prepare(
        `SELECT customer_id AS c, substr(txn_at, 1, 7) AS mo, SUM(amount_fen / ?) AS units FROM transactions
         WHERE txn_type IN (${types.map(() => '?').join(',')}) AND txn_at >= ? AND txn_at <= ? GROUP BY 1, 2`,
      )
      .all(BigInt(p.points.txnUnitYuan * 100), ...types, `${ym(p0)}-01`, `${lastDay(asOf())} 23:59:59`) as {
      c: number;
      mo: string;
      units: number;
    }[]) {
      const pts = Math.min(p.points.txnCap, r.units * p.points.txnPoints);
      if (pts > 0) at(r.c, r.mo).t = pts;
    }
  }
  return out;
}

function scoresDigest(): Record<string, unknown> {
  return {
    scores: tableDigest(db, 'customer_scores'),
    ledger: tableDigest(db, 'points_ledger'),
    customers: db
      .prepare('SELECT id, contribution_fen, loyalty, clv_fen, points FROM customers ORDER BY id')
      .raw()
      .all(),
  };
}

describe('customer scores', () => {
  it("each customer's contribution equals the reference computed from the raw tables, to the fen", () => {
    const r = computeScores(db, { today: TODAY, full: true });
    expect(r.mode).toBe('full');
    expect(r.customers).toBe(400);
    const p = readScoreParams(db);
    const ref = referenceContribution(p);
    const stored = db
      .prepare(
        `SELECT s.customer_id AS id, s.deposit_fen AS d, s.loan_fen AS l, s.wealth_fen AS w, s.fee_fen AS f,
                s.contribution_fen AS t, c.contribution_fen AS ct
         FROM customer_scores s JOIN customers c ON c.id = s.customer_id`,
      )
      .all() as { id: number; d: number; l: number; w: number; f: number; t: number; ct: number }[];
    expect(stored.length).toBe(400);
    let nonZero = 0;
    for (const s of stored) {
      const e = ref.get(s.id)!;
      expect([s.d, s.l, s.w, s.f, s.t], `customer ${s.id}`).toEqual([
        Number(e.deposit),
        Number(e.loan),
        Number(e.wealth),
        Number(e.fee),
        Number(e.total),
      ]);
      expect(s.ct).toBe(s.t);
      if (s.l > 0 && s.w > 0 && s.f > 0) nonZero++;
    }
    // The demo book exercises every part: some customers have loan, wealth and fee income at once.
    expect(nonZero).toBeGreaterThan(0);
  });

  it('the points balance is a replay of the ledger, and the ledger is what the rules earn', () => {
    const p = readScoreParams(db);
    const ledger = db
      .prepare(
        'SELECT customer_id AS c, month AS m, balance_pts AS b, txn_pts AS t, expired_pts AS x FROM points_ledger ORDER BY customer_id, month',
      )
      .all() as { c: number; m: string; b: number; t: number; x: number }[];
    expect(ledger.length).toBeGreaterThan(400);
    // Replay: earn month by month, expire what was earned expiryMonths before (first in, first out).
    const replay = new Map<number, number>();
    const byCustomer = new Map<number, Map<string, { b: number; t: number; x: number }>>();
    for (const l of ledger) {
      replay.set(l.c, (replay.get(l.c) ?? 0) + l.b + l.t - l.x);
      if (!byCustomer.has(l.c)) byCustomer.set(l.c, new Map());
      byCustomer.get(l.c)!.set(l.m, l);
    }
    const points = db.prepare('SELECT id, points FROM customers').all() as { id: number; points: number }[];
    for (const c of points) expect(c.points, `customer ${c.id}`).toBe(replay.get(c.id) ?? 0);
    for (const [c, rows] of byCustomer)
      for (const [m, l] of rows) {
        const earnedThen = rows.get(ym(idx(m) - p.points.expiryMonths));
        expect(l.x, `${c} ${m}`).toBe(earnedThen ? earnedThen.b + earnedThen.t : 0);
      }
    // Earned entries against the rules applied to the raw tables.
    const ref = referenceEarned(p);
    for (const c of points) {
      const mine = [...(byCustomer.get(c.id) ?? new Map()).entries()]
        .filter(([, l]) => l.b || l.t)
        .map(([m, l]) => [m, l.b, l.t]);
      const theirs = [...(ref.get(c.id) ?? new Map()).entries()].sort().map(([m, e]) => [m, e.b, e.t]);
      expect(mine, `customer ${c.id}`).toEqual(theirs);
    }
    expect(points.some((c) => c.points > 0)).toBe(true);
  });

  it('CLV is the contribution times the discounted retention of its tier, as stored', () => {
    const p = readScoreParams(db);
    const groups = JSON.parse(
      (db.prepare('SELECT retention FROM score_state').get() as { retention: string }).retention,
    ) as { tier: string; retentionPpm: number }[];
    const byTier = new Map(groups.map((g) => [g.tier, g.retentionPpm]));
    for (const r of db
      .prepare(
        `SELECT s.contribution_fen AS c, s.retention_ppm AS rho, s.clv_fen AS clv, COALESCE(k.tier, '') AS tier
         FROM customer_scores s JOIN customers k ON k.id = s.customer_id`,
      )
      .all() as { c: number; rho: number; clv: number; tier: string }[]) {
      expect(r.rho).toBe(byTier.get(r.tier) ?? byTier.get('*'));
      let sum = 0;
      for (let t = 1; t <= p.clv.horizonYears; t++) sum += (r.rho / 1e6) ** t / (1 + p.clv.discountRate / 1e6) ** t;
      expect(Math.abs(r.clv - r.c * sum)).toBeLessThanOrEqual(0.5 + r.c * sum * 1e-12);
    }
  });

  it('an incremental run after import jobs equals a full recompute', () => {
    computeScores(db, { today: TODAY, full: true });
    // Nothing changed: nobody is recomputed.
    expect(computeScores(db, { today: TODAY }).customers).toBe(0);
    const ids = db.prepare('SELECT id FROM customers ORDER BY id LIMIT 6').pluck().all() as number[];
    const job = (kind: string) =>
      Number(
        db
          .prepare(
            `INSERT INTO import_jobs (kind, profile_name, profile, file_name, file_path, file_bytes, checksum, status)
             VALUES (?, 'test', '{}', 'f', 'f', 1, hex(randomblob(8)), 'committed')`,
          )
          .run(kind).lastInsertRowid,
      );
    // A journal: a fee and a purchase for two customers.
    const j1 = job('transactions');
    const acct = (c: number) =>
      db.prepare("SELECT id FROM accounts WHERE customer_id = ? AND kind = 'demand' LIMIT 1").pluck().get(c) as number;
    const txn = db.prepare(
      `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type, created_job_id, last_job_id)
       VALUES (?, ?, ?, ?, ?, ?, 'online', ?, ?, ?)`,
    );
    txn.run(`T-${j1}-1`, acct(ids[0]!), ids[0]!, '2026-10-15 10:00:00', 12_345, 'D', 'fee', j1, j1);
    txn.run(`T-${j1}-2`, acct(ids[1]!), ids[1]!, '2026-10-16 11:00:00', 987_654, 'D', 'consumption', j1, j1);
    // A balance extract correcting one month end.
    const j2 = job('daily_balances');
    const a2 = acct(ids[2]!);
    const before = db
      .prepare(
        "SELECT on_date, balance_fen FROM daily_balances WHERE account_id = ? AND on_date LIKE '2026-09%' ORDER BY on_date DESC LIMIT 1",
      )
      .get(a2) as { on_date: string; balance_fen: number };
    db.prepare(
      'UPDATE daily_balances SET balance_fen = balance_fen + 50000000 WHERE account_id = ? AND on_date = ?',
    ).run(a2, before.on_date);
    db.prepare('INSERT INTO import_balance_changes (job_id, account_id, on_date, before_fen) VALUES (?, ?, ?, ?)').run(
      j2,
      a2,
      before.on_date,
      before.balance_fen,
    );
    // A loan extract: a new loan for a fourth customer.
    const j3 = job('loans');
    const prod = db.prepare("SELECT id FROM products WHERE category = 'loan' LIMIT 1").pluck().get() as number;
    const branch = db.prepare('SELECT branch_id FROM customers WHERE id = ?').pluck().get(ids[3]!) as number;
    db.prepare(
      `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on,
         maturity_on, repayment_method, created_job_id, last_job_id)
       VALUES (?, 'C1', ?, ?, ?, 80000000, 75000000, 43500, '2026-03-10', '2031-03-10', 'equal_installment', ?, ?)`,
    ).run(`L-${j3}`, ids[3]!, prod, branch, j3, j3);

    const inc = computeScores(db, { today: TODAY });
    expect(inc.mode).toBe('incremental');
    expect(inc.customers).toBe(4);
    const incremental = scoresDigest();
    const full = computeScores(db, { today: TODAY, full: true });
    expect(full.mode).toBe('full');
    expect(scoresDigest()).toEqual(incremental);
  });

  it('a customer closed by a CIF job moves the retention: every CLV follows, still equal to a full run', () => {
    const id = db
      .prepare(
        "SELECT id FROM customers WHERE status = 'active' AND opened_on < '2025-01-01' AND tier IS NOT NULL LIMIT 1",
      )
      .pluck()
      .get() as number;
    const job = Number(
      db
        .prepare(
          `INSERT INTO import_jobs (kind, profile_name, profile, file_name, file_path, file_bytes, checksum, status)
           VALUES ('customers', 'test', '{}', 'f', 'f', 1, 'x2', 'committed')`,
        )
        .run().lastInsertRowid,
    );
    db.prepare("UPDATE customers SET status = 'closed', last_job_id = ? WHERE id = ?").run(job, id);
    db.prepare("UPDATE accounts SET status = 'closed', closed_on = '2026-08-20' WHERE customer_id = ?").run(id);
    const before = db.prepare('SELECT retention FROM score_state').pluck().get();
    const inc = computeScores(db, { today: TODAY });
    expect(inc.mode).toBe('incremental');
    expect(db.prepare('SELECT retention FROM score_state').pluck().get()).not.toEqual(before);
    expect(inc.clvUpdated).toBeGreaterThan(1);
    const incremental = scoresDigest();
    computeScores(db, { today: TODAY, full: true });
    expect(scoresDigest()).toEqual(incremental);
  });

  it('new parameters recompute everyone with them', () => {
    const p = structuredClone(DEFAULT_SCORE_PARAMS);
    p.rates.demand = 25_000;
    p.feeShare = 500_000;
    p.points.txnTypes = ['consumption', 'salary'];
    p.points.expiryMonths = 6;
    saveScoreParams(db, p, null, '2026-11-02T00:00:00Z');
    const r = computeScores(db, { today: TODAY });
    expect(r.mode).toBe('full');
    const ref = referenceContribution(p);
    for (const s of db.prepare('SELECT customer_id AS id, contribution_fen AS t FROM customer_scores').all() as {
      id: number;
      t: number;
    }[])
      expect(s.t).toBe(Number(ref.get(s.id)!.total));
    const expired = db.prepare('SELECT SUM(expired_pts) FROM points_ledger').pluck().get() as number;
    expect(expired).toBeGreaterThan(0);
  });

  it('refuses bad parameters naming the field, and stores nothing', () => {
    const good = readScoreParams(db);
    const cases: [unknown, string, string][] = [
      [
        { ...good, loyalty: { ...good.loyalty, keptWeight: good.loyalty.keptWeight + 1 } },
        'params.loyalty.tenureWeight',
        'weights_sum_100',
      ],
      [{ ...good, rates: { ...good.rates, loan: -1 } }, 'params.rates.loan', 'too_small'],
      [{ ...good, rates: { ...good.rates, term: 1.5 } }, 'params.rates.term', 'invalid_type'],
      [{ ...good, points: { ...good.points, expiryMonths: 0 } }, 'params.points.expiryMonths', 'too_small'],
      [
        { ...good, points: { ...good.points, txnTypes: ['consumption', 'consumption'] } },
        'params.points.txnTypes',
        'duplicate',
      ],
      [{ ...good, clv: { ...good.clv, discountRate: 600_000 } }, 'params.clv.discountRate', 'too_big'],
    ];
    const stored = db.prepare('SELECT params FROM score_settings').pluck().get();
    for (const [input, path, code] of cases) {
      let err: unknown;
      try {
        saveScoreParams(db, input, null, 'x');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      const issues = (err as AppError).details?.issues as { path: string[]; code: string }[];
      expect(issues.map((i) => `${i.path.join('.')}:${i.code}`)).toContain(`${path}:${code}`);
      expect(db.prepare('SELECT params FROM score_settings').pluck().get()).toBe(stored);
    }
  });

  it("the desktop's value bands add up, and each band's drill opens exactly its customers (president and a manager)", () => {
    computeScores(db, { today: TODAY, full: true });
    for (const role of ['president', 'manager'] as const) {
      const who = db
        .prepare(
          'SELECT role, staff_id AS staffId, branch_id AS branchId FROM users WHERE role = ? ORDER BY id LIMIT 1',
        )
        .get(role) as { role: typeof role; staffId: number | null; branchId: number | null };
      const scope = scopeFor(db, who, TODAY);
      const env = { db, scope, today: TODAY } as unknown as WidgetEnv;
      const data = (WIDGETS.customerValue as (c: object, e: WidgetEnv) => unknown)({}, env) as {
        customers: number;
        bands: { customers: number; contribution: string; drill: Parameters<typeof gridCount>[2] }[];
      };
      const inScope = gridCount(db, scope, {}, TODAY);
      expect(data.customers, role).toBe(inScope);
      expect(data.bands.reduce((s, b) => s + b.customers, 0)).toBe(inScope);
      expect(data.bands.filter((b) => b.customers > 0).length).toBeGreaterThan(1);
      for (const b of data.bands)
        expect(gridCount(db, scope, b.drill, TODAY), JSON.stringify(b.drill)).toBe(b.customers);
    }
  });

  it('parameters from the hub: the hub refuses a bad set; a PC stores a good one and keeps its own for a bad one', () => {
    const actor = { userId: 'admin', role: 'admin', staff: null };
    const good = structuredClone(DEFAULT_SCORE_PARAMS);
    good.points.expiryMonths = 12;
    const at = '2026-11-02T08:00:00.000Z';
    expect(
      checkWrite('score_settings', 'branch', null, { params: good, updated_by: 'admin', updated_at: at }, actor),
    ).toBeNull();
    const bad = { ...good, loyalty: { ...good.loyalty, tenureWeight: 90 } };
    expect(
      checkWrite('score_settings', 'branch', null, { params: bad, updated_by: 'admin', updated_at: at }, actor),
    ).toMatchObject({ code: 'transition' });
    const stored = () => db.prepare('SELECT params FROM score_settings').pluck().get() as string;
    projectScoreSettings(db, 'branch', { params: bad, updated_by: 'admin', updated_at: at });
    const before = stored();
    expect(JSON.parse(before).points.expiryMonths).not.toBe(12);
    expect(JSON.parse(before).loyalty.tenureWeight).not.toBe(90);
    projectScoreSettings(db, 'branch', { params: good, updated_by: 'admin', updated_at: at });
    expect(readScoreParams(db)).toEqual(good);
    // the next run sees new parameters and recomputes everyone with them
    expect(computeScores(db, { today: TODAY }).mode).toBe('full');
  });

  it('a tier model may weigh contribution and loyalty: the what-if equals the model applied to the stored scores', () => {
    computeScores(db, { today: TODAY, full: true });
    refreshFactors(db, TODAY);
    const model: TierModel = {
      ...DEFAULT_TIER_MODEL,
      name: 'value',
      factors: [
        { factor: 'contribution', weight: 60, zero: 0, full: 20_000 },
        { factor: 'loyalty', weight: 40, zero: 20, full: 90 },
      ],
      penalties: [],
    };
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    const expected = new Map<string, number>();
    for (const c of db.prepare('SELECT contribution_fen AS fen, loyalty FROM customers').all() as {
      fen: number;
      loyalty: number;
    }[]) {
      const score = ((clamp(c.fen / 100 / 20_000) * 60 + clamp((c.loyalty - 20) / 70) * 40) * 100) / 100;
      const t = model.thresholds;
      const tier =
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
      expected.set(TIERS[tier]!, (expected.get(TIERS[tier]!) ?? 0) + 1);
    }
    const got = new Map<string, number>();
    for (const cell of whatIf(db, model)) got.set(cell.to, (got.get(cell.to) ?? 0) + cell.customers);
    expect(got).toEqual(expected);
    expect(got.size).toBeGreaterThan(2);
  });

  it("the customer report's value by tier: each row's count and sums are its tier's customers in scope, as the grid opens them", () => {
    computeScores(db, { today: TODAY, full: true });
    const who = db
      .prepare("SELECT role, staff_id AS staffId, branch_id AS branchId FROM users WHERE role = 'president' LIMIT 1")
      .get() as { role: 'president'; staffId: number | null; branchId: number | null };
    const scope = scopeFor(db, who, TODAY);
    const rows = valueByTier(db, reportScopeOf(scope));
    expect(rows.reduce((s, r) => s + r.customers, 0)).toBe(gridCount(db, scope, {}, TODAY));
    for (const r of rows) {
      expect(gridCount(db, scope, { tiers: [r.tier as 'gold'] }, TODAY), r.tier).toBe(r.customers);
      const ref = db
        .prepare(
          `SELECT COALESCE(SUM(contribution_fen), 0) AS c, COALESCE(SUM(points), 0) AS p FROM customers WHERE COALESCE(tier, 'none') = ?`,
        )
        .get(r.tier) as { c: number; p: number };
      expect([Number(r.contributionFen), r.points], r.tier).toEqual([ref.c, ref.p]);
    }
  });
});
