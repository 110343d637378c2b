import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropColumns, freshColumns, setPartialWalkLimit } from '../../../db/customer-columns';
import { buildColumnsNow } from '../../../db/repos/customer-grid';
import { DEMO_PASSWORD } from '../../../db/demo';
import { rebuildSummaryTable } from '../../../db/summaries';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { GridFilter, GridSort, Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * Every grid filter and sort against a reference computed in plain JavaScript from the raw tables
 * (the slow, obvious way), for the president (whole branch) and a manager (own book), plus
 * injection attempts in every free-text input and masking of identifiers.
 */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const session: Record<string, string> = {};

interface Ref {
  id: number;
  customer_no: string;
  name: string;
  name_initials: string | null;
  kind: string;
  tier: string | null;
  status: string;
  id_no: string | null;
  mobile: string | null;
  branch_id: number;
  manager_staff_id: number | null;
  aum_fen: number;
  deposit_fen: number;
  wealth_fen: number;
  loan_fen: number;
  birth_date: string | null;
  last_txn_on: string | null;
  opened_on: string;
  products: Set<string>;
  maturities: string[];
}
let all: Ref[];
let managerStaffId: number;
let granted: Set<number>;

async function call<M extends MethodName>(
  method: M,
  input: Input<M>,
  who = 'president',
): Promise<CallResult<Output<M>>> {
  return registry.dispatch({ method, input, session: session[who]! }, { adapter: 'test' }) as Promise<
    CallResult<Output<M>>
  >;
}
async function ok<M extends MethodName>(method: M, input: Input<M>, who = 'president'): Promise<Output<M>> {
  const r = await call(method, input, who);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}

const addDays = (d: string, n: number) => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + n);
  return x.toISOString().slice(0, 10);
};

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1500, seed: 17 });
  const db = demo.db;
  // A few customers not tiered yet (a new CIF load before re-tiering), so "no tier" is a real filter.
  db.exec('UPDATE customers SET tier = NULL WHERE id % 97 = 0');
  rebuildSummaryTable(db);
  all = db
    .prepare(`SELECT id, customer_no, name, name_initials, kind, tier, status, id_no, mobile, branch_id, manager_staff_id, aum_fen, deposit_fen,
    wealth_fen, loan_fen, birth_date, last_txn_on, opened_on FROM customers ORDER BY id`)
    .all() as Ref[];
  const byId = new Map(all.map((c) => [c.id, c]));
  for (const c of all) {
    c.products = new Set();
    c.maturities = [];
  }
  for (const r of db
    .prepare(`SELECT a.customer_id AS c, p.code FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.status <> 'closed'
    UNION ALL SELECT h.customer_id, p.code FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.status = 'active'
    UNION ALL SELECT l.customer_id, p.code FROM loans l JOIN products p ON p.id = l.product_id WHERE l.status = 'active'`)
    .all() as { c: number; code: string }[]) {
    byId.get(r.c)!.products.add(r.code);
  }
  for (const r of db
    .prepare(`SELECT customer_id AS c, maturity_on AS m FROM term_deposits WHERE status = 'active'
    UNION ALL SELECT customer_id, maturity_on FROM wealth_holdings WHERE status = 'active' AND maturity_on IS NOT NULL
    UNION ALL SELECT customer_id, maturity_on FROM loans WHERE status = 'active'`)
    .all() as { c: number; m: string }[]) {
    byId.get(r.c)!.maturities.push(r.m);
  }
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'admin']) {
    const r = (await registry.dispatch(
      { method: 'auth.signIn', input: { username: u, password: DEMO_PASSWORD } },
      { adapter: 'test' },
    )) as CallResult<{ session: string }>;
    if (!r.ok) throw new Error('sign-in failed');
    session[u] = r.value.session;
  }
  managerStaffId = (
    services.db.prepare(`SELECT staff_id AS s FROM users WHERE username = 'manager1'`).get() as { s: number }
  ).s;
  // A manager's book: customers they manage, plus those the branch granted them (unexpired).
  granted = new Set(
    (
      services.db
        .prepare(
          'SELECT customer_id AS c FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?)',
        )
        .all(managerStaffId, TODAY) as { c: number }[]
    ).map((r) => r.c),
  );
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

const fen = (y: string) => Math.round(Number(y) * 100);
const cases: { name: string; filter: GridFilter; keep: (c: Ref) => boolean }[] = [
  { name: 'no filter', filter: {}, keep: () => true },
  {
    name: 'tiers gold+quality',
    filter: { tiers: ['gold', 'quality'] },
    keep: (c) => c.tier === 'gold' || c.tier === 'quality',
  },
  { name: 'tier none', filter: { tiers: ['none'] }, keep: (c) => c.tier === null },
  { name: 'kind corporate', filter: { kinds: ['corporate'] }, keep: (c) => c.kind === 'corporate' },
  { name: 'status dormant', filter: { statuses: ['dormant'] }, keep: (c) => c.status === 'dormant' },
  {
    name: 'AUM between 50,000 and 500,000 yuan',
    filter: { aumMin: '50000', aumMax: '500000.00' },
    keep: (c) => c.aum_fen >= fen('50000') && c.aum_fen <= fen('500000'),
  },
  {
    name: 'deposits at least 100,000.50',
    filter: { depositsMin: '100000.50' },
    keep: (c) => c.deposit_fen >= 10000050,
  },
  { name: 'loans at least 1', filter: { loansMin: '1' }, keep: (c) => c.loan_fen >= 100 },
  {
    name: 'holds WM0001 or LN0001',
    filter: { productCodes: ['WM0001', 'LN0001'] },
    keep: (c) => c.products.has('WM0001') || c.products.has('LN0001'),
  },
  {
    name: 'maturing within 30 days',
    filter: { maturingWithinDays: 30 },
    keep: (c) => c.maturities.some((m) => m >= TODAY && m <= addDays(TODAY, 30)),
  },
  {
    name: 'birthday this month',
    filter: { birthdayThisMonth: true },
    keep: (c) => c.kind === 'individual' && c.birth_date?.slice(5, 7) === TODAY.slice(5, 7),
  },
  {
    name: 'inactive 90 days',
    filter: { inactiveDays: 90 },
    keep: (c) => c.last_txn_on === null || c.last_txn_on <= addDays(TODAY, -90),
  },
  { name: 'manager "none"', filter: { managerIds: [0] }, keep: (c) => c.manager_staff_id === null },
  { name: 'name prefix 王', filter: { q: '王' }, keep: (c) => c.name.startsWith('王') },
  { name: 'initials zw', filter: { q: 'ZW' }, keep: (c) => (c.name_initials ?? '').startsWith('zw') },
  {
    name: 'tier gold AND inactive 30 AND AUM >= 10,000',
    filter: { tiers: ['gold'], inactiveDays: 30, aumMin: '10000' },
    keep: (c) =>
      c.tier === 'gold' && (c.last_txn_on === null || c.last_txn_on <= addDays(TODAY, -30)) && c.aum_fen >= 1000000,
  },
];

// Both ways of answering: SQL (the reference path, and what serves while the columns build) and the
// in-memory columns the app builds for big books (db/customer-columns.ts). Same expectations.
for (const mode of ['SQL', 'in-memory columns'] as const) {
  describe(mode, () => {
    beforeAll(() => {
      if (mode === 'SQL') dropColumns(services.db);
      else buildColumnsNow(services.db);
    });
    afterEach(() => {
      // The mode under test really answered: the columns stayed fresh (or absent) throughout.
      expect(freshColumns(services.db) !== null).toBe(mode !== 'SQL');
    });

    describe('grid filters against a hand-computed reference', () => {
      for (const who of ['president', 'manager1'] as const) {
        for (const k of cases) {
          it(`${who}: ${k.name}`, async () => {
            const scoped =
              who === 'president' ? all : all.filter((c) => c.manager_staff_id === managerStaffId || granted.has(c.id));
            const expected = scoped.filter(k.keep);
            const counts = await ok('customers.gridCount', { filter: k.filter }, who);
            expect(counts).toEqual({ total: scoped.length, filtered: expected.length });
            const page = await ok(
              'customers.grid',
              { filter: k.filter, sort: [{ col: 'aum', dir: 'desc' }], offset: 0, limit: 500 },
              who,
            );
            const want = [...expected]
              .sort((a, b) => b.aum_fen - a.aum_fen || b.id - a.id)
              .slice(0, 500)
              .map((c) => c.customer_no); // ties: id in the sort's direction
            expect(page.rows.map((r) => r.customerNo)).toEqual(want);
            const stats = await ok('customers.quickStats', { filter: k.filter }, who);
            expect(stats.count).toBe(expected.length);
            expect(fen(stats.aum)).toBe(expected.reduce((s, c) => s + c.aum_fen, 0));
            expect(fen(stats.loans)).toBe(expected.reduce((s, c) => s + c.loan_fen, 0));
            expect(stats.byTier.reduce((s, t) => s + t.count, 0)).toBe(expected.length);
            expect(stats.byManager.reduce((s, m) => s + m.count, 0)).toBe(expected.length);
          });
        }
      }
      it('the filters are not vacuous: each keeps some but not all of the branch', () => {
        for (const k of cases.slice(1)) {
          const n = all.filter(k.keep).length;
          expect(n, k.name).toBeGreaterThan(0);
          expect(n, k.name).toBeLessThan(all.length);
        }
      });
    });

    describe('sorting and paging', () => {
      const sorts: { sort: GridSort; cmp: (a: Ref, b: Ref) => number; tie: 1 | -1 }[] = [
        {
          sort: [{ col: 'customerNo', dir: 'asc' }],
          cmp: (a, b) => (a.customer_no < b.customer_no ? -1 : a.customer_no > b.customer_no ? 1 : 0),
          tie: 1,
        },
        { sort: [{ col: 'loans', dir: 'desc' }], cmp: (a, b) => b.loan_fen - a.loan_fen, tie: -1 },
        {
          sort: [
            { col: 'openedOn', dir: 'asc' },
            { col: 'aum', dir: 'desc' },
          ],
          cmp: (a, b) => (a.opened_on < b.opened_on ? -1 : a.opened_on > b.opened_on ? 1 : b.aum_fen - a.aum_fen),
          tie: 1,
        },
      ];
      // The columns find a new view's first pages by walking the order only as far as the page; later
      // pages (or a limit of 0 here) take the whole ordered set. Both, filtered and not.
      const walks = mode === 'SQL' ? [2000] : [2000, 0];
      const filters: { name: string; filter: GridFilter; keep: (c: Ref) => boolean }[] = [
        { name: 'all', filter: {}, keep: () => true },
        { name: 'individuals', filter: { kinds: ['individual'] }, keep: (c) => c.kind === 'individual' },
      ];
      for (const s of sorts) {
        for (const walk of walks) {
          for (const fl of filters) {
            it(`pages of ${JSON.stringify(s.sort)} (${fl.name}${mode === 'SQL' ? '' : `, partial walk below ${walk}`}) cover the set exactly once, in order`, async () => {
              setPartialWalkLimit(walk);
              try {
                const want = all
                  .filter(fl.keep)
                  .sort((a, b) => s.cmp(a, b) || s.tie * (a.id - b.id))
                  .map((c) => c.customer_no);
                const got: string[] = [];
                for (let off = 0; off < want.length; off += 150) {
                  got.push(
                    ...(
                      await ok('customers.grid', { filter: fl.filter, sort: s.sort, offset: off, limit: 150 })
                    ).rows.map((r) => r.customerNo),
                  );
                }
                expect(got).toEqual(want);
              } finally {
                setPartialWalkLimit(2000);
              }
            });
          }
        }
      }
    });
  });
}

describe('safety', () => {
  const attacks = [
    "'; DROP TABLE customers; --",
    "王' OR '1'='1",
    '%',
    '_',
    '\\',
    '" OR ""="',
    '1 OR 1=1',
    '%%%%',
    '\u0000',
  ];
  it('injection attempts in quick search find nothing they should not, and the store is intact', async () => {
    for (const q of attacks) {
      const r = await call('customers.grid', { filter: { q }, sort: [], offset: 0, limit: 50 });
      expect(r.ok, q).toBe(true);
      if (r.ok)
        for (const row of r.value.rows) expect(row.name.startsWith(q) || row.customerNo.startsWith(q)).toBe(true);
    }
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM customers').get()).toEqual({ n: all.length });
  });

  it('injection attempts in product codes and unknown sort columns are inert or refused', async () => {
    const r = await call('customers.grid', {
      filter: { productCodes: ["' OR 1=1 --"] },
      sort: [],
      offset: 0,
      limit: 10,
    });
    expect(r.ok && r.value.rows.length).toBe(0);
    const bad = await call('customers.grid', {
      filter: {},
      sort: [{ col: 'c.id; DROP TABLE customers' as 'name', dir: 'asc' }],
      offset: 0,
      limit: 10,
    });
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
    const money = await call('customers.gridCount', { filter: { aumMin: '1e9' } });
    expect(!money.ok && money.error.code).toBe('VALIDATION');
  });

  it('identifiers are masked in grid rows; tellers and administrators get no grid at all', async () => {
    const rows = (await ok('customers.grid', { filter: {}, sort: [], offset: 0, limit: 200 })).rows;
    for (const r of rows) {
      if (r.idNo) expect(r.idNo).toMatch(/\*{4}/);
      if (r.mobile) expect(r.mobile).toMatch(/\*{4}/);
    }
    const admin = await call('customers.grid', { filter: {}, sort: [], offset: 0, limit: 10 }, 'admin');
    expect(!admin.ok && admin.error.code).toBe('FORBIDDEN');
  });

  it("a manager's grid, count and stats never include another manager's customers", async () => {
    const other = all.find(
      (c) => c.manager_staff_id !== null && c.manager_staff_id !== managerStaffId && !granted.has(c.id),
    )!;
    const r = await ok(
      'customers.grid',
      { filter: { q: other.customer_no }, sort: [], offset: 0, limit: 10 },
      'manager1',
    );
    expect(r.rows).toEqual([]);
    // Filtered by the other manager, manager1 counts only that manager's customers granted to manager1.
    const c = await ok('customers.gridCount', { filter: { managerIds: [other.manager_staff_id!] } }, 'manager1');
    const grantedOfOther = all.filter((x) => x.manager_staff_id === other.manager_staff_id && granted.has(x.id));
    expect(c.filtered).toBe(grantedOfOther.length);
    expect(c.filtered).toBeLessThan(all.filter((x) => x.manager_staff_id === other.manager_staff_id).length);
  });
});

describe('counts and stats from the maintained summaries', () => {
  it('equal the same figures computed over the customers table', async () => {
    // Listing every status changes nothing about the set but forces the customers-table path.
    const everyStatus = { statuses: ['active', 'dormant', 'closed'] as ('active' | 'dormant' | 'closed')[] };
    for (const who of ['president', 'manager1'] as const) {
      for (const f of [{}, { tiers: ['gold' as const, 'none' as const] }, { managerIds: [0] }]) {
        const fast = await ok('customers.quickStats', { filter: f }, who);
        const slow = await ok('customers.quickStats', { filter: { ...f, ...everyStatus } }, who);
        expect(fast).toEqual(slow);
        expect((await ok('customers.gridCount', { filter: f }, who)).filtered).toBe(slow.count);
      }
    }
  });
});

describe('deep pages', () => {
  it('a filtered deep page equals the same page computed directly', async () => {
    const filter = { statuses: ['active' as const, 'dormant' as const] };
    for (const sort of [
      [{ col: 'name' as const, dir: 'asc' as const }],
      [{ col: 'aum' as const, dir: 'desc' as const }],
      [],
    ]) {
      const got = (await ok('customers.grid', { filter, sort, offset: 1000, limit: 50 })).rows.map((r) => r.customerNo);
      const order = sort.length
        ? `${sort[0]!.col === 'name' ? 'name' : 'aum_fen'} ${sort[0]!.dir}, id ${sort[0]!.dir}`
        : 'aum_fen desc, id desc';
      const want = services.db
        .prepare(
          `SELECT customer_no FROM customers WHERE status IN ('active','dormant') ORDER BY ${order} LIMIT 50 OFFSET 1000`,
        )
        .pluck()
        .all();
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    }
  });

  it('a deep page (served from the ordered-id snapshot) follows a commit by another connection', async () => {
    const Database = (await import('better-sqlite3-multiple-ciphers')).default;
    const sort = [{ col: 'aum' as const, dir: 'asc' as const }];
    const before = (await ok('customers.grid', { filter: {}, sort, offset: 1100, limit: 5 })).rows.map(
      (r) => r.customerNo,
    );
    expect(before).toHaveLength(5);
    // An import (another connection) makes the poorest customer the richest.
    const other = new Database(services.info.dbPath);
    const poorest = (
      other.prepare('SELECT customer_no AS n FROM customers ORDER BY aum_fen ASC, id LIMIT 1').get() as { n: string }
    ).n;
    other.prepare('UPDATE customers SET aum_fen = 999999999999 WHERE customer_no = ?').run(poorest);
    other.close();
    const after = (await ok('customers.grid', { filter: {}, sort, offset: 1100, limit: 5 })).rows.map(
      (r) => r.customerNo,
    );
    const want = services.db
      .prepare('SELECT customer_no AS n FROM customers ORDER BY aum_fen ASC, id LIMIT 5 OFFSET 1100')
      .all()
      .map((r) => (r as { n: string }).n);
    expect(after).toEqual(want);
    expect(after).not.toEqual(before);
  });
});
