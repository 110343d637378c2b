/**
 * Opportunities (商机): creation (by hand, by a rule, from a referral or a campaign), validated stage
 * moves with history, the caller's view (scope in SQL) and the funnel. Every query is parameterised;
 * the only SQL text assembled here comes from constants and from the opportunity scope below.
 */
import type { Database } from 'better-sqlite3';
import {
  FUNNEL_STAGES,
  type FunnelResult,
  type Opportunity,
  type OpportunityFilter,
  type OpportunityHistoryEntry,
  type OpportunityProduct,
  type OpportunitySource,
  type OpportunityStage,
  type RuleCode,
  OPPORTUNITY_SOURCES,
} from '../../shared/api/opportunities';
import { AppError } from '../../shared/errors';
import { canMove, rankBeforeWin, STAGE_RANK, type UndoFacts } from '../../shared/opportunities';
import { fenToYuan } from '../../shared/money';
import type { Scope } from '../scope';
import { all, Clauses, first, placeholders, query, run, type SqlParam } from '../sql';

export { canMove, STAGE_RANK };

/** Opportunities a caller may see, as SQL over the alias `o`: a manager their own, the president the branch. */
export interface OppScope {
  sql: string;
  params: SqlParam[];
}

export function opportunityScope(scope: Scope): OppScope {
  if (scope.kind === 'manager' && scope.staffId != null)
    return { sql: 'o.owner_staff_id = ?', params: [scope.staffId] };
  if (scope.kind === 'branch' && scope.branchIds?.length)
    return { sql: `o.branch_id IN (${placeholders(scope.branchIds)})`, params: [...scope.branchIds] };
  return { sql: '0', params: [] };
}

export interface CreateOpportunityInput {
  customerId: number;
  source: OpportunitySource;
  /** Referral id, campaign id... (stored as text). */
  sourceRef?: string | number | null;
  ruleCode?: RuleCode | null;
  /** Same key twice: the existing opportunity is returned, nothing new is written. */
  dedupeKey?: string | null;
  product: OpportunityProduct;
  productId?: number | null;
  amountFen?: number | null;
  dueOn?: string | null;
  title?: string | null;
  note?: string | null;
  detail?: Record<string, string | number> | null;
  /** undefined: the customer's manager of record (or the branch queue); null: the branch queue. */
  ownerStaffId?: number | null;
  /** Start stage: identified unless the lead arrives already worked (a referral the manager contacted). */
  stage?: Exclude<OpportunityStage, 'lost'>;
  createdBy?: number | null;
  /** Business date of creation. */
  today: string;
}

const BY_DEDUPE_KEY = query<[key: string], { id: number }>('SELECT id FROM opportunities WHERE dedupe_key = ?');
const CUSTOMER_HOME = query<[customerId: number], { branchId: number; managerId: number | null }>(
  'SELECT branch_id AS branchId, manager_staff_id AS managerId FROM customers WHERE id = ?',
);
const INSERT = query<SqlParam[]>(
  `INSERT INTO opportunities (customer_id, branch_id, owner_staff_id, stage, reached_rank, source, source_ref, rule_code, dedupe_key,
     product, product_id, amount_fen, due_on, title, detail, note, created_on, closed_on, created_by)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const FIRST_HISTORY = query<[id: number, stage: string, onDate: string, userId: number | null]>(
  'INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date, user_id) VALUES (?, NULL, ?, ?, ?)',
);
const HISTORY = query<[id: number], OpportunityHistoryEntry>(
  `SELECT h.from_stage AS fromStage, h.to_stage AS toStage, h.on_date AS onDate, u.display_name AS userName, h.note
   FROM opportunity_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.opportunity_id = ? ORDER BY h.id`,
);
const STAGE_OF = query<[id: number], { stage: OpportunityStage; rank: number }>(
  'SELECT stage, reached_rank AS rank FROM opportunities WHERE id = ?',
);
const MOVE = query<
  [
    stage: string,
    rank: number,
    closedOn: string | null,
    lostReason: string | null,
    amountFen: number | null,
    product: OpportunityProduct | null,
    id: number,
  ]
>(
  `UPDATE opportunities SET stage = ?, reached_rank = ?, closed_on = ?, lost_reason = COALESCE(?, lost_reason),
     amount_fen = COALESCE(?, amount_fen), product = COALESCE(?, product), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
);
const MOVE_HISTORY = query<[id: number, from: string, to: string, onDate: string, userId: number, note: string | null]>(
  'INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date, user_id, note) VALUES (?, ?, ?, ?, ?, ?)',
);
const ASSIGN = query<[staffId: number, id: number]>(
  `UPDATE opportunities SET owner_staff_id = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
);

/**
 * Creates one opportunity (and its first history entry) in a transaction; for other features too
 * (a won referral creates or links its opportunity with source 'referral' and sourceRef = referral id).
 */
export function createOpportunity(db: Database, input: CreateOpportunityInput): { id: number; created: boolean } {
  return db.transaction(() => {
    if (input.dedupeKey) {
      const hit = BY_DEDUPE_KEY.get(db, input.dedupeKey);
      if (hit) return { id: hit.id, created: false };
    }
    const c = CUSTOMER_HOME.get(db, input.customerId);
    if (!c) throw new AppError('NOT_FOUND', { entity: 'customer', id: input.customerId });
    const stage = input.stage ?? 'identified';
    const owner = input.ownerStaffId === undefined ? c.managerId : input.ownerStaffId;
    const id = Number(
      INSERT.run(
        db,
        input.customerId,
        c.branchId,
        owner,
        stage,
        STAGE_RANK[stage],
        input.source,
        input.sourceRef == null ? null : String(input.sourceRef),
        input.ruleCode ?? null,
        input.dedupeKey ?? null,
        input.product,
        input.productId ?? null,
        input.amountFen ?? null,
        input.dueOn ?? null,
        input.title ?? null,
        input.detail ? JSON.stringify(input.detail) : null,
        input.note ?? null,
        input.today,
        stage === 'won' ? input.today : null,
        input.createdBy ?? null,
      ).lastInsertRowid,
    );
    FIRST_HISTORY.run(db, id, stage, input.today, input.createdBy ?? null);
    return { id, created: true };
  })();
}

const SELECT = `SELECT o.id, o.customer_id AS customerId, c.customer_no AS customerNo, c.name AS customerName, o.owner_staff_id AS ownerStaffId,
    s.name AS ownerName, o.stage, o.source, o.source_ref AS sourceRef, o.rule_code AS ruleCode, o.product, o.amount_fen AS amountFen,
    o.due_on AS dueOn, o.title, o.detail, o.note, o.lost_reason AS lostReason, o.created_on AS createdOn, o.closed_on AS closedOn
  FROM opportunities o JOIN customers c ON c.id = o.customer_id LEFT JOIN staff s ON s.id = o.owner_staff_id`;

type Row = Omit<Opportunity, 'amount' | 'detail'> & { amountFen: number | null; detail: string | null };

function toOpportunity(r: Row): Opportunity {
  const { amountFen, detail, ...rest } = r;
  return {
    ...rest,
    amount: amountFen == null ? null : fenToYuan(amountFen),
    detail: detail ? (JSON.parse(detail) as Record<string, string | number>) : null,
  };
}

/** The filter as SQL over `o` (constant text, values as parameters). Shared by the list and the funnel. */
export function filterSql(f: OpportunityFilter): { sql: string; params: SqlParam[] } {
  const w = new Clauses();
  if (f.from) w.add('o.created_on >= ?', f.from);
  if (f.to) w.add('o.created_on <= ?', f.to);
  if (f.source) w.add('o.source = ?', f.source);
  if (f.ruleCode) w.add('o.rule_code = ?', f.ruleCode);
  if (f.stage) w.add('o.stage = ?', f.stage);
  if (f.reached) w.add('o.reached_rank >= ?', STAGE_RANK[f.reached]);
  if (f.open === true) w.add(`o.stage NOT IN ('won','lost')`);
  if (f.open === false) w.add(`o.stage IN ('won','lost')`);
  if (f.customerId !== undefined) w.add('o.customer_id = ?', f.customerId);
  if (f.ownerStaffId === 0) w.add('o.owner_staff_id IS NULL');
  else if (f.ownerStaffId !== undefined) w.add('o.owner_staff_id = ?', f.ownerStaffId);
  return { sql: w.and(), params: w.params };
}

export function listOpportunities(
  db: Database,
  scope: OppScope,
  f: OpportunityFilter,
  offset: number,
  limit: number,
): { rows: Opportunity[]; total: number } {
  const w = filterSql(f);
  const total =
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM opportunities o WHERE ${scope.sql} AND ${w.sql}`,
      ...scope.params,
      ...w.params,
    )?.n ?? 0;
  const rows = all<Row>(
    db,
    `${SELECT} WHERE ${scope.sql} AND ${w.sql} ORDER BY o.stage IN ('won','lost'), o.due_on IS NULL, o.due_on, o.id DESC LIMIT ? OFFSET ?`,
    ...scope.params,
    ...w.params,
    limit,
    offset,
  );
  return { rows: rows.map(toOpportunity), total };
}

/** One opportunity in the caller's scope (NOT_FOUND otherwise: existence is not revealed). */
export function getOpportunity(db: Database, scope: OppScope, id: number): Opportunity {
  const r = first<Row>(db, `${SELECT} WHERE o.id = ? AND ${scope.sql}`, id, ...scope.params);
  if (!r) throw new AppError('NOT_FOUND', { entity: 'opportunity', id });
  return toOpportunity(r);
}

export const opportunityHistory = (db: Database, id: number): OpportunityHistoryEntry[] => HISTORY.all(db, id);

export interface MoveInput {
  id: number;
  to: OpportunityStage;
  note?: string | undefined;
  amountFen?: number | undefined;
  /** The product confirmed with a win (成交确认); others keep theirs. */
  product?: OpportunityProduct | undefined;
  lostReason?: string | undefined;
  userId: number;
  today: string;
}

/** Moves one opportunity (already checked to be in scope) with its history entry, in one transaction. */
export function moveOpportunity(db: Database, m: MoveInput): void {
  db.transaction(() => {
    const cur = STAGE_OF.get(db, m.id);
    if (!cur) throw new AppError('NOT_FOUND', { entity: 'opportunity', id: m.id });
    if (!canMove(cur.stage, m.to)) throw new AppError('OPPORTUNITY_STAGE', { from: cur.stage, to: m.to });
    if (m.to === 'lost' && !m.lostReason)
      throw new AppError('VALIDATION', { field: 'lostReason', issues: [{ path: ['lostReason'], code: 'required' }] });
    const rank = m.to === 'lost' ? cur.rank : Math.max(cur.rank, STAGE_RANK[m.to]);
    const closed = m.to === 'won' || m.to === 'lost' ? m.today : null;
    MOVE.run(
      db,
      m.to,
      rank,
      closed,
      m.to === 'lost' ? (m.lostReason ?? null) : null,
      m.amountFen ?? null,
      m.to === 'won' ? (m.product ?? null) : null,
      m.id,
    );
    MOVE_HISTORY.run(
      db,
      m.id,
      cur.stage,
      m.to,
      m.today,
      m.userId,
      m.note ?? (m.to === 'lost' ? (m.lostReason ?? null) : null),
    );
  })();
}

const LAST_WIN = query<
  [id: number],
  { historyId: number; fromStage: OpportunityStage | null; userId: number | null; onDate: string }
>(
  `SELECT id AS historyId, from_stage AS fromStage, user_id AS userId, on_date AS onDate
   FROM opportunity_history WHERE opportunity_id = ? AND to_stage = 'won' ORDER BY id DESC LIMIT 1`,
);
const STAGES_BEFORE = query<[id: number, historyId: number], { stage: OpportunityStage }>(
  'SELECT to_stage AS stage FROM opportunity_history WHERE opportunity_id = ? AND id < ? ORDER BY id',
);
const SOURCE_OF = query<[id: number], { stage: OpportunityStage; source: OpportunitySource }>(
  'SELECT stage, source FROM opportunities WHERE id = ?',
);
const REOPEN = query<[stage: string, rank: number, id: number]>(
  `UPDATE opportunities SET stage = ?, reached_rank = ?, closed_on = NULL,
     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ? AND stage = 'won'`,
);

/** What 撤销成交 is decided on (shared/opportunities.ts undoWonRule): the stage, source and the win's entry. */
export function winFacts(
  db: Database,
  id: number,
): Pick<UndoFacts, 'stage' | 'source' | 'wonBy' | 'wonOn' | 'fromStage'> {
  const o = SOURCE_OF.get(db, id);
  if (!o) throw new AppError('NOT_FOUND', { entity: 'opportunity', id });
  const w = o.stage === 'won' ? LAST_WIN.get(db, id) : undefined;
  return {
    stage: o.stage,
    source: o.source,
    wonBy: w?.userId ?? null,
    wonOn: w?.onDate ?? null,
    fromStage: w?.fromStage ?? null,
  };
}

/**
 * 撤销成交 (already allowed by undoWonRule): the opportunity goes back to the stage it was won from, open
 * again, its funnel rank the furthest reached before the win; the history keeps the win and records
 * the undo (from won, with the reason). Product and amount stay as confirmed, to be edited or won again.
 */
export function undoWin(
  db: Database,
  u: { id: number; userId: number; today: string; reason: string },
): OpportunityStage {
  return db.transaction(() => {
    const w = LAST_WIN.get(db, u.id);
    const back = w?.fromStage;
    if (!w || !back || back === 'won' || back === 'lost' || SOURCE_OF.get(db, u.id)?.stage !== 'won')
      throw new AppError('OPPORTUNITY_UNDO', { reason: w ? 'linked' : 'notWon' });
    const rank = rankBeforeWin(STAGES_BEFORE.all(db, u.id, w.historyId).map((r) => r.stage));
    REOPEN.run(db, back, Math.max(rank, STAGE_RANK[back]), u.id);
    MOVE_HISTORY.run(db, u.id, 'won', back, u.today, u.userId, u.reason);
    return back;
  })();
}

/** The fields a manager edits by hand; undefined leaves a field as it is, null clears it. */
export interface OpportunityEdit {
  product?: OpportunityProduct | undefined;
  amountFen?: number | null | undefined;
  dueOn?: string | null | undefined;
  note?: string | null | undefined;
}

/** Writes the edited fields of one opportunity (already checked to be in scope); nothing when none is given. */
export function updateOpportunity(db: Database, id: number, e: OpportunityEdit): void {
  const set = new Clauses();
  if (e.product !== undefined) set.add('product = ?', e.product);
  if (e.amountFen !== undefined) set.add('amount_fen = ?', e.amountFen);
  if (e.dueOn !== undefined) set.add('due_on = ?', e.dueOn);
  if (e.note !== undefined) set.add('note = ?', e.note);
  if (!set.length) return;
  run(
    db,
    `UPDATE opportunities SET ${set.join(', ')}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
    ...set.params,
    id,
  );
}

/** Gives one opportunity (already checked to be in scope) to another manager. */
export function assignOpportunity(db: Database, id: number, ownerStaffId: number): void {
  ASSIGN.run(db, ownerStaffId, id);
}

/** Open opportunities in scope by stage: how many and their amounts (fen, as bigint: sums of a branch). */
export function openByStage(db: Database, scope: OppScope): { stage: string; n: bigint; fen: bigint }[] {
  const f = filterSql({ open: true });
  return db
    .prepare<SqlParam[], { stage: string; n: bigint; fen: bigint }>(
      `SELECT o.stage, COUNT(*) AS n, COALESCE(SUM(o.amount_fen), 0) AS fen FROM opportunities o WHERE ${scope.sql} AND ${f.sql} GROUP BY o.stage`,
    )
    .safeIntegers(true)
    .all(...scope.params, ...f.params);
}

/**
 * The funnel over the caller's opportunities created in [from, to]: how many reached each stage
 * (reached_rank), how many sit there now, conversions between consecutive stages, and lead sources.
 * One pass over the opportunities in scope (opportunities_owner / opportunities_branch).
 */
export function funnel(
  db: Database,
  scope: OppScope,
  range: { from?: string | undefined; to?: string | undefined },
): FunnelResult {
  const w = filterSql({ ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) });
  const base = `FROM opportunities o WHERE ${scope.sql} AND ${w.sql}`;
  const p = [...scope.params, ...w.params];
  const ranks = all<{ rank: number; stage: OpportunityStage; n: number; amount: number }>(
    db,
    `SELECT o.reached_rank AS rank, o.stage, COUNT(*) AS n, COALESCE(SUM(o.amount_fen), 0) AS amount ${base} GROUP BY o.reached_rank, o.stage`,
    ...p,
  );
  const stages = FUNNEL_STAGES.map((stage) => {
    const k = STAGE_RANK[stage];
    const reachedRows = ranks.filter((r) => r.rank >= k);
    const reached = reachedRows.reduce((s, r) => s + r.n, 0);
    const current = ranks.filter((r) => r.stage === stage).reduce((s, r) => s + r.n, 0);
    // The value in the pipeline at this stage: amounts of those that reached it.
    const amount = reachedRows.reduce((s, r) => s + r.amount, 0);
    return { stage, reached, current, amount: fenToYuan(amount) };
  });
  const conversion = stages.slice(1).map((s, i) => ({
    from: stages[i]!.stage,
    to: s.stage,
    rate: stages[i]!.reached ? s.reached / stages[i]!.reached : null,
  }));
  const bySource = all<{
    source: OpportunitySource;
    total: number;
    open: number;
    won: number;
    lost: number;
    wonFen: number;
  }>(
    db,
    `SELECT o.source, COUNT(*) AS total, SUM(o.stage NOT IN ('won','lost')) AS open, SUM(o.stage = 'won') AS won, SUM(o.stage = 'lost') AS lost,
            COALESCE(SUM(CASE WHEN o.stage = 'won' THEN o.amount_fen END), 0) AS wonFen ${base} GROUP BY o.source`,
    ...p,
  );
  const sources = OPPORTUNITY_SOURCES.map((source) => {
    const r = bySource.find((x) => x.source === source);
    const won = r?.won ?? 0;
    const lost = r?.lost ?? 0;
    return {
      source,
      total: r?.total ?? 0,
      open: r?.open ?? 0,
      won,
      lost,
      wonAmount: fenToYuan(r?.wonFen ?? 0),
      winRate: won + lost ? won / (won + lost) : null,
    };
  });
  const rules = all<{ ruleCode: RuleCode; total: number; won: number; lost: number }>(
    db,
    `SELECT o.rule_code AS ruleCode, COUNT(*) AS total, SUM(o.stage = 'won') AS won, SUM(o.stage = 'lost') AS lost ${base} AND o.rule_code IS NOT NULL GROUP BY o.rule_code ORDER BY o.rule_code`,
    ...p,
  );
  const lost = ranks.filter((r) => r.stage === 'lost').reduce((s, r) => s + r.n, 0);
  return { stages, conversion, lost, sources, rules, total: ranks.reduce((s, r) => s + r.n, 0) };
}
