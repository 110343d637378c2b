import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const { call, ok, signIn } = asUsers(() => registry, s);
const fen = (y: string) => Math.round(Number(y) * 100);

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 600, seed: 31 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'teller1']) {
    await signIn(u);
  }
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('customer 360', () => {
  it('shows accounts, a 12-month month-end trend equal to the raw balances, holdings, loans and managers', async () => {
    const c = services.db
      .prepare(
        `SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id) AND EXISTS (SELECT 1 FROM term_deposits t WHERE t.customer_id = c.id) LIMIT 1`,
      )
      .get() as { id: number };
    const v = await ok('customers.view', { id: c.id }, 'president');
    expect(v.accounts.length).toBe(
      (services.db.prepare('SELECT COUNT(*) AS n FROM accounts WHERE customer_id = ?').get(c.id) as { n: number }).n,
    );
    expect(v.trend).toHaveLength(12);
    expect(v.trend[11]!.month).toBe('2026-10');
    for (const p of v.trend) {
      const ref = services.db
        .prepare(
          `SELECT COALESCE(SUM(d.balance_fen), 0) AS s FROM daily_balances d JOIN accounts a ON a.id = d.account_id
           WHERE a.customer_id = ? AND a.kind IN ('demand','term')
             AND d.on_date = (SELECT MAX(d2.on_date) FROM daily_balances d2 WHERE d2.account_id = d.account_id AND substr(d2.on_date, 1, 7) = ?)`,
        )
        .get(c.id, p.month) as { s: number };
      expect(fen(p.balance), p.month).toBe(ref.s);
    }
    expect(v.loans.length).toBeGreaterThan(0);
    expect(v.holdings.some((h) => h.kind === 'term')).toBe(true);
    expect(v.customer.idNo ?? '****').toMatch(/\*{4}/);
    const txns = await ok('customers.transactions', { id: c.id, offset: 0, limit: 10 }, 'president');
    expect(txns.total).toBe(
      (services.db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE customer_id = ?').get(c.id) as { n: number })
        .n,
    );
    expect(txns.rows.map((r) => r.at)).toEqual([...txns.rows.map((r) => r.at)].sort().reverse());
  });

  it("a manager cannot open another manager's customer (not found), a teller cannot open the 360 at all", async () => {
    const staff = (
      services.db.prepare(`SELECT staff_id AS x FROM users WHERE username = 'manager1'`).get() as { x: number }
    ).x;
    const other = services.db
      .prepare(
        `SELECT id FROM customers c WHERE manager_staff_id <> ? AND NOT EXISTS (SELECT 1 FROM customer_grants g WHERE g.staff_id = ? AND g.customer_id = c.id) LIMIT 1`,
      )
      .get(staff, staff) as { id: number };
    const r = await call('customers.view', { id: other.id }, 'manager1');
    expect(!r.ok && r.error.code).toBe('NOT_FOUND');
    const t = await call('customers.transactions', { id: other.id, offset: 0, limit: 5 }, 'manager1');
    expect(!t.ok && t.error.code).toBe('NOT_FOUND');
    const teller = await call('customers.view', { id: other.id }, 'teller1');
    expect(!teller.ok && teller.error.code).toBe('FORBIDDEN');
  });

  it('change history of identifiers stays masked', async () => {
    const c = services.db.prepare(`SELECT id FROM customers WHERE mobile IS NOT NULL LIMIT 1`).get() as { id: number };
    services.db
      .prepare(
        `INSERT INTO customer_changes (customer_id, field, old_value, new_value, changed_at, source) VALUES (?, 'mobile', '13800138000', '13900139000', '2026-10-01T00:00:00Z', 'test')`,
      )
      .run(c.id);
    const v = await ok('customers.view', { id: c.id }, 'president');
    expect(v.changes[0]).toMatchObject({ field: 'mobile', oldValue: '138****8000', newValue: '139****9000' });
  });
});

describe('customer 360 trend window', () => {
  it('ends at the latest balance date when the extracts lag the calendar', async () => {
    const c = services.db.prepare(`SELECT customer_id AS id FROM accounts WHERE kind = 'demand' LIMIT 1`).get() as {
      id: number;
    };
    const clock = services.clock as ReturnType<typeof fixedClock>;
    clock.set(new Date('2026-12-15T02:00:00Z')); // six weeks after the last extract
    try {
      const r = (await registry.dispatch(
        { method: 'auth.signIn', input: { username: 'president', password: DEMO_PASSWORD } },
        { adapter: 'test' },
      )) as CallResult<{ session: string }>;
      if (r.ok) s.later = r.value.session;
      const v = await ok('customers.view', { id: c.id }, 'later');
      expect(v.trend.at(-1)!.month).toBe('2026-10');
      expect(v.trend[0]!.month).toBe('2025-11');
    } finally {
      clock.set(new Date('2026-10-31T02:00:00Z'));
    }
  });
});
