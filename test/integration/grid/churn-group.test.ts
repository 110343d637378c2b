/**
 * 流失风险组 (churnGroup) read through one join to the active churn model's scores instead of a
 * correlated subquery per row: on a demo store, the grid's rows, its advanced-query counts and pages
 * (SQL path and in-memory columns, president and manager), and an export give exactly what the old
 * per-row expression gives, with no active model, with one, and after another version is activated.
 * The page and export statements are checked to read lab_scores by its key, not by a subquery per row.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropColumns } from '../../../db/customer-columns';
import { FIELD_FROM, FIELD_SELECT } from '../../../db/customer-field-sql';
import { buildColumnsNow, exportQuery, gridCount, gridRows } from '../../../db/repos/customer-grid';
import type { Scope } from '../../../db/scope';
import type { GridFilter, QueryCondition } from '../../../shared/api';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { activateVersions, addLabVersion, scoreCustomers, scopeOfUser } from '../support/lab';

const TODAY = '2026-10-31';
/** The expression the field had before (commit a4c1655): the reference these results must equal. */
const OLD = `(SELECT s.decile FROM lab_active a JOIN lab_scores s ON s.version = a.version AND s.customer_id = c.id
                WHERE a.target_key = 'churn')`;

let demo: DemoStore;
let db: Database;

const addVersion = (targetKey: string) => addLabVersion(db, targetKey, `${TODAY}T01:00:00Z`);
const scopeOf = (who: string): Scope => scopeOfUser(db, who, TODAY);

const oldValues = () =>
  new Map(
    (db.prepare(`SELECT c.id, ${OLD} AS g FROM customers c`).all() as { id: number; g: number | null }[]).map((r) => [
      r.id,
      r.g,
    ]),
  );

/** The customers in scope whose old expression passes `sql` (with `params`), in id order. */
const oldMatch = (scope: Scope, sql: string, params: (string | number)[]) =>
  (
    db
      .prepare(`SELECT c.id FROM customers c WHERE ${scope.sql} AND (${sql}) ORDER BY c.id`)
      .all(...scope.params, ...params) as { id: number }[]
  ).map((r) => r.id);

/** Conditions on the field with their old-expression equivalent; a group mixing it with OR and AND. */
const CASES: { name: string; filter: GridFilter; sql: string; params: (string | number)[] }[] = [
  ...(
    [
      ['eq', 3, '= ?', [3]],
      ['ne', 3, '<> ?', [3]],
      ['lt', 3, '< ?', [3]],
      ['lte', 2, '<= ?', [2]],
      ['gt', 8, '> ?', [8]],
      ['gte', 9, '>= ?', [9]],
      ['in', [1, 4, 10], 'IN (?, ?, ?)', [1, 4, 10]],
      ['between', [2, 5], 'BETWEEN ? AND ?', [2, 5]],
    ] as const
  ).map(([op, value, cmp, params]) => ({
    name: op,
    filter: {
      advanced: { op: 'and', items: [{ field: 'churnGroup', op, value } as QueryCondition] },
    } as GridFilter,
    sql: `${OLD} ${cmp}`,
    params: [...params],
  })),
  {
    name: 'group 1 or gold, and not group 2',
    filter: {
      advanced: {
        op: 'and',
        items: [
          {
            op: 'or',
            items: [
              { field: 'churnGroup', op: 'eq', value: 1 },
              { field: 'tier', op: 'eq', value: 'gold' },
            ],
          },
          { field: 'churnGroup', op: 'ne', value: 2 },
        ],
      },
    } as GridFilter,
    sql: `(${OLD} = ? OR c.tier = ?) AND ${OLD} <> ?`,
    params: [1, 'gold', 2],
  },
];

function expectSameAsOld(label: string): void {
  const old = oldValues();
  const scopes = { president: scopeOf('president'), manager1: scopeOf('manager1') };
  // the rows of the grid (and of a page fetch) carry the old value, scored or not
  const rows = gridRows(db, scopes.president, {}, [{ col: 'customerNo', dir: 'asc' }], 0, 100_000, TODAY);
  expect(rows.length, label).toBe(old.size);
  for (const r of rows) expect(r.churnGroup, `${label} customer ${r.id}`).toBe(old.get(r.id));
  // an export of the field: the same values in the export's order
  const q = exportQuery(scopes.president, {}, [{ col: 'aum', dir: 'desc' }], ['customerNo', 'churnGroup'], TODAY);
  const exported = db
    .prepare(q.sql)
    .raw()
    .all(...q.params) as [string, number | null][];
  const want = db
    .prepare(`SELECT c.customer_no, ${OLD} FROM customers c ORDER BY c.aum_fen DESC, c.id DESC`)
    .raw()
    .all() as [string, number | null][];
  expect(exported, label).toEqual(want);
  // advanced queries: the same customers, counted and listed, on the SQL path and on the columns
  for (const columns of [false, true]) {
    if (columns) buildColumnsNow(db);
    else dropColumns(db);
    for (const [who, scope] of Object.entries(scopes))
      for (const c of CASES) {
        const at = `${label}, ${columns ? 'columns' : 'SQL'}, ${who}, ${c.name}`;
        const expected = oldMatch(scope, c.sql, c.params);
        expect(gridCount(db, scope, c.filter, TODAY), at).toBe(expected.length);
        const ids = gridRows(db, scope, c.filter, [{ col: 'aum', dir: 'desc' }], 0, 100_000, TODAY).map((r) => r.id);
        expect(
          [...ids].sort((a, b) => a - b),
          at,
        ).toEqual(expected);
      }
  }
  dropColumns(db);
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 500, seed: 41 });
  db = demo.db;
}, 120_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('流失风险组 through one join to the active scores', () => {
  it('equals the old per-row expression with no model, with one active, and after another is activated', () => {
    expectSameAsOld('no model');
    const first = addVersion('churn');
    const second = addVersion('churn');
    const other = addVersion('loan');
    scoreCustomers(db, (put, i, n) => {
      // every sixth customer unscored by the first; the others group differently
      if (i % 6 !== 1) put(first, 1 - i / n, 1 + ((i * 7 + Math.floor(i / 10)) % 10));
      if (i % 5 !== 0) put(second, 0.5, 1 + ((i * 3) % 10));
      put(other, 0.5, 1);
    });
    activateVersions(db, { churn: first, loan: other });
    const scored = oldValues();
    expect([...scored.values()].filter((g) => g === null).length).toBeGreaterThan(50);
    expect(new Set(scored.values()).size).toBe(11); // ten groups and the unscored
    expectSameAsOld('first active');
    db.prepare(`UPDATE lab_active SET version = ? WHERE target_key = 'churn'`).run(second);
    expectSameAsOld('second active');
  });

  it('a page and an export find the active version once and read the scores by key', () => {
    type Step = { id: number; parent: number; detail: string };
    const plan = (sql: string, ...params: unknown[]) =>
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Step[];
    const page = plan(`SELECT ${FIELD_SELECT} ${FIELD_FROM} WHERE c.id IN (?, ?, ?)`, 1, 2, 3);
    const q = exportQuery(scopeOf('president'), {}, [], ['customerNo', 'churnGroup', 'branchName'], TODAY);
    for (const p of [page, plan(q.sql, ...q.params)]) {
      const text = p.map((s) => s.detail).join('\n');
      // lab_active is read in a subquery that does not depend on the row (run once per statement)...
      const active = p.filter((s) => /SEARCH a USING PRIMARY KEY \(target_key=\?\)/.test(s.detail));
      expect(active.length, text).toBe(1);
      expect(p.find((s) => s.id === active[0]!.parent)?.detail, text).toMatch(/^SCALAR SUBQUERY/);
      // ...and the scores are one look-up on their key's (version, customer) prefix per customer
      expect(
        p.some((s) => /SEARCH \w+ USING PRIMARY KEY \(version=\? AND customer_id=\?/.test(s.detail)),
        text,
      ).toBe(true);
    }
    // an export without the field has no join to the scores
    const plain = exportQuery(scopeOf('president'), {}, [], ['customerNo', 'aum'], TODAY);
    expect(plain.sql).not.toMatch(/lab_scores/);
    expect(plain.sql).not.toMatch(/branches b/);
  });
});
