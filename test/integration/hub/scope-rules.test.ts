import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootBranch, scopeFor } from '../../../db/scope';
import { customerFacts } from '../../../db/sync/customer-scope';
import type { Role } from '../../../shared/permissions';
import { placeInScope } from '../../../shared/scope-rules';
import { placeOf } from '../../../shared/sync/read-rules';
import { makeWorld, type World } from '../support/store';

/**
 * One rule for the store and the hub (issue 16): for every user and every customer of a book, the
 * hub's decision on the customer's shared facts (shared/scope-rules.ts placeInScope over
 * db/sync/customer-scope.ts customerFacts) is the one db/scope.ts's SQL makes on the book: branch trees,
 * a teller's whole branch, a manager's own customers, grants still running and grants run out.
 */
let w: World;

beforeAll(async () => {
  w = await makeWorld();
  const ins = (sql: string, ...p: unknown[]) => w.db.prepare(sql).run(...p);
  // A grant that ran out yesterday and one that runs till tomorrow.
  const today = w.clock.today();
  const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  ins(
    'INSERT INTO customer_grants (staff_id, customer_id, expires_on) VALUES (?, ?, ?)',
    w.ids.staff.manager1,
    w.ids.customers.outletCust,
    day(-1),
  );
  ins(
    'INSERT INTO customer_grants (staff_id, customer_id, expires_on) VALUES (?, ?, ?)',
    w.ids.staff.manager2,
    w.ids.customers.m1b,
    day(1),
  );
  // A president and a teller of the other branch, to see that a branch tree ends at its top.
  const staff = (no: string, pos: string) =>
    Number(
      ins(
        'INSERT INTO staff (employee_no, name, branch_id, position) VALUES (?, ?, ?, ?)',
        no,
        no,
        w.ids.otherBranch,
        pos,
      ).lastInsertRowid,
    );
  for (const [name, role, no] of [
    ['otherpres', 'president', 'E902'],
    ['otherteller', 'teller', 'E903'],
  ] as const)
    ins(
      "INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash) VALUES (?, ?, ?, ?, ?, 'x')",
      name,
      name,
      role,
      staff(no, role),
      w.ids.otherBranch,
    );
});

afterAll(async () => {
  await w?.close();
});

describe('the scope rule, on the book and on the shared facts', () => {
  it('agrees for every user and every customer', () => {
    const today = w.clock.today();
    const users = w.db
      .prepare(
        `SELECT u.username, u.role, u.staff_id, u.branch_id, s.employee_no AS staff, b.code AS branch
           FROM users u LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN branches b ON b.id = u.branch_id ORDER BY u.username`,
      )
      .all() as {
      username: string;
      role: Role;
      staff_id: number | null;
      branch_id: number | null;
      staff: string | null;
      branch: string | null;
    }[];
    const customers = w.db.prepare('SELECT customer_no FROM customers ORDER BY customer_no').pluck().all() as string[];
    const code = (id: number) => w.db.prepare('SELECT code FROM branches WHERE id = ?').pluck().get(id) as string;
    let reached = 0;
    for (const u of users) {
      const scope = scopeFor(w.db, { role: u.role, staffId: u.staff_id, branchId: u.branch_id }, today);
      const onBook = w.db
        .prepare(`SELECT c.customer_no FROM customers c WHERE ${scope.sql}`)
        .pluck()
        .all(...scope.params);
      const subject = {
        role: u.role,
        staff: u.staff,
        branch: u.branch,
        root: u.branch_id === null ? null : code(rootBranch(w.db, u.branch_id)),
      };
      const onFacts = customers.filter((no) => placeInScope(subject, placeOf(customerFacts(w.db, no)), today));
      expect({ user: u.username, customers: onFacts }).toEqual({ user: u.username, customers: [...onBook].sort() });
      reached += onFacts.length;
    }
    // Not a vacuous agreement: the users reach customers, and not all of them.
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(users.length * customers.length);
  });
});
