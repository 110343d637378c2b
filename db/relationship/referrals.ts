import type { Database } from 'better-sqlite3';
import {
  REFERRAL_STATUSES,
  type Referral,
  type ReferralEvent,
  type ReferralStatsRow,
  type ReferralStatus,
} from '../../shared/api/referrals';
import { AppError } from '../../shared/errors';
import { fenToYuan } from '../../shared/money';
import type { Role } from '../../shared/permissions';
import { branchTree, rootBranch } from '../scope';
import { all, first, placeholders, query, type SqlParam } from '../sql';
import { createOpportunity, moveOpportunity } from './opportunities';

/**
 * Referrals (转介) in the store. Who may see a referral is decided here, as SQL over the alias `r`,
 * from the signed-in user's stored attributes: a teller the ones they raised, a manager the ones in
 * their own queue (never another manager's, whatever the customer), the president every referral of
 * their branch tree (including the branch queue, owner NULL). The administrator sees none.
 */
export interface Viewer {
  role: Role;
  userId: number;
  staffId: number | null;
  branchId: number | null;
}

export interface Visibility {
  sql: string;
  params: SqlParam[];
}

export function referralVisibility(db: Database, v: Viewer): Visibility {
  switch (v.role) {
    case 'teller':
      return { sql: 'r.referrer_user_id = ?', params: [v.userId] };
    case 'manager':
      return v.staffId == null ? { sql: '0', params: [] } : { sql: 'r.owner_staff_id = ?', params: [v.staffId] };
    case 'president': {
      if (v.branchId == null) return { sql: '0', params: [] };
      const ids = branchTree(db, v.branchId);
      return { sql: `r.branch_id IN (${placeholders(ids)})`, params: ids };
    }
    default:
      return { sql: '0', params: [] };
  }
}

export const SLA_SETTING = 'referral_sla_days';
export const DEFAULT_SLA_DAYS = 2;

const SETTING = query<[key: string], { value: string }>('SELECT value FROM settings WHERE key = ?');
const SET_SETTING = query<[key: string, value: string]>(
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);

export function slaDays(db: Database): number {
  const row = SETTING.get(db, SLA_SETTING);
  const n = row ? Number(row.value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 30 ? n : DEFAULT_SLA_DAYS;
}

export function setSlaDays(db: Database, n: number): void {
  SET_SETTING.run(db, SLA_SETTING, String(n));
}

interface ReferralRow {
  id: number;
  customer_id: number;
  customer_no: string;
  customer_name: string;
  interest: Referral['interest'];
  urgency: Referral['urgency'];
  note: string | null;
  status: ReferralStatus;
  referrer_name: string;
  owner_staff_id: number | null;
  owner_name: string | null;
  created_at: string;
  created_on: string;
  sla_days: number;
  due_on: string;
  accepted_at: string | null;
  first_contact_at: string | null;
  closed_at: string | null;
  won_product_id: number | null;
  won_product_name: string | null;
  won_amount_fen: number | null;
  lost_reason: Referral['lostReason'];
  close_note: string | null;
}

const SELECT = `SELECT r.id, r.customer_id, c.customer_no, c.name AS customer_name, r.interest, r.urgency, r.note, r.status,
    COALESCE(rs.name, ru.display_name) AS referrer_name, r.owner_staff_id, os.name AS owner_name, r.created_at, r.created_on,
    r.sla_days, r.due_on, r.accepted_at, r.first_contact_at, r.closed_at, r.won_product_id, p.name AS won_product_name,
    r.won_amount_fen, r.lost_reason, r.close_note
  FROM referrals r
  JOIN customers c ON c.id = r.customer_id
  JOIN users ru ON ru.id = r.referrer_user_id
  LEFT JOIN staff rs ON rs.id = r.referrer_staff_id
  LEFT JOIN staff os ON os.id = r.owner_staff_id
  LEFT JOIN products p ON p.id = r.won_product_id`;

const BY_ID = query<[id: number], ReferralRow>(`${SELECT} WHERE r.id = ?`);

/** Open and not yet contacted: the SLA clock is running. */
const AWAITING = `r.status IN ('new','accepted')`;

function toReferral(r: ReferralRow, today: string): Referral {
  return {
    id: r.id,
    customerId: r.customer_id,
    customerNo: r.customer_no,
    customerName: r.customer_name,
    interest: r.interest,
    urgency: r.urgency,
    note: r.note,
    status: r.status,
    referrerName: r.referrer_name,
    ownerStaffId: r.owner_staff_id,
    ownerName: r.owner_name,
    createdAt: r.created_at,
    createdOn: r.created_on,
    slaDays: r.sla_days,
    dueOn: r.due_on,
    overdue: (r.status === 'new' || r.status === 'accepted') && today > r.due_on,
    acceptedAt: r.accepted_at,
    firstContactAt: r.first_contact_at,
    closedAt: r.closed_at,
    wonProductId: r.won_product_id,
    wonProductName: r.won_product_name,
    wonAmount: r.won_amount_fen == null ? null : fenToYuan(r.won_amount_fen),
    lostReason: r.lost_reason,
    closeNote: r.close_note,
  };
}

export type QueueView = 'open' | 'closed' | 'overdue' | 'unassigned' | 'all' | 'mine';

const VIEWS: Record<QueueView, string> = {
  open: `r.status IN ('new','accepted','contacted')`,
  closed: `r.status IN ('won','lost')`,
  overdue: `${AWAITING} AND r.due_on < ?`,
  unassigned: `r.owner_staff_id IS NULL AND r.status IN ('new','accepted','contacted')`,
  all: '1',
  mine: '1',
};

/** A page of the referrals the viewer may see. Open views put the most urgent and the earliest due first. */
export function listReferrals(
  db: Database,
  v: Viewer,
  view: QueueView,
  today: string,
  offset: number,
  limit: number,
): { rows: Referral[]; total: number } {
  const vis = referralVisibility(db, v);
  const extra = view === 'overdue' ? [today] : [];
  const where = `${vis.sql} AND ${VIEWS[view]}`;
  const order =
    view === 'open' || view === 'overdue' || view === 'unassigned'
      ? `r.due_on, r.urgency = 'high' DESC, r.id`
      : `r.created_at DESC, r.id DESC`;
  const total = first<{ n: number }>(
    db,
    `SELECT COUNT(*) AS n FROM referrals r WHERE ${where}`,
    ...vis.params,
    ...extra,
  )!.n;
  const rows = all<ReferralRow>(
    db,
    `${SELECT} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
    ...vis.params,
    ...extra,
    limit,
    offset,
  );
  return { rows: rows.map((r) => toReferral(r, today)), total };
}

/**
 * The teller's own flags (what became of them), newest first, optionally of one status, with how many
 * there are of each status: a teller reaches their closed referrals in one click, not 27 pages.
 */
export function listMine(
  db: Database,
  v: Viewer,
  today: string,
  status: ReferralStatus | null,
  offset: number,
  limit: number,
): { rows: Referral[]; total: number; counts: Record<ReferralStatus, number> } {
  const vis = referralVisibility(db, v);
  const byStatus = all<{ status: ReferralStatus; n: number }>(
    db,
    `SELECT r.status AS status, COUNT(*) AS n FROM referrals r WHERE ${vis.sql} GROUP BY r.status`,
    ...vis.params,
  );
  const counts = Object.fromEntries(REFERRAL_STATUSES.map((st) => [st, 0])) as Record<ReferralStatus, number>;
  for (const r of byStatus) counts[r.status] = r.n;
  const where = status ? `${vis.sql} AND r.status = ?` : vis.sql;
  const params = status ? [...vis.params, status] : vis.params;
  const rows = all<ReferralRow>(
    db,
    `${SELECT} WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
    ...params,
    limit,
    offset,
  );
  const total = status ? counts[status] : Object.values(counts).reduce((a, b) => a + b, 0);
  return { rows: rows.map((r) => toReferral(r, today)), total, counts };
}

/** One referral the viewer may see; NOT_FOUND otherwise (never "exists but forbidden"). */
export function getReferral(db: Database, v: Viewer, id: number, today: string): Referral {
  const vis = referralVisibility(db, v);
  const row = first<ReferralRow>(db, `${SELECT} WHERE r.id = ? AND ${vis.sql}`, id, ...vis.params);
  if (!row) throw new AppError('NOT_FOUND', { entity: 'referral', id });
  return toReferral(row, today);
}

/**
 * A referral by id with no visibility check: only for answering the caller who has just changed it
 * inside a visibility-checked transaction (a manager who passed it on no longer sees it afterwards).
 */
export function readChangedReferral(db: Database, id: number, today: string): Referral {
  const row = BY_ID.get(db, id);
  if (!row) throw new AppError('NOT_FOUND', { entity: 'referral', id });
  return toReferral(row, today);
}

export function referralsForCustomer(db: Database, v: Viewer, customerId: number, today: string): Referral[] {
  const vis = referralVisibility(db, v);
  const rows = all<ReferralRow>(
    db,
    `${SELECT} WHERE r.customer_id = ? AND ${vis.sql} ORDER BY r.created_at DESC, r.id DESC LIMIT 100`,
    customerId,
    ...vis.params,
  );
  return rows.map((r) => toReferral(r, today));
}

const EVENTS = query<[referralId: number], ReferralEvent>(
  `SELECT e.at, u.display_name AS userName, e.action, e.from_status AS fromStatus, e.to_status AS toStatus,
          fo.name AS fromOwnerName, tn.name AS toOwnerName, e.note
   FROM referral_events e JOIN users u ON u.id = e.user_id
   LEFT JOIN staff fo ON fo.id = e.from_owner LEFT JOIN staff tn ON tn.id = e.to_owner
   WHERE e.referral_id = ? ORDER BY e.id`,
);

export const referralEvents = (db: Database, id: number): ReferralEvent[] => EVENTS.all(db, id);

export interface OpenReferralCounts {
  open: number;
  new: number;
  accepted: number;
  contacted: number;
  overdue: number;
  unassigned: number;
}

/**
 * The open referrals the viewer may see, counted by state, in one grouped pass over the open ones
 * (referrals_owner_status or the branch index).
 */
export function openReferralCounts(db: Database, v: Viewer, today: string): OpenReferralCounts {
  const vis = referralVisibility(db, v);
  const n = db
    .prepare<SqlParam[], OpenReferralCounts>(
      `SELECT COUNT(*) AS open, COALESCE(SUM(r.status = 'new'), 0) AS new, COALESCE(SUM(r.status = 'accepted'), 0) AS accepted,
              COALESCE(SUM(r.status = 'contacted'), 0) AS contacted,
              COALESCE(SUM(r.status IN ('new','accepted') AND r.due_on < ?), 0) AS overdue,
              COALESCE(SUM(r.owner_staff_id IS NULL), 0) AS unassigned
       FROM referrals r WHERE ${vis.sql} AND r.status IN ('new','accepted','contacted')`,
    )
    .safeIntegers(false)
    .get(today, ...vis.params);
  return n ?? { open: 0, new: 0, accepted: 0, contacted: 0, overdue: 0, unassigned: 0 };
}

/** Managers of the viewer's branch (支行 tree) with an active account: who a referral may be given to. */
export function assignableManagers(
  db: Database,
  branchId: number | null,
): { staffId: number; name: string; branchName: string }[] {
  if (branchId == null) return [];
  const ids = branchTree(db, rootBranch(db, branchId));
  return all<{ staffId: number; name: string; branchName: string }>(
    db,
    `SELECT s.id AS staffId, s.name, b.name AS branchName FROM staff s JOIN branches b ON b.id = s.branch_id
     JOIN users u ON u.staff_id = s.id AND u.role = 'manager' AND u.disabled = 0
     WHERE s.active = 1 AND s.position = 'manager' AND s.branch_id IN (${placeholders(ids)}) ORDER BY s.name, s.id`,
    ...ids,
  );
}

// ---- opportunities -----------------------------------------------------------------------------

/** Product category (catalog) → the opportunity's product line. */
const LINE: Record<string, Referral['interest']> = {
  demand: 'deposit',
  term: 'deposit',
  cd: 'deposit',
  wealth: 'wealth',
  fund: 'wealth',
  loan: 'loan',
  card: 'card',
  insurance: 'insurance',
};
/** Lost reasons as the opportunity's free-text reason (the branch's working language). */
const LOST_TEXT: Record<string, string> = {
  not_interested: '客户无意向',
  unreachable: '联系不上',
  competitor: '已选择他行',
  not_eligible: '不符合办理条件',
  other: '其他原因',
};

const CLOSING_FACTS = query<
  [id: number],
  {
    customerId: number;
    owner: number | null;
    interest: Referral['interest'];
    contacted: string | null;
    note: string | null;
  }
>(
  `SELECT r.customer_id AS customerId, r.owner_staff_id AS owner, r.interest, r.first_contact_at AS contacted, r.note FROM referrals r WHERE r.id = ?`,
);
const PRODUCT_CATEGORY = query<[id: number], { category: string }>('SELECT category FROM products WHERE id = ?');

export type ReferralClosing =
  | { won: { productId: number; fen: number } }
  | { lost: { reason: string; note: string | null } };

/**
 * A closed referral becomes an opportunity with source 'referral' (one per referral: dedupe key), so the
 * funnel's lead-source analysis counts referrals: won with its product line, product and amount; lost
 * with its reason at the stage the referral reached. Call inside the closing transaction.
 */
export function opportunityFromReferral(
  db: Database,
  id: number,
  closing: ReferralClosing,
  userId: number,
  today: string,
): void {
  const r = CLOSING_FACTS.get(db, id);
  if (!r) throw new AppError('NOT_FOUND', { entity: 'referral', id });
  const base = {
    customerId: r.customerId,
    source: 'referral' as const,
    sourceRef: id,
    dedupeKey: `referral:${id}`,
    ownerStaffId: r.owner,
    createdBy: userId,
    today,
    note: r.note,
  };
  if ('won' in closing) {
    const cat = PRODUCT_CATEGORY.get(db, closing.won.productId)?.category ?? '';
    createOpportunity(db, {
      ...base,
      product: LINE[cat] ?? 'other',
      productId: closing.won.productId,
      amountFen: closing.won.fen,
      stage: 'won',
    });
    return;
  }
  const made = createOpportunity(db, { ...base, product: r.interest, stage: r.contacted ? 'contacted' : 'identified' });
  const reason = LOST_TEXT[closing.lost.reason] ?? closing.lost.reason;
  if (made.created)
    moveOpportunity(db, {
      id: made.id,
      to: 'lost',
      lostReason: closing.lost.note ? `${reason}：${closing.lost.note}` : reason,
      userId,
      today,
    });
}

// ---- figures -----------------------------------------------------------------------------------

interface StatsRaw {
  staffId: number | null;
  name: string | null;
  count: number;
  open: number;
  won: number;
  lost: number;
  wonFen: number | bigint | null;
  contacted: number;
  hoursSum: number | null;
  overdue: number;
  late: number;
}

/**
 * Counts per group over the referrals flagged between `from` and `to` (created_on) that the viewer
 * may see. Time to contact is wall-clock hours from flag to first contact.
 */
function stats(
  db: Database,
  v: Viewer,
  by: 'referrer' | 'owner' | 'none',
  from: string,
  to: string,
  today: string,
): ReferralStatsRow[] {
  const vis = referralVisibility(db, v);
  const key = by === 'referrer' ? 'r.referrer_staff_id' : by === 'owner' ? 'r.owner_staff_id' : 'NULL';
  const sql = `SELECT ${key} AS staffId, ${by === 'none' ? 'NULL' : 's.name'} AS name, COUNT(*) AS count,
      SUM(r.status IN ('new','accepted','contacted')) AS open, SUM(r.status = 'won') AS won, SUM(r.status = 'lost') AS lost,
      SUM(CASE WHEN r.status = 'won' THEN r.won_amount_fen END) AS wonFen,
      SUM(r.first_contact_at IS NOT NULL) AS contacted,
      SUM((julianday(r.first_contact_at) - julianday(r.created_at)) * 24.0) AS hoursSum,
      SUM(${AWAITING} AND r.due_on < ?) AS overdue,
      SUM(r.first_contact_on IS NOT NULL AND r.first_contact_on > r.due_on) AS late
    FROM referrals r ${by === 'none' ? '' : `LEFT JOIN staff s ON s.id = ${key}`}
    WHERE ${vis.sql} AND r.created_on BETWEEN ? AND ?
    ${by === 'none' ? '' : `GROUP BY ${key}`}`;
  const rows = db
    .prepare<SqlParam[], StatsRaw>(sql)
    .safeIntegers(false)
    .all(today, ...vis.params, from, to);
  return rows
    .filter((r) => r.count > 0)
    .map((r) => ({
      staffId: r.staffId,
      name: r.name ?? '',
      count: r.count,
      open: r.open,
      won: r.won,
      lost: r.lost,
      conversion: r.count ? r.won / r.count : null,
      wonAmount: fenToYuan(r.wonFen ?? 0),
      contacted: r.contacted,
      avgHoursToContact: r.contacted ? r.hoursSum! / r.contacted : null,
      overdue: r.overdue,
      late: r.late,
    }));
}

export function referralReport(db: Database, v: Viewer, from: string, to: string, today: string) {
  const total = stats(db, v, 'none', from, to, today)[0] ?? {
    staffId: null,
    name: '',
    count: 0,
    open: 0,
    won: 0,
    lost: 0,
    conversion: null,
    wonAmount: '0.00',
    contacted: 0,
    avgHoursToContact: null,
    overdue: 0,
    late: 0,
  };
  const byTeller = stats(db, v, 'referrer', from, to, today).sort(
    (a, b) => b.count - a.count || a.name.localeCompare(b.name),
  );
  const byManager = stats(db, v, 'owner', from, to, today).sort(
    (a, b) =>
      (a.staffId === null ? 1 : 0) - (b.staffId === null ? 1 : 0) || b.count - a.count || a.name.localeCompare(b.name),
  );
  const ranked = [...byTeller].sort(
    (a, b) =>
      b.won - a.won ||
      b.count - a.count ||
      Number(BigIntOf(b.wonAmount) - BigIntOf(a.wonAmount)) ||
      a.name.localeCompare(b.name),
  );
  const leaderboard = ranked.slice(0, 10).map((r, i) => ({
    rank: i + 1,
    staffId: r.staffId!,
    name: r.name,
    count: r.count,
    won: r.won,
    wonAmount: r.wonAmount,
  }));
  return { from, to, total, byTeller, byManager, leaderboard };
}

function BigIntOf(yuan: string): bigint {
  const [a, b = '00'] = yuan.split('.');
  return BigInt(a!) * 100n + BigInt(b);
}
