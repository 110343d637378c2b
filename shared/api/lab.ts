import { z } from 'zod';
import {
  LAB_PRODUCT_CATEGORIES,
  type LabFactor,
  type LabFeature,
  type LabProductCategory,
  type LabTarget,
  type LabTargetKind,
} from '../lab';
import { method } from './define';

/**
 * 模型实验室 (model lab): targets defined on the store's own history, training in a worker with
 * progress and cancel, every trained model a version with its data window, parameters and figures,
 * one active version per target scoring every customer, the top groups pushed as a marketing list
 * or as opportunities, and monitoring of realised outcomes against past scores.
 * Lab methods: president and administrator ('model.lab'); per-customer scores: 'customer.read' in
 * scope; pushing: 'campaign.manage' (the president), into the existing campaigns / opportunities.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const id = z.number().int().positive();

export const labTargetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('churn'),
      /** The balance "falls" when a month end in the window is below this share of the cut-off level. */
      dropShare: z.number().min(0.05).max(0.95).default(0.5),
      /** Only customers holding at least this many yuan (deposits + wealth) at the cut-off can churn. */
      minBalance: z.number().min(0).max(100_000_000).default(1000),
    })
    .strict(),
  z.object({ kind: z.literal('loan') }).strict(),
  z.object({ kind: z.literal('wealth') }).strict(),
  z.object({ kind: z.literal('product'), category: z.enum(LAB_PRODUCT_CATEGORIES) }).strict(),
]);

export const LAB_LEARNERS = ['logistic', 'boosted', 'best'] as const;
export type LabLearner = (typeof LAB_LEARNERS)[number];

/** What may be predicted on this store, and the dates its history allows. */
export interface LabTargetInfo {
  kind: LabTargetKind;
  /** Set for kind 'product'. */
  category: LabProductCategory | null;
  /** 'churn', 'loan', 'wealth', 'product:card'... (the active model is per key). */
  key: string;
  /**
   * Customers who could have the outcome at the default cut-off (3-month window) and how many did;
   * null while they are being counted in the background (a big book takes a while: ask again).
   */
  eligible: number | null;
  positives: number | null;
  /** The active version for this key, if any. */
  activeVersion: number | null;
}

export interface LabTargets {
  targets: LabTargetInfo[];
  /** Month ends the store holds balances for (the first and the last). Null dates: no history. */
  history: { from: string | null; to: string | null };
  /** Cut-offs (month ends) allowed for `outcomeMonths` = 1..12: earliest and latest, null when too short. */
  cutoffs: { outcomeMonths: number; earliest: string | null; latest: string | null }[];
  /** Defaults the start form shows. */
  defaults: { outcomeMonths: number; folds: number; learner: LabLearner };
}

export interface LabJobState {
  jobId: string;
  kind: 'train' | 'score';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** 'features' | 'folds' | 'holdout' | 'final' | 'scoring' | 'saving' */
  step: string;
  done: number;
  total: number;
  startedAt: string;
  /** Set when a training job finished: the new version. */
  version: number | null;
  /** Set when failed: an error code from shared/errors (with safe details). */
  error: { code: string; details?: Record<string, unknown> } | null;
}

export interface LabGroupRow {
  /** 1 = the highest scores. */
  group: number;
  customers: number;
  positives: number;
  /** Actual rate in the group (0..1). */
  rate: number;
  lift: number;
  meanScore: number;
  cumulativeCapture: number;
}

export interface LabCalibrationRow {
  /** Predicted probability range of the bin. */
  from: number;
  to: number;
  customers: number;
  predicted: number;
  actual: number;
}

export interface LabVersionSummary {
  version: number;
  target: LabTarget;
  key: string;
  learner: 'logistic' | 'boosted';
  /** The learner asked for ('best' tries both). */
  requested: LabLearner;
  outcomeMonths: number;
  /** Features as of this date; outcomes in the months after it. */
  cutoff: string;
  /** The outcome window actually observed: (cutoff, windowEnd]. */
  windowEnd: string;
  rows: number;
  positives: number;
  /** Mean AUC over the folds (out-of-fold). */
  auc: number;
  /** AUC on the later cut-off of a model trained on the earlier one (null: history too short). */
  holdoutAuc: number | null;
  active: boolean;
  createdAt: string;
  createdBy: string;
  /** A feature alone nearly decides the target: show a warning naming it. */
  leak: boolean;
}

export interface LabVersionDetail extends LabVersionSummary {
  /**
   * Customers the cross-validation saw: all `rows`, or a stratified sample of 200,000 in a bigger book
   * (the final model is fitted on all). The folds' rows and the ten groups' customers sum to this.
   */
  cvRows: number;
  folds: { fold: string; rows: number; positives: number; auc: number | null }[];
  /** Train on features at `trainCutoff` (outcome window ending by `testCutoff`), test at `testCutoff`. */
  holdout: { trainCutoff: string; testCutoff: string; trainRows: number; testRows: number; auc: number | null } | null;
  /** The ten-group table of the out-of-fold scores; customers sum to `cvRows`. */
  groups: LabGroupRow[];
  calibration: LabCalibrationRow[];
  /** Features whose single-feature AUC is at or above the leak threshold (0.98). */
  leaks: { feature: LabFeature; auc: number }[];
  /** The three features that best separate the classes alone. */
  strongest: { feature: LabFeature; auc: number }[];
  /**
   * The model's weights: logistic coefficients per standardised feature (a category's level in `level`),
   * or the boosted trees' gain share per feature; largest magnitude first, at most 20.
   */
  weights: { feature: LabFeature; level: string | null; weight: number }[];
  parameters: {
    folds: number;
    seed: number;
    /** 'l1' | 'l2' | 'none' and lambda for logistic; trees and learning rate for boosted. */
    penalty: string | null;
    lambda: number | null;
    trees: number | null;
    learningRate: number | null;
  };
  seconds: number;
  /** When it last scored the book (null: never activated). */
  scoredAt: string | null;
  scoredCustomers: number;
}

export interface LabCustomerScore {
  key: string;
  target: LabTarget;
  version: number;
  /** Probability of the outcome in the window (0..1). */
  score: number;
  /** 1 = the top tenth of the book on this model. */
  decile: number;
  /** The three features raising the score most; words via factorText (shared/lab.ts). */
  factors: LabFactor[];
  scoredAt: string;
}

export interface LabScoreRow {
  customerId: number;
  customerNo: string;
  name: string;
  managerName: string | null;
  score: number;
  decile: number;
  factors: LabFactor[];
}

export interface LabPushResult {
  kind: 'campaign' | 'opportunities';
  /** The campaign made (kind 'campaign'). */
  campaignId: number | null;
  /** Customers pushed (in the caller's scope). */
  customers: number;
  /** Opportunities made; customers who already had one from this version are skipped. */
  created: number;
}

export interface LabMonitoring {
  version: number;
  key: string;
  scoredAt: string | null;
  /** The window the scores predict: (scoredOn, windowEnd]; `observedTo` is how far the book now reaches. */
  scoredOn: string | null;
  windowEnd: string | null;
  observedTo: string | null;
  /** Share of the window already observed (0..1). */
  elapsed: number;
  /** Per decile at scoring time: customers, realised outcomes so far, realised rate, mean predicted score. */
  groups: { group: number; customers: number; realised: number; rate: number; predicted: number }[];
  /** AUC of the past scores against the outcomes realised so far (null: none yet, or one class only). */
  realisedAuc: number | null;
}

const trainInput = z
  .object({
    target: labTargetSchema,
    learner: z.enum(LAB_LEARNERS).default('logistic'),
    outcomeMonths: z.number().int().min(1).max(12).default(3),
    /** Month end; default: the latest the window allows (the store's last month end minus the window). */
    cutoff: day.optional(),
    folds: z.number().int().min(3).max(10).default(5),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(20),
  })
  .strict();
export type LabTrainInput = z.input<typeof trainInput>;

export const labApi = {
  /** Targets with their counts at the default cut-off, the history window and allowed cut-offs. */
  'lab.targets': method<LabTargets>()('model.lab', z.object({}).strict()),
  /** Starts training in a worker; returns at once. One training job at a time (LAB_BUSY otherwise). */
  'lab.train': method<LabJobState>()('model.lab', trainInput),
  /** A job's progress (training or scoring); poll about once a second. */
  'lab.job': method<LabJobState>()('model.lab', z.object({ jobId: z.string().min(1).max(64) }).strict()),
  /** Cancels a running job; nothing of it is stored. */
  'lab.cancel': method<LabJobState>()('model.lab', z.object({ jobId: z.string().min(1).max(64) }).strict()),
  /** Every version, newest first (optionally one target key). */
  'lab.versions': method<LabVersionSummary[]>()('model.lab', z.object({ key: z.string().max(40).optional() }).strict()),
  'lab.version': method<LabVersionDetail>()('model.lab', z.object({ version: id }).strict()),
  /**
   * Makes the version the active one for its target and scores every customer of the store with it
   * (a worker job: follow with lab.job). Audited.
   */
  'lab.activate': method<LabJobState>()('model.lab', z.object({ version: id }).strict()),
  /** One customer's scores on every active model (in the caller's scope). */
  'lab.customerScores': method<LabCustomerScore[]>()('customer.read', z.object({ customerId: id }).strict()),
  /** The scored customers of a version in the caller's scope, best first, optionally some deciles only. */
  'lab.scores': method<{ rows: LabScoreRow[]; total: number }>()(
    'customer.list',
    z
      .object({
        version: id,
        deciles: z.array(z.number().int().min(1).max(10)).max(10).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  /**
   * Pushes the top deciles of the active version's scores (customers in the caller's scope) as a marketing
   * list (营销名单, a campaign to the managers) or as opportunities (商机) for the managers of record. Audited.
   */
  'lab.push': method<LabPushResult>()(
    'campaign.manage',
    z
      .object({
        version: id,
        deciles: z.array(z.number().int().min(1).max(10)).min(1).max(10),
        as: z.enum(['campaign', 'opportunities']),
        /** Campaign name (kind 'campaign'); default from the target and date. */
        name: z.string().trim().min(1).max(60).optional(),
        dueOn: day.optional(),
      })
      .strict(),
  ),
  /** Realised outcomes since scoring against the scores given then (per decile, AUC). */
  'lab.monitoring': method<LabMonitoring>()('model.lab', z.object({ version: id }).strict()),
} as const;
