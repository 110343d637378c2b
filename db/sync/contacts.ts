import type { Database } from 'better-sqlite3';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { addReminder } from '../relationship/reminders';
import { query } from '../sql';
import { type Mutators, type Projection, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined, unlinkRecord } from './schema';
import { CUSTOMER_ID as CUSTOMER, STAFF_ID as STAFF, USER_ID as USER } from './local-ids';
import { INSERT_CONTACT, LAST_CONTACT } from '../relationship/contacts';

/**
 * 交往记录 on the hub (issue 16). A contact is written once by its author and never changed, so its
 * record (table `contacts`, id a UUIDv7) is created by the PC where it was recorded and only ever
 * projected elsewhere: the local row, the customer's last contact, and the author's next-step reminder,
 * as insertContact makes them where the contact was recorded. Customers, users, staff and referrals
 * cross the wire by their natural keys (customer number, username, employee number, referral sync id).
 */
export const CONTACTS = 'contacts';

const WIRE = query<[id: number], SyncRow>(
  `SELECT c.customer_no, u.username AS user, s.employee_no AS staff, k.channel, k.outcome, k.summary,
          k.next_step, k.next_step_on, r.sync_id AS referral, k.contacted_at, k.contacted_on
   FROM contacts k JOIN customers c ON c.id = k.customer_id JOIN users u ON u.id = k.user_id
   LEFT JOIN staff s ON s.id = k.staff_id LEFT JOIN referrals r ON r.id = k.referral_id WHERE k.id = ?`,
);

/** The contact as it crosses the wire (natural keys, no local ids). */
export function contactWire(db: Database, id: number): SyncRow {
  const r = WIRE.get(db, id);
  if (!r) throw new Error(`contact ${id} not found for sync`);
  return r;
}

/**
 * Called by the handler inside the contact's transaction: on a joined PC, queues the new contact's record.
 * Standalone it does nothing and returns false.
 */
export function shareContact(db: Database, id: number, actor: SyncActor): boolean {
  if (!syncJoined(db)) return false;
  const syncId = uuid7();
  linkRecord(db, CONTACTS, syncId, id);
  const row = contactWire(db, id);
  recordMutation(db, {
    name: 'contacts.record',
    args: { syncId, row },
    effects: [{ table: CONTACTS, id: syncId, data: row }],
    actor,
  });
  return true;
}

/** A new UUID record no other PC can have touched: refused by a rule or applied, never re-run on news. */
export const contactMutators: Mutators = {
  'contacts.record': (_db, raw) => {
    const a = raw as { syncId: string; row: SyncRow };
    return [{ table: CONTACTS, id: a.syncId, data: a.row }];
  },
};

const REFERRAL = query<[syncId: string], { id: number }>('SELECT id FROM referrals WHERE sync_id = ?');
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Places a contact recorded on another PC (once: contacts never change). A contact whose customer or
 * author this store's book does not hold yet is left out and placed by reprojectContacts later.
 */
export const projectContact: Projection = (db, syncId, row) => {
  if (row === null) return undoContact(db, syncId);
  if (localIdOf(db, CONTACTS, syncId) !== null) return;
  const customer = CUSTOMER.get(db, String(row.customer_no))?.id;
  const user = USER.get(db, String(row.user))?.id;
  if (customer === undefined || user === undefined) return;
  const staff = row.staff == null ? null : (STAFF.get(db, String(row.staff))?.id ?? null);
  const referral = row.referral == null ? null : (REFERRAL.get(db, String(row.referral))?.id ?? null);
  const at = String(row.contacted_at);
  const on = String(row.contacted_on);
  const id = Number(
    INSERT_CONTACT.run(
      db,
      customer,
      user,
      staff,
      String(row.channel),
      String(row.outcome),
      text(row.summary),
      text(row.next_step),
      text(row.next_step_on),
      referral,
      at,
      on,
    ).lastInsertRowid,
  );
  linkRecord(db, CONTACTS, syncId, id);
  LAST_CONTACT.run(db, customer, on, at, String(row.channel));
  const nextStep = text(row.next_step);
  const nextOn = text(row.next_step_on);
  if (nextStep && nextOn)
    addReminder(
      db,
      {
        kind: 'work_item',
        userId: user,
        customerId: customer,
        dueOn: nextOn,
        params: { text: nextStep },
        sourceType: 'contact',
        sourceId: id,
        dedupeKey: `contact:${id}`,
      },
      on,
    );
};

const CONTACT_CUSTOMER = query<[id: number], { customerId: number }>(
  'SELECT customer_id AS customerId FROM contacts WHERE id = ?',
);
const DELETE_CONTACT = query<[id: number]>('DELETE FROM contacts WHERE id = ?');
const DELETE_CONTACT_REMINDERS = query<[id: string]>(
  "DELETE FROM reminders WHERE source_type = 'contact' AND source_id = ?",
);
const FORGET_LAST = query<[customerId: number]>('DELETE FROM customer_last_contact WHERE customer_id = ?');
const RECOMPUTE_LAST = query<[customerId: number]>(
  `INSERT INTO customer_last_contact (customer_id, last_on, last_at, channel)
   SELECT customer_id, contacted_on, contacted_at, channel FROM contacts WHERE customer_id = ?
   ORDER BY contacted_at DESC, id DESC LIMIT 1`,
);

/**
 * A contact the hub refused (its author unknown or disabled there): the record never existed, so the
 * local row, its next-step reminder and the customer's last contact it set are undone here.
 */
function undoContact(db: Database, syncId: string): void {
  const id = localIdOf(db, CONTACTS, syncId);
  if (id === null) return;
  const customer = CONTACT_CUSTOMER.get(db, id)?.customerId;
  DELETE_CONTACT_REMINDERS.run(db, String(id));
  DELETE_CONTACT.run(db, id);
  unlinkRecord(db, CONTACTS, syncId);
  if (customer === undefined) return;
  FORGET_LAST.run(db, customer);
  RECOMPUTE_LAST.run(db, customer);
}

const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s
   WHERE s.tbl = 'contacts' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'contacts' AND l.id = s.id)`,
);

/** Contacts that arrived before their customer's extract was imported here, placed now if they can be. */
export function reprojectContacts(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectContact(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}

/** The shared id of a local contact (null: recorded while standalone). */
export const contactSyncId = (db: Database, id: number): string | null => syncIdOf(db, CONTACTS, id);
