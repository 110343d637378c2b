import { z } from 'zod';
import type { Money, Page } from './common';
import type { CustomerKind, CustomerStatus, Gender } from '../customer-fields';
import { TIERS, type TierName } from '../tiers';
import { method } from './define';

export { TIERS };
export type Tier = TierName;

/** A customer as lists and look-ups show it. ID number and mobile are masked unless revealed. */
export interface CustomerSummary {
  id: number;
  customerNo: string;
  kind: CustomerKind;
  name: string;
  idType: string;
  idNo: string | null;
  mobile: string | null;
  tier: Tier | null;
  status: CustomerStatus;
  branchName: string;
  managerName: string | null;
  aum: Money;
  deposits: Money;
  loans: Money;
  masked: boolean;
}

export interface CustomerDetail extends CustomerSummary {
  gender: Gender | null;
  birthDate: string | null;
  address: string | null;
  email: string | null;
  occupation: string | null;
  openedOn: string;
  wealth: Money;
  lastTxnOn: string | null;
  tags: string[];
}

export interface RevealResult {
  id: number;
  idNo: string | null;
  mobile: string | null;
  phone: string | null;
}

const query = z.string().trim().min(1).max(64);

export const customersApi = {
  /** Quick look-up by customer number, name, pinyin initials, mobile or ID number (whole, or the last four). */
  'customers.search': method<CustomerSummary[]>()(
    'customer.lookup',
    z.object({ query, limit: z.number().int().min(1).max(50).default(20) }).strict(),
  ),
  /**
   * How many customers in scope a quick search matches (the look-up lists the first of them). Null
   * for a search by identifier digits, which only customers.search answers (rate-limited, audited).
   */
  'customers.searchTotal': method<{ total: number | null }>()('customer.lookup', z.object({ query }).strict()),
  /** One customer in the caller's scope; NOT_FOUND otherwise (never "exists but forbidden"). */
  'customers.get': method<CustomerDetail>()('customer.read', z.object({ id: z.number().int().positive() }).strict()),
  /** A page of customers in scope, largest AUM first. */
  'customers.list': method<Page<CustomerSummary>>()(
    'customer.list',
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
        tier: z.enum(TIERS).optional(),
      })
      .strict(),
  ),
  /** Exact number of customers in scope. */
  'customers.count': method<{ total: number }>()(
    'customer.list',
    z.object({ tier: z.enum(TIERS).optional() }).strict(),
  ),
  /** Show the unmasked ID number and phones of one customer. Audited with the reason. */
  'customers.reveal': method<RevealResult>()(
    'customer.unmask',
    z.object({ id: z.number().int().positive(), reason: z.string().trim().min(2).max(200) }).strict(),
  ),
} as const;
