import { z } from 'zod';
import type { Money } from './common';
import { SETTING_WRITERS } from '../permissions';
import { method } from './define';

/**
 * Opportunities (商机), the funnel and the opportunity-event rules (商机事件). A manager sees the
 * opportunities they own; the president those of the branch (scope applied in SQL, db/relationship).
 */
export const OPPORTUNITY_STAGES = ['identified', 'contacted', 'proposal', 'negotiating', 'won', 'lost'] as const;
export type OpportunityStage = (typeof OPPORTUNITY_STAGES)[number];
/** The stages on the way to won, in order: the funnel's bars. */
export const FUNNEL_STAGES = ['identified', 'contacted', 'proposal', 'negotiating', 'won'] as const;
export const OPPORTUNITY_SOURCES = ['referral', 'rule', 'campaign', 'manual'] as const;
export type OpportunitySource = (typeof OPPORTUNITY_SOURCES)[number];
export const OPPORTUNITY_PRODUCTS = ['deposit', 'wealth', 'loan', 'card', 'insurance', 'other'] as const;
export type OpportunityProduct = (typeof OPPORTUNITY_PRODUCTS)[number];
export const RULE_CODES = [
  'large_inflow',
  'term_maturing',
  'loan_paid_off',
  'salary_no_card',
  'aum_drop',
  'gold_birthday',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

export interface Opportunity {
  id: number;
  customerId: number;
  customerNo: string;
  customerName: string;
  ownerStaffId: number | null;
  ownerName: string | null;
  stage: OpportunityStage;
  source: OpportunitySource;
  sourceRef: string | null;
  ruleCode: RuleCode | null;
  product: OpportunityProduct;
  amount: Money | null;
  dueOn: string | null;
  title: string | null;
  /** What the rule saw (amounts in fen, dates), for the rule's translated description. */
  detail: Record<string, string | number> | null;
  note: string | null;
  lostReason: string | null;
  createdOn: string;
  closedOn: string | null;
}

/**
 * Whether a won opportunity may be put back: 'own' (the user who won it, the same business day),
 * 'supervisor' (the president, any day), or why not (not won; mirrors a referral or a campaign entry;
 * the same-day window has passed or the win was another user's).
 */
export type UndoWon =
  | { allowed: true; as: 'own' | 'supervisor' }
  | { allowed: false; reason: 'notWon' | 'linked' | 'window' };

export interface OpportunityHistoryEntry {
  fromStage: OpportunityStage | null;
  toStage: OpportunityStage;
  onDate: string;
  userName: string | null;
  note: string | null;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const yuan = z
  .string()
  .trim()
  .regex(/^\d{1,13}(\.\d{1,2})?$/, 'yuan amount');
const text = z.string().trim().max(200);

/** Which opportunities a funnel figure stands for: the same filter lists them (drill-down). */
export const opportunityFilterSchema = z
  .object({
    /** Created on or after / on or before (business dates). */
    from: day.optional(),
    to: day.optional(),
    source: z.enum(OPPORTUNITY_SOURCES).optional(),
    ruleCode: z.enum(RULE_CODES).optional(),
    /** Current stage. */
    stage: z.enum(OPPORTUNITY_STAGES).optional(),
    /** Reached at least this funnel stage (won counts for every bar). */
    reached: z.enum(FUNNEL_STAGES).optional(),
    /** Still open (not won, not lost). */
    open: z.boolean().optional(),
    customerId: z.number().int().positive().optional(),
    /** Owner; 0 = the branch queue (no owner). */
    ownerStaffId: z.number().int().min(0).optional(),
  })
  .strict();
export type OpportunityFilter = z.infer<typeof opportunityFilterSchema>;

export interface FunnelResult {
  /** Opportunities that reached each stage (won counts for all), in FUNNEL_STAGES order. */
  stages: { stage: (typeof FUNNEL_STAGES)[number]; reached: number; current: number; amount: Money }[];
  /** reached(k+1) / reached(k), per step; null when reached(k) is 0. */
  conversion: { from: string; to: string; rate: number | null }[];
  lost: number;
  /** Lead-source analysis: per source, how many, open, won, lost, won amount and win rate. */
  sources: {
    source: OpportunitySource;
    total: number;
    open: number;
    won: number;
    lost: number;
    wonAmount: Money;
    winRate: number | null;
  }[];
  /** Per rule (source 'rule'), the same counts. */
  rules: { ruleCode: RuleCode; total: number; won: number; lost: number }[];
  total: number;
}

export interface RuleParamDef {
  key: string;
  kind: 'days' | 'yuan' | 'percent' | 'count';
  min: number;
  max: number;
}

export interface RuleView {
  code: RuleCode;
  enabled: boolean;
  params: Record<string, number>;
  defaults: Record<string, number>;
  paramDefs: RuleParamDef[];
  lastRunOn: string | null;
  lastCreated: number | null;
}

export interface RulePreview {
  code: RuleCode;
  /** Customers the rule would hit today with these parameters. */
  customers: number;
  /** Of those, how many would get a new opportunity (no open or identical one yet). */
  wouldCreate: number;
}

const ruleParams = z.record(z.string().regex(/^[a-zA-Z]{1,32}$/), z.number().finite());

export const opportunitiesApi = {
  'opportunities.list': method<{ rows: Opportunity[]; total: number }>()(
    'opportunity.work',
    z
      .object({
        filter: opportunityFilterSchema.default({}),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  'opportunities.get': method<{
    opportunity: Opportunity;
    history: OpportunityHistoryEntry[];
    /** Whether the caller may undo the win now, and why not (shared/opportunities.ts undoWonRule). */
    undo: UndoWon;
  }>()('opportunity.work', z.object({ id: z.number().int().positive() }).strict()),
  /** 新建商机 by hand, for a customer in the caller's scope. */
  'opportunities.create': method<Opportunity>()(
    'opportunity.work',
    z
      .object({
        customerId: z.number().int().positive(),
        product: z.enum(OPPORTUNITY_PRODUCTS),
        amount: yuan.optional(),
        dueOn: day.optional(),
        title: text.optional(),
        note: text.optional(),
      })
      .strict(),
  ),
  /**
   * Moves a stage; illegal moves are refused (OPPORTUNITY_STAGE). Won carries the product and amount the
   * user confirmed (成交确认); lost needs a reason.
   */
  'opportunities.move': method<Opportunity>()(
    'opportunity.work',
    z
      .object({
        id: z.number().int().positive(),
        to: z.enum(OPPORTUNITY_STAGES),
        note: text.optional(),
        amount: yuan.optional(),
        product: z.enum(OPPORTUNITY_PRODUCTS).optional(),
        lostReason: text.optional(),
      })
      .strict(),
  ),
  /**
   * 撤销成交: puts a won opportunity back to the stage it was won from, with a reason; audited. The user
   * who marked it won may do so on the same business day, the president (主管) at any time; a win that
   * mirrors a referral or a marketing list is corrected there, not here (OPPORTUNITY_UNDO).
   */
  'opportunities.undoWon': method<Opportunity>()(
    'opportunity.work',
    z.object({ id: z.number().int().positive(), reason: z.string().trim().min(1).max(200) }).strict(),
  ),
  'opportunities.update': method<Opportunity>()(
    'opportunity.work',
    z
      .object({
        id: z.number().int().positive(),
        product: z.enum(OPPORTUNITY_PRODUCTS).optional(),
        amount: yuan.nullable().optional(),
        dueOn: day.nullable().optional(),
        note: text.nullable().optional(),
      })
      .strict(),
  ),
  /** The president gives an opportunity (e.g. from the branch queue) to a manager of the branch. */
  'opportunities.assign': method<Opportunity>()(
    'branch.overview',
    z.object({ id: z.number().int().positive(), ownerStaffId: z.number().int().positive() }).strict(),
  ),
  /** 商机漏斗: reached per stage, conversions, lead sources, over the caller's opportunities. */
  'opportunities.funnel': method<FunnelResult>()(
    'opportunity.work',
    z.object({ from: day.optional(), to: day.optional() }).strict(),
  ),
  /** Managers of the president's branch, for assigning. */
  'opportunities.owners': method<{ staffId: number; name: string }[]>()('branch.overview', z.object({}).strict()),

  'rules.list': method<RuleView[]>()('rule.manage', z.object({}).strict()),
  /** How many customers the rule would hit with these parameters, before saving. */
  'rules.preview': method<RulePreview>()(
    'rule.manage',
    z.object({ code: z.enum(RULE_CODES), params: ruleParams }).strict(),
  ),
  'rules.save': method<RuleView>()(
    SETTING_WRITERS.ruleSettings,
    z.object({ code: z.enum(RULE_CODES), enabled: z.boolean(), params: ruleParams }).strict(),
  ),
  /** Runs every enabled rule now (as after an import). */
  'rules.run': method<{ code: RuleCode; created: number }[]>()('rule.manage', z.object({}).strict()),
} as const;
