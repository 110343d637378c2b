import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryScope } from '../../../db/relationship/campaigns';
import { filterSql, opportunityScope } from '../../../db/relationship/opportunities';
import { RULES } from '../../../db/relationship/rules';
import { scopeFor } from '../../../db/scope';
import { parseCsv } from '../../../main/campaigns/table-file';
import { makeWorld, type World } from '../support/store';

/** The indexes the hot queries rely on (the rules after each import, a manager's list and entries), checked by plan. */
let w: World;
beforeAll(async () => {
  w = await makeWorld();
});
afterAll(async () => {
  await w.close();
});

const plan = (sql: string, ...p: unknown[]) =>
  (w.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as { detail: string }[]).map((r) => r.detail).join('\n');

describe('query plans', () => {
  it('each journal rule reads its partial index, not the whole journal', () => {
    const today = '2026-11-02';
    const rule = (code: string) => RULES.find((r) => r.code === code)!;
    const large = rule('large_inflow').candidates({ minYuan: 500_000, days: 30, dueDays: 14 }, today, w.db);
    expect(plan(large.sql, ...large.params)).toMatch(/USING (COVERING )?INDEX transactions_large_credit/);
    const salary = rule('salary_no_card').candidates({ months: 3, minMonths: 3, dueDays: 14 }, today, w.db);
    expect(plan(salary.sql, ...salary.params)).toMatch(/USING (COVERING )?INDEX transactions_salary/);
    const loans = rule('loan_paid_off').candidates({ days: 30, dueDays: 14 }, today, w.db);
    expect(plan(loans.sql, ...loans.params)).toMatch(/INDEX loans_paid_off/);
    const term = rule('term_maturing').candidates({ days: 30 }, today, w.db);
    expect(plan(term.sql, ...term.params)).toMatch(/INDEX term_deposits_maturity/);
    const bday = rule('gold_birthday').candidates({ days: 7 }, today, w.db);
    expect(plan(bday.sql, ...bday.params)).toMatch(/SEARCH c USING INDEX customers_(gold_birthday|tier)/); // either: only gold customers are read
    for (const r of [large, salary, loans, term, bday])
      expect(plan(r.sql, ...r.params)).not.toMatch(/SCAN t\b|SCAN transactions\b/);
  });

  it("a manager's opportunities and list entries come from their own index", () => {
    const scope = scopeFor(
      w.db,
      { role: 'manager', staffId: w.ids.staff.manager1, branchId: w.ids.branch },
      '2026-11-02',
    );
    const os = opportunityScope(scope);
    const f = filterSql({ open: true });
    expect(plan(`SELECT o.id FROM opportunities o WHERE ${os.sql} AND ${f.sql}`, ...os.params, ...f.params)).toMatch(
      /INDEX opportunities_owner/,
    );
    const es = entryScope(scope);
    expect(
      plan(
        `SELECT e.id FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id WHERE e.campaign_id = ? AND ${es.sql}`,
        1,
        ...es.params,
      ),
    ).toMatch(/INDEX campaign_entries_(manager|campaign)/);
  });
});

describe('CSV of a results file', () => {
  it('keeps the line each record starts on, quoted commas, doubled quotes and line breaks inside quotes', () => {
    expect(parseCsv('a,b\r\n1,"x, y"\r\n2,"he said ""hi"""\n3,"two\nlines"\n\n4,\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'x, y'] },
      { line: 3, cells: ['2', 'he said "hi"'] },
      { line: 4, cells: ['3', 'two\nlines'] },
      { line: 7, cells: ['4', ''] },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow(/CAMPAIGN_IMPORT_INVALID/);
  });
});
