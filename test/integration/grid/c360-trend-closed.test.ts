import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

/**
 * The 360's deposit trend of a customer who left runs to the month the reports run to, like everyone
 * else's, with the months after the closing at zero and the closing day given for the chart to mark
 * (it used to end at the customer's own last balance, months before the others).
 */
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const { ok, signIn } = asUsers(() => registry, s);

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 300, seed: 47 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
  });
  registry = createRegistry(services);
  await signIn('president');
}, 120_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

const one = <T>(sql: string, ...p: unknown[]) => services.db.prepare(sql).get(...p) as T;

describe('customer 360 trend of a customer who left', () => {
  it('runs to the report month with zero months after the closing, and names the closing day', async () => {
    const report = one<{ m: string }>('SELECT MAX(month) AS m FROM report_months').m;
    expect(report).toBe('2026-10');
    // a customer with a deposit balance at the end of May: they close everything on 10 June, no balance after
    const c = one<{ id: number }>(
      `SELECT a.customer_id AS id FROM accounts a JOIN daily_balances d ON d.account_id = a.id
       WHERE a.kind IN ('demand', 'term') AND d.on_date = '2026-05-31' AND d.balance_fen > 0
       LIMIT 1`,
    );
    services.db
      .prepare(
        `DELETE FROM daily_balances WHERE on_date >= '2026-06-10'
         AND account_id IN (SELECT id FROM accounts WHERE customer_id = ?)`,
      )
      .run(c.id);
    services.db
      .prepare(
        `UPDATE accounts SET status = 'closed', closed_on = '2026-06-10' WHERE customer_id = ? AND kind IN ('demand', 'term')`,
      )
      .run(c.id);
    const v = await ok('customers.view', { id: c.id }, 'president');
    expect(v.trend.map((p) => p.month)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
    ]);
    expect(Number(v.trend.find((p) => p.month === '2026-05')!.balance)).toBeGreaterThan(0);
    for (const p of v.trend.filter((x) => x.month > '2026-05')) expect(p.balance, p.month).toBe('0.00');
    expect(v.depositsClosedOn).toBe('2026-06-10');
  });

  it('names no closing day while a deposit account is open', async () => {
    const c = one<{ id: number }>(
      `SELECT customer_id AS id FROM accounts WHERE kind = 'demand' AND closed_on IS NULL AND status <> 'closed' LIMIT 1`,
    );
    const v = await ok('customers.view', { id: c.id }, 'president');
    expect(v.depositsClosedOn).toBeNull();
    expect(v.trend.at(-1)!.month).toBe('2026-10');
  });
});
