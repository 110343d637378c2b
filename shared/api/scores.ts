import { z } from 'zod';
import type { ProductClass, RetentionGroup, ScoreParams } from '../scores';
import { method } from './define';

/**
 * Customer scores (issue 20.1): the bank's parameters (president and administrator, the model-lab
 * permission) and one customer's breakdown on the 360 (in the caller's scope). Money as decimal yuan
 * strings; sub-scores 0-100 with two decimals.
 */
export interface ScoreRunView {
  asOf: string;
  computedAt: string;
  mode: string;
  customers: number;
}

export interface ScoreSettingsView {
  params: ScoreParams;
  defaults: ScoreParams;
  updatedAt: string | null;
  updatedBy: string | null;
  /** The last computation, or null before the first. */
  run: ScoreRunView | null;
  retention: RetentionGroup[];
}

export interface ScoreBreakdown {
  asOf: string;
  /** The 12 months the figures cover: first and last 'YYYY-MM'. */
  window: [string, string];
  contribution: string;
  deposit: string;
  loan: string;
  wealth: string;
  fee: string;
  /** Per product class: the average of its 12 month-end balances, the yearly rate (ppm) and the income. */
  parts: { cls: ProductClass; average: string; ratePpm: number; income: string }[];
  feeSharePpm: number;
  loyalty: number;
  /** Sub-scores (0-100) with their weights (%). */
  loyaltyParts: { part: 'tenure' | 'breadth' | 'activity' | 'kept'; score: number; weight: number }[];
  clv: string;
  retentionPpm: number;
  discountRatePpm: number;
  horizonYears: number;
  /** Σ (ρ / (1 + r))^t over the horizon. */
  clvFactor: number;
  retentionSource: string;
  points: number;
  expiryMonths: number;
  /** The points ledger, latest month first. */
  ledger: { month: string; balance: number; txn: number; expired: number }[];
}

const id = z.number().int().positive();

export const scoresApi = {
  /** The parameters in force, the defaults, the last run and the retention estimate. */
  'scores.settings': method<ScoreSettingsView>()('model.lab', z.object({}).strict()),
  /**
   * Saves the parameters (checked field by field: VALIDATION names each bad one) and recomputes the
   * scores in the background.
   */
  'scores.saveSettings': method<ScoreSettingsView>()('model.lab', z.object({ params: z.unknown() }).strict()),
  /** One customer's scores and how they were made; null before the first computation. */
  'scores.customer': method<ScoreBreakdown | null>()('customer.read', z.object({ customerId: id }).strict()),
} as const;
