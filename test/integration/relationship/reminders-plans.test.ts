import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMINDER_KINDS } from '../../../shared/api/reminders';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { capturePlans } from '../support/plans';

/**
 * Query plans of reminder generation under the statistics of a million-customer store (sampled ANALYZE,
 * scaled as in test/integration/grid/plans.test.ts): every statement must start from its event's own
 * index (a date window, the large-amount index, the month-day expression index) or from a small set
 * (a manager's book, a list), never walk the customers table or a whole branch.
 */
let demo: DemoStore;

interface Captured {
  kind: string;
  plan: string[];
}

/** Reminder statements (INSERT ... WITH e ...) and their plans, labelled by reminder kind. */
function capture(db: Database, run: () => void): Captured[] {
  return capturePlans(
    db,
    /INSERT OR IGNORE INTO reminders[\s\S]*WITH e|WITH e[\s\S]*INSERT OR IGNORE INTO reminders/,
    run,
  ).map((c) => ({
    kind: (/'(\w+)', e\.cid/.exec(c.sql)?.[1] ?? '?') + (c.sql.includes('MATERIALIZED') ? ' (managers batched)' : ''),
    plan: c.plan.split('\n'),
  }));
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 3000, seed: 12 });
  const db = demo.db;
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'customers' AND instr(stat, ' ') > 0`,
  );
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '20000000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'transactions' AND instr(stat, ' ') > 0`,
  );
  for (const [tbl, idx, v] of [
    ['customers', 'customers_branch', '1000000 1001 1001'],
    ['customers', 'customers_manager', '1000000 1001 2'],
  ]) {
    db.prepare('DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx = ?').run(tbl, idx);
    db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)').run(tbl, idx, v);
  }
  db.exec('ANALYZE sqlite_schema');
  const users = db.prepare('SELECT id, role FROM users').all() as { id: number; role: string }[];
  const some = db.prepare('SELECT id FROM customers ORDER BY id LIMIT 30').all() as { id: number }[];
  for (const u of users) {
    const list = Number(
      db.prepare(`INSERT INTO customer_lists (name, owner_id) VALUES ('重点', ?)`).run(u.id).lastInsertRowid,
    );
    for (const c of some)
      db.prepare('INSERT INTO customer_list_members (list_id, customer_id) VALUES (?, ?)').run(list, c.id);
    db.prepare('INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 1, ?)').run(
      u.id,
      u.role === 'president' ? 1 : 0,
    );
    for (const k of REMINDER_KINDS) {
      db.prepare(
        'INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, 1, 30, 0, ?)',
      ).run(u.id, k, k.startsWith('large_') ? 50_000_000 : null);
    }
  }
}, 120_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('reminder generation query plans', () => {
  it('never scans the customers table or walks a whole branch', () => {
    const plans = capture(demo.db, () => generateReminders(demo.db, { today: '2026-10-20', reason: 'test' }));
    const kinds = new Set(plans.map((p) => p.kind));
    // president (branch-wide), managers' lists (per user) and managers' books (batched) all ran
    expect(kinds.has('birthday')).toBe(true);
    expect(kinds.has('birthday (managers batched)')).toBe(true);
    expect(plans.length).toBeGreaterThan(20);
    if (process.env.SHOW_PLANS) for (const p of plans) console.log(p.kind, '::', p.plan.join(' | '));
    for (const p of plans) {
      const text = p.plan.join(' | ');
      expect(text, `${p.kind}: ${text}`).not.toMatch(/SCAN c( |$)|SCAN c2|SCAN customers( |$)|customers_branch/);
      // the managers' batch hands each event to its manager: from the events, never from every managed customer
      if (p.kind.endsWith('(managers batched)'))
        expect(text, `${p.kind}: ${text}`).toMatch(/SCAN e \| SEARCH c2 USING INTEGER PRIMARY KEY/);
    }
  });
});
