import { z } from 'zod';
import { tierModelSchema, type TierModel } from '../tiers';
import type { Money } from './common';
import { method } from './define';

export interface TierModelState {
  active: { version: number; model: TierModel; createdAt: string; changed: number } | null;
  defaultModel: TierModel;
  /** When the per-customer factors were last measured (null: never). */
  factorsAsOf: string | null;
}

export interface WhatIfResult {
  cells: { from: string; to: string; customers: number; aum: Money }[];
  factorsAsOf: string | null;
}

export const tiersApi = {
  'tiers.model': method<TierModelState>()('job.manage', z.object({}).strict()),
  /** Measures every customer's factors from the raw tables (after imports; before a what-if). */
  'tiers.refreshFactors': method<{ customers: number; asOf: string }>()('job.manage', z.object({}).strict()),
  /** How many customers and how much AUM would move between tiers under `model` (nothing is saved). */
  'tiers.whatIf': method<WhatIfResult>()('job.manage', z.object({ model: tierModelSchema }).strict()),
  /** Saves `model` as the new active version and re-tiers every customer. Audited. */
  'tiers.apply': method<{ version: number; changed: number }>()(
    'job.manage',
    z.object({ model: tierModelSchema }).strict(),
  ),
} as const;
