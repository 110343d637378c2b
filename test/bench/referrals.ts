/**
 * Referral and contact-log reads on a demo store (issue 7, items 1 and 3): a manager's queue page, the
 * president's queue page and report, a customer's timeline, and "not contacted for N days" (count and
 * first page) for a manager and for the president over the whole branch. A store without referrals gets
 * one per 20 customers and a contact per 3 customers first (not timed); the demo's own are used otherwise.
 * Baseline in the same run: one full scan of the customers table.
 *
 *   node --import tsx test/bench/referrals.ts --db STORE [--today 2026-10-20]
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { addDays } from '../../shared/dates';
import { contactsForCustomer, staleCustomers } from '../../db/relationship/contacts';
import { listReferrals, referralReport, type Viewer } from '../../db/relationship/referrals';
import { addWorkdays } from '../../db/relationship/workdays';
import { scopeFor } from '../../db/scope';

const CHANNELS = ['call', 'visit', 'sms', 'wechat', 'meeting'] as const;
const INTERESTS = ['deposit', 'wealth', 'loan', 'card', 'insurance', 'other'] as const;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function time(n: number, fn: (i: number) => void): { p50: number; p95: number } {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    xs.push(performance.now() - t);
  }
  return { p50: pct(xs, 50), p95: pct(xs, 95) };
}

/** Seeds referrals and contacts deterministically (skips when the store already has them). */
function seed(db: Database.Database, today: string): void {
  if ((db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n > 0) return;
  const tellers = db
    .prepare(`SELECT u.id, u.staff_id AS staff FROM users u WHERE u.role = 'teller' AND u.staff_id IS NOT NULL`)
    .all() as { id: number; staff: number }[];
  const managerUser = db.prepare(`SELECT id, staff_id AS staff FROM users WHERE role = 'manager'`).all() as {
    id: number;
    staff: number;
  }[];
  if (tellers.length === 0 || managerUser.length === 0) throw new Error('the store needs tellers and managers');
  const product = (db.prepare(`SELECT id FROM products LIMIT 1`).get() as { id: number }).id;
  const insR = db.prepare(
    `INSERT INTO referrals (customer_id, branch_id, referrer_user_id, referrer_staff_id, interest, urgency, owner_staff_id, status, created_at, created_on, sla_days, due_on,
       first_contact_at, first_contact_on, closed_at, closed_on, won_product_id, won_amount_fen, lost_reason, updated_at)
     VALUES (?, ?, ?, ?, ?, 'normal', ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insC = db.prepare(
    `INSERT INTO contacts (customer_id, user_id, staff_id, channel, outcome, contacted_at, contacted_on) VALUES (?, ?, ?, ?, 'reached', ?, ?)`,
  );
  const last = db.prepare(
    `INSERT INTO customer_last_contact (customer_id, last_on, last_at, channel) VALUES (?, ?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET last_on = excluded.last_on, last_at = excluded.last_at, channel = excluded.channel WHERE excluded.last_at >= customer_last_contact.last_at`,
  );
  const customers = db
    .prepare('SELECT id, branch_id AS branch, manager_staff_id AS manager FROM customers ORDER BY id')
    .all() as { id: number; branch: number; manager: number | null }[];
  const userOfStaff = new Map(managerUser.map((m) => [m.staff, m.id]));
  db.transaction(() => {
    customers.forEach((c, i) => {
      if (i % 3 === 0) {
        const on = addDays(today, -((i * 7) % 365));
        const uid = (c.manager != null ? userOfStaff.get(c.manager) : undefined) ?? managerUser[0]!.id;
        const at = `${on}T03:00:00.000Z`;
        insC.run(c.id, uid, c.manager, CHANNELS[i % 5], at, on);
        last.run(c.id, on, at, CHANNELS[i % 5]);
      }
      if (i % 20 === 0) {
        const t = tellers[i % tellers.length]!;
        const on = addDays(today, -((i * 3) % 180));
        const status = (['new', 'accepted', 'contacted', 'won', 'lost'] as const)[i % 5];
        const contacted = status === 'contacted' || status === 'won' || status === 'lost';
        const closed = status === 'won' || status === 'lost';
        const fc = contacted ? addDays(on, 1) : null;
        insR.run(
          c.id,
          c.branch,
          t.id,
          t.staff,
          INTERESTS[i % 6],
          c.manager,
          status,
          `${on}T02:00:00.000Z`,
          on,
          addWorkdays(on, 2),
          fc ? `${fc}T02:00:00.000Z` : null,
          fc,
          closed ? `${fc}T04:00:00.000Z` : null,
          closed ? fc : null,
          status === 'won' ? product : null,
          status === 'won' ? 1_000_000 + i : null,
          status === 'lost' ? 'other' : null,
          `${on}T02:00:00.000Z`,
        );
      }
    });
  })();
}

export async function benchReferrals(opts: { db: string; today?: string; print: (s: string) => void }): Promise<void> {
  const { print } = opts;
  const today = opts.today ?? '2026-10-20';
  const db = new Database(opts.db);
  try {
    db.pragma('journal_mode = WAL');
    const s0 = performance.now();
    seed(db, today);
    const seedMs = performance.now() - s0;
    const customers = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    const referrals = (db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n;
    const contacts = (db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n;
    const b0 = performance.now();
    db.prepare(`SELECT COUNT(*) FROM customers WHERE status <> 'closed' AND aum_fen >= 0`).get();
    const scanMs = performance.now() - b0;
    print(
      `  store: ${customers.toLocaleString('en-US')} customers, ${referrals.toLocaleString('en-US')} referrals, ${contacts.toLocaleString('en-US')} contacts (seeded in ${seedMs.toFixed(0)} ms)`,
    );
    print(`  baseline: one full customer scan ${scanMs.toFixed(1)} ms`);

    const who = (role: string) =>
      db
        .prepare(
          `SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE role = ? AND disabled = 0 ORDER BY id LIMIT 1`,
        )
        .get(role) as { id: number; role: 'manager' | 'president'; staffId: number; branchId: number } | undefined;
    const sample = db.prepare('SELECT customer_id AS c FROM contacts ORDER BY id LIMIT 50').all() as { c: number }[];
    for (const role of ['manager', 'president'] as const) {
      const u = who(role);
      if (!u) continue;
      const v: Viewer = { role: u.role, userId: u.id, staffId: u.staffId, branchId: u.branchId };
      const scope = scopeFor(db, { role: u.role, staffId: u.staffId, branchId: u.branchId }, today);
      const queue = time(30, (i) => listReferrals(db, v, (['open', 'overdue', 'all'] as const)[i % 3]!, today, 0, 50));
      const report = time(10, () => referralReport(db, v, addDays(today, -365), today, today));
      const stale = time(10, (i) => staleCustomers(db, scope, [30, 90, 180][i % 3]!, today, 0, 50));
      const inScope = sample.filter((x) =>
        db.prepare(`SELECT 1 FROM customers c WHERE c.id = ? AND ${scope.sql}`).get(x.c, ...scope.params),
      );
      const timeline = inScope.length
        ? time(inScope.length, (i) => contactsForCustomer(db, scope, inScope[i]!.c, 0, 50))
        : { p50: NaN, p95: NaN };
      const fmt = (x: { p50: number; p95: number }) =>
        `p50 ${x.p50.toFixed(1)} ms p95 ${x.p95.toFixed(1)} ms (${(x.p95 / scanMs).toFixed(2)} x scan)`;
      print(`  ${role.padEnd(9)} queue page ${fmt(queue)}; report ${fmt(report)}`);
      print(`  ${role.padEnd(9)} not contacted for N days (count + page) ${fmt(stale)}; timeline ${fmt(timeline)}`);
    }
  } finally {
    db.close();
  }
}

if (process.argv[1]?.endsWith('referrals.ts')) {
  const i = process.argv.indexOf('--db');
  const t = process.argv.indexOf('--today');
  if (i < 0) throw new Error('--db STORE required');
  void benchReferrals({
    db: process.argv[i + 1]!,
    today: t > 0 ? process.argv[t + 1] : undefined,
    print: (s) => process.stdout.write(`${s}\n`),
  });
}
