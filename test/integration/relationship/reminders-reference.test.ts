import { getDayDetail } from 'chinese-days';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../shared/dates';
import { REMINDER_KINDS } from '../../../shared/api/reminders';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';

/**
 * Generation on a generated branch, every kind on for every user with a 30-day window, checked row for
 * row against a slow reference written independently here: plain loops over the raw tables, scope
 * worked out from the org tables, the calendar read straight from chinese-days.
 */

const TODAY = '2026-09-28'; // National Day and its make-up days fall in the window
const LEAD = 30;
const THRESHOLD = 20_000_000; // 200,000 yuan

let s: DemoStore;

const work = (d: string) => getDayDetail(d).work;
const named = (d: string) => !work(d) && getDayDetail(d).name.includes(',');
function actBy(d: string): string | null {
  let x = d;
  while (!work(x)) x = addDays(x, -1);
  return x === d ? null : x;
}
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

beforeAll(async () => {
  s = await makeDemoStore({ customers: 600, seed: 777 });
  const db = s.db;
  // events the generator does not make: tier changes, a product launch in the window, lists, a grant
  const some = db.prepare(`SELECT id FROM customers ORDER BY id LIMIT 40`).all() as { id: number }[];
  some.forEach((c, i) => {
    db.prepare(
      `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, changed_at) VALUES (?, 'ordinary', 'gold', ?)`,
    ).run(c.id, `${addDays(TODAY, -(i % 40))}T${i % 2 ? '17' : '03'}:00:00.000Z`);
  });
  db.prepare(`INSERT INTO products (code, name, category, launched_on) VALUES ('NEWP1', '新品理财', 'wealth', ?)`).run(
    addDays(TODAY, 5),
  );
  const users = db.prepare(`SELECT id, role FROM users`).all() as { id: number; role: string }[];
  const anyCustomers = db.prepare(`SELECT id FROM customers ORDER BY id DESC LIMIT 60`).all() as { id: number }[];
  for (const u of users) {
    const list = Number(
      db.prepare(`INSERT INTO customer_lists (name, owner_id) VALUES ('重点客户', ?)`).run(u.id).lastInsertRowid,
    );
    for (const c of anyCustomers.filter((_, i) => (i + u.id) % 3 === 0))
      db.prepare(`INSERT INTO customer_list_members (list_id, customer_id) VALUES (?, ?)`).run(list, c.id);
    db.prepare(`INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 1, ?)`).run(
      u.id,
      u.role === 'president' ? 1 : 0,
    );
    for (const k of REMINDER_KINDS) {
      db.prepare(
        `INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, 1, ?, ?, ?)`,
      ).run(
        u.id,
        k,
        k === 'term_maturity' ? 10 : LEAD,
        k === 'term_maturity' || k === 'tier_change' ? 1 : 0,
        k.startsWith('large_') ? THRESHOLD : null,
      );
    }
  }
  const mgr = db.prepare(`SELECT staff_id AS s FROM users WHERE role = 'manager' ORDER BY id LIMIT 1`).get() as {
    s: number;
  };
  const foreign = db
    .prepare(`SELECT id FROM customers WHERE manager_staff_id IS NOT ? ORDER BY id LIMIT 5`)
    .all(mgr.s) as { id: number }[];
  for (const c of foreign)
    db.prepare(`INSERT OR IGNORE INTO customer_grants (staff_id, customer_id) VALUES (?, ?)`).run(mgr.s, c.id);
  // instalments due in the window (the demo's fall after its as-of date), one on a National Day rest day
  const firstActive = (table: string) =>
    db.prepare(`SELECT id FROM ${table} WHERE status = 'active' ORDER BY id LIMIT 12`).all() as { id: number }[];
  for (const [i, l] of firstActive('loans').entries())
    db.prepare(`UPDATE loans SET next_due_on = ? WHERE id = ?`).run(addDays(TODAY, 1 + i * 2), l.id);
  for (const [i, t] of firstActive('term_deposits').entries())
    db.prepare(`UPDATE term_deposits SET maturity_on = ? WHERE id = ?`).run(addDays(TODAY, i * 2), t.id);
  for (const [i, h] of firstActive('wealth_holdings').entries())
    db.prepare(`UPDATE wealth_holdings SET maturity_on = ? WHERE id = ?`).run(addDays(TODAY, 1 + i * 3), h.id);
  db.prepare('DELETE FROM reminders').run();
}, 120_000);

afterAll(() => {
  s.close();
  removeTempDirs();
});

interface U {
  id: number;
  role: string;
  staffId: number | null;
  branchId: number | null;
}

function reference(): string[] {
  const db = s.db;
  const users = db
    .prepare(`SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE disabled = 0`)
    .all() as U[];
  const branches = db.prepare(`SELECT id, parent_id AS parent FROM branches`).all() as {
    id: number;
    parent: number | null;
  }[];
  const tree = (root: number) => {
    const out = new Set([root]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const b of branches)
        if (b.parent != null && out.has(b.parent) && !out.has(b.id)) {
          out.add(b.id);
          grew = true;
        }
    }
    return out;
  };
  const top = (b: number) => {
    let x = branches.find((r) => r.id === b)!;
    while (x.parent != null) x = branches.find((r) => r.id === x.parent)!;
    return x.id;
  };
  const customers = db.prepare(`SELECT * FROM customers`).all() as {
    id: number;
    kind: string;
    birth_date: string | null;
    opened_on: string;
    status: string;
    branch_id: number;
    manager_staff_id: number | null;
  }[];
  const grants = db.prepare(`SELECT staff_id AS s, customer_id AS c, expires_on AS e FROM customer_grants`).all() as {
    s: number;
    c: number;
    e: string | null;
  }[];
  const lists = db
    .prepare(
      `SELECT l.owner_id AS o, m.customer_id AS c FROM customer_lists l JOIN customer_list_members m ON m.list_id = l.id`,
    )
    .all() as { o: number; c: number }[];
  const prefs = db.prepare(`SELECT * FROM reminder_prefs`).all() as {
    user_id: number;
    kind: string;
    lead_days: number;
    working_days: number;
    threshold_fen: number | null;
  }[];
  const out: string[] = [];

  for (const u of users) {
    const pref = (k: string) => prefs.find((p) => p.user_id === u.id && p.kind === k)!;
    const ahead = (k: string) => {
      const p = pref(k);
      if (!p.working_days) return addDays(TODAY, p.lead_days);
      let d = TODAY;
      for (let n = p.lead_days; n > 0; ) {
        d = addDays(d, 1);
        if (work(d)) n--;
      }
      return d;
    };
    const back = (k: string) => {
      const p = pref(k);
      if (!p.working_days) return addDays(TODAY, -p.lead_days);
      let d = TODAY;
      let n = p.lead_days;
      while (!work(d)) d = addDays(d, -1);
      if (d !== TODAY && n > 0) n--;
      while (n > 0) {
        d = addDays(d, -1);
        if (work(d)) n--;
      }
      return d;
    };
    // scope, from the org tables
    let inScope: (c: (typeof customers)[number]) => boolean;
    if (u.role === 'manager') {
      const granted = new Set(grants.filter((g) => g.s === u.staffId && (g.e == null || g.e >= TODAY)).map((g) => g.c));
      inScope = (c) => c.manager_staff_id === u.staffId || granted.has(c.id);
    } else if (u.role === 'president' || u.role === 'teller') {
      const t = tree(u.role === 'teller' ? top(u.branchId!) : u.branchId!);
      inScope = (c) => t.has(c.branch_id);
    } else inScope = () => false;
    const listed = new Set(lists.filter((l) => l.o === u.id).map((l) => l.c));
    const audience = (c: (typeof customers)[number]) =>
      inScope(c) &&
      ((u.staffId != null && c.manager_staff_id === u.staffId) || listed.has(c.id) || u.role === 'president');
    // tellers manage no book and keep no lists (no list permission); the administrator sees no customers
    const mine = new Map(
      u.role === 'teller' || u.role === 'admin' ? [] : customers.filter(audience).map((c) => [c.id, c]),
    );
    const push = (kind: string, key: string, cid: number | null, due: string, withAct = true) =>
      out.push(`${u.id}|${kind}|${key}|${cid ?? ''}|${due}|${withAct ? (actBy(due) ?? '') : ''}`);

    // holidays: a run of rest days with a named holiday, starting within the window
    for (const d of days(TODAY, ahead('holiday'))) {
      if (work(d) || !work(addDays(d, -1))) continue;
      let e = d;
      let any = named(d);
      while (!work(addDays(e, 1))) {
        e = addDays(e, 1);
        any = named(e) || any;
      }
      if (any) push('holiday', `holiday:${d}`, null, d, false);
    }
    if (u.role !== 'admin') {
      for (const p of db
        .prepare(`SELECT id, launched_on AS l, status FROM products WHERE launched_on IS NOT NULL`)
        .all() as { id: number; l: string; status: string }[]) {
        if (p.status === 'on_sale' && p.l >= addDays(TODAY, -7) && p.l <= ahead('product_launch'))
          push('product_launch', `product_launch:${p.id}:${p.l}`, null, p.l);
      }
    }
    for (const c of mine.values()) {
      if (c.status === 'closed') continue;
      for (const d of days(TODAY, ahead('birthday'))) {
        if (c.kind !== 'individual' || !c.birth_date) continue;
        const md = c.birth_date.slice(5);
        const y = Number(d.slice(0, 4));
        const target = md === '02-29' && !isLeap(y) ? '02-28' : md;
        if (d.slice(5) === target) push('birthday', `birthday:${c.id}:${d}`, c.id, d);
      }
      for (const d of days(TODAY, ahead('anniversary'))) {
        const md = c.opened_on.slice(5);
        const y = Number(d.slice(0, 4));
        const target = md === '02-29' && !isLeap(y) ? '02-28' : md;
        if (d.slice(5) === target && Number(c.opened_on.slice(0, 4)) < y)
          push('anniversary', `anniversary:${c.id}:${d}`, c.id, d);
      }
    }
    for (const t of db
      .prepare(`SELECT id, customer_id AS c, txn_at AS at, amount_fen AS a, direction AS dir FROM transactions`)
      .all() as { id: number; c: number; at: string; a: number; dir: string }[]) {
      if (!mine.has(t.c)) continue;
      const kind = t.dir === 'C' ? 'large_deposit' : 'large_withdrawal';
      const d = t.at.slice(0, 10);
      if (t.a >= Math.max(pref(kind).threshold_fen!, 1_000_000) && d >= back(kind) && d <= TODAY)
        push(kind, `${kind}:${t.id}`, t.c, d);
    }
    for (const l of db
      .prepare(`SELECT id, customer_id AS c, disbursed_on AS dis, next_due_on AS due, status FROM loans`)
      .all() as { id: number; c: number; dis: string; due: string | null; status: string }[]) {
      if (!mine.has(l.c)) continue;
      if (l.dis >= back('loan_disbursement') && l.dis <= TODAY)
        push('loan_disbursement', `loan_disbursement:${l.id}`, l.c, l.dis);
      if (l.status === 'active' && l.due && l.due >= TODAY && l.due <= ahead('loan_repayment'))
        push('loan_repayment', `loan_repayment:${l.id}:${l.due}`, l.c, l.due);
    }
    for (const t of db.prepare(`SELECT id, customer_id AS c, maturity_on AS m, status FROM term_deposits`).all() as {
      id: number;
      c: number;
      m: string;
      status: string;
    }[]) {
      if (mine.has(t.c) && t.status === 'active' && t.m >= TODAY && t.m <= ahead('term_maturity'))
        push('term_maturity', `term_maturity:${t.id}:${t.m}`, t.c, t.m);
    }
    for (const h of db.prepare(`SELECT id, customer_id AS c, maturity_on AS m, status FROM wealth_holdings`).all() as {
      id: number;
      c: number;
      m: string | null;
      status: string;
    }[]) {
      if (mine.has(h.c) && h.status === 'active' && h.m && h.m >= TODAY && h.m <= ahead('wealth_maturity'))
        push('wealth_maturity', `wealth_maturity:${h.id}:${h.m}`, h.c, h.m);
    }
    for (const x of db.prepare(`SELECT id, customer_id AS c, changed_at AS at FROM customer_tier_changes`).all() as {
      id: number;
      c: number;
      at: string;
    }[]) {
      const d = new Date(Date.parse(x.at) + 8 * 3600_000).toISOString().slice(0, 10); // Beijing date
      if (mine.has(x.c) && d >= back('tier_change') && d <= TODAY) push('tier_change', `tier_change:${x.id}`, x.c, d);
    }
    for (const a of db
      .prepare(`SELECT id, customer_id AS c, closed_on AS d FROM accounts WHERE closed_on IS NOT NULL`)
      .all() as { id: number; c: number; d: string }[]) {
      if (mine.has(a.c) && a.d >= back('account_closure') && a.d <= TODAY)
        push('account_closure', `account_closure:${a.id}:${a.d}`, a.c, a.d);
    }
  }
  return out.sort();
}

describe('generation against a slow reference', () => {
  it('creates exactly the reference set for every user and kind, then nothing on a re-run', () => {
    const r = generateReminders(s.db, { today: TODAY, reason: 'test' });
    const got = (
      s.db
        .prepare(
          `SELECT user_id AS u, kind, dedupe_key AS k, customer_id AS c, due_on AS d, act_by AS a FROM reminders`,
        )
        .all() as {
        u: number;
        kind: string;
        k: string;
        c: number | null;
        d: string;
        a: string | null;
      }[]
    )
      .map((x) => `${x.u}|${x.kind}|${x.k}|${x.c ?? ''}|${x.d}|${x.a ?? ''}`)
      .sort();
    const want = reference();
    expect(got).toEqual(want);
    expect(r.created).toBe(want.length);
    // the data must actually exercise the kinds (otherwise the comparison proves little)
    const kinds = new Set(want.map((x) => x.split('|')[1]));
    for (const k of [
      'holiday',
      'birthday',
      'anniversary',
      'large_deposit',
      'large_withdrawal',
      'loan_repayment',
      'term_maturity',
      'wealth_maturity',
      'product_launch',
      'tier_change',
      'account_closure',
    ]) {
      expect(kinds, k).toContain(k);
    }
    expect(generateReminders(s.db, { today: TODAY, reason: 'test' }).created).toBe(0);
  });
});
