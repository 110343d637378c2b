import { z } from 'zod';
import type { Money } from './common';
import { method } from './define';
import type { ExportStatus } from './exports';
import { gridFilterSchema } from './grid';
import { OPPORTUNITY_PRODUCTS, type OpportunityProduct } from './opportunities';

/**
 * Marketing lists (营销名单): the president pushes a campaign over a set of customers; each entry goes
 * to the customer's manager of record, who works it (pending → contacted → won / declined). A manager
 * sees only their own entries (SQL); the president sees the branch's and the progress per manager.
 */
export const ENTRY_STATUSES = ['pending', 'contacted', 'won', 'declined'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export interface Counts {
  total: number;
  pending: number;
  contacted: number;
  won: number;
  declined: number;
}

export interface Campaign extends Counts {
  id: number;
  name: string;
  description: string | null;
  product: OpportunityProduct;
  origin: 'list' | 'query' | 'filter' | 'import';
  dueOn: string | null;
  status: 'active' | 'closed';
  createdOn: string;
  createdByName: string;
}

export interface CampaignEntry {
  id: number;
  customerId: number;
  customerNo: string;
  customerName: string;
  /** Masked. */
  mobile: string | null;
  tier: string | null;
  aum: Money;
  managerStaffId: number | null;
  managerName: string | null;
  status: EntryStatus;
  note: string | null;
  updatedOn: string | null;
}

export interface ManagerProgress extends Counts {
  /** null: the branch queue (customers without a manager of record). */
  staffId: number | null;
  name: string | null;
  /** (contacted + won + declined) / total: worked at all. */
  workedRate: number | null;
  /**
   * Whether the manager has an enabled sign-in: entries given to staff without one are seen by no one
   * (the screen warns and names them). The branch queue (staffId null) counts as worked by the president.
   */
  hasLogin: boolean;
}

/** A file chosen by the user, sent as base64 (.xlsx or .csv, at most 5 MB). */
export const uploadSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/\.(xlsx|csv)$/i, 'xlsx or csv'),
    data: z.string().max(7_000_000),
  })
  .strict();

const source = z.union([
  z.object({ listId: z.number().int().positive() }).strict(),
  z.object({ queryId: z.number().int().positive() }).strict(),
  z.object({ filter: gridFilterSchema }).strict(),
  /** 总行下发: a file of customer numbers (first column, or a column titled 客户号 / customer no). */
  z.object({ file: uploadSchema }).strict(),
]);

const id = z.number().int().positive();

export const campaignsApi = {
  /** Campaigns the caller takes part in, with counts over the entries the caller may see. */
  'campaigns.list': method<Campaign[]>()(
    'opportunity.work',
    z.object({ includeClosed: z.boolean().default(false) }).strict(),
  ),
  /** 下发营销名单: from a customer list, a saved query, a grid filter or a file of customer numbers. */
  'campaigns.create': method<Campaign>()(
    'campaign.manage',
    z
      .object({
        name: z.string().trim().min(1).max(60),
        description: z.string().trim().max(500).optional(),
        product: z.enum(OPPORTUNITY_PRODUCTS).default('other'),
        dueOn: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .optional(),
        source,
      })
      .strict(),
  ),
  'campaigns.close': method<Campaign>()('campaign.manage', z.object({ id }).strict()),
  /** Entries: a manager's own part; the president all or one manager's (0 = branch queue). */
  'campaigns.entries': method<{ rows: CampaignEntry[]; total: number }>()(
    'opportunity.work',
    z
      .object({
        campaignId: id,
        status: z.enum(ENTRY_STATUSES).optional(),
        managerStaffId: z.number().int().min(0).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  'campaigns.setStatus': method<CampaignEntry>()(
    'opportunity.work',
    z.object({ entryId: id, status: z.enum(ENTRY_STATUSES), note: z.string().trim().max(200).optional() }).strict(),
  ),
  /** Progress per manager (contacted, won...), for the president. */
  'campaigns.progress': method<ManagerProgress[]>()('campaign.manage', z.object({ campaignId: id }).strict()),
  /** Excel for offline calls: the caller's entries (mobiles masked); audited; poll with exports.status. */
  'campaigns.export': method<ExportStatus>()(
    'opportunity.work',
    z.object({ campaignId: id, format: z.enum(['xlsx', 'csv']).default('xlsx') }).strict(),
  ),
  /**
   * Results back from offline calls: customer number + status + note per line. Every line is checked
   * first (file, line, column in the error); nothing is written unless all are good.
   */
  'campaigns.importResults': method<{ updated: number }>()(
    'opportunity.work',
    z.object({ campaignId: id, file: uploadSchema }).strict(),
  ),
} as const;
