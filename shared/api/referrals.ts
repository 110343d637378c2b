import { z } from 'zod';
import type { Money, Page } from './common';
import { method } from './define';

/** What a teller saw the customer might want (转介意向). */
export const REFERRAL_INTERESTS = ['deposit', 'wealth', 'loan', 'card', 'insurance', 'other'] as const;
export type ReferralInterest = (typeof REFERRAL_INTERESTS)[number];
export const REFERRAL_URGENCIES = ['normal', 'high'] as const;
export type ReferralUrgency = (typeof REFERRAL_URGENCIES)[number];
/**
 * new → accepted → contacted → won | lost; accepted may also be lost (customer unreachable).
 * Reassigning sends a not-yet-contacted referral back to `new` in the new owner's queue.
 */
export const REFERRAL_STATUSES = ['new', 'accepted', 'contacted', 'won', 'lost'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** The steps of a referral's life after it is flagged. */
export type ReferralAction = 'accept' | 'reassign' | 'contact' | 'win' | 'lose';

/**
 * From which states each step may be taken (anything else is REFERRAL_BAD_STATE), declared once for the
 * workstation's domain code (db/relationship/referral-steps.ts) and the hub's write rules (shared/sync).
 */
export const REFERRAL_TRANSITIONS: Record<ReferralAction, readonly ReferralStatus[]> = {
  accept: ['new'],
  reassign: ['new', 'accepted', 'contacted'],
  contact: ['accepted', 'contacted'],
  win: ['contacted'],
  lose: ['accepted', 'contacted'],
};

/** Where each step leads: reassigning keeps a contacted referral contacted, else sends it back to new. */
export const REFERRAL_TARGETS: Record<ReferralAction, readonly ReferralStatus[]> = {
  accept: ['accepted'],
  reassign: ['new', 'contacted'],
  contact: ['contacted'],
  win: ['won'],
  lose: ['lost'],
};
export const LOST_REASONS = ['not_interested', 'unreachable', 'competitor', 'not_eligible', 'other'] as const;
export type LostReason = (typeof LOST_REASONS)[number];

export interface Referral {
  id: number;
  customerId: number;
  customerNo: string;
  customerName: string;
  interest: ReferralInterest;
  urgency: ReferralUrgency;
  note: string | null;
  status: ReferralStatus;
  referrerName: string;
  /** Manager whose queue holds it; null: the branch queue (the president dispatches it). */
  ownerStaffId: number | null;
  ownerName: string | null;
  createdAt: string;
  createdOn: string;
  slaDays: number;
  /** First contact due by the end of this working day. */
  dueOn: string;
  /** Not contacted yet and past its due date (today > dueOn). */
  overdue: boolean;
  acceptedAt: string | null;
  firstContactAt: string | null;
  closedAt: string | null;
  wonProductId: number | null;
  wonProductName: string | null;
  wonAmount: Money | null;
  lostReason: LostReason | null;
  closeNote: string | null;
}

export interface ReferralEvent {
  at: string;
  userName: string;
  action: 'created' | 'accepted' | 'reassigned' | 'contacted' | 'won' | 'lost';
  fromStatus: ReferralStatus | null;
  toStatus: ReferralStatus;
  fromOwnerName: string | null;
  toOwnerName: string | null;
  note: string | null;
}

export interface ReferralDetail extends Referral {
  events: ReferralEvent[];
}

/** One line of the president's report: a teller (who referred) or a manager (who worked it). */
export interface ReferralStatsRow {
  staffId: number | null;
  name: string;
  count: number;
  open: number;
  won: number;
  lost: number;
  /** won / count, 0–1 (null when count is 0). */
  conversion: number | null;
  wonAmount: Money;
  /** Referrals contacted at least once. */
  contacted: number;
  /** Mean hours from flag to first contact over the contacted ones (null when none). */
  avgHoursToContact: number | null;
  /** Open, not contacted, past due today. */
  overdue: number;
  /** Contacted, but after the due date. */
  late: number;
}

export interface ReferralReport {
  from: string;
  to: string;
  total: ReferralStatsRow;
  byTeller: ReferralStatsRow[];
  /** Managers who own referrals; the branch queue (not yet dispatched) is the row with staffId null. */
  byManager: ReferralStatsRow[];
  /** Top referrers: most won, then most referrals, then won amount. */
  leaderboard: { rank: number; staffId: number; name: string; count: number; won: number; wonAmount: Money }[];
}

export interface ReferralAssignee {
  staffId: number;
  name: string;
  branchName: string;
}

export interface ProductOption {
  id: number;
  code: string;
  name: string;
  category: string;
}

const id = z.number().int().positive();
const note = z.string().trim().max(200).optional();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) };
/** Yuan with up to two decimals, positive, at most 10^12 yuan: exact fen on the server. */
export const positiveYuan = z
  .string()
  .trim()
  .regex(/^\d{1,12}(?:\.\d{1,2})?$/)
  .refine((s) => !/^0+(?:\.0{1,2})?$/.test(s), { message: 'positive' });

export const CONTACT_CHANNELS = ['call', 'visit', 'sms', 'wechat', 'meeting'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CONTACT_OUTCOMES = [
  'reached',
  'no_answer',
  'interested',
  'not_interested',
  'appointment',
  'completed',
] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

/** A contact as recorded (channel, outcome, summary, next step with a date). Shared with shared/api/contacts.ts. */
export const contactFields = {
  channel: z.enum(CONTACT_CHANNELS),
  outcome: z.enum(CONTACT_OUTCOMES),
  summary: z.string().trim().max(500).optional(),
  nextStep: z.string().trim().min(1).max(200).optional(),
  nextStepOn: isoDate.optional(),
};

export const referralsApi = {
  /** 转介: a teller flags a customer (looked up in their scope) for a manager. Lands in the manager-of-record's queue or the branch queue. */
  'referrals.create': method<Referral>()(
    'referral.create',
    z
      .object({
        customerId: id,
        interest: z.enum(REFERRAL_INTERESTS),
        urgency: z.enum(REFERRAL_URGENCIES).default('normal'),
        note,
      })
      .strict(),
  ),
  /** The teller's own flags and what became of them, newest first. */
  /** The teller's own flags, newest first, optionally of one status, with how many there are of each. */
  'referrals.mine': method<Page<Referral> & { counts: Record<ReferralStatus, number> }>()(
    'referral.create',
    z.object({ status: z.enum(REFERRAL_STATUSES).optional(), ...page }).strict(),
  ),
  /** The work queue: a manager's own referrals; the president's whole branch (`unassigned`: the branch queue). */
  'referrals.queue': method<Page<Referral>>()(
    'referral.work',
    z.object({ view: z.enum(['open', 'closed', 'overdue', 'unassigned', 'all']).default('open'), ...page }).strict(),
  ),
  /** One referral with its history, if the caller may see it (teller: own; manager: owned; president: branch). */
  'referrals.get': method<ReferralDetail>()('session', z.object({ id }).strict()),
  /** Referrals about one customer the caller may see (customer 360). */
  'referrals.forCustomer': method<Referral[]>()('customer.read', z.object({ customerId: id }).strict()),
  'referrals.accept': method<Referral>()('referral.work', z.object({ id }).strict()),
  /** To another manager of the branch (president: any referral of the branch; manager: their own). */
  'referrals.reassign': method<Referral>()('referral.work', z.object({ id, toStaffId: id, note }).strict()),
  /** Records a contact on the referral's customer (also in the contact log) and marks first contact. */
  'referrals.contact': method<Referral>()('referral.work', z.object({ id, ...contactFields }).strict()),
  'referrals.win': method<Referral>()(
    'referral.work',
    z.object({ id, productId: id, amount: positiveYuan, note }).strict(),
  ),
  'referrals.lose': method<Referral>()('referral.work', z.object({ id, reason: z.enum(LOST_REASONS), note }).strict()),
  /** Managers a referral may be reassigned to (active managers with an account in the caller's branch). */
  'referrals.managers': method<ReferralAssignee[]>()('referral.work', z.object({}).strict()),
  /** Products a won referral may name (on sale). */
  'referrals.products': method<ProductOption[]>()('referral.work', z.object({}).strict()),
  /** President: by teller and by manager (count, conversion, time to first contact, overdue) and the top referrers. */
  'referrals.report': method<ReferralReport>()('referral.report', z.object({ from: isoDate, to: isoDate }).strict()),
  /** Working days to first contact (SLA) for new referrals. */
  'referrals.settings': method<{ slaDays: number }>()('session', z.object({}).strict()),
  'referrals.saveSettings': method<{ slaDays: number }>()(
    'referral.configure',
    z.object({ slaDays: z.number().int().min(1).max(30) }).strict(),
  ),
} as const;
