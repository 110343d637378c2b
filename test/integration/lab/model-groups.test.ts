/**
 * The desktop's 模型评分分布 widget: the active churn model's groups over the customers in the caller's
 * scope, checked against a direct count in SQL for the president and manager1, and each group's drill
 * (高级查询 流失风险组 = N through the grid) opening exactly that group's customers. A model version is
 * written straight into the lab tables (migration 0027) as activation leaves them, with some customers
 * unscored and a second, inactive version whose groups must not count.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridCount, gridRows } from '../../../db/repos/customer-grid';
import { WIDGETS, type WidgetEnv } from '../../../main/desktop/widgets';
import type { GridFilter, WidgetData } from '../../../shared/api';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { activateVersions, addLabVersion, scoreCustomers, scopeOfUser } from '../support/lab';

const TODAY = '2026-11-02';
let demo: DemoStore;
let db: Database;

type Groups = Extract<WidgetData, { kind: 'modelGroups' }>;
const compute = (who: 'president' | 'manager1') => {
  const scope = scopeOfUser(db, who, TODAY);
  const env = { db, scope, today: TODAY } as unknown as WidgetEnv;
  return { scope, data: (WIDGETS.modelGroups as (c: object, e: WidgetEnv) => unknown)({}, env) as Groups };
};

const addVersion = (targetKey: string) => addLabVersion(db, targetKey, `${TODAY}T01:00:00Z`);

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 600, seed: 23 });
  db = demo.db;
}, 120_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('模型评分分布 desktop widget', () => {
  it('says no model is in use while no churn model is active', () => {
    for (const who of ['president', 'manager1'] as const) {
      const { data } = compute(who);
      expect(data.model).toBeNull();
      expect(data.groups).toEqual([]);
    }
  });

  it('counts the active churn model’s groups in scope (as SQL does) and each drill opens exactly that group', () => {
    const active = addVersion('churn');
    const old = addVersion('churn');
    const other = addVersion('loan');
    scoreCustomers(db, (put, i, n) => {
      // every seventh customer unscored; uneven groups; the inactive versions group everyone as 1
      if (i % 7 !== 3) put(active, 1 - i / n, 1 + ((i * i + 3 * i) % 10));
      put(old, 0.5, 1);
      put(other, 0.5, 1);
    });
    activateVersions(db, { churn: active, loan: other });

    const staff = (db.prepare("SELECT staff_id AS id FROM users WHERE username = 'manager1'").get() as { id: number })
      .id;
    const expected = (who: 'president' | 'manager1', group: number) =>
      (
        db
          .prepare(
            `SELECT s.customer_id AS id FROM lab_scores s JOIN customers c ON c.id = s.customer_id
              WHERE s.version = ? AND s.decile = ?
                AND (? = 'president' OR c.id IN (SELECT id FROM customers WHERE manager_staff_id = ?
                     UNION SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?)))
              ORDER BY s.customer_id`,
          )
          .all(active, group, who, staff, staff, TODAY) as { id: number }[]
      ).map((r) => r.id);

    for (const who of ['president', 'manager1'] as const) {
      const { scope, data } = compute(who);
      expect(data.model?.version, who).toBe(active);
      expect(data.groups.map((g) => g.group)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      let total = 0;
      for (const g of data.groups) {
        const want = expected(who, g.group);
        expect(g.customers, `${who} group ${g.group}`).toBe(want.length);
        total += want.length;
        const drill: GridFilter = g.drill;
        expect(gridCount(db, scope, drill, TODAY), `${who} drill ${g.group}`).toBe(want.length);
        const shown = gridRows(db, scope, drill, [], 0, 100_000, TODAY)
          .map((r) => r.id)
          .sort((a, b) => a - b);
        expect(shown, `${who} drill ${g.group}`).toEqual(want);
      }
      expect(data.customers).toBe(total);
      expect(data.groups.filter((g) => g.customers > 0).length, who).toBeGreaterThan(2);
    }
    // the manager's book is a proper part of the president's
    expect(compute('manager1').data.customers).toBeLessThan(compute('president').data.customers);
  });
});
