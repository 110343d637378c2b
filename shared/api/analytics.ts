import { z } from 'zod';
import {
  nextProductSettingsSchema,
  RISK_LEVELS,
  RISK_SIGNALS,
  riskSettingsSchema,
  WATCH_STATUSES,
  type NextProductItem,
  type NextProductSettings,
  type RiskLevel,
  type RiskSettings,
  type RiskSignal,
  type WatchStatus,
} from '../analytics';
import type { Money } from './common';
import { method } from './define';

/** One item offered to a customer (客户产品匹配), with why. */
export interface NextProductOffer {
  rank: number;
  item: NextProductItem;
  /** The chance the customer takes it: the rule's confidence, or a propensity model's score. */
  score: number;
  source: 'rules' | 'model';
  modelVersion: number | null;
  /** The rule: customers holding every `antecedent` item, of whom `confidence` also hold the item. */
  rule: {
    antecedent: NextProductItem[];
    support: number;
    confidence: number;
    lift: number;
    customers: number;
    bothN: number;
  } | null;
}

export interface NextProductRule {
  kind: string;
  antecedent: NextProductItem[];
  consequent: NextProductItem;
  support: number;
  confidence: number;
  lift: number;
  customers: number;
  bothN: number;
}

export interface RiskSignalView {
  signal: RiskSignal;
  firstSeen: string;
  /** What the signal saw: amounts in fen (…Fen), days, percents, dates. */
  facts: Record<string, number | string | null>;
}

export interface FollowUpView {
  status: WatchStatus;
  ownerStaffId: number | null;
  ownerName: string | null;
  note: string | null;
  dueOn: string | null;
  updatedAt: string;
}

export interface CustomerRisk {
  score: number;
  level: RiskLevel;
  ratedOn: string | null;
  signals: RiskSignalView[];
  followUp: FollowUpView | null;
}

export interface WatchListRow extends CustomerRisk {
  customerId: number;
  customerNo: string;
  name: string;
  managerName: string | null;
}

/** The other party of a guarantee: outside the caller's scope, without id or number and the name masked. */
export interface GuaranteePartyView {
  customerId: number | null;
  customerNo: string | null;
  name: string;
  inScope: boolean;
  level: RiskLevel | null;
}

/** One guaranteed loan (担保关系), seen from the guarantor (given) or the borrower (received). */
export interface GuaranteeView {
  loanNo: string;
  product: string;
  principal: Money;
  balance: Money;
  maturityOn: string;
  overdueDays: number;
  classification: string;
  status: string;
  party: GuaranteePartyView;
}

export interface AnalyticsSettingsView {
  nextProduct: NextProductSettings;
  risk: RiskSettings;
  nextProductUpdatedAt: string | null;
  riskUpdatedAt: string | null;
  /**
   * The figures are being recalculated (after a save, an import or at start-up, in the follow-up worker
   * on a big book): what the page shows are the last complete ones until this clears.
   */
  recalculating: { nextProduct: boolean; risk: boolean };
  /** The last mining of the rules: when, over how many customers, how many rules; null before the first. */
  nextProductRun: { ranAt: string; customers: number; rules: number } | null;
  /** Customers rated per level (those without a signal are not counted: normal counts rated ones only). */
  riskByLevel: Record<RiskLevel, number>;
}

const id = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const analyticsApi = {
  /** The items to offer a customer in the caller's scope (teller look-up, customer 360). */
  'nextProduct.forCustomer': method<{ offers: NextProductOffer[] }>()(
    'customer.lookup',
    z.object({ customerId: id }).strict(),
  ),
  /** The mined rules, strongest first, with when they were mined. */
  'nextProduct.rules': method<{ rules: NextProductRule[]; total: number; minedAt: string | null }>()(
    'rule.manage',
    z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
  ),
  /** The bank's parameters of next product and the risk rating. */
  'analytics.settings': method<AnalyticsSettingsView>()('rule.manage', z.object({}).strict()),
  /**
   * Saves next-product parameters and returns at once: the rules are mined again by the follow-up steps
   * (in their worker on a big book); `recalculating.nextProduct` says so until they are done.
   */
  'analytics.saveNextProduct': method<AnalyticsSettingsView>()('rule.manage', nextProductSettingsSchema),
  /** Saves the risk rating's weights and thresholds; signals and ratings are found again the same way. */
  'analytics.saveRisk': method<AnalyticsSettingsView>()('rule.manage', riskSettingsSchema),
  /** The watch-list (风险预警) in the caller's scope, worst first. */
  'risk.watchList': method<{ rows: WatchListRow[]; total: number; byLevel: Record<RiskLevel, number> }>()(
    'customer.list',
    z
      .object({
        level: z.enum(RISK_LEVELS).optional(),
        status: z.enum([...WATCH_STATUSES, 'none']).optional(),
        /** Only customers with this signal standing (e.g. the guarantee signals). */
        signal: z.enum(RISK_SIGNALS).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
  ),
  /** One customer's rating, signals and follow-up (customer 360). */
  'risk.forCustomer': method<CustomerRisk>()('customer.read', z.object({ customerId: id }).strict()),
  /** 担保关系 (customer 360): the loans the customer guarantees and the guarantors of their own loans, in scope. */
  'risk.guarantees': method<{ given: GuaranteeView[]; received: GuaranteeView[] }>()(
    'customer.read',
    z.object({ customerId: id }).strict(),
  ),
  /** Managers the caller may name as a follow-up's owner. */
  'risk.owners': method<{ id: number; name: string }[]>()('customer.list', z.object({}).strict()),
  /** Records a customer's follow-up (owner, status, note, due date); audited. */
  'risk.followUp': method<FollowUpView>()(
    'contact.log',
    z
      .object({
        customerId: id,
        status: z.enum(WATCH_STATUSES),
        ownerStaffId: id.nullable(),
        note: z.string().trim().max(500).nullable(),
        dueOn: isoDate.nullable(),
      })
      .strict(),
  ),
} as const;
