import type { Database } from 'better-sqlite3';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { WATCH_STATUSES, type WatchStatus } from '../../shared/analytics';
import { query } from '../sql';
import { CUSTOMER_ID, STAFF_ID, USER_ID } from './local-ids';
import { type Mutators, type Projection, recordMutation } from './replica';
import { linkRecord, localIdOf, syncJoined } from './schema';

/**
 * 风险预警跟进 on the hub. A customer has one follow-up, so its record's id is the customer number (a
 * natural key every PC derives alike) and the latest follow-up wins: it is a status and a note people
 * agree by talking, not a state machine another record depends on. Customers, owners and authors cross
 * the wire by natural keys (customer number, employee number, username).
 */
export const RISK_WATCH = 'risk_watch';

const WIRE = query<[customerId: number], SyncRow>(
  `SELECT c.customer_no, s.employee_no AS owner, w.status, w.note, w.due_on, u.username AS updated_by, w.updated_at
   FROM risk_watch w JOIN customers c ON c.id = w.customer_id LEFT JOIN staff s ON s.id = w.owner_staff_id
   LEFT JOIN users u ON u.id = w.updated_by WHERE w.customer_id = ?`,
);

/** The follow-up as it crosses the wire, and its record id (the customer number). */
export function followUpWire(db: Database, customerId: number): { id: string; row: SyncRow } {
  const row = WIRE.get(db, customerId);
  if (!row) throw new Error(`follow-up of customer ${customerId} not found for sync`);
  return { id: String(row.customer_no), row };
}

/**
 * Called by the handler inside the follow-up's transaction: on a joined PC, queues the follow-up's new
 * state. Standalone it does nothing and returns false.
 */
export function shareFollowUp(db: Database, customerId: number, actor: SyncActor): boolean {
  if (!syncJoined(db)) return false;
  const { id, row } = followUpWire(db, customerId);
  const local = query<[customerId: number], { id: number }>('SELECT id FROM risk_watch WHERE customer_id = ?').get(
    db,
    customerId,
  );
  if (local && localIdOf(db, RISK_WATCH, id) === null) linkRecord(db, RISK_WATCH, id, local.id);
  recordMutation(db, {
    name: 'risk.followUp',
    args: { id, row },
    effects: [{ table: RISK_WATCH, id, data: row }],
    actor,
  });
  return true;
}

/** Re-run on a rebase: the same state again (last writer wins on this record). */
export const riskWatchMutators: Mutators = {
  'risk.followUp': (_db, raw) => {
    const a = raw as { id: string; row: SyncRow };
    return [{ table: RISK_WATCH, id: a.id, data: a.row }];
  },
};

const UPSERT = query<
  [
    customerId: number,
    owner: number | null,
    status: string,
    note: string | null,
    due: string | null,
    by: number | null,
    at: string,
  ],
  { id: number }
>(
  `INSERT INTO risk_watch (customer_id, owner_staff_id, status, note, due_on, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT(customer_id) DO UPDATE SET owner_staff_id = excluded.owner_staff_id, status = excluded.status, note = excluded.note,
     due_on = excluded.due_on, updated_by = excluded.updated_by, updated_at = excluded.updated_at
   RETURNING id`,
);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Places a follow-up made on another PC. One whose customer this store's book does not hold yet is left
 * out and placed by reprojectRiskWatch after a later import.
 */
export const projectFollowUp: Projection = (db, id, row) => {
  if (row === null) return; // not deletable
  const customer = CUSTOMER_ID.get(db, String(row.customer_no))?.id;
  if (customer === undefined) return;
  const status = (WATCH_STATUSES as readonly string[]).includes(String(row.status))
    ? (String(row.status) as WatchStatus)
    : 'open';
  const owner = row.owner == null ? null : (STAFF_ID.get(db, String(row.owner))?.id ?? null);
  const by = row.updated_by == null ? null : (USER_ID.get(db, String(row.updated_by))?.id ?? null);
  const local = UPSERT.get(
    db,
    customer,
    owner,
    status,
    text(row.note),
    text(row.due_on),
    by,
    text(row.updated_at) ?? new Date().toISOString(),
  );
  if (local && localIdOf(db, RISK_WATCH, id) === null) linkRecord(db, RISK_WATCH, id, local.id);
};

const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s
   WHERE s.tbl = 'risk_watch' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'risk_watch' AND l.id = s.id)`,
);

/** Follow-ups that arrived before their customer's extract was imported here, placed now if they can be. */
export function reprojectRiskWatch(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectFollowUp(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}
