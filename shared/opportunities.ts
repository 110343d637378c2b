/** Stage rules of an opportunity (商机), shared by the main process (which enforces them) and the window (which offers only allowed moves). */
import type { OpportunitySource, OpportunityStage, UndoWon } from './api/opportunities';
import { ROLE_PERMISSIONS, type Role } from './permissions';

/** Rank on the way to won; lost has none (it keeps the rank reached before). */
export const STAGE_RANK: Record<Exclude<OpportunityStage, 'lost'>, number> = {
  identified: 0,
  contacted: 1,
  proposal: 2,
  negotiating: 3,
  won: 4,
};

/**
 * Which moves are allowed. Open stages move forward (skipping is allowed: a walk-in may go straight to
 * a proposal, and counts as having passed the stages between), or one step back; won only from a
 * proposal or a negotiation; lost from any open stage; won and lost are final.
 */
export function canMove(from: OpportunityStage, to: OpportunityStage): boolean {
  if (from === 'won' || from === 'lost' || from === to) return false;
  if (to === 'lost') return true;
  const f = STAGE_RANK[from];
  if (to === 'won') return f >= STAGE_RANK.proposal;
  const t = STAGE_RANK[to];
  return t > f || t === f - 1;
}

const ORDER: readonly OpportunityStage[] = ['identified', 'contacted', 'proposal', 'negotiating', 'won', 'lost'];

/** The stages an opportunity may move to from `from`, in funnel order. */
export function nextStages(from: OpportunityStage): OpportunityStage[] {
  return ORDER.filter((to) => canMove(from, to));
}

/** The facts 撤销成交 is decided on: the opportunity, the win's history entry and the caller. */
export interface UndoFacts {
  stage: OpportunityStage;
  source: OpportunitySource;
  /** The user and business date of the move to won; null when it was created won (a won referral). */
  wonBy: number | null;
  wonOn: string | null;
  /** Whether the win came by a move from an open stage (there is a stage to go back to). */
  fromStage: OpportunityStage | null;
  userId: number;
  role: Role;
  today: string;
}

/**
 * Whether a won opportunity may be put back to the stage it was won from, as a bank's CRM corrects a
 * closing (当日冲正): the user who marked it won, on the same business day; afterwards, or someone
 * else's, only a supervisor (the president: branch.overview). A win that mirrors a referral's or a
 * marketing-list entry's result is corrected on that record, which owns it, not here.
 */
export function undoWonRule(f: UndoFacts): UndoWon {
  if (f.stage !== 'won') return { allowed: false, reason: 'notWon' };
  if (f.source === 'referral' || f.source === 'campaign' || f.fromStage === null)
    return { allowed: false, reason: 'linked' };
  if (ROLE_PERMISSIONS[f.role].includes('branch.overview')) return { allowed: true, as: 'supervisor' };
  if (f.wonBy === f.userId && f.wonOn === f.today) return { allowed: true, as: 'own' };
  return { allowed: false, reason: 'window' };
}

/**
 * The stage and funnel rank to go back to when a win is undone: the stage it was won from, and the
 * furthest rank reached by the moves before the win (won no longer counts as reached).
 */
export function rankBeforeWin(stagesBefore: readonly OpportunityStage[]): number {
  let rank = 0;
  for (const s of stagesBefore) if (s !== 'won' && s !== 'lost') rank = Math.max(rank, STAGE_RANK[s]);
  return rank;
}
