/**
 * Marketing lists (营销名单). A campaign's entries are fixed when it is pushed: one per customer, given
 * to the customer's manager of record at that moment (NULL: the branch queue, worked by the president).
 * What a caller sees is an SQL condition over the entry (alias e) and its campaign (alias cp): a
 * manager only entries given to them, the president the campaigns of the branch.
 */
import type { Database } from 'better-sqlite3';
import type { Campaign, CampaignEntry, EntryStatus, ManagerProgress } from '../../shared/api/campaigns';
import type { OpportunityProduct, OpportunityStage } from '../../shared/api/opportunities';
import { AppError } from '../../shared/errors';
import { fenToYuan } from '../../shared/money';
import { maskPhone } from '../../shared/mask';
import type { Scope } from '../scope';
import { canMove } from '../../shared/opportunities';
import { all, Clauses, first, placeholders, query, run, type SqlParam } from '../sql';
import { createOpportunity, moveOpportunity } from './opportunities';

export interface EntryScope {
  sql: string;
  /** Numbers only: the export worker (main/exports) takes these parameters as they are. */
  params: (string | number)[];
  kind: 'manager' | 'branch' | 'none';
}

export function entryScope(scope: Scope): EntryScope {
  if (scope.kind === 'manager' && scope.staffId != null)
    return { kind: 'manager', sql: 'e.manager_staff_id = ?', params: [scope.staffId] };
  if (scope.kind === 'branch' && scope.branchIds?.length)
    return {
      kind: 'branch',
      sql: `cp.branch_id IN (${placeholders(scope.branchIds)})`,
      params: [...scope.branchIds],
    };
  return { kind: 'none', sql: '0', params: [] };
}

export interface NewCampaign {
  name: string;
  description: string | null;
  product: OpportunityProduct;
  dueOn: string | null;
  origin: Campaign['origin'];
  branchId: number;
  createdBy: number;
  today: string;
  /** Which customers: an SQL condition over `c` (already ANDed with the creator's scope) and its parameters. */
  where: string;
  params: readonly SqlParam[];
}

const INSERT_CAMPAIGN = query<
  [
    name: string,
    description: string | null,
    product: string,
    branchId: number,
    origin: string,
    dueOn: string | null,
    createdBy: number,
    createdOn: string,
  ]
>(
  'INSERT INTO campaigns (name, description, product, branch_id, origin, due_on, created_by, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const CLOSE = query<[id: number]>(`UPDATE campaigns SET status = 'closed' WHERE id = ?`);
const SET_STATUS = query<[status: string, note: string | null, today: string, userId: number, id: number]>(
  'UPDATE campaign_entries SET status = ?, note = COALESCE(?, note), updated_on = ?, updated_by = ? WHERE id = ?',
);
const SET_RESULT = query<[status: string, note: string | null, today: string, userId: number, id: number]>(
  'UPDATE campaign_entries SET status = ?, note = ?, updated_on = ?, updated_by = ? WHERE id = ?',
);
const ENTRY_FACTS = query<
  [entryId: number],
  {
    campaignId: number;
    customerId: number;
    managerId: number | null;
    status: EntryStatus;
    note: string | null;
    product: OpportunityProduct;
    name: string;
  }
>(
  `SELECT e.campaign_id AS campaignId, e.customer_id AS customerId, e.manager_staff_id AS managerId, e.status, e.note, cp.product, cp.name
   FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id WHERE e.id = ?`,
);
const OPPORTUNITY_STAGE = query<[id: number], { stage: OpportunityStage }>(
  'SELECT stage FROM opportunities WHERE id = ?',
);

/** Creates the campaign and splits its customers to their managers of record, in one transaction. */
export function createCampaign(db: Database, n: NewCampaign): number {
  return db.transaction(() => {
    const id = Number(
      INSERT_CAMPAIGN.run(db, n.name, n.description, n.product, n.branchId, n.origin, n.dueOn, n.createdBy, n.today)
        .lastInsertRowid,
    );
    const added = run(
      db,
      `INSERT INTO campaign_entries (campaign_id, customer_id, manager_staff_id) SELECT ?, c.id, c.manager_staff_id FROM customers c WHERE ${n.where}`,
      id,
      ...n.params,
    ).changes;
    if (added === 0) throw new AppError('CAMPAIGN_EMPTY');
    return id;
  })();
}

const COUNTS = `COUNT(e.id) AS total, COALESCE(SUM(e.status = 'pending'), 0) AS pending, COALESCE(SUM(e.status = 'contacted'), 0) AS contacted,
  COALESCE(SUM(e.status = 'won'), 0) AS won, COALESCE(SUM(e.status = 'declined'), 0) AS declined`;

export function listCampaigns(db: Database, es: EntryScope, opts: { includeClosed: boolean; id?: number }): Campaign[] {
  return all<Campaign>(
    db,
    `SELECT cp.id, cp.name, cp.description, cp.product, cp.origin, cp.due_on AS dueOn, cp.status, cp.created_on AS createdOn, u.display_name AS createdByName, ${COUNTS}
     FROM campaigns cp JOIN campaign_entries e ON e.campaign_id = cp.id JOIN users u ON u.id = cp.created_by
     WHERE ${es.sql} AND (? = 1 OR cp.status = 'active') AND (? IS NULL OR cp.id = ?)
     GROUP BY cp.id ORDER BY cp.status = 'closed', cp.id DESC`,
    ...es.params,
    opts.includeClosed ? 1 : 0,
    opts.id ?? null,
    opts.id ?? null,
  );
}

export function getCampaign(db: Database, es: EntryScope, id: number): Campaign {
  const c = listCampaigns(db, es, { includeClosed: true, id })[0];
  if (!c) throw new AppError('NOT_FOUND', { entity: 'campaign', id });
  return c;
}

/**
 * Finds customers by customer number within a scope (for a campaign pushed from a file), the statement
 * prepared once for the whole file.
 */
export function customerByNumber(db: Database, scope: Scope): (customerNo: string) => number | undefined {
  const find = db.prepare<SqlParam[], { id: number }>(
    `SELECT c.id FROM customers c WHERE c.customer_no = ? AND ${scope.sql}`,
  );
  return (customerNo) => find.get(customerNo, ...scope.params)?.id;
}

/** Closes a campaign (already checked to be in the caller's view): no more results are taken. */
export function closeCampaign(db: Database, id: number): void {
  CLOSE.run(db, id);
}

const ENTRY_SELECT = `SELECT e.id, e.customer_id AS customerId, c.customer_no AS customerNo, c.name AS customerName, c.mobile, c.tier, c.aum_fen AS aumFen,
    e.manager_staff_id AS managerStaffId, s.name AS managerName, e.status, e.note, e.updated_on AS updatedOn
  FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id JOIN customers c ON c.id = e.customer_id LEFT JOIN staff s ON s.id = e.manager_staff_id`;

type EntryRow = Omit<CampaignEntry, 'aum'> & { aumFen: number };
const toEntry = ({ aumFen, mobile, ...r }: EntryRow): CampaignEntry => ({
  ...r,
  mobile: maskPhone(mobile),
  aum: fenToYuan(aumFen),
});

export function listEntries(
  db: Database,
  es: EntryScope,
  f: { campaignId: number; status?: EntryStatus | undefined; managerStaffId?: number | undefined },
  offset: number,
  limit: number,
): { rows: CampaignEntry[]; total: number } {
  const where = new Clauses().add('e.campaign_id = ?', f.campaignId).add(es.sql, ...es.params);
  if (f.status) where.add('e.status = ?', f.status);
  if (f.managerStaffId === 0) where.add('e.manager_staff_id IS NULL');
  else if (f.managerStaffId !== undefined) where.add('e.manager_staff_id = ?', f.managerStaffId);
  const w = where.and();
  const total =
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id WHERE ${w}`,
      ...where.params,
    )?.n ?? 0;
  const rows = all<EntryRow>(
    db,
    `${ENTRY_SELECT} WHERE ${w} ORDER BY e.status != 'pending', c.customer_no LIMIT ? OFFSET ?`,
    ...where.params,
    limit,
    offset,
  );
  return { rows: rows.map(toEntry), total };
}

export function getEntry(db: Database, es: EntryScope, id: number): CampaignEntry {
  const r = first<EntryRow>(db, `${ENTRY_SELECT} WHERE e.id = ? AND ${es.sql}`, id, ...es.params);
  if (!r) throw new AppError('NOT_FOUND', { entity: 'campaignEntry', id });
  return toEntry(r);
}

export function setEntryStatus(
  db: Database,
  es: EntryScope,
  id: number,
  status: EntryStatus,
  note: string | undefined,
  userId: number,
  today: string,
): CampaignEntry {
  const open = first<{ status: string }>(
    db,
    `SELECT cp.status FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id WHERE e.id = ? AND ${es.sql}`,
    id,
    ...es.params,
  );
  if (!open) throw new AppError('NOT_FOUND', { entity: 'campaignEntry', id });
  if (open.status !== 'active') throw new AppError('CONFLICT', { field: 'campaignClosed' });
  db.transaction(() => {
    SET_STATUS.run(db, status, note ?? null, today, userId, id);
    syncOpportunity(db, id, userId, today);
  })();
  return getEntry(db, es, id);
}

/** Progress per manager over the caller's view of one campaign. */
export function progress(db: Database, es: EntryScope, campaignId: number): ManagerProgress[] {
  getCampaign(db, es, campaignId);
  // hasLogin: whether anyone can work the entries (a staff member with no enabled account never sees them)
  const rows = all<Omit<ManagerProgress, 'workedRate' | 'hasLogin'> & { hasLogin: number }>(
    db,
    `SELECT e.manager_staff_id AS staffId, s.name, ${COUNTS},
            EXISTS (SELECT 1 FROM users u WHERE u.staff_id = e.manager_staff_id AND u.disabled = 0) AS hasLogin
     FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id LEFT JOIN staff s ON s.id = e.manager_staff_id
     WHERE e.campaign_id = ? AND ${es.sql} GROUP BY e.manager_staff_id ORDER BY e.manager_staff_id IS NULL, s.employee_no`,
    campaignId,
    ...es.params,
  );
  return rows.map((r) => ({
    ...r,
    hasLogin: r.staffId === null || r.hasLogin === 1,
    workedRate: r.total ? (r.total - r.pending) / r.total : null,
  }));
}

/** The rows of the offline-call sheet, in column order (for the export worker). */
export function exportQuery(
  es: EntryScope,
  campaignId: number,
): { sql: string; countSql: string; params: (string | number)[] } {
  const from = `FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id JOIN customers c ON c.id = e.customer_id LEFT JOIN staff s ON s.id = e.manager_staff_id
    WHERE e.campaign_id = ? AND ${es.sql}`;
  return {
    sql: `SELECT c.customer_no, c.name, c.mobile, c.tier, c.aum_fen, s.name, e.status, e.note ${from} ORDER BY s.employee_no, c.customer_no`,
    countSql: `SELECT COUNT(*) AS n ${from}`,
    params: [campaignId, ...es.params],
  };
}

export interface ResultLine {
  line: number;
  customerNo: string;
  status: EntryStatus;
  note: string | null;
}

export interface LineError {
  line: number | null;
  column: string | null;
  reason: string;
  value?: string;
}

/**
 * Applies checked result lines: every customer number must be an entry of this campaign the caller
 * may work (otherwise the whole file is refused with the lines named); then one transaction.
 */
export function applyResults(
  db: Database,
  es: EntryScope,
  campaignId: number,
  lines: ResultLine[],
  column: string,
  userId: number,
  today: string,
): { updated: number; errors: LineError[] } {
  const c = getCampaign(db, es, campaignId);
  if (c.status !== 'active') throw new AppError('CONFLICT', { field: 'campaignClosed' });
  // Prepared once for the whole file: one look-up per line.
  const find = db.prepare<SqlParam[], { id: number }>(
    `SELECT e.id FROM campaign_entries e JOIN campaigns cp ON cp.id = e.campaign_id JOIN customers c ON c.id = e.customer_id
     WHERE e.campaign_id = ? AND c.customer_no = ? AND ${es.sql}`,
  );
  const errors: LineError[] = [];
  const ids: { id: number; l: ResultLine }[] = [];
  for (const l of lines) {
    const r = find.get(campaignId, l.customerNo, ...es.params);
    if (!r) errors.push({ line: l.line, column, reason: 'notInCampaign', value: l.customerNo });
    else ids.push({ id: r.id, l });
  }
  if (errors.length) return { updated: 0, errors };
  db.transaction(() => {
    for (const { id, l } of ids) {
      SET_RESULT.run(db, l.status, l.note, today, userId, id);
      syncOpportunity(db, id, userId, today);
    }
  })();
  return { updated: ids.length, errors };
}

/**
 * A worked entry is a lead from the campaign: the first time it leaves 待联系 it becomes an opportunity
 * with source 'campaign' (one per campaign and customer: dedupe key), owned by the entry's manager;
 * later outcomes follow it. 成功 closes it as won (a campaign success stands for the offer made, so an
 * opportunity still at 已联系 passes through 方案制定); 拒绝 closes it as lost. Nothing is undone when an
 * entry goes back to an earlier status: the opportunity keeps its own history.
 */
export function syncOpportunity(db: Database, entryId: number, userId: number, today: string): void {
  const e = ENTRY_FACTS.get(db, entryId);
  if (!e) throw new AppError('NOT_FOUND', { entity: 'campaignEntry', id: entryId });
  if (e.status === 'pending') return;
  const { id } = createOpportunity(db, {
    customerId: e.customerId,
    source: 'campaign',
    sourceRef: e.campaignId,
    dedupeKey: `campaign:${e.campaignId}:${e.customerId}`,
    product: e.product,
    title: e.name,
    ownerStaffId: e.managerId,
    stage: 'contacted',
    createdBy: userId,
    today,
  });
  const stage = OPPORTUNITY_STAGE.get(db, id)?.stage;
  if (!stage) throw new AppError('NOT_FOUND', { entity: 'opportunity', id });
  const move = (to: 'proposal' | 'won' | 'lost') =>
    moveOpportunity(db, {
      id,
      to,
      userId,
      today,
      note: e.note ?? undefined,
      ...(to === 'lost' ? { lostReason: e.note ?? '营销名单：客户拒绝' } : {}),
    });
  if (e.status === 'won' && stage !== 'won' && stage !== 'lost') {
    if (!canMove(stage, 'won')) move('proposal');
    move('won');
  } else if (e.status === 'declined' && stage !== 'won' && stage !== 'lost') {
    move('lost');
  }
}
