/** Stage rules of an opportunity (商机), shared by the main process (which enforces them) and the window (which offers only allowed moves). */
import type { OpportunityStage } from './api/opportunities';

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
