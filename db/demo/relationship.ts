import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import { opportunityFromReferral } from '../relationship/referrals';
import { addWorkdays } from '../relationship/workdays';
import { Rng } from './rng';

/**
 * Demo referrals (转介) and contacts (交往记录) over the last six months before `asOf`, so the queues, the
 * president's referral report, the 360 timelines and "not contacted for N days" show something on a fresh
 * demo. Deterministic for a seed; written through the same tables and rules as the app (SLA due dates in
 * working days, events for every state change, won with a product of the interest's line and an amount,
 * lost with a reason, customer_last_contact kept). About one referral per 40 customers (at most 5,500),
 * nine in ten on customers with a manager of record,
 * and one contact per 4 managed customers (at most 100,000).
 */
const INTERESTS = ['deposit', 'wealth', 'loan', 'card', 'insurance', 'other'] as const;
const LINE_CATEGORIES: Record<(typeof INTERESTS)[number], string[]> = {
  deposit: ['term', 'cd'],
  wealth: ['wealth', 'fund'],
  loan: ['loan'],
  card: ['card'],
  insurance: ['insurance'],
  other: ['demand'],
};
const CHANNELS = ['call', 'visit', 'sms', 'wechat', 'meeting'] as const;
const OUTCOMES = ['reached', 'no_answer', 'interested', 'not_interested', 'appointment', 'completed'] as const;
const LOST = ['not_interested', 'unreachable', 'competitor', 'not_eligible', 'other'] as const;

const ts = (day: string, hour: number) =>
  `${day}T${String(hour).padStart(2, '0')}:${String((hour * 7) % 60).padStart(2, '0')}:00.000Z`;

export function seedRelationshipDemo(
  db: Database,
  opts: { asOf: string; seed: number },
): { referrals: number; contacts: number } {
  const rng = new Rng(opts.seed ^ 0x5eed7);
  const tellerRng = rng.fork(1);
  const tellers = db
    .prepare(`SELECT id, staff_id AS staff FROM users WHERE role = 'teller' AND staff_id IS NOT NULL ORDER BY id`)
    .all() as { id: number; staff: number }[];
  const managers = new Map(
    (
      db
        .prepare(
          `SELECT u.id, u.staff_id AS staff FROM users u JOIN staff s ON s.id = u.staff_id WHERE u.role = 'manager' AND s.position = 'manager' AND s.active = 1`,
        )
        .all() as {
        id: number;
        staff: number;
      }[]
    ).map((m) => [m.staff, m.id]),
  );
  const presidentId = (
    db.prepare(`SELECT id FROM users WHERE role = 'president' ORDER BY id LIMIT 1`).get() as { id: number } | undefined
  )?.id;
  if (tellers.length === 0 || managers.size === 0 || presidentId === undefined) return { referrals: 0, contacts: 0 };
  const productsBy = new Map<string, number[]>();
  for (const p of db.prepare(`SELECT id, category FROM products WHERE status = 'on_sale' ORDER BY id`).all() as {
    id: number;
    category: string;
  }[]) {
    productsBy.set(p.category, [...(productsBy.get(p.category) ?? []), p.id]);
  }
  const total = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  const managed = (
    db.prepare('SELECT COUNT(*) AS n FROM customers WHERE manager_staff_id IS NOT NULL').get() as { n: number }
  ).n;
  const target = Math.min(5000, Math.ceil(total / 40));
  // mostly customers with a manager of record (their queues), a few without (the branch queue)
  const stepManaged = Math.max(1, Math.floor(managed / target));
  const stepOther = Math.max(1, Math.floor(Math.max(1, total - managed) / Math.max(1, Math.ceil(target / 10))));
  const insR = db.prepare(
    `INSERT INTO referrals (customer_id, branch_id, referrer_user_id, referrer_staff_id, interest, urgency, note, owner_staff_id, status, created_at, created_on,
       sla_days, due_on, accepted_at, first_contact_at, first_contact_on, closed_at, closed_on, won_product_id, won_amount_fen, lost_reason, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insE = db.prepare(
    `INSERT INTO referral_events (referral_id, at, user_id, action, from_status, to_status, from_owner, to_owner) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
  );
  const insC = db.prepare(
    `INSERT INTO contacts (customer_id, user_id, staff_id, channel, outcome, summary, referral_id, contacted_at, contacted_on) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
  );
  const last = db.prepare(
    `INSERT INTO customer_last_contact (customer_id, last_on, last_at, channel) VALUES (?, ?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET last_on = excluded.last_on, last_at = excluded.last_at, channel = excluded.channel
     WHERE excluded.last_at >= customer_last_contact.last_at`,
  );
  let referrals = 0;
  let contacts = 0;
  db.transaction(() => {
    // Referrals: every n-th customer with a manager (by id) and a few without, flagged 0–180 days before asOf.
    const rows = db
      .prepare(
        `SELECT id, branch_id AS branch, manager_staff_id AS manager FROM customers
         WHERE CASE WHEN manager_staff_id IS NULL THEN (id % ?) = 0 ELSE (id % ?) = 0 END ORDER BY id LIMIT 5500`,
      )
      .all(stepOther, stepManaged) as {
      id: number;
      branch: number;
      manager: number | null;
    }[];
    for (const c of rows) {
      const owner = c.manager != null && managers.has(c.manager) ? c.manager : null;
      // the branch queue holds recent ones only (the president dispatches them within days)
      // some tellers refer more than others (the leaderboard has a shape)
      const teller = tellers[Math.min(tellers.length - 1, Math.floor(tellerRng.next() ** 1.5 * tellers.length))]!;
      const interest = rng.pick(INTERESTS);
      const created = addDays(opts.asOf, -rng.int(owner == null ? 10 : 181));
      const ownerUser = owner != null ? managers.get(owner)! : presidentId;
      const due = addWorkdays(created, 2);
      const age = Math.round((Date.parse(opts.asOf) - Date.parse(created)) / 86_400_000);
      // older referrals have moved further along
      const roll = rng.next();
      const status =
        owner == null
          ? 'new'
          : age < 3
            ? roll < 0.5
              ? 'new'
              : 'accepted'
            : age < 14
              ? (['accepted', 'contacted', 'contacted'] as const)[rng.int(3)]
              : roll < 0.45
                ? 'won'
                : roll < 0.8
                  ? 'lost'
                  : 'contacted';
      const accepted = status === 'new' ? null : ts(created, 3 + rng.int(5));
      const contactDay0 =
        status === 'won' || status === 'lost' || status === 'contacted'
          ? rng.chance(0.8)
            ? addWorkdays(created, rng.int(2))
            : addWorkdays(created, 2 + rng.int(4))
          : null;
      const contactDay = contactDay0 && contactDay0 > opts.asOf ? opts.asOf : contactDay0;
      const contactAt = contactDay ? ts(contactDay, 6 + rng.int(3)) : null;
      const closeDay = status === 'won' || status === 'lost' ? addDays(contactDay!, 1 + rng.int(10)) : null;
      const closedOn = closeDay && closeDay > opts.asOf ? opts.asOf : closeDay;
      const lines = LINE_CATEGORIES[interest].flatMap((k) => productsBy.get(k) ?? []);
      const wonProduct =
        status === 'won' ? (lines.length ? rng.pick(lines) : productsBy.values().next().value![0]!) : null;
      const wonFen = status === 'won' ? Math.round(rng.logNormal(8_000_000, 1)) + 100 : null;
      const lost = status === 'lost' ? rng.pick(LOST) : null;
      const createdAt = ts(created, 1 + rng.int(2));
      const id = Number(
        insR.run(
          c.id,
          c.branch,
          teller.id,
          teller.staff,
          interest,
          rng.chance(0.2) ? 'high' : 'normal',
          owner,
          status,
          createdAt,
          created,
          due,
          accepted,
          contactAt,
          contactDay,
          closedOn ? ts(closedOn, 9) : null,
          closedOn,
          wonProduct,
          wonFen,
          lost,
          closedOn ? ts(closedOn, 9) : (contactAt ?? accepted ?? createdAt),
        ).lastInsertRowid,
      );
      insE.run(id, createdAt, teller.id, 'created', null, 'new', owner);
      if (accepted) insE.run(id, accepted, ownerUser, 'accepted', 'new', 'accepted', null);
      if (contactAt) {
        insE.run(id, contactAt, ownerUser, 'contacted', 'accepted', 'contacted', null);
        const ch = rng.pick(CHANNELS);
        insC.run(
          c.id,
          ownerUser,
          owner,
          ch,
          status === 'won' ? 'completed' : status === 'lost' ? 'not_interested' : 'interested',
          id,
          contactAt,
          contactDay,
        );
        last.run(c.id, contactDay, contactAt, ch);
        contacts++;
      }
      if (closedOn) {
        insE.run(id, ts(closedOn, 9), ownerUser, status, 'contacted', status, null);
        // as the app does on closing: the referral's opportunity (lead source 'referral')
        opportunityFromReferral(
          db,
          id,
          status === 'won'
            ? { won: { productId: wonProduct!, fen: wonFen! } }
            : { lost: { reason: lost!, note: null } },
          ownerUser,
          closedOn,
        );
        // the demo is byte-identical for a seed: the opportunity's clock columns take the closing time
        const at = ts(closedOn, 9);
        db.prepare(
          `UPDATE opportunities SET created_at = ?, updated_at = ? WHERE source = 'referral' AND source_ref = ?`,
        ).run(at, at, String(id));
        db.prepare(
          `UPDATE opportunity_history SET at = ? WHERE opportunity_id IN (SELECT id FROM opportunities WHERE source = 'referral' AND source_ref = ?)`,
        ).run(at, String(id));
      }
      referrals++;
    }
    // Contacts: one in four managed customers, once or twice in the last year.
    const managed = db
      .prepare(
        `SELECT id, manager_staff_id AS manager FROM customers WHERE manager_staff_id IS NOT NULL AND (id % 4) = 1 ORDER BY id LIMIT 60000`,
      )
      .all() as {
      id: number;
      manager: number;
    }[];
    for (const c of managed) {
      const user = managers.get(c.manager);
      if (user === undefined) continue;
      for (let k = 1 + rng.int(2); k > 0; k--) {
        const day = addDays(opts.asOf, -rng.int(365));
        const at = ts(day, 1 + rng.int(9));
        const ch = rng.pick(CHANNELS);
        insC.run(c.id, user, c.manager, ch, rng.pick(OUTCOMES), null, at, day);
        last.run(c.id, day, at, ch);
        contacts++;
      }
    }
  })();
  return { referrals, contacts };
}
