import { z } from 'zod';
import { tierModelSchema, type TierModel } from '../tiers';
import type { Money } from './common';
import { SETTING_WRITERS } from '../permissions';
import { method } from './define';

export interface TierModelState {
  active: { version: number; model: TierModel; createdAt: string; changed: number } | null;
  defaultModel: TierModel;
  /** When the per-customer factors were last measured (null: never). */
  factorsAsOf: string | null;
}

export interface WhatIfCellResult {
  from: string;
  to: string;
  customers: number;
  aum: Money;
}

export interface WhatIfResult {
  /** Stored tier -> tier under the new model: every move a save makes. */
  cells: WhatIfCellResult[];
  /** Tier under the current model -> tier under the new one, on today's factors: moved by this change. */
  changed: WhatIfCellResult[];
  /**
   * Stored tier -> tier under the current model: already out of date (figures moved since the last
   * re-tier); a save moves these whatever the new model says.
   */
  drift: WhatIfCellResult[];
  /** What "the current model" is: the active version, or the shipped default before the first save. */
  baseline: { version: number } | null;
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
    SETTING_WRITERS.tierModel,
    z.object({ model: tierModelSchema }).strict(),
  ),
} as const;
