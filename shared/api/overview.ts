import type { Money } from './common';
import { empty } from './common';
import type { Tier } from './customers';
import { method } from './define';

export interface TierFigure {
  tier: Tier | 'none';
  customers: number;
  aum: Money;
}

export interface Overview {
  customers: number;
  deposits: Money;
  loans: Money;
  aum: Money;
  byTier: TierFigure[];
}

export interface ManagerFigure {
  staffId: number;
  name: string;
  customers: number;
  aum: Money;
}

export interface BranchOverview extends Overview {
  branchName: string;
  managers: ManagerFigure[];
}

export const overviewApi = {
  /** The president's branch at a glance (home page). */
  'overview.branch': method<BranchOverview>()('branch.overview', empty),
  /** A manager's own book at a glance (home page). */
  'overview.portfolio': method<Overview>()('portfolio.overview', empty),
} as const;
