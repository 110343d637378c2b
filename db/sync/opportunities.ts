import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { OpportunityProduct, OpportunityStage } from '../../shared/api/opportunities';
import { AppError } from '../../shared/errors';
import { MAX_EFFECTS_PER_MUTATION } from '../../shared/sync/protocol';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { assignOpportunity, moveOpportunity, undoWin, updateOpportunity } from '../relationship/opportunities';
import { query, type SqlParam } from '../sql';
import { MutationRefused, type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined, unlinkRecord } from './schema';
import { BRANCH_ID as BRANCH, CUSTOMER_ID as CUSTOMER, STAFF_ID as STAFF, USER_ID as USER } from './local-ids';

/**
 * 商机 on the hub (issue 16). An opportunity made by hand is a record (table `opportunities`, UUIDv7)
 * with its stage history in the row, so every move, edit, assignment or 撤销成交 rewrites it at a
 * checked revision: two PCs moving the same opportunity apart cannot both win; the second re-runs its
 * step on the new state (same store function, same stage rules) or gets a 同步冲突 entry. Opportunities
 * of a referral or a campaign entry are derived from those records on every PC (one per referral, one
 * per campaign and customer) and are not records of their own.
 */
export const OPPORTUNITIES = 'opportunities';

const WIRE = query<[id: number], SyncRow & { detail: string | null }>(
  `SELECT c.customer_no, b.code AS branch, s.employee_no AS owner, o.stage, o.reached_rank, o.source, o.rule_code,
          o.product, p.code AS product_code, o.amount_fen, o.due_on, o.title, o.detail, o.note, o.lost_reason,
          o.created_on, o.closed_on, u.username AS created_by,
          CASE WHEN o.source = 'rule' THEN o.dedupe_key END AS event_key
   FROM opportunities o JOIN customers c ON c.id = o.customer_id JOIN branches b ON b.id = o.branch_id
   LEFT JOIN staff s ON s.id = o.owner_staff_id LEFT JOIN products p ON p.id = o.product_id
   LEFT JOIN users u ON u.id = o.created_by WHERE o.id = ?`,
);
const HISTORY = query<[id: number], SyncRow>(
  `SELECT h.from_stage AS "from", h.to_stage AS "to", h.on_date AS "on", h.at, u.username AS user, h.note
   FROM opportunity_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.opportunity_id = ? ORDER BY h.id`,
);
const SOURCE = query<[id: number], { source: string }>('SELECT source FROM opportunities WHERE id = ?');
const DELETE_OPPORTUNITY = query<[id: number]>('DELETE FROM opportunities WHERE id = ?');

/** The opportunity as it crosses the wire: natural keys, its history whole. */
export function opportunityWire(db: Database, id: number): SyncRow {
  const r = WIRE.get(db, id);
  if (!r) throw new Error(`opportunity ${id} not found for sync`);
  return { ...r, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null, history: HISTORY.all(db, id) };
}

export type OpportunityStep =
  | { op: 'create' }
  | {
      op: 'move';
      to: OpportunityStage;
      note?: string | undefined;
      amountFen?: number | undefined;
      product?: OpportunityProduct | undefined;
      lostReason?: string | undefined;
      today: string;
    }
  | {
      op: 'update';
      product?: OpportunityProduct | undefined;
      amountFen?: number | null | undefined;
      dueOn?: string | null | undefined;
      note?: string | null | undefined;
    }
  | { op: 'assign'; owner: string }
  | { op: 'undoWon'; reason: string; today: string };

/**
 * Called by the handler inside the step's transaction, after the local write: on a joined PC, queues the
 * opportunity's new row with the step (what a rebase re-runs). Standalone, an opportunity made while
 * standalone, or one derived from a referral or campaign: nothing, false.
 */
export function shareOpportunity(db: Database, id: number, step: OpportunityStep, actor: SyncActor): boolean {
  const source = syncJoined(db) ? SOURCE.get(db, id)?.source : undefined;
  if (source !== 'manual' && source !== 'rule') return false;
  // A rule opportunity becomes a record when derived (shareDerivedOpportunities), never by a user's step.
  if (source === 'rule' && step.op === 'create') return false;
  let syncId = syncIdOf(db, OPPORTUNITIES, id);
  if (step.op === 'create') {
    syncId = uuid7();
    linkRecord(db, OPPORTUNITIES, syncId, id);
  }
  if (syncId === null) return false;
  const row = opportunityWire(db, id);
  // Assigning names the new owner by employee number (the wire has no local ids).
  const s = step.op === 'assign' ? { op: 'assign' as const, owner: String(row.owner ?? '') } : step;
  recordMutation(db, {
    name: `opportunities.${step.op}`,
    args: step.op === 'create' ? { syncId, row } : { syncId, step: s },
    effects: [{ table: OPPORTUNITIES, id: syncId, data: row }],
    actor,
  });
  return true;
}

/**
 * An opportunity made by hand while this PC was standalone becomes a record the first time it is worked
 * on a joined PC (before the step, as it stands), so the step is shared like any other.
 */
export function adoptOpportunity(db: Database, id: number, actor: SyncActor): boolean {
  if (!syncJoined(db) || SOURCE.get(db, id)?.source !== 'manual' || syncIdOf(db, OPPORTUNITIES, id) !== null)
    return false;
  const syncId = uuid7();
  linkRecord(db, OPPORTUNITIES, syncId, id);
  const row = opportunityWire(db, id);
  recordMutation(db, {
    name: 'opportunities.create',
    args: { syncId, row },
    effects: [{ table: OPPORTUNITIES, id: syncId, data: row }],
    actor,
  });
  return true;
}

/** A step re-run on the hub's state with the store's own checks; a refusal becomes a 同步冲突 entry. */
function rerun(db: Database, raw: unknown, actor: SyncActor | null) {
  const { syncId, step } = raw as { syncId: string; step: Exclude<OpportunityStep, { op: 'create' }> };
  const id = localIdOf(db, OPPORTUNITIES, syncId);
  if (id === null) throw new MutationRefused('NOT_FOUND', { syncId });
  const userId = actor ? USER.get(db, actor.userId)?.id : undefined;
  if (userId === undefined) throw new MutationRefused('FORBIDDEN', { user: actor?.userId ?? null });
  try {
    if (step.op === 'move') moveOpportunity(db, { id, userId, ...step });
    else if (step.op === 'update') updateOpportunity(db, id, step);
    else if (step.op === 'undoWon') undoWin(db, { id, userId, today: step.today, reason: step.reason });
    else {
      const owner = STAFF.get(db, step.owner)?.id;
      if (owner === undefined) throw new MutationRefused('NOT_FOUND', { owner: step.owner });
      assignOpportunity(db, id, owner);
    }
  } catch (err) {
    if (err instanceof AppError)
      throw new MutationRefused(err.code, { syncId, ...(err.details as Record<string, unknown> | undefined) });
    throw err;
  }
  return [{ table: OPPORTUNITIES, id: syncId, data: opportunityWire(db, id) }];
}

export const opportunityMutators: Mutators = {
  'opportunities.create': (_db, raw) => {
    const a = raw as { syncId: string; row: SyncRow };
    return [{ table: OPPORTUNITIES, id: a.syncId, data: a.row }];
  },
  // Another PC derived the same (natural key): nothing left to tell the hub.
  'opportunities.derive': (db, raw) =>
    (raw as { rows: { id: string; data: SyncRow }[] }).rows
      .filter((r) => !readRecord(db, OPPORTUNITIES, r.id))
      .map((r) => ({ table: OPPORTUNITIES, id: r.id, data: r.data })),
  'opportunities.move': rerun,
  'opportunities.update': rerun,
  'opportunities.assign': rerun,
  'opportunities.undoWon': rerun,
};

const PRODUCT = query<[code: string], { id: number }>('SELECT id FROM products WHERE code = ?');
const INSERT = query<SqlParam[]>(
  `INSERT INTO opportunities (customer_id, branch_id, owner_staff_id, stage, reached_rank, source, rule_code, product,
     product_id, amount_fen, due_on, title, detail, note, lost_reason, created_on, closed_on, created_by, dedupe_key)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
     CASE WHEN ? IS NOT NULL AND NOT EXISTS (SELECT 1 FROM opportunities WHERE dedupe_key = ?) THEN ? END)`,
);
const UPDATE = query<SqlParam[]>(
  `UPDATE opportunities SET customer_id = ?, branch_id = ?, owner_staff_id = ?, stage = ?, reached_rank = ?, source = ?,
     rule_code = ?, product = ?, product_id = ?, amount_fen = ?, due_on = ?, title = ?, detail = ?, note = ?,
     lost_reason = ?, created_on = ?, closed_on = ?, created_by = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE id = ?`,
);
const DELETE_HISTORY = query<[id: number]>('DELETE FROM opportunity_history WHERE opportunity_id = ?');
const ADD_HISTORY = query<
  [id: number, from: string | null, to: string, on: string, at: string, userId: number | null, note: string | null]
>(
  'INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date, at, user_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)',
);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Keeps the local opportunity (and its history) equal to the record; left out while its customer or
 * branch is not in this store's book yet (placed by reprojectOpportunities later).
 */
export const projectOpportunity: Projection = (db, syncId, row) => {
  if (row === null) {
    // Never on the hub (its creation was refused there): the local row goes, its history with it.
    const gone = localIdOf(db, OPPORTUNITIES, syncId);
    if (gone !== null) {
      DELETE_OPPORTUNITY.run(db, gone);
      unlinkRecord(db, OPPORTUNITIES, syncId);
    }
    return;
  }
  const customer = CUSTOMER.get(db, String(row.customer_no))?.id;
  const branch = BRANCH.get(db, String(row.branch))?.id;
  if (customer === undefined || branch === undefined) return;
  const user = (u: unknown) => (u == null ? null : (USER.get(db, String(u))?.id ?? null));
  const values: SqlParam[] = [
    customer,
    branch,
    row.owner == null ? null : (STAFF.get(db, String(row.owner))?.id ?? null),
    String(row.stage),
    Number(row.reached_rank),
    String(row.source),
    text(row.rule_code),
    String(row.product),
    row.product_code == null ? null : (PRODUCT.get(db, String(row.product_code))?.id ?? null),
    int(row.amount_fen),
    text(row.due_on),
    text(row.title),
    row.detail == null ? null : JSON.stringify(row.detail),
    text(row.note),
    text(row.lost_reason),
    String(row.created_on),
    text(row.closed_on),
    user(row.created_by),
  ];
  let id = localIdOf(db, OPPORTUNITIES, syncId);
  if (id === null) {
    // The deriving PC's event key, when free here, keeps this PC's rules from deriving it again.
    const ev = text(row.event_key);
    id = Number(INSERT.run(db, ...values, ev, ev, ev).lastInsertRowid);
    linkRecord(db, OPPORTUNITIES, syncId, id);
  } else UPDATE.run(db, ...values, id);
  DELETE_HISTORY.run(db, id);
  for (const h of (Array.isArray(row.history) ? row.history : []) as SyncRow[])
    ADD_HISTORY.run(db, id, text(h.from), String(h.to), String(h.on), String(h.at), user(h.user), text(h.note));
};

const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s WHERE s.tbl = 'opportunities' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'opportunities' AND l.id = s.id)`,
);

/** Opportunities that arrived before their customer's extract was imported here, placed now. */
export function reprojectOpportunities(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectOpportunity(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}

const UNSHARED_RULE_OPPS = query<[], { id: number }>(
  `SELECT o.id FROM opportunities o WHERE o.source = 'rule'
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'opportunities' AND l.local_id = o.id) ORDER BY o.id`,
);

/**
 * A rule opportunity's identity across PCs (issue 16, point 5): rule + customer + event. The event is
 * named by what the rule saw (due date, amount, the facts it keeps), which every PC computes alike from
 * the same extract, never by this store's INTEGER ids.
 */
export function ruleOpportunityKey(row: SyncRow): string {
  const facts = JSON.stringify([row.due_on ?? null, row.amount_fen ?? null, row.detail ?? null]);
  const digest = createHash('sha256').update(facts).digest('hex').slice(0, 16);
  return `rule:${String(row.rule_code)}:${String(row.customer_no)}:${digest}`;
}

/**
 * Rule opportunities this PC derived that are not records yet (after an import or a rules run): each is
 * tied to its natural key. One another PC already derived is that record (the hub's state is laid over
 * this PC's row; a second local row for the same key is dropped); a new one is queued as system work,
 * in parts. Run after each sync cycle.
 */
export function shareDerivedOpportunities(db: Database): number {
  if (!syncJoined(db)) return 0;
  const ids = UNSHARED_RULE_OPPS.all(db);
  if (ids.length === 0) return 0;
  return db.transaction(() => {
    const fresh: { id: string; data: SyncRow }[] = [];
    for (const { id } of ids) {
      const row = opportunityWire(db, id);
      const key = ruleOpportunityKey(row);
      if (localIdOf(db, OPPORTUNITIES, key) !== null) {
        DELETE_OPPORTUNITY.run(db, id);
        continue;
      }
      linkRecord(db, OPPORTUNITIES, key, id);
      const cur = readRecord(db, OPPORTUNITIES, key);
      if (cur) projectOpportunity(db, key, cur.deleted ? null : cur.data);
      else fresh.push({ id: key, data: row });
    }
    for (let i = 0; i < fresh.length; i += MAX_EFFECTS_PER_MUTATION) {
      const rows = fresh.slice(i, i + MAX_EFFECTS_PER_MUTATION);
      recordMutation(db, {
        name: 'opportunities.derive',
        args: { rows },
        effects: rows.map((r) => ({ table: OPPORTUNITIES, id: r.id, data: r.data })),
        actor: null,
      });
    }
    return ids.length;
  })();
}
