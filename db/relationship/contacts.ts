import type { Database } from 'better-sqlite3';
import type { Contact, StaleCustomer } from '../../shared/api/contacts';
import type { ContactChannel, ContactOutcome } from '../../shared/api/referrals';
import { addDays } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { fenToYuan } from '../../shared/money';
import { gridCount } from '../repos/customer-grid';
import { customerInScope, type Scope } from '../scope';
import { all, first, query } from '../sql';
import { addReminder } from './reminders';
import { addWorkdays } from './workdays';

/**
 * The contact log (交往记录). A contact belongs to a customer; who may read or write it follows the
 * customer's data scope (db/scope.ts), in SQL: a manager reaches only the contacts of customers in
 * their book (or granted to them), so never another manager's customers' contacts.
 */

export interface NewContact {
  customerId: number;
  channel: ContactChannel;
  outcome: ContactOutcome;
  summary?: string | undefined;
  nextStep?: string | undefined;
  nextStepOn?: string | undefined;
  referralId?: number | null;
}

export interface Author {
  userId: number;
  staffId: number | null;
}

/** One contact row (also placed by the sync layer for contacts recorded on another PC). */
export const INSERT_CONTACT = query<
  [
    customerId: number,
    userId: number,
    staffId: number | null,
    channel: string,
    outcome: string,
    summary: string | null,
    nextStep: string | null,
    nextStepOn: string | null,
    referralId: number | null,
    contactedAt: string,
    contactedOn: string,
  ]
>(
  `INSERT INTO contacts (customer_id, user_id, staff_id, channel, outcome, summary, next_step, next_step_on, referral_id, contacted_at, contacted_on)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
// Kept current on every contact: the latest one wins, whatever order they are recorded in.
export const LAST_CONTACT = query<[customerId: number, lastOn: string, lastAt: string, channel: string]>(
  `INSERT INTO customer_last_contact (customer_id, last_on, last_at, channel) VALUES (?, ?, ?, ?)
   ON CONFLICT (customer_id) DO UPDATE SET last_on = excluded.last_on, last_at = excluded.last_at, channel = excluded.channel
   WHERE excluded.last_at >= customer_last_contact.last_at`,
);

/**
 * Writes one contact, keeps customer_last_contact current, and turns a next step into a work-item
 * reminder for the author (due on the given date, else the next working day). Call inside a transaction.
 */
export function insertContact(
  db: Database,
  who: Author,
  c: NewContact,
  now: Date,
  today: string,
): { id: number; reminderId: number | null } {
  if (c.nextStepOn && !c.nextStep)
    throw new AppError('VALIDATION', { issues: [{ path: ['nextStep'], code: 'required' }] });
  if (c.nextStepOn && c.nextStepOn < today)
    throw new AppError('VALIDATION', { issues: [{ path: ['nextStepOn'], code: 'too_small' }] });
  const nextOn = c.nextStep ? (c.nextStepOn ?? addWorkdays(today, 1)) : null;
  const at = now.toISOString();
  const id = Number(
    INSERT_CONTACT.run(
      db,
      c.customerId,
      who.userId,
      who.staffId,
      c.channel,
      c.outcome,
      c.summary || null,
      c.nextStep || null,
      nextOn,
      c.referralId ?? null,
      at,
      today,
    ).lastInsertRowid,
  );
  LAST_CONTACT.run(db, c.customerId, today, at, c.channel);
  let reminderId: number | null = null;
  if (c.nextStep && nextOn) {
    const r = addReminder(
      db,
      {
        kind: 'work_item',
        userId: who.userId,
        customerId: c.customerId,
        dueOn: nextOn,
        params: { text: c.nextStep },
        sourceType: 'contact',
        sourceId: id,
        dedupeKey: `contact:${id}`,
      },
      today,
    );
    reminderId = r?.id ?? null;
  }
  return { id, reminderId };
}

interface ContactRow {
  id: number;
  customerId: number;
  channel: ContactChannel;
  outcome: ContactOutcome;
  summary: string | null;
  nextStep: string | null;
  nextStepOn: string | null;
  referralId: number | null;
  staffName: string;
  contactedAt: string;
  contactedOn: string;
  reminderId: number | null;
}

const SELECT = `SELECT k.id, k.customer_id AS customerId, k.channel, k.outcome, k.summary, k.next_step AS nextStep, k.next_step_on AS nextStepOn,
    k.referral_id AS referralId, COALESCE(s.name, u.display_name) AS staffName, k.contacted_at AS contactedAt, k.contacted_on AS contactedOn,
    (SELECT m.id FROM reminders m WHERE m.source_type = 'contact' AND m.source_id = CAST(k.id AS TEXT) ORDER BY m.id LIMIT 1) AS reminderId
  FROM contacts k JOIN users u ON u.id = k.user_id LEFT JOIN staff s ON s.id = k.staff_id`;

const BY_ID = query<[id: number], ContactRow>(`${SELECT} WHERE k.id = ?`);
const COUNT_FOR_CUSTOMER = query<[customerId: number], { n: number }>(
  'SELECT COUNT(*) AS n FROM contacts WHERE customer_id = ?',
);
const PAGE_FOR_CUSTOMER = query<[customerId: number, limit: number, offset: number], ContactRow>(
  `${SELECT} WHERE k.customer_id = ? ORDER BY k.contacted_at DESC, k.id DESC LIMIT ? OFFSET ?`,
);

export function getContact(db: Database, id: number): Contact {
  const c = BY_ID.get(db, id);
  if (!c) throw new AppError('NOT_FOUND', { entity: 'contact', id });
  return c;
}

/** A customer's timeline, newest first; the customer must be in scope (checked first). */
export function contactsForCustomer(
  db: Database,
  scope: Scope,
  customerId: number,
  offset: number,
  limit: number,
): { rows: Contact[]; total: number } {
  customerInScope(db, scope, customerId);
  const total = COUNT_FOR_CUSTOMER.get(db, customerId)?.n ?? 0;
  const rows = PAGE_FOR_CUSTOMER.all(db, customerId, limit, offset);
  return { rows, total };
}

/**
 * Customers in scope whose last contact is on or before today − days (or who were never contacted),
 * largest AUM first. Closed customers count too (they keep their history). On a million customers:
 *  - the total is the scope's size from the maintained summaries (the grid's count) less the customers
 *    of the scope contacted since the cutoff (customer_last_contact_on: only recent contacts are read);
 *  - the page walks the AUM index from the top and stops after `offset + limit` matches, skipping
 *    customers contacted since the cutoff by primary key, instead of sorting the whole scope.
 */
export function staleCustomers(db: Database, scope: Scope, days: number, today: string, offset: number, limit: number) {
  const cutoff = addDays(today, -days);
  const inScope = gridCount(db, scope, {}, today);
  const recent =
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM customer_last_contact l JOIN customers c ON c.id = l.customer_id WHERE l.last_on > ? AND ${scope.sql}`,
      cutoff,
      ...scope.params,
    )?.n ?? 0;
  const rows = all<Omit<StaleCustomer, 'aum' | 'daysSince'> & { aumFen: number }>(
    db,
    `SELECT c.id, c.customer_no AS customerNo, c.name, c.tier, s.name AS managerName, c.aum_fen AS aumFen, l.last_on AS lastContactOn, l.channel AS lastChannel
     FROM customers c INDEXED BY customers_aum LEFT JOIN customer_last_contact l ON l.customer_id = c.id LEFT JOIN staff s ON s.id = c.manager_staff_id
     WHERE ${scope.sql} AND (l.last_on IS NULL OR l.last_on <= ?) ORDER BY c.aum_fen DESC, c.id DESC LIMIT ? OFFSET ?`,
    ...scope.params,
    cutoff,
    limit,
    offset,
  );
  const dayNo = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  return {
    cutoff,
    total: inScope - recent,
    rows: rows.map(
      ({ aumFen, ...r }): StaleCustomer => ({
        ...r,
        aum: fenToYuan(aumFen),
        daysSince: r.lastContactOn ? dayNo(today) - dayNo(r.lastContactOn) : null,
      }),
    ),
  };
}
