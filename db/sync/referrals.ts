import type { Database } from 'better-sqlite3';
import type { ReferralAction, ReferralStatus } from '../../shared/api/referrals';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { addReminder, resolveReminders } from '../relationship/reminders';
import {
  activePresidents,
  addEvent,
  grantOutsideBook,
  markAccepted,
  markContacted,
  markLost,
  markWon,
  reassignReferral,
  TRANSITIONS,
} from '../relationship/referral-steps';
import { opportunityFromReferral, type ReferralClosing } from '../relationship/referrals';
import { query } from '../sql';
import {
  type LocalEffect,
  MutationRefused,
  type Mutator,
  type Mutators,
  type Projection,
  recordMutation,
} from './replica';
import { syncJoined } from './schema';
import { BRANCH_ID as BRANCH, CUSTOMER_ID as CUSTOMER, STAFF_ID as STAFF } from './local-ids';

/**
 * Referrals on the hub (issue 16, first domain). The replica record (table `referrals`, id = the
 * referral's UUIDv7 `sync_id`) is the source of truth on a joined PC; the local `referrals` table is its
 * projection, so every query, index and join of the referral pages stays as it was. Why a `sync_id`
 * column rather than TEXT ids: the INTEGER id is this store's handle everywhere (the API, contacts,
 * opportunities, reminders, the renderer's routes) and each PC's book has its own INTEGER ids anyway, so
 * the wire names customers, users, staff, branches and products by their natural keys.
 *
 * On the PC where a person acts, the handler runs the step on the local table as in standalone mode and
 * then records the row it produced (shareReferral). When the hub refuses that write because the record
 * moved, the rebase re-runs the step here (referralMutators) on the hub's state, with the same store
 * functions and checks; if the step no longer applies (accepted on another PC) it becomes a 同步冲突
 * entry and the projection puts the hub's row back: the local effect is undone.
 */
export const REFERRALS = 'referrals';

interface WireRow {
  id: number;
  sync_id: string | null;
  customer_no: string;
  branch: string;
  referrer: string;
  referrer_staff: string;
  interest: string;
  urgency: string;
  note: string | null;
  owner: string | null;
  status: ReferralStatus;
  created_at: string;
  created_on: string;
  sla_days: number;
  due_on: string;
  accepted_at: string | null;
  first_contact_at: string | null;
  first_contact_on: string | null;
  closed_at: string | null;
  closed_on: string | null;
  won_product: string | null;
  won_amount_fen: number | null;
  lost_reason: string | null;
  close_note: string | null;
  updated_at: string;
}

interface WireEvent {
  at: string;
  user: string;
  action: string;
  from: string | null;
  to: string;
  from_owner: string | null;
  to_owner: string | null;
  note: string | null;
}

const WIRE = query<[id: number], WireRow>(
  `SELECT r.id, r.sync_id, c.customer_no, b.code AS branch, ru.username AS referrer, rs.employee_no AS referrer_staff,
          r.interest, r.urgency, r.note, os.employee_no AS owner, r.status, r.created_at, r.created_on, r.sla_days,
          r.due_on, r.accepted_at, r.first_contact_at, r.first_contact_on, r.closed_at, r.closed_on,
          p.code AS won_product, r.won_amount_fen, r.lost_reason, r.close_note, r.updated_at
   FROM referrals r JOIN customers c ON c.id = r.customer_id JOIN branches b ON b.id = r.branch_id
   JOIN users ru ON ru.id = r.referrer_user_id JOIN staff rs ON rs.id = r.referrer_staff_id
   LEFT JOIN staff os ON os.id = r.owner_staff_id LEFT JOIN products p ON p.id = r.won_product_id
   WHERE r.id = ?`,
);
const WIRE_EVENTS = query<[referralId: number], WireEvent>(
  `SELECT e.at, u.username AS user, e.action, e.from_status AS "from", e.to_status AS "to",
          fo.employee_no AS from_owner, tn.employee_no AS to_owner, e.note
   FROM referral_events e JOIN users u ON u.id = e.user_id
   LEFT JOIN staff fo ON fo.id = e.from_owner LEFT JOIN staff tn ON tn.id = e.to_owner
   WHERE e.referral_id = ? ORDER BY e.id`,
);
const SYNC_ID = query<[id: number], { sync_id: string | null }>('SELECT sync_id FROM referrals WHERE id = ?');
const SET_SYNC_ID = query<[syncId: string, id: number]>('UPDATE referrals SET sync_id = ? WHERE id = ?');
const BY_SYNC_ID = query<
  [syncId: string],
  { id: number; status: ReferralStatus; owner_staff_id: number | null; owner: string | null }
>(
  `SELECT r.id, r.status, r.owner_staff_id, s.employee_no AS owner FROM referrals r
   LEFT JOIN staff s ON s.id = r.owner_staff_id WHERE r.sync_id = ?`,
);
const USER = query<[username: string], { id: number; staff_id: number | null; role: string }>(
  'SELECT id, staff_id, role FROM users WHERE username = ?',
);
const PRODUCT = query<[code: string], { id: number }>('SELECT id FROM products WHERE code = ?');
const DELETE_BY_SYNC_ID = query<[syncId: string]>('DELETE FROM referrals WHERE sync_id = ?');
const DELETE_EVENTS = query<[referralId: number]>('DELETE FROM referral_events WHERE referral_id = ?');
const INSERT = query<
  [
    syncId: string,
    customerId: number,
    branchId: number,
    referrerUserId: number,
    referrerStaffId: number,
    interest: string,
    urgency: string,
    note: string | null,
    owner: number | null,
    status: string,
    createdAt: string,
    createdOn: string,
    slaDays: number,
    dueOn: string,
    acceptedAt: string | null,
    firstContactAt: string | null,
    firstContactOn: string | null,
    closedAt: string | null,
    closedOn: string | null,
    wonProductId: number | null,
    wonAmountFen: number | null,
    lostReason: string | null,
    closeNote: string | null,
    updatedAt: string,
  ]
>(
  `INSERT INTO referrals (sync_id, customer_id, branch_id, referrer_user_id, referrer_staff_id, interest, urgency, note,
     owner_staff_id, status, created_at, created_on, sla_days, due_on, accepted_at, first_contact_at, first_contact_on,
     closed_at, closed_on, won_product_id, won_amount_fen, lost_reason, close_note, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (sync_id) WHERE sync_id IS NOT NULL DO UPDATE SET customer_id = excluded.customer_id,
     branch_id = excluded.branch_id, referrer_user_id = excluded.referrer_user_id,
     referrer_staff_id = excluded.referrer_staff_id, interest = excluded.interest, urgency = excluded.urgency,
     note = excluded.note, owner_staff_id = excluded.owner_staff_id, status = excluded.status,
     created_at = excluded.created_at, created_on = excluded.created_on, sla_days = excluded.sla_days,
     due_on = excluded.due_on, accepted_at = excluded.accepted_at, first_contact_at = excluded.first_contact_at,
     first_contact_on = excluded.first_contact_on, closed_at = excluded.closed_at, closed_on = excluded.closed_on,
     won_product_id = excluded.won_product_id, won_amount_fen = excluded.won_amount_fen,
     lost_reason = excluded.lost_reason, close_note = excluded.close_note, updated_at = excluded.updated_at`,
);

/** The referral as it crosses the wire: natural keys instead of this store's ids, its history included. */
export function referralWire(db: Database, id: number): SyncRow {
  const r = WIRE.get(db, id);
  if (!r) throw new Error(`referral ${id} not found for sync`);
  const { id: _local, sync_id: _sync, ...row } = r;
  return { ...row, events: WIRE_EVENTS.all(db, id) };
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Keeps the local row (and its history) equal to the replica's. A row naming something this store's
 * book does not hold (a customer from an extract not imported here yet, an unknown product) is left out
 * rather than failing the pull: the pull must go through for everything else.
 */
export const projectReferral: Projection = (db, syncId, row) => {
  if (row === null) {
    DELETE_BY_SYNC_ID.run(db, syncId);
    return;
  }
  // A savepoint: a row the store's constraints refuse is left out whole, and the pull goes on.
  try {
    db.transaction(() => place(db, syncId, row))();
  } catch (err) {
    if (!String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT')) throw err;
  }
};

const LOCAL_STATE = query<[syncId: string], { owner: number | null }>(
  'SELECT owner_staff_id AS owner FROM referrals WHERE sync_id = ?',
);
const CUSTOMER_NAME = query<[id: number], { name: string }>('SELECT name FROM customers WHERE id = ?');

/**
 * The SLA reminder as the handler keeps it, for a referral that arrived from another PC: to the owning
 * manager (or the branch's presidents for the queue) while it awaits first contact; closed once it is
 * contacted or closed, and moved when the owner changes. Reminders are local (not synced yet); their
 * dedupe keys make this a no-op on the PC where the step was taken.
 */
function remindSla(db: Database, id: number, customerId: number, row: SyncRow, prevOwner: number | null | undefined) {
  const owner = STAFF.get(db, String(row.owner ?? ''))?.id ?? null;
  const awaiting = row.status === 'new' || row.status === 'accepted';
  if (!awaiting || (prevOwner !== undefined && prevOwner !== owner))
    resolveReminders(db, 'referral', id, 'referral_sla');
  if (!awaiting) return;
  const base = {
    kind: 'referral_sla' as const,
    customerId,
    dueOn: String(row.due_on),
    params: { interest: String(row.interest), customer: CUSTOMER_NAME.get(db, customerId)?.name ?? '' },
    sourceType: 'referral',
    sourceId: id,
  };
  const today = String(row.created_on);
  if (owner != null) addReminder(db, { ...base, staffId: owner, dedupeKey: `referral_sla:${id}:${owner}` }, today);
  else
    for (const userId of activePresidents(db))
      addReminder(db, { ...base, userId, dedupeKey: `referral_sla:${id}:queue` }, today);
}

/**
 * A referral passed to a manager outside whose book the customer is: the grant the handler gives where
 * the reassign was made (90 days), given here too when the new owner arrives, so they can open the customer.
 */
function grantNewOwner(
  db: Database,
  customerId: number,
  owner: number | null,
  prevOwner: number | null | undefined,
  row: SyncRow,
): void {
  if (owner == null || prevOwner === owner) return;
  const events = (Array.isArray(row.events) ? row.events : []) as WireEvent[];
  const last = events.at(-1);
  if (last?.action !== 'reassigned') return;
  const by = USER.get(db, String(last.user))?.id;
  if (by !== undefined) grantOutsideBook(db, owner, customerId, by, last.at.slice(0, 10));
}

const OPPORTUNITY = query<[dedupeKey: string], { id: number; stage: string }>(
  'SELECT id, stage FROM opportunities WHERE dedupe_key = ?',
);
const DELETE_OPPORTUNITY = query<[id: number]>('DELETE FROM opportunities WHERE id = ?');

/**
 * A closed referral is an opportunity of source 'referral' (one per referral) on every PC, as the handler
 * makes it where the referral is closed; a close undone by a conflict takes its opportunity with it, and
 * a close that ended the other way (won here, lost on the hub) is made again as the hub has it.
 */
function followClosing(db: Database, id: number, row: SyncRow, product: number | null): void {
  const closedAs = row.status === 'won' || row.status === 'lost' ? row.status : null;
  const opp = OPPORTUNITY.get(db, `referral:${id}`);
  if (opp && opp.stage === closedAs) return;
  if (opp) DELETE_OPPORTUNITY.run(db, opp.id);
  if (closedAs === null) return;
  const events = (Array.isArray(row.events) ? row.events : []) as WireEvent[];
  const closer = [...events].reverse().find((e) => e.action === closedAs);
  const userId = USER.get(db, closer?.user ?? String(row.referrer))?.id;
  if (userId === undefined) return;
  const closing: ReferralClosing =
    closedAs === 'won'
      ? { won: { productId: product!, fen: Number(row.won_amount_fen) } }
      : { lost: { reason: String(row.lost_reason), note: text(row.close_note) } };
  opportunityFromReferral(db, id, closing, userId, String(row.closed_on ?? row.created_on));
}

function place(db: Database, syncId: string, row: SyncRow): void {
  const prevOwner = LOCAL_STATE.get(db, syncId)?.owner;
  const customer = CUSTOMER.get(db, String(row.customer_no))?.id;
  const branch = BRANCH.get(db, String(row.branch))?.id;
  const referrer = USER.get(db, String(row.referrer))?.id;
  const referrerStaff = STAFF.get(db, String(row.referrer_staff))?.id;
  const owner = row.owner == null ? null : (STAFF.get(db, String(row.owner))?.id ?? undefined);
  const product = row.won_product == null ? null : (PRODUCT.get(db, String(row.won_product))?.id ?? undefined);
  if (!customer || !branch || !referrer || !referrerStaff || owner === undefined || product === undefined) return;
  INSERT.run(
    db,
    syncId,
    customer,
    branch,
    referrer,
    referrerStaff,
    String(row.interest),
    String(row.urgency),
    text(row.note),
    owner,
    String(row.status),
    String(row.created_at),
    String(row.created_on),
    Number(row.sla_days),
    String(row.due_on),
    text(row.accepted_at),
    text(row.first_contact_at),
    text(row.first_contact_on),
    text(row.closed_at),
    text(row.closed_on),
    product,
    int(row.won_amount_fen),
    text(row.lost_reason),
    text(row.close_note),
    String(row.updated_at),
  );
  const local = BY_SYNC_ID.get(db, syncId)!.id;
  remindSla(db, local, customer, row, prevOwner);
  grantNewOwner(db, customer, owner, prevOwner, row);
  followClosing(db, local, row, product);
  DELETE_EVENTS.run(db, local);
  for (const e of (Array.isArray(row.events) ? row.events : []) as WireEvent[]) {
    const user = USER.get(db, String(e.user))?.id;
    if (!user) continue;
    const staff = (no: string | null) => (no == null ? null : (STAFF.get(db, no)?.id ?? null));
    addEvent(db, {
      referralId: local,
      at: e.at,
      userId: user,
      action: e.action as Parameters<typeof addEvent>[1]['action'],
      from: e.from as ReferralStatus | null,
      to: e.to as ReferralStatus,
      fromOwner: staff(e.from_owner),
      toOwner: staff(e.to_owner),
      note: e.note,
    });
  }
}

/** This store's INTEGER id of a shared referral, or null when it has no local row (yet). */
export function localReferralId(db: Database, syncId: string): number | null {
  return BY_SYNC_ID.get(db, syncId)?.id ?? null;
}

const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s
   WHERE s.tbl = 'referrals' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.sync_id = s.id)`,
);

/**
 * Projects the shared referrals that have no local row: those the projection had to leave out because
 * this store's book did not hold their customer, user or product yet (an extract imported since). Run
 * when the worker starts and after each sync cycle; one indexed anti-join when there is nothing to do.
 * Returns how many found their place.
 */
export function reprojectReferrals(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectReferral(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}

/** What a step's re-run needs beyond the referral: the time of the user's act and its inputs. */
export interface StepArgs {
  syncId: string;
  at: string;
  today: string;
  note?: string | null;
  /** reassign: the new owner's employee number. */
  toStaff?: string;
  /** win: product code and amount. */
  product?: string;
  fen?: number;
  /** lose: the reason. */
  reason?: string;
}

const LAST_MOVE = query<
  [id: number],
  { customerNo: string; by: string | null; byName: string | null; at: string | null }
>(
  `SELECT c.customer_no AS customerNo, u.username AS by, u.display_name AS byName, e.at
   FROM referrals r JOIN customers c ON c.id = r.customer_id
   LEFT JOIN referral_events e ON e.id = (SELECT MAX(id) FROM referral_events WHERE referral_id = r.id)
   LEFT JOIN users u ON u.id = e.user_id WHERE r.id = ?`,
);

/** For the 同步冲突 entry: which referral, and who moved it last, when (what the user's step ran into). */
function lastMove(db: Database, id: number, syncId: string): Record<string, unknown> {
  return { syncId, ...LAST_MOVE.get(db, id) };
}

function effect(db: Database, id: number, syncId: string): LocalEffect[] {
  return [{ table: REFERRALS, id: syncId, data: referralWire(db, id) }];
}

type Apply = (db: Database, id: number, from: ReferralStatus, userId: number, a: StepArgs) => void;

/** A step re-run on the hub's state with the handler's checks: ownership, then the state machine. */
function step(action: ReferralAction, apply: Apply): Mutator {
  return (db, raw, actor) => {
    const a = raw as StepArgs;
    const r = BY_SYNC_ID.get(db, a.syncId);
    if (!r) throw new MutationRefused('NOT_FOUND', { action, syncId: a.syncId });
    const u = actor ? USER.get(db, actor.userId) : undefined;
    if (!u) throw new MutationRefused('FORBIDDEN', { action, user: actor?.userId ?? null });
    // Manager steps belong to the owner; the president dispatches any referral of the branch.
    if (
      !(action === 'reassign' && u.role === 'president') &&
      (r.owner_staff_id == null || r.owner_staff_id !== u.staff_id)
    )
      throw new MutationRefused('REFERRAL_NOT_OWNER', { action, owner: r.owner });
    if (!TRANSITIONS[action].includes(r.status))
      throw new MutationRefused('REFERRAL_BAD_STATE', { action, status: r.status, ...lastMove(db, r.id, a.syncId) });
    apply(db, r.id, r.status, u.id, a);
    return effect(db, r.id, a.syncId);
  };
}

const EVENT_OF: Record<ReferralAction, Parameters<typeof addEvent>[1]['action']> = {
  accept: 'accepted',
  reassign: 'reassigned',
  contact: 'contacted',
  win: 'won',
  lose: 'lost',
};

/**
 * The referral operations as the sync layer re-runs them on a rebase. `referrals.create` writes a new
 * UUID row, which no other PC can have touched: it is only ever refused by a rule, never re-run.
 */
export const referralMutators: Mutators = {
  'referrals.create': (_db, raw) => {
    const a = raw as { syncId: string; row: SyncRow };
    return [{ table: REFERRALS, id: a.syncId, data: a.row }];
  },
  'referrals.accept': step('accept', (db, id, from, userId, a) => {
    markAccepted(db, id, a.at);
    addEvent(db, { referralId: id, at: a.at, userId, action: EVENT_OF.accept, from, to: 'accepted' });
  }),
  'referrals.reassign': step('reassign', (db, id, from, userId, a) => {
    const to = STAFF.get(db, a.toStaff ?? '')?.id;
    if (to === undefined) throw new MutationRefused('REFERRAL_BAD_ASSIGNEE', { toStaff: a.toStaff ?? null });
    const status: ReferralStatus = from === 'contacted' ? 'contacted' : 'new';
    const prev = db.prepare('SELECT owner_staff_id FROM referrals WHERE id = ?').pluck().get(id) as number | null;
    if (prev === to) throw new MutationRefused('REFERRAL_BAD_ASSIGNEE', { toStaff: a.toStaff });
    reassignReferral(db, id, to, status, a.at);
    addEvent(db, {
      referralId: id,
      at: a.at,
      userId,
      action: EVENT_OF.reassign,
      from,
      to: status,
      fromOwner: prev,
      toOwner: to,
      note: a.note ?? null,
    });
  }),
  'referrals.contact': step('contact', (db, id, from, userId, a) => {
    markContacted(db, id, a.at, a.today);
    addEvent(db, { referralId: id, at: a.at, userId, action: EVENT_OF.contact, from, to: 'contacted', note: a.note });
  }),
  'referrals.win': step('win', (db, id, from, userId, a) => {
    const product = PRODUCT.get(db, a.product ?? '')?.id;
    if (product === undefined || a.fen == null) throw new MutationRefused('NOT_FOUND', { product: a.product ?? null });
    markWon(db, id, { productId: product, fen: a.fen, note: a.note ?? null }, a.at, a.today);
    addEvent(db, { referralId: id, at: a.at, userId, action: EVENT_OF.win, from, to: 'won', note: a.note });
  }),
  'referrals.lose': step('lose', (db, id, from, userId, a) => {
    markLost(db, id, a.reason ?? 'other', a.note ?? null, a.at, a.today);
    addEvent(db, { referralId: id, at: a.at, userId, action: EVENT_OF.lose, from, to: 'lost', note: a.note });
  }),
};

const CLOSING_FIELDS = ['closed_at', 'closed_on', 'won_product', 'won_amount_fen', 'lost_reason', 'close_note'];

/**
 * A referral flagged while this PC was standalone, queued when it joins a hub (db/sync/seed.ts): its
 * history is replayed step by step, each in the name of the user who took it (the flag by its teller,
 * an acceptance by its manager…), so the hub checks every step with the rules it checks live ones with.
 * Every intermediate row is the final one as it stood then: its status and owner after the step, its
 * history up to it, nothing of the closing yet. Returns the number of mutations queued (0: shared already;
 * -1: left local, a step's user has no account here).
 */
export function seedReferral(db: Database, id: number, actorOf: (username: string) => SyncActor | null): number {
  if (!syncJoined(db) || SYNC_ID.get(db, id)?.sync_id) return 0;
  const syncId = uuid7();
  const final = referralWire(db, id);
  const events = (final.events as WireEvent[]) ?? [];
  const rows: { row: SyncRow; by: string }[] = [];
  // The flag: the first event (the referral's creation), or the row as it is when it has no history.
  const steps: (WireEvent | null)[] = events.length > 0 && events[0]!.from == null ? events : [null, ...events];
  // Who owned it as it went: before the first change of owner, that change's former owner.
  const moves = (e: WireEvent | null) => e !== null && (e.from_owner ?? null) !== (e.to_owner ?? null);
  let owner: unknown = steps.find(moves)?.from_owner ?? (steps.some(moves) ? null : (final.owner ?? null));
  for (const [i, ev] of steps.entries()) {
    if (ev && moves(ev)) owner = ev.to_owner ?? null;
    const by = ev?.user ?? String(final.referrer);
    if (i === steps.length - 1) {
      rows.push({ row: final, by });
      break;
    }
    const row: SyncRow = { ...final, owner, events: ev === null ? [] : events.slice(0, events.indexOf(ev) + 1) };
    for (const f of CLOSING_FIELDS) row[f] = null;
    row.status = ev === null ? 'new' : ev.to;
    if (row.status === 'new') Object.assign(row, { accepted_at: null, first_contact_at: null, first_contact_on: null });
    rows.push({ row, by });
  }
  // Every step needs its user's account here: the hub refuses a step in no one's name, and a refused
  // creation would undo the local referral. Without one it stays local (and unshared), as before joining.
  const actors = rows.map(({ by }, i) => actorOf(i === 0 ? String(final.referrer) : by));
  if (actors.some((a) => a === null)) return -1;
  SET_SYNC_ID.run(db, syncId, id);
  for (const [i, { row }] of rows.entries())
    recordMutation(db, {
      name: i === 0 ? 'referrals.create' : 'referrals.seed',
      args: { syncId, row },
      effects: [{ table: REFERRALS, id: syncId, data: row }],
      actor: actors[i]!,
    });
  return rows.length;
}

/**
 * Called by the handler inside the step's transaction, after the local write: on a PC joined to a hub,
 * queues the referral's new row (a new referral gets its UUIDv7 here). Standalone, or for a referral
 * made before the PC joined (never shared), it does nothing and returns false.
 */
export function shareReferral(
  db: Database,
  action: 'create' | ReferralAction,
  id: number,
  actor: SyncActor,
  args: Omit<StepArgs, 'syncId' | 'toStaff' | 'product' | 'fen'> = { at: '', today: '' },
): boolean {
  if (!syncJoined(db)) return false;
  let syncId = SYNC_ID.get(db, id)?.sync_id ?? null;
  if (action === 'create') {
    syncId = uuid7();
    SET_SYNC_ID.run(db, syncId, id);
  }
  if (syncId === null) return false;
  const data = referralWire(db, id);
  const stepArgs: StepArgs =
    action === 'create'
      ? ({ syncId, row: data } as unknown as StepArgs)
      : {
          syncId,
          ...args,
          ...(action === 'reassign' ? { toStaff: text(data.owner) ?? '' } : {}),
          ...(action === 'win' ? { product: text(data.won_product) ?? '', fen: int(data.won_amount_fen) ?? 0 } : {}),
        };
  recordMutation(db, {
    name: `referrals.${action}`,
    args: stepArgs,
    effects: [{ table: REFERRALS, id: syncId, data }],
    actor,
  });
  return true;
}
