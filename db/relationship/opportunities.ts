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
import { canMove, STAGE_RANK } from '../../shared/opportunities';
import { fenToYuan } from '../../shared/money';
import type { Scope } from '../scope';

export { canMove, STAGE_RANK };

/** Opportunities a caller may see, as SQL over the alias `o`: a manager their own, the president the branch. */
export interface OppScope {
  sql: string;
  params: (string | number)[];
}

export function opportunityScope(scope: Scope): OppScope {
  if (scope.kind === 'manager' && scope.staffId != null)
    return { sql: 'o.owner_staff_id = ?', params: [scope.staffId] };
  if (scope.kind === 'branch' && scope.branchIds?.length)
    return { sql: `o.branch_id IN (${scope.branchIds.map(() => '?').join(',')})`, params: [...scope.branchIds] };
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

/**
 * Creates one opportunity (and its first history entry) in a transaction; for other features too
 * (a won referral creates or links its opportunity with source 'referral' and sourceRef = referral id).
 */
export function createOpportunity(db: Database, input: CreateOpportunityInput): { id: number; created: boolean } {
  return db.transaction(() => {
    if (input.dedupeKey) {
      const hit = db.prepare('SELECT id FROM opportunities WHERE dedupe_key = ?').get(input.dedupeKey) as
        | { id: number }
        | undefined;
      if (hit) return { id: hit.id, created: false };
    }
    const c = db
      .prepare('SELECT branch_id AS branchId, manager_staff_id AS managerId FROM customers WHERE id = ?')
      .get(input.customerId) as { branchId: number; managerId: number | null } | undefined;
    if (!c) throw new AppError('NOT_FOUND', { entity: 'customer', id: input.customerId });
    const stage = input.stage ?? 'identified';
    const owner = input.ownerStaffId === undefined ? c.managerId : input.ownerStaffId;
    const id = Number(
      db
        .prepare(
          `INSERT INTO opportunities (customer_id, branch_id, owner_staff_id, stage, reached_rank, source, source_ref, rule_code, dedupe_key,
             product, product_id, amount_fen, due_on, title, detail, note, created_on, closed_on, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
    db.prepare(
      'INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date, user_id) VALUES (?, NULL, ?, ?, ?)',
    ).run(id, stage, input.today, input.createdBy ?? null);
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
export function filterSql(f: OpportunityFilter): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (f.from) where.push('o.created_on >= ?'), params.push(f.from);
  if (f.to) where.push('o.created_on <= ?'), params.push(f.to);
  if (f.source) where.push('o.source = ?'), params.push(f.source);
  if (f.ruleCode) where.push('o.rule_code = ?'), params.push(f.ruleCode);
  if (f.stage) where.push('o.stage = ?'), params.push(f.stage);
  if (f.reached) where.push('o.reached_rank >= ?'), params.push(STAGE_RANK[f.reached]);
  if (f.open === true) where.push(`o.stage NOT IN ('won','lost')`);
  if (f.open === false) where.push(`o.stage IN ('won','lost')`);
  if (f.customerId !== undefined) where.push('o.customer_id = ?'), params.push(f.customerId);
  if (f.ownerStaffId === 0) where.push('o.owner_staff_id IS NULL');
  else if (f.ownerStaffId !== undefined) where.push('o.owner_staff_id = ?'), params.push(f.ownerStaffId);
  return { sql: where.length ? where.join(' AND ') : '1', params };
}

export function listOpportunities(
  db: Database,
  scope: OppScope,
  f: OpportunityFilter,
  offset: number,
  limit: number,
): { rows: Opportunity[]; total: number } {
  const w = filterSql(f);
  const total = (
    db
      .prepare(`SELECT COUNT(*) AS n FROM opportunities o WHERE ${scope.sql} AND ${w.sql}`)
      .get(...scope.params, ...w.params) as { n: number }
  ).n;
  const rows = db
    .prepare(
      `${SELECT} WHERE ${scope.sql} AND ${w.sql} ORDER BY o.stage IN ('won','lost'), o.due_on IS NULL, o.due_on, o.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...scope.params, ...w.params, limit, offset) as Row[];
  return { rows: rows.map(toOpportunity), total };
}

/** One opportunity in the caller's scope (NOT_FOUND otherwise: existence is not revealed). */
export function getOpportunity(db: Database, scope: OppScope, id: number): Opportunity {
  const r = db.prepare(`${SELECT} WHERE o.id = ? AND ${scope.sql}`).get(id, ...scope.params) as Row | undefined;
  if (!r) throw new AppError('NOT_FOUND', { entity: 'opportunity', id });
  return toOpportunity(r);
}

export function opportunityHistory(db: Database, id: number): OpportunityHistoryEntry[] {
  return db
    .prepare(
      `SELECT h.from_stage AS fromStage, h.to_stage AS toStage, h.on_date AS onDate, u.display_name AS userName, h.note
       FROM opportunity_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.opportunity_id = ? ORDER BY h.id`,
    )
    .all(id) as OpportunityHistoryEntry[];
}

export interface MoveInput {
  id: number;
  to: OpportunityStage;
  note?: string | undefined;
  amountFen?: number | undefined;
  lostReason?: string | undefined;
  userId: number;
  today: string;
}

/** Moves one opportunity (already checked to be in scope) with its history entry, in one transaction. */
export function moveOpportunity(db: Database, m: MoveInput): void {
  db.transaction(() => {
    const cur = db.prepare('SELECT stage, reached_rank AS rank FROM opportunities WHERE id = ?').get(m.id) as
      | { stage: OpportunityStage; rank: number }
      | undefined;
    if (!cur) throw new AppError('NOT_FOUND', { entity: 'opportunity', id: m.id });
    if (!canMove(cur.stage, m.to)) throw new AppError('OPPORTUNITY_STAGE', { from: cur.stage, to: m.to });
    if (m.to === 'lost' && !m.lostReason)
      throw new AppError('VALIDATION', { field: 'lostReason', issues: [{ path: ['lostReason'], code: 'required' }] });
    const rank = m.to === 'lost' ? cur.rank : Math.max(cur.rank, STAGE_RANK[m.to]);
    const closed = m.to === 'won' || m.to === 'lost' ? m.today : null;
    db.prepare(
      `UPDATE opportunities SET stage = ?, reached_rank = ?, closed_on = ?, lost_reason = COALESCE(?, lost_reason),
         amount_fen = COALESCE(?, amount_fen), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
    ).run(m.to, rank, closed, m.to === 'lost' ? (m.lostReason ?? null) : null, m.amountFen ?? null, m.id);
    db.prepare(
      'INSERT INTO opportunity_history (opportunity_id, from_stage, to_stage, on_date, user_id, note) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(m.id, cur.stage, m.to, m.today, m.userId, m.note ?? (m.to === 'lost' ? (m.lostReason ?? null) : null));
  })();
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
  const ranks = db
    .prepare(
      `SELECT o.reached_rank AS rank, o.stage, COUNT(*) AS n, COALESCE(SUM(o.amount_fen), 0) AS amount ${base} GROUP BY o.reached_rank, o.stage`,
    )
    .all(...p) as { rank: number; stage: OpportunityStage; n: number; amount: number }[];
  const stages = FUNNEL_STAGES.map((stage) => {
    const k = STAGE_RANK[stage];
    const reachedRows = ranks.filter((r) => r.rank >= k);
    const reached = reachedRows.reduce((s, r) => s + r.n, 0);
    const current = ranks.filter((r) => r.stage === stage).reduce((s, r) => s + r.n, 0);
    // The value in the pipeline at this stage: amounts of those that reached it.
    const amount = reachedRows.reduce((s, r) => s + r.amount, 0);
    return { stage, reached, current, amount: fenToYuan(amount) };
  });
  const conversion = stages
    .slice(1)
    .map((s, i) => ({
      from: stages[i]!.stage,
      to: s.stage,
      rate: stages[i]!.reached ? s.reached / stages[i]!.reached : null,
    }));
  const bySource = db
    .prepare(
      `SELECT o.source, COUNT(*) AS total, SUM(o.stage NOT IN ('won','lost')) AS open, SUM(o.stage = 'won') AS won, SUM(o.stage = 'lost') AS lost,
              COALESCE(SUM(CASE WHEN o.stage = 'won' THEN o.amount_fen END), 0) AS wonFen ${base} GROUP BY o.source`,
    )
    .all(...p) as {
    source: OpportunitySource;
    total: number;
    open: number;
    won: number;
    lost: number;
    wonFen: number;
  }[];
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
  const rules = db
    .prepare(
      `SELECT o.rule_code AS ruleCode, COUNT(*) AS total, SUM(o.stage = 'won') AS won, SUM(o.stage = 'lost') AS lost ${base} AND o.rule_code IS NOT NULL GROUP BY o.rule_code ORDER BY o.rule_code`,
    )
    .all(...p) as { ruleCode: RuleCode; total: number; won: number; lost: number }[];
  const lost = ranks.filter((r) => r.stage === 'lost').reduce((s, r) => s + r.n, 0);
  return { stages, conversion, lost, sources, rules, total: ranks.reduce((s, r) => s + r.n, 0) };
}
