import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsForCustomer, staleCustomers } from '../../../db/relationship/contacts';
import { listReferrals, referralReport, type Viewer } from '../../../db/relationship/referrals';
import { scopeFor } from '../../../db/scope';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { capturePlans } from '../support/plans';

/**
 * Query plans of the referral and contact-log reads under the statistics of a million-customer store
 * (sampled ANALYZE, customers scaled to a million as in the grid's plan test): every read starts from its
 * own index (the owner's queue, the teller's flags, the branch and period, a customer's timeline, the AUM
 * order, recent contacts), never a scan of referrals, contacts or customers.
 */
let demo: DemoStore;
const TODAY = '2026-10-31';

const plans = capturePlans;

const viewer = (db: Database, username: string): Viewer & { scope: ReturnType<typeof scopeFor> } => {
  const u = db
    .prepare('SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE username = ?')
    .get(username) as Viewer & { id: number };
  return {
    role: u.role,
    userId: u.id,
    staffId: u.staffId,
    branchId: u.branchId,
    scope: scopeFor(db, { role: u.role, staffId: u.staffId, branchId: u.branchId }, TODAY),
  };
};

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 3000, seed: 31 });
  const db = demo.db;
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'customers' AND instr(stat, ' ') > 0`,
  );
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '200000' || substr(stat, instr(stat, ' ')) WHERE tbl IN ('contacts', 'customer_last_contact') AND instr(stat, ' ') > 0`,
  );
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '25000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'referrals' AND instr(stat, ' ') > 0`,
  );
  db.exec('ANALYZE sqlite_schema');
  expect((db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n).toBeGreaterThan(0);
}, 120_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

/** No full pass over a table, by rows or by a whole index. */
const noScan = (plan: string, table: string) => expect(plan).not.toMatch(new RegExp(`SCAN ${table}\\b`));

describe('referral and contact-log query plans', () => {
  it('the manager’s queue reads the owner index; the teller’s flags the referrer index; the president’s report the branch index', () => {
    const db = demo.db;
    const m = viewer(db, 'manager1');
    for (const view of ['open', 'overdue', 'all'] as const) {
      const ps = plans(db, /FROM referrals r/, () => listReferrals(db, m, view, TODAY, 0, 50));
      expect(ps.length).toBeGreaterThan(0);
      for (const p of ps) {
        expect(p.plan, view).toMatch(/SEARCH r USING (COVERING )?INDEX referrals_owner/);
        noScan(p.plan, 'r');
      }
    }
    const t = viewer(db, 'teller1');
    for (const p of plans(db, /FROM referrals r/, () => listReferrals(db, t, 'mine', TODAY, 0, 20))) {
      expect(p.plan).toMatch(/SEARCH r USING (COVERING )?INDEX referrals_referrer/);
      noScan(p.plan, 'r');
    }
    const pr = viewer(db, 'president');
    const ps = plans(db, /FROM referrals r/, () => referralReport(db, pr, '2026-01-01', TODAY, TODAY));
    expect(ps.length).toBe(3);
    for (const p of ps) {
      expect(p.plan).toMatch(/SEARCH r USING (COVERING )?INDEX referrals_branch/);
      noScan(p.plan, 'r');
    }
  });

  it('a timeline reads the customer’s contacts by index; "not contacted for N days" walks the AUM index and counts only recent contacts', () => {
    const db = demo.db;
    const m = viewer(db, 'manager1');
    const someone = (db.prepare('SELECT customer_id AS c FROM contacts LIMIT 1').get() as { c: number }).c;
    const pr = viewer(db, 'president');
    for (const p of plans(db, /FROM contacts k/, () => contactsForCustomer(db, pr.scope, someone, 0, 50))) {
      expect(p.plan).toMatch(/SEARCH k USING (COVERING )?INDEX contacts_customer/);
      noScan(p.plan, 'k');
    }
    for (const who of [m, pr]) {
      const ps = plans(db, /customer_last_contact/, () => staleCustomers(db, who.scope, 90, TODAY, 0, 50));
      const count = ps.find((p) => /COUNT\(\*\)/.test(p.sql))!;
      const page = ps.find((p) => /ORDER BY c\.aum_fen DESC/.test(p.sql))!;
      // the president's branch is the whole book: start from the recent contacts; a manager's book may
      // instead be walked by its own index with a primary-key probe each (both bounded, neither a scan)
      if (who.role === 'president')
        expect(count.plan, 'president count').toMatch(/SEARCH l USING (COVERING )?INDEX customer_last_contact_on/);
      noScan(count.plan, 'c');
      noScan(count.plan, 'l');
      expect(page.plan, `${who.role} page`).toMatch(/customers_aum/);
      expect(page.top).toMatch(/^SCAN c USING INDEX customers_aum/);
      expect(page.top, 'no sort of the scope').not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });
});
